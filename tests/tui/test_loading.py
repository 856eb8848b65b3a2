"""The first screen comes before the models are analysed: keys pressed while they load are safe.

The app lists a folder at once and analyses its models in a thread worker afterwards. These tests press
keys while that worker runs (models large enough that it is still running: each test checks it was):
moving through the list, opening a model, editing it, switching screens, rescanning, quitting. Nothing
crashes, an edit made meanwhile is never overwritten by the loader's copy, a file changed on disk while
it was being read is not shown with the stale analysis, and every row ends filled in.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
import yaml
from textual.widgets import DataTable

from tmodel.catalog.load import load_catalogs

from .conftest import AS_OF
from .test_app import settle

ROOT = Path(__file__).resolve().parents[2]


def _generated(n: int, seed: int) -> str:
    spec = importlib.util.spec_from_file_location("pytm_compare", ROOT / "benchmarks" / "pytm_compare.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    doc = mod.tmodel_doc(mod.describe(n, seed))
    doc["metadata"]["id"] = f"generated-{seed}"
    doc["metadata"]["title"] = f"Generated model {seed}"
    return yaml.safe_dump(doc, sort_keys=False)


@pytest.fixture(scope="module")
def catalog():
    return load_catalogs([])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The bundled models and four generated ones: the first row (the loader's first) has about 1,000 elements
    (seconds to load and analyse), the last three about 90."""
    dest = tmp_path / "models"
    shutil.copytree(ROOT / "models", dest)
    (dest / "aa-generated-big.yaml").write_text(_generated(700, 9), encoding="utf-8")
    for seed in range(3):
        (dest / f"zz-generated-{seed}.yaml").write_text(_generated(60, seed), encoding="utf-8")
    return dest


def _app(folder: Path, catalog):
    from tmodel.tui.app import make_app

    app = make_app(str(folder), catalog, AS_OF, user="tester", cursor_blink=False)
    app.animation_level = "none"
    return app


def _loading(app) -> bool:
    return bool(app.service.pending()) and any(w.is_running for w in app.workers)


def _rows_filled(app) -> None:
    """Every row of the Models screen shows its model's analysis (none left pending)."""
    table = app.screen.query_one("#models-table", DataTable)
    assert table.row_count == len(app.service.files)
    for path in app.service.files:
        status = str(table.get_cell(path, "validation"))
        assert "analysing" not in status, (path, status)
        assert status == app.service.summary(path).status


async def test_the_first_screen_lists_the_models_before_they_are_analysed(folder, catalog):
    app = _app(folder, catalog)
    async with app.run_test(size=(130, 40)) as pilot:
        table = app.screen.query_one("#models-table", DataTable)
        assert table.row_count == len(app.service.files) == 9
        assert _loading(app), "the analysis runs after the first screen"
        await settle(pilot)
        assert not app.service.pending()
        _rows_filled(app)
    assert app.return_code in (None, 0)


async def test_keys_while_loading_never_crash_and_edits_stay(folder, catalog):
    app = _app(folder, catalog)
    target = folder / "aa-generated-big.yaml"  # the first row, and the loader's first model
    async with app.run_test(size=(130, 40)) as pilot:
        assert _loading(app)
        table = app.screen.query_one("#models-table", DataTable)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == str(target)
        assert str(target) in app.service.pending(), "the loader is still reading it"
        await pilot.press("enter")  # opens it on this thread while the loader reads its own copy
        assert app.service.current is not None and app.service.current.path == str(target)
        assert app.current_mode == "overview"
        await pilot.press("3")  # Structure, and an edit of the model the user opened
        await app.screen.show_item("elements", "p1")
        await pilot.pause()
        app.service.set_field("elements", "p1", ("logging",), "none")
        edited = app.service.current
        for key in ("5", "down", "2", "4", "6", "1", "down", "up"):  # every screen while the loader may still run
            await pilot.press(key)
        await settle(pilot)
        assert not app.service.pending()
        # the loader's own copy of the opened model did not replace the edited one
        assert app.service.entries[str(target)] is edited and edited.dirty
        assert edited.doc is not None and edited.doc.text() != edited.doc.original_text
        assert app.current_mode == "models"
        _rows_filled(app)
        row = app.screen.query_one("#models-table", DataTable).get_cell(str(target), "file")
        assert str(row).startswith("● "), "the edited model shows unsaved changes"
        await pilot.press("f5")  # rescan: nothing new to load, nothing lost
        await settle(pilot)
        assert app.service.entries[str(target)] is edited
    assert app.return_code in (None, 0)


async def test_a_model_changed_while_it_was_read_is_not_shown_stale(folder, catalog):
    app = _app(folder, catalog)
    target = folder / "zz-generated-2.yaml"
    async with app.run_test(size=(130, 40)) as pilot:
        assert _loading(app)
        text = target.read_text(encoding="utf-8").replace("title: Generated model 2", "title: Changed on disk", 1)
        target.write_text(text, encoding="utf-8")
        st = os.stat(target)
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000))  # a new mtime even on a coarse clock
        await settle(pilot)
        summary = app.service.summary(str(target))  # loaded again when it was refused: the new text
        assert summary.title == "Changed on disk"
        e = app.service.entries[str(target)]
        assert e.loaded.text == text and e.title == "Changed on disk"
        assert app.screen.query_one("#models-table", DataTable).row_count == 9
    assert app.return_code in (None, 0)


async def test_quitting_while_loading_stops_the_loader(folder, catalog):
    app = _app(folder, catalog)
    async with app.run_test(size=(130, 40)) as pilot:
        assert _loading(app)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code in (None, 0)


def test_the_service_never_adopts_a_stale_or_second_copy(folder, catalog):
    """What the worker hands over is taken only for a model not loaded meanwhile and unchanged on disk."""
    from tmodel.tui.service import Service

    svc = Service(str(folder), catalog, as_of=AS_OF, user="tester")
    path = str(folder / "byod-admin-portal.yaml")
    early = svc.load_entry(path)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000))  # changed on disk after it was read
    assert not svc.adopt(early) and path in svc.pending()
    fresh = svc.load_entry(path)
    assert svc.adopt(fresh) and svc.entries[path] is fresh and path not in svc.pending()
    opened = svc.open(path)
    svc.set_field("metadata", None, ("owner",), "Edited while a copy was loading")
    assert not svc.adopt(svc.load_entry(path)), "a second copy never replaces the model in use"
    assert svc.entries[path] is opened and opened.dirty
    gone = svc.load_entry(str(folder / "zz-generated-0.yaml"))
    os.remove(folder / "zz-generated-0.yaml")
    svc.scan()
    assert not svc.adopt(gone), "a model that left the folder is not listed again"
