"""The app in Russian: the palette's "Switch the language" command switches live (levels, statuses and
the catalogs' threat titles from their ru: blocks on the visible screen); model data stays as written."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from tmodel.catalog.load import load_catalogs

from .conftest import SIZE, build_app
from .test_app import open_model, run_command, settle, static_text, table_text


def visible_text(app) -> str:
    """What the screen shows: its tables' cells and its static texts."""
    parts = [table_text(t) for t in app.screen.query(DataTable)]
    parts += [static_text(s) for s in app.screen.query(Static)]
    return "\n".join(parts)


async def switch_language(pilot) -> None:
    await run_command(pilot, "switch the language")

async def test_palette_switches_the_language_live(models_dir):
    app = build_app(models_dir, load_catalogs())  # the shipped catalogs: their ru: blocks give the titles
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await pilot.press("5")  # Threats
        await settle(pilot)
        assert app.current_mode == "threats"
        before = visible_text(app)
        assert "актуальна" not in before and "open" in before
        threat = app.service.current.analysis.threats[0]
        assert threat.title_ru and threat.title_ru not in before

        await switch_language(pilot)
        after = visible_text(app)
        assert "актуальна" in after  # the status of open threats
        assert threat.title_ru in after  # the rule's title from its ru: block
        assert any(lv in after for lv in ("высокий", "средний", "низкий", "критич."))

        # another screen redraws in Russian when shown; and back to English
        await pilot.press("6")  # Audit
        await settle(pilot)
        assert any(s in visible_text(app) for s in ("реализована", "требует подтверждения", "не реализована"))
        await switch_language(pilot)
        assert "реализована" not in visible_text(app)


async def test_the_project_setting_opens_the_app_in_russian(models_dir, tui_catalog):
    app = build_app(models_dir, tui_catalog, lang="ru")
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert "актуальна" in visible_text(app)
    build_app(models_dir, tui_catalog, lang="en")  # the next app opens in English again


async def test_the_app_exports_in_its_language(models_dir, tui_catalog, tmp_path):
    from textual.widgets import Input, SelectionList

    from .test_app import click

    app = build_app(models_dir, tui_catalog, lang="ru")
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await pilot.press("7")
        await settle(pilot)
        formats = app.screen.query_one("#ex-formats", SelectionList)
        formats.deselect_all()
        formats.select("md")
        app.screen.query_one("#ex-folder", Input).value = str(tmp_path / "out")
        await click(pilot, "#ex-run")
        await settle(pilot)
        record = (tmp_path / "out" / "payments" / "payments-record.md").read_text(encoding="utf-8")
        assert "## 1. Краткие выводы" in record
    build_app(models_dir, tui_catalog, lang="en")
