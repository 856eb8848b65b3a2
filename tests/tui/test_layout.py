"""The diagram layout (no textual): dot and the layered fallback place every element, draw every
flow with an arrow into its target, and frame every boundary around its members."""

from __future__ import annotations

import shutil

import pytest

from tmodel.model.load import load_model
from tmodel.tui.layout import layout

from .conftest import MODELS


@pytest.fixture(scope="module")
def model():
    return load_model(str(MODELS / "payments.yaml")).model


ENGINES = [False] + ([True] if shutil.which("dot") else [])


@pytest.mark.parametrize("use_dot", ENGINES)
def test_every_element_flow_and_boundary_is_drawn(model, use_dot):
    d = layout(model, use_dot=use_dot)
    assert d.engine == ("dot" if use_dot else "layered")
    text = "\n".join(d.lines())
    for e in model.elements:
        assert e.title in text and e.id in text
    assert {b.id for b in d.boxes} == {e.id for e in model.elements}
    assert {e.id for e in d.edges} == {f.id for f in model.flows}
    assert {f.id for f in d.frames} == {b.id for b in model.boundaries}
    for b in d.boxes:  # boxes never overlap
        for o in d.boxes:
            if o is not b:
                assert not (b.x < o.x + o.w and o.x < b.x + b.w and b.y < o.y + o.h and o.y < b.y + b.h)
    by_id = {b.id: b for b in d.boxes}
    for e in d.edges:  # each arrow ends next to its target, pointing at it
        x, y = e.cells[-1]
        tgt = by_id[e.target]
        assert d.grid[y][x][0] in "▶◀▲▼"
        assert tgt.x - 1 <= x <= tgt.x + tgt.w and tgt.y - 1 <= y <= tgt.y + tgt.h
    frames = {f.id: f for f in d.frames}
    inner, outer = frames["restricted"], frames["internal"]  # nesting
    assert outer.x < inner.x and inner.x + inner.w < outer.x + outer.w and outer.y < inner.y
    assert d.box_at(by_id["gw"].x + 1, by_id["gw"].y + 1).id == "gw"


@pytest.mark.parametrize("use_dot", ENGINES)
def test_layout_is_deterministic(model, use_dot):
    assert layout(model, use_dot=use_dot).lines() == layout(model, use_dot=use_dot).lines()


def test_markup_and_dot_syntax_in_names_are_just_text():
    m = load_model(str(MODELS / "markup.yaml")).model
    for use_dot in ENGINES:
        text = "\n".join(layout(m, use_dot=use_dot).lines())
        assert "[bold red]x[/] client" in text
