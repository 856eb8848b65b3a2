"""Plain-text rendering of an analysis for the terminal (no rich, no textual: fast to import).

With a ``width`` every line fits it: a threat's title, why, controls and decision wrap under
the threat (indented under the THREAT column when there is room, by 4 columns otherwise);
without one (output to a pipe) lines are not wrapped.
"""

from __future__ import annotations

import textwrap
from typing import Any

from tmodel import i18n
from tmodel.analysis.result import Analysis
from tmodel.i18n import engine, terms

WIDE = 100  # from this width the details line up under the THREAT column
MIN_WIDTH = 40

_COLORS = {"critical": "\033[1;35m", "high": "\033[1;31m", "medium": "\033[33m", "low": "\033[32m"}
_RESET = "\033[0m"


class TableWords(i18n.Words):
    """The analysis table's words (``tmodel analyze --lang ru``); the one mechanism of ``tmodel.i18n``."""

    TEXT = {
        "{title} ({model}) - owner: {owner} - as of {date}": "{title} ({model}) — владелец: {owner} — на {date}",
        "{n} finding(s); unresolved by residual level: ": "угроз: {n}; необработанные по остаточному уровню: ",
        "; {n} unstated fact(s) to confirm": "; неуказанных фактов для подтверждения: {n}",
        "LEVEL": "УРОВЕНЬ",
        "SCORE": "ОЦЕНКА",
        "RESID": "ОСТАТ.",
        "STATUS": "СТАТУС",
        "THREAT": "УГРОЗА",
        "on {title}: ": "на {title}: ",
        "why: ": "основание: ",
        "controls: ": "меры: ",
        "decision: ": "решение: ",
        ", owner {owner}": ", владелец {owner}",
        ", expires {date}": ", действует до {date}",
        "Unknowns (state these facts in the model; until then the rules that read them cannot judge):":
            "Неизвестные факты (укажите их в модели; до этого зависящие от них правила не могут дать оценку):",
        "Not stated: ": "Не указано: ",
        "  ... and {n} more (--all lists them)": "  ... и ещё {n} (все выводит --all)",
        "Decisions:": "Решения:",
        "Compliance:": "Соответствие:",
        "met {met}, partial {partial}, gap {gap}, needs answer {needs}, n/a {na}":
            "реализовано {met}, частично {partial}, не реализовано {gap}, нужен ответ {needs}, не применимо {na}",
        "not applicable: ": "не применим: ",
        "override: {text}": "переопределение: {text}",
    }


def _lv(level: str, color: bool, w: TableWords | None = None) -> str:
    text = f"{level if w is None else w.level(level):<8}"
    return f"{_COLORS.get(level, '')}{text}{_RESET}" if color else text


def render_table(a: Analysis, *, show_all: bool = False, color: bool = False, width: int | None = None,
                 lang: str = "en", catalog: Any = None) -> str:
    """The table; ``lang``: en or ru (labels, statuses and catalog titles; model data as written)."""
    w = TableWords(lang, catalog)
    lines = _lines(a, show_all=show_all, color=color, indent=45 if not width or width >= WIDE else 4, w=w)
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


def _lines(a: Analysis, *, show_all: bool, color: bool, indent: int, w: TableWords) -> list[str]:
    out: list[str] = []
    out.append(w("{title} ({model}) - owner: {owner} - as of {date}", title=a.title, model=a.model_id, owner=a.owner,
                 date=a.as_of.isoformat()))
    counts = a.counts_by_level(residual=True, unresolved_only=True)
    out.append(w("{n} finding(s); unresolved by residual level: ", n=len(a.threats))
               + ", ".join(f"{w.level(k)} {v}" for k, v in reversed(list(counts.items())))
               + w("; {n} unstated fact(s) to confirm", n=len(a.unknowns)))
    out.append("")
    status_width = 14 if not w.ru else 36
    out.append(f"{w('LEVEL'):<8} {w('SCORE'):>5} {w('RESID'):<8} {w('STATUS'):<{status_width}} {'STRIDE':<6} {w('THREAT')}")
    for t in a.threats:
        out.append(f"{_lv(t.level, color, w)} {t.score:>5} {_lv(t.residual_level, color, w)} "
                   f"{w.status(t.status):<{status_width}} {''.join(t.stride):<6} {t.id}")
        out.append(f"{'':<{indent}}{w.title(t.title, t.title_ru)}")
        if len(t.members) > 1:
            title = (engine.sentence(t.target_title) or t.target_title) if w.ru else t.target_title
            out.append(f"{'':<{indent}}" + w("on {title}: ", title=title) + ", ".join(m.target for m in t.members))
        if t.why:
            out.append(f"{'':<{indent}}{w('why: ')}{'; '.join(engine.why(x) if w.ru else x for x in t.why)}")
        if t.controls:
            out.append(f"{'':<{indent}}{w('controls: ')}" + ", ".join(f"{c.id} ({w.status(c.status)})" for c in t.controls))
        if t.decision:
            d = t.decision
            extra = w(", owner {owner}", owner=d.owner) if d.owner else ""
            extra += w(", expires {date}", date=d.expires.isoformat()) if d.expires else ""
            out.append(f"{'':<{indent}}{w('decision: ')}{w.value(terms.DECISION, d.status)}{extra}")
    if a.unknowns:
        out.append("")
        out.append(w("Unknowns (state these facts in the model; until then the rules that read them cannot judge):"))
        for u in a.unknowns if show_all else a.unknowns[:20]:
            text = (w("Not stated: ") + engine.unknown_text(u.fact, u.text)) if w.ru else u.text
            where = (engine.sentence(u.target_title) or u.target_title) if w.ru else u.target_title
            out.append(f"  {text} - {where} [{', '.join(u.rules)}]")
        if not show_all and len(a.unknowns) > 20:
            out.append(w("  ... and {n} more (--all lists them)", n=len(a.unknowns) - 20))
    if a.decision_issues:
        out.append("")
        out.append(w("Decisions:"))
        for i in a.decision_issues:
            out.append(f"  {a.path}:{i.line}: {w.value(_ISSUE_KIND, i.kind)}: {w.engine(i.message)}")
    out.append("")
    out.append(w("Compliance:"))
    for f in a.frameworks:
        c = f.counts
        out.append(f"  {f.id:<16} {f.coverage:5.1f}%  " + w("met {met}, partial {partial}, gap {gap}, needs answer {needs}, "
                                                            "n/a {na}", met=c['met'], partial=c['partial'], gap=c['gap'],
                                                            needs=c['needs_answer'], na=c['not_applicable'])
                   + f"  ({w.framework(f.id, f.title)})")
        if show_all:
            for r in f.requirements:
                title = w.catalog_text("requirement", r.id, "title", r.title)
                out.append(f"      {w.status(r.status):<{status_width if w.ru else 14}} {r.id:<24} {title}")
    for fw in a.frameworks_not_applicable:
        reason = a.not_applicable_reasons.get(fw, 'no requirement applies')
        out.append(f"  {fw:<16} {w('not applicable: ')}{_reason(fw, reason, w)}")
    if a.overrides:
        out.append("")
        out += [w("override: {text}", text=o) for o in a.overrides]
    return out


_ISSUE_KIND = {"stale": "устарело", "expired": "срок истёк", "expiring": "срок истекает"}


def _reason(fid: str, english: str, w: TableWords) -> str:
    """Why a framework does not apply: its catalog's reason (Russian from its ru: block) or the engine's."""
    if not w.ru:
        return english
    infos = getattr(w.catalog, "infos", {}).values() if w.catalog is not None else []
    info = next((i for i in infos if fid in ((i.framework or i.id), *(i.framework_titles or {}))
                 and english == (i.not_applicable_reason or "")), None)
    return w.catalog_text("info", info.id, "not_applicable_reason", english) if info else w.engine(english)
