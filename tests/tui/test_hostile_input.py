"""Typing what a calendar does not hold, or a terminal escape, into the app: never a crash, never lost work."""

from __future__ import annotations

import pytest
import yaml
from textual.widgets import Input

from .conftest import SIZE
from .test_app import go_structure_item, open_model, settle


@pytest.mark.parametrize("typed", ["2027-02-30", "2026-02-29", "2026-13-01"])
async def test_an_impossible_date_typed_into_a_text_field_is_kept_as_text(models_dir, make, typed):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await go_structure_item(pilot, "elements", "gw")
        title = app.screen.query_one("#f-title", Input)
        title.focus()
        title.value = ""
        await pilot.press(*typed, "enter")
        await settle(pilot)
        assert app.is_running
        assert app.service.value("elements", "gw", ("title",)) == typed
        await pilot.press("ctrl+s")
        await settle(pilot)
        path = app.service.current.path
        text = open(path, encoding="utf-8").read()
        assert f'title: "{typed}"' in text
        assert next(e for e in yaml.safe_load(text)["elements"] if e["id"] == "gw")["title"] == typed
