"""A model diff as terminal text, as Markdown for a merge request, or as JSON. Pure: strings in, strings out."""

from __future__ import annotations

import json
from typing import Any

from tmodel import __version__
from tmodel.analysis.diff import (
    ADDED,
    CARRIED,
    CHANGED,
    RAISED,
    REMOVED,
    RENAMED,
    RESOLVED,
    SECTION_NAMES,
    FieldChange,
    ModelDiff,
    ThreatChange,
)
from tmodel.model.enums import Level

DIFF_FORMAT = 1
MAX_VALUE = 80  # longer values (descriptions) are shortened in text and Markdown; JSON keeps them whole
LEVELS_DESC = [lv.value for lv in reversed(list(Level))]

_RED, _GREEN, _YELLOW, _BOLD, _RESET = "\033[31m", "\033[32m", "\033[33m", "\033[1m", "\033[0m"
_CHANGE_COLOR = {RAISED: _RED, ADDED: _GREEN, RESOLVED: _GREEN, REMOVED: _RED, CHANGED: _YELLOW,
                 RENAMED: _YELLOW, CARRIED: _YELLOW}


def diff_json(d: ModelDiff) -> str:
    doc = {"format_version": DIFF_FORMAT, "tool": {"name": "tmodel", "version": __version__}, **d.to_dict()}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --- shared wording ----------------------------------------------------------------------------

def _value(v: Any) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    text = " ".join(str(v).split())
    if text == "":
        return '""'
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def _arrow(old: Any, new: Any) -> str:
    return _value(new) if old == new else f"{_value(old)} -> {_value(new)}"


def summary_line(d: ModelDiff) -> str:
    n = {c: len(d.threats_by(c)) for c in (RAISED, RESOLVED, CHANGED, CARRIED)}
    return (f"threats: {n[RAISED]} raised, {n[RESOLVED]} resolved, {n[CHANGED]} changed, {n[CARRIED]} carried over; "
            "unresolved by residual level: "
            + ", ".join(f"{lv} {_arrow(d.old_open[lv], d.new_open[lv])}" for lv in LEVELS_DESC))


def _threat_delta(t: ThreatChange) -> str:
    parts = []
    if t.old_level != t.new_level:
        parts.append(f"level {t.old_level} -> {t.new_level}")
    if t.old_residual != t.new_residual:
        parts.append(f"residual {t.old_residual} -> {t.new_residual}")
    if t.old_status != t.new_status:
        parts.append(f"status {t.old_status} -> {t.new_status}")
    if t.old_score != t.new_score and t.old_level == t.new_level:
        parts.append(f"score {t.old_score} -> {t.new_score}")
    return ", ".join(parts)


def _fields(fields: list[FieldChange]) -> list[str]:
    return [f"{f.path}: {_arrow(f.old, f.new)}" for f in fields]


# --- text ----------------------------------------------------------------------------------------

def diff_text(d: ModelDiff, *, color: bool = False) -> str:
    def c(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    out = [c(f"{d.title} ({d.model_id})", _BOLD), f"  old: {d.old_label}", f"  new: {d.new_label}", ""]
    if d.empty:
        out.append("No changes to the model, its threats or its compliance.")
        return "\n".join(out)
    out += [summary_line(d), ""]
    if d.metadata or d.items:
        out.append(c("Model changes:", _BOLD))
        for f in d.metadata:
            out.append(f"  {c(f'{CHANGED:<9}', _YELLOW)} metadata {f.path}: {_arrow(f.old, f.new)}")
        for i in d.items:
            what = SECTION_NAMES[i.section]
            ident = f"{i.old_id} -> {i.id}" if i.change == RENAMED else i.id
            out.append(f"  {c(f'{i.change:<9}', _CHANGE_COLOR[i.change])} {what} {ident} ({_value(i.title)})")
            out += [f"{'':<14}{line}" for line in _fields(i.fields)]
        out.append("")
    if d.threats:
        out.append(c("Threats:", _BOLD))
        for t in d.threats:
            label = "carried" if t.change == CARRIED else t.change
            lvl = t.new_residual or t.old_residual or ""
            ident = f"{t.old_id} -> {t.id}" if t.change == CARRIED else t.id
            out.append(f"  {c(f'{label:<9}', _CHANGE_COLOR[t.change])} {lvl:<8} {ident}")
            detail = _value(t.title)
            if t.change == RAISED:
                detail += f" (inherent {t.new_level}, {t.new_status})"
            if t.reason:
                detail += f": {t.reason}"
            delta = _threat_delta(t) if t.change in (CHANGED, CARRIED) else ""
            out.append(f"{'':<21}{detail}" + (f"; {delta}" if delta else ""))
        out.append("")
    if d.decisions or d.decision_issues:
        out.append(c("Decisions:", _BOLD))
        for x in d.decisions:
            out.append(f"  {c(f'{x.change:<9}', _CHANGE_COLOR[x.change])} {x.threat}: {_arrow(x.old_status, x.new_status)}")
            if x.change != REMOVED:
                out += [f"{'':<14}{line}" for line in _fields([f for f in x.fields if f.path != "status"])]
        for issue in d.decision_issues:
            tag = "new" if issue.change == ADDED else "gone"
            out.append(f"  {c(f'{tag:<9}', _RED if issue.change == ADDED else _GREEN)} {issue.kind}: {_value(issue.message)}")
            if issue.hint:
                out.append(f"{'':<14}hint: {issue.hint}")
        out.append("")
    if d.requirements or d.controls or any(x.delta or x.old is None or x.new is None for x in d.coverage):
        out.append(c("Compliance:", _BOLD))
        for cov in d.coverage:
            sign = f"{cov.delta:+.1f}" if cov.old is not None and cov.new is not None else "n/a"
            old = f"{cov.old:.1f}%" if cov.old is not None else "(none)"
            new = f"{cov.new:.1f}%" if cov.new is not None else "(none)"
            out.append(f"  {cov.framework:<16} {old:>7} -> {new:>7} ({sign})  {_value(cov.title)}")
            for r in (r for r in d.requirements if r.framework == cov.framework):
                out.append(f"      {r.id:<24} {_arrow(r.old, r.new):<28} {_value(r.title)}")
        if d.controls:
            out.append("  controls:")
            for s in d.controls:
                out.append(f"      {s.id:<24} {_arrow(s.old, s.new):<28} {_value(s.title)}")
    return "\n".join(out).rstrip("\n")


# --- Markdown ------------------------------------------------------------------------------------

_MD_SPECIAL = set("\\`*_{}[]<>()#+!|~&")


def md(text: Any) -> str:
    """Model text made inert in Markdown: no emphasis, links, HTML or table breaks; one line."""
    s = _value(text) if not isinstance(text, str) else " ".join(text.split())
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in s)


def _code(ident: str) -> str:
    # ids are [A-Za-z0-9._@-]: safe inside a code span
    return f"`{ident}`"


def _md_arrow(old: Any, new: Any) -> str:
    return md(_arrow(old, new))


def _table(head: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    align = align or "l" * len(head)
    sep = ["---:" if a == "r" else "---" for a in align]
    return ["| " + " | ".join(head) + " |", "| " + " | ".join(sep) + " |"] + ["| " + " | ".join(r) + " |" for r in rows] + [""]


def diff_markdown(d: ModelDiff) -> str:
    out = [f"## Threat model changes: {md(d.title)} ({_code(d.model_id)})", "",
           f"Compared {md(d.old_label)} with {md(d.new_label)}.", ""]
    if d.empty:
        out.append("No changes to the model, its threats or its compliance.")
        return "\n".join(out) + "\n"
    n = {c: len(d.threats_by(c)) for c in (RAISED, RESOLVED, CHANGED, CARRIED)}
    out += [f"**Threats: {n[RAISED]} raised, {n[RESOLVED]} resolved, {n[CHANGED]} changed, {n[CARRIED]} carried over.**", ""]
    out += _table(["Unresolved, by residual level", "Before", "After"],
                  [[lv, str(d.old_open[lv]), str(d.new_open[lv])] for lv in LEVELS_DESC], "lrr")

    raised = d.threats_by(RAISED)
    if raised:
        out += ["### Threats raised", ""]
        out += _table(["Residual", "Inherent", "Threat", "Title", "Target", "Status"],
                      [[t.new_residual or "", t.new_level or "", _code(t.id), md(t.title), md(t.target_title), t.new_status or ""]
                       for t in raised])
    changed = d.threats_by(CHANGED)
    if changed:
        out += ["### Threats changed", ""]
        out += _table(["Threat", "Title", "Inherent", "Residual", "Status"],
                      [[_code(t.id), md(t.title), _md_arrow(t.old_level, t.new_level), _md_arrow(t.old_residual, t.new_residual),
                        _md_arrow(t.old_status, t.new_status)] for t in changed])
    carried = d.threats_by(CARRIED)
    if carried:
        out += ["### Threats carried over a rename", ""]
        out += _table(["Before", "After", "Title", "Changes"],
                      [[_code(t.old_id or ""), _code(t.id), md(t.title), md(_threat_delta(t) or "none")] for t in carried])
    resolved = d.threats_by(RESOLVED)
    if resolved:
        out += ["### Threats resolved", ""]
        out += _table(["Residual before", "Threat", "Title", "Why"],
                      [[t.old_residual or "", _code(t.id), md(t.title), md(t.reason)] for t in resolved])

    if d.metadata or d.items:
        out += ["### Model changes", ""]
        rows = [["changed", "metadata", "", md(f"{f.path}: {_arrow(f.old, f.new)}")] for f in d.metadata]
        for i in d.items:
            ident = f"{_code(i.old_id or '')} -\\> {_code(i.id)}" if i.change == RENAMED else _code(i.id)
            details = "<br>".join(md(line) for line in _fields(i.fields)) or md(i.title)
            rows.append([i.change, SECTION_NAMES[i.section], ident, details])
        out += _table(["Change", "Kind", "Id", "Details"], rows)

    if d.decisions or d.decision_issues:
        out += ["### Risk decisions", ""]
        if d.decisions:
            out += _table(["Change", "Threat", "Status", "Details"],
                          [[x.change, _code(x.threat), _md_arrow(x.old_status, x.new_status),
                            "<br>".join(md(line) for line in _fields([f for f in x.fields if f.path != "status"]))]
                           for x in d.decisions])
        if d.decision_issues:
            out += _table(["", "Issue", "Threat", "Message"],
                          [["new" if i.change == ADDED else "gone", i.kind, _code(i.threat),
                            md(i.message) + (f"<br>hint: {md(i.hint)}" if i.hint else "")] for i in d.decision_issues])

    cov_rows = [[md(x.title), _code(x.framework), f"{x.old:.1f}%" if x.old is not None else "-",
                 f"{x.new:.1f}%" if x.new is not None else "-",
                 f"{x.delta:+.1f}" if x.old is not None and x.new is not None else "-"] for x in d.coverage]
    if d.coverage and (d.requirements or any(x.delta for x in d.coverage)):
        out += ["### Compliance", ""]
        out += _table(["Framework", "Id", "Coverage before", "Coverage after", "Delta"], cov_rows, "llrrr")
    if d.requirements:
        out += _table(["Framework", "Requirement", "Title", "Status"],
                      [[_code(r.framework), _code(r.id), md(r.title), _md_arrow(r.old, r.new)] for r in d.requirements])
    if d.controls:
        out += ["### Controls", ""]
        out += _table(["Control", "Title", "Status"], [[_code(s.id), md(s.title), _md_arrow(s.old, s.new)] for s in d.controls])
    return "\n".join(out).rstrip("\n") + "\n"
