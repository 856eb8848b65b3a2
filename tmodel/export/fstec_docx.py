"""The FSTEC threat model document as a Word file (python-docx), from the blocks of
``tmodel.export.fstec``: A4, Times New Roman, numbered pages, tables with a repeated header row.
Every string is set as text (never parsed); characters XML cannot carry are replaced visibly.
The same analysis gives the same bytes (fixed document dates and zip times)."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from tmodel.analysis.paths import AttackPath
from tmodel.analysis.result import Analysis
from tmodel.export.fstec import Block, Bullets, Heading, Para, Table, fstec_blocks
from tmodel.export.register import _fix_zip_times
from tmodel.export.safe import clean
from tmodel.model.types import Model

FONT = "Times New Roman"
TEXT_WIDTH_CM = 17.0  # A4 portrait, 2.5 cm left and 1.5 cm right margins


def _fonts(style, name: str, size: float, *, bold: bool | None = None) -> None:
    style.font.name = name
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        style.font.bold = bold
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)  # a theme font would win over the name set above
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), name)


def _language(doc) -> None:
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "ru-RU")
    lang.set(qn("w:eastAsia"), "ru-RU")
    rpr.append(lang)


def _page_numbers(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    for tag, attrs in (("w:fldChar", {"w:fldCharType": "begin"}), ("w:instrText", {}), ("w:fldChar", {"w:fldCharType": "end"})):
        el = OxmlElement(tag)
        for k, v in attrs.items():
            el.set(qn(k), v)
        if tag == "w:instrText":
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        run._r.append(el)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _cell_text(cell, text: str, *, bold: bool = False, size: float = 9) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(clean(text))
    run.font.size = Pt(size)
    run.bold = bold


def _table(doc, t: Table) -> None:
    n = len(t.headers)
    widths = t.widths if len(t.widths) == n else [1.0] * n
    total = sum(widths)
    cms = [Cm(TEXT_WIDTH_CM * w / total) for w in widths]
    table = doc.add_table(rows=1, cols=n)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for i, col in enumerate(table.columns):
        col.width = cms[i]  # the grid: LibreOffice lays out by it, Word by the cell widths
    for i, h in enumerate(t.headers):
        cell = table.rows[0].cells[i]
        cell.width = cms[i]
        _cell_text(cell, h, bold=True)
    _repeat_header(table.rows[0])
    for r in t.rows:
        cells = table.add_row().cells
        for i, v in enumerate(r):
            cells[i].width = cms[i]
            _cell_text(cells[i], v)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def blocks_docx(blocks: list[Block], *, title: str, day: dt.date) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    _fonts(doc.styles["Normal"], FONT, 12)
    doc.styles["Normal"].paragraph_format.space_after = Pt(6)
    for name, size in (("Title", 16), ("Heading 1", 14), ("Heading 2", 12), ("List Bullet", 12)):
        _fonts(doc.styles[name], FONT, size, bold=None if name == "List Bullet" else True)
    _language(doc)
    _page_numbers(section)

    for b in blocks:
        if isinstance(b, Heading):
            h = doc.add_heading(clean(b.text), level=min(b.level, 2))
            if b.level == 0:
                h.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(b, Para):
            p = doc.add_paragraph()
            run = p.add_run(clean(b.text))
            if b.center:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run.bold = True
                run.font.size = Pt(14)
            elif b.note:
                run.italic = True
                run.font.size = Pt(10)
            else:
                p.paragraph_format.first_line_indent = Cm(1.25)
                p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        elif isinstance(b, Bullets):
            for item in b.items:
                doc.add_paragraph(clean(item), style="List Bullet")
        elif isinstance(b, Table):
            _table(doc, b)

    props = doc.core_properties
    props.title = clean(title)
    props.subject = "Модель угроз безопасности информации"
    props.author = props.last_modified_by = "tmodel"
    props.language = "ru-RU"
    props.created = props.modified = dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
    props.revision = 1
    raw = io.BytesIO()
    doc.save(raw)
    return _fix_zip_times(raw.getvalue(), day)


def fstec_docx(a: Analysis, model: Model, paths: list[AttackPath] | None) -> bytes:
    return blocks_docx(fstec_blocks(a, model, paths), title=f"Модель угроз: {model.metadata.title}", day=a.as_of)
