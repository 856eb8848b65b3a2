"""The published JSON Schema of the analysis JSON: valid draft 2020-12, in sync with the code,
and every export validates against it."""

from __future__ import annotations

import json

import jsonschema
import pytest

from tests.conftest import ROOT
from tests.export.conftest import UPDATE_GOLDEN
from tmodel.export.json_export import ANALYSIS_SCHEMA_ID, analysis_json, schema_text

SCHEMA_FILE = ROOT / "schemas" / "analysis-v2.schema.json"


def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_committed_schema_matches_the_code():
    if UPDATE_GOLDEN:
        SCHEMA_FILE.write_text(schema_text(), encoding="utf-8")
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), \
        "schemas/analysis-v2.schema.json is out of date: run TMODEL_UPDATE_GOLDEN=1 pytest tests/export and review it"


def test_schema_is_draft_2020_12_with_an_id():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == ANALYSIS_SCHEMA_ID
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("which", ["demo", "hostile"])
def test_exports_validate(which, request):
    a, _ = request.getfixturevalue(which)
    doc = json.loads(analysis_json(a))
    errors = sorted(validator().iter_errors(doc), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_schema_rejects_what_the_format_does_not_allow(demo):
    a, _ = demo
    doc = json.loads(analysis_json(a))
    doc["threats"][0]["level"] = "severe"
    doc["summary"]["extra"] = 1
    messages = {e.message for e in validator().iter_errors(doc)}
    assert any("'severe' is not one of" in m for m in messages)
    assert any("'extra' was unexpected" in m for m in messages)
