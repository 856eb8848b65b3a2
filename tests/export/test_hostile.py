"""A hostile model (formulas, DOT attribute injection, HTML, Markdown) through every format:
everything stays text."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest

from tmodel.export.diagram import data_dot, dataflow_dot, render
from tmodel.export.json_export import analysis_json
from tmodel.export.record import record_markdown
from tmodel.export.register import register_bytes
from tmodel.export.safe import formula_like

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
EVIL_TITLE = '"]; node [image="/etc/passwd"'


def test_register_keeps_every_string_as_text(hostile):
    a, model = hostile
    data = register_bytes(a, model)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} became a formula: {c.value!r}"
                if isinstance(c.value, str) and formula_like(c.value):
                    assert c.quotePrefix, f"{ws.title}!{c.coordinate} {c.value!r} has no quote prefix"
                    seen.add(c.value)
    assert '=HYPERLINK("http://x","click")' in seen  # the title, verbatim
    assert '=HYPERLINK("http://x")' in seen  # control evidence
    assert "+owner" in seen and "-1+1 | <b>why</b> [x](y)\nsecond line # *" in seen  # decision owner, justification
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "flow evil-html: =cmd|' /C calc'!A0" in values and "flow html-store: \r=1+1" in values  # the CR kept (written as &#13;)
    summary = wb["Summary"]
    assert any(c.value == "@SUM(1+1)*cmd|' /C calc'!A0" for row in summary.iter_rows() for c in row)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", z.read(name)), name


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_record_escapes_markdown_and_html(hostile):
    a, model = hostile
    text = record_markdown(a, model)
    for raw in ("<script>", "<b>", "<img", "[link](", "![img]", "`code`", "*em*", "~~del~~", "&#60;", "\n# not", "\n- not"):
        assert raw not in text, raw
    assert "&lt;script&gt;" in text and "\\[link\\](http://x)" in text and "&amp;\\#60;" in text
    # every table row keeps its column count: no pipe from the model splits a cell
    table: list[str] = []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            widths = {_unescaped_pipes(row) for row in table}
            assert len(widths) == 1, table
            table = []
    # headings come only from the exporter
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert all(re.match(r"#{1,4} (\d+\. |Architecture record|Critical|High|Medium|Low|Open|Decisions|Expired|Acceptances|Stale|`|Export test)", h)
               for h in headings), headings


def test_dot_source_keeps_model_text_inside_quoted_labels(hostile):
    a, model = hostile
    for source in (dataflow_dot(a, model), data_dot(a, model)):
        # attribute names in the DOT text are the exporter's own
        unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', source)
        assert "image" not in unquoted and "shapefile" not in unquoted and "<" not in unquoted.replace("->", "")
        names = set(re.findall(r"(\w+)=", unquoted))
        assert names <= {"compound", "fontname", "fontsize", "label", "labelloc", "nodesep", "rankdir", "ranksep",
                         "color", "fillcolor", "style", "fontcolor", "labeljust", "penwidth", "shape", "rank"}, names


@needs_dot
def test_dot_renders_hostile_text_literally(hostile):
    a, model = hostile
    source = dataflow_dot(a, model)
    proc = subprocess.run(["dot", "-Tjson"], input=source.encode(), capture_output=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    g = json.loads(proc.stdout)
    for obj in g["objects"]:
        assert "image" not in obj and "shapefile" not in obj
    drawn = [op["text"] for obj in g["objects"] for op in obj.get("_ldraw_", []) if op.get("op") == "T"]
    joined = " ".join(drawn)
    assert '"]; node [image="/etc/passwd"' in " ".join(drawn[i] for i in range(len(drawn)))  # the boundary label
    assert "<<b>HTML</b>>" in drawn  # not an HTML label: the brackets are drawn
    assert "| # * _ ` [x] \\N \\G \\l ends" in drawn and "with \\" in drawn  # escapes stay literal
    assert 'x\\"; shapefile="/etc/shadow' in drawn
    assert "/etc/passwd" not in proc.stderr.decode()
    svg = render(source, "svg")
    assert b"<image" not in svg and b"&lt;&lt;b&gt;HTML&lt;/b&gt;&gt;" in svg
    assert joined  # something was drawn


def test_json_keeps_text_verbatim(hostile):
    a, _ = hostile
    doc = json.loads(analysis_json(a))
    assert doc["title"] == '=HYPERLINK("http://x","click")'
    assert any(t["decision"] and t["decision"]["reason"].startswith("-1+1 | <b>why</b>") for t in doc["threats"])
