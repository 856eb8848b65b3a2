"""The risk register (xlsx) for the compliance team.

Sheets: Summary, Risks, Controls, Compliance, Assets, Method, and a hidden ``_tmodel`` sheet that
remembers the exported values of the editable columns (so ``tmodel import register`` applies
only what compliance changed, and notices decisions that changed in the model since the export).

- Every string from a model or a catalog goes through ``safe.set_text``: it stays text, never a
  formula (openpyxl makes any "=..." string a formula; spreadsheets also run "+", "-", "@", tab,
  CR and LF prefixed text).
- The Risks sheet's Status, Owner, Expiry and Justification columns are the only editable cells
  (data validation on each); all sheets are protected without a password, against accidents.
- Deterministic: workbook properties are fixed (creator 'tmodel', created = modified = the
  analysis date at midnight UTC) and the zip entries carry that date too, so the same model and
  date give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from tmodel import __version__
from tmodel.analysis import risk
from tmodel.analysis.result import COMPLIANCE_STATUSES, THREAT_STATUSES, Analysis, Threat
from tmodel.catalog.bdu import threat_bdu
from tmodel.catalog.types import Confidence
from tmodel.export.common import asset_reach, method_items, write_atomic
from tmodel.export.palette import LEVEL_COLOR, STATUS_COLOR
from tmodel.export.safe import set_text
from tmodel.model.enums import DecisionStatus, Level, Stride
from tmodel.model.types import Model

REGISTER_FORMAT = "1"
META_SHEET = "_tmodel"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="263238")
EDIT_HEADER_FILL = PatternFill("solid", fgColor="1565C0")
EDIT_FILL = PatternFill("solid", fgColor="E3F2FD")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
SECTION_FONT = Font(bold=True, size=12)
THIN = Side(style="thin", color="B0BEC5")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
MAX_WIDTH, MIN_WIDTH = 60, 8

EFFECTIVE_STATUS_TEXT = {
    "open": DecisionStatus.OPEN.description,
    "expired": "Accepted, but the acceptance expired before the analysis date: treated as open",
    "accepted": DecisionStatus.ACCEPTED.description,
    "transferred": DecisionStatus.TRANSFERRED.description,
    "mitigated": DecisionStatus.MITIGATED.description,
    "false_positive": DecisionStatus.FALSE_POSITIVE.description,
}
COMPLIANCE_STATUS_TEXT = {
    "met": "Every applicable control is in place",
    "partial": "Some controls are in place, or only for part of the scope",
    "gap": "No control is in place",
    "needs_answer": "The model cannot tell: the audit question needs an answer with evidence",
    "not_applicable": "Does not apply to this integration",
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    editable: bool = False
    width: int | None = None  # fixed width; None = fitted to the content


# The Risks sheet. The importer finds columns by these headers.
RISK_COLUMNS = [
    Column("id", "Threat id"),
    Column("title", "Threat"),
    Column("target", "Target"),
    Column("stride", "STRIDE"),
    Column("frameworks", "Frameworks"),
    Column("requirements", "Requirements"),
    Column("bdu", "FSTEC threats (УБИ)"),
    Column("likelihood", "Likelihood"),
    Column("impact", "Impact"),
    Column("score", "Score"),
    Column("level", "Level"),
    Column("controls", "Controls (status)"),
    Column("why", "Why it fired (evidence)", width=60),
    Column("residual", "Residual level"),
    Column("effective", "Effective status"),
    Column("status", "Status", editable=True),
    Column("owner", "Owner", editable=True),
    Column("expires", "Expiry / due date", editable=True, width=14),
    Column("reason", "Justification", editable=True, width=50),
]
EDITABLE = [c.key for c in RISK_COLUMNS if c.editable]
META_HEADERS = ["Threat id", "Status", "Owner", "Expiry / due date", "Justification"]


def midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)  # openpyxl stores naive datetimes as UTC


class _Sheet:
    """Writes rows into a worksheet and remembers column widths."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.row = 1
        self.widths: dict[int, int] = {}
        self.wrapped: dict[tuple[int, int], str] = {}  # (row, col) -> text of wrapped cells
        # printed, every sheet is landscape and as wide as the page (compliance prints registers)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0

    def put(self, row: int, col: int, value: Any, *, font: Font | None = None, fill: PatternFill | None = None,
            fmt: str | None = None, border: bool = False, wrap: bool = False, measure: bool = True) -> Any:
        cell = self.ws.cell(row=row, column=col)
        if isinstance(value, str):
            set_text(cell, value)
        elif value is not None:
            cell.value = value
        if fmt:
            cell.number_format = fmt
        if font:
            cell.font = font
        if fill:
            cell.fill = fill
        if border:
            cell.border = BOX
        if wrap:
            cell.alignment = WRAP
            if isinstance(value, str):
                self.wrapped[(row, col)] = value
        if measure and value is not None:
            text = value.isoformat() if isinstance(value, dt.date) else str(value)
            longest = max((len(line) for line in text.split("\n")), default=0)
            self.widths[col] = max(self.widths.get(col, 0), longest + 2)
        return cell

    def line(self, *values: Any, **kw: Any) -> int:
        for i, v in enumerate(values, 1):
            self.put(self.row, i, v, **kw)
        self.row += 1
        return self.row - 1

    def header(self, row: int, headers: list[str], fills: list[PatternFill] | None = None) -> None:
        for i, h in enumerate(headers, 1):
            self.put(row, i, h, font=HEADER_FONT, fill=(fills[i - 1] if fills else HEADER_FILL), border=True)
            self.ws.cell(row=row, column=i).alignment = Alignment(wrap_text=True, vertical="center")

    def fit(self, fixed: dict[int, int] | None = None) -> None:
        fixed = fixed or {}
        widths: dict[int, int] = {}
        for col in sorted(set(self.widths) | set(fixed)):
            widths[col] = fixed.get(col) or min(MAX_WIDTH, max(MIN_WIDTH, self.widths.get(col, MIN_WIDTH)))
            self.ws.column_dimensions[get_column_letter(col)].width = widths[col]
        # Excel does not fit row heights to wrapped text on opening: estimate them (15 points a line)
        lines: dict[int, int] = {}
        for (row, col), text in self.wrapped.items():
            per_line = max(1, widths.get(col, MIN_WIDTH) - 2)
            n = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
            lines[row] = max(lines.get(row, 1), n)
        for row in sorted(lines):
            if lines[row] > 1:
                self.ws.row_dimensions[row].height = min(409, 15 * lines[row])


def _protect(ws: Worksheet) -> None:
    """Protection against accidental edits, without a password: filtering, sorting and resizing stay allowed."""
    p = ws.protection
    p.sheet = True
    p.autoFilter = False
    p.sort = False
    p.formatColumns = False
    p.formatRows = False
    p.selectLockedCells = False
    p.selectUnlockedCells = False


def _level_formatting(ws: Worksheet, ref: str, values: list[str], colors: dict[str, tuple[str, str]]) -> None:
    for v in values:
        strong, light = colors[v]
        ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=[f'"{v}"'],
                                                      fill=PatternFill("solid", fgColor=light, bgColor=light),
                                                      font=Font(color=strong, bold=True)))


def _controls_text(t: Threat) -> str:
    return "\n".join(f"{c.id} {c.title} ({c.status})" for c in t.controls)


def _target_text(t: Threat) -> str:
    if t.target_kind == "model":
        return f"model: {t.target_title}"
    return f"{t.target_kind} {t.target}: {t.target_title}"


def build_workbook(a: Analysis, model: Model) -> Workbook:
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    _summary(_Sheet(summary), a, model)
    _risks(_Sheet(wb.create_sheet("Risks")), a)
    _controls(_Sheet(wb.create_sheet("Controls")), a)
    _compliance(_Sheet(wb.create_sheet("Compliance")), a)
    _assets(_Sheet(wb.create_sheet("Assets")), model)
    _method(_Sheet(wb.create_sheet("Method")))
    _meta(_Sheet(wb.create_sheet(META_SHEET)), a)
    for ws in wb.worksheets:
        _protect(ws)
    props = wb.properties
    props.creator = "tmodel"
    props.lastModifiedBy = "tmodel"
    props.title = f"Risk register: {a.model_id}"
    props.subject = "Threat model risk register"
    props.created = props.modified = midnight_utc(a.as_of)
    return wb


def register_bytes(a: Analysis, model: Model) -> bytes:
    """The workbook as bytes; the same analysis gives the same bytes."""
    wb = build_workbook(a, model)
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()  # not save_workbook(): it stamps the current time
    return _fix_zip_times(raw.getvalue(), a.as_of)


def _fix_zip_times(data: bytes, day: dt.date) -> bytes:
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_register(a: Analysis, model: Model, path: str) -> None:
    write_atomic(path, register_bytes(a, model))


# -- sheets -------------------------------------------------------------------------------------
def _summary(s: _Sheet, a: Analysis, model: Model) -> None:
    ws = s.ws
    s.put(1, 1, f"Risk register: {a.title}", font=TITLE_FONT, measure=False)
    s.row = 3
    md = model.metadata
    for label, value in (
        ("Model", a.model_id),
        ("Title", a.title),
        ("Owner", a.owner),
        ("Date of analysis", a.as_of),
        ("GOST R 57580.1 level", md.gost_level.value),
        ("152-FZ protection level", md.pd_level.value if md.pd_level else "not set"),
        ("Last review", md.reviewed_on if md.reviewed_on else "not recorded"),
        ("Model file", a.path),
        ("Generated by", f"tmodel {__version__}"),
    ):
        r = s.line(label, value)
        ws.cell(row=r, column=1).font = Font(bold=True)
        if isinstance(value, dt.date):
            ws.cell(row=r, column=2).number_format = DATE_FORMAT
            ws.cell(row=r, column=2).alignment = Alignment(horizontal="left")

    s.row += 1
    s.put(s.row, 1, "Threats by level", font=SECTION_FONT)
    s.row += 1
    s.header(s.row, ["Level", "Threats (inherent)", "Unresolved (residual)"])
    s.row += 1
    inherent = a.counts_by_level()
    residual = a.counts_by_level(residual=True, unresolved_only=True)
    first = s.row
    for lv in reversed(list(Level)):
        s.line(lv.value, inherent[lv.value], residual[lv.value], border=True)
    _level_formatting(ws, f"A{first}:A{s.row - 1}", [lv.value for lv in Level], LEVEL_COLOR)
    r = s.line("total", len(a.threats), sum(residual.values()), border=True)
    for c in range(1, 4):
        ws.cell(row=r, column=c).font = Font(bold=True)

    s.row += 1
    s.put(s.row, 1, "Threats by status", font=SECTION_FONT)
    s.row += 1
    s.header(s.row, ["Status", "Threats", "Meaning"])
    s.row += 1
    for st, n in a.counts_by_status().items():
        s.line(st, n, EFFECTIVE_STATUS_TEXT[st], border=True)

    s.row += 1
    s.put(s.row, 1, "Heat map: unresolved threats by likelihood and impact (inherent), coloured by the risk matrix", font=SECTION_FONT,
          measure=False)
    s.row += 1
    grid = a.heatmap()
    _matrix_grid(s, lambda lk, im: grid[lk - 1][im - 1], center=True, measure_header=False)

    s.row += 1
    s.put(s.row, 1, "Compliance per framework", font=SECTION_FONT)
    s.row += 1
    s.header(s.row, ["Framework", "Title", "Coverage, %", "Met", "Partial", "Gap", "Needs answer", "Not applicable"])
    s.row += 1
    for f in a.frameworks:
        c = f.counts
        r = s.line(f.id, f.title, f.coverage, c["met"], c["partial"], c["gap"], c["needs_answer"], c["not_applicable"], border=True)
        ws.cell(row=r, column=3).number_format = "0.0"
    s.put(s.row, 1, "Coverage = (met + half of partial) / applicable requirements.", measure=False)
    s.row += 2

    s.put(s.row, 1, "Decisions needing attention", font=SECTION_FONT)
    s.row += 1
    s.header(s.row, ["Kind", "Threat id", "Message"])
    s.row += 1
    if not a.decision_issues:
        s.line("none", "", "")
    for i in a.decision_issues:
        s.line(i.kind, i.threat, i.message, border=True)
    s.fit({2: 36})
    ws.freeze_panes = "A3"


def _risks(s: _Sheet, a: Analysis) -> None:
    ws = s.ws
    cols = {c.key: i for i, c in enumerate(RISK_COLUMNS, 1)}
    s.header(1, [c.header for c in RISK_COLUMNS], [EDIT_HEADER_FILL if c.editable else HEADER_FILL for c in RISK_COLUMNS])
    for r, t in enumerate(a.threats, 2):
        d = t.decision
        values: dict[str, Any] = {
            "id": t.id,
            "title": t.title,
            "target": _target_text(t),
            "stride": ", ".join(t.stride),
            "frameworks": ", ".join(t.frameworks),
            "requirements": ", ".join(t.requirements),
            "bdu": ", ".join(threat_bdu(t)),
            "likelihood": t.likelihood,
            "impact": t.impact,
            "score": t.score,
            "level": t.level,
            "controls": _controls_text(t),
            "why": "\n".join(t.why),
            "residual": t.residual_level,
            "effective": t.status,
            "status": d.status if d else DecisionStatus.OPEN.value,
            "owner": (d.owner or "") if d else "",
            "expires": d.expires if d and d.expires else None,
            "reason": d.reason if d else "",
        }
        for c in RISK_COLUMNS:
            cell = s.put(r, cols[c.key], values[c.key], wrap=c.key in ("title", "target", "controls", "why", "reason", "requirements", "bdu"),
                         border=True, fmt=DATE_FORMAT if c.key == "expires" else None)
            if c.editable:
                cell.protection = Protection(locked=False)
                cell.fill = EDIT_FILL
    last = max(2, len(a.threats) + 1)
    n = len(a.threats)
    if n:
        lv = [x.value for x in Level]
        for key in ("level", "residual"):
            col = get_column_letter(cols[key])
            _level_formatting(ws, f"{col}2:{col}{last}", lv, LEVEL_COLOR)
        eff = get_column_letter(cols["effective"])
        ws.conditional_formatting.add(f"{eff}2:{eff}{last}", CellIsRule(
            operator="equal", formula=['"expired"'], fill=PatternFill("solid", fgColor="FFCDD2", bgColor="FFCDD2"),
            font=Font(color="C62828", bold=True)))
        exp = get_column_letter(cols["expires"])
        y, m, dd = a.as_of.year, a.as_of.month, a.as_of.day
        ws.conditional_formatting.add(f"{exp}2:{exp}{last}", FormulaRule(
            formula=[f"AND(ISNUMBER({exp}2),{exp}2<DATE({y},{m},{dd}))"],
            fill=PatternFill("solid", fgColor="FFCDD2", bgColor="FFCDD2"), font=Font(color="C62828", bold=True)))
        _validations(ws, cols, last)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(RISK_COLUMNS))}{last}"
    s.fit({i: c.width for i, c in enumerate(RISK_COLUMNS, 1) if c.width} | {cols["controls"]: 40, cols["title"]: 36})


def _validations(ws: Worksheet, cols: dict[str, int], last: int) -> None:
    def rng(key: str) -> str:
        col = get_column_letter(cols[key])
        return f"{col}2:{col}{last}"

    status = DataValidation(type="list", formula1='"' + ",".join(DecisionStatus.values()) + '"', allow_blank=False,
                            showErrorMessage=True, showInputMessage=True, errorStyle="stop",
                            errorTitle="Not a status", error="Choose one of: " + ", ".join(DecisionStatus.values()),
                            promptTitle="Decision", prompt="open, mitigated, accepted (owner, expiry and justification required), transferred, false_positive")
    owner = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="200", allow_blank=True,
                           showErrorMessage=True, showInputMessage=True, errorTitle="Too long",
                           error="At most 200 characters", promptTitle="Risk owner",
                           prompt="Who owns the risk (person or team); required for accepted risks")
    expires = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)",
                             allow_blank=True, showErrorMessage=True, showInputMessage=True, errorTitle="Not a date",
                             error="Enter a date (YYYY-MM-DD)", promptTitle="Expiry / due date",
                             prompt="When the acceptance expires; required for accepted risks")
    reason = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="4000", allow_blank=True,
                            showErrorMessage=True, showInputMessage=True, errorTitle="Too long",
                            error="At most 4000 characters", promptTitle="Justification",
                            prompt="Why: required for accepted, transferred and false_positive")
    for dv, key in ((status, "status"), (owner, "owner"), (expires, "expires"), (reason, "reason")):
        dv.add(rng(key))
        ws.add_data_validation(dv)


def _status_sheet(s: _Sheet, headers: list[str], rows: list[list[Any]], status_col: int, wrap_cols: set[int]) -> None:
    ws = s.ws
    s.header(1, headers)
    for r, values in enumerate(rows, 2):
        for c, v in enumerate(values, 1):
            s.put(r, c, v, border=True, wrap=c in wrap_cols)
    last = max(2, len(rows) + 1)
    if rows:
        col = get_column_letter(status_col)
        _level_formatting(ws, f"{col}2:{col}{last}", list(STATUS_COLOR), STATUS_COLOR)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last}"


def _controls(s: _Sheet, a: Analysis) -> None:
    rows = []
    for c in a.controls:
        notes = list(c.notes)
        rows.append([c.id, c.title, c.catalog, c.kind, c.status, c.evidence, ", ".join(c.satisfies), "\n".join(c.mitigates),
                     c.question or "", c.expected_evidence or "", "\n".join(notes)])
    _status_sheet(s, ["Control", "Title", "Catalog", "Kind", "Status", "Evidence", "Satisfies", "Mitigates (threats)",
                      "Audit question", "Expected evidence", "Notes"], rows, 5, {2, 6, 8, 9, 10, 11})
    s.fit({2: 36, 6: 36, 8: 36, 9: 50, 10: 40, 11: 50})


def _compliance(s: _Sheet, a: Analysis) -> None:
    rows = []
    for f in a.frameworks:
        for q in f.requirements:
            rows.append([f.id, q.id, q.clause, q.title, q.confidence, q.status,
                         "\n".join(f"{c.id} ({c.status})" for c in q.controls), q.evidence])
    _status_sheet(s, ["Framework", "Requirement", "Clause", "Title", "Confidence", "Status", "Controls (status)", "Evidence"],
                  rows, 6, {4, 7, 8})
    s.fit({4: 50, 7: 36, 8: 40})


def _assets(s: _Sheet, model: Model) -> None:
    ws = s.ws
    reach = asset_reach(model)
    headers = ["Asset", "Title", "Classification", "Personal data", "Volume", "Masked", "Cross-border countries",
               "Regulator notified", "Flows that carry it", "Elements it reaches"]
    s.header(1, headers)
    for r, asset in enumerate(model.data_assets, 2):
        cb = asset.cross_border
        values = [asset.id, asset.title, asset.classification.value, asset.pd_category.value, asset.volume.value,
                  "yes" if asset.masked else "no", ", ".join(cb.countries) if cb.transfer else "",
                  ("yes" if cb.rkn_notified else "no") if cb.transfer else "",
                  "\n".join(reach[asset.id].flows), "\n".join(reach[asset.id].elements)]
        for c, v in enumerate(values, 1):
            s.put(r, c, v, border=True, wrap=c in (2, 9, 10))
    last = max(2, len(model.data_assets) + 1)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last}"
    s.fit({2: 36})



def _matrix_grid(s: _Sheet, value: Any, *, center: bool, measure_header: bool) -> None:
    """A 5x5 likelihood (rows, 5 at the top) x impact grid, each cell coloured by the risk matrix."""
    s.put(s.row, 1, "Likelihood \\ Impact", font=Font(bold=True), border=True)
    for im in range(1, 6):
        s.put(s.row, 1 + im, f"{im} {risk.IMPACT_NAMES[im]}", font=Font(bold=True), border=True, measure=measure_header)
    s.row += 1
    for lk in range(5, 0, -1):
        s.put(s.row, 1, f"{lk} {risk.LIKELIHOOD_NAMES[lk]}", font=Font(bold=True), border=True)
        for im in range(1, 6):
            strong, light = LEVEL_COLOR[risk.MATRIX[lk - 1][im - 1].value]
            cell = s.put(s.row, 1 + im, value(lk, im), border=True,
                         fill=PatternFill("solid", fgColor=light), font=Font(bold=True, color=strong))
            if center:
                cell.alignment = Alignment(horizontal="center")
        s.row += 1

def _method(s: _Sheet) -> None:
    s.put(1, 1, "Risk method", font=TITLE_FONT, measure=False)
    s.row = 3
    for line in method_items():
        s.put(s.row, 1, f"- {line}", measure=False)
        s.row += 1

    s.row += 1
    s.put(s.row, 1, "Risk matrix: level by likelihood (rows) and impact (columns)", font=SECTION_FONT, measure=False)
    s.row += 1
    _matrix_grid(s, lambda lk, im: risk.MATRIX[lk - 1][im - 1].value, center=False, measure_header=True)

    def table(title: str, rows: list[tuple[str, str]], headers: tuple[str, str]) -> None:
        s.row += 1
        s.put(s.row, 1, title, font=SECTION_FONT, measure=False)
        s.row += 1
        s.header(s.row, list(headers))
        s.row += 1
        for k, v in rows:
            s.put(s.row, 1, k, border=True)
            s.put(s.row, 2, v, border=True, measure=False)
            s.row += 1

    table("Levels", [(lv.value, lv.description) for lv in reversed(list(Level))], ("Level", "Meaning"))
    table("Decision statuses (the Status column of Risks)", [(d.value, d.description) for d in DecisionStatus], ("Status", "Meaning"))
    table("Effective statuses (the Effective status column and the Summary)",
          [(st, EFFECTIVE_STATUS_TEXT[st]) for st in THREAT_STATUSES], ("Status", "Meaning"))
    table("Control and requirement statuses", [(st, COMPLIANCE_STATUS_TEXT[st]) for st in COMPLIANCE_STATUSES], ("Status", "Meaning"))
    table("Confidence of a requirement's clause reference", [(c.value, c.description) for c in Confidence], ("Confidence", "Meaning"))
    table("STRIDE", [(x.value, x.description) for x in Stride], ("Category", "Meaning"))

    s.row += 1
    s.put(s.row, 1, "Editing this register", font=SECTION_FONT, measure=False)
    s.row += 1
    for line in (
        "Only the blue columns of the Risks sheet are meant to be edited: Status, Owner, Expiry / due date and Justification.",
        "An accepted risk needs an owner, an expiry date and a justification; transferred and false_positive need a justification.",
        "Read the edits back into the model with: tmodel import register <this file> <model.yaml> (add --dry-run to preview).",
        "The import records who decided (the owner, or 'compliance' when no owner is given) and when (the day of the import).",
        "The sheets are protected WITHOUT a password, only against accidental edits: Review > Unprotect Sheet lifts it.",
        "It is not access control: keep the signed record and the model's git history as the authoritative trail.",
        "The hidden sheet _tmodel holds the values as exported, so the import applies only what changed here.",
    ):
        s.put(s.row, 1, line, measure=False)
        s.row += 1
    s.fit({1: 28, 2: 70})


def _meta(s: _Sheet, a: Analysis) -> None:
    ws = s.ws
    s.line("tmodel register", REGISTER_FORMAT)
    s.line("model", a.model_id)
    s.line("as of", a.as_of.isoformat())
    s.row += 1
    s.header(s.row, META_HEADERS)
    s.row += 1
    for t in a.threats:
        d = t.decision
        s.line(t.id, d.status if d else DecisionStatus.OPEN.value, (d.owner or "") if d else "",
               d.expires.isoformat() if d and d.expires else "", d.reason if d else "")
    ws.sheet_state = "hidden"
