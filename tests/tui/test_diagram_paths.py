"""The Diagram screen highlights the attack paths to the selected element (key p), driven by the pilot."""

from __future__ import annotations

from pathlib import Path

from .conftest import SIZE
from .test_app import open_model, settle


async def test_p_highlights_the_attack_paths_to_the_selected_element(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await pilot.press("4")
        await settle(pilot)
        view = app.screen.query_one("#dg-view")
        # walk the selection with the arrow keys until the ledger database is selected
        for key in ["right"] * 6 + ["down"] * 4 + ["left"] * 6 + ["up"] * 4:
            if view.selected == "ledger-db":
                break
            await pilot.press(key)
            await settle(pilot)
        assert view.selected == "ledger-db"
        assert not view.highlight
        await pilot.press("p")
        await settle(pilot)
        # both intruders (the fintech app from the internet, the partner) reach the ledger through the gateway
        assert {"fintech-app", "partner", "gw", "payments", "ledger-db", "gw-payments", "payments-db"} <= view.highlight
        assert "siem" not in view.highlight and "gw-siem" not in view.highlight
        styles = {str(span.style) for span in view.render().spans}
        assert any("#ffeb3b" in s for s in styles)
        await pilot.press("p")
        await settle(pilot)
        assert not view.highlight
        assert not any("#ffeb3b" in str(span.style) for span in view.render().spans)


async def test_threat_details_show_the_fstec_threat_database_ids(tmp_path):
    """With the shipped catalogs, the threat details of the app name the УБИ threats of the rule."""
    import shutil

    from tmodel.catalog import bdu
    from tmodel.catalog.load import load_catalogs

    from .conftest import build_app
    from .test_app import static_text

    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(Path(__file__).resolve().parents[2] / "models" / "byod-admin-portal.yaml", models)
    app = build_app(models, load_catalogs())
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot, "byod-admin-portal.yaml")
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        for _ in range(len(screen.rows)):
            t = screen.selected()
            if bdu.threat_bdu(t):
                break
            await pilot.press("down")
            await settle(pilot)
        ids = bdu.threat_bdu(t)
        assert ids
        text = static_text(screen.query_one("#th-detail-text"))
        assert "FSTEC threat database (БДУ ФСТЭК)" in text
        for i in ids:
            assert f"{i} {bdu.name(i)}" in text
