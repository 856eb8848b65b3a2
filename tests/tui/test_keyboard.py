"""The app driven only by keys, as a newcomer would: random walks over every screen of every
example model, holding the arrow keys through the Structure tree, and adding and triaging by keys.

The walks are seeded (a failure replays) and bounded; ``TMODEL_LONG_WALK=<keys>`` lengthens them.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from .conftest import SIZE
from .test_app import settle

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.name for p in (ROOT / "models").glob("*.yaml"))
WALK = int(os.environ.get("TMODEL_LONG_WALK", "0") or 0) or 40  # keys per screen; 7 screens per model
KEYS = (["up", "down", "left", "right"] * 6 + ["tab", "shift+tab"] * 3 + ["enter"] * 3 + ["escape"] * 2
        + ["pageup", "pagedown", "home", "end", "space"] + [str(i) for i in range(1, 8)]
        + list("abcdefghijklmnopqrstuvwxyz") + ["question_mark", "slash"])


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    dest = tmp_path / "models"
    shutil.copytree(ROOT / "models", dest)
    return dest


@pytest.fixture
def shipped_app(examples):
    """The app on a copy of the example models, with the shipped catalogs (what a user runs)."""
    from tmodel.catalog.load import load_catalogs

    from .conftest import AS_OF

    catalog = load_catalogs([])

    def build(name: str):
        from tmodel.tui.app import make_app

        app = make_app(str(examples / name), catalog, AS_OF, user="tester", cursor_blink=False)
        app.animation_level = "none"
        return app

    return build


def _stray_free(app) -> None:
    """Every change the document shows went through a recorded edit (none came from nowhere)."""
    e = app.service.current
    if e is not None and e.doc is not None and e.dirty:
        assert e.undo_stack, "the model changed without an edit"


@pytest.mark.parametrize("name", EXAMPLES)
async def test_random_walk_on_every_screen_never_crashes_or_writes(name, examples, shipped_app):
    path = examples / name
    before = path.read_bytes()
    app = shipped_app(name)
    rng = random.Random(f"walk-{name}")
    async with app.run_test(size=(80, 24)) as pilot:
        for screen in "2345673":
            await pilot.press(screen)
            await settle(pilot)
            for _ in range(WALK):
                await pilot.press(rng.choice(KEYS))
            await settle(pilot)
            assert app.is_running
            _stray_free(app)
    assert app.return_code in (None, 0)
    assert path.read_bytes() == before  # nothing is written without ctrl+s


@pytest.mark.parametrize("name", EXAMPLES)
async def test_holding_down_through_the_structure_tree_changes_nothing(name, examples, shipped_app):
    app = shipped_app(name)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        flows = [(f["id"], f.get("from"), f.get("to")) for f in app.service.items("flows")]
        tree = app.screen.tree
        seen = set()
        for _ in range(tree.last_line + 2):
            await pilot.press("down")  # no settling between keys: as fast as a held key repeats
            seen.add(tree.cursor_node.data if tree.cursor_node else None)
        await pilot.pause(0.3)
        await settle(pilot)
        for _ in range(12):  # then at a steady pace through the last flows: each form is built,
            await pilot.press("up")  # and its dropdowns report while the next key arrives
            await pilot.pause(0.2)
        await pilot.pause(0.3)
        await settle(pilot)
        assert ("flows", flows[-1][0]) in seen
        assert not app.service.current.dirty, app.service.current.doc.text()
        assert [(f["id"], f.get("from"), f.get("to")) for f in app.service.items("flows")] == flows
        # the form shows the item under the cursor, and only one form is live
        assert (app.screen.form.section, app.screen.form.ident) == tree.cursor_node.data


async def test_every_letter_on_every_screen_keeps_the_app_running(examples, shipped_app):
    app = shipped_app("card-issuing-partner.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        for screen in "1234567":
            for letter in "abcdefghijklmnopqrstuvwxyz":
                await pilot.press(screen)
                await settle(pilot)
                await pilot.press(letter)
                await settle(pilot)
                for _ in range(3):  # close whatever the letter opened
                    await pilot.press("escape")
                await settle(pilot)
                assert app.is_running, (screen, letter)
        assert not app.service.current.dirty
