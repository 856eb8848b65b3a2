"""Positions are recomputed on demand (tmodel.model.yamlsafe.Located): they must be the ones the reading pass
would have recorded, for every value and key of every shipped model, fixture and catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

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
