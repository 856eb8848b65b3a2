"""The review record as DOCX (python-docx): what review boards and compliance file.

The same blocks as the Markdown record (``review.review_blocks``), written with Word's own
styles (headings, ``Table Grid``, bullets), A4 portrait with landscape-wide tables kept inside the
margins, the classification marking and ``page x of y`` in the header and footer, and the data-flow
diagram embedded as a PNG when Graphviz rendered one. Text goes in as plain runs: nothing a
model says becomes markup. Deterministic: fixed core properties (creation date = analysis date).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from tmodel.analysis.paths import AttackPath
from tmodel.analysis.result import Analysis
from tmodel.export.common import code_spans, file_names
from tmodel.export.record_ru import RecordWords
from tmodel.export.review import Bullets, Heading, Image, PageBreak, Para, ReviewInfo, Table, review_blocks
from tmodel.export.safe import clean
from tmodel.model.types import Model

BODY_PT = 10
TABLE_PT = 8.5


def _field(run, code: str) -> None:  # noqa: ANN001 - a python-docx run
    """A Word field (PAGE, NUMPAGES) inside ``run``."""
    begin, instr, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr.set(qn("xml:space"), "preserve")
    instr.text = code
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(instr)
    run._r.append(end)


def _repeat_header(row) -> None:  # noqa: ANN001
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _shade(cell, color: str) -> None:  # noqa: ANN001
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), color)
    tc_pr.append(shd)


def record_docx(a: Analysis, model: Model, *, diagram_png: bytes | None = None, data_png: bytes | None = None,
                classification: str = "", revision: str | None = None,
                catalogs: list[tuple[str, str, str]] | None = None, paths: list[AttackPath] | None = None,
                lang: str = "en", catalog: Any = None) -> bytes:
    names = file_names(a.model_id)
    info = ReviewInfo(classification=classification, revision=revision, catalogs=catalogs or [],
                      diagram="diagram" if diagram_png else None, data_diagram="data" if data_png else None,
                      dot_name=names["dot"], paths=paths, lang=lang, catalog=catalog)
    w = RecordWords(lang)
    images = {"diagram": diagram_png, "data": data_png}
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    usable = section.page_width - section.left_margin - section.right_margin
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(BODY_PT)

    head = section.header.paragraphs[0]
    head.text = clean(w("{title} — threat model review", title=a.title))
    if classification:
        r = head.add_run("\t" + clean(classification))
        r.bold = True
    foot = section.footer.paragraphs[0]
    foot.add_run(w("Exported {date}\tPage ", date=a.as_of.isoformat()))
    _field(foot.add_run(), "PAGE")
    foot.add_run(w(" of "))
    _field(foot.add_run(), "NUMPAGES")
    if classification:
        foot.add_run("\t" + clean(classification))
    for p in (head, foot):
        for r in p.runs:
            r.font.size = Pt(8)

    for b in review_blocks(a, model, info):
        if isinstance(b, Heading):
            doc.add_heading(clean(b.text), level=min(b.level - 1, 4) if b.level > 1 else 0)
        elif isinstance(b, Para):
            p = doc.add_paragraph()
            if b.bold_lead:
                p.add_run(clean(b.bold_lead)).bold = True
            _runs(p, b.text, catalog=b.catalog)
        elif isinstance(b, Bullets):
            for item in b.items:
                level = (len(item) - len(item.lstrip(" "))) // 4
                p = doc.add_paragraph(clean(item.strip()), style="List Bullet 2" if level else "List Bullet")
        elif isinstance(b, Table):
            _table(doc, b, usable)
        elif isinstance(b, Image):
            data = images.get(b.name)
            if data:
                doc.add_picture(io.BytesIO(data), width=usable)
                cap = doc.add_paragraph(clean(b.caption))
                cap.runs[0].italic = True
        elif isinstance(b, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    props = doc.core_properties
    props.title = w("Threat model review: {title}", title=a.title)
    props.subject = a.model_id
    props.author = props.last_modified_by = "tmodel"
    props.keywords = classification
    props.revision = 1
    stamp = dt.datetime(a.as_of.year, a.as_of.month, a.as_of.day)
    props.created = props.modified = stamp
    props.last_printed = stamp
    raw = io.BytesIO()
    doc.save(raw)
    return _fix_zip_times(raw.getvalue(), a.as_of)


def _table(doc, b: Table, usable) -> None:  # noqa: ANN001
    header = any(b.headers)
    t = doc.add_table(rows=(1 if header else 0) + len(b.rows), cols=len(b.headers))
    t.style = "Table Grid"
    t.autofit = False
    weights = b.widths or [1.0] * len(b.headers)
    total = sum(weights)
    widths = [int(usable * w / total) for w in weights]
    for j, col in enumerate(t.columns):  # the grid (LibreOffice reads it) and each cell (Word reads those)
        col.width = widths[j]
    rows = ([b.headers] if header else []) + b.rows
    for i, values in enumerate(rows):
        row = t.rows[i]
        for j, v in enumerate(values):
            cell = row.cells[j]
            cell.width = widths[j]
            p = cell.paragraphs[0]
            for run in _runs(p, v, b.font_pt or TABLE_PT, catalog=j in b.catalog_cols and not (header and i == 0)):
                if header and i == 0:
                    run.bold = True
                    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
            if header and i == 0:
                _shade(cell, "263238")
        if header and i == 0:
            _repeat_header(row)
    doc.add_paragraph()


def _runs(p, text: str, size: float | None = None, *, catalog: bool = False) -> list:  # noqa: ANN001
    """Plain runs; in catalog text the `code` pieces are in a monospace font (and lose their backticks)."""
    runs = []
    one = " ".join(clean(text).split())
    for part, code in code_spans(one) if catalog else [(one, False)]:
        run = p.add_run(part)
        if code:
            run.font.name = "Consolas"
        if size:
            run.font.size = Pt(size)
        runs.append(run)
    return runs


def _fix_zip_times(data: bytes, day: dt.date) -> bytes:
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            fixed = zipfile.ZipInfo(item.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(item.filename))
    return out.getvalue()
