"""Analysis: match compiled rules against a model's facts, score, apply decisions, derive control
and compliance statuses. A pure function of (model, catalog, date): it never mutates the model."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from tmodel.analysis import risk
from tmodel.analysis.result import (
    EXPIRED,
    GAP,
    MET,
    NEEDS_ANSWER,
    NOT_APPLICABLE,
    OPEN,
    PARTIAL,
    Analysis,
    ControlRef,
    ControlResult,
    DecisionIssue,
    DecisionView,
    FrameworkResult,
    RequirementResult,
    Threat,
)
from tmodel.catalog.load import Catalog, CompiledRule
from tmodel.catalog.types import AppliesTo, Control
from tmodel.graph import Facts, compute_facts
from tmodel.model.enums import LEVEL_ORDER, AnswerStatus, ControlStatus, DecisionStatus, Level
from tmodel.model.types import Model
from tmodel.model.yamlsafe import Located

EXPIRING_DAYS = 30
_ANSWER = {AnswerStatus.YES: MET, AnswerStatus.PARTIAL: PARTIAL, AnswerStatus.NO: GAP, AnswerStatus.NOT_APPLICABLE: NOT_APPLICABLE}
_DECLARED = {
    ControlStatus.IMPLEMENTED: MET,
    ControlStatus.PARTIAL: PARTIAL,
    ControlStatus.PLANNED: GAP,
    ControlStatus.NOT_IMPLEMENTED: GAP,
    ControlStatus.NOT_APPLICABLE: NOT_APPLICABLE,
}


def applicable_catalogs(model: Model, catalog: Catalog) -> set[str]:
    wanted = model.metadata.catalogs
    ids = set(catalog.infos)
    if wanted is None:
        return ids
    return {c for c in ids if c in wanted or c not in catalog.shipped}


def _targets(rule: CompiledRule, facts: Facts) -> list[tuple[str, str, dict[str, Any]]]:
    """(target id, target kind, ctx) for each target the rule applies to."""
    r = rule.rule
    to = r.applies.to
    if to == AppliesTo.MODEL:
        return [("model", "model", {"model": facts.model})]
    if to == AppliesTo.FLOW:
        return [(fid, "flow", {"flow": f, "model": facts.model}) for fid, f in facts.flows.items()]
    kinds = {k.value for k in r.applies.kinds}
    techs = {t.value for t in r.applies.technologies}
    return [
        (eid, "element", {"element": e, "model": facts.model})
        for eid, e in facts.elements.items()
        if (not kinds or e["kind"] in kinds) and (not techs or e["technology"] in techs)
    ]


def analyze(model: Model, catalog: Catalog, *, path: str = "", located: Located | None = None,
            as_of: dt.date | None = None, facts: Facts | None = None, config_reader: Any = None) -> Analysis:
    """The threats, controls and compliance of ``model``.

    Linked configuration files (``configs:``) are audited relative to ``path`` (or read with
    ``config_reader``) and override the facts they decide; their problems were reported when the
    model was loaded (``with_catalog_references``), so an unreadable one is skipped here.
    """
    as_of = as_of or dt.date.today()
    if facts is None:
        facts = compute_facts(model)
        if model.configs:
            from tmodel.analysis.config_facts import apply, audit_linked

            apply(facts, model, audit_linked(model, path, config_reader)[0])
    active = applicable_catalogs(model, catalog)
    rules = [r for r in catalog.rules.values() if r.catalog in active]
    decisions = {d.threat: d for d in model.decisions}
    titles = {e.id: e.title for e in model.elements} | {f.id: f.title for f in model.flows} | {"model": model.metadata.title}

    # 1. match
    fired: list[tuple[CompiledRule, str, str, dict[str, Any]]] = []
    in_scope: dict[str, set[str]] = defaultdict(set)
    fired_on: dict[str, set[str]] = defaultdict(set)
    for rule in sorted(rules, key=lambda r: r.rule.id):
        for tid, kind, ctx in _targets(rule, facts):
            if rule.scope is not None and not rule.scope(ctx):
                continue
            in_scope[rule.rule.id].add(tid)
            if rule.when(ctx):
                fired.append((rule, tid, kind, ctx))
                threat_id = f"{rule.rule.id}@{tid}"
                d = decisions.get(threat_id)
                if not (d and d.status == DecisionStatus.FALSE_POSITIVE):
                    fired_on[rule.rule.id].add(tid)

    # 2. controls
    declared: dict[str, list] = defaultdict(list)
    for cs in model.controls:
        declared[cs.control].append(cs)
    answers = {a.question: a for a in model.answers}
    mitigates: dict[str, list[str]] = defaultdict(list)
    for rule, tid, _, _ in fired:
        for c in rule.rule.controls:
            mitigates[c].append(f"{rule.rule.id}@{tid}")
    wanted_controls = [c for cid, c in catalog.controls.items() if catalog.catalog_of[cid] in active or cid in mitigates]
    control_results = {c.id: _control_status(c, catalog, model, facts, declared, answers, in_scope, fired_on, mitigates, active)
                       for c in wanted_controls}

    # 3. threats
    threats: list[Threat] = []
    for rule, tid, kind, ctx in fired:
        r = rule.rule
        threat_id = f"{r.id}@{tid}"
        target_facts = ctx.get(kind, {}) if kind != "model" else {}
        exposed = bool(target_facts.get("exposed_to_internet") or target_facts.get("from_internet"))
        sensitive = bool(target_facts.get("handles_sensitive") or target_facts.get("carries_sensitive"))
        lk, im, notes = risk.score(r.likelihood, r.impact, exposed=exposed, sensitive=sensitive)
        refs = []
        for cid in r.controls:
            cr = control_results.get(cid)
            st = _scoped_status(cid, tid, cr, declared) if cr else NEEDS_ANSWER
            refs.append(ControlRef(cid, catalog.controls[cid].title if cid in catalog.controls else cid, st))
        d = decisions.get(threat_id)
        status = OPEN
        view = None
        if d is not None:
            view = DecisionView(d.status.value, d.owner, d.reason, d.control, d.expires, d.decided_by, d.decided_on)
            status = d.status.value
            if d.status == DecisionStatus.ACCEPTED and d.expires is not None and d.expires < as_of:
                status = EXPIRED
        met = any(c.status == MET for c in refs) or status == "mitigated"
        partial = any(c.status == PARTIAL for c in refs)
        rl = risk.residual_likelihood(lk, met=met, partial=partial)
        reqs = set(r.references.requirements)
        for cid in r.controls:
            if cid in catalog.controls:
                reqs.update(catalog.controls[cid].satisfies)
        reqs_sorted = sorted(q for q in reqs if q in catalog.requirements)
        own = catalog.infos[rule.catalog].framework or rule.catalog  # e.g. 'stride', which has no requirements
        frameworks = sorted({catalog.framework_of(q) for q in reqs_sorted} | {own})
        threats.append(Threat(
            id=threat_id, rule=r.id, catalog=rule.catalog, target=tid, target_kind=kind,
            target_title=titles.get(tid, tid), title=r.title, stride=[s.value for s in r.stride],
            likelihood=lk, impact=im, score=lk * im, level=risk.level(lk, im).value,
            adjustments=notes, why=rule.explain(ctx), controls=refs,
            residual_likelihood=rl, residual_score=rl * im, residual_level=risk.level(rl, im).value,
            status=status, decision=view, requirements=reqs_sorted, frameworks=frameworks,
            description=r.description.strip(), detection=r.detection.strip(), false_positives=r.false_positives.strip(),
            mitigation=r.mitigation.strip(), cwe=list(r.references.cwe), capec=list(r.references.capec),
        ))
    threats.sort(key=lambda t: (-LEVEL_ORDER[Level(t.level)], -t.score, t.id))

    # 4. decisions that no longer match, or expire
    issues: list[DecisionIssue] = []
    live = {t.id for t in threats}
    for i, d in enumerate(model.decisions):
        line = located.where(("decisions", i, "threat"))[0] if located else 0
        if d.threat not in live:
            rule_id = d.threat.split("@", 1)[0]
            why = ("its rule is not in the loaded catalogs" if rule_id not in catalog.rules
                   else "the rule no longer fires there (fixed, renamed or removed)")
            issues.append(DecisionIssue(d.threat, "stale", f"decision for {d.threat} is stale: {why}", line, d.expires))
        elif d.status == DecisionStatus.ACCEPTED and d.expires is not None:
            if d.expires < as_of:
                issues.append(DecisionIssue(d.threat, "expired", f"acceptance of {d.threat} expired on {d.expires.isoformat()}", line, d.expires))
            elif (d.expires - as_of).days <= EXPIRING_DAYS:
                issues.append(DecisionIssue(d.threat, "expiring", f"acceptance of {d.threat} expires on {d.expires.isoformat()}", line, d.expires))

    # 5. compliance per framework
    frameworks, not_applicable = _split_applicable(_compliance(catalog, control_results, active))
    controls_sorted = [control_results[c] for c in sorted(control_results)]
    return Analysis(model.metadata.id, model.metadata.title, model.metadata.owner, path, as_of, threats,
                    controls_sorted, frameworks, issues, list(catalog.overrides), not_applicable)


def _scoped_status(cid: str, target: str, cr: ControlResult, declared: dict[str, list]) -> str:
    """A control's status for one target: automatic violations and scoped declarations narrow it."""
    if cr.kind == "automatic":
        return GAP if target in cr.violations else (cr.status if cr.status != PARTIAL else MET)
    scoped = [cs for cs in declared.get(cid, []) if cs.scope]
    for cs in scoped:
        if target in cs.scope:
            return _DECLARED[cs.status]
    if scoped and not any(not cs.scope for cs in declared.get(cid, [])):
        return GAP
    return cr.status


def _control_status(c: Control, catalog: Catalog, model: Model, facts: Facts, declared: dict[str, list], answers: dict,
                    in_scope: dict[str, set[str]], fired_on: dict[str, set[str]], mitigates: dict[str, list[str]],
                    active: set[str]) -> ControlResult:
    notes: list[str] = []
    evidence = "; ".join(cs.evidence for cs in declared.get(c.id, []) if cs.evidence)
    decl = declared.get(c.id, [])
    decl_status = _DECLARED[decl[0].status] if decl and len({cs.status for cs in decl}) == 1 else (PARTIAL if decl else None)
    answer_required = False
    violations: list[str] = []
    if c.check is not None:
        kind = "automatic"
        rules = [r for r in c.check.rules if r in catalog.rules and catalog.rules[r].catalog in active]
        relevant = set().union(*(in_scope.get(r, set()) for r in rules)) if rules else set()
        bad = set().union(*(fired_on.get(r, set()) for r in rules)) if rules else set()
        violations = sorted(bad)
        if not relevant:
            status = NOT_APPLICABLE
        elif not bad:
            status = MET
        elif bad >= relevant:
            status = GAP
        else:
            status = PARTIAL
        if status != NOT_APPLICABLE:
            notes.append(f"checked on {len(relevant)} target(s) of the model; failing on {len(bad)}" + (f": {', '.join(violations)}" if violations else ""))
        if decl_status == NOT_APPLICABLE:
            status = NOT_APPLICABLE
            notes.append("declared not applicable in the model")
        elif decl_status == MET and status in (GAP, PARTIAL):
            notes.append("declared implemented in the model, but the model's facts show it is not")
        applies = catalog.control_applies.get(c.id)
        question_applies = applies is None or applies[0]({"model": facts.model})
        if c.question is not None and status != NOT_APPLICABLE and question_applies:
            a = answers.get(c.id)
            if a is not None:
                evidence = "; ".join(x for x in (evidence, a.evidence) if x)
                ans = _ANSWER[a.status]
                if ans in (GAP, PARTIAL) and status == MET:
                    status = ans
                    notes.append(f"the audit answer is '{a.status.value}'")
            elif status == MET:
                answer_required = model.metadata.gost_level in c.question.required_at
                status = NEEDS_ANSWER if answer_required else status
                if answer_required:
                    notes.append("the model passes the automatic check; the audit question still needs an answer")
    elif c.question is not None:
        kind = "manual"
        applies = catalog.control_applies.get(c.id)
        a = answers.get(c.id)
        if applies is not None and not applies[0]({"model": facts.model}):
            status = NOT_APPLICABLE
            notes.append("does not apply to this model")
        elif a is not None:
            status = _ANSWER[a.status]
            evidence = "; ".join(x for x in (evidence, a.evidence) if x)
        elif decl_status is not None:
            status = decl_status
        else:
            answer_required = model.metadata.gost_level in c.question.required_at
            status = NEEDS_ANSWER
    else:
        kind = "declared"
        status = decl_status or NEEDS_ANSWER
    if status in (MET, PARTIAL) and kind == "manual" and not evidence:
        notes.append("no evidence recorded")
    return ControlResult(
        id=c.id, title=c.title, catalog=catalog.catalog_of[c.id], kind=kind, status=status, evidence=evidence,
        notes=notes, satisfies=list(c.satisfies), mitigates=sorted(mitigates.get(c.id, [])),
        question=c.question.text.strip() if c.question else None,
        expected_evidence=c.question.evidence.strip() if c.question else None,
        answer_required=answer_required, violations=violations,
    )


def _aggregate(statuses: list[str]) -> str:
    s = [x for x in statuses if x != NOT_APPLICABLE]
    if not statuses:
        return NEEDS_ANSWER
    if not s:
        return NOT_APPLICABLE
    if all(x == MET for x in s):
        return MET
    if GAP in s and MET not in s and PARTIAL not in s:
        return GAP  # nothing in place; unanswered questions do not soften a gap
    if NEEDS_ANSWER in s and GAP not in s and PARTIAL not in s:
        return NEEDS_ANSWER
    return PARTIAL


def _compliance(catalog: Catalog, controls: dict[str, ControlResult], active: set[str]) -> list[FrameworkResult]:
    by_req: dict[str, list[ControlResult]] = defaultdict(list)
    for cr in controls.values():
        for q in cr.satisfies:
            by_req[q].append(cr)
    out: dict[str, list[RequirementResult]] = defaultdict(list)
    titles: dict[str, str] = {}
    for qid, q in catalog.requirements.items():
        if catalog.catalog_of[qid] not in active:
            continue
        fw = catalog.framework_of(qid)
        titles.setdefault(fw, catalog.framework_title(fw, catalog.catalog_of[qid]))
        crs = sorted(by_req.get(qid, []), key=lambda c: c.id)
        status = _aggregate([c.status for c in crs])
        evidence = "; ".join(dict.fromkeys(c.evidence for c in crs if c.evidence))
        out[fw].append(RequirementResult(qid, fw, q.clause, q.title, q.confidence.value, status,
                                         [ControlRef(c.id, c.title, c.status) for c in crs], evidence))
    results = []
    for fw, reqs in out.items():
        counts = {s: 0 for s in (MET, PARTIAL, GAP, NEEDS_ANSWER, NOT_APPLICABLE)}
        for r in reqs:
            counts[r.status] += 1
        applicable = len(reqs) - counts[NOT_APPLICABLE]
        coverage = round(100.0 * (counts[MET] + 0.5 * counts[PARTIAL]) / applicable, 1) if applicable else 100.0
        results.append(FrameworkResult(fw, titles[fw], reqs, counts, coverage))
    return results


def _split_applicable(frameworks: list[FrameworkResult]) -> tuple[list[FrameworkResult], list[str]]:
    """Frameworks with at least one applicable requirement, and the ids of those with none."""
    applicable = [f for f in frameworks if f.counts[NOT_APPLICABLE] < len(f.requirements)]
    return applicable, [f.id for f in frameworks if f not in applicable]
