"""Starting a model in the app (issue 11 item 4), driven by key presses through the pilot:
the New action on the Models screen (also from an empty folder) and in the command palette, and
inserting a component snippet on the Structure screen."""

from __future__ import annotations

from pathlib import Path

import yaml
from textual.widgets import Select, Static

from tmodel.model.load import load_model
from tmodel.templates import snippets, templates

from .conftest import SIZE
from .test_app import run_command, settle, static_text


def all_ids(data: dict) -> list[str]:
    return [str(x["id"]) for s in ("boundaries", "elements", "flows", "data_assets") for x in data.get(s) or []]


async def choose(pilot, select_id: str, value: str) -> None:
    """Open a focused dropdown with Enter and move to ``value`` with the arrow keys."""
    select = pilot.app.screen.query_one(select_id, Select)
    assert pilot.app.focused is select
    values = [v for _, v in select._options if v is not Select.NULL]
    steps = values.index(value) - values.index(select.value)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    await settle(pilot)
    assert select.value == value


async def new_model_by_keys(pilot, ident: str, template: str) -> None:
    """On the New dialog: type the id, Tab to the template dropdown, choose, Tab to OK, Enter."""
    assert pilot.app.screen.query_one("#new-id") is pilot.app.focused
    await pilot.press(*ident)
    await pilot.press("tab")
    await choose(pilot, "#new-template", template)
    await pilot.press("tab", "enter")
    await settle(pilot)


async def test_an_empty_folder_offers_new_and_n_creates_and_opens_a_model(tmp_path, make):
    folder = tmp_path / "models"
    folder.mkdir()
    app = make(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        start = app.screen.query_one("#models-start", Static)
        text = static_text(start)
        assert start.display and "No models in" in text and "Press n" in text
        assert "error" not in static_text(app.screen.query_one("#models-foot", Static)).lower()
        for t in templates():
            assert t.name in text
        await pilot.press("n")
        await settle(pilot)
        await new_model_by_keys(pilot, "sbp-payments", "payment-ciba")
        path = folder / "sbp-payments.yaml"
        assert path.is_file()
        assert app.current_mode == "structure"
        assert app.service.current is not None and app.service.current.path == str(path)
        assert not app.service.current.dirty and not app.service.current.errors
        lm = load_model(str(path))
        assert lm.ok and lm.model.metadata.id == "sbp-payments"
        assert "CIBA" in lm.model.metadata.title
        await pilot.press("1")
        await settle(pilot)
        assert not app.screen.query_one("#models-start", Static).display  # the list now shows it


async def test_new_refuses_a_bad_id_and_an_existing_file_in_the_dialog(models_dir, make):
    app = make(models_dir)
    existing = sorted(models_dir.glob("*.yaml"))[0]
    before = existing.read_text(encoding="utf-8")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Bad_Id", "enter")
        await settle(pilot)
        err = static_text(app.screen.query_one(".dialog-error", Static))
        assert "not a valid model id" in err and "lowercase" in err
        await pilot.press(*["backspace"] * 6, *existing.stem, "enter")
        await settle(pilot)
        assert "already exists" in static_text(app.screen.query_one(".dialog-error", Static))
        await pilot.press("escape")
        await settle(pilot)
    assert existing.read_text(encoding="utf-8") == before


async def test_new_from_the_command_palette(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "new model from")
        # type-to-search on the template dropdown: "sftp" then Enter picks the SFTP template
        await pilot.press(*"partner-files", "tab", *"sftp", "enter")
        await settle(pilot)
        assert app.screen.query_one("#new-template", Select).value == "sftp-file-exchange"
        assert app.current_mode == "models"  # the letters never reached the app's keys
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert (models_dir / "partner-files.yaml").is_file()
        assert app.service.current.path == str(models_dir / "partner-files.yaml")


async def test_structure_inserts_every_snippet_by_keys_renaming_clashes(models_dir, make):
    # the model's database is called 'hsm': the snippets' HSM must not merge into it
    model = models_dir / "payments.yaml"
    model.write_text(model.read_text(encoding="utf-8").replace("ledger-db", "hsm"), encoding="utf-8")
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        path = next(f for f in app.service.files if f.endswith("payments.yaml"))
        app.open_model(path)
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        for i, snip in enumerate(snippets()):
            before = yaml.safe_load(app.service.current.doc.text())
            app.screen.item_tree.focus()
            await pilot.press("i")
            await settle(pilot)
            await choose(pilot, "#snippet-name", snip.name)
            await pilot.press("tab", "enter")
            await settle(pilot)
            after = yaml.safe_load(app.service.current.doc.text())
            ids = all_ids(after)
            assert len(ids) == len(set(ids)), "ids stay unique"
            assert not app.service.current.errors, [p.format() for p in app.service.current.errors]
            added = set(ids) - set(all_ids(before))
            assert added, f"{snip.name} added nothing"
            for flow in after["flows"]:
                if flow["id"] in added:  # the snippet's flows follow renamed elements
                    assert {flow["from"], flow["to"]} <= {x["id"] for x in after["elements"]}
        assert app.service.current.dirty
        data = yaml.safe_load(app.service.current.doc.text())
        techs = {x["id"]: x["technology"] for x in data["elements"]}
        assert techs["hsm"] == "database" and techs["hsm-2"] == "hsm"
        assert {"idp-hsm", "km-hsm", "hsm-logs"} <= set(all_ids(data))
        assert all(f["to"] == "hsm-2" for f in data["flows"] if f["id"] in ("idp-hsm", "km-hsm"))
        assert sum(x["technology"] == "hsm" for x in data["elements"]) == 1  # later snippets reuse it
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert load_model(path).ok


async def test_a_snippet_insert_is_one_undoable_edit(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        path = next(f for f in app.service.files if f.endswith("payments.yaml"))
        app.open_model(path)
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        before = app.service.current.doc.text()
        app.screen.item_tree.focus()
        await pilot.press("i")
        await settle(pilot)
        await choose(pilot, "#snippet-name", "wso2-gateway")
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert "key-manager" in all_ids(yaml.safe_load(app.service.current.doc.text()))
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.service.current.doc.text() == before
        assert not app.service.current.dirty
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert "key-manager" in all_ids(yaml.safe_load(app.service.current.doc.text()))
        # the same snippet again: everything is there, so nothing changes and nothing is added to undo
        again = app.service.current.doc.text()
        undo_depth = len(app.service.current.undo_stack)
        await pilot.press("i")
        await settle(pilot)
        await choose(pilot, "#snippet-name", "wso2-gateway")
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert app.service.current.doc.text() == again
        assert len(app.service.current.undo_stack) == undo_depth
