"""What changed between two versions of a model, and what that did to its threats, risks and compliance.

A pure function of two (Model, Analysis) pairs: no I/O, no terminal. Used by ``tmodel diff`` in
review and CI. Everything is listed in a fixed order, so the same two versions give the same diff.

- Model items (boundaries, data assets, elements, flows) are matched by id. Among the removed and
  added items of one section, a pair whose other fields (and, for elements, whose flows' ends)
  are alike is reported as a rename, not as a removal and an addition.
- References are translated through the renames before comparing, so renaming an element does
  not also report every flow that points at it as changed.
- Threats ``RULE@target`` are matched across renames: ``RULE@old`` and ``RULE@new`` are one threat,
  carried over. Decisions are matched the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Callable

from pydantic import BaseModel

from tmodel.analysis.result import UNRESOLVED, Analysis, Threat, _jsonable
from tmodel.model.enums import LEVEL_ORDER, Level
from tmodel.model.types import Boundary, DataAsset, Decision, Element, Flow, Model

# (section in the model, singular name, class) in the order they are diffed and reported:
# references point backwards (elements name boundaries, flows name elements and data assets).
SECTIONS: tuple[tuple[str, str, type[BaseModel]], ...] = (
    ("boundaries", "boundary", Boundary),
    ("data_assets", "data asset", DataAsset),
    ("elements", "element", Element),
    ("flows", "flow", Flow),
)
SECTION_NAMES = {s: n for s, n, _ in SECTIONS}

# fields that must be equal for two items to be one item renamed
_SAME_KIND = {"boundaries": ("zone",), "data_assets": (), "elements": ("kind", "technology"), "flows": ()}
# fields that say more about an item's identity than the rest
_WEIGHTS = {"title": 2.0, "from": 2.0, "to": 2.0}
RENAME_THRESHOLD = 0.75

ADDED, REMOVED, CHANGED, RENAMED = "added", "removed", "changed", "renamed"
RAISED, RESOLVED, CARRIED = "raised", "resolved", "carried_over"
_ITEM_ORDER = {RENAMED: 0, ADDED: 1, REMOVED: 2, CHANGED: 3}
_THREAT_ORDER = {RAISED: 0, CHANGED: 1, CARRIED: 2, RESOLVED: 3}
_MISSING = object()


@dataclass
class FieldChange:
    path: str  # dotted, as written in the model (flows: from/to)
    old: Any
    new: Any


@dataclass
class ItemChange:
    section: str  # boundaries | data_assets | elements | flows
    change: str  # added | removed | changed | renamed
    id: str  # the new id (the old one for removals)
    title: str
    old_id: str | None = None  # renames
    similarity: float | None = None  # renames: how alike the two were, 0..1
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class ThreatChange:
    change: str  # raised | resolved | changed | carried_over
    id: str  # the id in the new version (the old one for resolved threats)
    old_id: str | None  # the id in the old version (None when raised; differs from id across a rename)
    rule: str
    title: str
    target: str
    target_kind: str
    target_title: str
    old_level: str | None
    new_level: str | None
    old_residual: str | None
    new_residual: str | None
    old_status: str | None
    new_status: str | None
    old_score: int | None
    new_score: int | None
    reason: str = ""  # why it was resolved or carried over

    @property
    def unresolved_now(self) -> bool:
        return self.new_status in UNRESOLVED

    def worsened_to(self, level: str) -> bool:
        """Unresolved now at or above ``level`` (residual), and new, newly unresolved or of a higher residual level."""
        if not self.unresolved_now or self.new_residual is None:
            return False
        floor = LEVEL_ORDER[Level(level)]
        now = LEVEL_ORDER[Level(self.new_residual)]
        if now < floor:
            return False
        if self.old_status is None or self.old_status not in UNRESOLVED:
            return True
        return self.old_residual is None or now > LEVEL_ORDER[Level(self.old_residual)]


@dataclass
class DecisionChange:
    threat: str  # the threat id in the new version (as written in the old one when removed)
    change: str  # added | removed | changed
    old_threat: str | None
    old_status: str | None
    new_status: str | None
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class IssueChange:
    change: str  # added | removed
    kind: str  # stale | expired | expiring
    threat: str
    message: str
    hint: str = ""


@dataclass
class StatusChange:
    """A control's or a requirement's compliance status that changed (None: not evaluated in that version)."""

    id: str
    title: str
    framework: str  # the framework (requirements) or catalog (controls)
    old: str | None
    new: str | None


@dataclass
class CoverageChange:
    framework: str
    title: str
    old: float | None
    new: float | None

    @property
    def delta(self) -> float:
        return round((self.new or 0.0) - (self.old or 0.0), 1)


@dataclass
class ModelDiff:
    old_label: str
    new_label: str
    model_id: str
    title: str
    metadata: list[FieldChange]
    items: list[ItemChange]
    threats: list[ThreatChange]
    decisions: list[DecisionChange]
    decision_issues: list[IssueChange]
    controls: list[StatusChange]
    requirements: list[StatusChange]
    coverage: list[CoverageChange]  # every framework of either version, changed or not
    old_open: dict[str, int]  # unresolved threats by residual level
    new_open: dict[str, int]

    @property
    def empty(self) -> bool:
        return not (self.metadata or self.items or self.threats or self.decisions or self.decision_issues
                    or self.controls or self.requirements or any(c.delta for c in self.coverage))

    def threats_by(self, change: str) -> list[ThreatChange]:
        return [t for t in self.threats if t.change == change]

    def regressions(self, level: str) -> list[ThreatChange]:
        """New or worsened unresolved threats whose residual level is at or above ``level``."""
        return [t for t in self.threats if t.change != RESOLVED and t.worsened_to(level)]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for c, raw in zip(self.coverage, d["coverage"]):
            raw["delta"] = c.delta
        out: dict[str, Any] = _jsonable(d)
        return out


# --- the diff -------------------------------------------------------------------------------

def diff_models(old: Model, old_a: Analysis, new: Model, new_a: Analysis,
                *, old_label: str = "old", new_label: str = "new") -> ModelDiff:
    renames: dict[str, dict[str, str]] = {s: {} for s, _, _ in SECTIONS}
    items: list[ItemChange] = []
    for section, _, cls in SECTIONS:
        items += _diff_section(section, cls, old, new, renames)
    target_map = {**renames["elements"], **renames["flows"]}

    metadata = _field_changes(_flat(old.metadata), _flat(new.metadata), skip=())
    threats = _diff_threats(old_a, new_a, old, new, target_map)
    decisions = _diff_decisions(old.decisions, new.decisions, target_map)
    issues = _diff_issues(old_a, new_a, target_map)
    controls = _diff_statuses({c.id: (c.title, c.catalog, c.status) for c in old_a.controls},
                              {c.id: (c.title, c.catalog, c.status) for c in new_a.controls})
    reqs_old = {r.id: (r.title, f.id, r.status) for f in old_a.frameworks for r in f.requirements}
    reqs_new = {r.id: (r.title, f.id, r.status) for f in new_a.frameworks for r in f.requirements}
    requirements = _diff_statuses(reqs_old, reqs_new)
    requirements.sort(key=lambda s: (s.framework, s.id))
    cov_old = {f.id: (f.title, f.coverage) for f in old_a.frameworks}
    cov_new = {f.id: (f.title, f.coverage) for f in new_a.frameworks}
    coverage = [CoverageChange(fw, (cov_new.get(fw) or cov_old[fw])[0], cov_old.get(fw, (None, None))[1],
                               cov_new.get(fw, (None, None))[1]) for fw in sorted(set(cov_old) | set(cov_new))]
    return ModelDiff(
        old_label=old_label, new_label=new_label, model_id=new.metadata.id, title=new.metadata.title,
        metadata=metadata, items=items, threats=threats, decisions=decisions, decision_issues=issues,
        controls=controls, requirements=requirements, coverage=coverage,
        old_open=old_a.counts_by_level(residual=True, unresolved_only=True),
        new_open=new_a.counts_by_level(residual=True, unresolved_only=True),
    )


def _diff_section(section: str, cls: type[BaseModel], old: Model, new: Model,
                  renames: dict[str, dict[str, str]]) -> list[ItemChange]:
    old_items = {x.id: x for x in getattr(old, section)}
    new_items = {x.id: x for x in getattr(new, section)}
    translate = _translator(section, renames)
    old_flat = {i: translate(_flat(x)) for i, x in old_items.items()}
    new_flat = {i: _flat(x) for i, x in new_items.items()}
    removed = sorted(set(old_items) - set(new_items))
    added = sorted(set(new_items) - set(old_items))

    matched = _match_renames(section, cls, removed, added, old_flat, new_flat, old, new, renames)
    renames[section].update({o: n for o, n, _ in matched})
    out: list[ItemChange] = []
    for o, n, sim in matched:
        out.append(ItemChange(section, RENAMED, n, new_items[n].title, old_id=o, similarity=round(sim, 2),
                              fields=_field_changes(old_flat[o], new_flat[n])))
    gone = {o for o, _, _ in matched}
    came = {n for _, n, _ in matched}
    out += [ItemChange(section, ADDED, i, new_items[i].title) for i in added if i not in came]
    out += [ItemChange(section, REMOVED, i, old_items[i].title) for i in removed if i not in gone]
    for i in sorted(set(old_items) & set(new_items)):
        fields = _field_changes(old_flat[i], new_flat[i])
        if fields:
            out.append(ItemChange(section, CHANGED, i, new_items[i].title, fields=fields))
    out.sort(key=lambda c: (_ITEM_ORDER[c.change], c.id))
    return out


def _translator(section: str, renames: dict[str, dict[str, str]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Rewrite an old item's references to the ids they have in the new version."""
    b, d, e = renames["boundaries"], renames["data_assets"], renames["elements"]

    def tr(flat: dict[str, Any]) -> dict[str, Any]:
        out = dict(flat)
        if section == "boundaries" and out.get("parent") in b:
            out["parent"] = b[out["parent"]]
        elif section == "elements" and out.get("boundary") in b:
            out["boundary"] = b[out["boundary"]]
        elif section == "flows":
            for k in ("from", "to"):
                if out.get(k) in e:
                    out[k] = e[out[k]]
            if isinstance(out.get("data"), list):
                out["data"] = [d.get(x, x) for x in out["data"]]
        return out

    return tr


def _match_renames(section: str, cls: type[BaseModel], removed: list[str], added: list[str],
                   old_flat: dict[str, dict[str, Any]], new_flat: dict[str, dict[str, Any]],
                   old: Model, new: Model, renames: dict[str, dict[str, str]]) -> list[tuple[str, str, float]]:
    if not removed or not added:
        return []
    defaults = _defaults(cls)
    same = _SAME_KIND[section]
    ends_old = _flow_ends(old, renames["elements"]) if section == "elements" else {}
    ends_new = _flow_ends(new, {}) if section == "elements" else {}
    pairs: list[tuple[float, str, str]] = []
    for o in removed:
        for n in added:
            a, b = old_flat[o], new_flat[n]
            if any(a.get(k) != b.get(k) for k in same):
                continue
            sim = _similarity(a, b, defaults, skip={"id", *same})
            if section == "elements" and (ends_old.get(o) or ends_new.get(n)):
                sim = 0.6 * sim + 0.4 * _jaccard(ends_old.get(o, set()), ends_new.get(n, set()))
            if sim >= RENAME_THRESHOLD:
                pairs.append((sim, o, n))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_o: set[str] = set()
    used_n: set[str] = set()
    out = []
    for sim, o, n in pairs:
        if o not in used_o and n not in used_n:
            used_o.add(o)
            used_n.add(n)
            out.append((o, n, sim))
    return sorted(out, key=lambda x: x[1])


def _flow_ends(model: Model, rename: dict[str, str]) -> dict[str, set[tuple[str, str, str]]]:
    """Element id -> its flows' other ends: (direction, other element, protocol)."""
    out: dict[str, set[tuple[str, str, str]]] = {}
    for f in model.flows:
        s, t = rename.get(f.source, f.source), rename.get(f.target, f.target)
        out.setdefault(f.source, set()).add(("out", t, f.protocol.value))
        out.setdefault(f.target, set()).add(("in", s, f.protocol.value))
    return out


def _jaccard(a: set[Any], b: set[Any]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _similarity(a: dict[str, Any], b: dict[str, Any], defaults: dict[str, Any], skip: set[str]) -> float:
    """Weighted share of equal fields among those that differ from the defaults on either side."""
    total = same = 0.0
    for k in sorted(set(a) | set(b)):
        if k in skip:
            continue
        va, vb = a.get(k, _MISSING), b.get(k, _MISSING)
        dflt = defaults.get(k, _MISSING)
        if va == dflt and vb == dflt:
            continue
        w = _WEIGHTS.get(k, 1.0)
        total += w
        same += w if va == vb else 0.0
    return same / total if total else 1.0


def _defaults(cls: type[BaseModel]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, f in cls.model_fields.items():
        if f.is_required():
            continue
        d = f.get_default(call_default_factory=True)
        out.update(_flatten({f.alias or name: _plain(d)}))
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, BaseModel):
        return v.model_dump(mode="json", by_alias=True)
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


def _flat(item: BaseModel) -> dict[str, Any]:
    return _flatten(item.model_dump(mode="json", by_alias=True))


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _field_changes(a: dict[str, Any], b: dict[str, Any], skip: tuple[str, ...] = ("id",)) -> list[FieldChange]:
    out = []
    for k in sorted(set(a) | set(b)):
        if k in skip:
            continue
        va, vb = a.get(k), b.get(k)
        if va != vb:
            out.append(FieldChange(k, va, vb))
    return out


# --- threats, decisions, compliance ----------------------------------------------------------

def _renamed_threat(tid: str, target_map: dict[str, str]) -> str:
    rule, _, target = tid.partition("@")
    return f"{rule}@{target_map[target]}" if target in target_map else tid


def _diff_threats(old_a: Analysis, new_a: Analysis, old: Model, new: Model, target_map: dict[str, str]) -> list[ThreatChange]:
    olds = {_renamed_threat(t.id, target_map): t for t in old_a.threats}
    news = {t.id: t for t in new_a.threats}
    new_targets = {x.id for x in new.elements} | {x.id for x in new.flows} | {"model"}
    out: list[ThreatChange] = []
    for tid in sorted(set(olds) | set(news)):
        o, n = olds.get(tid), news.get(tid)
        if o is None and n is not None:
            out.append(_threat_change(RAISED, None, n))
        elif n is None and o is not None:
            gone = o.target not in new_targets and o.target not in target_map
            reason = f"{o.target_kind} {o.target} removed" if gone else "the rule no longer fires"
            if o.target in target_map:
                reason += f" (on {o.target_kind} {o.target}, renamed to {target_map[o.target]})"
            out.append(_threat_change(RESOLVED, o, None, reason))
        elif o is not None and n is not None:
            moved = o.id != n.id
            differs = (o.level, o.residual_level, o.status, o.score) != (n.level, n.residual_level, n.status, n.score)
            if moved:
                out.append(_threat_change(CARRIED, o, n, f"{n.target_kind} {o.target} renamed to {n.target}"))
            elif differs:
                out.append(_threat_change(CHANGED, o, n))
    out.sort(key=lambda c: (_THREAT_ORDER[c.change], -LEVEL_ORDER[Level(c.new_residual or c.old_residual or "low")], c.id))
    return out


def _threat_change(change: str, o: Threat | None, n: Threat | None, reason: str = "") -> ThreatChange:
    t = n or o
    assert t is not None
    return ThreatChange(
        change=change, id=t.id, old_id=o.id if o else None, rule=t.rule, title=t.title, target=t.target,
        target_kind=t.target_kind, target_title=t.target_title,
        old_level=o.level if o else None, new_level=n.level if n else None,
        old_residual=o.residual_level if o else None, new_residual=n.residual_level if n else None,
        old_status=o.status if o else None, new_status=n.status if n else None,
        old_score=o.score if o else None, new_score=n.score if n else None, reason=reason,
    )


def _diff_decisions(old: list[Decision], new: list[Decision], target_map: dict[str, str]) -> list[DecisionChange]:
    olds = {_renamed_threat(d.threat, target_map): d for d in old}
    news = {d.threat: d for d in new}
    out = []
    for tid in sorted(set(olds) | set(news)):
        o, n = olds.get(tid), news.get(tid)
        fo = _flat(o) if o else {}
        fn = _flat(n) if n else {}
        if o is not None and n is not None:
            fo["threat"] = n.threat  # the rename itself is reported with the threat
            fields = _field_changes(fo, fn)
            if fields:
                out.append(DecisionChange(tid, CHANGED, o.threat, o.status.value, n.status.value, fields))
        elif n is not None:
            fn.pop("threat")
            out.append(DecisionChange(tid, ADDED, None, None, n.status.value, _field_changes({}, fn)))
        elif o is not None:
            out.append(DecisionChange(o.threat, REMOVED, o.threat, o.status.value, None))
    return out


def _diff_issues(old_a: Analysis, new_a: Analysis, target_map: dict[str, str]) -> list[IssueChange]:
    olds = {(i.kind, _renamed_threat(i.threat, target_map)): i for i in old_a.decision_issues}
    news = {(i.kind, i.threat): i for i in new_a.decision_issues}
    out = []
    for key in sorted(set(olds) | set(news)):
        if key in olds and key in news:
            continue
        i = news.get(key) or olds[key]
        hint = ""
        if key in news and i.kind == "stale":
            moved = _renamed_threat(i.threat, target_map)
            if moved != i.threat:
                hint = f"its target was renamed: change the decision's threat to {moved}"
        out.append(IssueChange(ADDED if key in news else REMOVED, i.kind, i.threat, i.message, hint))
    return out


def _diff_statuses(old: dict[str, tuple[str, str, str]], new: dict[str, tuple[str, str, str]]) -> list[StatusChange]:
    out = []
    for k in sorted(set(old) | set(new)):
        o, n = old.get(k), new.get(k)
        if (o and o[2]) != (n and n[2]):
            title, group, _ = n or o  # type: ignore[misc]
            out.append(StatusChange(k, title, group, o[2] if o else None, n[2] if n else None))
    return out

