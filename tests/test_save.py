"""Round-trip editing keeps what the human wrote; saves are atomic and never overwrite changes on disk."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from tmodel.model.save import ChangedOnDisk, EditError, ModelDocument

FIXTURE = Path(__file__).parent / "fixtures" / "base.yaml"


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    p = tmp_path / "m.yaml"
    shutil.copy(FIXTURE, p)
    return p


def test_unchanged_document_round_trips_byte_for_byte(model_file):
    doc = ModelDocument.open(str(model_file))
    assert doc.text() == model_file.read_text()


def test_dash_at_column_zero_style_is_kept(tmp_path):
    text = "# comment\nformat_version: 1\nmetadata:\n  id: x  # inline\n  title: X\n  owner: o\nelements:\n- id: a\n  title: A\n  kind: process\n  technology: backend_service\n"
    p = tmp_path / "s.yaml"
    p.write_text(text)
    doc = ModelDocument.open(str(p))
    assert doc.text() == text
    doc.set(("elements", "a", "logging"), "central")
    assert doc.text() == text + "  logging: central\n"


def test_edit_keeps_comments_and_key_order(model_file):
    doc = ModelDocument.open(str(model_file))
    doc.set(("flows", "tpp-gw", "tls", "min_version"), "1.3")
    doc.save()
    after = model_file.read_text()
    before = FIXTURE.read_text()
    assert after.splitlines()[0] == before.splitlines()[0]  # the header comment
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [('    tls: {min_version: "1.2", forward_secrecy: true, mutual: true, client_cert_verified: true}',
                        '    tls: {min_version: "1.3", forward_secrecy: true, mutual: true, client_cert_verified: true}')]
    assert doc.validate().ok


def test_rename_updates_every_reference_and_keeps_decisions(model_file):
    doc = ModelDocument.open(str(model_file))
    doc.set_decision("WSO2-LOG-NOT-CENTRAL@gw", "accepted", owner="CISO", reason="legacy", expires=dt.date(2027, 1, 31))
    doc.set(("controls",), [{"control": "C-TLS", "status": "implemented", "scope": ["gw", "tpp-gw"]}])
    changes = doc.rename("elements", "gw", "api-gateway")
    assert "element 'gw' -> 'api-gateway'" in changes
    text = doc.text()
    assert "threat: WSO2-LOG-NOT-CENTRAL@api-gateway" in text
    assert "@gw" not in text
    lm = doc.validate()
    assert lm.ok, [p.format() for p in lm.errors]
    flows = {f.id: f for f in lm.model.flows}
    assert flows["tpp-gw"].target == "api-gateway" and flows["gw-km"].source == "api-gateway"
    assert lm.model.controls[0].scope == ["api-gateway", "tpp-gw"]


def test_rename_refuses_a_taken_id(model_file):
    doc = ModelDocument.open(str(model_file))
    with pytest.raises(EditError, match="already used"):
        doc.rename("elements", "gw", "km")


def test_rename_boundary_and_data_asset(model_file):
    doc = ModelDocument.open(str(model_file))
    doc.rename("boundaries", "internal", "core-net")
    doc.rename("data_assets", "tokens", "oauth-tokens")
    lm = doc.validate()
    assert lm.ok, [p.format() for p in lm.errors]
    assert {b.parent for b in lm.model.boundaries} == {None, "core-net"}
    assert "oauth-tokens" in lm.model.flow("tpp-gw").data


def test_references_to_lists_what_a_delete_would_break(model_file):
    doc = ModelDocument.open(str(model_file))
    refs = doc.references_to("km")
    flows_of_km = [f"flow '{f['id']}' {'to' if f['to'] == 'km' else 'from'}" for f in doc.data["flows"] if "km" in (f["from"], f["to"])]
    assert "flow 'gw-km' to" in refs and sorted(refs) == sorted(flows_of_km)


def test_save_refuses_to_overwrite_a_file_changed_on_disk(model_file):
    doc = ModelDocument.open(str(model_file))
    doc.set(("metadata", "owner"), "Someone else")
    theirs = model_file.read_text().replace("Integration layer", "Edited elsewhere")
    model_file.write_text(theirs)
    os.utime(model_file, ns=(doc.mtime_ns + 10_000_000, doc.mtime_ns + 10_000_000))
    with pytest.raises(ChangedOnDisk) as exc:
        doc.save()
    assert exc.value.disk_text == theirs
    assert model_file.read_text() == theirs  # untouched
    doc.save(force=True)
    assert "Someone else" in model_file.read_text()


def test_save_is_atomic_and_leaves_no_temp_files(model_file):
    doc = ModelDocument.open(str(model_file))
    mode = 0o640
    os.chmod(model_file, mode)
    doc.set_answer("Q-1", "yes", evidence="Regulation v2")
    doc.save()
    assert [p.name for p in model_file.parent.iterdir()] == ["m.yaml"]
    assert os.stat(model_file).st_mode & 0o777 == mode
    assert "question: Q-1" in model_file.read_text()


def test_upsert_keeps_existing_keys(model_file):
    doc = ModelDocument.open(str(model_file))
    assert doc.set_decision("R@gw", "open", owner="a") is True
    assert doc.set_decision("R@gw", "mitigated", control="C-TLS") is False
    text = doc.text()
    assert text.count("threat: R@gw") == 1 and "owner: a" in text and "control: C-TLS" in text


def test_values_a_yaml_11_reader_would_misread_are_quoted(model_file):
    doc = ModelDocument.open(str(model_file))
    doc.set_answer("Q-1", "yes", evidence="on")
    doc.set(("flows", "tpp-gw", "tls", "min_version"), "1.3")
    doc.set(("metadata", "description"), "two\nlines")
    text = doc.text()
    assert 'status: "yes"' in text and 'evidence: "on"' in text and 'min_version: "1.3"' in text
    assert "description: |-\n    two\n    lines" in text
    lm = doc.validate()
    assert lm.ok, [p.format() for p in lm.errors]
    assert lm.model.answers[0].status.value == "yes" and lm.model.metadata.description == "two\nlines"


def test_a_value_changed_by_hand_drops_its_imported_source(tmp_path):
    """derived_from says where an importer found a value; once a person changes it, that is no longer true."""
    from tmodel.model.save import ModelDocument

    text = (Path(__file__).parent / "fixtures" / "base.yaml").read_text(encoding="utf-8").replace(
        "  - id: tpp-gw\n",
        "  - id: tpp-gw\n    derived_from: {tls.min_version: 'spec.yaml#/servers/0/url', rate_limit: 'spec.yaml#/paths'}\n", 1)
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    doc = ModelDocument.open(str(path))
    doc.set(("flows", "tpp-gw", "tls", "min_version"), "1.2")  # unchanged value: the source stays
    assert doc.get(("flows", "tpp-gw", "derived_from", "tls.min_version")) == "spec.yaml#/servers/0/url"
    doc.set(("flows", "tpp-gw", "tls", "min_version"), "1.3")
    assert doc.get(("flows", "tpp-gw", "derived_from")) == {"rate_limit": "spec.yaml#/paths"}
    doc.set(("flows", "tpp-gw", "rate_limit"), False)
    assert doc.get(("flows", "tpp-gw", "derived_from"), None) is None
    assert doc.validate().ok
