"""The JSON Schemas: committed copies match the code, are valid draft 2020-12, describe every field and
enum value, and accept exactly the files the loader accepts."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from tmodel.model.load import load_model_text
from tmodel.schema import DRAFT, SCHEMAS, catalog_schema, model_schema, schema_path

ROOT = Path(__file__).resolve().parent.parent
TMODEL = Path(sys.executable).parent / "tmodel"  # the console script beside the running interpreter
MODELS = sorted((ROOT / "models").glob("*.yaml"))
CATALOGS = sorted((ROOT / "catalogs").glob("*.yaml"))
FIXTURE_MODELS = [ROOT / "tests" / "fixtures" / "base.yaml"]
SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/model-v1.schema.json"
REGENERATE = "regenerate with: .venv/bin/tmodel schema --write (and commit schemas/)"


def as_json(node: Any) -> Any:
    """YAML data as a JSON document: dates become ISO strings, as an editor sees them."""
    if isinstance(node, dict):
        return {str(k): as_json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [as_json(v) for v in node]
    if isinstance(node, (dt.date, dt.datetime)):
        return node.isoformat()
    return node


def validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(schema: dict, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator(schema).iter_errors(as_json(data))]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_copy_matches_the_code(name):
    path = schema_path(name)
    assert path.exists(), f"{path} is missing; {REGENERATE}"
    committed = json.loads(path.read_text(encoding="utf-8"))
    assert committed == SCHEMAS[name](), f"{path.name} drifted from the code; {REGENERATE}"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_is_valid_draft_2020_12(name):
    schema = SCHEMAS[name]()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"/{schema_path(name).name}")
    assert schema["title"] and schema["description"]


def test_cli_prints_the_schemas():
    for kind, make in (("model", model_schema), ("catalog", catalog_schema)):
        proc = subprocess.run([str(TMODEL), "schema", "--kind", kind], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout) == make()
    proc = subprocess.run([str(TMODEL), "schema"], capture_output=True, text=True, timeout=60)
    assert json.loads(proc.stdout)["$id"].endswith("/model-v1.schema.json")


def test_every_enum_value_is_described():
    for name, make in SCHEMAS.items():
        for def_name, d in make()["$defs"].items():
            if "enum" not in d:
                continue
            descriptions = d.get("enumDescriptions")
            assert descriptions and len(descriptions) == len(d["enum"]), f"{name}: {def_name}"
            assert all(isinstance(x, str) and x.strip() for x in descriptions), f"{name}: {def_name}"
            assert len(d["markdownEnumDescriptions"]) == len(d["enum"])


def test_every_model_field_is_described():
    schema = model_schema()
    missing = [f"{def_name}.{prop}" for def_name, d in schema["$defs"].items()
               for prop, p in d.get("properties", {}).items() if not p.get("description")]
    missing += [f"Model.{prop}" for prop, p in schema["properties"].items() if not p.get("description")]
    assert not missing, f"fields without a description (hover text and docs need one): {missing}"


def test_schema_states_the_file_format():
    schema = model_schema()
    flow = schema["$defs"]["Flow"]
    assert {"from", "to"} <= set(flow["required"]) and "source" not in flow["properties"]
    assert schema["properties"]["format_version"]["const"] == 1
    assert schema["$defs"]["Ciba"]["properties"]["hint"]["enum"] == ["login_hint_token", "id_token_hint", "login_hint"]
    assert all(d.get("additionalProperties") is False for d in schema["$defs"].values() if d.get("type") == "object")


@pytest.mark.skipif(not MODELS, reason="no models in models/ yet")
@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_example_models_validate_against_the_schema(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert schema_errors(model_schema(), data) == []


@pytest.mark.skipif(not MODELS, reason="no models in models/ yet")
@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_example_models_point_editors_at_the_schema(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == SCHEMA_LINE, f"{path.name}: the first line must be '{SCHEMA_LINE}'"


@pytest.mark.parametrize("path", FIXTURE_MODELS, ids=lambda p: p.name)
def test_fixture_models_validate_against_the_schema(path):
    assert schema_errors(model_schema(), yaml.safe_load(path.read_text(encoding="utf-8"))) == []


@pytest.mark.skipif(not CATALOGS, reason="no catalogs yet")
@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.name)
def test_shipped_catalogs_validate_against_the_catalog_schema(path):
    assert schema_errors(catalog_schema(), yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def test_catalog_condition_grammar_is_enforced():
    rule = {"id": "R-1", "title": "t", "stride": ["S"], "applies": {"to": "flow"}, "likelihood": 1, "impact": 1,
            "description": "d", "detection": "d", "mitigation": "m"}
    doc = {"catalog": {"id": "c", "title": "C"}, "rules": [{**rule, "when": {"all": [{"fact": "tls.mutual", "eq": False}]}}]}
    assert schema_errors(catalog_schema(), doc) == []
    doc["rules"][0]["when"] = {"fact": "tls.mutual", "equals": False}
    assert schema_errors(catalog_schema(), doc)


# --- the schema and the loader agree -----------------------------------------------------------

BASE = yaml.safe_load((ROOT / "tests" / "fixtures" / "base.yaml").read_text(encoding="utf-8"))


def _both(data: dict) -> tuple[bool, bool]:
    """(schema accepts, loader's schema stage accepts) for the same document."""
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    lm = load_model_text(text, "m.yaml")
    loader_ok = lm.model is not None and not [p for p in lm.problems if p.is_error and p.code in
                                              ("unknown-field", "missing", "enum", "type", "id", "format-version")]
    return not schema_errors(model_schema(), data), loader_ok


def _patched(path: tuple, value: Any) -> dict:
    data = copy.deepcopy(BASE)
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize("path, value, accepted", [
    (("metadata", "reviewed_on"), dt.date(2026, 3, 1), True),          # a YAML date
    (("metadata", "reviewed_on"), "2026-03-01", True),                  # a quoted date
    (("decisions",), [{"threat": "WSO2-TLS-WEAK@tpp-gw", "status": "open"}], True),
    (("format_version",), 1, True),
    (("format_version",), 2, False),
    (("flows", 0, "tls", "min_version"), "1.3", True),
    (("flows", 0, "tls", "min_version"), 1.3, False),                  # unquoted: a number
    (("flows", 0, "protocol"), "htps", False),
    (("elements", 0, "id"), "Upper", False),
    (("elements", 0, "id"), 12, False),
    (("elements", 0, "colour"), "red", False),
    (("flows", 0, "authentication", "ciba"), {"hint": "login_hint"}, True),
    (("metadata", "title"), "", False),
    (("elements", 1, "token_lifetime_minutes"), 0, False),
], ids=lambda v: str(v))
def test_schema_and_loader_agree(path, value, accepted):
    assert _both(_patched(path, value)) == (accepted, accepted)


def test_schema_and_loader_agree_on_flow_end_spelling():
    data = copy.deepcopy(BASE)
    flow = data["flows"][0]
    flow["source"], flow["target"] = flow.pop("from"), flow.pop("to")
    assert _both(data) == (False, False)
    assert _both(copy.deepcopy(BASE)) == (True, True)


def test_schema_file_is_what_editors_load():
    """The relative $schema path in a model resolves to the committed model schema."""
    target = (ROOT / "models" / SCHEMA_LINE.split("=", 1)[1]).resolve()
    assert target == schema_path("model").resolve()
    assert os.path.isfile(target)
