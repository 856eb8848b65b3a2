"""SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure DevOps). Deterministic: same input, same bytes.

One run. Each threat is a result of its catalog rule, located at the ``id:`` line of its target in
the model file (the ``metadata:`` line for model-wide threats), with the stable threat id as the
fingerprint, so a dashboard tracks it across commits. Unresolved threats (open, expired
acceptance) are live results; decided ones (accepted, mitigated, transferred, false positive) are
results with an external suppression that carries the decision's reason.
Stale decisions and unanswered required audit questions, which also fail ``tmodel check``, are
reported under two rules of tmodel itself. Invalid models appear as tool notifications.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path, PurePath
from typing import Any

from tmodel import __version__
from tmodel.analysis import risk
from tmodel.analysis.result import ACCEPTED, FALSE_POSITIVE, MITIGATED, NEEDS_ANSWER, TRANSFERRED, Analysis, Threat
from tmodel.model.enums import Stride

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
RESULT_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}  # GitHub's bands
SUPPRESSED = (ACCEPTED, MITIGATED, TRANSFERRED, FALSE_POSITIVE)
STRIDE_NAMES = {s.value: s.description.split(":")[0].lower() for s in Stride}

STALE_RULE = "TMODEL-STALE-DECISION"
UNANSWERED_RULE = "TMODEL-UNANSWERED-QUESTION"
_OWN_RULES: dict[str, dict[str, Any]] = {
    STALE_RULE: {
        "id": STALE_RULE, "name": "StaleRiskDecision",
        "shortDescription": {"text": "Risk decision for a threat that no longer exists"},
        "fullDescription": {"text": "A decision names a threat id (RULE@target) that the analysis no longer raises: the "
                                    "threat was fixed, or its target or rule was renamed or removed."},
        "help": {"text": "Delete the decision if the threat was fixed; if the target was renamed, change the decision's "
                         "threat to the new RULE@target id shown by 'tmodel analyze'."},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["threat-model", "risk-decision"]},
    },
    UNANSWERED_RULE: {
        "id": UNANSWERED_RULE, "name": "UnansweredAuditQuestion",
        "shortDescription": {"text": "Audit question without an answer"},
        "fullDescription": {"text": "A catalog control requires an answer to its audit question at the model's GOST R "
                                    "57580.1 protection level, and the model has none."},
        "help": {"text": "Add an entry under 'answers:' with the question id, the status and the evidence."},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["threat-model", "audit", "compliance"]},
    },
}


def _uri(path: str) -> dict[str, str]:
    p = PurePath(path)
    if p.is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": urllib.parse.quote(p.as_posix(), safe="/"), "uriBaseId": "%SRCROOT%"}


def _location(path: str, line: int, col: int = 0) -> dict[str, Any]:
    phys: dict[str, Any] = {"artifactLocation": _uri(path)}
    if line > 0:
        phys["region"] = {"startLine": line, **({"startColumn": col} if col > 0 else {})}
    return {"physicalLocation": phys}


def _target_position(lm: Any, t: Threat) -> tuple[int, int]:
    if lm.located is None or lm.model is None:
        return (0, 0)
    if t.target_kind in ("element", "flow", "flows"):
        section = "elements" if t.target_kind == "element" else "flows"
        first = t.members[0].target if t.target_kind == "flows" and t.members else t.target
        for i, item in enumerate(getattr(lm.model, section)):
            if item.id == first:
                return lm.located.where((section, i, "id"))
    return lm.located.where(("metadata",), key=True)


def _name(title: str, fallback: str) -> str:
    words = re.findall(r"[^\W_]+", title)
    return "".join(w[:1].upper() + w[1:] for w in words) or fallback


def _rule_descriptor(compiled: Any, requirements: Any) -> dict[str, Any]:
    r = compiled.rule
    base = risk.level(r.likelihood, r.impact).value
    tags = ["security", "threat-model"] + [f"stride-{STRIDE_NAMES[s.value]}" for s in r.stride]
    tags += [f"external/cwe/cwe-{n}" for n in r.references.cwe]
    d: dict[str, Any] = {
        "id": r.id,
        "name": _name(r.title, r.id),
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": " ".join(r.description.split()) or r.title},
        "help": {"text": r.mitigation.strip() or r.title},
        "defaultConfiguration": {"level": RESULT_LEVEL[base]},
        "properties": {"tags": tags, "security-severity": SECURITY_SEVERITY[base], "catalog": compiled.catalog,
                       "stride": [s.value for s in r.stride], "cwe": list(r.references.cwe),
                       "requirements": sorted(requirements)},
    }
    if r.references.links:
        d["helpUri"] = r.references.links[0]
    return d


def _threat_result(lm: Any, a: Analysis, t: Threat, rule_index: int) -> dict[str, Any]:
    line, col = _target_position(lm, t)
    where = (f"{t.target_kind} '{t.target}' ({t.target_title})" if t.target_kind != "flows"
             else f"{t.target_title} ({', '.join(m.target for m in t.members)})")
    text = (f"{t.title}: {where} in model '{a.model_id}'. "
            f"Residual risk {t.residual_level} (inherent {t.level}, score {t.score}), status {t.status}.")
    if t.why:
        text += " Why: " + "; ".join(t.why) + "."
    res: dict[str, Any] = {
        "ruleId": t.rule,
        "ruleIndex": rule_index,
        "level": RESULT_LEVEL[t.residual_level],
        "message": {"text": text},
        "locations": [_location(lm.path, line, col)],
        "partialFingerprints": {"tmodelThreatId/v1": f"{a.model_id}/{t.id}"},
        "properties": {
            "threatId": t.id, "modelId": a.model_id, "target": t.target, "targetKind": t.target_kind,
            "level": t.level, "residualLevel": t.residual_level, "score": t.score, "residualScore": t.residual_score,
            "status": t.status, "stride": list(t.stride), "requirements": list(t.requirements),
            "frameworks": list(t.frameworks),
        },
    }
    if t.status in SUPPRESSED:
        d = t.decision
        reason = " ".join(d.reason.split()) if d and d.reason else ""
        justification = f"{t.status}" + (f" by {d.owner}" if d and d.owner else "") + (f": {reason}" if reason else "")
        if d and d.expires:
            justification += f" (expires {d.expires.isoformat()})"
        res["suppressions"] = [{"kind": "external", "status": "accepted", "justification": justification}]
    return res


def sarif_dict(pairs: list[tuple[Any, Analysis]], catalog: Any, *, problems: list[Any] | None = None) -> dict[str, Any]:
    used = sorted({t.rule for _, a in pairs for t in a.threats if t.rule in catalog.rules})
    rules = [_rule_descriptor(catalog.rules[rid], catalog.traces.get(rid, ())) for rid in used]
    own_needed = []
    for _, a in pairs:
        if any(i.kind == "stale" for i in a.decision_issues):
            own_needed.append(STALE_RULE)
        if any(c.answer_required and c.status == NEEDS_ANSWER for c in a.controls):
            own_needed.append(UNANSWERED_RULE)
    rules += [_OWN_RULES[r] for r in sorted(set(own_needed))]
    index = {r["id"]: i for i, r in enumerate(rules)}

    results: list[dict[str, Any]] = []
    for lm, a in pairs:
        for t in a.threats:
            if t.rule in index:
                results.append(_threat_result(lm, a, t, index[t.rule]))
        for issue in a.decision_issues:
            if issue.kind != "stale":
                continue
            results.append({
                "ruleId": STALE_RULE, "ruleIndex": index[STALE_RULE], "level": "error",
                "message": {"text": f"{issue.message} (model '{a.model_id}')."},
                "locations": [_location(lm.path, issue.line)],
                "partialFingerprints": {"tmodelThreatId/v1": f"{a.model_id}/stale/{issue.threat}"},
                "properties": {"threatId": issue.threat, "modelId": a.model_id},
            })
        meta = lm.located.where(("metadata",), key=True) if lm.located is not None else (0, 0)
        for c in a.controls:
            if not (c.answer_required and c.status == NEEDS_ANSWER):
                continue
            question = " ".join((c.question or c.title).split())
            results.append({
                "ruleId": UNANSWERED_RULE, "ruleIndex": index[UNANSWERED_RULE], "level": "error",
                "message": {"text": f"Audit question {c.id} ({c.title}) is unanswered in model '{a.model_id}': {question}"},
                "locations": [_location(lm.path, *meta)],
                "partialFingerprints": {"tmodelThreatId/v1": f"{a.model_id}/question/{c.id}"},
                "properties": {"control": c.id, "modelId": a.model_id},
            })

    errors = [p for p in problems or [] if p.is_error]
    invocation: dict[str, Any] = {"executionSuccessful": not errors}
    if problems:
        invocation["toolExecutionNotifications"] = [
            {"level": "error" if p.is_error else "warning",
             "message": {"text": p.message + (f" (hint: {p.hint})" if p.hint else "")},
             "locations": [_location(p.file, p.line, p.col)]}
            for p in problems
        ]
    run = {
        "tool": {"driver": {"name": "tmodel", "version": __version__, "semanticVersion": __version__,
                            "rules": rules}},
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def sarif_json(pairs: list[tuple[Any, Analysis]], catalog: Any, *, problems: list[Any] | None = None) -> str:
    return json.dumps(sarif_dict(pairs, catalog, problems=problems), indent=2, ensure_ascii=False) + "\n"
