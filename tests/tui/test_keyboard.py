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

from .test_app import run_command, settle, type_text

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
        tree = app.screen.item_tree
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
        await pilot.press("3", *["down"] * 8)  # an element's form: its first field is a text box
        await pilot.pause(0.3)
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
        # letters typed into a form's text box and left with escape are dropped, not applied
        await pilot.press("3", "f")
        await settle(pilot)
        assert app.focused.id == "f-title"
        await pilot.press("z", "z", "escape")
        await settle(pilot)
        assert app.screen.item_tree.has_focus and not app.service.current.dirty
        assert app.screen.query_one("#f-title").value == app.service.value(*app.screen.item_tree.cursor_node.data, ("title",))


# -- a newcomer's first hour, by keys only ------------------------------------------------------
async def choose(pilot, search: str) -> None:
    """On a focused dropdown: type to search (it opens), Enter takes the match."""
    await type_text(pilot, search)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def tab_to(pilot, widget_id: str, limit: int = 12) -> None:
    for _ in range(limit):
        if pilot.app.focused is not None and pilot.app.focused.id == widget_id:
            return
        await pilot.press("tab")
        await settle(pilot)
    raise AssertionError(f"tab never reached #{widget_id} (focus: {pilot.app.focused})")


async def triage_by_keys(pilot, search: str, *fields: tuple[str, str]) -> None:
    await pilot.press("enter")  # on a threat row: the triage dialog, its decision dropdown focused
    await settle(pilot)
    assert pilot.app.focused.id == "tr-status"
    await choose(pilot, search)
    for widget_id, text in fields:
        await tab_to(pilot, widget_id)
        await type_text(pilot, text)
    await tab_to(pilot, "ok")
    await pilot.press("enter")
    await settle(pilot)


async def test_add_an_https_flow_with_mtls_and_triage_two_threats_by_keys(examples, shipped_app):
    import difflib

    from tmodel.model.load import load_model

    path = examples / "card-issuing-partner.yaml"
    before = path.read_text(encoding="utf-8")
    app = shipped_app(path.name)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        tree = app.screen.item_tree
        tree.focus()
        while tree.cursor_node.data != ("flows", None):
            await pilot.press("down")
        await pilot.press("a")
        await settle(pilot)
        assert app.focused.id == "add-id"
        await type_text(pilot, "card-svc-hsm")
        await pilot.press("tab")
        await type_text(pilot, "Card service signs PIN blocks in the HSM")
        await pilot.press("tab")
        await choose(pilot, "card-svc")  # from
        await pilot.press("tab")
        await choose(pilot, "hsm")  # to
        await tab_to(pilot, "add-protocol")
        assert str(app.screen.query_one("#add-protocol").value) == "https"
        await pilot.press("tab")
        assert app.focused.id == "add-tls"  # https brings its TLS fields
        await pilot.press("tab")
        await choose(pilot, "verifies")  # mutual TLS, client chain verified
        await tab_to(pilot, "ok")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause(0.3)
        await settle(pilot)
        flow = next(f for f in app.service.items("flows") if f["id"] == "card-svc-hsm")
        assert (flow["from"], flow["to"], flow["protocol"]) == ("card-svc", "hsm", "https")
        assert dict(flow["tls"]) == {"min_version": "1.2", "mutual": True, "client_cert_verified": True}
        assert app.screen.form.ident == "card-svc-hsm"

        await pilot.press("5")
        await settle(pilot)
        table = app.screen.table
        first = app.screen.selected().id
        await triage_by_keys(pilot, "accep", ("tr-owner-input", "Cards integration lead"),
                             ("tr-reason-input", "Processor contract renewal moves to signed requests"),
                             ("tr-expires-input", "2027-03-01"))
        assert app.service.threat(first).status == "accepted"
        table.focus()
        rows = [t.id for t in app.screen.rows]
        table.move_cursor(row=next(i for i, t in enumerate(app.screen.rows) if t.status == "open" and t.id != first))
        second = app.screen.selected().id
        await triage_by_keys(pilot, "false", ("tr-reason-input", "The flow carries no card data in clear"))
        assert app.service.threat(second).status == "false_positive", rows
        await pilot.press("ctrl+s")
        await settle(pilot)
    loaded = load_model(str(path))
    assert loaded.ok, [p.format() for p in loaded.problems if p.is_error]
    after = path.read_text(encoding="utf-8")
    diff = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))]
    assert diff and all(line.startswith("+") for line in diff), "\n".join(diff)  # only additions: diffs cleanly
    assert any("card-svc-hsm" in line for line in diff)
    assert any(first in line for line in diff) and any(second in line for line in diff)


async def test_undo_and_redo_every_edit_and_save_writes_the_earlier_text(examples, shipped_app):
    path = examples / "card-issuing-partner.yaml"
    before = path.read_bytes()
    app = shipped_app(path.name)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.press("5")
        await settle(pilot)
        await triage_by_keys(pilot, "false", ("tr-reason-input", "first"))
        after_one = app.service.current.doc.text()
        app.screen.table.focus()
        await pilot.press("down")
        await triage_by_keys(pilot, "false", ("tr-reason-input", "second"))
        assert app.service.current.doc.text() != after_one
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.service.current.doc.text() == after_one
        await pilot.press("ctrl+y")
        await pilot.press("ctrl+z")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert path.read_text(encoding="utf-8") == after_one
        await pilot.press("ctrl+z")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.service.current.dirty
    assert path.read_bytes() == before  # undone back to the file as opened: the same bytes


async def test_a_crash_keeps_unsaved_work_and_the_next_start_offers_it_back(examples, shipped_app, monkeypatch, tmp_path):
    from tmodel.tui.recovery import EXIT_INTERNAL, recovery_path
    from tmodel.tui.screens.threats import ThreatsScreen

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = examples / "card-issuing-partner.yaml"
    before = path.read_bytes()
    app = shipped_app(path.name)

    def boom(self) -> None:
        raise RuntimeError("injected failure")

    with pytest.raises(RuntimeError, match="injected failure"):
        async with app.run_test(size=(130, 40)) as pilot:
            await pilot.press("5")
            await settle(pilot)
            await triage_by_keys(pilot, "false", ("tr-reason-input", "kept through a crash"))
            unsaved = app.service.current.doc.text()
            monkeypatch.setattr(ThreatsScreen, "action_cycle_sort", boom)
            await pilot.press("s")
            await settle(pilot)
    assert app.return_code == EXIT_INTERNAL
    assert path.read_bytes() == before  # the user's file is untouched
    recovered = Path(recovery_path(str(path)))
    assert recovered.read_text(encoding="utf-8") == unsaved
    line = app.crash.line()
    assert str(recovered) in line and app.crash.log in line
    assert "RuntimeError: injected failure" in Path(app.crash.log).read_text(encoding="utf-8")
    assert sorted(p.name for p in examples.glob("*.yaml")) == EXAMPLES  # the recovery file is no model

    monkeypatch.undo()
    app = shipped_app(path.name)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "RecoverScreen" and app.focused.id == "restore"
        await pilot.press("enter")
        await settle(pilot)
        assert app.service.current.dirty and app.service.current.doc.text() == unsaved
        assert not recovered.exists()
        await pilot.press("ctrl+z")  # back to the file as it was
        await settle(pilot)
        assert not app.service.current.dirty


@pytest.mark.parametrize("size", [(80, 24), (160, 45), (220, 60)])
async def test_threat_titles_and_help_fit_the_terminal(size, examples, shipped_app):
    app = shipped_app("card-issuing-partner.yaml")
    async with app.run_test(size=size) as pilot:
        await pilot.press("5")
        await settle(pilot)
        table = app.screen.table
        widths = {str(k.value): c.width for k, c in table.columns.items()}
        used = sum(widths.values()) + 2 * len(widths)
        assert used <= table.size.width  # no column is pushed off the screen
        assert widths["title"] >= {80: 14, 160: 40, 220: 75}[size[0]], widths
        longest = max((t.title for t in app.screen.rows), key=len)
        app.screen.table.move_cursor(row=[t.title for t in app.screen.rows].index(longest))
        await settle(pilot)
        detail = app.screen.query_one("#th-detail-text").render()
        assert longest in str(getattr(detail, "plain", detail))  # the longest title is shown whole
        await pilot.press("f1")
        await settle(pilot)
        scroll = app.screen.query_one("#help-scroll")
        await pilot.press("end")
        await settle(pilot)
        assert scroll.max_scroll_y == 0 or scroll.scroll_y == scroll.max_scroll_y > 0  # help scrolls to its end


async def test_protocol_and_tls_change_together_and_a_rejected_edit_shows_the_model_again(examples, shipped_app):
    app = shipped_app("card-issuing-partner.yaml")
    async with app.run_test(size=(160, 45)) as pilot:
        app.goto("structure", section="flows", ident="issue-card")
        await settle(pilot)
        svc = app.service

        def tls(key):
            return svc.value("flows", "issue-card", ("tls", key))

        app.screen.query_one("#f-protocol").focus()
        await choose(pilot, "plain http")  # https -> http: TLS goes with it, in one edit
        await pilot.pause(0.3)
        await settle(pilot)
        assert svc.value("flows", "issue-card", ("protocol",)) == "http"
        assert tls("min_version") == "none" and tls("mutual") is None and tls("client_cert_verified") is None
        assert app.focused.id == "f-protocol"  # the rebuilt form keeps the focus where it was
        await choose(pilot, "over tls")  # and back: a TLS version comes with https
        await pilot.pause(0.3)
        await settle(pilot)
        assert svc.value("flows", "issue-card", ("protocol",)) == "https" and tls("min_version") == "1.2"
        text = svc.current.doc.text()
        app.screen.query_one("#f-tls-min_version").focus()
        await choose(pilot, "clear text")  # https without TLS: refused
        await settle(pilot)
        select = app.screen.query_one("#f-tls-min_version")
        assert str(select.value) == "1.2" and svc.current.doc.text() == text
        row = select.parent
        assert "not applied" in str(row.query_one(".field-error").render())
        await pilot.press("ctrl+z", "ctrl+z")
        await settle(pilot)
        assert not svc.current.dirty


async def test_unknowns_are_questions_on_the_audit_screen_and_e_opens_the_item(examples, shipped_app):
    """Facts the model leaves unstated are listed on 6 Audit as questions that need an answer; e takes
    the user to the item in Structure, where stating the fact answers it."""
    app = shipped_app("loan-marketplace.yaml")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        unknowns = app.service.current.analysis.unknowns
        assert unknowns, "the example leaves some facts unstated"
        await pilot.press("6")
        await settle(pilot)
        await run_command(pilot, "audit: unknowns")
        table = app.screen.query_one("#aud-unk-table")
        assert table.has_focus and table.row_count == len(unknowns)
        detail = str(app.screen.query_one("#aud-unk-detail").render())
        assert unknowns[0].text in detail and "needs an answer" in detail
        await pilot.press("e")
        await settle(pilot)
        await pilot.pause(0.3)
        await settle(pilot)
        assert app.current_mode == "structure"
        assert app.screen.form.ident == unknowns[0].targets[0]
        assert not app.service.current.dirty
