"""JSON Schemas (draft 2020-12) of the model and catalog formats, generated from the pydantic types."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tmodel.catalog.types import CatalogFile
from tmodel.model.types import Model

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE = "https://tmodel.dev/schemas"
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"

CONDITION = {
    "description": "A rule condition",
    "oneOf": [
        {"type": "object", "properties": {"all": {"type": "array", "items": {"$ref": "#/$defs/Condition"}, "minItems": 1}}, "required": ["all"], "additionalProperties": False},
        {"type": "object", "properties": {"any": {"type": "array", "items": {"$ref": "#/$defs/Condition"}, "minItems": 1}}, "required": ["any"], "additionalProperties": False},
        {"type": "object", "properties": {"not": {"$ref": "#/$defs/Condition"}}, "required": ["not"], "additionalProperties": False},
        {"type": "object", "properties": {"fact": {"type": "string"}}, "required": ["fact"], "minProperties": 2, "maxProperties": 2},
    ],
}


def model_schema() -> dict[str, Any]:
    s = Model.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": DRAFT, "$id": f"{BASE}/model-v1.schema.json", "title": "tmodel integration model, format version 1", **s}


def catalog_schema() -> dict[str, Any]:
    s = CatalogFile.model_json_schema(by_alias=True, mode="validation")
    s.setdefault("$defs", {})["Condition"] = CONDITION
    return {"$schema": DRAFT, "$id": f"{BASE}/catalog-v1.schema.json", "title": "tmodel catalog, format version 1", **s}


SCHEMAS = {"model": model_schema, "catalog": catalog_schema}


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def schema_path(name: str) -> Path:
    return SCHEMA_DIR / f"{name}-v1.schema.json"
