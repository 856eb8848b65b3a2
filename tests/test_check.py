"""tmodel check: the CI gate's exit codes (0 pass, 1 fail, 2 invalid) and its per-model reasons.

Runs the CLI in-process against the self-contained catalog in tests/fixtures/catalog-mini.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import AS_OF
from tests.rulecases import apply_patch
from tests.minicase import MINI_CATALOG, base, dump

DAY = AS_OF.isoformat()


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from tmodel.cli import main

    monkeypatch.chdir(tmp_path)

    def invoke(*args: str):
        return CliRunner().invoke(main, ["check", *args, "--as-of", DAY], env={"TMODEL_CATALOGS": str(MINI_CATALOG)},
                                  catch_exceptions=False)

    return invoke


def write(tmp_path: Path, name: str, data: dict | str) -> str:
    p = tmp_path / "models" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(data if isinstance(data, str) else dump(data), encoding="utf-8")
    return f"models/{name}"


def test_passing_model(tmp_path, run):
    path = write(tmp_path, "loans.yaml", base())
    r = run(path)
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        "PASS models/loans.yaml: 0 open >= high, 0 expired, 0 stale, 0 unanswered",
        f"total: 1 model(s): 1 passed, 0 failed, 0 invalid (fail on residual >= high, as of {DAY})",
    ]


def test_fail_on_level(tmp_path, run):
    path = write(tmp_path, "loans.yaml", base())
    r = run(path, "--fail-on", "medium")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0] == "FAIL models/loans.yaml: 1 open >= medium, 0 expired, 0 stale, 0 unanswered"
    assert any("MINI-TLS-WEAK@gw-backend" in line and "medium" in line for line in lines[1:2])
    assert run(path, "--fail-on", "critical").exit_code == 0


def test_open_high_threat_fails_by_default(tmp_path, run):
    path = write(tmp_path, "loans.yaml", apply_patch(base(), {"flows[partner-gw].authentication": {"method": "none"}}))
    r = run(path)
    assert r.exit_code == 1
    assert r.stdout.startswith("FAIL models/loans.yaml: 1 open >= high, 0 expired, 0 stale, 0 unanswered\n")
    assert "    open        high     MINI-NO-AUTH@partner-gw  Unauthenticated caller from outside (open)" in r.stdout


def test_accepted_high_threat_passes_until_it_expires(tmp_path, run):
    accepted = {"threat": "MINI-NO-AUTH@partner-gw", "status": "accepted", "owner": "CISO", "reason": "Partner migrates by Q2",
                "expires": "2027-03-31"}
    data = apply_patch(base(), {"flows[partner-gw].authentication": {"method": "none"}, "decisions+": accepted})
    path = write(tmp_path, "loans.yaml", data)
    assert run(path).exit_code == 0
    expired = apply_patch(data, {"decisions": [{**accepted, "expires": "2026-10-01"}]})
    write(tmp_path, "loans.yaml", expired)
    r = run(path)
    assert r.exit_code == 1
    assert r.stdout.startswith("FAIL models/loans.yaml: 1 open >= high, 1 expired, 0 stale, 0 unanswered\n")
    assert "acceptance of MINI-NO-AUTH@partner-gw expired on 2026-10-01" in r.stdout


def test_expired_acceptance_of_a_medium_threat_fails(tmp_path, run):
    data = apply_patch(base(), {"decisions+": {"threat": "MINI-TLS-WEAK@gw-backend", "status": "accepted", "owner": "CISO",
                                               "reason": "Backend upgrade planned", "expires": "2026-06-30"}})
    text = dump(data)
    path = write(tmp_path, "loans.yaml", text)
    r = run(path)
    assert r.exit_code == 1
    assert r.stdout.startswith("FAIL models/loans.yaml: 0 open >= high, 1 expired, 0 stale, 0 unanswered\n")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "threat: MINI-TLS-WEAK@gw-backend" in l)
    assert f"    expired     models/loans.yaml:{line}: acceptance of MINI-TLS-WEAK@gw-backend expired on 2026-06-30" in r.stdout


def test_stale_decision_fails(tmp_path, run):
    data = apply_patch(base(), {"decisions+": {"threat": "MINI-NO-AUTH@partner-gw", "status": "mitigated",
                                               "control": "MINI-C-AUTH", "reason": "OAuth enforced"}})
    path = write(tmp_path, "loans.yaml", data)
    r = run(path)
    assert r.exit_code == 1
    assert r.stdout.startswith("FAIL models/loans.yaml: 0 open >= high, 0 expired, 1 stale, 0 unanswered\n")
    assert "decision for MINI-NO-AUTH@partner-gw is stale: the rule no longer fires there" in r.stdout


def test_unanswered_required_question_fails(tmp_path, run):
    data = base()
    data.pop("answers")
    path = write(tmp_path, "loans.yaml", data)
    r = run(path)
    assert r.exit_code == 1
    assert r.stdout.startswith("FAIL models/loans.yaml: 0 open >= high, 0 expired, 0 stale, 1 unanswered\n")
    assert "    unanswered  MINI-Q-PENTEST: Penetration test report" in r.stdout
    # at the minimal GOST level the catalog does not require the answer
    write(tmp_path, "loans.yaml", apply_patch(data, {"metadata.gost_level": "minimal"}))
    assert run(path).exit_code == 0


def test_invalid_model_wins_and_the_others_are_still_reported(tmp_path, run):
    write(tmp_path, "a-pass.yaml", base())
    write(tmp_path, "b-fail.yaml", apply_patch(base(), {"flows[partner-gw].authentication": {"method": "none"}}))
    text = dump(base()).replace("kind: data_store", "kind: datastore", 1)
    write(tmp_path, "c-invalid.yaml", text)
    r = run("models")
    assert r.exit_code == 2
    assert r.stdout.splitlines() == [
        "PASS models/a-pass.yaml: 0 open >= high, 0 expired, 0 stale, 0 unanswered",
        "FAIL models/b-fail.yaml: 1 open >= high, 0 expired, 0 stale, 0 unanswered",
        "    open        high     MINI-NO-AUTH@partner-gw  Unauthenticated caller from outside (open)",
        "INVALID models/c-invalid.yaml: 1 error(s)",
        f"total: 3 model(s): 1 passed, 1 failed, 1 invalid (fail on residual >= high, as of {DAY})",
    ]
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "datastore" in l)
    assert f"models/c-invalid.yaml:{line}:" in r.stderr and "'datastore' is not an allowed value" in r.stderr


def test_unknown_catalog_reference_is_invalid(tmp_path, run):
    path = write(tmp_path, "loans.yaml", apply_patch(base(), {"answers+": {"question": "MINI-Q-PENTESTT", "status": "yes"}}))
    r = run(path)
    assert r.exit_code == 2
    assert "unknown audit question 'MINI-Q-PENTESTT'" in r.stderr and "did you mean 'MINI-Q-PENTEST'?" in r.stderr


def test_missing_path_and_empty_folder(tmp_path, run):
    path = write(tmp_path, "loans.yaml", base())
    r = run(path, "models/nope.yaml")
    assert r.exit_code == 2
    assert "models/nope.yaml: error: no such file or folder" in r.stderr
    assert "PASS models/loans.yaml" in r.stdout and "1 path(s) not found" in r.stdout
    (tmp_path / "empty").mkdir()
    r2 = run("empty")
    assert r2.exit_code == 2 and "no model files" in r2.stderr


def test_json_format(tmp_path, run):
    write(tmp_path, "a.yaml", base())
    data = base()
    data.pop("answers")
    write(tmp_path, "b.yaml", data)
    r = run("models", "--format", "json")
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["fail_on"] == "high" and doc["as_of"] == DAY
    assert doc["totals"] == {"models": 2, "passed": 1, "failed": 1, "invalid": 0}
    assert [(m["path"], m["result"]) for m in doc["models"]] == [("models/a.yaml", "pass"), ("models/b.yaml", "fail")]
    assert doc["models"][1]["unanswered"][0]["control"] == "MINI-Q-PENTEST"
    assert r.stdout == run("models", "--format", "json").stdout  # deterministic


def test_sarif_format_includes_invalid_models_as_notifications(tmp_path, run):
    write(tmp_path, "a.yaml", apply_patch(base(), {"flows[partner-gw].authentication": {"method": "none"}}))
    write(tmp_path, "b.yaml", "format_version: 1\nmetadata: [\n")
    r = run("models", "--format", "sarif")
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    (run_,) = doc["runs"]
    inv = run_["invocations"][0]
    assert inv["executionSuccessful"] is False
    assert inv["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "models/b.yaml"
    assert "MINI-NO-AUTH" in {x["ruleId"] for x in run_["results"]}


def test_shipped_catalogs_end_to_end(monkeypatch, tmp_path):
    """The hardened base model checked with the real catalogs: a clean verdict line, exit 0 or 1, never 2."""
    from tmodel.catalog.load import load_catalogs
    from tmodel.cli import main

    monkeypatch.delenv("TMODEL_CATALOGS", raising=False)
    cat = load_catalogs()
    errors = [p.format() for p in cat.problems if p.is_error]
    if errors or not cat.rules:
        pytest.skip("shipped catalogs do not load cleanly yet: " + "; ".join(errors[:3]))
    base_yaml = Path(__file__).parent / "fixtures" / "base.yaml"
    r = CliRunner().invoke(main, ["check", str(base_yaml), "--as-of", DAY])
    assert r.exit_code in (0, 1), r.output
    assert r.stdout.splitlines()[0].split()[0] in ("PASS", "FAIL")
    assert r.stdout.splitlines()[-1].startswith("total: 1 model(s):")


def test_summary_gives_one_line_per_model_and_the_same_exit_code(tmp_path, run):
    write(tmp_path, "loans.yaml", base())
    write(tmp_path, "cards.yaml", apply_patch(base(), {"metadata.id": "cards"}))
    full = run("models", "--fail-on", "medium")
    brief = run("models", "--fail-on", "medium", "--summary")
    assert full.exit_code == brief.exit_code == 1
    assert len(full.stdout.splitlines()) > 3  # the full text lists each open threat
    assert brief.stdout.splitlines() == [
        "FAIL models/cards.yaml: 1 open >= medium, 0 expired, 0 stale, 0 unanswered",
        "FAIL models/loans.yaml: 1 open >= medium, 0 expired, 0 stale, 0 unanswered",
        f"total: 2 model(s): 0 passed, 2 failed, 0 invalid (fail on residual >= medium, as of {DAY})",
    ]
    assert [ln for ln in full.stdout.splitlines() if not ln.startswith("    ")] == brief.stdout.splitlines()
