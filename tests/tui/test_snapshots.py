"""Snapshots of every screen: fixed terminal size, fixed date, fixture catalog, no blinking cursor.

Regenerate after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and review the SVGs under ``tests/tui/__snapshots__/`` before committing.
"""

from __future__ import annotations

import os

import pytest

from .conftest import FIXTURES, SIZE
from .test_app import settle


@pytest.fixture
def app(make, monkeypatch):
    monkeypatch.chdir(FIXTURES)  # the app shows paths relative to where it was started
    return make("models")


def opened(name: str = "payments.yaml", then=None):
    async def run_before(pilot) -> None:
        app = pilot.app
        app.open_model(next(f for f in app.service.files if os.path.basename(f) == name))
        await settle(pilot)
        if then is not None:
            await then(pilot)
        await settle(pilot)

    return run_before


def keys(*pressed: str):
    async def run(pilot) -> None:
        for k in pressed:
            await pilot.press(k)
            await settle(pilot)

    return run


class TestScreens:
    def test_models(self, app, snap_compare):
        assert snap_compare(app, terminal_size=SIZE)

    def test_overview(self, app, snap_compare):
        assert snap_compare(app, terminal_size=SIZE, run_before=opened())

    def test_overview_light_theme(self, app, snap_compare):
        assert snap_compare(app, terminal_size=SIZE, run_before=opened(then=keys("ctrl+t")))

    def test_structure_flow_form(self, app, snap_compare):
        async def then(pilot):
            pilot.app.goto("structure", section="flows", ident="partner-gw")

        assert snap_compare(app, terminal_size=SIZE, run_before=opened(then=then))

    def test_diagram_layered(self, app, snap_compare):
        async def then(pilot):
            await pilot.press("4")
            await settle(pilot)
            screen = pilot.app.screen
            screen.use_dot = False  # Graphviz layouts vary by version; the layered layout is ours
            screen.sync(force=True)

        assert snap_compare(app, terminal_size=SIZE, run_before=opened(then=then))

    def test_threats(self, app, snap_compare):
        assert snap_compare(app, terminal_size=SIZE, run_before=opened(then=keys("5", "down", "down")))

    def test_triage_dialog(self, app, snap_compare):
        async def then(pilot):
            pilot.app.goto("threats", threat="OWASP-API4-NO-RATE-LIMIT@app-gw")
            await settle(pilot)
            await pilot.press("t")

        assert snap_compare(app, terminal_size=SIZE, run_before=opened(then=then))

    def test_audit_questions(self, app, snap_compare):
        async def then(pilot):
            await pilot.press("6")
            await settle(pilot)
            pilot.app.screen.action_tab("aud-q")

        assert snap_compare(app, terminal_size=SIZE, run_before=opened(then=then))

    def test_export(self, app, snap_compare):
        assert snap_compare(app, terminal_size=SIZE, run_before=opened(then=keys("7")))

    def test_help(self, app, snap_compare):
        assert snap_compare(app, terminal_size=SIZE, run_before=opened(then=keys("f1")))

    def test_markup_model_overview(self, app, snap_compare):
        assert snap_compare(app, terminal_size=SIZE, run_before=opened("markup.yaml"))
