"""The full analysis as JSON, with a versioned schema id. Deterministic: same model, same bytes."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Iterator, TextIO

from tmodel import __version__
from tmodel.analysis.result import Analysis, Threat
from tmodel.catalog.bdu import threat_bdu

ANALYSIS_FORMAT = 2
ANALYSIS_SCHEMA_ID = "https://tmodel.dev/schemas/analysis-v2.schema.json"
# a rule's texts, once per rule in the "rules" section instead of in every threat (they were two thirds of
# a large analysis' JSON); title and stride stay on the threat too, so that each line reads on its own
RULE_FIELDS = ("title", "title_ru", "stride", "description", "detection", "false_positives", "mitigation", "cwe",
               "capec")
_THREAT_ONLY = ("title_ru", "description", "detection", "false_positives", "mitigation", "cwe", "capec")


@dataclass
class RuleText:
    """What the analysis says of one rule (the "rules" section), as its threats carried it in format 1."""
    id: str
    catalog: str
    title: str
    title_ru: str
    stride: list[str]
    description: str
    detection: str
    false_positives: str
    mitigation: str
    cwe: list[int]
    capec: list[int]
    bdu: list[str]  # FSTEC threat database ids (УБИ.NNN) the rule is an instance of


def rule_texts(a: Analysis) -> list[RuleText]:
    """One entry per rule with a threat in the analysis, in rule id order."""
    first: dict[str, Threat] = {}
    for t in a.threats:
        first.setdefault(t.rule, t)
    return [RuleText(id=rid, catalog=t.catalog, bdu=threat_bdu(t), **{f: getattr(t, f) for f in RULE_FIELDS})
            for rid, t in sorted(first.items())]


_FIELDS: dict[type, tuple[str, ...]] = {Threat: tuple(f.name for f in fields(Threat) if f.name not in _THREAT_ONLY)}


def _plain(o: Any) -> Any:
    """The JSON encoder's hook for what it cannot write itself: dataclasses as objects of their fields (a
    threat without its rule's texts), dates in ISO form."""
    names = _FIELDS.get(type(o))
    if names is None:
        if isinstance(o, (dt.date, dt.datetime)):
            return o.isoformat()
        if not is_dataclass(o) or isinstance(o, type):
            raise TypeError(f"{type(o).__name__} is not JSON serializable")
        names = _FIELDS[type(o)] = tuple(f.name for f in fields(o))
    return {n: getattr(o, n) for n in names}


def _document(a: Analysis) -> dict[str, Any]:
    """The analysis document, its parts still objects: the encoder turns each into JSON as it writes it."""
    body = {f.name: getattr(a, f.name) for f in fields(a)}
    threats = body.pop("threats")
    head = {k: body.pop(k) for k in ("model_id", "title", "owner", "path", "as_of")}
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
        **head,
        "rules": rule_texts(a),
        "threats": threats,
        **body,
    }


def iter_analysis_json(a: Analysis) -> Iterator[str]:
    """The analysis JSON in pieces: the top-level keys one per line, and each item of a top-level list (a rule, a
    threat, a control, a framework, an unknown) on a line of its own, so that a change shows as changed lines in
    a diff and a tool can read it item by item. Each piece comes from the C encoder; nothing is built whole."""
    enc = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), default=_plain).encode
    doc = _document(a)
    last = len(doc) - 1
    yield "{\n"
    for i, (key, value) in enumerate(doc.items()):
        comma = "," if i < last else ""
        if isinstance(value, list) and value:
            yield f"  {enc(key)}: [\n"
            n = len(value) - 1
            for j, item in enumerate(value):
                yield f"    {enc(item)}{',' if j < n else ''}\n"
            yield f"  ]{comma}\n"
        else:
            yield f"  {enc(key)}: {enc(value)}{comma}\n"
    yield "}\n"


def write_analysis_json(a: Analysis, out: TextIO) -> None:
    for piece in iter_analysis_json(a):
        out.write(piece)


def analysis_json(a: Analysis) -> str:
    """The full analysis as one JSON text (deterministic: same model, same bytes)."""
    return "".join(iter_analysis_json(a))


def analysis_schema() -> dict:
    """JSON Schema (draft 2020-12) of ``analysis_json``: generated from the Analysis dataclasses,
    then tightened (every key always present, no extra keys, the closed vocabularies as enums).
    The committed copy is ``schemas/analysis-v2.schema.json``; a test keeps the two equal."""
    from pydantic import TypeAdapter

    from tmodel.analysis.result import COMPLIANCE_STATUSES, THREAT_STATUSES
    from tmodel.catalog.types import Confidence
    from tmodel.model.enums import DecisionStatus, Level, Stride

    body = TypeAdapter(Analysis).json_schema(mode="serialization")
    defs = body.pop("$defs")
    defs["Analysis"] = body
    defs["RuleText"] = TypeAdapter(RuleText).json_schema(mode="serialization")

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
    for name in _THREAT_ONLY:  # in the rules section
        del t[name]
    t["level"] = t["residual_level"] = {**levels, "type": "string"}
    t["status"] = {"type": "string", "enum": list(THREAT_STATUSES)}
    t["target_kind"] = {"type": "string", "enum": ["element", "flow", "flows", "model"]}
    t["stride"] = {"type": "array", "items": {"type": "string", "enum": Stride.values()}}
    t["likelihood"] = t["impact"] = t["residual_likelihood"] = one_to_five
    t["score"] = t["residual_score"] = {"type": "integer", "minimum": 1, "maximum": 25}
    t["id"]["pattern"] = "^[^@]+@[^@]+$"
    t["rule"]["description"] = "The rule that found it: its texts are in the analysis' rules section"
    defs["Threat"]["required"] = list(t)
    rt = defs["RuleText"]["properties"]
    rt["stride"] = t["stride"]
    rt["bdu"] = {"type": "array", "items": {"type": "string", "pattern": "^УБИ\\.\\d{3}$"},
                 "description": "Threats of the FSTEC threat database (БДУ ФСТЭК России) the rule is an instance of"}
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
    top = defs.pop("Analysis")["properties"]
    head = {k: top.pop(k) for k in ("model_id", "title", "owner", "path", "as_of")}
    rules = {"type": "array", "items": {"$ref": "#/$defs/RuleText"},
             "description": "Each rule with a threat in this analysis, once, with its texts (by rule id)"}
    props = {**envelope, **head, "rules": rules, "threats": top.pop("threats"), **top}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": ANALYSIS_SCHEMA_ID,
        "title": f"tmodel analysis, format version {ANALYSIS_FORMAT}",
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
