"""Analysis: match compiled rules against a model's facts, score, apply decisions, derive control
and compliance statuses. A pure function of (model, catalog, date): it never mutates the model."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import replace
from typing import Any

from tmodel.analysis import risk
from tmodel.analysis.matching import match
from tmodel.analysis.result import (
    EXPIRED,
    FALSE_POSITIVE,
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
    Member,
    RequirementResult,
    Threat,
    Unknown,
)
from tmodel.catalog.load import Catalog, CompiledRule
from tmodel.catalog.types import Control
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


def applicable_catalogs_with_reasons(model: Model, catalog: Catalog, facts: Facts) -> tuple[set[str], dict[str, str]]:
    """The catalogs that apply to the model, and for the others why not (their ``applies_when``)."""
    active = applicable_catalogs(model, catalog)
    reasons: dict[str, str] = {}
    ctx = {"model": facts.model}
    for cid in sorted(active):
        pred = catalog.catalog_applies.get(cid)
        if pred is not None and not pred(ctx):
            reasons[cid] = catalog.infos[cid].not_applicable_reason or "its applicability condition does not hold"
    return active - set(reasons), reasons


def _frameworks_of_catalog(catalog: Catalog, cid: str) -> list[str]:
    fws = {catalog.framework_of(q) for q, c in catalog.catalog_of.items() if c == cid and q in catalog.requirements}
    info = catalog.infos[cid]
    if info.framework:
        fws.add(info.framework)
    return sorted(fws)


def group_id(rule_id: str, source: str, target: str) -> str:
    """The stable id of the finding that groups a rule's flows from ``source`` to ``target``."""
    return f"{rule_id}@{source}->{target}"


def _decision_for(threat_id: str, tid: str, rule_id: str, ends: dict[str, tuple[str, str]], decisions: dict[str, Any]) -> Any:
    """The decision that applies to one (rule, target): its own, else its group's."""
    d = decisions.get(threat_id)
    if d is None and tid in ends:
        d = decisions.get(group_id(rule_id, *ends[tid]))
    return d


def _decided(threat_id: str, tid: str, rule_id: str, ends: dict[str, tuple[str, str]], decisions: dict[str, Any]) -> bool:
    return _decision_for(threat_id, tid, rule_id, ends, decisions) is not None


def _hops_in_front(model: Model) -> dict[str, list[str]]:
    """Flow id -> the flows that enter its source (the hop in front of it), for sources inside the bank."""
    into: dict[str, list[str]] = defaultdict(list)
    for f in model.flows:
        into[f.target].append(f.id)
    return {f.id: sorted(into[f.source]) for f in model.flows if into.get(f.source)}


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
    active, not_applicable = applicable_catalogs_with_reasons(model, catalog, facts)
    rules = [r for r in catalog.rules.values() if r.catalog in active]
    decisions = {d.threat: d for d in model.decisions}
    titles = {e.id: e.title for e in model.elements} | {f.id: f.title for f in model.flows} | {"model": model.metadata.title}
    ends = {f.id: (f.source, f.target) for f in model.flows}

    # 1. match: a rule that holds on stated facts is a threat; one that holds only because the model
    # leaves a fact unstated is an unknown (unless someone already decided on it as a threat)
    found = match(rules, facts, decisions, ends, _decided)
    fired, unknown_hits, in_scope, fired_on, unknown_on = (found.fired, found.unknown_hits, found.in_scope, found.fired_on,
                                                           found.unknown_on)

    # 2. controls
    declared, control_results = control_statuses(model, catalog, facts, fired, in_scope, fired_on, unknown_on, active)
    in_front = _hops_in_front(model)
    sets = _ControlSets(control_results, declared)

    # 3. threats: score each (rule, target), then group flows of one rule between the same two elements
    members: list[tuple[CompiledRule, Threat]] = []
    texts: dict[str, dict[str, Any]] = {}
    for rule, tid, kind, ctx in fired:
        members.append((rule, _score_one(rule, tid, kind, ctx, facts, catalog, control_results, declared, decisions,
                                         titles, as_of, in_front, sets, texts)))
    threats = _group(members, decisions, ends, titles, catalog, control_results, declared, as_of, in_front, facts)
    threats.sort(key=lambda t: (-LEVEL_ORDER[Level(t.residual_level)], -LEVEL_ORDER[Level(t.level)], -t.score, t.id))
    unknowns = _unknowns(unknown_hits, ends, titles, catalog)

    # 4. decisions that no longer match, or expire
    issues = decision_issues(model, threats, located, catalog, as_of)

    # 5. compliance per framework
    frameworks, empty = _split_applicable(_compliance(catalog, control_results, active))
    reasons = {fw: why for cid, why in not_applicable.items() for fw in _frameworks_of_catalog(catalog, cid)}
    for fw in empty:
        reasons.setdefault(fw, "no requirement of it applies to what the model describes")
    controls_sorted = [control_results[c] for c in sorted(control_results)]
    return Analysis(model.metadata.id, model.metadata.title, model.metadata.owner, path, as_of, threats,
                    controls_sorted, frameworks, issues, list(catalog.overrides), sorted(reasons),
                    not_applicable_reasons=reasons, unknowns=unknowns)


def control_statuses(model: Model, catalog: Catalog, facts: Facts, fired: list[tuple[CompiledRule, str, str, Any]],
                     in_scope: dict[str, set[str]], fired_on: dict[str, set[str]], unknown_on: dict[str, set[str]],
                     active: set[str]) -> tuple[dict[str, list[Any]], dict[str, ControlResult]]:
    """The model's declared controls by control id, and the status of every control of the active catalogs or
    named by a rule that fired."""
    declared: dict[str, list[Any]] = defaultdict(list)
    for cs in model.controls:
        declared[cs.control].append(cs)
    answers = {a.question: a for a in model.answers}
    mitigates: dict[str, list[str]] = defaultdict(list)
    for rule, tid, _, _ in fired:
        for c in rule.rule.controls:
            mitigates[c].append(f"{rule.rule.id}@{tid}")
    wanted = [c for cid, c in catalog.controls.items() if catalog.catalog_of[cid] in active or cid in mitigates]
    return declared, {c.id: _control_status(c, catalog, model, facts, declared, answers, in_scope, fired_on, mitigates,
                                            active, unknown_on) for c in wanted}


def decision_issues(model: Model, threats: list[Threat], located: Located | None, catalog: Catalog,
                    as_of: dt.date) -> list[DecisionIssue]:
    """Decisions that no longer match a finding (stale), and acceptances that expired or expire soon."""
    issues: list[DecisionIssue] = []
    live = {t.id for t in threats} | {m.id for t in threats for m in t.members if len(t.members) == 1}
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
    return issues


def _score_one(rule: CompiledRule, tid: str, kind: str, ctx: dict[str, Any], facts: Facts, catalog: Catalog,
               control_results: dict[str, ControlResult], declared: dict[str, list[Any]], decisions: dict[str, Any],
               titles: dict[str, str], as_of: dt.date, in_front: dict[str, list[str]],
               sets: _ControlSets | None = None, texts: dict[str, dict[str, Any]] | None = None) -> Threat:
    """The threat of one rule on one target: inherent and residual risk, controls, decision."""
    r = rule.rule
    sets = sets or _ControlSets(control_results, declared)
    threat_id = f"{r.id}@{tid}"
    ends = {tid: (ctx["flow"]["source"]["id"], ctx["flow"]["target"]["id"])} if kind == "flow" else {}
    if kind == "model":
        m = facts.model
        classes = sorted({c for e in facts.elements.values() for c in e["classifications"]})
        lk, im, notes = risk.score(r.likelihood, r.impact, position=_model_position(facts),
                                   classifications=classes, pd_categories=m["pd_categories"])
    else:
        tf = ctx[kind]
        lk, im, notes = risk.score(r.likelihood, r.impact, position=facts.position.get(tid, ""),
                                   classifications=tf["classifications"], pd_categories=tf["pd_categories"])
    refs = []
    for cid in r.controls:
        cr = control_results.get(cid)
        st: str = NEEDS_ANSWER
        if cr:
            st = _scoped_status(cid, tid, cr, declared, sets)
            front = in_front.get(tid, [])
            check = catalog.controls[cid].check if cid in catalog.controls else None
            if st != MET and check is not None and check.covers_hops_behind and front \
                    and sets.checked(cid).issuperset(front) and sets.violations(cid).isdisjoint(front):
                st = MET
                notes.append(f"{cid} is met on the hop in front ({', '.join(front)})")
        refs.append(ControlRef(cid, catalog.controls[cid].title if cid in catalog.controls else cid, st))
    d = _decision_for(threat_id, tid, r.id, ends, decisions)
    status = OPEN
    view = None
    decided_mitigated = decided_partly = False
    if d is not None:
        view = DecisionView(d.status.value, d.owner, d.reason, d.control, d.expires, d.decided_by, d.decided_on)
        status = d.status.value
        if d.status == DecisionStatus.ACCEPTED and d.expires is not None and d.expires < as_of:
            status = EXPIRED
        if d.status == DecisionStatus.MITIGATED:
            named = control_results.get(d.control) if d.control else None
            named_status = _scoped_status(d.control, tid, named, declared, sets) if named and d.control else None
            if named_status in (GAP, NEEDS_ANSWER):
                notes.append(f"decided mitigated by {d.control}, but that control is "
                             f"{'a gap' if named_status == GAP else 'not answered'}: residual not lowered")
            elif named_status == MET:
                decided_mitigated = True
            else:  # a claim the analysis cannot check counts as a partial control, not a met one
                decided_partly = True
                claim = ("names no control" if not d.control else
                         f"names {d.control}, which is partly in place" if named_status == PARTIAL else
                         f"names {d.control}, which the analysis cannot check for this target")
                notes.append(f"decided mitigated, but the decision {claim}: residual lowered by 1 only")
    met = any(c.status == MET for c in refs) or decided_mitigated
    partial = any(c.status == PARTIAL for c in refs) or decided_partly
    rl = risk.residual_likelihood(lk, met=met, partial=partial)
    same = _rule_texts(rule, catalog, texts)
    why = rule.explain(ctx)
    t = Threat(
        id=threat_id, rule=r.id, catalog=rule.catalog, target=tid, target_kind=kind,
        target_title=titles.get(tid, tid), likelihood=lk, impact=im, score=lk * im, level=risk.level(lk, im).value,
        adjustments=notes, why=why, controls=refs,
        residual_likelihood=rl, residual_score=rl * im, residual_level=risk.level(rl, im).value,
        status=status, decision=view,
        position=facts.position.get(tid, _model_position(facts) if kind == "model" else ""), **same,
    )
    t.members = [Member(threat_id, tid, t.target_title, why, lk, im, t.residual_level)]
    return t


def _rule_texts(rule: CompiledRule, catalog: Catalog, cache: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    """What every threat of a rule carries alike (its texts, requirements, frameworks), made once per rule and
    analysis and shared by its threats (read-only, like the rest of an Analysis)."""
    r = rule.rule
    found = cache.get(r.id) if cache is not None else None
    if found is None:
        reqs = sorted(catalog.traces.get(r.id, ()))
        own = catalog.infos[rule.catalog].framework or rule.catalog  # e.g. 'stride', which has no requirements
        found = dict(
            title=r.title, stride=[x.value for x in r.stride], requirements=reqs,
            frameworks=sorted({catalog.framework_of(q) for q in reqs} | {own}),
            description=r.description.strip(), detection=r.detection.strip(), false_positives=r.false_positives.strip(),
            mitigation=r.mitigation.strip(), cwe=list(r.references.cwe), capec=list(r.references.capec),
            title_ru=(r.ru.title or "") if r.ru else "",
        )
        if cache is not None:
            cache[r.id] = found
    return found


def _model_position(facts: Facts) -> str:
    """A model-wide threat is reachable by whoever reaches the most exposed item."""
    from tmodel.graph import POSITIONS

    ranks = [POSITIONS.index(p) for p in facts.position.values()]
    return POSITIONS[max(ranks)] if ranks else ""


def _group(members: list[tuple[CompiledRule, Threat]], decisions: dict[str, Any], ends: dict[str, tuple[str, str]],
           titles: dict[str, str], catalog: Catalog, control_results: dict[str, ControlResult], declared: dict[str, list[Any]],
           as_of: dt.date, in_front: dict[str, list[str]], facts: Facts) -> list[Threat]:
    """One finding per rule and element; per rule and pair of elements for flows (every flow listed as a member).

    A flow with a decision of its own stays a finding of its own (its id is unchanged, so decisions
    made before grouping keep resolving); a decision naming the group applies to every other member.
    """
    groups: dict[tuple[str, ...], list[Threat]] = defaultdict(list)
    for rule, t in members:
        if t.target_kind == "flow" and t.id not in decisions:
            src, dst = ends[t.target]
            groups[("flows", t.rule, src, dst)].append(t)
        else:
            groups[("one", t.id)].append(t)
    out: list[Threat] = []
    for key, ts in groups.items():
        if key[0] == "one":
            out.extend(ts)
            continue
        _, rule_id, src, dst = key
        gid = group_id(rule_id, src, dst)
        if len(ts) == 1 and gid not in decisions:
            out.extend(ts)
            continue
        ts.sort(key=lambda t: (-t.residual_score, -t.score, t.id))
        worst = ts[0]
        n = len(ts)
        out.append(replace(
            worst, id=gid, target=f"{src}->{dst}", target_kind="flows",
            target_title=f"{n} flow{'s' if n > 1 else ''}: {titles.get(src, src)} → {titles.get(dst, dst)}",
            members=[m for t in sorted(ts, key=lambda t: t.target) for m in t.members],
        ))
    by_rule: dict[str, list[str]] = defaultdict(list)
    for t in out:
        if t.status != FALSE_POSITIVE:
            by_rule[t.rule].append(t.id)
    for cr in control_results.values():
        cr.mitigates = sorted(tid for rid in _rules_mitigated_by(cr.id, catalog) for tid in by_rule.get(rid, []))
    return out


_MITIGATED_BY: dict[int, tuple[Catalog, int, dict[str, list[str]]]] = {}  # id(catalog) -> (catalog, rules, index)


def _rules_mitigated_by(cid: str, catalog: Catalog) -> list[str]:
    """The rules that name control ``cid``: indexed once per catalog (a scan of every rule per control and per
    model was a tenth of 'tmodel check' over many models). The catalog is held, so its id stays its own."""
    known = _MITIGATED_BY.get(id(catalog))
    if known is None or known[0] is not catalog or known[1] != len(catalog.rules):
        index: dict[str, list[str]] = defaultdict(list)
        for rid, r in catalog.rules.items():
            for c in dict.fromkeys(r.rule.controls):
                index[c].append(rid)
        if len(_MITIGATED_BY) > 8:  # tests load many catalogs in one process
            _MITIGATED_BY.clear()
        known = _MITIGATED_BY[id(catalog)] = (catalog, len(catalog.rules), dict(index))
    return known[2].get(cid, [])


@functools.lru_cache(maxsize=None)
def _describe(path: str) -> str:
    """A field's description from the model's types, for an unknown's question."""
    from tmodel.model.load import _unwrap
    from tmodel.model.types import Element, Flow

    root, *parts = path.split(".")
    cls: Any = Flow if root == "flow" else Element
    if root == "flow" and parts and parts[0] in ("source", "target"):
        cls, parts = Element, parts[1:]
    desc = path
    for part in parts:
        f = getattr(cls, "model_fields", {}).get(part)
        if f is None:
            break
        desc = f.description or part
        cls = _unwrap(f.annotation)  # an optional sub-object (authentication.ciba) is read through its type
    return desc


def _unknowns(hits: list[tuple[CompiledRule, str, str, list[str]]], ends: dict[str, tuple[str, str]],
              titles: dict[str, str], catalog: Catalog) -> list[Unknown]:
    """Unstated facts that decide whether rules fire, grouped like findings: per fact and element, or
    per fact and pair of elements for flows."""
    acc: dict[tuple[str, str], dict[str, Any]] = {}
    for rule, tid, kind, paths in hits:
        where = f"{ends[tid][0]}->{ends[tid][1]}" if kind == "flow" else tid
        for path in paths:
            u = acc.setdefault((path, where), {"targets": set(), "rules": set(), "reqs": set()})
            u["targets"].add(tid)
            u["rules"].add(rule.rule.id)
            u["reqs"].update(catalog.traces.get(rule.rule.id, ()))
    out = []
    for (path, where), u in sorted(acc.items()):
        rel = path.split(".", 1)[1]
        targets = sorted(u["targets"])
        if "->" in where:
            src, dst = where.split("->", 1)
            title = (f"{len(targets)} flows: {titles.get(src, src)} → {titles.get(dst, dst)}" if len(targets) > 1
                     else titles.get(targets[0], targets[0]))
            uid = f"unstated:{rel}@{where if len(targets) > 1 else targets[0]}"
        else:
            title, uid = titles.get(where, where), f"unstated:{rel}@{where}"
        text = f"Not stated: {_describe(path).rstrip('.')} ({rel})"
        out.append(Unknown(uid, path, text, targets, title, sorted(u["rules"]), sorted(u["reqs"])))
    return out


class _ControlSets:
    """Set views of each control's lists, built once per analysis (a list searched per threat made the
    analysis quadratic on large models)."""

    def __init__(self, control_results: dict[str, ControlResult], declared: dict[str, list[Any]]):
        self._results = control_results
        self._declared = declared
        self._checked: dict[str, frozenset[str]] = {}
        self._violations: dict[str, frozenset[str]] = {}
        self._scoped: dict[str, tuple[dict[str, Any], bool, bool]] = {}

    def checked(self, cid: str) -> frozenset[str]:
        if cid not in self._checked:
            cr = self._results.get(cid)
            self._checked[cid] = frozenset(cr.checked if cr else ())
        return self._checked[cid]

    def violations(self, cid: str, cr: ControlResult | None = None) -> frozenset[str]:
        if cid not in self._violations:
            cr = cr or self._results.get(cid)
            self._violations[cid] = frozenset(cr.violations if cr else ())
        return self._violations[cid]

    def scoped(self, cid: str) -> tuple[dict[str, Any], bool, bool]:
        """target -> the first scoped declaration naming it; whether any declaration is scoped; whether one is unscoped."""
        if cid not in self._scoped:
            first: dict[str, Any] = {}
            decl = self._declared.get(cid, [])
            for cs in decl:
                for target in cs.scope or ():
                    first.setdefault(target, cs)
            self._scoped[cid] = (first, any(cs.scope for cs in decl), any(not cs.scope for cs in decl))
        return self._scoped[cid]


def _scoped_status(cid: str, target: str, cr: ControlResult, declared: dict[str, list[Any]],
                   sets: _ControlSets | None = None) -> str:
    """A control's status for one target: automatic violations and scoped declarations narrow it."""
    sets = sets or _ControlSets({cid: cr}, declared)
    if cr.kind == "automatic":
        return GAP if target in sets.violations(cid, cr) else (cr.status if cr.status != PARTIAL else MET)
    first, any_scoped, any_unscoped = sets.scoped(cid)
    if target in first:
        return _DECLARED[first[target].status]
    if any_scoped and not any_unscoped:
        return GAP
    return cr.status


def _control_status(c: Control, catalog: Catalog, model: Model, facts: Facts, declared: dict[str, list[Any]], answers: dict[str, Any],
                    in_scope: dict[str, set[str]], fired_on: dict[str, set[str]], mitigates: dict[str, list[str]],
                    active: set[str], unknown_on: dict[str, set[str]] | None = None) -> ControlResult:
    notes: list[str] = []
    evidence = "; ".join(cs.evidence for cs in declared.get(c.id, []) if cs.evidence)
    decl = declared.get(c.id, [])
    decl_status = _DECLARED[decl[0].status] if decl and len({cs.status for cs in decl}) == 1 else (PARTIAL if decl else None)
    answer_required = False
    violations: list[str] = []
    checked: list[str] = []
    if c.check is not None:
        kind = "automatic"
        rules = [r for r in c.check.rules if r in catalog.rules and catalog.rules[r].catalog in active]
        relevant = set().union(*(in_scope.get(r, set()) for r in rules)) if rules else set()
        bad = set().union(*(fired_on.get(r, set()) for r in rules)) if rules else set()
        unstated = set().union(*((unknown_on or {}).get(r, set()) for r in rules)) if rules else set()
        violations = sorted(bad)
        checked = sorted(relevant - unstated)
        if not relevant:
            status = NOT_APPLICABLE
        elif not bad and unstated:
            status = NEEDS_ANSWER
            notes.append(f"not stated in the model on {len(unstated)} target(s): {', '.join(sorted(unstated))}")
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
        id=c.id, title=c.title, title_ru=(c.ru.title or "") if c.ru else "",
        catalog=catalog.catalog_of[c.id], kind=kind, status=status, evidence=evidence,
        notes=notes, satisfies=list(c.satisfies), mitigates=sorted(mitigates.get(c.id, [])),
        question=c.question.text.strip() if c.question else None,
        expected_evidence=c.question.evidence.strip() if c.question else None,
        answer_required=answer_required, violations=violations, checked=checked,
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
    for qid, req in catalog.requirements.items():
        if catalog.catalog_of[qid] not in active:
            continue
        fw = catalog.framework_of(qid)
        titles.setdefault(fw, catalog.framework_title(fw, catalog.catalog_of[qid]))
        crs = sorted(by_req.get(qid, []), key=lambda c: c.id)
        status = _aggregate([c.status for c in crs])
        evidence = "; ".join(dict.fromkeys(c.evidence for c in crs if c.evidence))
        out[fw].append(RequirementResult(qid, fw, req.clause, req.title, req.confidence.value, status,
                                         [ControlRef(c.id, c.title, c.status) for c in crs], evidence))
    results = []
    for fw, reqs in out.items():
        counts = {s.value: 0 for s in (MET, PARTIAL, GAP, NEEDS_ANSWER, NOT_APPLICABLE)}
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
