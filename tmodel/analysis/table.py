"""Plain-text rendering of an analysis for the terminal (no rich, no textual: fast to import).

With a ``width`` every line fits it: a threat's title, why, controls and decision wrap under
the threat (indented under the THREAT column when there is room, by 4 columns otherwise);
without one (output to a pipe) lines are not wrapped.
"""

from __future__ import annotations

import textwrap

from tmodel.analysis.result import Analysis

WIDE = 100  # from this width the details line up under the THREAT column
MIN_WIDTH = 40

_COLORS = {"critical": "\033[1;35m", "high": "\033[1;31m", "medium": "\033[33m", "low": "\033[32m"}
_RESET = "\033[0m"


def _lv(level: str, color: bool) -> str:
    text = f"{level:<8}"
    return f"{_COLORS.get(level, '')}{text}{_RESET}" if color else text


def render_table(a: Analysis, *, show_all: bool = False, color: bool = False, width: int | None = None) -> str:
    lines = _lines(a, show_all=show_all, color=color, indent=45 if not width or width >= WIDE else 4)
    if not width:
        return "\n".join(lines)
    width = max(MIN_WIDTH, width)
    out: list[str] = []
    for line in lines:
        visible = len(line) - sum(len(c) + len(_RESET) for c in _COLORS.values() if c in line) if color else len(line)
        if visible <= width or "\033" in line:
            out.append(line)  # coloured rows are level columns and an id: short
            continue
        body = line.lstrip(" ")
        lead = " " * (len(line) - len(body))
        out += textwrap.wrap(body, width=width, initial_indent=lead, subsequent_indent=lead + "  ",
                             break_long_words=True, break_on_hyphens=False) or [line]
    return "\n".join(out)


def _lines(a: Analysis, *, show_all: bool, color: bool, indent: int) -> list[str]:
    out: list[str] = []
    out.append(f"{a.title} ({a.model_id}) - owner: {a.owner} - as of {a.as_of.isoformat()}")
    counts = a.counts_by_level(residual=True, unresolved_only=True)
    out.append(f"{len(a.threats)} finding(s); unresolved by residual level: "
               + ", ".join(f"{k} {v}" for k, v in reversed(list(counts.items())))
               + f"; {len(a.unknowns)} unstated fact(s) to confirm")
    out.append("")
    out.append(f"{'LEVEL':<8} {'SCORE':>5} {'RESID':<8} {'STATUS':<14} {'STRIDE':<6} THREAT")
    for t in a.threats:
        out.append(f"{_lv(t.level, color)} {t.score:>5} {_lv(t.residual_level, color)} {t.status:<14} "
                   f"{''.join(t.stride):<6} {t.id}")
        out.append(f"{'':<{indent}}{t.title}")
        if len(t.members) > 1:
            out.append(f"{'':<{indent}}on {t.target_title}: " + ", ".join(m.target for m in t.members))
        if t.why:
            out.append(f"{'':<{indent}}why: {'; '.join(t.why)}")
        if t.controls:
            out.append(f"{'':<{indent}}controls: " + ", ".join(f"{c.id} ({c.status})" for c in t.controls))
        if t.decision:
            d = t.decision
            extra = f", owner {d.owner}" if d.owner else ""
            extra += f", expires {d.expires.isoformat()}" if d.expires else ""
            out.append(f"{'':<{indent}}decision: {d.status}{extra}")
    if a.unknowns:
        out.append("")
        out.append("Unknowns (state these facts in the model; until then the rules that read them cannot judge):")
        for u in a.unknowns if show_all else a.unknowns[:20]:
            out.append(f"  {u.text} - {u.target_title} [{', '.join(u.rules)}]")
        if not show_all and len(a.unknowns) > 20:
            out.append(f"  ... and {len(a.unknowns) - 20} more (--all lists them)")
    if a.decision_issues:
        out.append("")
        out.append("Decisions:")
        for i in a.decision_issues:
            out.append(f"  {a.path}:{i.line}: {i.kind}: {i.message}")
    out.append("")
    out.append("Compliance:")
    for f in a.frameworks:
        c = f.counts
        out.append(f"  {f.id:<16} {f.coverage:5.1f}%  met {c['met']}, partial {c['partial']}, gap {c['gap']}, "
                   f"needs answer {c['needs_answer']}, n/a {c['not_applicable']}  ({f.title})")
        if show_all:
            for r in f.requirements:
                out.append(f"      {r.status:<14} {r.id:<24} {r.title}")
    for fw in a.frameworks_not_applicable:
        out.append(f"  {fw:<16} not applicable: {a.not_applicable_reasons.get(fw, 'no requirement applies')}")
    if a.overrides:
        out.append("")
        out += [f"override: {o}" for o in a.overrides]
    return out
