"""Positions are recomputed on demand (tmodel.model.yamlsafe.Located): they must be the ones the reading pass
would have recorded, for every value and key of every shipped model, fixture and catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzzkit import MODELS, fuzz_settings, mutate_text, text_mutations
from tmodel.model import yamlsafe

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p for d in ("models", "tests/fixtures", "tests/rule_cases", "catalogs") for p in (ROOT / d).rglob("*.y*ml"))


def _eager(text: str, name: str) -> yamlsafe.Located:
    builder = yamlsafe._Builder(name, record=True)
    root = yaml.compose(text, Loader=yamlsafe._Loader)
    if root is None:
        raise yaml.YAMLError("empty")
    builder.located.data = builder.build(root, (), 0)
    return builder.located


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_recomputed_positions_are_the_recorded_ones(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        eager = _eager(text, str(path))
    except (yaml.YAMLError, yamlsafe.ProblemError):
        pytest.skip("not a readable YAML document")
    lazy, _ = yamlsafe.parse_yaml(text, str(path))
    if lazy is None:
        pytest.skip("refused as a whole (conflict markers, size)")
    paths = list(eager.values) + list(eager.keys)
    # the item-level answers come from the maps kept while reading, without recomputing
    for p in paths:
        if yamlsafe._shallow(p):
            assert lazy.where(p) == eager.where(p), p
            assert lazy.where(p, key=True) == eager.where(p, key=True), p
    assert lazy._values is None, "an item's position needed the full maps"
    assert lazy.data == eager.data and lazy.unreadable == eager.unreadable
    assert (lazy.values, lazy.keys, lazy.raw) == (eager.values, eager.keys, eager.raw)
    for p in paths:
        assert lazy.where(p) == eager.where(p) and lazy.where(p, key=True) == eager.where(p, key=True), p


def test_aliases_locate_the_anchored_content() -> None:
    text = "base: &b\n  x: 1\n  y: [a, b]\nuse: *b\nmerged:\n  <<: *b\n  z: 2\n"
    eager = _eager(text, "t.yaml")
    lazy, _ = yamlsafe.parse_yaml(text, "t.yaml")
    assert lazy is not None and (lazy.values, lazy.keys, lazy.raw) == (eager.values, eager.keys, eager.raw)


def test_released_data_is_read_again_on_demand() -> None:
    text = (ROOT / "models" / "loan-marketplace.yaml").read_text(encoding="utf-8")
    located, _ = yamlsafe.parse_yaml(text, "m.yaml")
    assert located is not None
    before = located.data
    located.release_data()
    assert located._data is None
    assert located.data == before and located.where(("elements", 0, "id")) == _eager(text, "m.yaml").where(("elements", 0, "id"))


def test_merge_keys_locate_explicit_keys_first_then_the_first_merged_mapping():
    """YAML: explicit keys win over merged ones, and in '<<: [*a, *b]' the first mapping wins."""
    from tmodel.model.yamlsafe import _positions

    values, _, _ = _positions("base: &a {x: 1, y: 2}\nother: &b {x: 9, z: 3}\nm:\n  <<: [*a, *b]\n  y: 5\n")
    assert values[("m", "y")] == (5, 6)
    assert values[("m", "x")] == (1, 14)
    assert values[("m", "z")] == (2, 21)


# --- a position inside an item reads that item's text alone ---------------------------------

def _whole(text: str, name: str) -> yamlsafe.Located:
    """The answers of the whole-text pass: what every position came from before items were read alone."""
    values, keys, raw = yamlsafe._positions(text)
    return yamlsafe.Located(None, values, keys, raw)


def _paths(data: object, path: tuple) -> list[tuple]:
    out = [path]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, path + (i,))
    return out


def _assert_items_answer_as_the_whole_text(text: str, name: str) -> yamlsafe.Located | None:
    lazy, _ = yamlsafe.parse_yaml(text, name)
    if lazy is None:
        return None
    whole = _whole(text, name)
    # what is asked: the paths of the data read (a duplicate key's second value is not read), and a missing
    # key or item under each (answered by the nearest ancestor)
    asked = list(_paths(lazy.data, ()))
    asked += [p + ("not-there",) for p in asked] + [p + (99,) for p in asked[:300]]
    for p in asked:
        assert lazy.where(p) == whole.where(p), p
        assert lazy.where(p, key=True) == whole.where(p, key=True), p
        assert lazy.raw_at(p) == whole.raw.get(p), p
    return lazy


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_positions_inside_items_are_the_whole_texts(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lazy = _assert_items_answer_as_the_whole_text(text, str(path))
    if lazy is None:
        pytest.skip("not a readable YAML document")
    if not lazy.aliased and "%TAG" not in text:
        assert lazy._values is None, "a position inside an item read the whole text"


TRICKY = {
    "flow items": "elements: [{id: a, x: 1, t: [1, 2]}, {id: b,\n  y: yes}]\nflows: [\n{id: c,\nz: 2024-01-02}]\n",
    "block scalars": "elements:\n  - id: a\n    d: |2\n        indented\n      two\n    e: >-\n      folded\n\n  - id: b\n    n: 1\n",
    "indentless": "elements:\n- id: a\n  data:\n  - x\n  - {k: 1.5}\n- id: b\n  data: []\n",
    "anchors, no alias": "elements:\n  - &e1\n    id: a\n    x: &v 1\n  - id: b\n    y: !!str 2\n",
    "inline merge": "elements:\n  - <<: {x: 1, y: 2}\n    id: a\n    y: 3\n",
    "crlf and breaks": "elements:\r\n  - id: a\r\n    t: \"😀 x\"\r\n    u: 'a\u2028b'\r\n    v: 1\r\n  - id: b\r\n    w: no\r\n",
    "comments": "# c\nelements: # c\n  # c\n  - id: a # c\n    # c\n    x: 1 # c\n# c\n  - id: b\n",
    "top-level list": "- id: a\n  x: [1, {y: 2}]\n- - nested\n  - 3\n",
    "complex keys and duplicates": "elements:\n  - id: a\n    ? [k]\n    : v\n    x: 1\n    x: 2\n  - id: b\nelements:\n  - id: c\n",
    "document markers": "%YAML 1.1\n---\nelements:\n  - id: a\n    x: 1\n...\n",
    "tags": "elements:\n  - id: a\n    x: !!python/object:os.system 1\n    y: !custom 2\n    z: !!bool maybe\n",
    "plain multi-line": "elements:\n  - id: a\n    t: one\n      two\n    n: 12\n",
    "nested items": "metadata:\n  owner: x\n  contacts:\n    - name: a\n      on: 1\n    - {name: b, off: 2}\n",
}


@pytest.mark.parametrize("name", TRICKY)
def test_positions_inside_items_of_every_yaml_form(name: str) -> None:
    lazy = _assert_items_answer_as_the_whole_text(TRICKY[name], "t.yaml")
    assert lazy is not None and lazy._values is None


@pytest.mark.parametrize("text", [
    "base: &b\n  x: 1\nelements:\n  - <<: *b\n    id: a\n",  # an alias: content located where it is anchored
    "%TAG !e! tag:example.com,2000:\n---\nelements:\n  - id: a\n    x: !e!t 1\n",  # a tag handle declared outside the item
])
def test_aliases_and_tag_directives_read_the_whole_text(text: str) -> None:
    lazy = _assert_items_answer_as_the_whole_text(text, "t.yaml")
    assert lazy is not None and lazy._values is not None


@fuzz_settings(examples=60)
@given(model=st.sampled_from(MODELS), ops=text_mutations())
def test_positions_inside_items_of_mutated_models(model: Path, ops: list[tuple]) -> None:
    """Broken and odd YAML (lines cut, swapped or re-indented, tabs, brackets, anchors): an item's own text reads
    as the whole text does, or the whole text is read."""
    _assert_items_answer_as_the_whole_text(mutate_text(model.read_text(encoding="utf-8"), ops), "m.yaml")


@fuzz_settings(examples=60)
@given(model=st.sampled_from(MODELS), ops=text_mutations())
def test_the_reader_reads_what_pyyamls_own_composer_gives(model: Path, ops: list[tuple]) -> None:
    """parse_yaml composes with tags resolved where they are read and reads most values inline; the recording
    builder over PyYAML's CSafeLoader (its resolver called by the composer, every value through 'build') must
    read the same data, unreadable paths and problems."""
    text = mutate_text(model.read_text(encoding="utf-8"), ops)
    lazy, problems = yamlsafe.parse_yaml(text, "m.yaml")
    if lazy is None:
        return
    builder = yamlsafe._Builder("m.yaml", record=True)
    root = yaml.compose(text, Loader=yamlsafe._Loader)
    data = builder.build(root, (), 0)
    assert (lazy.data, lazy.unreadable, problems) == (data, builder.located.unreadable, builder.problems)


# --- which texts may hold an alias (the bomb check and the whole-text positions run only for those) ----

ALIAS_FORMS = [
    "b:{w}*x\n", "c:\n  -{w}*x\n", "d: [{w}*x,{w}1]\n", "d: [1,{w}*x{w}]\n", "d: {{k:{w}*x}}\n", 'd: {{"k":{w}*x}}\n',
    "d: [{w}\n  *x]\n", "? *x\n:{w}v\n", "d: {{?{w}*x : v}}\n", "e: {{k: [{w}*x]}}\n", "f: [*x,*x]\n",
    "g: {w}*x{w}# note\n", "h:\n  <<:{w}*x\n", "i: [[*x]]\n", "j: {{a: {{b: *x}}}}\n",
]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(forms=st.lists(st.sampled_from(ALIAS_FORMS), min_size=1, max_size=3),
       ws=st.lists(st.sampled_from(["", " ", "  ", "\t", " \t"]), min_size=12, max_size=12),
       anchored=st.sampled_from(["&x {k: v}", "&x [1, 2]", "&x text", "&x\n  k: v"]))
def test_every_alias_is_seen_where_it_may_be(forms: list[str], ws: list[str], anchored: str) -> None:
    spaces = iter(ws)
    text = f"a: {anchored}\n" + "".join(f.replace("{w}", "{}").format(*[next(spaces, " ") for _ in range(f.count("{w}"))])
                                      .replace("{{", "{").replace("}}", "}") for f in forms)
    try:
        root = yamlsafe._compose(text)
    except yaml.YAMLError:
        return
    assert root is not None
    _, aliased = yamlsafe._check_expansion(root, "t.yaml")
    assert not aliased or yamlsafe._may_alias(text), text


def test_stars_inside_words_are_not_aliases() -> None:
    assert not yamlsafe._may_alias("evidence: SIEM index ob-ais-*; hosts gw-ext-*, [database.*], `*`, (*_alg)\n")
    assert yamlsafe._may_alias("a: &x 1\nb: *x\n") and yamlsafe._may_alias("a: [&x 1,*x]\n")
