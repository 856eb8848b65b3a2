"""docs/risk-method.md says what the code does: its tables are read and compared with
tmodel/analysis/risk.py, and its worked examples with a real analysis of the example models."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tmodel.analysis import risk
from tmodel.analysis.engine import analyze
from tmodel.catalog.load import load_catalogs
from tmodel.graph import POSITIONS
from tmodel.model.enums import Classification, PdCategory
from tmodel.model.load import load_model, load_model_text

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "risk-method.md").read_text(encoding="utf-8")
ADJ = re.compile(r"^([+-]\d+)$")


def table(name: str) -> list[list[str]]:
    """The body rows (cells stripped) of the table after ``<!-- table: name ... -->``."""
    start = DOC.index(f"<!-- table: {name} ")
    lines = DOC[start:].splitlines()[1:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    assert len(rows) > 2, f"table {name} not found"
    return rows[2:]  # header and separator


def number(cell: str) -> int:
    m = re.search(r"([+-]\d+)\s*$", cell)
    assert m, f"no adjustment in {cell!r}"
    return int(m.group(1))


@pytest.fixture(scope="module")
def cat():
    return load_catalogs()


@pytest.fixture(scope="module")
def analyses(cat):
    out = {}
    for name in ("loan-marketplace", "card-issuing-partner"):
        lm = load_model(str(ROOT / "models" / f"{name}.yaml"))
        assert lm.ok
        out[name] = analyze(lm.model, cat, path=lm.path)
    return out


def test_anchors_other_documents_link_to_exist():
    # docs/catalog-format.md links risk-method.md#control-status
    assert "\n## Control status\n" in DOC


def test_position_table_is_the_code():
    rows = table("position-adjustment")
    doc = {row[0].strip("`"): number(row[2]) for row in rows}
    assert doc == risk.POSITION_ADJUSTMENT
    assert [row[0].strip("`") for row in rows] == list(reversed(POSITIONS)), "rows from the most to the least exposed"


# how the impact table names each value (each term must appear in exactly one row)
CLASS_TERMS = {"payment": "classification: payment", "bank_secrecy": "bank secrecy", "confidential": "confidential",
               "credentials": "credentials", "internal": "`internal`", "public": "`public`"}
PD_TERMS = {"special": "special", "biometric": "biometric", "general": "general", "public": "publicly available"}


def test_impact_table_is_the_code():
    rows = table("impact-adjustment")
    assert set(CLASS_TERMS) == {c.value for c in Classification}
    assert set(PD_TERMS) == {p.value for p in PdCategory} - {"none"}

    def row_of(term: str) -> int:
        hits = [number(r[1]) for r in rows if term in r[0]]
        assert len(hits) == 1, f"{term!r} must appear in exactly one row of the impact table"
        return hits[0]

    for value, term in CLASS_TERMS.items():
        assert row_of(term) == risk.data_adjustment([value], [])[0], value
    for value, term in PD_TERMS.items():
        assert row_of(term) == risk.data_adjustment([], [value])[0], value
    assert row_of("no data stated") == risk.data_adjustment([], [])[0]
    # the first matching row applies: payment with internal data is still +1
    assert risk.data_adjustment(["payment", "internal"], [])[0] == number(rows[0][1])


def test_matrix_is_the_code():
    rows = table("matrix")
    assert [r[0] for r in rows] == ["5", "4", "3", "2", "1"]
    for r in rows:
        lk = int(r[0])
        assert r[1:] == [lv.value for lv in risk.MATRIX[lk - 1]], f"likelihood {lk}"
    names = DOC[DOC.index("| value | likelihood | impact |"):].splitlines()[2:7]
    for line in names:
        v, lk, im = [c.strip() for c in line.strip("|").split("|")]
        assert (risk.LIKELIHOOD_NAMES[int(v)], risk.IMPACT_NAMES[int(v)]) == (lk, im)


def test_residual_table_is_the_code():
    rows = table("residual")
    steps = [0 if r[1] == "likelihood" else int(r[1].split()[-1]) for r in rows]
    assert steps == [-2, -2, -2, -1, 0]
    assert risk.residual_likelihood(4, met=True, partial=False) == 4 - 2
    assert risk.residual_likelihood(4, met=True, partial=True) == 4 - 2
    assert risk.residual_likelihood(4, met=False, partial=True) == 4 - 1
    assert risk.residual_likelihood(4, met=False, partial=False) == 4
    assert risk.residual_likelihood(2, met=True, partial=False) == 1, "never below 1"


def test_hop_in_front_controls_are_the_catalogs(cat):
    section = DOC[DOC.index("**The hop in front.**"):DOC.index("**A decision is not evidence.**")]
    named = set(re.findall(r"`([A-Z0-9][A-Z0-9-]+)`", section))
    covering = {cid for cid, c in cat.controls.items() if c.check is not None and c.check.covers_hops_behind}
    assert named == covering


def _finding(a, fid):
    (t,) = [t for t in a.threats if t.id == fid]
    return t


@pytest.mark.parametrize("model,fid", [
    ("loan-marketplace", "FAPI-NOT-SENDER-CONSTRAINED@marketplace->api-gw"),
    ("loan-marketplace", "GOST-SEGMENT-BYPASS@bureau-batch"),
    ("card-issuing-partner", "FAPI-CLIENT-AUTH-WEAK@events-to-lb"),
])
def test_worked_examples_match_the_analysis(analyses, cat, model, fid):
    t = _finding(analyses[model], fid)
    rule = cat.rules[t.rule].rule
    start = DOC.index(f"`{fid}`")
    example = DOC[start:DOC.index("**Example", start + 1)]
    assert f"| base (rule) | L {rule.likelihood}, I {rule.impact} | catalog `{t.catalog}` |" in example
    adj = risk.POSITION_ADJUSTMENT[t.position]
    sign = "-" if adj < 0 else "+"
    assert f"`{t.position}`: L {rule.likelihood} {sign} {abs(adj)} = **{t.likelihood}**" in example
    d = t.impact - rule.impact
    assert (f"+0: I **{t.impact}**" if d == 0 else f"{d:+d}: I {rule.impact} {'+' if d > 0 else '-'} {abs(d)} = **{t.impact}**") \
        in example
    assert f"{t.likelihood} x {t.impact} = **{t.score}, {t.level}**" in example
    assert f"L **{t.residual_likelihood}**, **{t.residual_level}**" in example
    for c in t.controls:
        assert f"`{c.id}`" in example and c.status == "gap"
    if len(t.members) > 1:
        assert f"one finding with {['', 'one', 'two', 'three'][len(t.members)]} members" in example
        for m in t.members:
            assert f"`{m.id}`" in example


def test_hop_in_front_what_if(cat):
    lm = load_model(str(ROOT / "models" / "loan-marketplace.yaml"))
    (flow,) = [f for f in lm.model.flows if f.id == "origination-db"]
    flow.injection_protection = False
    t = _finding(analyze(lm.model, cat, path=lm.path), "WSO2-NO-INJECTION@origination-db")
    example = DOC[DOC.index("**Example 4"):DOC.index("## Grouped findings")]
    assert t.position in example and f"score {t.score}, **{t.level}**" in example
    assert "WSO2-CTL-INJECTION is met on the hop in front (gw-origination)" in t.adjustments
    assert f"residual likelihood {t.likelihood} - 2 = **{t.residual_likelihood}**" in example
    assert f"residual {t.residual_likelihood} x {t.impact} = {t.residual_score}, **{t.residual_level}**" in example


def test_not_applicable_reasons_are_quoted_from_the_catalogs(cat):
    section = DOC[DOC.index("## Framework applicability"):DOC.index("## Threat status")]
    for cid in ("fapi-sec", "fapi-paok", "pdn-152fz"):
        reason = cat.infos[cid].not_applicable_reason
        quoted = re.search(rf"\| `{cid}`.*\| \"(.+?) \.\.\.\" \|", section)
        assert quoted and reason.startswith(quoted.group(1)), cid


# The engine resolves a decision that names a group (RULE@source->destination); the model's
# decision naming it is valid in the model format and applies to every member.
def test_a_decision_may_name_a_group(cat):
    text = (ROOT / "models" / "loan-marketplace.yaml").read_text(encoding="utf-8").replace(
        "decisions:\n",
        "decisions:\n  - threat: FAPI-NOT-SENDER-CONSTRAINED@marketplace->api-gw\n    status: accepted\n"
        "    owner: Head of retail lending IT\n    reason: Certificate-bound tokens come with the upgrade.\n"
        "    expires: 2099-03-01\n", 1)
    lm = load_model_text(text, str(ROOT / "models" / "loan-marketplace.yaml"))
    assert lm.ok, [p.format() for p in lm.errors]
    t = _finding(analyze(lm.model, cat, path=lm.path), "FAPI-NOT-SENDER-CONSTRAINED@marketplace->api-gw")
    assert t.status == "accepted" and len(t.members) == 2
