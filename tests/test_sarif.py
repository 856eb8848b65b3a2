"""SARIF 2.1.0 export: valid against the OASIS schema, located at the target's id line, deterministic."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from tests.conftest import AS_OF
from tests.minicase import MINI_CATALOG, base, dump, load_and_analyze, mini_catalog
from tests.rulecases import apply_patch

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "shared" / "reference" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def schema():
    if not SCHEMA_PATH.exists():
        pytest.skip(f"SARIF schema not found at {SCHEMA_PATH}")
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def mini():
    return mini_catalog()


def line_of(text: str, needle: str) -> tuple[int, int]:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in the model")


def sample() -> dict:
    """Open high threat (no auth), a medium one, a model-wide one (no log collector), an accepted and a mitigated one,
    and a required audit question left unanswered."""
    data = apply_patch(base(), {
        "flows[partner-gw].authentication": {"method": "none"},
        "flows[partner-gw].rate_limit": False,
        "elements[db].encrypted_at_rest": False,
        "elements-": ["siem"],
        "flows-": ["gw-siem"],
        "decisions+": [
            {"threat": "MINI-TLS-WEAK@gw-backend", "status": "accepted", "owner": "CISO",
             "reason": "Backend | TLS upgrade *scheduled*", "expires": "2027-06-30"},
            {"threat": "MINI-STORE-UNENCRYPTED@db", "status": "mitigated", "control": "MINI-C-TLS", "reason": "TDE on"},
        ],
    })
    data.pop("answers")
    return data


def sarif_of(data: dict, cat, name: str = "models/loans.yaml") -> tuple[str, dict, str]:
    from tmodel.export.sarif import sarif_json

    text = dump(data)
    lm, a = load_and_analyze(text, cat, name)
    out = sarif_json([(lm, a)], cat)
    return out, json.loads(out), text


def test_valid_against_the_sarif_schema(mini, schema):
    _, doc, _ = sarif_of(sample(), mini)
    jsonschema.validate(doc, schema)
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1


def test_driver_and_rules(mini):
    from tmodel import __version__

    _, doc, _ = sarif_of(sample(), mini)
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "tmodel" and driver["version"] == __version__
    rules = {r["id"]: r for r in driver["rules"]}
    assert list(rules) == ["MINI-NO-AUTH", "MINI-NO-LOG-COLLECTOR", "MINI-NO-RATE-LIMIT", "MINI-STORE-UNENCRYPTED",
                           "MINI-TLS-WEAK", "TMODEL-UNANSWERED-QUESTION"]
    auth = rules["MINI-NO-AUTH"]
    assert auth["name"] == "UnauthenticatedCallerFromOutside"
    assert auth["shortDescription"]["text"] == "Unauthenticated caller from outside"
    assert auth["fullDescription"]["text"] == "Anyone who reaches the endpoint can call the API."
    assert auth["help"]["text"].startswith("Require an OAuth 2.0 access token")
    assert auth["properties"]["security-severity"] == "8.0"  # likelihood 4 x impact 4 = high
    assert {"stride-spoofing", "stride-elevation of privilege", "external/cwe/cwe-306"} <= set(auth["properties"]["tags"])
    assert rules["MINI-NO-LOG-COLLECTOR"]["properties"]["security-severity"] == "3.0"


def test_results_levels_locations_and_fingerprints(mini):
    _, doc, text = sarif_of(sample(), mini)
    run = doc["runs"][0]
    results = {r["properties"].get("threatId", r["ruleId"]): r for r in run["results"]}
    rules = run["tool"]["driver"]["rules"]
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]

    auth = results["MINI-NO-AUTH@partner-gw"]
    assert auth["level"] == "error"  # residual high
    loc = auth["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "models/loans.yaml", "uriBaseId": "%SRCROOT%"}
    line, col = line_of(text, "id: partner-gw")
    assert loc["region"] == {"startLine": line, "startColumn": col + len("id: ")}
    assert auth["partialFingerprints"] == {"tmodelThreatId/v1": "loans/MINI-NO-AUTH@partner-gw"}
    assert "suppressions" not in auth
    assert "flow 'partner-gw' (Loan application)" in auth["message"]["text"]
    assert "flow.authentication.method = none" in auth["message"]["text"]

    rate = results["MINI-NO-RATE-LIMIT@partner-gw"]
    assert rate["level"] == "warning"  # residual medium

    logs = results["MINI-NO-LOG-COLLECTOR@model"]
    assert logs["level"] == "note"  # residual low
    assert logs["locations"][0]["physicalLocation"]["region"]["startLine"] == line_of(text, "metadata:")[0]

    store = results["MINI-STORE-UNENCRYPTED@db"]
    assert store["locations"][0]["physicalLocation"]["region"]["startLine"] == line_of(text, "id: db")[0]
    assert store["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "mitigated: TDE on"}]


def test_decided_threats_are_suppressed_with_the_reason(mini):
    _, doc, _ = sarif_of(sample(), mini)
    results = {r["properties"].get("threatId"): r for r in doc["runs"][0]["results"]}
    accepted = results["MINI-TLS-WEAK@gw-backend"]
    assert accepted["suppressions"] == [{
        "kind": "external", "status": "accepted",
        "justification": "accepted by CISO: Backend | TLS upgrade *scheduled* (expires 2027-06-30)"}]
    assert accepted["properties"]["status"] == "accepted"


def test_expired_acceptance_is_a_live_result(mini):
    data = sample()
    data["decisions"][0]["expires"] = "2026-01-31"
    _, doc, _ = sarif_of(data, mini)
    expired = next(r for r in doc["runs"][0]["results"] if r["properties"].get("threatId") == "MINI-TLS-WEAK@gw-backend")
    assert expired["properties"]["status"] == "expired"
    assert "suppressions" not in expired


def test_stale_decisions_and_unanswered_questions(mini):
    data = apply_patch(sample(), {"decisions+": {"threat": "MINI-TLS-WEAK@partner-gw", "status": "false_positive",
                                                 "reason": "TLS 1.2 enforced on the partner listener"}})
    _, doc, text = sarif_of(data, mini)
    results = doc["runs"][0]["results"]
    stale = [r for r in results if r["ruleId"] == "TMODEL-STALE-DECISION"]
    assert [s["properties"]["threatId"] for s in stale] == ["MINI-TLS-WEAK@partner-gw"]
    assert stale[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == line_of(text, "threat: MINI-TLS-WEAK@partner-gw")[0]
    (q,) = [r for r in results if r["ruleId"] == "TMODEL-UNANSWERED-QUESTION"]
    assert q["properties"]["control"] == "MINI-Q-PENTEST" and q["level"] == "error"


def test_clean_model_has_no_own_rules(mini, schema):
    _, doc, _ = sarif_of(base(), mini)
    jsonschema.validate(doc, schema)
    ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    assert ids == ["MINI-TLS-WEAK"]  # the unstated rate limit is an unknown, not a result
    assert doc["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def test_deterministic_and_absolute_paths(mini, tmp_path):
    a, _, _ = sarif_of(sample(), mini)
    b, _, _ = sarif_of(sample(), mini)
    assert a == b
    _, doc, _ = sarif_of(sample(), mini, name=str(tmp_path / "my models" / "loans.yaml"))
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": (tmp_path / "my models" / "loans.yaml").as_uri()}
    assert "%20" in uri["uri"]


def test_analyze_format_sarif(tmp_path, monkeypatch, schema):
    from tmodel.cli import main

    (tmp_path / "loans.yaml").write_text(dump(sample()), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["analyze", "loans.yaml", "--format", "sarif", "--as-of", AS_OF.isoformat()],
                           env={"TMODEL_CATALOGS": str(MINI_CATALOG)})
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, schema)
    assert {x["ruleId"] for x in doc["runs"][0]["results"]} >= {"MINI-NO-AUTH", "MINI-TLS-WEAK"}


def test_check_many_models_sarif(tmp_path, monkeypatch, schema):
    from tmodel.cli import main

    for name in ("a", "b"):
        data = apply_patch(sample(), {"metadata.id": f"loans-{name}"})
        (tmp_path / "models").mkdir(exist_ok=True)
        (tmp_path / "models" / f"{name}.yaml").write_text(dump(data), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["check", "models", "--format", "sarif", "--as-of", AS_OF.isoformat()],
                           env={"TMODEL_CATALOGS": str(MINI_CATALOG)})
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, schema)
    fps = [x["partialFingerprints"]["tmodelThreatId/v1"] for x in doc["runs"][0]["results"]]
    assert len(fps) == len(set(fps))
    assert {x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in doc["runs"][0]["results"]} == {
        "models/a.yaml", "models/b.yaml"}


def test_shipped_catalogs_sarif_is_valid(schema):
    """The hardened base model with the real catalogs produces schema-valid SARIF."""
    from tmodel.catalog.load import load_catalogs
    from tmodel.export.sarif import sarif_json

    cat = load_catalogs()
    errors = [p.format() for p in cat.problems if p.is_error]
    if errors or not cat.rules:
        pytest.skip("shipped catalogs do not load cleanly yet: " + "; ".join(errors[:3]))
    base_yaml = Path(__file__).parent / "fixtures" / "base.yaml"
    weak = apply_patch(__import__("yaml").safe_load(base_yaml.read_text(encoding="utf-8")),
                       {"flows[tpp-gw].tls.min_version": "1.1", "flows[tpp-gw].rate_limit": False})
    lm, a = load_and_analyze(dump(weak), cat, "models/base.yaml")
    doc = json.loads(sarif_json([(lm, a)], cat))
    jsonschema.validate(doc, schema)
    assert doc["runs"][0]["results"], "the weakened base raises threats"


def test_export_command_writes_sarif_like_analyze(tmp_path, schema, monkeypatch):
    """SARIF is an export format like the others: `tmodel export --format sarif` writes what
    `tmodel analyze --format sarif` prints for the model named as the export names it (relative:
    an export never names the machine's folders), valid against the schema."""
    from tmodel.cli import main

    monkeypatch.chdir(tmp_path)

    model = tmp_path / "m.yaml"
    model.write_text(dump(sample()), encoding="utf-8")
    env = {"TMODEL_CATALOGS": str(MINI_CATALOG)}
    r = CliRunner(env=env).invoke(main, ["export", str(model), "--to", str(tmp_path / "out"), "--format", "sarif",
                                         "--as-of", AS_OF.isoformat()], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    (written,) = (tmp_path / "out").iterdir()
    assert written.name.endswith("-threats.sarif")
    doc = json.loads(written.read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    r = CliRunner(env=env).invoke(main, ["analyze", model.name, "--format", "sarif", "--as-of", AS_OF.isoformat()],
                                  catch_exceptions=False)
    assert json.loads(r.stdout) == doc
