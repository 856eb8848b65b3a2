"""Traceability of the seed document: every id of seed/bullets.md (S1..S20c) reaches the catalogs.

- every id has its SEED-<id> requirement in the wso2-baseline catalog;
- every id is cited by at least one control's ``seed`` list (any loaded catalog);
- every technical id (kind contains 'technical', and the 'standard' items S1/S2) maps to a control
  with an automatic check naming at least one rule that has a test case in tests/rule_cases, i.e. a
  rule shown to fire on a model that violates the measure;
- every organizational id maps to a control with an audit question and the evidence expected;
- no catalog cites a seed id that the seed does not have.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.rulecases import load_cases

BULLETS = Path(__file__).resolve().parents[2] / "shared" / "seed" / "bullets.md"
_ID = re.compile(r"^S\d+[a-z]?$")


def seed_table() -> dict[str, str]:
    """Seed id -> kind, from the Markdown table of bullets.md."""
    if not BULLETS.is_file():
        pytest.skip(f"seed checklist not found at {BULLETS}")
    rows: dict[str, str] = {}
    for line in BULLETS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 3 and _ID.match(cells[0]):
            rows[cells[0]] = cells[2]
    return rows


@pytest.fixture(scope="module")
def seed() -> dict[str, str]:
    return seed_table()


def _controls_citing(catalog, sid: str) -> list:
    return [c for c in catalog.controls.values() if sid in c.seed]


def _tested_rules(catalog) -> set[str]:
    return {c["rule"] for c in load_cases()} & set(catalog.rules)


def test_seed_table_parses(seed):
    assert len(seed) >= 32, f"expected the 32 seed ids, parsed {sorted(seed)}"
    for sid in ("S1", "S2", "S3a", "S9b", "S11e", "S20c"):
        assert sid in seed
    assert all(kind for kind in seed.values())


def test_every_seed_id_has_its_requirement(seed, catalog):
    missing = []
    for sid in seed:
        req = catalog.requirements.get(f"SEED-{sid}")
        if req is None:
            missing.append(f"SEED-{sid}")
            continue
        assert catalog.catalog_of[req.id] == "wso2-baseline", req.id
        assert req.clause == sid and req.seed == [sid], f"{req.id}: clause {req.clause!r}, seed {req.seed}"
        assert req.confidence.value == "high", req.id
    assert not missing, f"seed ids without a SEED-<id> requirement: {missing}"


def test_every_seed_id_cited_by_a_control(seed, catalog):
    missing = [sid for sid in seed if not _controls_citing(catalog, sid)]
    assert not missing, f"seed ids no control cites in its 'seed' list: {missing}"


def test_technical_seed_ids_have_a_tested_check(seed, catalog):
    tested = _tested_rules(catalog)
    missing = []
    for sid, kind in seed.items():
        if "technical" not in kind and "standard" not in kind:
            continue
        checked = {r for c in _controls_citing(catalog, sid) if c.check for r in c.check.rules}
        if not checked & tested:
            missing.append(f"{sid} ({kind}): checks {sorted(checked) or 'none'}, none with a rule case")
    assert not missing, "technical seed ids without a rule proven to fire:\n" + "\n".join(missing)


def test_organizational_seed_ids_have_questions(seed, catalog):
    missing = []
    for sid, kind in seed.items():
        if "organizational" not in kind:
            continue
        asked = [c for c in _controls_citing(catalog, sid) if c.question and c.question.evidence.strip()]
        if not asked:
            missing.append(f"{sid} ({kind})")
    assert not missing, f"organizational seed ids without an audit question and expected evidence: {missing}"


def test_no_unknown_seed_ids_cited(seed, catalog):
    bad = [f"control {c.id}: {s}" for c in catalog.controls.values() for s in c.seed if s not in seed]
    bad += [f"requirement {r.id}: {s}" for r in catalog.requirements.values() for s in r.seed if s not in seed]
    assert not bad, f"seed ids that bullets.md does not define: {bad}"


def test_baseline_controls_satisfy_what_they_cite(catalog):
    """In the baseline catalog a control's seed list and its SEED-* requirements say the same thing."""
    for c in catalog.controls.values():
        if catalog.catalog_of[c.id] != "wso2-baseline":
            continue
        assert c.seed, f"{c.id} cites no seed id"
        seeds = {q.removeprefix("SEED-") for q in c.satisfies if q.startswith("SEED-")}
        assert seeds == set(c.seed), f"{c.id}: seed {sorted(c.seed)} vs satisfies {sorted(c.satisfies)}"
