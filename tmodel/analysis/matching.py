"""Matching compiled rules against a model's facts: which rules fire where, which hold only on unstated facts.

A large model has tens of thousands of targets and a hundred rules; most rules pin a fact to a few values
(``protocol in [https, http]``, ``authentication.method eq api_key``) and hold nowhere else. The targets are
indexed by the value of each pinned fact, once per analysis, so a rule evaluates only the targets that can
satisfy it. The index never changes a result:
- a target whose value a rule's scope excludes fails the scope, so it is out of scope, as before;
- a target whose value a rule's ``when`` excludes is still in scope, and its ``when`` is false; it could only
  matter as an unknown (the rule holding on unstated facts), which a stated, excluded value rules out; the
  targets that leave the pinned fact unstated are therefore always evaluated.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from tmodel.catalog.load import CompiledRule
from tmodel.catalog.matcher import UNKNOWN_KEY, Pins
from tmodel.catalog.types import AppliesTo
from tmodel.graph import Facts
from tmodel.model.enums import DecisionStatus

Target = tuple[str, str, dict[str, Any]]  # (target id, target kind, fact context)


class Contexts:
    """One fact context per target, built once and shared by every rule that reads it (a rule that needs
    to add its own key, such as the unstated facts, copies it first)."""

    def __init__(self, facts: Facts):
        self.facts = facts
        self._flows: list[Target] | None = None
        self._elements: list[tuple[str, str, dict[str, Any], Any, Any]] | None = None

    def flows(self) -> list[Target]:
        if self._flows is None:
            m = self.facts.model
            self._flows = [(fid, "flow", {"flow": f, "model": m}) for fid, f in self.facts.flows.items()]
        return self._flows

    def elements(self) -> list[tuple[str, str, dict[str, Any], Any, Any]]:
        if self._elements is None:
            m = self.facts.model
            self._elements = [(eid, "element", {"element": e, "model": m}, e["kind"], e["technology"])
                              for eid, e in self.facts.elements.items()]
        return self._elements


def targets(rule: CompiledRule, facts: Facts, contexts: Contexts | None = None) -> list[Target]:
    """(target id, target kind, ctx) for each target the rule applies to; the ctx may be shared: copy before writing."""
    to = rule.rule.applies.to
    if to == AppliesTo.MODEL:
        return [("model", "model", {"model": facts.model})]
    contexts = contexts or Contexts(facts)
    if to == AppliesTo.FLOW:
        return contexts.flows()
    kinds, techs = _kinds_techs(rule)
    return [(eid, kind, ctx) for eid, kind, ctx, k, t in contexts.elements()
            if (not kinds or k in kinds) and (not techs or t in techs)]


def _kinds_techs(rule: CompiledRule) -> tuple[set[str], set[str]]:
    a = rule.rule.applies
    return {k.value for k in a.kinds}, {t.value for t in a.technologies}


class _Index:
    """Which of a list of targets hold which values of a fact; each fact's values read once per analysis."""

    def __init__(self, kind: str, items: list[Target], unstated: dict[str, frozenset[str]]):
        self.kind = kind
        self.items = items
        self.unstated = unstated
        self._values: dict[str, list[Any]] = {}
        self._positions: dict[tuple[str, frozenset[Any]], list[int] | None] = {}
        self._left_out: dict[str, list[int]] = {}
        self._groups: list[tuple[frozenset[str], list[int]]] | None = None

    def values(self, path: str) -> list[Any]:
        """The value of ``path`` for every target, as conditions read it (None where it is missing)."""
        vals = self._values.get(path)
        if vals is None:
            head, _, key = path.rpartition(".")
            if "." not in head:  # flow.protocol: the target's own fact dictionaries
                vals = [ctx[head].get(key) for _, _, ctx in self.items]
            else:
                vals = [v.get(key) if isinstance(v, dict) else None for v in self.values(head)]
            self._values[path] = vals
        return vals

    def positions(self, path: str, allowed: frozenset[Any]) -> list[int] | None:
        """Positions of the targets whose ``path`` holds one of ``allowed``; None if its values cannot be
        indexed (not scalars)."""
        key = (path, allowed)
        if key not in self._positions:
            try:
                found: list[int] | None = [i for i, v in enumerate(self.values(path)) if v in allowed]
            except TypeError:
                found = None
            self._positions[key] = found
        return self._positions[key]

    def left_out(self, path: str) -> list[int]:
        """Positions of the targets that leave ``path`` unstated (targets share their unstated sets: one
        test per distinct set)."""
        found = self._left_out.get(path)
        if found is None:
            root, _, rest = path.partition(".")
            if self._groups is None:
                groups: dict[int, tuple[frozenset[str], list[int]]] = {}
                for i, (tid, _, _) in enumerate(self.items):
                    left = self.unstated.get(tid)
                    if left:
                        groups.setdefault(id(left), (left, []))[1].append(i)
                self._groups = list(groups.values())
            found = self._left_out[path] = [] if root != self.kind else \
                sorted(i for left, positions in self._groups if rest in left for i in positions)
        return found

    def select(self, pins: Pins, *, with_unstated: bool) -> list[int] | None:
        """The positions (in order) of the targets that hold an allowed value of every pinned fact (or,
        ``with_unstated``, leave it unstated); None when nothing is pinned."""
        found: list[int] | None = None
        for path, allowed in pins:
            here = self.positions(path, allowed)
            if here is None:
                continue
            if with_unstated:
                left = self.left_out(path)
                if left:
                    here = sorted(set(here).union(left))
            found = here if found is None else _intersect(found, here)
            if not found:
                break
        return found


@dataclass
class Matches:
    """What matching found. ``fired``: (rule, target id, kind, ctx) where the rule holds on stated facts;
    ``unknown_hits``: where it holds only on unstated ones (with those facts); per rule id, the targets in
    its scope, where it fired (false positives left out) and where it is unknown."""
    fired: list[tuple[CompiledRule, str, str, dict[str, Any]]] = field(default_factory=list)
    unknown_hits: list[tuple[CompiledRule, str, str, list[str]]] = field(default_factory=list)
    in_scope: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    fired_on: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    unknown_on: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def match(rules: Iterable[CompiledRule], facts: Facts, decisions: dict[str, Any],
          ends: dict[str, tuple[str, str]], decided: Any) -> Matches:
    """Every rule against every target it applies to. ``decided(threat_id, tid, rule_id, ends, decisions)``
    says whether someone already decided on a threat (then it is a threat even on unstated facts)."""
    out = Matches()
    contexts = Contexts(facts)
    indexes: dict[str, _Index] = {}

    def index(kind: str) -> _Index:
        if kind not in indexes:
            items = contexts.flows() if kind == "flow" else [(eid, k, ctx) for eid, k, ctx, _, _ in contexts.elements()]
            indexes[kind] = _Index(kind, items, facts.unstated)
        return indexes[kind]

    for rule in sorted(rules, key=lambda r: r.rule.id):
        rid = rule.rule.id
        to = rule.rule.applies.to
        if to == AppliesTo.MODEL:
            _evaluate(rule, targets(rule, facts, contexts), facts, decisions, ends, decided, out, scoped=False)
            continue
        idx = index("flow" if to == AppliesTo.FLOW else "element")
        items = idx.items
        positions: list[int] | None = None  # None: every item
        if to == AppliesTo.ELEMENT:
            kinds, techs = _kinds_techs(rule)
            if kinds or techs:
                positions = [i for i, (_, _, _, k, t) in enumerate(contexts.elements())
                             if (not kinds or k in kinds) and (not techs or t in techs)]
        # the scope decides what is in scope: only the targets its pinned facts allow can pass it (and where
        # the scope is nothing but its pins, those targets are the scope)
        if rule.scope is not None:
            positions = _intersect(positions, idx.select(rule.scope_pins, with_unstated=False))
        scoped = items if positions is None else [items[i] for i in positions]
        exact = rule.scope_pinned_only and all(idx.positions(p, a) is not None for p, a in rule.scope_pins)
        if rule.scope is not None and not exact:
            scoped = [t for t in scoped if rule.scope(t[2])]
        out.in_scope[rid].update(t[0] for t in scoped)
        # 'when' is evaluated where its pinned facts allow it, or where the model leaves them unstated (a scope
        # that leaves few targets is cheaper to evaluate than reading a fact of every target)
        when_pos = idx.select(rule.when_pins, with_unstated=True) if 4 * len(scoped) >= len(items) else None
        if when_pos is None:
            candidates = scoped
        elif scoped is items:
            candidates = [items[i] for i in when_pos]
        else:
            keep = {t[0] for t in scoped}
            candidates = [t for t in (items[i] for i in when_pos) if t[0] in keep]
        _evaluate(rule, candidates, facts, decisions, ends, decided, out, scoped=True)
    return out


def _intersect(a: list[int] | None, b: list[int] | None) -> list[int] | None:
    if a is None:
        return b
    if b is None:
        return a
    keep = set(b)
    return [i for i in a if i in keep]


FIRED, HIT, UNANSWERED, QUIET = "fired", "hit", "unanswered", "quiet"


def judge(rule: CompiledRule, tid: str, kind: str, ctx: dict[str, Any], facts: Facts, decisions: dict[str, Any],
          ends: dict[str, tuple[str, str]], decided: Any) -> tuple[str, Any]:
    """One rule on one target in its scope (the one judgment batch and incremental analysis share):
    ``(FIRED, ctx)`` it holds on stated facts (the ctx its threat is scored in); ``(HIT, paths)`` it holds only on
    the unstated ``paths``: an unknown to list; ``(UNANSWERED, None)`` it is quiet only because facts it reads are
    unstated, so its check is not 'met'; ``(QUIET, None)`` it does not hold."""
    if not rule.when(ctx):
        left_out = facts.unstated.get(tid)
        if left_out and rule.tri is not None and not rule.reads.isdisjoint(left_out) \
                and rule.tri({**ctx, UNKNOWN_KEY: {kind: left_out}})[0] is None:
            return UNANSWERED, None
        return QUIET, None
    rid = rule.rule.id
    if rule.tri is not None and kind != "model" and not decided(f"{rid}@{tid}", tid, rid, ends, decisions):
        ctx = {**ctx, UNKNOWN_KEY: {kind: facts.unstated.get(tid, frozenset())}}
        holds, unstated = rule.tri(ctx)
        if holds is None:
            return HIT, unstated
    return FIRED, ctx


def _evaluate(rule: CompiledRule, candidates: list[Target], facts: Facts, decisions: dict[str, Any],
              ends: dict[str, tuple[str, str]], decided: Any, out: Matches, *, scoped: bool) -> None:
    """``scoped``: the candidates are already in the rule's scope (and recorded as such)."""
    rid = rule.rule.id
    for tid, kind, ctx in candidates:
        if not scoped:
            if rule.scope is not None and not rule.scope(ctx):
                continue
            out.in_scope[rid].add(tid)
        verdict, detail = judge(rule, tid, kind, ctx, facts, decisions, ends, decided)
        if verdict == FIRED:
            out.fired.append((rule, tid, kind, detail))
            d = decisions.get(f"{rid}@{tid}")
            if not (d and d.status == DecisionStatus.FALSE_POSITIVE):
                out.fired_on[rid].add(tid)
        elif verdict == HIT:
            out.unknown_hits.append((rule, tid, kind, detail))
            out.unknown_on[rid].add(tid)
        elif verdict == UNANSWERED:
            out.unknown_on[rid].add(tid)
