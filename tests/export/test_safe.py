"""The escaping helpers, one format at a time."""

from __future__ import annotations

import graphviz
import pytest
from openpyxl import Workbook

from tmodel.export.safe import clean, dot_label, dot_text, formula_like, md, md_cell, md_code, set_text


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tx", "\rx", "\nx"])
def test_formula_triggers_are_recognized(text):
    assert formula_like(text)


@pytest.mark.parametrize("text", ["plain", "a=b", " =1", "Иванов", ""])
def test_plain_text_is_not_formula_like(text):
    assert not formula_like(text)


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "=1+1", "+1", "#N/A", "#REF!", "@x", "-1"])
def test_set_text_keeps_the_value_as_a_string(text):
    cell = Workbook().active["A1"]
    set_text(cell, text)
    assert cell.value == text
    assert cell.data_type == "s"
    assert cell.quotePrefix is True


def test_set_text_replaces_characters_xml_cannot_hold():
    cell = Workbook().active["A1"]
    set_text(cell, "a\x01b\x1fc")
    assert cell.value == "a\ufffdb\ufffdc"
    assert clean(None) == ""
    assert clean("a\ud800b\udfff") == "a\ufffdb\ufffd"  # lone surrogates: no encoding carries them


@pytest.mark.parametrize("text", ["plain", "=1+1", "#N/A", "+x", "a\x01b\x7f", "x" * 40000, "Иванов", " edge\n", ""])
def test_set_text_leaves_the_cell_as_openpyxls_value_setter_would(text):
    """set_text stores the clean string itself, without openpyxl's own scan: the cell ends up the same."""
    ours, theirs = Workbook().active["A1"], Workbook().active["A1"]
    set_text(ours, text)
    value = clean(text)[:32767]
    theirs.value = value  # what set_text did before
    theirs.data_type = "s"
    if formula_like(value) or value.startswith("#"):
        theirs.quotePrefix = True
    assert (ours._value, ours.data_type, ours.has_style and tuple(ours._style)) == (
        theirs._value, theirs.data_type, theirs.has_style and tuple(theirs._style))
    assert ours.value == theirs.value and len(ours.value) <= 32767


def test_md_escapes_markup():
    out = md("*b* _i_ `c` [l](u) <b> # h | ~~s~~ & \\")
    assert out == "\\*b\\* \\_i\\_ \\`c\\` \\[l\\](u) &lt;b&gt; \\# h \\| \\~\\~s\\~\\~ &amp; \\\\"


def test_md_escapes_block_markers_at_line_starts_only_in_blocks():
    assert md("- x\n1. y\n    code") == "\\- x\n1\\. y\ncode"
    assert md("1.1", block=False) == "1.1"


def test_md_cell_is_one_line_with_escaped_pipes():
    assert md_cell("a|b\nc\r\nd") == "a\\|b<br>c<br>d"
    assert md_cell("") == " "


def test_md_code_only_for_plain_ids():
    assert md_code("XA-1@flow-a") == "`XA-1@flow-a`"
    assert md_code("a`b") == "a\\`b"


def test_dot_text_doubles_backslashes_and_wraps():
    assert dot_text("a\\N") == "a\\\\N"
    assert dot_text("one two three", width=7) == "one two\\nthree"
    long = dot_text("x" * 200, width=10, max_lines=2)
    assert long.count("\\n") == 1 and long.endswith("…")


def test_dot_label_is_never_an_html_label():
    label = dot_label(dot_text("<b>x</b>"))
    assert graphviz.quoting.quote(label) == '"<b>x</b>"'
    assert graphviz.quoting.quote(dot_label(dot_text('a"]; b [image="/etc/passwd'))) == '"a\\"]; b [image=\\"/etc/passwd"'
