"""The Analysis: the one object every view reads (CLI, TUI, register, record, diagram, JSON, SARIF)."""

from __future__ import annotations

import datetime as dt
import copy
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from tmodel.model.enums import LEVEL_ORDER, DecisionStatus, DescribedEnum, Level


class ThreatStatus(DescribedEnum):
    """A finding's effective status: its decision's, except that an acceptance past its expiry is 'expired'.
    The descriptions are the legends every view shows (register, record, app)."""
    OPEN = ("open", DecisionStatus.OPEN.description)
    EXPIRED = ("expired", "Accepted, but the acceptance expired before the analysis date: treated as open")
    ACCEPTED = ("accepted", DecisionStatus.ACCEPTED.description)
    TRANSFERRED = ("transferred", DecisionStatus.TRANSFERRED.description)
    MITIGATED = ("mitigated", DecisionStatus.MITIGATED.description)
    FALSE_POSITIVE = ("false_positive", DecisionStatus.FALSE_POSITIVE.description)


class ComplianceStatus(DescribedEnum):
    """The status of a control or a requirement."""
    MET = ("met", "Every applicable control is in place")
    PARTIAL = ("partial", "Some controls are in place, or only for part of the scope")
    GAP = ("gap", "No control is in place")
    NEEDS_ANSWER = ("needs_answer", "The model cannot tell: the audit question needs an answer with evidence, "
                    "or a fact the check reads is not stated")
    NOT_APPLICABLE = ("not_applicable", "Does not apply to this integration")


# the members under their short names (they are strings: 'open' == OPEN)
OPEN, MITIGATED, ACCEPTED, TRANSFERRED, FALSE_POSITIVE, EXPIRED = (
    ThreatStatus.OPEN, ThreatStatus.MITIGATED, ThreatStatus.ACCEPTED, ThreatStatus.TRANSFERRED,
    ThreatStatus.FALSE_POSITIVE, ThreatStatus.EXPIRED)
THREAT_STATUSES = tuple(ThreatStatus)
UNRESOLVED = (OPEN, EXPIRED)

MET, PARTIAL, GAP, NOT_APPLICABLE, NEEDS_ANSWER = (
    ComplianceStatus.MET, ComplianceStatus.PARTIAL, ComplianceStatus.GAP, ComplianceStatus.NOT_APPLICABLE,
    ComplianceStatus.NEEDS_ANSWER)
COMPLIANCE_STATUSES = tuple(ComplianceStatus)


@dataclass
class ControlRef:
    id: str
    title: str
    status: str


@dataclass
class DecisionView:
    status: str
    owner: str | None
    reason: str
    control: str | None
    expires: dt.date | None
    decided_by: str | None
    decided_on: dt.date | None


@dataclass
class Member:
    """One item a finding covers: a grouped finding lists every affected flow, each with why it matched."""
    id: str  # the member's own threat id (RULE@item): a decision may name it
    target: str
    target_title: str
    why: list[str]
    likelihood: int
    impact: int
    level: str  # the member's own residual level (a finding takes its worst member's)


@dataclass
class Unknown:
    """A fact the model leaves unstated (or an importer's placeholder) that decides whether rules fire:
    an assumption to confirm, shown as a question that needs an answer, never a threat on its own."""
    id: str  # unstated:PATH@item, or @source->target for a group of flows
    fact: str  # e.g. flow.tls.min_version
    text: str  # "TLS version of this flow is not stated"
    targets: list[str]  # the items where it is unstated
    target_title: str
    rules: list[str]  # the rules that would fire if it were stated as it now defaults
    requirements: list[str]


@dataclass
class Threat:
    id: str
    rule: str
    catalog: str
    target: str
    target_kind: str  # element | flow | model, or flows: a finding that groups the flows between two elements
    target_title: str
    title: str
    stride: list[str]
    likelihood: int
    impact: int
    score: int
    level: str
    adjustments: list[str]
    why: list[str]
    controls: list[ControlRef]
    residual_likelihood: int
    residual_score: int
    residual_level: str
    status: str
    decision: DecisionView | None
    requirements: list[str]
    frameworks: list[str]
    description: str
    detection: str
    false_positives: str
    mitigation: str
    cwe: list[int]
    capec: list[int]
    members: list[Member] = field(default_factory=list)  # every affected item (one for an ungrouped finding)
    position: str = ""  # who can reach the target (tmodel.graph.POSITIONS)
    title_ru: str = ""  # the rule's title in Russian (the catalog's ru: block), for Russian documents

    @property
    def unresolved(self) -> bool:
        return self.status in UNRESOLVED

    def where(self) -> str:
        """Where the finding is, in words: the model, one element or flow, or every flow a group covers."""
        if self.target_kind == "model":
            return f"model: {self.target_title}"
        if self.target_kind == "flows":
            return f"{self.target_title} ({', '.join(m.target for m in self.members)})"
        return f"{self.target_kind} {self.target}: {self.target_title}"


@dataclass
class ControlResult:
    id: str
    title: str
    catalog: str
    kind: str  # automatic | manual | declared
    status: str
    evidence: str
    notes: list[str]
    satisfies: list[str]
    mitigates: list[str]  # threat ids in this analysis
    question: str | None = None
    expected_evidence: str | None = None
    answer_required: bool = False
    violations: list[str] = field(default_factory=list)  # target ids where the automatic check fails
    checked: list[str] = field(default_factory=list)  # target ids where the automatic check ran on stated facts
    title_ru: str = ""  # the control's title in Russian (the catalog's ru: block)


@dataclass
class RequirementResult:
    id: str
    framework: str
    clause: str
    title: str
    confidence: str
    status: str
    controls: list[ControlRef]
    evidence: str


@dataclass
class FrameworkResult:
    id: str
    title: str
    requirements: list[RequirementResult]
    counts: dict[str, int]
    coverage: float  # percent, one decimal


@dataclass
class DecisionIssue:
    threat: str
    kind: str  # stale | expired | expiring
    message: str
    line: int
    expires: dt.date | None = None


@dataclass
class Analysis:
    model_id: str
    title: str
    owner: str
    path: str
    as_of: dt.date
    threats: list[Threat]
    controls: list[ControlResult]
    frameworks: list[FrameworkResult]
    decision_issues: list[DecisionIssue]
    overrides: list[str]
    frameworks_not_applicable: list[str] = field(default_factory=list)  # no requirement applies to this model
    not_applicable_reasons: dict[str, str] = field(default_factory=dict)  # framework id -> why it does not apply
    unknowns: list[Unknown] = field(default_factory=list)

    def counts_by_level(self, *, residual: bool = False, unresolved_only: bool = False) -> dict[str, int]:
        out = {lv.value: 0 for lv in Level}
        for t in self.threats:
            if unresolved_only and not t.unresolved:
                continue
            out[t.residual_level if residual else t.level] += 1
        return out

    def counts_by_status(self) -> dict[str, int]:
        out = {s.value: 0 for s in THREAT_STATUSES}
        for t in self.threats:
            out[t.status] += 1
        return out

    def heatmap(self) -> list[list[int]]:
        """5x5 counts, [likelihood-1][impact-1], of unresolved threats (inherent scores)."""
        grid = [[0] * 5 for _ in range(5)]
        for t in self.threats:
            if t.unresolved:
                grid[t.likelihood - 1][t.impact - 1] += 1
        return grid

    def open_at_or_above(self, lvl: str) -> list[Threat]:
        floor = LEVEL_ORDER[Level(lvl)]
        return [t for t in self.threats if t.unresolved and LEVEL_ORDER[Level(t.residual_level)] >= floor]

    def coverage(self) -> dict[str, float]:
        return {f.id: f.coverage for f in self.frameworks}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = _jsonable(self)
        return out


_FIELDS: dict[type, tuple[str, ...]] = {}


def _jsonable(v: Any) -> Any:
    """Plain JSON data in one pass, as ``asdict`` then converting dates would give (``asdict`` deep-copied
    every value first: a third of a large analysis' JSON time)."""
    cls = type(v)
    names = _FIELDS.get(cls)
    if names is None and is_dataclass(v) and not isinstance(v, type):
        names = _FIELDS[cls] = tuple(f.name for f in fields(v))
    if names is not None:
        return {n: _jsonable(getattr(v, n)) for n in names}
    if cls is str or cls is int or cls is float or cls is bool or v is None:
        return v
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return copy.deepcopy(v)  # what asdict did with any other value
