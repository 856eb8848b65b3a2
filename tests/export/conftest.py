"""Fixtures of the export tests: a small self-contained catalog (tests/fixtures/catalog-export),
the export test model and the hostile model. Nothing here depends on the shipped catalogs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import AS_OF, ROOT

FIXTURES = ROOT / "tests" / "fixtures"
CATALOG_DIR = FIXTURES / "catalog-export"
DEMO = FIXTURES / "export-model.yaml"
HOSTILE = FIXTURES / "export-hostile.yaml"
GOLDEN = ROOT / "tests" / "golden"
UPDATE_GOLDEN = os.environ.get("TMODEL_UPDATE_GOLDEN") == "1"


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.fixture(scope="session")
def xcat():
    from tmodel.catalog.load import load_catalogs

    cat = load_catalogs([str(CATALOG_DIR)], shipped=False)
    assert not [p for p in cat.problems if p.is_error], [p.format() for p in cat.problems]
    return cat


def analyzed(path: Path, catalog):
    from tmodel.analysis.engine import analyze
    from tmodel.model.load import load_model

    lm = load_model(str(path))
    assert lm.ok, "\n".join(p.format() for p in lm.errors)
    # a relative path, so the JSON and the register do not depend on where the repository lives
    return analyze(lm.model, catalog, path=rel(path), located=lm.located, as_of=AS_OF), lm.model


@pytest.fixture(scope="session")
def demo(xcat):
    return analyzed(DEMO, xcat)


@pytest.fixture(scope="session")
def hostile(xcat):
    return analyzed(HOSTILE, xcat)


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    """Run the CLI with the test catalog as the 'shipped' one, from an empty folder (no tmodel.toml)."""
    monkeypatch.setenv("TMODEL_CATALOGS", str(CATALOG_DIR))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check_golden(name: str, text: str) -> None:
    """Compare with tests/golden/<name>; TMODEL_UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.write_text(text, encoding="utf-8", newline="")
        return
    assert path.exists(), f"no golden file {rel(path)}; run with TMODEL_UPDATE_GOLDEN=1 and review it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{rel(path)} differs; if the change is intended, run TMODEL_UPDATE_GOLDEN=1 pytest and review the diff"
