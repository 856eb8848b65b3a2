"""The analysis engine on a small catalog: scoring, residual risk, decisions, controls, compliance."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.rulecases import apply_patch, base_data
from tmodel.analysis import risk
from tmodel.analysis.engine import analyze
from tmodel.catalog.load import load_catalogs
from tmodel.model.load import load_model_text

import yaml

MINI = str(Path(__file__).parent / "fixtures" / "catalog-engine")
AS_OF = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def mini():
    cat = load_catalogs([MINI], shipped=False)
    assert not [p for p in cat.problems if p.is_error], [p.format() for p in cat.problems]
    return cat


def run(data, cat):
    lm = load_model_text(yaml.safe_dump(data, sort_keys=False), "m.yaml")
    assert lm.model is not None, [p.format() for p in lm.problems]
    return analyze(lm.model, cat, path="m.yaml", located=lm.located, as_of=AS_OF)


WEAK = {"flows[tpp-gw].tls.min_version": "1.1"}


def test_matrix_is_monotonic_and_symmetric_enough():
    order = {"low": 0, "medium": 1, "high": 2, "critical": 3}
    for lk in range(1, 6):
        for im in range(1, 6):
            lv = order[risk.level(lk, im).value]
            if lk < 5:
                assert order[risk.level(lk + 1, im).value] >= lv
            if im < 5:
                assert order[risk.level(lk, im + 1).value] >= lv


def test_threat_is_scored_with_fact_adjustments(mini):
    a = run(apply_patch(base_data(), WEAK), mini)
    (t,) = a.threats
    assert t.id == "R-TLS@tpp-gw"
    # rule 3x4; the TPP reaches the gateway over mutual TLS: an authenticated partner, likelihood -1;
    # bank secrecy and credentials are not the top data tier (payment, special PD): impact unchanged
    assert (t.likelihood, t.impact, t.score, t.level) == (2, 4, 8, "medium")
    assert t.position == "partner"
    assert t.adjustments == ["likelihood -1: reachable by an authenticated partner over a dedicated, mutual-TLS or allow-listed channel"]
    assert t.why == ["flow.public_endpoint = true (eq true)", "flow.tls.min_version = 1.1 (in [none, 1.0, 1.1])"]
    assert [(c.id, c.status) for c in t.controls] == [("C-TLS", "gap")]
    assert t.residual_level == "medium" and t.status == "open"


def test_anonymous_internet_raises_and_payment_data_raises_impact(mini):
    data = apply_patch(base_data(), {**WEAK, "flows[tpp-gw].tls.mutual": False, "flows[tpp-gw].authorization.ip_allowlist": False,
                                     "flows[tpp-gw].authentication": {"method": "none"}})
    for a in data["data_assets"]:
        a["classification"] = "payment"
    t = next(x for x in run(data, mini).threats if x.id == "R-TLS@tpp-gw")
    assert t.position == "internet_anonymous"
    assert (t.likelihood, t.impact) == (4, 5)
    assert t.adjustments == ["likelihood +1: reachable from the internet without authentication",
                             "impact +1: payment data or special/biometric personal data"]


def test_unstated_fact_is_an_unknown_not_a_threat(mini):
    data = base_data()
    del data["flows"][[f["id"] for f in data["flows"]].index("tpp-gw")]["tls"]["min_version"]
    data["flows"][[f["id"] for f in data["flows"]].index("tpp-gw")]["protocol"] = "http"
    a = run(data, mini)
    assert [t.id for t in a.threats] == []
    (u,) = [u for u in a.unknowns if u.targets == ["tpp-gw"]]
    assert u.fact == "flow.tls.min_version" and u.rules == ["R-TLS"]
    assert u.text == "Not stated: Lowest TLS version accepted on this channel (tls.min_version)"
    assert {c.id: c.status for c in a.controls}["C-TLS"] == "needs_answer"


def test_hardened_model_raises_nothing_and_control_is_met(mini):
    a = run(base_data(), mini)
    assert a.threats == []
    ctl = {c.id: c for c in a.controls}
    assert ctl["C-TLS"].status == "met" and ctl["C-TLS"].kind == "automatic"
    assert ctl["C-REG"].status == "needs_answer" and ctl["C-REG"].answer_required


def test_control_partial_when_some_targets_fail(mini):
    # two public endpoints: tpp-gw and partner-gw; only one weak
    a = run(apply_patch(base_data(), WEAK), mini)
    assert {c.id: c.status for c in a.controls}["C-TLS"] == "partial"
    assert {c.id: c.violations for c in a.controls}["C-TLS"] == ["tpp-gw"]


def test_accepted_decision_expired_and_expiring(mini):
    data = apply_patch(base_data(), WEAK)
    data["decisions"] = [{"threat": "R-TLS@tpp-gw", "status": "accepted", "owner": "CISO", "reason": "legacy TPPs",
                          "expires": "2026-10-01"}]
    a = run(data, mini)
    assert a.threats[0].status == "expired" and a.threats[0].unresolved
    assert [(i.kind, i.threat) for i in a.decision_issues] == [("expired", "R-TLS@tpp-gw")]
    data["decisions"][0]["expires"] = "2026-11-20"
    a = run(data, mini)
    assert a.threats[0].status == "accepted" and not a.threats[0].unresolved
    assert [i.kind for i in a.decision_issues] == ["expiring"]


def test_stale_decision_is_reported_not_dropped(mini):
    data = base_data()
    data["decisions"] = [{"threat": "R-TLS@tpp-gw", "status": "mitigated", "control": "C-TLS", "reason": "fixed"},
                         {"threat": "GONE-RULE@gw", "status": "false_positive", "reason": "n/a"}]
    a = run(data, mini)
    stale = {i.threat: i for i in a.decision_issues if i.kind == "stale"}
    assert set(stale) == {"R-TLS@tpp-gw", "GONE-RULE@gw"}
    assert "no longer fires" in stale["R-TLS@tpp-gw"].message and "not in the loaded catalogs" in stale["GONE-RULE@gw"].message
    assert stale["GONE-RULE@gw"].line > 0


def test_mitigated_decision_lowers_residual_and_false_positive_clears_the_check(mini):
    data = apply_patch(base_data(), WEAK)
    # 'mitigated by' a control that the model shows as a gap does not lower the residual
    data["decisions"] = [{"threat": "R-TLS@tpp-gw", "status": "mitigated", "control": "C-TLS", "reason": "WAF enforces TLS 1.2"}]
    t = run(data, mini).threats[0]
    assert t.status == "mitigated" and t.residual_likelihood == t.likelihood
    assert any("C-TLS" in n and "residual not lowered" in n for n in t.adjustments)
    # a decision that names no control is a claim, not a verified control: it lowers the likelihood by 1 only
    data["decisions"] = [{"threat": "R-TLS@tpp-gw", "status": "mitigated", "reason": "WAF enforces TLS 1.2 (change CR-17)"}]
    t = run(data, mini).threats[0]
    assert t.status == "mitigated" and t.residual_likelihood == max(1, t.likelihood - 1)
    assert any("names no control" in n and "lowered by 1 only" in n for n in t.adjustments)
    # so does one naming a control the analysis does not know
    data["decisions"] = [{"threat": "R-TLS@tpp-gw", "status": "mitigated", "control": "WAF-TLS-POLICY", "reason": "WAF"}]
    t = run(data, mini).threats[0]
    assert t.residual_likelihood == max(1, t.likelihood - 1)
    assert any("WAF-TLS-POLICY" in n and "cannot check" in n for n in t.adjustments)
    data["decisions"] = [{"threat": "R-TLS@tpp-gw", "status": "false_positive", "reason": "TLS terminates at 1.2 proxy"}]
    a = run(data, mini)
    assert {c.id: c.status for c in a.controls}["C-TLS"] == "met"


def test_compliance_aggregation_and_coverage(mini):
    data = base_data()
    data["answers"] = [{"question": "C-REG", "status": "yes", "evidence": "Regulation v3, 2026-05"}]
    a = run(data, mini)
    (fw,) = a.frameworks
    assert fw.id == "wso2-baseline" and fw.requirements[0].status == "met" and fw.coverage == 100.0
    assert "Regulation v3" in fw.requirements[0].evidence
    a = run(apply_patch(data, WEAK), mini)
    assert a.frameworks[0].requirements[0].status == "partial" and a.frameworks[0].coverage == 50.0
    data["answers"][0]["status"] = "no"
    a = run(apply_patch(data, {**WEAK, "flows[partner-gw].tls.min_version": "1.0"}), mini)
    assert a.frameworks[0].requirements[0].status == "gap" and a.frameworks[0].coverage == 0.0


def test_metadata_catalogs_limits_shipped_catalogs(mini):
    data = apply_patch(base_data(), WEAK)
    data["metadata"]["catalogs"] = ["something-else"]
    a = run(data, mini)  # mini is loaded as a non-shipped (user) catalog: it always applies
    assert len(a.threats) == 1
    mini.shipped.add("mini")
    try:
        assert run(data, mini).threats == []
    finally:
        mini.shipped.discard("mini")


def test_analysis_is_deterministic(mini):
    data = apply_patch(base_data(), {**WEAK, "flows[partner-gw].tls.forward_secrecy": False})
    assert run(data, mini).to_dict() == run(data, mini).to_dict()
