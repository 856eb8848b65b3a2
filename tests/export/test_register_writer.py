"""The register's own writer (``xlsx.workbook_bytes``, cells kept as records by ``sheet.Sheet``) against
openpyxl's: the same bytes.

The reference is the register as it was written before: every cell an openpyxl cell, the workbook
serialized by openpyxl's ``ExcelWriter`` (through lxml), the zip entries re-dated afterwards. Equal
bytes mean equal everything: every sheet, cell value and type, style (font, fill, border, alignment,
protection, number format, quote prefix), merged range, validation, conditional format, width,
height, print setup, header and footer, protection and defined name.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.writer.excel import ExcelWriter

from tests.conftest import AS_OF, ROOT
from tests.export.conftest import DEMO, HOSTILE, analyzed
from tmodel.export.register import RegisterOptions, _fix_zip_times, build_workbook, register_bytes
from tmodel.export.sheet import Sheet
from tmodel.export.xlsx import workbook_bytes

MODELS = sorted((ROOT / "models").glob("*.yaml"))


def openpyxl_bytes(wb: Workbook, day: dt.date) -> bytes:
    """The workbook as openpyxl writes it (every cell an openpyxl cell), zip entries dated ``day``."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return _fix_zip_times(raw.getvalue(), day)


def reference_register(a, model, options: RegisterOptions, monkeypatch) -> bytes:
    with monkeypatch.context() as m:
        m.setattr(Sheet, "_put_record", lambda *args: False)  # every cell an openpyxl cell, styled as before
        wb, records = build_workbook(a, model, options)
    assert not any(records.values())
    return openpyxl_bytes(wb, a.as_of)


def assert_same_bytes(new: bytes, reference: bytes) -> None:
    """Equal bytes; else the first part (zip entry) that differs and where, for the failure message."""
    if new == reference:
        return
    with zipfile.ZipFile(io.BytesIO(new)) as n, zipfile.ZipFile(io.BytesIO(reference)) as r:
        assert n.namelist() == r.namelist()
        for name in r.namelist():
            x, y = n.read(name), r.read(name)
            if x != y:
                at = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
                raise AssertionError(f"{name} differs at byte {at}:\n  new: {x[max(0, at - 200):at + 200]!r}\n"
                                     f"  ref: {y[max(0, at - 200):at + 200]!r}")
        assert [i.date_time for i in n.infolist()] == [i.date_time for i in r.infolist()]
    raise AssertionError("the zip containers differ")


@pytest.fixture(scope="module")
def shipped():
    from tmodel.catalog.load import load_catalogs

    cat = load_catalogs()
    assert not [p for p in cat.problems if p.is_error]
    return cat


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_example_registers_are_openpyxls_bytes(path: Path, lang: str, shipped, monkeypatch):
    from tmodel.analysis.engine import analyze
    from tmodel.model.load import load_model

    lm = load_model(str(path))
    assert lm.ok
    a = analyze(lm.model, shipped, path=f"models/{path.name}", located=lm.located, as_of=AS_OF)
    options = RegisterOptions(lang=lang, catalog=shipped)
    wb, records = build_workbook(a, lm.model, options)
    assert sum(len(r) for r in records.values()) > 1000  # most cells are records: the fast path is the one tested
    assert_same_bytes(register_bytes(a, lm.model, options), reference_register(a, lm.model, options, monkeypatch))


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("path", [DEMO, HOSTILE], ids=["demo", "hostile"])
def test_fixture_registers_are_openpyxls_bytes(path: Path, lang: str, xcat, monkeypatch):
    """The hostile model: formula-like text (quote prefix), control characters, markup, long text."""
    a, model = analyzed(path, xcat)
    options = RegisterOptions(lang=lang, catalog=xcat)
    assert_same_bytes(register_bytes(a, model, options), reference_register(a, model, options, monkeypatch))


# -- the writer alone, on what a register never holds but a cell can ---------------------------------

WHITESPACE_EDGES = [" lead", "trail ", "\ttab", "nl\n", "\n", " ", "\xa0nbsp", "em\u2003", "\u3000", "mid dle"]
MARKUP = ["&", "<", ">", "&amp;", "<t>x</t>", '"quoted" \'single\'', "]]>", "a\rb", "a\r\nb", "a\tb\nc", "&#65;"]


def corpus() -> list[str]:
    """Every character XML 1.0 can carry (openpyxl's and tmodel's cleaning removes the others), in
    chunks of 2,000, plus whitespace at the edges and markup."""
    legal = [c for c in range(0x20, 0x110000) if not (0xD800 <= c <= 0xDFFF or c in (0xFFFE, 0xFFFF, 0x7F))]
    chars = "\t\n\r" + "".join(map(chr, legal))
    return [chars[i:i + 2000] for i in range(0, len(chars), 2000)] + WHITESPACE_EDGES + MARKUP


def styles(wb: Workbook) -> list[tuple[int, ...]]:
    """A few style arrays, registered in the same order in every workbook (so their indexes agree)."""
    bold = wb._fonts.add(Font(bold=True, color="C62828"))
    fill = wb._fills.add(PatternFill("solid", fgColor="E3F2FD"))
    wrap = wb._alignments.add(Alignment(wrap_text=True, vertical="top"))
    # fontId, fillId, borderId, numFmtId, protectionId, alignmentId, pivotButton, quotePrefix, xfId
    return [(0,) * 9, (bold, fill, 0, 0, 0, wrap, 0, 0, 0), (0, 0, 0, 14, 0, 0, 0, 0, 0), (0, 0, 0, 0, 0, 0, 0, 1, 0)]


def records_of(wb: Workbook) -> dict[tuple[int, int], tuple]:
    plain, styled, dated, quoted = styles(wb)
    cells: dict[tuple[int, int], tuple] = {}
    for i, text in enumerate(corpus()):
        cells[(1 + i // 7, 1 + i % 7)] = (text, "s", styled if i % 2 else plain)
    row = 2 + len(cells) // 7
    other = [("", "s", styled), (None, "n", styled), (None, "n", plain), ("=1+1", "s", quoted), ("#N/A", "s", quoted),
             (0, "n", plain), (-1, "n", styled), (1.5, "n", plain), (1 / 3, "n", plain), (1e20, "n", plain),
             (2 ** 53 + 1, "n", plain), (True, "b", plain), (False, "b", styled), ("#N/A", "e", plain),
             (dt.date(2026, 1, 15), "d", dated), (dt.datetime(2026, 1, 15, 12, 30), "d", dated),
             (dt.date(1900, 2, 1), "d", dated), (float("nan"), "n", plain)]
    for i, record in enumerate(other):
        cells[(row + i // 5, 3 + i % 5)] = record
    return cells


def two_workbooks() -> tuple[Workbook, dict, Workbook]:
    """The same content twice: as records beside openpyxl cells, and as openpyxl cells only."""
    books = []
    for _ in range(2):
        wb = Workbook()
        wb.properties.created = wb.properties.modified = dt.datetime(2026, 1, 15)
        ws = wb.active
        ws["A1"] = "openpyxl's own cell"  # a row holding both kinds of cell
        ws.cell(row=40, column=6, value=42).font = Font(italic=True)
        ws.row_dimensions[3].height = 30  # a height on a row with cells
        ws.row_dimensions[900].height = 12.5  # and on a row without any
        ws.merge_cells("J2:L2")
        ws.column_dimensions["B"].width = 40
        books.append((wb, records_of(wb)))
    (new, records), (reference, cells) = books
    del records[(1, 1)], records[(40, 6)]  # those two are openpyxl cells in both
    ws = reference.active
    for (r, c), (value, kind, style) in cells.items():
        if (r, c) in ((1, 1), (40, 6)):
            continue
        cell = ws.cell(row=r, column=c)
        cell._value, cell.data_type, cell._style = value, kind, StyleArray(style)
    return new, records, reference


def test_writer_writes_what_openpyxl_writes():
    new, records, reference = two_workbooks()
    day = dt.date(2026, 1, 15)
    assert_same_bytes(workbook_bytes(new, day, {new.active: records}), openpyxl_bytes(reference, day))


def test_a_cell_only_openpyxl_writes_sends_the_sheet_to_openpyxl():
    """A formula: openpyxl writes the whole sheet, the records turned into its cells."""
    new, records, reference = two_workbooks()
    for wb in (new, reference):
        wb.active["M1"] = "=SUM(F40:F41)"
    day = dt.date(2026, 1, 15)
    assert_same_bytes(workbook_bytes(new, day, {new.active: records}), openpyxl_bytes(reference, day))
