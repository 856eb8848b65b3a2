"""Writing one worksheet of the register: cells, column widths, row heights, and how it prints.

Printing (compliance prints and files registers):
- A4 landscape; header row(s) repeated on every page (print titles), and the identifying columns
  too when a sheet is wider than a page;
- fitted to the page width only when the type stays readable (>= ``MIN_PRINT_PT`` points);
  otherwise printed at the smallest readable scale across several pages, row band by row band;
- header: the model's title, the classification marking, the export date; footer: the sheet,
  ``page x of y``, the marking again.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tmodel.export.safe import cell_text, set_text
from tmodel.export.xlsx import Record, Style

BODY_PT = 9  # the body text of every sheet, at 100 % zoom and in print
MIN_PRINT_PT = 8  # printed type never gets smaller than this
HEADER_FILL = PatternFill("solid", fgColor="263238")
EDIT_HEADER_FILL = PatternFill("solid", fgColor="1565C0")
EDIT_FILL = PatternFill("solid", fgColor="E3F2FD")
BODY_FONT = Font(size=BODY_PT)
BOLD = Font(size=BODY_PT, bold=True)
HEADER_FONT = Font(size=BODY_PT, bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
SECTION_FONT = Font(bold=True, size=11)
THIN = Side(style="thin", color="B0BEC5")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)
TOP = Alignment(vertical="top")
MAX_WIDTH, MIN_WIDTH = 60, 6
# A4 landscape less 1.3 cm margins each side, in Excel column-width units (a unit is 7 px of 96 dpi
# plus padding; LibreOffice measured): about 108 units print on one page at 100 %.
PAGE_UNITS = 108
# characters of BODY_PT text per column-width unit (the unit is measured in 11 pt digits)
CHARS_PER_UNIT = 11 / BODY_PT
LINE_PT = BODY_PT * 1.32  # row height per line of wrapped text
MAX_ROW = 1_048_576  # a worksheet's last row (openpyxl refuses a cell beyond it)
# how a cell is styled: ids of its font, fill and unlocked fill, border, wrap, number format
StyleKey = tuple[int, int, bool, bool, "str | None", int]


def header_footer_text(text: str) -> str:
    """A model's text inside a page header: '&' starts a code there, so it is doubled."""
    return " ".join(text.split()).replace("&", "&&")


class Sheet:
    """Writes rows into a worksheet, remembers column widths and wrapped text for row heights.

    A cell is kept as a plain record (``cells``: value, type, style; written by ``xlsx.workbook_bytes``)
    when it is fresh, holds text or nothing and is styled like an earlier fresh cell: most cells of a
    large register. Any other cell is an openpyxl cell, styled through openpyxl as before; ``cell()``
    turns a record into one, to style it directly. A record is what the openpyxl cell would hold,
    so the workbook comes out the same either way; openpyxl's cells cost time (400,000 objects in a
    register of 10,000 threats, each scanned by the garbage collector), records do not."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.row = 1
        self.cells: dict[tuple[int, int], Record] = {}
        self.widths: dict[int, int] = {}
        self.wrapped: dict[tuple[int, int], str] = {}  # (row, col) -> text of wrapped cells
        self.spans: dict[tuple[int, int], int] = {}  # (row, col) -> last column of a merged cell
        # (font, fill, border, wrap, format) -> the style a fresh cell ends up with: given to the next fresh
        # cell styled alike instead of registering each style object again (openpyxl hashes every font, fill,
        # border and alignment it is given: 90 % of a large register's time). The objects are kept, so
        # their ids stay theirs; the workbook's style tables and every cell's style come out the same.
        self._styles: dict[StyleKey, tuple[Any, Style]] = {}

    def put(self, row: int, col: int, value: Any, *, font: Font | None = None, fill: PatternFill | None = None,
            fmt: str | None = None, border: bool = False, wrap: bool = False, measure: bool = True,
            unlocked_fill: PatternFill | None = None) -> None:
        """Write one cell. ``unlocked_fill``: an editable cell of a protected sheet, unlocked and filled so."""
        font = font or BODY_FONT
        key = (id(font), id(fill), border, wrap, fmt, id(unlocked_fill))
        if not self._put_record(row, col, value, key):
            self._put_cell(self.cell(row, col), value, key, font, fill, fmt, border, wrap, unlocked_fill)
        if wrap and isinstance(value, str):
            self.wrapped[(row, col)] = value
        if measure and value is not None:
            text = value.isoformat() if isinstance(value, dt.date) else str(value)
            longest = max((len(line) for line in text.split("\n")), default=0)
            self.widths[col] = max(self.widths.get(col, 0), math.ceil(longest / CHARS_PER_UNIT) + 2)

    def _put_record(self, row: int, col: int, value: Any, key: StyleKey) -> bool:
        """A fresh cell styled like an earlier fresh cell, holding text (not formula-like) or nothing, as
        a record with that cell's style."""
        known = self._styles.get(key)
        at = (row, col)
        if known is None or at in self.cells or at in self.ws._cells or not (0 < row <= MAX_ROW and col > 0):
            return False
        if value is None:
            self.cells[at] = (None, "n", known[1])
            return True
        if not isinstance(value, str):
            return False
        text, quote = cell_text(value)
        if quote:
            return False  # formula-like: its cell's style takes the quote prefix
        self.cells[at] = (text, "s", known[1])
        return True

    def _put_cell(self, cell: Cell, value: Any, key: StyleKey, font: Font, fill: PatternFill | None, fmt: str | None,
                  border: bool, wrap: bool, unlocked_fill: PatternFill | None) -> None:
        if isinstance(value, str):
            set_text(cell, value)
        elif value is not None:
            cell.value = value
        fresh = not cell.has_style
        known = self._styles.get(key) if fresh else None
        if known is not None:
            cell._style = StyleArray(known[1])
        else:
            if fmt:
                cell.number_format = fmt
            cell.font = font
            if fill:
                cell.fill = fill
            if border:
                cell.border = BOX
            cell.alignment = WRAP if wrap else TOP
            if unlocked_fill is not None:
                cell.protection = UNLOCKED
                cell.fill = unlocked_fill
            if fresh:
                self._styles[key] = ((font, fill, unlocked_fill), tuple(cell._style))

    def cell(self, row: int, col: int) -> Cell:
        """The openpyxl cell at (row, col), to style directly; a record there becomes that cell."""
        record = self.cells.pop((row, col), None)
        if record is None:
            return self.ws.cell(row=row, column=col)
        value, kind, style = record
        cell = Cell(self.ws, row=row, column=col, style_array=style)
        cell._value, cell.data_type = value, kind
        self.ws._add_cell(cell)
        return cell

    def line(self, *values: Any, **kw: Any) -> int:
        for i, v in enumerate(values, 1):
            self.put(self.row, i, v, **kw)
        self.row += 1
        return self.row - 1

    def merge(self, row: int, first: int, last: int) -> None:
        """One cell from column ``first`` to ``last`` (its wrapped text uses the whole width)."""
        self.cell(row, first)  # openpyxl borders the merged cells like this one
        for col in range(first + 1, last + 1):
            self.cells.pop((row, col), None)  # openpyxl replaces the cells it merges
        self.ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        self.spans[(row, first)] = last

    def header(self, row: int, headers: list[str], fills: list[PatternFill] | None = None,
               widths: dict[int, int] | None = None) -> None:
        """A header row; with ``widths`` (the columns' widths) the row is as tall as the longest
        header wraps to, else one or two lines."""
        for i, h in enumerate(headers, 1):
            self.put(row, i, h, font=HEADER_FONT, fill=(fills[i - 1] if fills else HEADER_FILL), border=True, measure=False)
            self.cell(row, i).alignment = Alignment(wrap_text=True, vertical="center")
        if widths is not None:
            lines = max((wrapped_lines(h, widths.get(i, MIN_WIDTH)) for i, h in enumerate(headers, 1)), default=1)
        else:
            lines = 2 if headers and max(len(h) for h in headers) > 12 else 1
        self.ws.row_dimensions[row].height = LINE_PT * lines + 4

    def fit(self, fixed: dict[int, int] | None = None) -> dict[int, int]:
        """Column widths (fixed ones win, others fitted to their content) and row heights for the
        wrapped text (spreadsheets do not grow rows on opening). Returns the widths."""
        fixed = fixed or {}
        widths: dict[int, int] = {}
        for col in sorted(set(self.widths) | set(fixed)):
            widths[col] = fixed.get(col) or min(MAX_WIDTH, max(MIN_WIDTH, self.widths.get(col, MIN_WIDTH)))
            self.ws.column_dimensions[get_column_letter(col)].width = widths[col]
        lines: dict[int, int] = {}  # rows of more than one line -> their lines
        per_line: dict[tuple[int, int], int] = {}  # (first, last column) -> characters a line holds
        for (row, col), text in self.wrapped.items():
            span = (col, self.spans.get((row, col), col))
            chars = per_line.get(span)
            if chars is None:
                width = sum(widths.get(c, MIN_WIDTH) for c in range(col, span[1] + 1))
                chars = per_line[span] = max(1, int((width - 1) * CHARS_PER_UNIT))
            if "\n" in text:
                n = sum(max(1, -(-len(part) // chars)) for part in text.split("\n"))
            else:
                n = -(-len(text) // chars)  # ceil
            if n > lines.get(row, 1):
                lines[row] = n
        for row in sorted(lines):
            self.ws.row_dimensions[row].height = min(409, round(LINE_PT * lines[row] + 3, 1))
        return widths


def wrapped_lines(text: str, width: int) -> int:
    """How many lines bold ``text`` takes in a column ``width`` units wide, wrapped at spaces."""
    per_line = max(1, int((width - 1) * CHARS_PER_UNIT * 0.9))  # bold type is about a tenth wider
    lines, used = 1, 0
    for word in text.split():
        need = len(word) if used == 0 else used + 1 + len(word)
        if need <= per_line:
            used = need
        else:
            extra = max(0, math.ceil(len(word) / per_line) - 1)  # a word longer than the column breaks
            lines += 1 + extra if used else extra
            used = len(word) - extra * per_line
    return lines


def print_setup(ws: Worksheet, widths: dict[int, int], *, title: str, marking: str, day: dt.date, document: str,
                title_rows: str | None = "1:1", title_cols: str | None = None, exported: str = "exported",
                page: str = "Page &P of &N") -> None:
    """A4 landscape, readable type, repeated header rows (and identifying columns when the sheet is
    wider than a page), header and footer on every page."""
    ps = ws.page_setup
    ps.orientation = "landscape"
    ps.paperSize = ws.PAPERSIZE_A4
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    total = sum(widths.values())
    smallest = math.ceil(100 * MIN_PRINT_PT / BODY_PT)  # the smallest scale that keeps type readable
    if total <= PAGE_UNITS * 100 / smallest:
        ws.sheet_properties.pageSetUpPr.fitToPage = True  # fits one page wide at a readable size
        ps.fitToWidth = 1
        ps.fitToHeight = 0
    else:
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ps.scale = smallest
        ps.pageOrder = "overThenDown"  # a band of rows prints across its pages before the next band
        if title_cols:
            ws.print_title_cols = title_cols
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = False
    mark = header_footer_text(marking)
    for hf in (ws.oddHeader, ws.evenHeader):
        hf.left.text = header_footer_text(title)
        hf.left.size = 9
        hf.center.text = mark
        hf.center.size = 9
        if mark:
            hf.center.font = "Calibri,Bold"
        hf.right.text = f"{header_footer_text(document)}, {exported} {day.isoformat()}"
        hf.right.size = 9
    for hf in (ws.oddFooter, ws.evenFooter):
        hf.left.text = "&A"  # the sheet's name
        hf.left.size = 9
        hf.center.text = page
        hf.center.size = 9
        hf.right.text = mark
        hf.right.size = 9


def protect(ws: Worksheet) -> None:
    """Protection against accidental edits, without a password: filtering, sorting and resizing stay allowed."""
    p = ws.protection
    p.sheet = True
    p.autoFilter = False
    p.sort = False
    p.formatColumns = False
    p.formatRows = False
    p.selectLockedCells = False
    p.selectUnlockedCells = False
