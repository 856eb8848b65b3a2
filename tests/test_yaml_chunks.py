"""A large model is read in chunks of items (tmodel.model.yamlsafe._read_in_chunks), so that only one chunk's
node graph exists at a time. Whatever the text, the result must be the one the whole-document reader gives:
the same data, item positions, item spans and problems; where a cut would fall inside a value, or anything is
wrong, the whole reader reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, generated_model_text
from tmodel.model import yamlsafe

SHARED = ROOT.parent / "shared" / "testdata"


def _files() -> list[Path]:
    found = [*ROOT.glob("models/*.yaml"), *ROOT.glob("catalogs/*.yaml"), *ROOT.glob("tests/fixtures/**/*.yaml")]
    found += [*SHARED.glob("**/*.yaml"), *SHARED.glob("**/*.yml")]
    return sorted(found)


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunk every text, a few items at a time (the defaults chunk only texts over a megabyte)."""
    monkeypatch.setattr(yamlsafe, "CHUNKED_FROM", 0)

    def with_items(n: int) -> None:
        monkeypatch.setattr(yamlsafe, "CHUNK_ITEMS", n)

    return with_items


def whole(text: str, name: str = "m.yaml"):
    saved = yamlsafe.CHUNKED_FROM
    yamlsafe.CHUNKED_FROM = 1 << 62
    try:
        return yamlsafe.parse_yaml(text, name)
    finally:
        yamlsafe.CHUNKED_FROM = saved


def assert_same(text: str, name: str = "m.yaml") -> bool:
    """Chunked and whole agree; True if the text was read in chunks at all."""
    a, pa = whole(text, name)
    chunked = yamlsafe._read_in_chunks(text, name) if not yamlsafe._may_alias(text) else None
    b, pb = yamlsafe.parse_yaml(text, name)
    assert [p.format() for p in pb] == [p.format() for p in pa]
    if a is None:
        assert b is None
        return False
    assert b is not None
    for got in (b, chunked) if chunked is not None else (b,):
        assert got.data == a.data
        for attr in ("shallow_values", "shallow_keys", "shallow_raw", "spans"):
            assert getattr(got, attr) == getattr(a, attr), attr
        assert got.unreadable == a.unreadable
    return chunked is not None


@pytest.mark.parametrize("items", [1, 2, 500])
def test_every_file_reads_alike_in_chunks(small_chunks, items):
    small_chunks(items)
    chunked = 0
    for path in _files():
        chunked += assert_same(path.read_text(encoding="utf-8"), str(path))
    assert chunked > 20  # the models, catalogs and most fixtures are chunked


def test_a_generated_model_reads_alike_in_chunks(small_chunks):
    text = generated_model_text(120, 5)
    for items in (1, 7, 100):
        small_chunks(items)
        assert assert_same(text)


CUT_THROUGH = """format_version: 1
elements:
  - id: a
    title: "first line
  - id: b"
  - id: c
    title: 'one
  - id: d'
  - {id: e, title: [x,
    y]}
  - id: f
"""


def test_a_cut_inside_a_quoted_value_falls_back_to_the_whole_reader(small_chunks):
    small_chunks(1)
    assert yamlsafe._read_in_chunks(CUT_THROUGH, "m.yaml") is None
    located, problems = yamlsafe.parse_yaml(CUT_THROUGH, "m.yaml")
    assert not problems and located is not None
    assert [e["id"] for e in located.data["elements"]] == ["a", "c", "e", "f"]
    assert_same(CUT_THROUGH)


@pytest.mark.parametrize("text", [
    "format_version: 1\nelements:\n  - id: a\n    id: b\n  - id: c\n",  # a duplicate key inside an item
    "format_version: 1\nelements:\n  - id: a\nelements:\n  - id: c\n",  # a section given twice
    "format_version: 1\nelements:\n  - id: a\n    when: !!python/object:os.system x\n  - id: c\n",  # a tag
    "format_version: 1\nelements:\n  - id: a\n    title: [unclosed\n",  # a syntax error
    "# lead\n\nformat_version: 1\nflows:\n- id: a\n- id: b\n- id: c\n",  # items at the key's indentation
    "format_version: 1\r\nelements:\r\n  - id: a\r\n  - id: b\r\n",  # CRLF
    "---\nformat_version: 1\nelements:\n  - id: a\n  - id: b\n",  # a document marker: read whole
    "format_version: 1\n'elements':\n  - id: a\n  - id: b\n",  # a quoted key: read whole
])
def test_problems_and_odd_layouts_read_as_the_whole_reader_reads_them(small_chunks, text):
    small_chunks(1)
    assert_same(text)


def test_an_alias_the_text_scan_misses_is_still_read_right(monkeypatch):
    """The consuming builder drops nodes as it reads them; a node met twice (an alias) sends the text back to
    the reader that keeps them, with the alias-bomb check."""
    text = "format_version: 1\nanchor: &x {a: 1}\nelements:\n  - *x\n  - *x\n"
    expected, _ = whole(text)
    monkeypatch.setattr(yamlsafe, "_may_alias", lambda _text: False)
    monkeypatch.setattr(yamlsafe, "CHUNKED_FROM", 0)
    got, problems = yamlsafe.parse_yaml(text, "m.yaml")
    assert not problems and got is not None and expected is not None
    assert got.data == expected.data == {"format_version": 1, "anchor": {"a": 1}, "elements": [{"a": 1}, {"a": 1}]}
    bomb = "a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" \
           "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n" \
           "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
    located, problems = yamlsafe.parse_yaml(bomb, "bomb.yaml")
    assert located is None and problems
