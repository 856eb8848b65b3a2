"""docs/coverage.md is generated from docs/coverage-sources.yaml and the catalogs and must not drift from them;
every rule, requirement and audit question the data names exists, and each item's status agrees with the rules
found for it (a rule that lands for an item still marked 'not covered' fails here until the item is updated)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "gen_coverage.py"


def _tool():
    spec = importlib.util.spec_from_file_location("gen_coverage", TOOL)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def test_coverage_data_names_only_what_the_catalogs_define_and_statuses_agree(catalog):
    _sources, problems = _tool().load(catalog)
    assert not problems, "\n".join(problems)


def test_every_rule_in_the_coverage_table_exists(catalog):
    sources, _ = _tool().load(catalog)
    named = {r for s in sources for i in s.items for r in i.rules}
    assert named, "the table names no rule at all"
    assert not named - set(catalog.rules), sorted(named - set(catalog.rules))


def test_coverage_doc_is_current(catalog):
    mod = _tool()
    assert mod.DOC.read_text(encoding="utf-8") == mod.render(catalog), "run: .venv/bin/python tools/gen_coverage.py"


def test_the_reference_lists_are_whole():
    sources, _ = _tool().load()
    by_id = {s.id: [i.id for i in s.items] for s in sources}
    assert set(by_id) == {"threagile", "owasp-api", "fapi1-advanced", "rfc9700", "ciba"}
    assert len(by_id["threagile"]) == len(set(by_id["threagile"])) == 42  # GetBuiltInRiskRules, builtin package
    assert by_id["owasp-api"] == [f"API{n}:2023" for n in range(1, 11)]
    assert by_id["rfc9700"] == [f"4.{n}" for n in range(1, 18)]


def test_the_coverage_data_is_not_read_as_a_catalog():
    from tmodel.catalog.load import catalog_files, shipped_catalog_dir

    mod = _tool()
    assert mod.DATA not in catalog_files([shipped_catalog_dir()])
