"""Analysis of a model edited one item at a time: only what an edit touches is matched and scored again.

``Analyser.analyse(model, located)`` returns what ``engine.analyze`` returns for the model (the app's edits
are checked against it after every kind of edit: tests/tui/test_incremental.py). It keeps, from one call
to the next, the graph facts, each target's rule matches and each threat's score. When the new model
differs from the previous one only in items it can account for, it reuses them:

- an element or flow whose changed fields no other item's facts, no model-wide fact and no reachability
  reads (``LOCAL``): its own facts are taken again from the model, its flows' copies of its facts
  (``flow.source.*``, ``flow.target.*``) and what each leaves unstated are redone; the rules run again on
  it and on those flows;
- decisions, answers and declared controls: the facts do not change; the rules run again on the targets a
  changed decision names (a decision turns an unknown into a finding);

then the controls, compliance, grouping, unknowns and decision issues are derived again from every target's
matches, as ``analyze`` derives them, and a threat is scored again only when its target changed or the
status of a control it names there, or its decision, did. Anything else (items added, removed or renamed,
zones, data assets, metadata, linked configuration files, an element's kind or technology, a flow's ends,
protocol, authentication method or data) is analysed from scratch.

The model's list items must be the same objects where they did not change (``load_located`` with
``previous`` gives that); otherwise every item counts as changed and the model is analysed from scratch.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tmodel.analysis.engine import (
    _compliance,
    _ControlSets,
    _decided,
    _decision_for,
    _frameworks_of_catalog,
    _group,
    _hops_in_front,
    _score_one,
    _scoped_status,
    _split_applicable,
    _unknowns,
    applicable_catalogs_with_reasons,
    control_statuses,
    decision_issues,
)
from tmodel.analysis.result import Analysis, ControlResult, Threat
from tmodel.catalog.load import Catalog, CompiledRule
from tmodel.analysis.matching import FIRED, HIT, UNANSWERED, judge
from tmodel.catalog.types import AppliesTo
from tmodel.graph import DERIVED, END_KEYS, Facts, compute_facts, flow_unstated, unstated_fields
from tmodel.model.enums import LEVEL_ORDER, DecisionStatus, Level
from tmodel.model.types import Element, Flow, Model
from tmodel.model.yamlsafe import Located

# fields (dotted paths of the item's dump) whose change only the item itself and, for an element, its flows'
# copies of its facts can see: every derived fact, model-wide fact and reachability rule reads none of them
# (tmodel.graph.compute_facts). A field not listed here sends the model to a full analysis.
_ELEMENT_NONLOCAL = {"id", "kind", "technology", "boundary", "platform", "byod_access"}
_FLOW_NONLOCAL = {"id", "source", "target", "protocol", "data", "data_used", "file_transfer", "authentication.method",
                  "authentication.grant", "authentication.sender_constrained", "tls.mutual", "authorization.ip_allowlist"}


def _local(kind: str, path: str) -> bool:
    nonlocal_ = _ELEMENT_NONLOCAL if kind == "element" else _FLOW_NONLOCAL
    parts = path.split(".")
    return not any(".".join(parts[: n + 1]) in nonlocal_ for n in range(len(parts)))


@dataclass
class _Match:
    """One rule on one target, as the matching step of ``analyze`` leaves it."""

    rule: CompiledRule
    kind: str
    ctx: dict[str, Any]
    in_scope: bool
    fired: bool = False
    unknown: bool = False  # the rule holds there only on facts the model leaves unstated (or decides nothing)
    hit: list[str] | None = None  # an unknown to list: the unstated facts it reads


class Analyser:
    """``engine.analyze`` for one model file, edit after edit (see the module's text)."""

    def __init__(self, catalog: Catalog, *, path: str = "", as_of: dt.date | None = None):
        self.catalog = catalog
        self.path = path
        self.as_of = as_of or dt.date.today()
        self.model: Model | None = None
        self.facts: Facts | None = None
        self.matches: dict[str, list[tuple[str, _Match]]] = {}  # target -> (rule id, match) in rule order
        self.scored: dict[str, tuple[Any, Threat]] = {}  # threat id -> (what its score depended on, threat)
        self.last = "none"  # how the last analysis was made: "full" or "incremental" (for tests and benchmarks)
        self.redone: set[str] = set()  # the targets the last update matched again
        self.hits_changed = True
        self._unknowns_cache: tuple[dict[str, str], dict[str, tuple[str, str]], Any] | None = None

    # -- the entry point ---------------------------------------------------------------------------
    def analyse(self, model: Model, located: Located | None) -> Analysis:
        touched = self._touched(model)
        if touched is None:
            self._full(model)
            self.last = "full"
        else:
            self._update(model, *touched)
            self.last = "incremental"
        self.model = model
        return self._derive(model, located, rescore=touched[0] if touched is not None else None)

    # -- what changed ------------------------------------------------------------------------------
    def _touched(self, model: Model) -> tuple[set[str], set[str], set[str]] | None:
        """(changed elements, changed flows, targets a changed decision names), or None: analyse from scratch."""
        old, facts = self.model, self.facts
        if old is None or facts is None or model.configs or old.configs:
            return None
        if model.metadata is not old.metadata or not _same_items(old.data_assets, model.data_assets):
            return None
        if not _same_items(old.boundaries, model.boundaries) or not _same_items(old.configs, model.configs):
            return None
        elements: set[str] = set()
        flows: set[str] = set()
        pairs: tuple[tuple[str, list[Any], list[Any], set[str]], ...] = (
            ("element", old.elements, model.elements, elements), ("flow", old.flows, model.flows, flows))
        for kind, before, after, out in pairs:
            if len(before) != len(after):
                return None
            for b, a in zip(before, after):
                if b is a:
                    continue
                if b.id != a.id:
                    return None
                if not all(_local(kind, p) for p in _changed_paths(_dump(b), _dump(a))):
                    return None
                out.add(a.id)
        decided: set[str] = set()
        if not _same_items(old.decisions, model.decisions):
            ends = {f.id: (f.source, f.target) for f in model.flows}
            by_ends: dict[tuple[str, str], list[str]] = defaultdict(list)
            for fid, pair in ends.items():
                by_ends[pair].append(fid)
            before_d = {d.threat: d for d in old.decisions}
            after_d = {d.threat: d for d in model.decisions}
            for tid in set(before_d) | set(after_d):
                if before_d.get(tid) is after_d.get(tid):
                    continue
                target = tid.split("@", 1)[1] if "@" in tid else ""
                if "->" in target:
                    decided.update(by_ends.get(tuple(target.split("->", 1)), ()))  # type: ignore[arg-type]
                else:
                    decided.add(target)
        return elements, flows, decided

    # -- facts and matches -------------------------------------------------------------------------
    def _full(self, model: Model) -> None:
        facts = compute_facts(model)
        if model.configs:
            from tmodel.analysis.config_facts import apply, audit_linked

            apply(facts, model, audit_linked(model, self.path, None)[0])
        self.facts = facts
        self.rules = self._active_rules(model, facts)
        self.matches = {}
        self.scored = {}
        targets = [(fid, "flow") for fid in facts.flows] + [(eid, "element") for eid in facts.elements] + [("model", "model")]
        decisions = {d.threat: d for d in model.decisions}
        ends = {f.id: (f.source, f.target) for f in model.flows}
        for tid, kind in targets:
            self.matches[tid] = self._match(tid, kind, facts, decisions, ends)

    def _active_rules(self, model: Model, facts: Facts) -> list[CompiledRule]:
        active, self.not_applicable = applicable_catalogs_with_reasons(model, self.catalog, facts)
        self.active = active
        return sorted((r for r in self.catalog.rules.values() if r.catalog in active), key=lambda r: r.rule.id)

    def _update(self, model: Model, elements: set[str], flows: set[str], decided: set[str]) -> None:
        facts = self.facts
        assert facts is not None
        if elements or flows:
            facts = self.facts = _patched(facts, model, elements, flows)
        by_id_flows = {f.id: f for f in model.flows}
        redo = set(elements) | set(flows) | set(decided)
        redo |= {fid for fid, f in by_id_flows.items() if f.source in elements or f.target in elements}
        decisions = {d.threat: d for d in model.decisions}
        ends = {f.id: (f.source, f.target) for f in model.flows}
        def hits(tid: str) -> list[tuple[str, list[str]]]:
            return [(rid, m.hit) for rid, m in self.matches.get(tid, ()) if m.hit is not None]

        before = {tid: hits(tid) for tid in redo}
        for tid in redo:
            if tid in facts.flows:
                self.matches[tid] = self._match(tid, "flow", facts, decisions, ends)
            elif tid in facts.elements:
                self.matches[tid] = self._match(tid, "element", facts, decisions, ends)
            elif tid == "model":
                self.matches[tid] = self._match(tid, "model", facts, decisions, ends)
        self.redone = redo
        self.hits_changed = any(before[tid] != hits(tid) for tid in redo)

    def _match(self, tid: str, kind: str, facts: Facts, decisions: dict[str, Any], ends: dict[str, tuple[str, str]]) -> list[tuple[str, _Match]]:
        """The matching step of ``analyze`` for one target."""
        if kind == "model":
            ctx0: dict[str, Any] = {"model": facts.model}
        elif kind == "flow":
            ctx0 = {"flow": facts.flows[tid], "model": facts.model}
        else:
            e = facts.elements[tid]
            ctx0 = {"element": e, "model": facts.model}
        out: list[tuple[str, _Match]] = []
        for rule in self.rules:
            to = rule.rule.applies.to
            if to == AppliesTo.MODEL:
                if kind != "model":
                    continue
                tkind = "model"
            elif to == AppliesTo.FLOW:
                if kind != "flow":
                    continue
                tkind = "flow"
            else:
                if kind != "element":
                    continue
                kinds = {k.value for k in rule.rule.applies.kinds}
                techs = {t.value for t in rule.rule.applies.technologies}
                e = facts.elements[tid]
                if (kinds and e["kind"] not in kinds) or (techs and e["technology"] not in techs):
                    continue
                tkind = "element"
            ctx = ctx0
            if rule.scope is not None and not rule.scope(ctx):
                continue
            m = _Match(rule, tkind, ctx, True)
            out.append((rule.rule.id, m))
            verdict, detail = judge(rule, tid, tkind, ctx, facts, decisions, ends, _decided)
            if verdict == FIRED:
                m.ctx, m.fired = detail, True
            elif verdict == HIT:
                m.hit, m.unknown = detail, True
            elif verdict == UNANSWERED:
                m.unknown = True
        return out

    def _aggregate(self, decisions: dict[str, Any], rescore: set[str] | None) -> tuple[dict[str, set[str]], ...]:
        """Per rule: the targets in its scope, where it fires (false positives left out) and where it is unknown;
        after an update, only the re-matched targets' part is taken again."""
        if rescore is None or not hasattr(self, "_agg"):
            self._agg: tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]] = (
                defaultdict(set), defaultdict(set), defaultdict(set))
            self._agg_of: dict[str, list[tuple[int, str]]] = {}
            targets: Any = self.matches
        else:
            targets = self.redone
        in_scope, fired_on, unknown_on = self._agg
        for tid in targets:
            for which, rid in self._agg_of.pop(tid, ()):
                self._agg[which][rid].discard(tid)
            mine: list[tuple[int, str]] = []
            for rid, m in self.matches.get(tid, ()):
                in_scope[rid].add(tid)
                mine.append((0, rid))
                if m.unknown:
                    unknown_on[rid].add(tid)
                    mine.append((2, rid))
                if m.fired:
                    d = decisions.get(f"{rid}@{tid}")
                    if not (d and d.status == DecisionStatus.FALSE_POSITIVE):
                        fired_on[rid].add(tid)
                        mine.append((1, rid))
            self._agg_of[tid] = mine
        return in_scope, fired_on, unknown_on

    # -- everything derived from the matches -----------------------------------------------------------
    def _derive(self, model: Model, located: Located | None, *, rescore: set[str] | None) -> Analysis:
        """Steps 2 to 5 of ``analyze`` from every target's matches; a threat is scored again when what its score
        depends on changed."""
        catalog, facts, as_of = self.catalog, self.facts, self.as_of
        assert facts is not None
        active = self.active
        decisions = {d.threat: d for d in model.decisions}
        titles = {e.id: e.title for e in model.elements} | {f.id: f.title for f in model.flows} | {"model": model.metadata.title}
        ends = {f.id: (f.source, f.target) for f in model.flows}
        in_scope, fired_on, unknown_on = self._aggregate(decisions, rescore)
        fired = [(m.rule, tid, m.kind, m.ctx) for tid, matches in self.matches.items() for _, m in matches if m.fired]
        unknown_hits = [(m.rule, tid, m.kind, m.hit) for tid, matches in self.matches.items() for _, m in matches
                        if m.hit is not None]
        declared, control_results = control_statuses(model, catalog, facts, fired, in_scope, fired_on, unknown_on, active)
        in_front = _hops_in_front(model)
        sets = _ControlSets(control_results, declared)
        changed_targets = rescore if rescore is not None else None
        members: list[tuple[CompiledRule, Threat]] = []
        scored: dict[str, tuple[Any, Threat]] = {}
        for rule, tid, kind, ctx in fired:
            threat_id = f"{rule.rule.id}@{tid}"
            key = _score_key(rule, tid, catalog, control_results, declared, decisions, ends, in_front, sets, titles)
            known = self.scored.get(threat_id) if changed_targets is not None and tid not in self.redone else None
            if known is not None and known[0] == key:
                t = known[1]
            else:
                t = _score_one(rule, tid, kind, ctx, facts, catalog, control_results, declared, decisions, titles, as_of, in_front, sets)
            scored[threat_id] = (key, t)
            members.append((rule, t))
        self.scored = scored
        # a threat not scored again is the same object as in the previous analysis (nothing changes a threat once made)
        threats = _group(members, decisions, ends, titles, catalog, control_results, declared, as_of, in_front, facts)
        threats.sort(key=lambda t: (-LEVEL_ORDER[Level(t.residual_level)], -LEVEL_ORDER[Level(t.level)], -t.score, t.id))
        cached = self._unknowns_cache
        if rescore is not None and not self.hits_changed and cached is not None and cached[0] == titles and cached[1] == ends:
            unknowns = cached[2]  # the same unstated facts on the same targets, with the same titles
        else:
            unknowns = _unknowns(unknown_hits, ends, titles, catalog)
        self._unknowns_cache = (titles, ends, unknowns)
        issues = decision_issues(model, threats, located, catalog, as_of)
        frameworks, empty = _split_applicable(_compliance(catalog, control_results, active))
        reasons = {fw: why for cid, why in self.not_applicable.items() for fw in _frameworks_of_catalog(catalog, cid)}
        for fw in empty:
            reasons.setdefault(fw, "no requirement of it applies to what the model describes")
        controls_sorted = [control_results[c] for c in sorted(control_results)]
        return Analysis(model.metadata.id, model.metadata.title, model.metadata.owner, self.path, as_of, threats,
                        controls_sorted, frameworks, issues, list(catalog.overrides), sorted(reasons),
                        not_applicable_reasons=reasons, unknowns=unknowns)


def _score_key(rule: CompiledRule, tid: str, catalog: Catalog, control_results: dict[str, ControlResult],
               declared: dict[str, list[Any]], decisions: dict[str, Any], ends: dict[str, tuple[str, str]],
               in_front: dict[str, list[str]], sets: _ControlSets, titles: dict[str, str]) -> Any:
    """What a threat's score reads besides its target's facts: the status of each of its controls there (and on
    the hop in front), its decision and the status of the control that decision names, its target's title."""
    statuses: list[tuple[str, bool, str] | None] = []
    front = in_front.get(tid, [])
    for cid in rule.rule.controls:
        cr = control_results.get(cid)
        if cr is None:
            statuses.append(None)
            continue
        hop = bool(front) and sets.checked(cid).issuperset(front) and sets.violations(cid).isdisjoint(front)
        statuses.append((_scoped_status(cid, tid, cr, declared, sets), hop, cr.title))
    d = _decision_for(f"{rule.rule.id}@{tid}", tid, rule.rule.id, ends, decisions)
    named = None
    if d is not None and d.control and d.control in control_results:
        named = _scoped_status(d.control, tid, control_results[d.control], declared, sets)
    return (tuple(statuses), d, named, titles.get(tid, tid))


def _same_items(before: list[Any], after: list[Any]) -> bool:
    return len(before) == len(after) and all(b is a for b, a in zip(before, after))


def _dump(obj: Element | Flow) -> dict[str, Any]:
    return obj.model_dump(mode="json", by_alias=False)


def _changed_paths(before: Any, after: Any, prefix: str = "") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[str] = []
        for k in set(before) | set(after):
            if before.get(k, _MISSING) != after.get(k, _MISSING):
                out += _changed_paths(before.get(k), after.get(k), f"{prefix}{k}.")
        return out
    return [prefix.rstrip(".")] if before != after else []


_MISSING = object()


def _patched(facts: Facts, model: Model, elements: set[str], flows: set[str]) -> Facts:
    """``facts`` with the changed items' own facts and their flows' copies of them taken again (``compute_facts``
    for those items, knowing that nothing else changed)."""
    emap = dict(facts.elements)
    fmap = dict(facts.flows)
    unstated = dict(facts.unstated)
    derived_e = set(DERIVED["element"])
    derived_f = set(DERIVED["flow"]) | {"source", "target"}
    by_id_e = {e.id: e for e in model.elements}
    for eid in elements:
        e = by_id_e[eid]
        d = _dump(e)
        old = facts.elements[eid]
        d.update({k: old[k] for k in derived_e if k in old})
        emap[eid] = d
        unstated[eid] = unstated_fields(e)
    as_end: dict[tuple[str, str], frozenset[str]] = {}
    for f in model.flows:
        if f.id not in flows and f.source not in elements and f.target not in elements:
            continue
        old = facts.flows[f.id]
        d = _dump(f) if f.id in flows else dict(old)
        d.update({k: old[k] for k in derived_f if k in old})
        d["source"] = {k: emap.get(f.source, {}).get(k) for k in END_KEYS}
        d["target"] = {k: emap.get(f.target, {}).get(k) for k in END_KEYS}
        fmap[f.id] = d
        unstated[f.id] = flow_unstated(f, unstated, as_end)
    return Facts(model=facts.model, elements=emap, flows=fmap, graph=facts.graph, unstated=unstated, position=facts.position)
