"""An openpyxl workbook as bytes: the worksheets' rows written as text, the zip entries dated.

openpyxl serializes every cell through lxml's incremental writer, element by element: about 12 µs a
cell, and a register of 10,000 threats has 400,000 cells. ``workbook_bytes`` writes each worksheet's
``<sheetData>`` (its rows and cells) itself, as the same XML openpyxl writes with lxml: the same
elements and attribute order, the same style indexes (taken from the workbook's style table in the
order openpyxl takes them), the same escaping, non-ASCII characters as decimal character
references. Everything else (sheet properties, views, columns, protection, filters, merged cells,
conditional formatting, validations, print setup, header and footer, styles, the workbook, the
package parts) is still openpyxl's own writer. A sheet holding what this writer does not write
(a formula, rich text, a hyperlink, a comment) goes through openpyxl's writer whole.

The zip entries carry the given day at midnight and fixed permissions, so the same workbook and day
give the same bytes (openpyxl would stamp the current time).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping
from typing import Any

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook import Workbook
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

_EMPTY_ROWS = b"<sheetData></sheetData>"  # what openpyxl (lxml) writes for a sheet without rows


def zip_entry(name: str, day: dt.date) -> zipfile.ZipInfo:
    """A deflated zip entry dated ``day`` at midnight (zip dates start in 1980), readable by its owner."""
    info = zipfile.ZipInfo(name, date_time=(max(day.year, 1980), day.month, day.day, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


class _DatedZip(zipfile.ZipFile):
    """A zip whose every entry is ``zip_entry(name, day)``."""

    def __init__(self, file: io.BytesIO, day: dt.date):
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self.day = day

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: Any = None, compresslevel: Any = None) -> None:
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        super().writestr(zip_entry(name, self.day), data)

    def write(self, filename: Any, arcname: Any = None, compress_type: Any = None, compresslevel: Any = None) -> None:
        with open(filename, "rb") as f:
            self.writestr(arcname or filename, f.read())


# Cells kept outside openpyxl (``sheet.Sheet`` keeps most of a large register so): (row, column) ->
# (value, openpyxl data type, style); a value is a string ("s"), None or a number ("n"), a boolean ("b"),
# a date ("d") or an error code ("e"), as openpyxl would hold it in a cell; the style is the nine
# indexes of openpyxl's style array. Plain tuples of strings and numbers: the garbage collector stops
# tracking them, where it would scan 400,000 openpyxl cells again and again.
Style = tuple[int, ...]
Record = tuple[Any, str, Style]
Records = Mapping[tuple[int, int], Record]


def workbook_bytes(wb: Workbook, day: dt.date, records: Mapping[Worksheet, Records] | None = None) -> bytes:
    """The workbook as an xlsx file, with each worksheet's ``records`` among its cells; the same
    workbook and day give the same bytes."""
    raw = io.BytesIO()
    with _DatedZip(raw, day) as archive:
        _Writer(wb, archive, records or {}).write_data()  # not save_workbook(): it stamps the current time
    return raw.getvalue()


class _Writer(ExcelWriter):
    def __init__(self, wb: Workbook, archive: zipfile.ZipFile, records: Mapping[Worksheet, Records]):
        super().__init__(wb, archive)
        self.records = records

    def write_worksheet(self, ws: Any) -> None:
        records = self.records.get(ws, {})
        rows = sheet_data(ws, records) if isinstance(ws, Worksheet) else None
        if rows is not None:
            ws._drawing = SpreadsheetDrawing()  # as ExcelWriter.write_worksheet does
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            writer = _WithoutRows(ws, out=io.BytesIO())
            writer.dimension = rows[1]
            writer.write()
            head, found, tail = writer.read().partition(_EMPTY_ROWS)
            if found and _EMPTY_ROWS not in tail:
                ws._rels = writer._rels
                self._archive.writestr(ws.path[1:], head + rows[0] + tail)
                self.manifest.append(ws)
                return
        _materialize(ws, records)  # openpyxl writes this sheet itself, every cell an openpyxl cell
        super().write_worksheet(ws)


def _materialize(ws: Worksheet, records: Records) -> None:
    for (r, c), (value, kind, style) in records.items():
        cell = Cell(ws, row=r, column=c, style_array=style)
        cell._value, cell.data_type = value, kind
        ws._cells[(r, c)] = cell


class _WithoutRows(WorksheetWriter):
    """openpyxl's worksheet writer with an empty ``<sheetData>``, where the rows go, and the sheet's
    dimension given (openpyxl knows only its own cells)."""

    dimension = "A1:A1"

    def write_dimensions(self) -> None:
        self.xf.send(SheetDimension(self.dimension).to_tree())

    def write_rows(self) -> None:
        xf = self.xf.send(True)
        with xf.element("sheetData"):
            pass
        self.xf.send(None)


class _Unsupported(Exception):
    pass


def _text(s: str) -> str:
    """XML text content as libxml2 escapes it (non-ASCII is escaped when the whole is encoded)."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attr(s: str) -> str:
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#9;"))


def sheet_data(ws: Worksheet, records: Records) -> tuple[bytes, str] | None:
    """The ``<sheetData>`` element of ``ws`` with its cells and ``records``, as openpyxl writes it with
    lxml (``WorksheetWriter.write_rows``, ``cell._writer.lxml_write_cell``), and the sheet's dimension;
    None when a cell holds what only openpyxl writes (a formula, rich text, a hyperlink, a comment)."""
    try:
        parts, dimension = _rows(ws, records)
    except _Unsupported:
        return None
    return ("<sheetData>" + "".join(parts) + "</sheetData>").encode("ascii", "xmlcharrefreplace"), dimension


def _rows(ws: Worksheet, records: Records) -> tuple[list[str], str]:
    wb = ws.parent
    add_style = wb._cell_styles.add
    cells = ws._cells
    dims = ws.row_dimensions
    style_attrs: dict[Style, str] = {}
    letters: dict[int, str] = {}
    if records.keys() & cells.keys():
        raise ValueError(f"{ws.title}: a cell both in openpyxl and kept outside it")
    # every cell in row and column order; (row, 0) opens a row that has a height (it may have no cells)
    keys = sorted([*records, *cells, *((r, 0) for r in dims.keys())])
    out: list[str] = []
    row = 0
    first_row, last_row, first_col, last_col = 0, 0, 1 << 30, 0
    for key in keys:
        r, c = key
        if r != row:
            if row:
                out.append("</row>")
            row = r
            attrs = {"r": f"{r}"}
            attrs.update(dims.get(r, {}))
            out.append("<row" + "".join(f' {k}="{_attr(v)}"' for k, v in attrs.items()) + ">")
        if not c:
            continue
        first_row = first_row or r
        last_row = r
        if c < first_col:
            first_col = c
        if c > last_col:
            last_col = c
        record = records.get(key)
        if record is not None:
            value, t, style = record
        else:
            cell = cells[key]
            kind = type(cell)
            if kind is not Cell and kind is not MergedCell or cell._comment is not None or (
                    kind is Cell and cell._hyperlink is not None):
                raise _Unsupported
            value, t, style = cell._value, cell.data_type, tuple(cell._style or ())
        s = style_attrs.get(style)
        if s is None:  # a style first met: its index in the workbook's table, in openpyxl's order
            s = style_attrs[style] = f' s="{add_style(StyleArray(style))}"' if any(style) else ""
        if value is None and not s:
            continue
        letter = letters.get(c)
        if letter is None:
            letter = letters[c] = get_column_letter(c)
        if t == "s":
            if value == "" or value is None:
                out.append(f'<c r="{letter}{r}"{s} t="inlineStr"></c>')
            elif type(value) is str:
                space = ' xml:space="preserve"' if value != value.strip() else ""
                out.append(f'<c r="{letter}{r}"{s} t="inlineStr"><is><t{space}>{_text(value)}</t></is></c>')
            else:  # rich text
                raise _Unsupported
            continue
        if t == "f":
            raise _Unsupported
        if t == "d":
            if getattr(value, "tzinfo", None) is not None or wb.iso_dates or isinstance(value, dt.timedelta):
                raise _Unsupported
            t = "n"
            value = to_excel(value, wb.epoch)
        if value == "" or value is None:
            out.append(f'<c r="{letter}{r}"{s} t="{t}"></c>')
        else:
            out.append(f'<c r="{letter}{r}"{s} t="{t}"><v>{_text(safe_string(value))}</v></c>')
    if row:
        out.append("</row>")
    if not last_row:
        return out, "A1:A1"
    return out, f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{last_row}"
