"""Attack paths: entry points, targets, hops with their controls, ranking, bounded cost, the CLI."""

from __future__ import annotations

import json
import subprocess
import time

import yaml

from tests.conftest import AS_OF, ROOT
from tmodel.analysis.engine import analyze
from tmodel.analysis.paths import BYOD, PARTNER, PRIVILEGED, _rank, attack_paths
from tmodel.model.load import load_model, load_model_text

TMODEL = [str(ROOT / ".venv" / "bin" / "tmodel")]
BYOD_MODEL = ROOT / "models" / "byod-admin-portal.yaml"
LOAN_MODEL = ROOT / "models" / "loan-marketplace.yaml"


def _paths(path, catalog, **kw):
    lm = load_model(str(path))
    a = analyze(lm.model, catalog, path=str(path), as_of=AS_OF)
    return lm.model, a, attack_paths(lm.model, a, catalog, **kw)


def test_byod_device_reaches_the_configuration_through_the_publisher(catalog):
    _, a, paths = _paths(BYOD_MODEL, catalog)
    first = paths[0]
    assert (first.category, first.entry, first.target) == (BYOD, "byod", "config-repo")
    assert first.flows == ["byod-carbon", "publisher-config"]
    assert first.blocking_hops == 0
    hop = first.hops[0]
    missing = {c.id for c in hop.controls if c.status == "gap"}
    assert {"WSO2-CTL-BYOD-ISOLATION", "WSO2-CTL-ADMIN-MFA", "STRIDE-C-MGMT-PLANE-INTERNAL"} <= missing
    # every missing control on the hop belongs to an unresolved threat found there
    on_hop = [t for t in a.threats if t.target in ("byod-carbon", "publisher")]
    assert missing <= {c.id for t in on_hop for c in t.controls}
    assert set(hop.open_threats) == {t.id for t in on_hop if t.unresolved}
    assert first.worst_open_level == "critical"


def test_ranking_is_weakest_first_and_every_pair_once(catalog):
    _, _, paths = _paths(LOAN_MODEL, catalog)
    assert paths == sorted(paths, key=_rank)
    pairs = [(p.entry, p.target) for p in paths]
    assert len(pairs) == len(set(pairs))
    cats = {p.category for p in paths}
    assert PARTNER in cats and PRIVILEGED in cats


def _publisher_hop(catalog, *, state_the_rest: bool):
    data = yaml.safe_load(BYOD_MODEL.read_text(encoding="utf-8"))
    store = next(e for e in data["elements"] if e["id"] == "config-repo")
    store["encrypted_at_rest"] = True
    if state_the_rest:  # what the rules relevant on this hop read and the example leaves unstated
        store.update(patched=True, supported=True, default_credentials=False)
        flow = next(f for f in data["flows"] if f["id"] == "publisher-config")
        flow["log_content"] = "metadata"
    lm = load_model_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "case.yaml")
    assert lm.ok
    a = analyze(lm.model, catalog, as_of=AS_OF)
    (p,) = [x for x in attack_paths(lm.model, a, catalog, to="config-repo") if x.entry == "publisher"]
    (hop,) = p.hops
    return p, hop, {c.id: c.status for c in hop.controls}


def test_a_relevant_rule_that_does_not_fire_counts_its_controls_as_met(catalog):
    """Closing the gaps of a hop and stating what it leaves open turns it into a blocking hop."""
    p, hop, status = _publisher_hop(catalog, state_the_rest=True)
    assert status["STRIDE-C-ENCRYPT-AT-REST"] == "met"
    assert set(status.values()) == {"met"}
    assert hop.blocks and p.blocking_hops == 1


def test_a_rule_quiet_only_on_unstated_facts_leaves_its_controls_unanswered(catalog):
    """As in the compliance view: a control is not 'met' on a hop where the model does not say whether the
    threat's condition holds (here: patch level, default credentials, what the logs record)."""
    p, hop, status = _publisher_hop(catalog, state_the_rest=False)
    assert status["STRIDE-C-ENCRYPT-AT-REST"] == "met"
    assert {"GOST-C-UPDATES", "OWASP-C-NO-DEFAULT-CREDENTIALS", "STRIDE-C-NO-SECRETS-IN-LOGS"} <= \
        {c for c, s in status.items() if s == "needs_answer"}
    assert not hop.blocks and p.blocking_hops == 0


def test_paths_run_through_the_bank_not_through_outside_systems(catalog):
    for model in sorted((ROOT / "models").glob("*.yaml")):
        m, _, paths = _paths(model, catalog)
        zone = {b.id: b.zone.value for b in m.boundaries}
        outside = {e.id for e in m.elements if e.kind.value == "external_entity" or zone.get(e.boundary) in ("internet", "partner")}
        for p in paths:
            assert not outside & set(p.elements[1:]), (model.name, p.elements)


def test_cost_is_bounded_on_a_dense_model(catalog):
    """Twelve processes, every one calling every other: simple paths explode, the search does not."""
    procs = [f"p{i}" for i in range(12)]
    data = {
        "format_version": 1,
        "metadata": {"id": "dense", "title": "Dense", "owner": "Team"},
        "data_assets": [{"id": "acc", "title": "Accounts", "classification": "bank_secrecy"}],
        "boundaries": [{"id": "inet", "title": "Internet", "zone": "internet"},
                       {"id": "dc", "title": "DC", "zone": "internal"}],
        "elements": [{"id": "client", "title": "Client", "kind": "external_entity", "technology": "web_app", "boundary": "inet"}]
        + [{"id": p, "title": p, "kind": "process", "technology": "backend_service", "boundary": "dc"} for p in procs],
        "flows": [{"id": "in", "title": "in", "from": "client", "to": "p0", "data": ["acc"], "tls": {"min_version": "1.2"}}]
        + [{"id": f"{a}-{b}", "title": f"{a}-{b}", "from": a, "to": b, "data": ["acc"], "tls": {"min_version": "1.2"}} for a in procs for b in procs if a != b],
    }
    lm = load_model_text(yaml.safe_dump(data, sort_keys=False), "dense.yaml")
    assert lm.ok, [p.format() for p in lm.errors]
    a = analyze(lm.model, catalog, as_of=AS_OF)
    t0 = time.perf_counter()
    paths = attack_paths(lm.model, a, catalog)
    assert time.perf_counter() - t0 < 20
    assert {p.target for p in paths if p.entry == "client"} == set(procs)
    assert all(len(p.hops) <= 8 for p in paths)


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*TMODEL, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_cli_text_json_and_russian():
    en = _run("paths", str(BYOD_MODEL), "--as-of", AS_OF.isoformat())
    assert en.returncode == 0, en.stderr
    assert en.stdout.startswith("Attack paths: ") and "1. byod (" in en.stdout and "missing:" in en.stdout
    ru = _run("paths", str(BYOD_MODEL), "--lang", "ru", "--as-of", AS_OF.isoformat())
    assert ru.returncode == 0, ru.stderr
    assert ru.stdout.startswith("Пути атак: ") and "Нарушитель: нарушитель, действующий с личного устройства" in ru.stdout
    for english in ("Intruder", "hop(s)", "missing:", "met:", "unresolved threats"):
        assert english not in ru.stdout
    js = _run("paths", str(BYOD_MODEL), "--to", "config-repo", "--format", "json", "--as-of", AS_OF.isoformat())
    assert js.returncode == 0, js.stderr
    body = json.loads(js.stdout)
    assert body["model"] == "byod-admin-portal" and {p["target"] for p in body["paths"]} == {"config-repo"}
    hop = body["paths"][0]["hops"][0]
    assert set(hop) >= {"flow", "source", "target", "controls", "open_threats"}
    assert body["paths"][0]["counts"]["missing"] >= 1


def test_cli_unknown_target_is_a_located_error():
    r = _run("paths", str(BYOD_MODEL), "--to", "confg-repo")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "--to 'confg-repo' is not an element" in r.stderr and "did you mean 'config-repo'?" in r.stderr


def test_cli_says_when_no_path_reaches_the_target():
    r = _run("paths", str(BYOD_MODEL), "--to", "byod")
    assert r.returncode == 0 and "No attack path reaches byod." in r.stdout
    r = _run("paths", str(BYOD_MODEL), "--to", "byod", "--lang", "ru")
    assert r.returncode == 0 and "Ни один путь атаки не ведёт к byod." in r.stdout
