"""The risk register (xlsx) for the compliance team.

Sheets: Summary, Risks, Audit, Controls, Compliance, Assets, Method, and a hidden ``_tmodel`` sheet
that remembers the exported values of the editable columns (so ``tmodel import register`` applies
only what compliance changed, and notices decisions that changed in the model since the export).

- Every string from a model or a catalog goes through ``safe.set_text``: it stays text, never a
  formula (openpyxl makes any "=..." string a formula; spreadsheets also run "+", "-", "@", tab,
  CR and LF prefixed text).
- The editable columns (blue) sit right after each row's id and title: on Risks the decision
  (status, owner, approver, decision date, expiry, ticket, mitigating control, justification),
  on Audit the answer to each audit question (answer, evidence, by whom, when). Data validation
  on each; all sheets are protected without a password, against accidents.
- Printed: A4 landscape at a readable size, header rows (and id/title columns) repeated on every
  page, the model's title, classification marking, export date and page x of y (``sheet``).
- In English, or in Russian with ``RegisterOptions(lang="ru")``: every word of the register's own
  (sheet names, headers, labels, legends, prompts, value labels) comes from ``register_ru``, the
  catalog texts from the catalogs' ``ru:`` blocks; cells hold the Russian labels and the importer
  maps them back to codes. The hidden sheet keeps English headers and codes in both languages.
- Deterministic: workbook properties are fixed (creator 'tmodel', created = modified = the
  analysis date at midnight UTC) and the zip entries carry that date too, so the same model and
  date give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, replace
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from tmodel import __version__
from tmodel.analysis import risk
from tmodel.analysis.result import COMPLIANCE_STATUSES, THREAT_STATUSES, Analysis, ComplianceStatus, Threat, ThreatStatus
from tmodel.catalog.bdu import threat_bdu
from tmodel.catalog.types import Confidence
from tmodel.config import DEFAULT_CLASSIFICATION
from tmodel.i18n import engine, terms
from tmodel.export import register_ru as ru
from tmodel.export.common import (affected_items, asset_reach, decision_of, method_items, plain, threat_status,
                                  write_atomic)
from tmodel.export.palette import LEVEL_COLOR, STATUS_COLOR
from tmodel.export.sheet import (BOLD, EDIT_FILL, EDIT_HEADER_FILL, HEADER_FILL, SECTION_FONT, TITLE_FONT, Sheet,
                                 print_setup, protect)
from tmodel.export.xlsx import Records, workbook_bytes, zip_entry
from tmodel.model.enums import AnswerStatus, DecisionStatus, Level, Stride
from tmodel.model.types import Model

REGISTER_FORMAT = "2"
META_SHEET = "_tmodel"
AUDIT_SHEET = "Audit"
DATE_FORMAT = "yyyy-mm-dd"
DOCUMENT = "Risk register"

EFFECTIVE_STATUS_TEXT = {st.value: st.description for st in ThreatStatus}
COMPLIANCE_STATUS_TEXT = {st.value: st.description for st in ComplianceStatus}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    editable: bool = False
    wrap: bool = False
    aliases: tuple[str, ...] = ()  # headers of older register formats and in Russian (the importer reads those too)


def _bilingual(sheet: str, columns: list[Column]) -> list[Column]:
    """The columns with their Russian header (register_ru.HEADERS) among the aliases."""
    return [replace(c, aliases=(*c.aliases, ru.HEADERS[sheet][c.header])) for c in columns]


# The Risks sheet: id and title, then every column compliance edits, then what the threat is.
# The importer finds columns by these headers.
RISK_COLUMNS = _bilingual("Risks", [
    Column("id", "Threat id", 18, wrap=True),
    Column("title", "Threat", 24, wrap=True),
    Column("status", "Status", 12, editable=True),
    Column("owner", "Owner", 14, editable=True, wrap=True),
    Column("approver", "Approver (decided by)", 14, editable=True, wrap=True),
    Column("decided_on", "Decision date", 11, editable=True),
    Column("expires", "Expiry / due date", 11, editable=True),
    Column("ticket", "Ticket", 11, editable=True, wrap=True),
    Column("control", "Mitigating control", 14, editable=True, wrap=True),
    Column("reason", "Justification / treatment plan", 28, editable=True, wrap=True, aliases=("Justification",)),
    Column("residual", "Residual level", 9),
    Column("effective", "Effective status", 11, wrap=True),
    Column("target", "Affects", 26, wrap=True, aliases=("Target",)),
    Column("level", "Inherent level", 9, aliases=("Level",)),
    Column("risk", "Likelihood × impact", 11),
    Column("stride", "STRIDE", 8),
    Column("refs", "CWE / CAPEC", 12, wrap=True),
    Column("bdu", "FSTEC threats (УБИ)", 12, wrap=True),
    Column("requirements", "Requirements", 22, wrap=True),
    Column("description", "Description", 60, wrap=True),
    Column("mitigation", "Mitigation", 60, wrap=True),
    Column("controls", "Controls (status)", 40, wrap=True),
    Column("why", "Why it fired (evidence)", 60, wrap=True),
])
EDITABLE = [c.key for c in RISK_COLUMNS if c.editable]
# wider in Russian: the level and status words are longer ("критический", "актуальна, риск передан")
RU_WIDTHS = {"residual": 12, "level": 12, "effective": 15, "status": 14}
# the hidden sheet: the editable values as exported, by these headers
META_HEADERS = ["Threat id", "Status", "Owner", "Approver", "Decision date", "Expiry / due date", "Ticket",
                "Mitigating control", "Justification"]

# The Audit sheet: the catalogs' audit questions; the answer columns are editable.
AUDIT_COLUMNS = _bilingual("Audit", [
    Column("question", "Question id", 22, wrap=True),
    Column("title", "Control", 26, wrap=True),
    Column("answer", "Answer", 12, editable=True),
    Column("evidence", "Evidence", 34, editable=True, wrap=True),
    Column("answered_by", "Answered by", 14, editable=True, wrap=True),
    Column("answered_on", "Answered on", 11, editable=True),
    Column("status", "Control status", 11),
    Column("required", "Answer required", 9),
    Column("text", "Audit question", 50, wrap=True),
    Column("expected", "Expected evidence", 40, wrap=True),
])
AUDIT_META_HEADERS = ["Question id", "Answer", "Evidence", "Answered by", "Answered on"]


@dataclass(frozen=True)
class RegisterOptions:
    classification: str = DEFAULT_CLASSIFICATION  # the marking printed on every page
    lang: str = "en"  # en | ru: the language of the register (register_ru)
    catalog: Any = None  # tmodel.catalog.load.Catalog: the Russian texts of the rules and controls


def midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)  # openpyxl stores naive datetimes as UTC


def _level_formatting(ws: Worksheet, ref: str, values: list[str], colors: dict[str, tuple[str, str]],
                      labels: dict[str, str] | None = None) -> None:
    """Colour the cells of ``ref`` by their value; ``labels``: the value each code is shown as."""
    for v in values:
        strong, light = colors[v]
        shown = (labels or {}).get(v, v)
        ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=[f'"{shown}"'],
                                                      fill=PatternFill("solid", fgColor=light, bgColor=light),
                                                      font=Font(color=strong, bold=True)))


def _controls_text(t: Threat, w: ru.Words) -> str:
    return "\n".join(f"{c.id} {w.catalog_text('control', c.id, 'title', c.title)} "
                     f"({w.value(terms.CONTROL_STATUS, c.status)})" for c in t.controls)


def build_workbook(a: Analysis, model: Model,
                   options: RegisterOptions | None = None) -> tuple[Workbook, dict[Worksheet, Records]]:
    """The register's workbook, and the cells each worksheet keeps as records (``sheet.Sheet``)."""
    options = options or RegisterOptions()
    w = ru.Words(options.lang, options.catalog)
    wb = Workbook()
    summary = wb.active
    summary.title = w.sheet("Summary")
    sheets: list[Sheet] = []
    page: dict[str, Any] = {"title": a.title, "marking": options.classification, "day": a.as_of,
                            "document": w(DOCUMENT), "exported": w("exported"), "page": w("Page &P of &N")}
    for name, write in (("Summary", lambda s: _summary(s, a, model, options, w)),
                        ("Risks", lambda s: _risks(s, a, model, w)),
                        (AUDIT_SHEET, lambda s: _audit(s, a, model, w)),
                        ("Unknowns", lambda s: _unknowns(s, a, w)),
                        ("Controls", lambda s: _controls(s, a, w)),
                        ("Compliance", lambda s: _compliance(s, a, w)),
                        ("Assets", lambda s: _assets(s, model, w)),
                        ("Method", lambda s: _method(s, w))):
        ws = summary if name == "Summary" else wb.create_sheet(w.sheet(name))
        sheets.append(Sheet(ws))
        widths, rows, cols = write(sheets[-1])
        print_setup(ws, widths, title_rows=rows, title_cols=cols, **page)
    sheets.append(Sheet(wb.create_sheet(META_SHEET)))
    _meta(sheets[-1], a, model)
    for ws in wb.worksheets:
        protect(ws)
    props = wb.properties
    props.creator = "tmodel"
    props.lastModifiedBy = "tmodel"
    props.title = w("Risk register: {title}", title=a.model_id)
    props.subject = w("Threat model risk register")
    if options.classification:
        props.keywords = options.classification
    props.created = props.modified = midnight_utc(a.as_of)
    return wb, {s.ws: s.cells for s in sheets}


def register_bytes(a: Analysis, model: Model, options: RegisterOptions | None = None) -> bytes:
    """The workbook as bytes; the same analysis gives the same bytes."""
    wb, records = build_workbook(a, model, options)
    return workbook_bytes(wb, a.as_of, records)


def _fix_zip_times(data: bytes, day: dt.date) -> bytes:
    """A zip (a Word document) rewritten with every entry dated ``day`` (``xlsx.zip_entry``)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zip_entry(info.filename, day), src.read(info.filename))
    return out.getvalue()


def write_register(a: Analysis, model: Model, path: str, options: RegisterOptions | None = None) -> None:
    write_atomic(path, register_bytes(a, model, options))


# -- sheets: each returns (column widths, rows to repeat on every printed page, columns to repeat) --
Printed = tuple[dict[int, int], "str | None", "str | None"]


def _summary(s: Sheet, a: Analysis, model: Model, options: RegisterOptions, w: ru.Words) -> Printed:
    ws = s.ws
    wide = ({1: 28, 2: 20, 3: 14, 4: 11, 5: 14, 6: 11, 7: 11, 8: 11} if w.ru  # still one page wide
            else {1: 24, 2: 24, 3: 16, 4: 11, 5: 11, 6: 11, 7: 11, 8: 11})
    fit = wide if w.ru else None  # header rows as tall as the (longer) Russian headers wrap to
    s.put(1, 1, w("Risk register: {title}", title=a.title), font=TITLE_FONT, measure=False)
    s.row = 3
    md = model.metadata
    for label, value in (
        ("Model", a.model_id),
        ("Title", a.title),
        ("Owner", a.owner),
        ("Classification", options.classification or w("not marked")),
        ("Date of analysis (export)", a.as_of),
        ("GOST R 57580.1 level", w.value(terms.GOST_LEVEL, md.gost_level.value)),
        ("152-FZ protection level", w.value(terms.PD_LEVEL, md.pd_level.value) if md.pd_level else w("not set")),
        ("Last review", md.reviewed_on if md.reviewed_on else w("not recorded")),
        ("Model file", a.path),
        ("Generated by", f"tmodel {__version__}"),
    ):
        r = s.line(w(label), value)
        s.cell(r, 1).font = BOLD
        if isinstance(value, dt.date):
            s.cell(r, 2).number_format = DATE_FORMAT
            s.cell(r, 2).alignment = Alignment(horizontal="left")

    s.row += 1
    s.put(s.row, 1, w("Threats by level"), font=SECTION_FONT)
    s.row += 1
    s.header(s.row, w.headers("Summary", ["Level", "Threats (inherent)", "Unresolved (residual)"]), widths=fit)
    s.row += 1
    inherent = a.counts_by_level()
    residual = a.counts_by_level(residual=True, unresolved_only=True)
    first = s.row
    for lv in reversed(list(Level)):
        s.line(w.level(lv.value), inherent[lv.value], residual[lv.value], border=True)
    _level_formatting(ws, f"A{first}:A{s.row - 1}", [lv.value for lv in Level], LEVEL_COLOR, w.labels(terms.LEVEL))
    r = s.line(w("total"), len(a.threats), sum(residual.values()), border=True)
    for c in range(1, 4):
        s.cell(r, c).font = BOLD

    s.row += 1
    s.put(s.row, 1, w("Threats by status"), font=SECTION_FONT)
    s.row += 1
    s.header(s.row, w.headers("Summary", ["Status", "Threats", "Meaning"]), widths=fit)
    s.merge(s.row, 3, 8)
    s.row += 1
    meaning = ru.THREAT_STATUS_MEANING if w.ru else EFFECTIVE_STATUS_TEXT
    for st, n in a.counts_by_status().items():
        r = s.line(w.value(terms.THREAT_STATUS, st), n, border=True, wrap=w.ru)
        s.put(r, 3, meaning[st], border=True, wrap=True, measure=False)
        s.merge(r, 3, 8)

    s.row += 1
    s.put(s.row, 1, w("Heat map: unresolved threats by likelihood and impact (inherent), coloured by the risk matrix"),
          font=SECTION_FONT, measure=False)
    s.row += 1
    grid = a.heatmap()
    _matrix_grid(s, w, lambda lk, im: grid[lk - 1][im - 1], center=True, measure_header=False)

    s.row += 1
    s.put(s.row, 1, w("Compliance per framework"), font=SECTION_FONT)
    s.row += 1
    s.header(s.row, w.headers("Summary", ["Framework", "Title", "Coverage, %", "Met", "Partial", "Gap", "Needs answer",
                                          "Not applicable"]), widths=fit)
    s.row += 1
    for f in a.frameworks:
        fc = f.counts
        r = s.line(f.id, "", f.coverage, fc["met"], fc["partial"], fc["gap"], fc["needs_answer"], fc["not_applicable"],
                   border=True)
        s.put(r, 2, w.framework(f.id, f.title), border=True, wrap=True, measure=False)
        s.cell(r, 3).number_format = "0.0"
    s.put(s.row, 1, w("Coverage = (met + half of partial) / applicable requirements."), measure=False)
    s.row += 1
    for fid in a.frameworks_not_applicable:
        s.put(s.row, 1, w("{framework}: not applicable: {reason}", framework=fid,
                          reason=_not_applicable_reason(a, fid, w)), measure=False)
        s.row += 1
    s.put(s.row, 1, w("Unknowns to confirm (facts the model leaves unstated, status needs_answer): {count}; "
                      "see the Unknowns sheet. Each is answered by stating the fact in the model: a weak value "
                      "makes its rules fire, a strong one closes the question.", count=len(a.unknowns)), measure=False)
    s.row += 2

    s.put(s.row, 1, w("Decisions needing attention"), font=SECTION_FONT)
    s.row += 1
    s.header(s.row, w.headers("Summary", ["Kind", "Threat id", "Message"]), widths=fit)
    s.merge(s.row, 3, 8)
    s.row += 1
    if not a.decision_issues:
        s.line(w("none"), "", "")
    for i in a.decision_issues:
        r = s.row
        s.put(r, 1, w.value(ru.ISSUE_KIND, i.kind), border=True)
        s.put(r, 2, i.threat, border=True, wrap=True)
        s.put(r, 3, _issue_message(i, w), border=True, wrap=True, measure=False)
        s.merge(r, 3, 8)
        s.row += 1
    widths = s.fit(wide)
    ws.freeze_panes = "A3"
    return widths, None, None


def _not_applicable_reason(a: Analysis, fid: str, w: ru.Words) -> str:
    """Why a framework does not apply: its catalog's reason (in Russian from the catalog's ru: block)."""
    english = a.not_applicable_reasons.get(fid, "")
    infos = w.catalog.infos.values() if w.ru and w.catalog is not None else []
    info = next((i for i in infos if fid in ((i.framework or i.id), *(i.framework_titles or {}))
                 and english == (i.not_applicable_reason or "")), None)
    if w.ru and info is None:
        return w.engine(english)  # the engine's own reason
    return w.catalog_text("info", info.id if info else fid, "not_applicable_reason", english)


def _issue_message(i: Any, w: ru.Words) -> str:
    if not w.ru:
        return str(i.message)
    if i.kind in ru.ISSUE_MESSAGE and i.expires:
        return ru.ISSUE_MESSAGE[i.kind].format(threat=i.threat, date=i.expires.isoformat())
    return str(w.engine(i.message))  # the engine's sentence names the kind ("решение по ... устарело")


def _affects(t: Threat, w: ru.Words) -> list[str]:
    """What the threat affects, one line each; in Russian the first line names the kind in Russian."""
    items = affected_items(t)
    if w.ru:
        items[0] = (f"вся модель ({t.target_title})" if t.target_kind == "model"
                    else f"{w.value(ru.TARGET_KIND, t.target_kind)} {t.target}: {engine.sentence(t.target_title) or t.target_title}")
        items[1:] = [engine.why(x) for x in items[1:]]
    return items


def _risks(s: Sheet, a: Analysis, model: Model, w: ru.Words) -> Printed:
    ws = s.ws
    cols = {c.key: i for i, c in enumerate(RISK_COLUMNS, 1)}
    widths = {i: (RU_WIDTHS.get(c.key, c.width) if w.ru else c.width) for i, c in enumerate(RISK_COLUMNS, 1)}
    s.header(1, [w.header("Risks", c.header) for c in RISK_COLUMNS],
             [EDIT_HEADER_FILL if c.editable else HEADER_FILL for c in RISK_COLUMNS], widths=widths if w.ru else None)
    for r, t in enumerate(a.threats, 2):
        d = t.decision
        own = decision_of(model, t.id)
        refs = [f"CWE-{c}" for c in t.cwe] + [f"CAPEC-{c}" for c in t.capec]
        values: dict[str, Any] = {
            "id": t.id,
            "title": w.catalog_text("rule", t.rule, "title", t.title, t.title_ru),
            "status": w.value(terms.DECISION, d.status if d else DecisionStatus.OPEN.value),
            "owner": (d.owner or "") if d else "",
            "approver": (d.decided_by or "") if d else "",
            "decided_on": d.decided_on if d and d.decided_on else None,
            "expires": d.expires if d and d.expires else None,
            "ticket": (own.ticket or "") if own else "",
            "control": (d.control or "") if d else "",
            "reason": d.reason if d else "",
            "residual": w.level(t.residual_level),
            "effective": w.value(terms.THREAT_STATUS, threat_status(t)),
            "target": "\n".join(_affects(t, w)),
            "level": w.level(t.level),
            "risk": f"{t.likelihood} × {t.impact} = {t.score}",
            "stride": ", ".join(t.stride),
            "refs": "\n".join(refs),
            "bdu": "\n".join(threat_bdu(t)),
            "requirements": "\n".join(t.requirements),
            "description": one_paragraph(w.catalog_text("rule", t.rule, "description", t.description)),
            "mitigation": one_paragraph(w.catalog_text("rule", t.rule, "mitigation", t.mitigation)),
            "controls": _controls_text(t, w),
            "why": "\n".join(engine.why(x) if w.ru else x for x in t.why),
        }
        for c in RISK_COLUMNS:
            dated = c.key in ("expires", "decided_on")
            s.put(r, cols[c.key], values[c.key], wrap=c.wrap, border=True, fmt=DATE_FORMAT if dated else None,
                  measure=False, unlocked_fill=EDIT_FILL if c.editable else None)
    last = max(2, len(a.threats) + 1)
    if a.threats:
        lv = [x.value for x in Level]
        for key in ("level", "residual"):
            col = get_column_letter(cols[key])
            _level_formatting(ws, f"{col}2:{col}{last}", lv, LEVEL_COLOR, w.labels(terms.LEVEL))
        eff = get_column_letter(cols["effective"])
        expired = w.value(terms.THREAT_STATUS, "expired")
        ws.conditional_formatting.add(f"{eff}2:{eff}{last}", CellIsRule(
            operator="equal", formula=[f'"{expired}"'], fill=PatternFill("solid", fgColor="FFCDD2", bgColor="FFCDD2"),
            font=Font(color="C62828", bold=True)))
        exp = get_column_letter(cols["expires"])
        y, m, dd = a.as_of.year, a.as_of.month, a.as_of.day
        ws.conditional_formatting.add(f"{exp}2:{exp}{last}", FormulaRule(
            formula=[f"AND(ISNUMBER({exp}2),{exp}2<DATE({y},{m},{dd}))"],
            fill=PatternFill("solid", fgColor="FFCDD2", bgColor="FFCDD2"), font=Font(color="C62828", bold=True)))
        _validations(ws, cols, last, w)
    ws.freeze_panes = "C2"  # the header row, and the id and title, stay in view
    ws.auto_filter.ref = f"A1:{get_column_letter(len(RISK_COLUMNS))}{last}"
    return s.fit(widths), "1:1", "A:A"


def one_paragraph(text: str) -> str:
    """Catalog text folded to paragraphs (single line breaks are the YAML source's wrapping)."""
    paras = [" ".join(plain(p).split()) for p in (text or "").strip().split("\n\n")]
    return "\n".join(p for p in paras if p)


def _validations(ws: Worksheet, cols: dict[str, int], last: int, w: ru.Words) -> None:
    def rng(key: str) -> str:
        col = get_column_letter(cols[key])
        return f"{col}2:{col}{last}"

    def text(title: str, prompt: str, limit: int) -> DataValidation:
        return DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(limit), allow_blank=True,
                              showErrorMessage=True, showInputMessage=True, errorTitle=w("Too long"),
                              error=w("At most {limit} characters", limit=limit), promptTitle=w(title), prompt=w(prompt))

    def date(title: str, prompt: str) -> DataValidation:
        return DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)",
                              allow_blank=True, showErrorMessage=True, showInputMessage=True, errorTitle=w("Not a date"),
                              error=w("Enter a date (YYYY-MM-DD)"), promptTitle=w(title), prompt=w(prompt))

    choices = [w.value(terms.DECISION, v) for v in DecisionStatus.values()]
    status = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=False,
                            showErrorMessage=True, showInputMessage=True, errorStyle="stop",
                            errorTitle=w("Not a status"), error=w("Choose one of: {values}", values=", ".join(choices)),
                            promptTitle=w("Decision"),
                            prompt=w("open, mitigated (name the control or the evidence), accepted (owner, expiry and "
                                     "justification), transferred, false_positive"))
    for dv, key in (
        (status, "status"),
        (text("Risk owner", "Who owns the risk (person or team); required for accepted risks", 200), "owner"),
        (text("Approver", "Who took the decision (risk committee, CISO); required to accept a critical risk", 200), "approver"),
        (date("Decision date", "When the decision was taken (default: the day of the import)"), "decided_on"),
        (date("Expiry / due date", "When the acceptance expires; required for accepted risks"), "expires"),
        (text("Ticket", "The ticket that tracks the decision or the treatment plan", 200), "ticket"),
        (text("Mitigating control", "The control id that mitigates it (for mitigated)", 200), "control"),
        (text("Justification / treatment plan", "Why, and what will be done by when", 4000), "reason"),
    ):
        dv.add(rng(key))
        ws.add_data_validation(dv)


def _answer_of(model: Model, question: str) -> Any:
    return next((x for x in model.answers if x.question == question), None)


def _audit(s: Sheet, a: Analysis, model: Model, w: ru.Words) -> Printed:
    """The catalogs' audit questions, with the model's answers; the answer columns are editable and
    come back into the model with ``tmodel import register``."""
    ws = s.ws
    cols = {c.key: i for i, c in enumerate(AUDIT_COLUMNS, 1)}
    widths = {i: c.width for i, c in enumerate(AUDIT_COLUMNS, 1)}
    s.header(1, [w.header("Audit", c.header) for c in AUDIT_COLUMNS],
             [EDIT_HEADER_FILL if c.editable else HEADER_FILL for c in AUDIT_COLUMNS], widths=widths if w.ru else None)
    questions = [c for c in a.controls if c.question]
    for r, c in enumerate(questions, 2):
        ans = _answer_of(model, c.id)
        values: dict[str, Any] = {
            "question": c.id, "title": w.catalog_text("control", c.id, "title", c.title, c.title_ru),
            "answer": w.value(terms.ANSWER, ans.status.value) if ans else "",
            "evidence": ans.evidence if ans else "", "answered_by": (ans.answered_by or "") if ans else "",
            "answered_on": ans.answered_on if ans and ans.answered_on else None,
            "status": w.value(terms.CONTROL_STATUS, c.status), "required": w.yes_no(c.answer_required),
            "text": w.catalog_text("control", c.id, "question", c.question or ""),
            "expected": w.catalog_text("control", c.id, "evidence", c.expected_evidence or ""),
        }
        for col in AUDIT_COLUMNS:
            s.put(r, cols[col.key], values[col.key], wrap=col.wrap, border=True, measure=False,
                  fmt=DATE_FORMAT if col.key == "answered_on" else None, unlocked_fill=EDIT_FILL if col.editable else None)
    last = max(2, len(questions) + 1)
    if questions:
        col = get_column_letter(cols["status"])
        _level_formatting(ws, f"{col}2:{col}{last}", list(STATUS_COLOR), STATUS_COLOR, w.labels(terms.CONTROL_STATUS))
        answers = [w.value(terms.ANSWER, v) for v in AnswerStatus.values()]
        dv = DataValidation(type="list", formula1='"' + ",".join(answers) + '"', allow_blank=True, showErrorMessage=True,
                            showInputMessage=True, errorTitle=w("Not an answer"),
                            error=w("Choose one of: {values}", values=", ".join(answers)),
                            promptTitle=w("Answer"), prompt=w("yes, partial, no, not_applicable (say why in Evidence)"))
        dv.add(f"{get_column_letter(cols['answer'])}2:{get_column_letter(cols['answer'])}{last}")
        ws.add_data_validation(dv)
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(AUDIT_COLUMNS))}{last}"
    return s.fit(widths), "1:1", "A:B"


def _status_sheet(s: Sheet, w: ru.Words, sheet: str, headers: list[str], rows: list[list[Any]], status_col: int,
                  wrap_cols: set[int], widths: dict[int, int]) -> None:
    ws = s.ws
    s.header(1, w.headers(sheet, headers), widths=widths if w.ru else None)
    for r, values in enumerate(rows, 2):
        for c, v in enumerate(values, 1):  # a column of a fixed width: nothing to measure
            s.put(r, c, v, border=True, wrap=c in wrap_cols, measure=c not in widths)
    last = max(2, len(rows) + 1)
    if rows:
        col = get_column_letter(status_col)
        _level_formatting(ws, f"{col}2:{col}{last}", list(STATUS_COLOR), STATUS_COLOR, w.labels(terms.CONTROL_STATUS))
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last}"


def _unknowns(s: Sheet, a: Analysis, w: ru.Words) -> Printed:
    """Facts the model leaves unstated that decide whether rules fire: questions that need an answer.
    They are answered in the model (stating the fact: a weak value makes the rules fire, a strong one
    closes the question), so the sheet is read-only; it is narrow enough to print in few pages."""
    rows = [[u.id, engine.unknown_text(u.fact, u.text) if w.ru else u.text.removeprefix("Not stated: "),
             ((engine.sentence(u.target_title) or u.target_title) if w.ru else u.target_title) + ("\n" + ", ".join(u.targets) if len(u.targets) > 1 else ""),
             w.value(terms.CONTROL_STATUS, "needs_answer"), "\n".join(u.rules), ", ".join(u.requirements)]
            for u in a.unknowns]
    widths = {1: 26, 2: 40, 3: 26, 4: 13, 5: 24, 6: 24}
    if w.ru:  # 'требует подтверждения' wraps in a slightly wider column
        widths.update({2: 38, 4: 15})
    _status_sheet(s, w, "Unknowns", ["Unknown", "Not stated (state it in the model)", "Where", "Status",
                                     "Rules that depend on it", "Requirements"], rows, 4,
                  {1, 2, 3, 5, 6} | ({4} if w.ru else set()), widths)
    return s.fit(widths), "1:1", "A:A"


def _controls(s: Sheet, a: Analysis, w: ru.Words) -> Printed:
    rows = []
    for c in a.controls:
        rows.append([c.id, w.catalog_text("control", c.id, "title", c.title, c.title_ru), c.catalog,
                     w.value(terms.CONTROL_KIND, c.kind), w.value(terms.CONTROL_STATUS, c.status), c.evidence,
                     ", ".join(c.satisfies), "\n".join(c.mitigates), "\n".join(w.engine(x) for x in c.notes)])
    widths = {1: 22, 2: 30, 3: 12, 4: 10, 5: 11, 6: 30, 7: 22, 8: 26, 9: 40}
    if w.ru:  # the Russian kind and status labels wrap in wider columns
        widths.update({4: 14, 5: 15})
    _status_sheet(s, w, "Controls", ["Control", "Title", "Catalog", "Kind", "Status", "Evidence", "Satisfies",
                                     "Mitigates (threats)", "Notes"], rows, 5,
                  {1, 2, 6, 7, 8, 9} | ({4, 5} if w.ru else set()), widths)
    return s.fit(widths), "1:1", "A:A"


def _compliance(s: Sheet, a: Analysis, w: ru.Words) -> Printed:
    rows = []
    for f in a.frameworks:
        for q in f.requirements:
            rows.append([f.id, q.id, q.clause, w.catalog_text("requirement", q.id, "title", q.title),
                         w.value(ru.CONFIDENCE, q.confidence), w.value(terms.CONTROL_STATUS, q.status),
                         "\n".join(f"{c.id} ({w.value(terms.CONTROL_STATUS, c.status)})" for c in q.controls), q.evidence])
    widths = {1: 12, 2: 20, 3: 12, 4: 40, 5: 11, 6: 11, 7: 30, 8: 30}
    if w.ru:  # the Russian confidence and status labels wrap in wider columns
        widths.update({4: 36, 5: 14, 6: 15})
    _status_sheet(s, w, "Compliance", ["Framework", "Requirement", "Clause", "Title", "Confidence", "Status",
                                       "Controls (status)", "Evidence"], rows, 6,
                  {2, 3, 4, 7, 8} | ({5, 6} if w.ru else set()), widths)
    return s.fit(widths), "1:1", "A:B"


def _assets(s: Sheet, model: Model, w: ru.Words) -> Printed:
    ws = s.ws
    reach = asset_reach(model)
    headers = ["Asset", "Title", "Classification", "Personal data", "Volume", "Masked", "Cross-border countries",
               "Regulator notified", "Flows that carry it", "Elements it reaches"]
    fixed = {1: 18, 2: 28, 9: 22, 10: 22}
    s.header(1, w.headers("Assets", headers), widths={**{i: 14 for i in range(3, 9)}, 3: 17, **fixed} if w.ru else None)
    for r, asset in enumerate(model.data_assets, 2):
        cb = asset.cross_border
        values = [asset.id, asset.title, w.value(terms.CLASSIFICATION, asset.classification.value),
                  w.value(terms.PD_CATEGORY, asset.pd_category.value), w.value(terms.VOLUME, asset.volume.value),
                  w.yes_no(asset.masked), ", ".join(cb.countries) if cb.transfer else "",
                  w.yes_no(cb.rkn_notified) if cb.transfer else "",
                  "\n".join(reach[asset.id].flows), "\n".join(reach[asset.id].elements)]
        for c, v in enumerate(values, 1):
            s.put(r, c, v, border=True, wrap=c in ((1, 2, 3, 4, 5, 7, 9, 10) if w.ru else (1, 2, 7, 9, 10)))
    last = max(2, len(model.data_assets) + 1)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last}"
    return s.fit({**{i: 14 for i in range(3, 9)}, 3: 17, **fixed} if w.ru else fixed), "1:1", "A:A"


def _matrix_grid(s: Sheet, w: ru.Words, value: Any, *, center: bool, measure_header: bool) -> None:
    """A 5x5 likelihood (rows, 5 at the top) x impact grid, each cell coloured by the risk matrix."""
    impact = ru.IMPACT_NAMES if w.ru else risk.IMPACT_NAMES
    likelihood = ru.LIKELIHOOD_NAMES if w.ru else risk.LIKELIHOOD_NAMES
    s.put(s.row, 1, w("Likelihood \\ Impact"), font=BOLD, border=True)
    for im in range(1, 6):
        s.put(s.row, 1 + im, f"{im} {impact[im]}", font=BOLD, border=True, measure=measure_header)
    s.row += 1
    for lk in range(5, 0, -1):
        s.put(s.row, 1, f"{lk} {likelihood[lk]}", font=BOLD, border=True)
        for im in range(1, 6):
            strong, light = LEVEL_COLOR[risk.MATRIX[lk - 1][im - 1].value]
            s.put(s.row, 1 + im, value(lk, im), border=True,
                  fill=PatternFill("solid", fgColor=light), font=Font(size=9, bold=True, color=strong))
            if center:
                s.cell(s.row, 1 + im).alignment = Alignment(horizontal="center")
        s.row += 1


def _method(s: Sheet, w: ru.Words) -> Printed:
    s.put(1, 1, w("Risk method"), font=TITLE_FONT, measure=False)
    s.row = 3
    for line in (ru.METHOD_ITEMS if w.ru else method_items()):
        s.put(s.row, 1, f"- {line}", measure=False)
        s.row += 1

    s.row += 1
    s.put(s.row, 1, w("Risk matrix: level by likelihood (rows) and impact (columns)"), font=SECTION_FONT, measure=False)
    s.row += 1
    _matrix_grid(s, w, lambda lk, im: w.level(risk.MATRIX[lk - 1][im - 1].value), center=False, measure_header=True)

    def table(title: str, rows: list[tuple[str, str]], headers: tuple[str, str]) -> None:
        s.row += 1
        s.put(s.row, 1, w(title), font=SECTION_FONT, measure=False)
        s.row += 1
        s.header(s.row, w.headers("Method", list(headers)))
        s.row += 1
        for k, v in rows:
            s.put(s.row, 1, k, border=True)
            s.put(s.row, 2, v, border=True, measure=False)
            s.row += 1

    def legend(codes: Any, labels: dict[str, str], english: dict[str, str], russian: dict[str, str]) -> list[tuple[str, str]]:
        return [(w.value(labels, str(c)), russian[str(c)] if w.ru else english[str(c)]) for c in codes]

    levels = list(reversed(list(Level)))
    table("Levels", legend(levels, terms.LEVEL, {lv.value: lv.description for lv in Level}, ru.LEVEL_MEANING),
          ("Level", "Meaning"))
    table("Decision statuses (the Status column of Risks)",
          legend(DecisionStatus, terms.DECISION, {d.value: d.description for d in DecisionStatus}, ru.DECISION_MEANING),
          ("Status", "Meaning"))
    table("Effective statuses (the Effective status column and the Summary)",
          legend(THREAT_STATUSES, terms.THREAT_STATUS, EFFECTIVE_STATUS_TEXT, ru.THREAT_STATUS_MEANING), ("Status", "Meaning"))
    table("Control and requirement statuses",
          legend(COMPLIANCE_STATUSES, terms.CONTROL_STATUS, COMPLIANCE_STATUS_TEXT, ru.COMPLIANCE_MEANING),
          ("Status", "Meaning"))
    table("Confidence of a requirement's clause reference",
          legend(Confidence, ru.CONFIDENCE, {c.value: c.description for c in Confidence}, ru.CONFIDENCE_MEANING),
          ("Confidence", "Meaning"))
    table("STRIDE", [(x.value, terms.IMPACT[x.value] if w.ru else x.description) for x in Stride], ("Category", "Meaning"))

    s.row += 1
    s.put(s.row, 1, w("Editing this register"), font=SECTION_FONT, measure=False)
    s.row += 1
    for line in (ru.EDITING_NOTES if w.ru else EDITING_NOTES):
        s.put(s.row, 1, line, measure=False)
        s.row += 1
    return s.fit({1: 28, 2: 90}), None, None


EDITING_NOTES = (
    "Only the blue columns are meant to be edited: on Risks, Status, Owner, Approver (decided by), Decision date, "
    "Expiry / due date, Ticket, Mitigating control and Justification / treatment plan; on Audit, Answer, Evidence, "
    "Answered by and Answered on.",
    "An accepted risk needs an owner, an expiry date and a justification (and an approver when it is critical); its "
    "expiry may be at most the project's max_acceptance_days after the decision (tmodel.toml, default 365).",
    "mitigated needs the mitigating control or the evidence in the justification; transferred and false_positive "
    "need a justification.",
    "Read the edits back into the model with: tmodel import register <this file> <model.yaml> (add --dry-run to preview).",
    "Rows deleted here leave their decision in the model as it was; rows added here are refused (threat ids come "
    "from the analysis). Export again after changing the model.",
    "The sheets are protected WITHOUT a password, only against accidental edits: Review > Unprotect Sheet lifts it.",
    "It is not access control: keep the signed record and the model's git history as the authoritative trail.",
    "The hidden sheet _tmodel holds the values as exported, so the import applies only what changed here.",
)


def _meta(s: Sheet, a: Analysis, model: Model) -> None:
    """The hidden sheet (default column widths: its text is not measured)."""
    ws = s.ws
    s.line("tmodel register", REGISTER_FORMAT)
    s.line("model", a.model_id)
    s.line("as of", a.as_of.isoformat())
    s.row += 1
    s.header(s.row, META_HEADERS)
    s.row += 1
    for t in a.threats:
        d = t.decision
        own = decision_of(model, t.id)
        s.line(t.id, d.status if d else DecisionStatus.OPEN.value, (d.owner or "") if d else "",
               (d.decided_by or "") if d else "", d.decided_on.isoformat() if d and d.decided_on else "",
               d.expires.isoformat() if d and d.expires else "", (own.ticket or "") if own else "",
               (d.control or "") if d else "", d.reason if d else "", measure=False)
    s.row += 1
    s.header(s.row, AUDIT_META_HEADERS)
    s.row += 1
    for c in a.controls:
        if not c.question:
            continue
        ans = _answer_of(model, c.id)
        s.line(c.id, ans.status.value if ans else "", ans.evidence if ans else "", (ans.answered_by or "") if ans else "",
               ans.answered_on.isoformat() if ans and ans.answered_on else "", measure=False)
    ws.sheet_state = "hidden"
