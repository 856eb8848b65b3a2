"""A model diff as terminal text, as Markdown for a merge request, or as JSON. Pure: strings in, strings out."""

from __future__ import annotations

import json
import re
from typing import Any

from tmodel import __version__, i18n
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
from tmodel.i18n import engine, terms
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


# --- words ---------------------------------------------------------------------------------------

class DiffWords(i18n.Words):
    """The diff's words (``tmodel diff --lang ru``): the one mechanism of ``tmodel.i18n``. Model data
    (titles, ids, field paths and values the user wrote) is shown as written; catalog titles come from
    the records' ``ru:`` blocks, the engine's sentences from ``tmodel.i18n.engine``."""

    TEXT = {
        # the text output
        "  old: {label}": "  было:  {label}",
        "  new: {label}": "  стало: {label}",
        "No changes to the model, its threats or its compliance.":
            "Изменение не затрагивает ни модель, ни угрозы, ни соответствие требованиям.",
        "threats: {raised} raised, {resolved} resolved, {changed} changed, {carried} carried over; "
        "unresolved by residual level: ":
            "угрозы: новых {raised}, устранённых {resolved}, с изменённой оценкой {changed}, перенесённых при "
            "переименовании {carried}; необработанные по остаточному уровню: ",
        "Model changes:": "Изменения модели:",
        "metadata": "метаданные",
        "Threats:": "Угрозы:",
        " (inherent {level}, {status})": " (исходный уровень: {level}; {status})",
        "Decisions:": "Решения по рискам:",
        "hint: {hint}": "подсказка: {hint}",
        "Compliance:": "Соответствие требованиям:",
        "  controls:": "  меры защиты:",
        "n/a": "н/д",
        "(none)": "(не указано)",
        "none": "нет",
        # a threat's delta
        "level {old} -> {new}": "уровень: {old} -> {new}",
        "residual {old} -> {new}": "остаточный уровень: {old} -> {new}",
        "status {old} -> {new}": "статус: {old} -> {new}",
        "score {old} -> {new}": "оценка: {old} -> {new}",
        # why a threat was resolved or carried over (tmodel.analysis.diff)
        "{kind} {target} removed": "{kind} {target} удалён из модели",
        "the rule no longer fires": "правило больше не срабатывает",
        " (on {kind} {target}, renamed to {new})": " (на объекте «{kind}» {target}, переименованном в {new})",
        "{kind} {old} renamed to {new}": "{kind} {old} переименован в {new}",
        "its target was renamed: change the decision's threat to {threat}":
            "объект угрозы переименован: укажите в решении угрозу {threat}",
        # the Markdown output
        "## Threat model changes: {title} ({id})": "## Что изменение делает с безопасностью: {title} ({id})",
        "Compared {old} with {new}.": "Сравнены версии {old} и {new}.",
        "**Threats: {raised} raised, {resolved} resolved, {changed} changed, {carried} carried over.**":
            "**Угрозы: новых {raised}, устранённых {resolved}, с изменённой оценкой {changed}, перенесённых при "
            "переименовании {carried}.**",
        "Unresolved, by residual level": "Необработанные угрозы по остаточному уровню",
        "Before": "Было",
        "After": "Стало",
        "### Threats raised": "### Новые угрозы",
        "Residual": "Остаточный уровень",
        "Inherent": "Исходный уровень",
        "Threat": "Угроза",
        "Title": "Наименование",
        "Target": "Объект",
        "Status": "Статус",
        "### Threats changed": "### Изменён уровень риска или статус угрозы",
        "### Threats carried over a rename": "### Угрозы, перенесённые при переименовании объекта",
        "Changes": "Изменения",
        "### Threats resolved": "### Устранённые угрозы",
        "Residual before": "Остаточный уровень до изменения",
        "Why": "Основание",
        "### Model changes": "### Изменения модели",
        "Change": "Изменение",
        "Kind": "Вид",
        "Id": "Идентификатор",
        "Details": "Подробности",
        "### Risk decisions": "### Решения по рискам",
        "Issue": "Замечание",
        "Message": "Сообщение",
        "### Compliance": "### Соответствие требованиям",
        "Framework": "Стандарт",
        "Coverage before": "Выполнение до",
        "Coverage after": "Выполнение после",
        "Delta": "Изменение, п.п.",
        "Requirement": "Требование",
        "### Controls": "### Меры защиты",
        "Control": "Мера",
        # tmodel diff --fail-on-new
        "{n} new or worsened unresolved threat(s) at or above {level}: {ids}":
            "новые или ухудшившиеся необработанные угрозы с остаточным уровнем не ниже «{level}» ({n}): {ids}",
        "{path} (working tree)": "{path} (рабочая копия)",
    }

    # what happened to a model item or a decision (решение, изменение: neuter), to a threat (угроза: feminine)
    ITEM_CHANGE = {ADDED: "добавлено", REMOVED: "удалено", CHANGED: "изменено", RENAMED: "переименовано"}
    THREAT_CHANGE = {RAISED: "новая", RESOLVED: "устранена", CHANGED: "изменена", CARRIED: "перенесена"}
    SECTION = {"boundaries": "граница", "data_assets": "информационный актив", "elements": "элемент", "flows": "поток"}
    TARGET_KIND = {"element": "элемент", "flow": "поток", "model": "модель"}
    ISSUE_KIND = {"stale": "устарело", "expired": "срок истёк", "expiring": "срок истекает"}
    ISSUE_CHANGE = {ADDED: "появилось", REMOVED: "снято"}

    @property
    def pad(self) -> int:
        """The width of the change column of the text output."""
        return 13 if self.ru else 9

    @property
    def level_pad(self) -> int:
        return 11 if self.ru else 8

    @property
    def status_pad(self) -> int:
        """The width of a compliance status change ("выполнено частично -> требует подтверждения")."""
        return 46 if self.ru else 28

    def item_change(self, change: str) -> str:
        return str(self.value(self.ITEM_CHANGE, change))

    def threat_change(self, change: str) -> str:
        return str(self.value(self.THREAT_CHANGE, change)) if self.ru else ("carried" if change == CARRIED else change)

    def section(self, section: str) -> str:
        return self.SECTION[section] if self.ru else SECTION_NAMES[section]

    def opt_level(self, code: str | None) -> str:
        return self.level(code) if code else ""

    def threat_status(self, code: str | None) -> str:
        return str(self.value(terms.THREAT_STATUS, code)) if code else ""

    def decision(self, code: str | None) -> str | None:
        return self.value(terms.DECISION, code) if code else code

    def requirement(self, code: str | None) -> str | None:
        return self.value(terms.REQUIREMENT_STATUS, code) if code else code

    def control(self, code: str | None) -> str | None:
        return self.value(terms.CONTROL_STATUS, code) if code else code

    def threat_title(self, t: ThreatChange) -> str:
        return self.catalog_text("rule", t.rule, "title", t.title)

    def reason(self, text: str) -> str:
        """Why a threat was resolved or carried over (the sentences of ``tmodel.analysis.diff``)."""
        if not self.ru or not text:
            return text
        kinds = "|".join(self.TARGET_KIND)
        m = re.fullmatch(rf"(?:(?P<rk>{kinds}) (?P<rt>\S+) removed|(?P<gone>the rule no longer fires))"
                         rf"(?: \(on (?P<ok>{kinds}) (?P<ot>\S+), renamed to (?P<on>\S+)\))?", text)
        if m:
            head = (self("the rule no longer fires") if m["gone"] else
                    self("{kind} {target} removed", kind=self.TARGET_KIND[m["rk"]], target=m["rt"]))
            tail = self(" (on {kind} {target}, renamed to {new})", kind=self.TARGET_KIND[m["ok"]], target=m["ot"],
                        new=m["on"]) if m["ok"] else ""
            return head + tail
        m = re.fullmatch(rf"(?P<k>{kinds}) (?P<o>\S+) renamed to (?P<n>\S+)", text)
        if m:
            return self("{kind} {old} renamed to {new}", kind=self.TARGET_KIND[m["k"]], old=m["o"], new=m["n"])
        return engine.FALLBACK + text

    def hint(self, text: str) -> str:
        m = re.fullmatch(r"its target was renamed: change the decision's threat to (?P<t>\S+)", text) if self.ru else None
        if m:
            return self("its target was renamed: change the decision's threat to {threat}", threat=m["t"])
        return engine.FALLBACK + text if self.ru else text

    def requirement_title(self, rid: str, english: str) -> str:
        return self.catalog_text("requirement", rid, "title", english)

    def control_title(self, cid: str, english: str) -> str:
        return self.catalog_text("control", cid, "title", english)


# --- shared wording ----------------------------------------------------------------------------

_EN = DiffWords()


def _value(v: Any, w: DiffWords = _EN) -> str:
    if v is None:
        return w("(none)")
    if isinstance(v, bool):
        return w.yes_no(v) if w.ru else ("true" if v else "false")
    if isinstance(v, list):
        return "[" + ", ".join(_value(x, w) for x in v) + "]"
    text = " ".join(str(v).split())
    if text == "":
        return '""'
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def _arrow(old: Any, new: Any, w: DiffWords = _EN) -> str:
    return _value(new, w) if old == new else f"{_value(old, w)} -> {_value(new, w)}"


def summary_line(d: ModelDiff, w: DiffWords = _EN) -> str:
    n = {c: len(d.threats_by(c)) for c in (RAISED, RESOLVED, CHANGED, CARRIED)}
    return (w("threats: {raised} raised, {resolved} resolved, {changed} changed, {carried} carried over; "
              "unresolved by residual level: ", raised=n[RAISED], resolved=n[RESOLVED], changed=n[CHANGED],
              carried=n[CARRIED])
            + ", ".join(f"{w.level(lv)} {_arrow(d.old_open[lv], d.new_open[lv], w)}" for lv in LEVELS_DESC))


def _threat_delta(t: ThreatChange, w: DiffWords = _EN) -> str:
    parts = []
    if t.old_level != t.new_level:
        parts.append(w("level {old} -> {new}", old=w.opt_level(t.old_level), new=w.opt_level(t.new_level)))
    if t.old_residual != t.new_residual:
        parts.append(w("residual {old} -> {new}", old=w.opt_level(t.old_residual), new=w.opt_level(t.new_residual)))
    if t.old_status != t.new_status:
        parts.append(w("status {old} -> {new}", old=w.threat_status(t.old_status), new=w.threat_status(t.new_status)))
    if t.old_score != t.new_score and t.old_level == t.new_level:
        parts.append(w("score {old} -> {new}", old=t.old_score, new=t.new_score))
    return ", ".join(parts)


def _fields(fields: list[FieldChange], w: DiffWords = _EN) -> list[str]:
    return [f"{f.path}: {_arrow(f.old, f.new, w)}" for f in fields]


# --- text ----------------------------------------------------------------------------------------

def diff_text(d: ModelDiff, *, color: bool = False, lang: str = "en", catalog: Any = None) -> str:
    """The diff for the terminal; ``lang``: en or ru (labels, statuses, catalog titles; model data as written)."""
    w = DiffWords(lang, catalog)
    pad, lpad = w.pad, w.level_pad

    def c(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    out = [c(f"{d.title} ({d.model_id})", _BOLD), w("  old: {label}", label=d.old_label),
           w("  new: {label}", label=d.new_label), ""]
    if d.empty:
        out.append(w("No changes to the model, its threats or its compliance."))
        return "\n".join(out)
    out += [summary_line(d, w), ""]
    if d.metadata or d.items:
        out.append(c(w("Model changes:"), _BOLD))
        for f in d.metadata:
            out.append(f"  {c(f'{w.item_change(CHANGED):<{pad}}', _YELLOW)} {w('metadata')} {f.path}: {_arrow(f.old, f.new, w)}")
        for i in d.items:
            what = w.section(i.section)
            ident = f"{i.old_id} -> {i.id}" if i.change == RENAMED else i.id
            out.append(f"  {c(f'{w.item_change(i.change):<{pad}}', _CHANGE_COLOR[i.change])} {what} {ident} ({_value(i.title, w)})")
            out += [f"{'':<{pad + 5}}{line}" for line in _fields(i.fields, w)]
        out.append("")
    if d.threats:
        out.append(c(w("Threats:"), _BOLD))
        for t in d.threats:
            label = w.threat_change(t.change)
            lvl = w.opt_level(t.new_residual or t.old_residual)
            ident = f"{t.old_id} -> {t.id}" if t.change == CARRIED else t.id
            out.append(f"  {c(f'{label:<{pad}}', _CHANGE_COLOR[t.change])} {lvl:<{lpad}} {ident}")
            detail = _value(w.threat_title(t), w)
            if t.change == RAISED:
                detail += w(" (inherent {level}, {status})", level=w.opt_level(t.new_level), status=w.threat_status(t.new_status))
            if t.reason:
                detail += f": {w.reason(t.reason)}"
            delta = _threat_delta(t, w) if t.change in (CHANGED, CARRIED) else ""
            out.append(f"{'':<{pad + lpad + 4}}{detail}" + (f"; {delta}" if delta else ""))
        out.append("")
    if d.decisions or d.decision_issues:
        out.append(c(w("Decisions:"), _BOLD))
        for x in d.decisions:
            status = _arrow(w.decision(x.old_status), w.decision(x.new_status), w)
            out.append(f"  {c(f'{w.item_change(x.change):<{pad}}', _CHANGE_COLOR[x.change])} {x.threat}: {status}")
            if x.change != REMOVED:
                out += [f"{'':<{pad + 5}}{line}" for line in _fields([f for f in x.fields if f.path != "status"], w)]
        for issue in d.decision_issues:
            tag = w.value(DiffWords.ISSUE_CHANGE, issue.change) if w.ru else ("new" if issue.change == ADDED else "gone")
            kind = w.value(DiffWords.ISSUE_KIND, issue.kind)
            out.append(f"  {c(f'{tag:<{pad}}', _RED if issue.change == ADDED else _GREEN)} {kind}: "
                       f"{_value(w.engine(issue.message), w)}")
            if issue.hint:
                out.append(f"{'':<{pad + 5}}" + w("hint: {hint}", hint=w.hint(issue.hint)))
        out.append("")
    if d.requirements or d.controls or any(x.delta or x.old is None or x.new is None for x in d.coverage):
        out.append(c(w("Compliance:"), _BOLD))
        for cov in d.coverage:
            sign = f"{cov.delta:+.1f}" if cov.old is not None and cov.new is not None else w("n/a")
            old = f"{cov.old:.1f}%" if cov.old is not None else w("(none)")
            new = f"{cov.new:.1f}%" if cov.new is not None else w("(none)")
            out.append(f"  {cov.framework:<16} {old:>7} -> {new:>7} ({sign})  {_value(w.framework(cov.framework, cov.title), w)}")
            for r in (r for r in d.requirements if r.framework == cov.framework):
                status = _arrow(w.requirement(r.old), w.requirement(r.new), w)
                out.append(f"      {r.id:<24} {status:<{w.status_pad}} {_value(w.requirement_title(r.id, r.title), w)}")
        if d.controls:
            out.append(w("  controls:"))
            for s in d.controls:
                status = _arrow(w.control(s.old), w.control(s.new), w)
                out.append(f"      {s.id:<24} {status:<{w.status_pad}} {_value(w.control_title(s.id, s.title), w)}")
    return "\n".join(out).rstrip("\n")


# --- Markdown ------------------------------------------------------------------------------------

_MD_SPECIAL = set("\\`*_{}[]<>()#+!|~&")


def md(text: Any, w: DiffWords = _EN) -> str:
    """Model text made inert in Markdown: no emphasis, links, HTML or table breaks; one line."""
    s = _value(text, w) if not isinstance(text, str) else " ".join(text.split())
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in s)


def _code(ident: str) -> str:
    # ids are [A-Za-z0-9._@-]: safe inside a code span
    return f"`{ident}`"


def _md_arrow(old: Any, new: Any, w: DiffWords = _EN) -> str:
    return md(_arrow(old, new, w), w)


def _table(head: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    align = align or "l" * len(head)
    sep = ["---:" if a == "r" else "---" for a in align]
    return ["| " + " | ".join(head) + " |", "| " + " | ".join(sep) + " |"] + ["| " + " | ".join(r) + " |" for r in rows] + [""]


def diff_markdown(d: ModelDiff, *, lang: str = "en", catalog: Any = None) -> str:
    """The diff for a merge request; ``lang``: en or ru (headings, labels, statuses, catalog titles)."""
    w = DiffWords(lang, catalog)
    out = [w("## Threat model changes: {title} ({id})", title=md(d.title, w), id=_code(d.model_id)), "",
           w("Compared {old} with {new}.", old=md(d.old_label, w), new=md(d.new_label, w)), ""]
    if d.empty:
        out.append(w("No changes to the model, its threats or its compliance."))
        return "\n".join(out) + "\n"
    n = {c: len(d.threats_by(c)) for c in (RAISED, RESOLVED, CHANGED, CARRIED)}
    out += [w("**Threats: {raised} raised, {resolved} resolved, {changed} changed, {carried} carried over.**",
              raised=n[RAISED], resolved=n[RESOLVED], changed=n[CHANGED], carried=n[CARRIED]), ""]
    out += _table([w("Unresolved, by residual level"), w("Before"), w("After")],
                  [[w.level(lv), str(d.old_open[lv]), str(d.new_open[lv])] for lv in LEVELS_DESC], "lrr")

    raised = d.threats_by(RAISED)
    if raised:
        out += [w("### Threats raised"), ""]
        out += _table([w("Residual"), w("Inherent"), w("Threat"), w("Title"), w("Target"), w("Status")],
                      [[w.opt_level(t.new_residual), w.opt_level(t.new_level), _code(t.id), md(w.threat_title(t), w),
                        md(t.target_title, w), w.threat_status(t.new_status)] for t in raised])
    changed = d.threats_by(CHANGED)
    if changed:
        out += [w("### Threats changed"), ""]
        out += _table([w("Threat"), w("Title"), w("Inherent"), w("Residual"), w("Status")],
                      [[_code(t.id), md(w.threat_title(t), w),
                        _md_arrow(w.opt_level(t.old_level) or None, w.opt_level(t.new_level) or None, w),
                        _md_arrow(w.opt_level(t.old_residual) or None, w.opt_level(t.new_residual) or None, w),
                        _md_arrow(w.threat_status(t.old_status) or None, w.threat_status(t.new_status) or None, w)]
                       for t in changed])
    carried = d.threats_by(CARRIED)
    if carried:
        out += [w("### Threats carried over a rename"), ""]
        out += _table([w("Before"), w("After"), w("Title"), w("Changes")],
                      [[_code(t.old_id or ""), _code(t.id), md(w.threat_title(t), w), md(_threat_delta(t, w) or w("none"), w)]
                       for t in carried])
    resolved = d.threats_by(RESOLVED)
    if resolved:
        out += [w("### Threats resolved"), ""]
        out += _table([w("Residual before"), w("Threat"), w("Title"), w("Why")],
                      [[w.opt_level(t.old_residual), _code(t.id), md(w.threat_title(t), w), md(w.reason(t.reason), w)]
                       for t in resolved])

    if d.metadata or d.items:
        out += [w("### Model changes"), ""]
        rows = [[w.item_change(CHANGED), w("metadata"), "", md(f"{f.path}: {_arrow(f.old, f.new, w)}", w)] for f in d.metadata]
        for i in d.items:
            ident = f"{_code(i.old_id or '')} -\\> {_code(i.id)}" if i.change == RENAMED else _code(i.id)
            details = "<br>".join(md(line, w) for line in _fields(i.fields, w)) or md(i.title, w)
            rows.append([w.item_change(i.change), w.section(i.section), ident, details])
        out += _table([w("Change"), w("Kind"), w("Id"), w("Details")], rows)

    if d.decisions or d.decision_issues:
        out += [w("### Risk decisions"), ""]
        if d.decisions:
            out += _table([w("Change"), w("Threat"), w("Status"), w("Details")],
                          [[w.item_change(x.change), _code(x.threat), _md_arrow(w.decision(x.old_status), w.decision(x.new_status), w),
                            "<br>".join(md(line, w) for line in _fields([f for f in x.fields if f.path != "status"], w))]
                           for x in d.decisions])
        if d.decision_issues:
            out += _table(["", w("Issue"), w("Threat"), w("Message")],
                          [[str(w.value(DiffWords.ISSUE_CHANGE, i.change)) if w.ru else ("new" if i.change == ADDED else "gone"),
                            str(w.value(DiffWords.ISSUE_KIND, i.kind)), _code(i.threat),
                            md(w.engine(i.message), w) + ("<br>" + md(w("hint: {hint}", hint=w.hint(i.hint)), w) if i.hint else "")]
                           for i in d.decision_issues])

    cov_rows = [[md(w.framework(x.framework, x.title), w), _code(x.framework), f"{x.old:.1f}%" if x.old is not None else "-",
                 f"{x.new:.1f}%" if x.new is not None else "-",
                 f"{x.delta:+.1f}" if x.old is not None and x.new is not None else "-"] for x in d.coverage]
    if d.coverage and (d.requirements or any(x.delta for x in d.coverage)):
        out += [w("### Compliance"), ""]
        out += _table([w("Framework"), w("Id"), w("Coverage before"), w("Coverage after"), w("Delta")], cov_rows, "llrrr")
    if d.requirements:
        out += _table([w("Framework"), w("Requirement"), w("Title"), w("Status")],
                      [[_code(r.framework), _code(r.id), md(w.requirement_title(r.id, r.title), w),
                        _md_arrow(w.requirement(r.old), w.requirement(r.new), w)] for r in d.requirements])
    if d.controls:
        out += [w("### Controls"), ""]
        out += _table([w("Control"), w("Title"), w("Status")],
                      [[_code(s.id), md(w.control_title(s.id, s.title), w), _md_arrow(w.control(s.old), w.control(s.new), w)]
                       for s in d.controls])
    return "\n".join(out).rstrip("\n") + "\n"
