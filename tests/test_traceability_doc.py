"""docs/seed-traceability.md is generated from the catalogs and must not drift from them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "gen_traceability.py"


def test_traceability_doc_is_current():
    spec = importlib.util.spec_from_file_location("gen_traceability", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if not mod.BULLETS.exists():
        pytest.skip(f"{mod.BULLETS} not found (../shared is not beside this checkout)")
    assert mod.DOC.read_text(encoding="utf-8") == mod.render(), "run: .venv/bin/python tools/gen_traceability.py"
