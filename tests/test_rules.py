"""One test per rule: a patched model where it fires, and the hardened base where it does not."""

from __future__ import annotations

import pytest

from tests.conftest import analyze_data
from tests.rulecases import apply_patch, base_data, link_configs, load_cases

CASES = load_cases()


def _fired(analysis, rule: str, target: str) -> bool:
    return any(t.rule == rule and t.target == target for t in analysis.threats)


@pytest.mark.parametrize("case", CASES, ids=[f"{c['rule']}@{c['target']}" for c in CASES])
def test_rule_fires_and_stays_quiet(case, catalog, tmp_path):
    assert case["rule"] in catalog.rules, f"{case['_where']}: unknown rule {case['rule']}"
    base = base_data(case.get("base", "base.yaml"))
    quiet_base = apply_patch(base, case.get("quiet_patch", {}))
    fired_base = apply_patch(quiet_base, case["patch"])
    if "config" in case:  # link a deployment.toml: the fixture as is (quiet), and with the case's edits (fired)
        quiet_base, fired_base = link_configs(case, quiet_base, fired_base, tmp_path)
    quiet = analyze_data(quiet_base, catalog, "quiet.yaml")
    assert not _fired(quiet, case["rule"], case["target"]), f"{case['_where']}: fires on the unpatched model"
    fired = analyze_data(fired_base, catalog, "fired.yaml")
    assert _fired(fired, case["rule"], case["target"]), f"{case['_where']}: does not fire after the patch"


def test_every_rule_has_a_case(catalog):
    covered = {c["rule"] for c in CASES}
    missing = sorted(set(catalog.rules) - covered)
    assert not missing, f"rules without a test case in tests/rule_cases/: {missing}"


def test_sftp_is_not_reported_as_a_channel_without_tls(catalog):
    from tests.rulecases import apply_patch, base_data

    data = apply_patch(base_data(), {"flows[gw-files].protocol": "sftp", "flows[gw-files].tls": {"min_version": "none"},
                                     "flows[gw-files].authentication": {"method": "ssh_key"}})
    assert not _fired(analyze_data(data, catalog, "sftp.yaml"), "WSO2-TLS-NONE", "gw-files")
    data["flows"][[f["id"] for f in data["flows"]].index("gw-files")]["protocol"] = "ftp"
    assert _fired(analyze_data(data, catalog, "ftp.yaml"), "WSO2-TLS-NONE", "gw-files")


@pytest.fixture(autouse=True)
def _trusted_rule_case_configs(monkeypatch):
    """Rule cases link deployment.toml files in a temp folder outside the repository: trusted test input."""
    monkeypatch.setenv("TMODEL_ALLOW_OUTSIDE_CONFIGS", "1")
