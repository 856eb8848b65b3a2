"""JSON Schemas (draft 2020-12) of the model and catalog formats, generated from the pydantic types.

The committed copies under ``schemas/`` are written by ``tmodel schema --write``; a test fails
when they drift from the code. A model's first line
``# yaml-language-server: $schema=../schemas/model-v1.schema.json`` gives editors completion,
hover text (field and enum descriptions) and checks.

The schema states the file format the loader reads: the ``from``/``to`` spelling of flow ends,
``format_version: 1`` as a constant, and the same enums, patterns and limits. Checks that need
the whole model (references, consistency) are ``tmodel validate``'s, not the schema's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from tmodel import FORMAT_VERSION
from tmodel.catalog.matcher import OPS
from tmodel.catalog.types import CatalogFile
from tmodel.model.checks import CIBA_HINTS
from tmodel.model.types import Model

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE = "https://tmodel.dev/schemas"
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"

CONDITION = {
    "description": "A rule condition: {all: [...]}, {any: [...]}, {not: ...} or {fact: PATH, OP: VALUE}",
    "oneOf": [
        {"type": "object", "properties": {"all": {"type": "array", "items": {"$ref": "#/$defs/Condition"}, "minItems": 1}}, "required": ["all"], "additionalProperties": False},
        {"type": "object", "properties": {"any": {"type": "array", "items": {"$ref": "#/$defs/Condition"}, "minItems": 1}}, "required": ["any"], "additionalProperties": False},
        {"type": "object", "properties": {"not": {"$ref": "#/$defs/Condition"}}, "required": ["not"], "additionalProperties": False},
        {
            "type": "object",
            "properties": {"fact": {"type": "string", "description": "A fact path, e.g. tls.min_version or source.zone ('tmodel facts' lists them)"}},
            "required": ["fact"],
            "propertyNames": {"enum": ["fact", *OPS]},
            "minProperties": 2,
            "maxProperties": 2,
        },
    ],
}


_CONDITION_REF = "#/$defs/Condition"
_PLACEHOLDER = "x-tmodel-condition-ref"


class _CatalogSchemaGenerator(GenerateJsonSchema):
    """Lets catalog condition fields point at ``#/$defs/Condition``, the hand-written grammar.

    pydantic resolves every ``$ref`` among the definitions it generated itself and fails on this
    one, so the reference is parked under a placeholder key while pydantic works and restored
    afterwards (``_restore_refs``).
    """

    def generate_inner(self, schema: Any) -> Any:
        out = super().generate_inner(schema)
        if isinstance(out, dict) and out.get("$ref") == _CONDITION_REF:
            out = {(_PLACEHOLDER if k == "$ref" else k): v for k, v in out.items()}
        return out


def _restore_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {("$ref" if k == _PLACEHOLDER else k): _restore_refs(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_restore_refs(v) for v in node]
    return node


def _head(name: str, title: str, description: str) -> dict[str, Any]:
    return {"$schema": DRAFT, "$id": f"{BASE}/{name}-v{FORMAT_VERSION}.schema.json", "title": title, "description": description}


def model_schema() -> dict[str, Any]:
    s = Model.model_json_schema(by_alias=True, mode="validation")
    s.pop("title", None)
    s.pop("description", None)
    fv = s["properties"]["format_version"]
    fv.pop("type", None)
    fv.pop("title", None)
    fv["const"] = FORMAT_VERSION
    hint = s["$defs"]["Ciba"]["properties"]["hint"]
    hint["enum"] = list(CIBA_HINTS)
    hint.pop("type", None)
    return {
        **_head("model", f"tmodel integration model, format version {FORMAT_VERSION}",
                "One integration behind the WSO2 gateway: data assets, trust boundaries, elements, flows, "
                "control statuses, risk decisions and audit answers. See docs/model-format.md."),
        **s,
    }


def catalog_schema() -> dict[str, Any]:
    s = _restore_refs(CatalogFile.model_json_schema(by_alias=True, mode="validation", schema_generator=_CatalogSchemaGenerator))
    s.pop("title", None)
    s.pop("description", None)
    s.setdefault("$defs", {})["Condition"] = CONDITION
    s["$defs"] = dict(sorted(s["$defs"].items()))
    return {
        **_head("catalog", f"tmodel catalog, format version {FORMAT_VERSION}",
                "Requirements, controls and threat rules, linked by id. See docs/catalog-format.md."),
        **s,
    }


def analysis_schema() -> dict[str, Any]:
    from tmodel.export.json_export import analysis_schema as make  # the analysis JSON's schema lives with its writer

    return make()


SCHEMAS = {"model": model_schema, "catalog": catalog_schema, "analysis": analysis_schema}


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def schema_path(name: str) -> Path:
    """The committed copy of a schema: named for its format's version (the analysis JSON has its own)."""
    if name == "analysis":
        from tmodel.export.json_export import ANALYSIS_FORMAT

        return SCHEMA_DIR / f"analysis-v{ANALYSIS_FORMAT}.schema.json"
    return SCHEMA_DIR / f"{name}-v{FORMAT_VERSION}.schema.json"
