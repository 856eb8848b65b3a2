from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
AS_OF = dt.date(2026, 11, 1)  # fixed analysis date: golden files do not change with the calendar


@pytest.fixture(scope="session")
def catalog():
    from tmodel.catalog.load import load_catalogs

    cat = load_catalogs()
    errors = [p.format() for p in cat.problems if p.is_error]
    assert not errors, "\n".join(errors)
    return cat


def analyze_data(data: dict, catalog, name: str = "case.yaml"):
    """Validate (must be valid) and analyze a model given as plain data."""
    from tmodel.analysis.engine import analyze
    from tmodel.model.load import load_model_text

    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    lm = load_model_text(text, name)
    assert lm.ok, "\n".join(p.format() for p in lm.errors)
    return analyze(lm.model, catalog, path=name, located=lm.located, as_of=AS_OF)


@pytest.fixture
def analyze_model(catalog):
    return lambda data, name="case.yaml": analyze_data(data, catalog, name)


def generated_model_text(n: int, seed: int) -> str:
    """A model of the benchmark's scale shape (benchmarks/pytm_compare.py): n processes, n/4 externals, n/4
    stores, 3n flows, most protection facts left unstated."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("pytm_compare", ROOT / "benchmarks" / "pytm_compare.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return yaml.safe_dump(gen.tmodel_doc(gen.describe(n, seed)), sort_keys=False)
