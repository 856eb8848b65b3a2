"""Links to the FSTEC threat database: every cited УБИ id exists in the official threat list, and
the names tmodel shows are the official ones. The list is read from ../shared (the project's
reference material, present wherever the tests run)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tmodel.catalog import bdu
from tmodel.catalog.load import _load, load_catalogs

THRLIST = Path(__file__).resolve().parents[2] / "shared" / "reference" / "fstec-bdu" / "thrlist.csv"


@pytest.fixture(scope="module")
def official() -> dict[str, dict[str, str]]:
    assert THRLIST.is_file(), f"the official FSTEC threat list is missing: {THRLIST}"
    with THRLIST.open(encoding="utf-8", newline="") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    assert len(rows) == 217 and "УБИ.001" in rows and "УБИ.217" in rows
    return rows


def _cited() -> dict[str, list[str]]:
    cat = load_catalogs()
    return {rid: list(cr.rule.references.bdu) for rid, cr in cat.rules.items() if cr.rule.references.bdu}


def test_every_cited_id_is_in_the_official_list(official):
    cited = _cited()
    missing = {rid: [i for i in ids if i not in official] for rid, ids in cited.items()}
    assert not {k: v for k, v in missing.items() if v}, "rules cite УБИ ids that are not in the FSTEC threat list"


def test_most_rules_cite_the_threat_database():
    """A floor, so that links are not dropped silently; rules about legal duties (notification of
    Roskomnadzor, protection levels) have no counterpart in the list and cite none."""
    cat = load_catalogs()
    assert len(_cited()) >= 60 and len(_cited()) <= len(cat.rules)
    for rid in ("PDN-CROSS-BORDER-UNNOTIFIED", "PDN-LEVEL-TOO-LOW", "PDN-UZ4-SPECIAL-PD"):
        assert not cat.rules[rid].rule.references.bdu


def test_ids_are_sorted_and_unique():
    for rid, ids in _cited().items():
        assert ids == sorted(set(ids)), rid


def test_names_are_the_official_ones(official):
    cited = {i for ids in _cited().values() for i in ids}
    assert set(bdu.NAMES) == cited, "NAMES must hold exactly the ids the shipped catalogs cite"
    for i, n in bdu.NAMES.items():
        assert n == official[i]["name"], i
    assert set(bdu.SOURCES) == cited
    for i, src in bdu.SOURCES.items():
        assert src == official[i]["source"], i


def test_well_known_links(official):
    """Spot checks of meaning: the rule and the threat describe the same thing."""
    cited = _cited()
    assert cited["STRIDE-LOG-TAMPERING"] == ["УБИ.124"]  # подделка записей журнала
    assert cited["OWASP-API8-DEFAULT-CREDENTIALS"] == ["УБИ.030"]  # учётные данные по умолчанию
    assert cited["WSO2-NO-VULN-MGMT"] == ["УБИ.192"]  # уязвимые версии ПО
    assert cited["WSO2-NO-CSRF"] == ["УБИ.042"]  # межсайтовая подделка запроса
    assert "журнал" in official["УБИ.124"]["name"]


def test_malformed_id_is_a_located_error(tmp_path):
    mini = Path(__file__).parent / "fixtures" / "catalog-engine" / "mini.yaml"
    text = mini.read_text(encoding="utf-8")
    old = "references: {requirements: [SEED-S9a], cwe: [326]}"
    assert old in text
    d = tmp_path / "cat"
    d.mkdir()
    (d / "c.yaml").write_text(text.replace(old, "references: {requirements: [SEED-S9a], cwe: [326], bdu: [UBI.8]}"), encoding="utf-8")
    _load.cache_clear()
    probs = [p.format() for p in load_catalogs([str(d)], shipped=False).problems]
    assert any("c.yaml:40:" in p and "bdu" in p for p in probs), probs


def test_threat_bdu_reads_the_rule_of_the_analysis():
    from tmodel.analysis.engine import analyze
    from tmodel.model.load import load_model

    cat = load_catalogs()
    root = Path(__file__).resolve().parents[1]
    lm = load_model(str(root / "models" / "byod-admin-portal.yaml"))
    a = analyze(lm.model, cat)
    linked = [t for t in a.threats if bdu.threat_bdu(t)]
    assert linked
    for t in linked:
        assert bdu.threat_bdu(t) == list(cat.rules[t.rule].rule.references.bdu)
