"""Attack paths: how an intruder gets from where it starts to the data worth stealing.

For every entry point (an element where an intruder of some category starts: the internet, a
partner's network, an employee's personal device, the bank's internal network, a privileged
administrator's seat) and every sensitive target (a process or store of the bank that handles
personal data, bank secrecy, payment data or credentials, or an HSM), the path along the model's
flows (caller -> callee) that has the least standing in the way.

Each hop is a flow. On it stand the controls of the rules relevant to that flow and to the element
it reaches (the rule applies there and its scope holds): a rule that fired brings its threat's
controls with their status (met, partial, missing); a relevant rule that did not fire counts its
controls as met, since the condition of the threat is absent there, and so does a threat a decision
marks mitigated or a false positive; but where the condition is absent only because the model leaves a
fact it reads unstated, its controls need an answer (missing until answered), as in the compliance view. A hop blocks when controls stand on it and none is missing. A
path's resistance counts a met control as 1 and a partial one as 1/2. Paths are ranked weakest first: fewest blocking hops, then the worst unresolved threat on the
way, the most controls missing, the least resistance, the fewest hops.

Cost is bounded: per (entry, target) pair at most ``MAX_CANDIDATES`` simple paths of at most
``MAX_HOPS`` hops are considered (networkx ``shortest_simple_paths``, fewest hops first), and the
weakest is kept. Parallel flows between the same two elements count as one hop through the
weakest of them.

Pure function of the model and its analysis. Threats are read through ``_targets_of`` /
``_controls_of`` / ``_open`` / ``_handled`` / ``_level_of``, so that a change in the analysis result
touches only those.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from typing import Any

import networkx as nx

from tmodel.analysis.engine import applicable_catalogs
from tmodel.analysis.result import FALSE_POSITIVE, MET, MITIGATED, NEEDS_ANSWER, NOT_APPLICABLE, PARTIAL, Analysis
from tmodel.catalog.load import Catalog, CompiledRule
from tmodel.catalog.matcher import UNKNOWN_KEY
from tmodel.catalog.types import AppliesTo
from tmodel.graph import BANK_ZONES, Facts, compute_facts
from tmodel.model.enums import LEVEL_ORDER, ElementKind, Level, Technology, Zone
from tmodel.model.types import Model

MAX_HOPS = 8
MAX_CANDIDATES = 30

# intruder categories, in the order reports list them
EXTERNAL, PARTNER, BYOD, INTERNAL, PRIVILEGED = "external", "partner", "byod", "internal", "privileged"
CATEGORIES = (EXTERNAL, PARTNER, BYOD, INTERNAL, PRIVILEGED)

# worst first: a control with several statuses on one hop counts with the worst of them
_STATUS_RANK = {"gap": 0, "needs_answer": 1, "partial": 2, "met": 3}
_WEIGHT: dict[str, float] = {MET.value: 1.0, PARTIAL.value: 0.5}


@dataclass
class HopControl:
    id: str
    title: str
    status: str  # met | partial | gap | needs_answer


@dataclass
class Hop:
    flow: str
    flow_title: str
    source: str
    target: str
    target_title: str
    controls: list[HopControl]
    open_threats: list[str]  # unresolved threats on the flow or on the element it reaches

    @property
    def met(self) -> int:
        return sum(1 for c in self.controls if c.status == MET)

    @property
    def partial(self) -> int:
        return sum(1 for c in self.controls if c.status == PARTIAL)

    @property
    def missing(self) -> int:
        """Not in place, or not known to be: what keeps a hop from blocking."""
        return sum(1 for c in self.controls if c.status not in (MET, PARTIAL))

    @property
    def gaps(self) -> int:
        return sum(1 for c in self.controls if c.status not in (MET, PARTIAL, NEEDS_ANSWER))

    @property
    def unconfirmed(self) -> int:
        return sum(1 for c in self.controls if c.status == NEEDS_ANSWER)

    @property
    def blocks(self) -> bool:
        """Something stands here and nothing is missing: the intruder has no known way past this hop."""
        return self.missing == 0 and self.met + self.partial > 0


@dataclass
class AttackPath:
    category: str  # external | partner | byod | internal | privileged
    entry: str
    entry_title: str
    target: str
    target_title: str
    hops: list[Hop]
    resistance: float  # met controls + half the partial ones, over every hop
    blocking_hops: int  # hops with controls in place and none missing
    worst_open_level: str | None  # the highest residual level of the unresolved threats on the path
    open_threats: list[str] = field(default_factory=list)

    @property
    def elements(self) -> list[str]:
        return [self.entry] + [h.target for h in self.hops]

    @property
    def flows(self) -> list[str]:
        return [h.flow for h in self.hops]

    def counts(self) -> dict[str, int]:
        """Controls on the path by status: in place, partly, missing (a gap), not confirmed (the model does not
        say whether the threat's condition holds, or the control's question is unanswered)."""
        return {"met": sum(h.met for h in self.hops), "partial": sum(h.partial for h in self.hops),
                "missing": sum(h.gaps for h in self.hops), "not_confirmed": sum(h.unconfirmed for h in self.hops)}

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["counts"] = self.counts()
        return d


# --- reading the analysis (kept small: the result's shape may change) -------------------------------

def _targets_of(t: Any) -> list[str]:
    """Every target a threat (or a grouped finding with members) is about."""
    out = [t.target]
    for m in getattr(t, "members", None) or []:
        tgt = m if isinstance(m, str) else getattr(m, "target", None) or (m.get("target") if isinstance(m, dict) else None)
        if tgt and tgt not in out:
            out.append(tgt)
    return out


def _controls_of(t: Any) -> list[Any]:
    return list(t.controls)


def _open(t: Any) -> bool:
    return bool(t.unresolved)


def _handled(t: Any) -> bool:
    return t.status in (MITIGATED, FALSE_POSITIVE)


def _level_of(t: Any) -> str:
    return str(t.residual_level)


# --- entries and targets -------------------------------------------------------------------------------

def entry_category(e: dict[str, Any]) -> str | None:
    """The intruder category that starts at an element (its facts), or None when none does."""
    zone, kind, tech = e.get("zone"), e.get("kind"), e.get("technology")
    if tech == Technology.BYOD_DEVICE.value:
        return BYOD
    if zone == Zone.PARTNER.value or (tech == Technology.PARTNER_SYSTEM.value and zone not in BANK_ZONES):
        return PARTNER
    if zone == Zone.INTERNET.value or (kind == ElementKind.EXTERNAL_ENTITY.value and zone is None):
        return EXTERNAL
    if e.get("privileged_access"):
        return PRIVILEGED
    if kind == ElementKind.EXTERNAL_ENTITY.value and zone in BANK_ZONES:
        return INTERNAL
    return None


def is_sensitive_target(e: dict[str, Any]) -> bool:
    """A process or store of the bank worth an intruder's effort."""
    if e.get("kind") == ElementKind.EXTERNAL_ENTITY.value:
        return False
    if e.get("zone") not in BANK_ZONES and e.get("zone") is not None:
        return False
    return bool(e.get("handles_pd") or e.get("handles_sensitive") or e.get("technology") == Technology.HSM.value)


# --- the paths ---------------------------------------------------------------------------------------

def _holds_on_unstated(rule: CompiledRule, kind: str, tid: str, ctx: dict[str, Any], facts: Facts) -> bool:
    """The rule's condition is false on what the model states, but could hold on what it leaves unstated."""
    left_out = facts.unstated.get(tid)
    if not left_out or rule.tri is None or rule.reads.isdisjoint(left_out):
        return False
    return rule.tri({**ctx, UNKNOWN_KEY: {kind: left_out}})[0] is None


def path_facts(model: Model, path: str = "") -> Facts:
    """The facts the analysis uses: the model's, with linked configuration files applied."""
    facts = compute_facts(model)
    if model.configs:
        from tmodel.analysis.config_facts import apply, audit_linked

        apply(facts, model, audit_linked(model, path)[0])
    return facts


def attack_paths(model: Model, a: Analysis, catalog: Catalog, *, to: str | None = None, path: str = "",
                 facts: Facts | None = None) -> list[AttackPath]:
    """The weakest path from every entry point to every sensitive target (or to ``to`` only),
    weakest first."""
    facts = facts or path_facts(model, path or a.path)
    titles = {e.id: e.title for e in model.elements}
    flows = {f.id: f for f in model.flows}
    active = applicable_catalogs(model, catalog)
    rules = [r for rid, r in sorted(catalog.rules.items()) if r.catalog in active and r.rule.applies.to != AppliesTo.MODEL]

    found: dict[str, Any] = {}
    for t in a.threats:
        for tgt in _targets_of(t):
            found[f"{t.rule}@{tgt}"] = t

    def stand(kind: str, tid: str) -> tuple[list[HopControl], list[Any]]:
        """The controls relevant at one target, with their status there, and the open threats."""
        ctx = {kind: facts.flows[tid] if kind == "flow" else facts.elements[tid], "model": facts.model}
        out: list[HopControl] = []
        threats: list[Any] = []
        for cr in rules:
            r = cr.rule
            if r.applies.to.value != kind or not r.controls:
                continue
            if kind == "element" and ((r.applies.kinds and ctx["element"]["kind"] not in {k.value for k in r.applies.kinds})
                                      or (r.applies.technologies
                                          and ctx["element"]["technology"] not in {x.value for x in r.applies.technologies})):
                continue
            if cr.scope is not None and not cr.scope(ctx):
                continue
            t = found.get(f"{r.id}@{tid}")
            if t is None:  # relevant here, and the condition of the threat is absent: its controls hold, unless
                # it is absent only because the model leaves a fact unstated (the compliance view's 'needs an answer')
                status = NEEDS_ANSWER if _holds_on_unstated(cr, kind, tid, ctx, facts) else MET
                out += [HopControl(c, catalog.controls[c].title if c in catalog.controls else c, status) for c in r.controls]
                continue
            if _open(t):
                threats.append(t)
            handled = _handled(t)  # mitigated or a false positive by decision: nothing is missing here
            out += [HopControl(c.id, c.title, MET if handled else c.status) for c in _controls_of(t)
                    if c.status != NOT_APPLICABLE]
        return out, threats

    def hop_of(fid: str) -> Hop:
        f = flows[fid]
        seen: dict[str, HopControl] = {}
        open_ids: list[str] = []
        for kind, tid in (("flow", fid), ("element", f.target)):
            controls, threats = stand(kind, tid)
            open_ids += [t.id for t in threats if t.id not in open_ids]
            for c in controls:
                old = seen.get(c.id)
                if old is None or _STATUS_RANK.get(c.status, 0) < _STATUS_RANK.get(old.status, 0):
                    seen[c.id] = c
        return Hop(fid, f.title, f.source, f.target, titles.get(f.target, f.target),
                   sorted(seen.values(), key=lambda c: (_STATUS_RANK.get(c.status, 0), c.id)), open_ids)

    hops = {fid: hop_of(fid) for fid in sorted(flows) if flows[fid].source in titles and flows[fid].target in titles}
    on_target = {t.id: t for t in a.threats}

    def weakness(fid: str) -> tuple[Any, ...]:
        """Weakest first: a hop that does not block, with the most missing, the least in place."""
        h = hops[fid]
        return (h.blocks, -h.missing, sum(_WEIGHT.get(c.status, 0.0) for c in h.controls), fid)

    # one edge per ordered pair of elements: the weakest of the parallel flows
    g = nx.DiGraph()
    g.add_nodes_from(sorted(titles))
    for fid, h in hops.items():
        cur = g.get_edge_data(h.source, h.target)
        if cur is None or weakness(fid) < weakness(cur["flow"]):
            g.add_edge(h.source, h.target, flow=fid)

    entries = [(eid, cat) for eid in sorted(facts.elements) if (cat := entry_category(facts.elements[eid]))]
    targets = [eid for eid in sorted(facts.elements) if is_sensitive_target(facts.elements[eid])]
    outside = {eid: cat in (EXTERNAL, PARTNER, BYOD) for eid, cat in entries}
    if to is not None:
        targets = [x for x in targets if x == to] or ([to] if to in titles else [])

    out: list[AttackPath] = []
    reach = {entry: nx.descendants(g, entry) for entry, _ in entries}  # one search per entry, not per pair
    for (entry, cat), target in itertools.product(entries, targets):
        if entry == target or target not in reach[entry]:
            continue
        best: AttackPath | None = None
        for nodes in itertools.islice(nx.shortest_simple_paths(g, entry, target), MAX_CANDIDATES):
            if len(nodes) - 1 > MAX_HOPS:
                break
            if any(outside.get(n) for n in nodes[1:-1]):
                continue  # the way in runs through the bank, not through someone else's system
            path_hops = [hops[g.edges[u, v]["flow"]] for u, v in itertools.pairwise(nodes)]
            p = _path(cat, entry, titles.get(entry, entry), target, titles.get(target, target), path_hops, on_target)
            if best is None or _pick(p) < _pick(best):
                best = p
        if best is not None:
            out.append(best)
    out.sort(key=_rank)
    return out


def _path(cat: str, entry: str, entry_title: str, target: str, target_title: str, hops: list[Hop],
          by_id: dict[str, Any]) -> AttackPath:
    resistance = sum(_WEIGHT.get(c.status, 0.0) for h in hops for c in h.controls)
    open_ids: list[str] = []
    worst: str | None = None
    for h in hops:
        for tid in h.open_threats:
            if tid not in open_ids:
                open_ids.append(tid)
                lv = _level_of(by_id[tid])
                if worst is None or LEVEL_ORDER[Level(lv)] > LEVEL_ORDER[Level(worst)]:
                    worst = lv
    return AttackPath(cat, entry, entry_title, target, target_title, hops, resistance,
                      sum(1 for h in hops if h.blocks), worst, open_ids)


def _pick(p: AttackPath) -> tuple[Any, ...]:
    """Between paths to the same target from the same entry: fewest blocking hops, the worst open
    threat, then the shortest (a longer way only adds hurdles), the least resistance."""
    worst = -LEVEL_ORDER[Level(p.worst_open_level)] if p.worst_open_level else 1
    return (p.blocking_hops, worst, len(p.hops), p.resistance, p.flows)


def _rank(p: AttackPath) -> tuple[Any, ...]:
    """Weakest first: fewest hops that block, then the worst open threat, the most controls
    missing, the least resistance, the fewest hops."""
    worst = -LEVEL_ORDER[Level(p.worst_open_level)] if p.worst_open_level else 1
    return (p.blocking_hops, worst, -p.counts()["missing"], p.resistance, len(p.hops),
            CATEGORIES.index(p.category), p.entry, p.target, p.flows)


def paths_dict(paths: list[AttackPath]) -> list[dict[str, Any]]:
    return [p.to_dict() for p in paths]
