"""The engine service without the UI: loading, named edits, strict validation, saving, conflicts."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
import yaml

from tmodel.model.save import ChangedOnDisk
from tmodel.tui.service import EditError, EditRejected, Service, ThreatFilter, filter_threats, yaml_safe

from .conftest import AS_OF, MODELS


def _open(service: Service, name: str = "payments.yaml"):
    return service.open(os.path.join(service.root, name))


def test_lists_models_and_skips_catalog_files(models_dir, tui_catalog):
    (models_dir / "catalogs").mkdir()
    (models_dir / "catalogs" / "ours.yaml").write_text("catalog:\n  id: ours\n  title: Ours\n", encoding="utf-8")
    svc = Service(str(models_dir), tui_catalog, as_of=AS_OF)
    assert [os.path.basename(f) for f in svc.files] == ["broken.yaml", "markup.yaml", "payments.yaml"]
    assert len(svc.skipped) == 1
    by_name = {s.rel: s for s in svc.summaries()}
    assert by_name["broken.yaml"].errors == 2 and by_name["broken.yaml"].compliance is None
    pay = by_name["payments.yaml"]
    assert pay.errors == 0 and pay.title == "Payments API for fintech partners"
    assert pay.unresolved == {"low": 0, "medium": 1, "high": 5, "critical": 1}
    assert pay.compliance == 43.8


def test_single_file_root(tui_catalog):
    svc = Service(str(MODELS / "markup.yaml"), tui_catalog, as_of=AS_OF)
    assert svc.single_file and [os.path.basename(f) for f in svc.files] == ["markup.yaml"]


def test_set_field_reanalyses_at_once(service):
    e = _open(service)
    before = {t.id for t in e.analysis.threats}
    assert "WSO2-TLS-WEAK@partner-gw" in before
    version = e.version
    service.set_field("flows", "partner-gw", ("tls", "min_version"), "1.3")
    assert e.version > version and e.dirty
    assert "WSO2-TLS-WEAK@partner-gw" not in {t.id for t in e.analysis.threats}
    assert "min_version: '1.3'" in e.doc.text() or 'min_version: "1.3"' in e.doc.text()


def test_invalid_edit_is_rejected_and_undone(service):
    e = _open(service)
    text = e.doc.text()
    with pytest.raises(EditRejected) as exc:
        service.set_field("elements", "gw", ("title",), "")
    assert "title" in str(exc.value)
    assert e.doc.text() == text and not e.dirty
    with pytest.raises(EditRejected):
        service.set_field("flows", "app-gw", ("from",), "nowhere")
    assert e.doc.text() == text


def test_yaml_11_words_are_quoted():
    assert isinstance(yaml_safe("yes"), str) and yaml.safe_load(f"k: {_dump(yaml_safe('yes'))}")["k"] == "yes"
    assert yaml_safe("plain text") == "plain text" and type(yaml_safe("plain text")) is str
    assert yaml_safe(["on", "x"])[1] == "x"


def _dump(v):
    from ruamel.yaml import YAML
    import io

    buf = io.StringIO()
    YAML().dump({"k": v}, buf)
    return buf.getvalue().split(":", 1)[1].strip()


def test_answer_yes_survives_the_yaml_11_reader(service):
    e = _open(service)
    service.set_answer("CTL-HSM", "yes", evidence="HSM inventory v3")
    assert not e.errors
    c = next(c for c in e.analysis.controls if c.id == "CTL-HSM")
    assert c.status == "met" and "HSM inventory v3" in c.evidence
    service.save()
    assert yaml.safe_load(open(e.path, encoding="utf-8"))["answers"][-1]["status"] == "yes"


def test_add_and_remove_item(service):
    e = _open(service)
    service.add_item("elements", {"id": "cache", "title": "Session cache", "kind": "data_store",
                                  "technology": "database", "boundary": "internal", "encrypted_at_rest": False})
    assert "STRIDE-STORE-UNENCRYPTED@cache" in {t.id for t in e.analysis.threats}
    with pytest.raises(EditError):
        service.add_item("elements", {"id": "cache", "title": "Again", "kind": "process", "technology": "other"})
    refs = service.remove_item("elements", "payments")
    assert "flow 'gw-payments' to" in refs and "flow 'payments-db' from" in refs
    assert e.errors, "dangling references are reported, not hidden"
    assert e.analysis is not None and not e.analysis_current


def test_rename_keeps_decisions_in_the_saved_yaml(service):
    e = _open(service)
    changes = service.rename("flows", "app-gw", "fintech-to-gateway")
    assert any(c.startswith("decision 'OWASP-API4-NO-RATE-LIMIT@app-gw'") for c in changes)
    service.save()
    data = yaml.safe_load(open(e.path, encoding="utf-8"))
    assert "OWASP-API4-NO-RATE-LIMIT@fintech-to-gateway" in [d["threat"] for d in data["decisions"]]
    t = next(t for t in e.analysis.threats if t.id == "OWASP-API4-NO-RATE-LIMIT@fintech-to-gateway")
    assert t.status == "accepted", "the decision still applies after the rename"
    with pytest.raises(EditError):
        service.rename("elements", "gw", "payments")  # taken
    with pytest.raises(EditRejected):
        service.rename("elements", "gw", "Not An Id")


def test_decisions_accept_with_expiry_and_reopen(service):
    e = _open(service)
    tid = "WSO2-NO-SCHEMA@gw-payments"
    service.set_decision(tid, "accepted", owner="Head of payments", reason="Backend validates", expires=dt.date(2027, 3, 1))
    t = service.threat(tid)
    assert t.status == "accepted" and t.decision.expires == dt.date(2027, 3, 1) and t.decision.decided_by == "tester"
    assert t.decision.decided_on == AS_OF
    service.set_decision(tid, "mitigated", control="CTL-SCHEMA")
    t = service.threat(tid)
    assert t.status == "mitigated" and t.decision.expires is None and t.decision.owner is None
    service.reopen(tid)
    assert service.threat(tid).status == "open"
    assert tid not in e.doc.text()


def test_save_keeps_comments_byte_for_byte(service):
    e = _open(service)
    original = open(e.path, encoding="utf-8").read()
    service.set_field("elements", "payments", ("logging",), "central")
    service.save()
    saved = open(e.path, encoding="utf-8").read()
    before, after = original.splitlines(keepends=True), saved.splitlines(keepends=True)
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(changed) == 1, changed
    old, new = changed[0]
    assert old.startswith("    logging: local") and new.startswith("    logging: central")
    assert new.rstrip().endswith("# TODO: ship to the SIEM (ticket SEC-142)"), "the comment on the edited line stays"
    assert not e.dirty


def test_save_refuses_when_the_file_changed_on_disk(service):
    e = _open(service)
    service.set_field("elements", "gw", ("title",), "Gateway (edited in tmodel)")
    time.sleep(0.01)
    theirs = open(e.path, encoding="utf-8").read().replace("Payments service", "Payments service (edited by hand)")
    with open(e.path, "w", encoding="utf-8") as fh:
        fh.write(theirs)
    with pytest.raises(ChangedOnDisk):
        service.save()
    assert open(e.path, encoding="utf-8").read() == theirs, "the file is untouched"
    diff = service.disk_diff()
    assert "-  - id: payments" not in diff and "+    title: Gateway (edited in tmodel)" in diff
    assert "-    title: Payments service (edited by hand)" in diff
    fresh = service.reload()
    assert not fresh.dirty and fresh.doc.get(("elements", "payments", "title")) == "Payments service (edited by hand)"
    assert service.current is fresh


def test_item_at_line(service):
    _open(service)
    lines = open(service.current.path, encoding="utf-8").read().splitlines()
    line_of = {text.strip(): i + 1 for i, text in enumerate(lines)}
    assert service.item_at_line(line_of["- id: ledger-db"] + 2) == ("elements", "ledger-db")
    assert service.item_at_line(line_of["- threat: WSO2-LOG-NOT-CENTRAL@payments"]) == ("decisions", "WSO2-LOG-NOT-CENTRAL@payments")
    assert service.item_at_line(5) == ("metadata", None)


def test_filters_and_sorts_thousands_of_threats(tui_catalog, tmp_path):
    from tmodel.analysis.engine import analyze
    from tmodel.model.load import load_model_text

    # 1,500 callers, one flow each: findings group per rule and pair of elements, so distinct pairs
    # keep thousands of findings; every weakness is stated, so none is only an unknown
    flows = "\n".join(
        f"  - {{id: f{i}, title: Call {i}, from: ext{i}, to: gw, protocol: https, tls: {{min_version: '1.1'}}, "
        "authentication: {method: none}, rate_limit: false, schema_validation: false}"
        for i in range(1500))
    callers = "\n".join(
        f"  - {{id: ext{i}, title: Ext {i}, kind: external_entity, technology: partner_system, boundary: net}}"
        for i in range(1500))
    text = (f"format_version: 1\nmetadata: {{id: big, title: Big, owner: Me}}\n"
            "boundaries:\n  - {id: net, title: Net, zone: internet}\n  - {id: dmz, title: DMZ, zone: dmz}\n"
            f"elements:\n{callers}\n"
            "  - {id: gw, title: GW, kind: process, technology: wso2_gateway, boundary: dmz, logging: central}\n"
            f"flows:\n{flows}\n")
    lm = load_model_text(text, "big.yaml")
    assert lm.ok, lm.problems
    a = analyze(lm.model, tui_catalog, as_of=AS_OF)
    assert len(a.threats) >= 4500
    start = time.perf_counter()
    rows = filter_threats(a.threats, ThreatFilter(stride="D"), "id")
    text_rows = filter_threats(a.threats, ThreatFilter(text="f149 rate"), "score", reverse=True)
    assert time.perf_counter() - start < 2.0
    assert len(rows) == 1500 and all("D" in t.stride for t in rows)
    assert [t.id for t in rows] == sorted(t.id for t in rows)
    assert {t.target for t in text_rows} == {"f149"} | {f"f149{i}" for i in range(10)} and all(t.rule == "OWASP-API4-NO-RATE-LIMIT" for t in text_rows)
    assert filter_threats(a.threats, ThreatFilter(level="critical", status="unresolved", framework="owasp-api-2023"))
    assert not filter_threats(a.threats, ThreatFilter(status="accepted"))


def test_broken_model_can_be_opened_for_fixing(service):
    e = service.open(os.path.join(service.root, "broken.yaml"))
    assert e.doc is not None and e.analysis is None and len(e.errors) == 2
    service.set_field("elements", "gw", ("technology",), "wso2_gateway")
    assert len(e.errors) == 1
    service.set_field("metadata", None, ("owner",), "Platform team")
    assert not e.errors and e.analysis is not None and e.analysis_current
