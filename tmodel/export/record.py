"""The architecture record (Markdown): what a reviewer needs to sign off one integration, readable
on its own. Every piece of model or catalog text is escaped (``safe.md`` / ``md_cell`` /
``md_code``). Deterministic: same model, date and options, same bytes."""

from __future__ import annotations

from collections import Counter
from enum import Enum

from pydantic import BaseModel

from tmodel import __version__
from tmodel.analysis import risk
from tmodel.analysis.paths import AttackPath
from tmodel.analysis.result import COMPLIANCE_STATUSES, THREAT_STATUSES, Analysis, Threat
from tmodel.catalog.bdu import label as bdu_label
from tmodel.catalog.bdu import threat_bdu
from tmodel.catalog.types import Confidence
from tmodel.export.common import asset_reach, boundary_tree, file_names, method_items, risk_by_target
from tmodel.export.register import COMPLIANCE_STATUS_TEXT, EFFECTIVE_STATUS_TEXT
from tmodel.export.paths_report import paths_markdown
from tmodel.export.safe import md, md_cell, md_code
from tmodel.model.enums import LEVEL_ORDER, Level, Stride
from tmodel.model.types import Boundary, Element, Flow, Model

RECORD_PATHS = 5  # attack paths shown hop by hop; the rest are in the summary table

STRIDE_NAMES = {s.value: s.description.split(":")[0] for s in Stride}


def md1(text: object) -> str:
    """Escaped text on one line (list items, headings)."""
    return " ".join(md(text).split("\n")).strip()


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _yn(v: bool) -> str:
    return "yes" if v else "no"


def _value(v: object) -> str:
    if isinstance(v, Enum):
        return str(v.value)
    if isinstance(v, bool):
        return _yn(v)
    if isinstance(v, (list, tuple)):
        return ", ".join(_value(x) for x in v)
    return str(v)


def _nondefault(obj: BaseModel, skip: set[str], prefix: str = "") -> list[str]:
    """Every field that differs from its default, in declaration order: 'name' for a true flag,
    'name: value' otherwise. Generic, so fields added to the model format show up here too."""
    out: list[str] = []
    for name, info in type(obj).model_fields.items():
        if name in skip:
            continue
        v = getattr(obj, name)
        if isinstance(v, BaseModel):
            out += _nondefault(v, set(), f"{prefix}{name}.")
            continue
        if v == info.get_default(call_default_factory=True):
            continue
        label = (prefix + name).replace("_", " ")
        out.append(label if v is True else f"{label}: {_value(v)}")
    return out


def _element_props(e: Element) -> str:
    props = [f"logging: {e.logging.value}"]
    if e.kind.value == "data_store":
        props.append(f"encrypted at rest: {_yn(e.encrypted_at_rest)}")
    props += _nondefault(e, {"id", "title", "kind", "technology", "boundary", "description", "logging", "encrypted_at_rest"})
    return "; ".join(props)


def _tls(f: Flow) -> str:
    t = f.tls
    if t.min_version.value == "none":
        return "none"
    parts = [f"TLS {t.min_version.value}+", "forward secrecy" if t.forward_secrecy else "no forward secrecy"]
    if t.mutual:
        parts.append("mutual (client cert verified)" if t.client_cert_verified else "mutual (client cert NOT verified)")
    return ", ".join(parts)


def _authn(f: Flow) -> str:
    return ", ".join([f.authentication.method.value] + _nondefault(f.authentication, {"method"}))


def _authz(f: Flow) -> str:
    return ", ".join(_nondefault(f.authorization, set())) or "none"


def _protections(f: Flow) -> str:
    parts = _nondefault(f, {"id", "title", "source", "target", "description", "protocol", "tls", "authentication",
                            "authorization", "data", "logging"})
    return ", ".join(parts + [f"logging: {f.logging.value}"])


def record_markdown(a: Analysis, model: Model, *, svg: bool = False, paths: list[AttackPath] | None = None) -> str:
    """The record. ``svg``: the data-flow SVG is written next to it (embed it), else point to the DOT file.
    ``paths``: the model's attack paths (``tmodel.analysis.paths``), shown at the end of the threats."""
    names = file_names(a.model_id)
    m = model.metadata
    risk_of = risk_by_target(a)
    out: list[str] = [f"# Architecture record: {md1(a.title)}", ""]
    out += _table(["", ""], [
        ["Model", md_code(a.model_id)],
        ["Owner", md_cell(a.owner)],
        ["Date of analysis", a.as_of.isoformat()],
        ["GOST R 57580.1 protection level", f"{m.gost_level.value}: {md_cell(m.gost_level.description)}"],
        ["152-FZ protection level", f"{m.pd_level.value}: {md_cell(m.pd_level.description)}" if m.pd_level else "not set"],
        ["Catalogs", ", ".join(md_code(c) for c in m.catalogs) if m.catalogs is not None else "every loaded catalog"],
        ["Last security review", m.reviewed_on.isoformat() if m.reviewed_on else "not recorded"],
        ["Tags", ", ".join(md_cell(t) for t in m.tags) or "none"],
        ["Generated by", f"tmodel {__version__}"],
    ])

    # 1. context
    out += ["", "## 1. Context and scope", ""]
    out += [md(m.description).strip() or "_No description in the model._", ""]
    unresolved = [t for t in a.threats if t.unresolved]
    res = a.counts_by_level(residual=True, unresolved_only=True)
    out.append(f"Scope: {len(model.elements)} element(s), {len(model.flows)} flow(s), {len(model.data_assets)} data asset(s), "
               f"{len(model.boundaries)} trust boundary(ies).")
    out.append("")
    out.append(f"Result: {len(a.threats)} threat(s), {len(unresolved)} unresolved; unresolved by residual level: "
               + ", ".join(f"{lv.value} {res[lv.value]}" for lv in reversed(list(Level))) + ".")
    if a.frameworks:
        out += ["", "Compliance coverage (details in section 9):", ""]
        out += _table(["Framework", "Coverage", "Gaps", "Needs answer"],
                      [[f"{md_cell(f.title)} ({md_code(f.id)})", f"{f.coverage:.1f}%", str(f.counts["gap"]),
                        str(f.counts["needs_answer"])] for f in a.frameworks])
    if a.frameworks_not_applicable:
        out += ["", "No requirement of these frameworks applies to this integration: "
                + ", ".join(md_code(f) for f in a.frameworks_not_applicable) + "."]
    for note in a.overrides:
        out += ["", f"Catalog override: {md(note)}"]

    # 2. diagrams
    out += ["", "## 2. Data-flow diagram", ""]
    if svg:
        out += [f"![Data flow]({names['svg']})", "", f"![Where the data goes]({names['data-svg']})"]
    else:
        out += [f"The diagram was not rendered with this record (SVG needs Graphviz `dot`). Its source is "
                f"`{names['dot']}` (where the data goes: `{names['data-dot']}`), written by `tmodel export --format dot`; "
                f"render it with `dot -Tsvg {names['dot']} -o {names['svg']}`."]
    out += ["", "Nodes and flows are coloured by their highest unresolved residual risk level (critical purple, "
            "high red, medium orange, low green; grey: nothing unresolved). Boxes are external entities, rounded "
            "boxes processes, cylinders data stores; dashed frames are outside zones (internet, partner)."]

    # 3. data assets
    reach = asset_reach(model)
    out += ["", "## 3. Data assets and classification", ""]
    if model.data_assets:
        rows = []
        for d in model.data_assets:
            cb = d.cross_border
            cross = ("to " + ", ".join(cb.countries) if cb.countries else "yes") + ("; regulator notified" if cb.rkn_notified else "; regulator NOT notified") if cb.transfer else "no"
            rows.append([md_code(d.id), md_cell(d.title), d.classification.value, d.pd_category.value, d.volume.value,
                         _yn(d.masked), md_cell(cross), ", ".join(md_code(x) for x in reach[d.id].flows) or "none",
                         ", ".join(md_code(x) for x in reach[d.id].elements) or "none"])
        out += _table(["Asset", "Title", "Classification", "Personal data", "Volume", "Masked", "Cross-border",
                       "Carried by", "Reaches"], rows)
    else:
        out.append("_The model declares no data assets._")

    # 4. boundaries
    out += ["", "## 4. Trust boundaries", ""]
    top, children = boundary_tree(model)
    by_boundary: dict[str, list[str]] = {}
    for e in model.elements:
        by_boundary.setdefault(e.boundary or "", []).append(e.id)

    def boundary_lines(b: Boundary, depth: int) -> list[str]:
        els = ", ".join(md_code(x) for x in by_boundary.get(b.id, [])) or "no elements"
        lines = [f"{'  ' * depth}- **{md(b.title)}** ({md_code(b.id)}, zone {b.zone.value}: {md(b.zone.description)}): {els}"]
        if b.description:
            lines[0] += f". {md1(b.description)}"
        for c in children.get(b.id, []) if depth < 32 else []:
            lines += boundary_lines(c, depth + 1)
        return lines

    for b in top:
        out += boundary_lines(b, 0)
    if not model.boundaries:
        out.append("_The model declares no trust boundaries._")
    if by_boundary.get(""):
        out.append("- Outside any boundary: " + ", ".join(md_code(x) for x in by_boundary[""]))

    # 5. elements and flows
    zone = {b.id: b.zone.value for b in model.boundaries}
    out += ["", "## 5. Elements", ""]
    out += _table(["Element", "Title", "Kind", "Technology", "Boundary (zone)", "Security properties", "Unresolved risk"], [
        [md_code(e.id), md_cell(e.title), e.kind.value, e.technology.value,
         f"{md_code(e.boundary)} ({zone.get(e.boundary, '?')})" if e.boundary else "none",
         md_cell(_element_props(e)), risk_of.get(e.id, "none")]
        for e in model.elements])
    out += ["", "## 6. Flows", ""]
    out += _table(["Flow", "Title", "From → to", "Protocol", "TLS", "Authentication", "Authorization", "Data", "Protections",
                   "Unresolved risk"], [
        [md_code(f.id), md_cell(f.title), f"{md_code(f.source)} → {md_code(f.target)}", f.protocol.value, md_cell(_tls(f)),
         md_cell(_authn(f)), md_cell(_authz(f)), ", ".join(md_code(x) for x in f.data) or "none", md_cell(_protections(f)),
         risk_of.get(f.id, "none")]
        for f in model.flows])

    # 7. threats
    out += ["", "## 7. Threats", ""]
    inh = a.counts_by_level()
    out += _table(["Level", "Threats (inherent level)", "Unresolved (residual level)"],
                  [[lv.value, str(inh[lv.value]), str(res[lv.value])] for lv in reversed(list(Level))]
                  + [["total", str(len(a.threats)), str(sum(res.values()))]])
    if not a.threats:
        out += ["", "_No threat fired for this model._"]
    for lv in reversed(list(Level)):
        group = [t for t in a.threats if t.level == lv.value]
        if not group:
            continue
        out += ["", f"### {lv.value.capitalize()} ({len(group)})", "", md(lv.description)]
        for t in group:
            out += [""] + _threat(t)
    if paths is not None:
        out += ["", "### Attack paths", "",
                "From each intruder's entry point to each sensitive process or store, the weakest way along the flows, "
                "weakest first (`tmodel paths` lists every hop of every path). A hop blocks when controls stand on it "
                "and none is missing.", ""]
        out += paths_markdown(paths, lang="en", heading="####", limit=RECORD_PATHS)

    # 8. controls
    out += ["", "## 8. Controls", ""]
    if a.controls:
        counts = Counter(c.status for c in a.controls)
        out.append("Status: " + ", ".join(f"{st} {counts[st]}" for st in COMPLIANCE_STATUSES) + ".")
        out.append("")
        out += _table(["Control", "Title", "Kind", "Status", "Evidence", "Satisfies", "Mitigates", "Notes"], [
            [md_code(c.id), md_cell(c.title), c.kind, f"**{c.status}**" if c.status in ("gap", "needs_answer") else c.status,
             md_cell(c.evidence) if c.evidence else "none", ", ".join(md_code(x) for x in c.satisfies) or "none",
             ", ".join(md_code(x) for x in c.mitigates) or "none", md_cell("; ".join(c.notes)) if c.notes else " "]
            for c in a.controls])
        questions = [c for c in a.controls if c.question and c.status == "needs_answer"]
        if questions:
            out += ["", "Audit questions waiting for an answer:", ""]
            for c in questions:
                out.append(f"- {md_code(c.id)}: {md1(c.question)} Expected evidence: "
                           f"{md1(c.expected_evidence or 'not specified')}"
                           + (" (required at this GOST level)" if c.answer_required else ""))
    else:
        out.append("_No catalog control applies._")

    # 9. compliance
    out += ["", "## 9. Compliance", ""]
    out.append("Coverage = (met + half of partial) / applicable requirements. Clause confidence: "
               + "; ".join(f"{c.value}: {md(c.description)}" for c in Confidence) + ".")
    for f in a.frameworks:
        c = f.counts
        out += ["", f"### {md1(f.title)} ({md_code(f.id)}): {f.coverage:.1f}%", "",
                f"Met {c['met']}, partial {c['partial']}, gap {c['gap']}, needs answer {c['needs_answer']}, "
                f"not applicable {c['not_applicable']}.", ""]
        out += _table(["Requirement", "Clause", "Title", "Confidence", "Status", "Controls", "Evidence"], [
            [md_code(q.id), md_cell(q.clause), md_cell(q.title), q.confidence,
             f"**{q.status}**" if q.status in ("gap", "needs_answer") else q.status,
             ", ".join(f"{md_code(x.id)} ({x.status})" for x in q.controls) or "none",
             md_cell(q.evidence) if q.evidence else "none"]
            for q in f.requirements])
    if not a.frameworks:
        out.append("")
        out.append("_No framework applies._")

    # 10. decisions
    out += ["", "## 10. Decisions", ""]
    open_ = [t for t in a.threats if t.unresolved]
    out += ["### Open decisions", ""]
    if open_:
        out += ["Unresolved threats, highest residual level first: each needs a fix or a decision.", ""]
        ordered = sorted(open_, key=lambda t: (-LEVEL_ORDER[Level(t.residual_level)], -t.residual_score, t.id))
        out += _table(["Threat", "Residual level", "Status", "Owner", "Expires"], [
            [md_code(t.id), t.residual_level, t.status, md_cell(t.decision.owner) if t.decision and t.decision.owner else "none",
             t.decision.expires.isoformat() if t.decision and t.decision.expires else " "]
            for t in ordered])
    else:
        out.append("None: every threat is mitigated, accepted, transferred or a false positive.")
    decided = [t for t in a.threats if t.decision and not t.unresolved]
    out += ["", "### Decisions in force (mitigated, accepted, transferred, false positive)", ""]
    if decided:
        out += _table(["Threat", "Decision", "Owner", "Expires", "Decided by", "Decided on", "Justification"], [
            [md_code(t.id), t.status, md_cell(t.decision.owner or "none"),
             t.decision.expires.isoformat() if t.decision.expires else " ", md_cell(t.decision.decided_by or " "),
             t.decision.decided_on.isoformat() if t.decision.decided_on else " ", md_cell(t.decision.reason or " ")]
            for t in decided])
    else:
        out.append("None.")
    for kind, title, empty in (("expired", "Expired acceptances", "None."),
                               ("expiring", "Acceptances expiring within 30 days", "None."),
                               ("stale", "Stale decisions (their threat no longer exists)", "None.")):
        issues = [i for i in a.decision_issues if i.kind == kind]
        out += ["", f"### {title}", ""]
        out += [f"- {md_code(i.threat)}: {md1(i.message)}" for i in issues] or [empty]

    # 11. method
    out += ["", "## 11. Risk method", ""]
    out += [f"- {md1(line)}" for line in method_items()]
    out += ["", "Level by likelihood (rows) and impact (columns):", ""]
    out += _table(["Likelihood ↓ / impact →"] + [f"{i} {risk.IMPACT_NAMES[i]}" for i in range(1, 6)],
                  [[f"{lk} {risk.LIKELIHOOD_NAMES[lk]}"] + [risk.MATRIX[lk - 1][im - 1].value for im in range(1, 6)]
                   for lk in range(5, 0, -1)])
    out += [""] + [f"- **{lv.value}**: {md(lv.description)}" for lv in reversed(list(Level))]
    out += ["", "Threat statuses:", ""] + [f"- **{md(st)}**: {md(EFFECTIVE_STATUS_TEXT[st])}" for st in THREAT_STATUSES]
    out += ["", "Control and requirement statuses:", ""] + [f"- **{md(st)}**: {md(COMPLIANCE_STATUS_TEXT[st])}"
                                                            for st in COMPLIANCE_STATUSES]

    # 12. sign-off
    out += ["", "## 12. Sign-off", "",
            f"By signing, the reviewer confirms this record (model {md_code(a.model_id)}, analysis of {a.as_of.isoformat()}) "
            "describes the integration as built, and accepts the decisions in section 10.", ""]
    out += _table(["Role", "Name", "Date", "Signature"], [
        [role, " ", " ", " "] for role in ("Integration owner", "Security architect", "Information security (CISO office)",
                                           "Compliance", "Risk owner(s) of accepted risks")])
    return "\n".join(out).rstrip() + "\n"


def _threat(t: Threat) -> list[str]:
    stride = ", ".join(f"{s} ({STRIDE_NAMES.get(s, s)})" for s in t.stride)
    target = "the whole model" if t.target_kind == "model" else f"{t.target_kind} {md_code(t.target)} ({md1(t.target_title)})"
    lines = [f"#### {md_code(t.id)}: {md1(t.title)}", "",
             f"- Target: {target}",
             f"- STRIDE: {stride}",
             f"- Risk: likelihood {t.likelihood} ({risk.LIKELIHOOD_NAMES[t.likelihood]}) × impact {t.impact} "
             f"({risk.IMPACT_NAMES[t.impact]}) = {t.score}, **{t.level}**; residual likelihood {t.residual_likelihood}, "
             f"score {t.residual_score}, **{t.residual_level}**"]
    if t.adjustments:
        lines.append("- Adjusted: " + "; ".join(md1(x) for x in t.adjustments))
    if t.why:
        lines.append("- Why it fired: " + "; ".join(md1(x) for x in t.why))
    status = f"- Status: **{t.status}**"
    if t.decision:
        d = t.decision
        extra = [f"owner {md1(d.owner)}" if d.owner else "", f"expires {d.expires.isoformat()}" if d.expires else "",
                 f"control {md_code(d.control)}" if d.control else ""]
        extra = [x for x in extra if x]
        if extra:
            status += " (" + ", ".join(extra) + ")"
        if d.reason:
            status += ": " + md1(d.reason)
    lines.append(status)
    if t.controls:
        lines.append("- Controls: " + "; ".join(f"{md_code(c.id)} {md(c.title)} ({c.status})" for c in t.controls))
    if t.requirements:
        lines.append("- Requirements: " + ", ".join(md_code(q) for q in t.requirements)
                     + " (frameworks: " + ", ".join(md_code(f) for f in t.frameworks) + ")")
    if threat_bdu(t):
        lines.append("- FSTEC threat database: " + "; ".join(md1(bdu_label(i)) for i in threat_bdu(t)))
    refs = [f"CWE-{c}" for c in t.cwe] + [f"CAPEC-{c}" for c in t.capec]
    if refs:
        lines.append("- References: " + ", ".join(refs))
    if t.description:
        lines.append("- Threat: " + md1(t.description))
    if t.mitigation:
        lines.append("- Mitigation: " + md1(t.mitigation))
    return lines

