"""The bundled example models: valid, every seeded flaw found, the hardened model clean, golden JSON.

Golden files: tests/golden/examples/<model-id>.json (analysis as of a fixed date). Regenerate with
TMODEL_UPDATE_GOLDEN=1 and review the diff: it is the catalogs' behaviour on realistic models.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import AS_OF
from tmodel.analysis.engine import analyze
from tmodel.export.json_export import analysis_json
from tmodel.model.load import load_model

ROOT = Path(__file__).resolve().parent.parent
MODELS = sorted((ROOT / "models").glob("*.yaml"))
GOLDEN = Path(__file__).parent / "golden" / "examples"
UPDATE = os.environ.get("TMODEL_UPDATE_GOLDEN") == "1"

# the flaws written into the example models on purpose (see the comments in each file)
SEEDED = {
    "ciba-payment-confirmation": {
        "PAOK-GUESSABLE-HINT@fintech-bc-auth", "PAOK-NO-BINDING-MESSAGE@fintech-bc-auth",
        "PAOK-PUSH-MODE@fintech-bc-auth", "OWASP-API6-BUSINESS-FLOW@fintech-bc-auth",
        "PAOK-AUTH-REQ-ID-WEAK@fintech-bc-auth",
        "WSO2-NO-IDEMPOTENCY@fintech-payment", "WSO2-CALLBACK-UNSIGNED@payment-status",
    },
    "loan-marketplace": {
        "STRIDE-PATH-TRAVERSAL@submit-application",
        "WSO2-NO-IP-ALLOWLIST@submit-application", "WSO2-NO-IP-ALLOWLIST@get-decision",
        "WSO2-DIRECT-CLIENT-ID@submit-application", "WSO2-INCREMENTAL-ID@get-decision",
        "OWASP-API1-BOLA@get-decision", "OWASP-API3-PROPERTY@get-decision",
        "WSO2-FILE-UNENCRYPTED@get-decision", "WSO2-FILE-NO-SANDBOX@get-decision",
        "WSO2-AUTH-NOT-OAUTH@widget-status", "OWASP-API4-NO-RATE-LIMIT@widget-status", "WSO2-NO-CSRF@widget-status",
        "WSO2-NO-SCHEMA@widget-status", "WSO2-NO-INJECTION@widget-status", "WSO2-INCREMENTAL-ID@widget-status",
        "WSO2-TLS-NONE@bureau-batch", "WSO2-SOURCE-UNAUTH@bureau-batch",
        "WSO2-LOG-NOT-CENTRAL@loan-origination", "WSO2-EXCESS-PRIVILEGE@scoring",
        "WSO2-PD-NOT-MINIMIZED@get-decision", "OWASP-API9-INVENTORY@widget-status",
        "WSO2-API-KEY-IN-QUERY@widget-status", "OWASP-API3-MASS-ASSIGNMENT@submit-application",
    },
    "card-issuing-partner": {
        "WSO2-INTERNAL-UNSIGNED@gw-card-svc",
        "PDN-CROSS-BORDER-UNNOTIFIED@issue-card", "WSO2-TLS-WEAK@events-to-lb", "WSO2-MTLS-NOVERIFY@events-to-lb",
        "FAPI-CLIENT-AUTH-WEAK@events-to-lb", "FAPI-MTLS-TERMINATION@lb-gw", "WSO2-TOKEN-STORAGE@key-manager",
        "WSO2-NO-SCOPES@issue-card", "WSO2-NO-MESSAGE-SIGNING@events-to-lb", "WSO2-NO-REPLAY@events-to-lb",
        "OWASP-API10-UNSAFE-CONSUMPTION@issue-card", "FAPI-LONG-TOKEN@key-manager",
        "FAPI-WEAK-JWS-ALG@key-manager",
    },
    "byod-admin-portal": {
        "WSO2-BYOD-NO-SOD@publisher", "WSO2-BYOD-DIRECT-INTERNAL@byod-carbon", "WSO2-ADMIN-NO-MFA@publisher",
        "OWASP-API8-DEFAULT-CREDENTIALS@publisher", "WSO2-LOG-NOT-CENTRAL@publisher", "WSO2-EXCESS-PRIVILEGE@publisher",
        "WSO2-NO-VULN-MGMT@publisher", "WSO2-NO-INTEGRITY@publisher", "OWASP-API4-NO-RATE-LIMIT@byod-portal",
        "OWASP-API5-FUNCTION@byod-carbon", "WSO2-TLS-WEAK@byod-carbon", "STRIDE-STORE-NOT-ENCRYPTED@config-repo",
        "STRIDE-MGMT-PLANE-EXPOSED@publisher",
    },
    "ob-account-information": set(),
}


@pytest.fixture(scope="module")
def analyses(catalog):
    out = {}
    for path in MODELS:
        lm = load_model(str(path))
        assert lm.ok, [p.format() for p in lm.errors]
        out[lm.model.metadata.id] = (lm, analyze(lm.model, catalog, path=f"models/{path.name}", located=lm.located, as_of=AS_OF))
    return out


def test_there_are_five_examples_with_the_expected_ids(analyses):
    assert set(analyses) == set(SEEDED)


@pytest.mark.parametrize("model_id", sorted(SEEDED))
def test_every_seeded_flaw_is_found(analyses, model_id):
    """Each seeded flaw is a finding at its own element or flow (as the finding or one of its members)."""
    found = {m.id for t in analyses[model_id][1].threats for m in t.members}
    missing = SEEDED[model_id] - found
    assert not missing, f"{model_id}: seeded flaws not found: {sorted(missing)}"


@pytest.mark.parametrize("model_id", sorted(SEEDED))
def test_at_most_half_of_the_open_findings_are_high_or_critical(analyses, model_id):
    """When everything is high, nothing is: the risk method keeps high and critical for what matters."""
    open_ = [t for t in analyses[model_id][1].threats if t.unresolved]
    high = [t.id for t in open_ if t.residual_level in ("high", "critical")]
    assert len(high) * 2 <= len(open_), f"{model_id}: {len(high)} of {len(open_)} open findings are high or critical: {high}"


@pytest.mark.parametrize("model_id", sorted(SEEDED))
def test_unknowns_are_questions_not_threats(analyses, model_id):
    """A rule that holds only because a fact is unstated gives an unknown, never a finding on the same item."""
    a = analyses[model_id][1]
    members = {m.id for t in a.threats for m in t.members}
    for u in a.unknowns:
        assert u.text.startswith("Not stated: ")
        for rule in u.rules:
            assert not {f"{rule}@{t}" for t in u.targets} & members, (u.id, rule)


def test_hardened_model_raises_no_unresolved_high_risk(analyses):
    _, a = analyses["ob-account-information"]
    assert a.open_at_or_above("high") == []
    assert not [i for i in a.decision_issues if i.kind in ("stale", "expired")]
    assert not [c.id for c in a.controls if c.answer_required and c.status == "needs_answer"]


def test_examples_cover_every_technical_seed_requirement(analyses, catalog):
    """Together the examples touch every technical seed id: some control checking it is relevant somewhere."""
    touched = set()
    for _, a in analyses.values():
        for c in a.controls:
            if c.kind == "automatic" and c.status != "not_applicable":
                touched |= {q for q in c.satisfies if q.startswith("SEED-")}
    technical = {q for q, r in catalog.requirements.items() if q.startswith("SEED-") and any(
        catalog.controls[c].check for c in catalog.controls if q in catalog.controls[c].satisfies)}
    assert technical - touched == set()


@pytest.mark.parametrize("model_id", sorted(SEEDED))
def test_golden_analysis_json(analyses, model_id):
    text = analysis_json(analyses[model_id][1])
    golden = GOLDEN / f"{model_id}.json"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run with TMODEL_UPDATE_GOLDEN=1 and review it"
    assert text == golden.read_text(encoding="utf-8"), f"{model_id}: analysis changed; review and regenerate the golden file"


def test_no_rule_fires_on_everything(analyses, catalog):
    """Across the examples, a rule with several targets never fires on all of them (no blanket rules)."""
    from tmodel.analysis.matching import targets
    from tmodel.graph import compute_facts

    seen: dict[str, int] = {}
    hits: dict[str, int] = {}
    for lm, _ in analyses.values():
        facts = compute_facts(lm.model)
        for rid, rule in catalog.rules.items():
            for _tid, _kind, ctx in targets(rule, facts):
                seen[rid] = seen.get(rid, 0) + 1
                if (rule.scope is None or rule.scope(ctx)) and rule.when(ctx):
                    hits[rid] = hits.get(rid, 0) + 1
    blanket = sorted(r for r, n in seen.items() if n >= 3 and hits.get(r, 0) == n)
    assert not blanket, f"rules that fire on every target they apply to: {blanket}"


# decisions the examples keep stale on purpose (the comment on each says why)
STALE_ON_PURPOSE = {"loan-marketplace": ["WSO2-FILE-NO-SANDBOX@submit-application"]}


@pytest.mark.parametrize("model_id", sorted(SEEDED))
def test_every_decision_of_the_examples_resolves(analyses, model_id):
    _, a = analyses[model_id]
    assert [i.threat for i in a.decision_issues if i.kind == "stale"] == STALE_ON_PURPOSE.get(model_id, [])


def test_decisions_made_per_flow_before_grouping_keep_resolving(analyses, catalog):
    """A model triaged before findings were grouped names each flow (RULE@flow). Every such decision
    still resolves: the member it names becomes a finding of its own, with that decision."""
    import yaml

    from tmodel.model.load import load_model_text

    lm, a = analyses["loan-marketplace"]
    grouped = [t for t in a.threats if len(t.members) > 1]
    assert grouped, "the example has a grouped finding"
    data = yaml.safe_load(Path(lm.path).read_text(encoding="utf-8"))
    ids = [m.id for t in grouped for m in t.members]
    data["decisions"] = [d for d in data.get("decisions", []) if d["threat"] not in ids] + [
        {"threat": mid, "status": "false_positive", "reason": "decided per flow before grouping"} for mid in ids]
    lm2 = load_model_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), lm.path)
    assert lm2.ok, [p.format() for p in lm2.errors]
    a2 = analyze(lm2.model, catalog, path=lm.path, as_of=AS_OF)
    assert [i.threat for i in a2.decision_issues if i.kind == "stale"] == STALE_ON_PURPOSE["loan-marketplace"]
    by_id = {t.id: t for t in a2.threats}
    for mid in ids:
        assert by_id[mid].status == "false_positive", mid
