"""Fixtures of the terminal app's tests: a fixture catalog (stable snapshots whatever the shipped
catalogs say), copies of the fixture models (tests edit them), and a deterministic app factory."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
MODELS = FIXTURES / "models"
AS_OF = dt.date(2026, 11, 1)
SIZE = (130, 40)


@pytest.fixture(scope="session")
def tui_catalog():
    from tmodel.catalog.load import load_catalogs

    cat = load_catalogs([str(FIXTURES / "catalog")], shipped=False)
    assert not [p for p in cat.problems if p.is_error], [p.format() for p in cat.problems]
    return cat


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    """A private copy of the fixture models (and a catalog file, which the app must skip)."""
    dest = tmp_path / "models"
    shutil.copytree(MODELS, dest)
    return dest


def build_app(path, catalog, **kw):
    from tmodel.tui.app import make_app

    app = make_app(str(path), catalog, AS_OF, user="tester", cursor_blink=False, **kw)
    app.animation_level = "none"
    return app


@pytest.fixture
def make(tui_catalog):
    return lambda path, **kw: build_app(path, tui_catalog, **kw)


@pytest.fixture
def service(models_dir, tui_catalog):
    from tmodel.tui.service import Service

    return Service(str(models_dir), tui_catalog, as_of=AS_OF, user="tester")
