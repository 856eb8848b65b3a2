"""The full analysis as JSON, with a versioned schema id. Deterministic: same model, same bytes."""

from __future__ import annotations

import json

from tmodel import __version__
from tmodel.analysis.result import Analysis
from tmodel.catalog.bdu import threat_bdu

ANALYSIS_FORMAT = 1
ANALYSIS_SCHEMA_ID = "https://tmodel.dev/schemas/analysis-v1.schema.json"


def analysis_dict(a: Analysis) -> dict:
    body = a.to_dict()
    for t, d in zip(a.threats, body["threats"]):
        d.setdefault("bdu", threat_bdu(t))  # FSTEC threat database ids of the threat's rule
    return {
        "$schema": ANALYSIS_SCHEMA_ID,
        "format_version": ANALYSIS_FORMAT,
        "tool": {"name": "tmodel", "version": __version__},
        "summary": {
            "threats": len(a.threats),
            "by_level": a.counts_by_level(),
            "by_residual_level_unresolved": a.counts_by_level(residual=True, unresolved_only=True),
            "by_status": a.counts_by_status(),
            "coverage": a.coverage(),
        },
        **body,
    }


def analysis_json(a: Analysis) -> str:
    return json.dumps(analysis_dict(a), indent=2, ensure_ascii=False) + "\n"


def analysis_schema() -> dict:
    """JSON Schema (draft 2020-12) of ``analysis_json``: generated from the Analysis dataclasses,
    then tightened (every key always present, no extra keys, the closed vocabularies as enums).
    The committed copy is ``schemas/analysis-v1.schema.json``; a test keeps the two equal."""
    from pydantic import TypeAdapter

    from tmodel.analysis.result import COMPLIANCE_STATUSES, THREAT_STATUSES
    from tmodel.catalog.types import Confidence
    from tmodel.model.enums import DecisionStatus, Level, Stride

    body = TypeAdapter(Analysis).json_schema(mode="serialization")
    defs = body.pop("$defs")
    defs["Analysis"] = body

    def strip_titles(schema: dict) -> None:  # pydantic's generated "title"s repeat the property names
        schema.pop("title", None)
        for sub in schema.get("anyOf", []):
            strip_titles(sub)
        if isinstance(schema.get("items"), dict):
            strip_titles(schema["items"])

    for d in defs.values():
        d.pop("title", None)
        props = d["properties"]
        for p in props.values():
            strip_titles(p)
            p.pop("default", None)
        d["required"] = list(props)
        d["additionalProperties"] = False

    levels = {"enum": Level.values()}
    one_to_five = {"type": "integer", "minimum": 1, "maximum": 5}
    compliance = {"enum": list(COMPLIANCE_STATUSES)}
    t = defs["Threat"]["properties"]
    t["level"] = t["residual_level"] = {**levels, "type": "string"}
    t["status"] = {"type": "string", "enum": list(THREAT_STATUSES)}
    t["target_kind"] = {"type": "string", "enum": ["element", "flow", "flows", "model"]}
    t["stride"] = {"type": "array", "items": {"type": "string", "enum": Stride.values()}}
    t["likelihood"] = t["impact"] = t["residual_likelihood"] = one_to_five
    t["score"] = t["residual_score"] = {"type": "integer", "minimum": 1, "maximum": 25}
    t["id"]["pattern"] = "^[^@]+@[^@]+$"
    t["bdu"] = {"type": "array", "items": {"type": "string", "pattern": "^УБИ\\.\\d{3}$"},
                "description": "Threats of the FSTEC threat database (БДУ ФСТЭК России) the rule is an instance of"}
    defs["Threat"]["required"] = list(t)
    defs["ControlRef"]["properties"]["status"] = {"type": "string", **compliance}
    c = defs["ControlResult"]["properties"]
    c["status"] = {"type": "string", **compliance}
    c["kind"] = {"type": "string", "enum": ["automatic", "manual", "declared"]}
    r = defs["RequirementResult"]["properties"]
    r["status"] = {"type": "string", **compliance}
    r["confidence"] = {"type": "string", "enum": Confidence.values()}
    defs["DecisionView"]["properties"]["status"] = {"type": "string", "enum": DecisionStatus.values()}
    defs["DecisionIssue"]["properties"]["kind"] = {"type": "string", "enum": ["stale", "expired", "expiring"]}
    f = defs["FrameworkResult"]["properties"]
    f["counts"] = _counts(list(COMPLIANCE_STATUSES))
    f["coverage"] = {"type": "number", "minimum": 0, "maximum": 100, "description": "percent, one decimal"}

    envelope = {
        "$schema": {"const": ANALYSIS_SCHEMA_ID},
        "format_version": {"const": ANALYSIS_FORMAT},
        "tool": {"type": "object", "properties": {"name": {"const": "tmodel"}, "version": {"type": "string"}},
                 "required": ["name", "version"], "additionalProperties": False},
        "summary": {
            "type": "object",
            "properties": {
                "threats": {"type": "integer", "minimum": 0},
                "by_level": _counts(Level.values()),
                "by_residual_level_unresolved": _counts(Level.values()),
                "by_status": _counts(list(THREAT_STATUSES)),
                "coverage": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0, "maximum": 100}},
            },
            "required": ["threats", "by_level", "by_residual_level_unresolved", "by_status", "coverage"],
            "additionalProperties": False,
        },
    }
    top = defs.pop("Analysis")
    props = {**envelope, **top["properties"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": ANALYSIS_SCHEMA_ID,
        "title": "tmodel analysis, format version 1",
        "description": "The output of 'tmodel analyze --format json' and of the JSON export: threats with risk scores "
                       "and decisions, control statuses, compliance per framework, decision issues.",
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
        "$defs": {k: defs[k] for k in sorted(defs)},
    }


def _counts(keys: list[str]) -> dict:
    return {"type": "object", "properties": {k: {"type": "integer", "minimum": 0} for k in keys},
            "required": list(keys), "additionalProperties": False}


def schema_text() -> str:
    return json.dumps(analysis_schema(), indent=2, ensure_ascii=False) + "\n"
