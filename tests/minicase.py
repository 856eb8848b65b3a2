"""Shared by the diff, check and SARIF tests: the mini model and the self-contained mini catalog."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import AS_OF

HERE = Path(__file__).resolve().parent
MINI_CATALOG = HERE / "fixtures" / "catalog-mini"
MINI_MODEL = HERE / "fixtures" / "mini-model.yaml"


def base() -> dict:
    """tests/fixtures/mini-model.yaml as plain data (a fresh copy each call)."""
    return yaml.safe_load(MINI_MODEL.read_text(encoding="utf-8"))


def dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def mini_catalog():
    from tmodel.catalog.load import load_catalogs

    cat = load_catalogs([str(MINI_CATALOG)], shipped=False)
    assert not [p for p in cat.problems if p.is_error], [p.format() for p in cat.problems]
    return cat


def load_and_analyze(text: str, cat, name: str):
    """(Loaded, Analysis) of a model given as YAML text; the model must be valid."""
    from tmodel.analysis.engine import analyze
    from tmodel.model.load import load_model_text

    lm = load_model_text(text, name)
    assert lm.ok, [p.format() for p in lm.errors]
    return lm, analyze(lm.model, cat, path=name, located=lm.located, as_of=AS_OF)
