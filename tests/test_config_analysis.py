"""A deployment.toml linked to a model (``configs:``) in every analysis: reality over claims, drift, problems.

Real components: the shipped WSO2 API Manager 4.7.0 deployment.toml from ../shared/testdata, the CLI, the
register read back with openpyxl, and a git repository for the diff between revisions.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from tests.conftest import AS_OF, ROOT, SHARED
from tests.rulecases import apply_patch, base_data

SHIPPED_TOML = SHARED / "testdata" / "wso2-config" / "wso2-product-apim-4.7.0" / "deployment.toml"
HARDENED_TOML = ROOT / "tests" / "fixtures" / "config" / "gw-hardened.toml"


def run(*args: str):
    from tmodel.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_model(folder: Path, data: dict, toml: Path | None, element: str = "gw", name: str = "model.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if toml is not None:
        (folder / "gw").mkdir(exist_ok=True)
        shutil.copyfile(toml, folder / "gw" / "deployment.toml")
        data = dict(data, configs=[{"kind": "wso2_deployment_toml", "path": "gw/deployment.toml", "element": element}])
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def analysis_of(path: Path) -> dict:
    r = run("analyze", str(path), "--format", "json", "--as-of", AS_OF.isoformat())
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.stdout)


def threat(a: dict, tid: str) -> dict | None:
    return next((t for t in a["threats"] if t["id"] == tid), None)


def toml_line(n: int) -> str:
    return SHIPPED_TOML.read_text(encoding="utf-8").splitlines()[n - 1]


def test_shipped_defaults_override_the_hardened_claims(tmp_path, monkeypatch):
    """The hardened base claims a locked-down gateway; linked to the shipped 4.7.0 file, reality wins."""
    monkeypatch.chdir(tmp_path)
    path = write_model(tmp_path / "m", base_data(), SHIPPED_TOML)
    a = analysis_of(path)

    plain = threat(a, "OWASP-API8-PLAINTEXT-LISTENER@gw")
    assert plain is not None, "the default 8280 listener must raise the plaintext-listener threat"
    assert any("[transport.passthru_http.listener] enable unset: product default true" in w for w in plain["why"])

    creds = threat(a, "OWASP-API8-DEFAULT-CREDENTIALS@gw")
    assert creds is not None
    src = next(w for w in creds["why"] if "[from " in w)
    line = int(src.split("deployment.toml:")[1].split(" ")[0])
    assert "admin" in toml_line(line) and "password" in toml_line(line)  # the key's real line in the file

    weak = threat(a, "WSO2-TLS-WEAK@tpp-gw")  # the model says 1.2, the listener's default also offers TLSv1
    assert weak is not None and any("HttpsProtocols unset" in w and "the model says 1.2" in w for w in weak["why"])
    assert threat(a, "WSO2-MTLS-NOVERIFY@tpp-gw") is not None  # revocation checking off by default
    assert threat(a, "FAPI-NOT-SENDER-CONSTRAINED@tpp-gw") is not None  # certificate-bound tokens off

    drift = threat(a, "WSO2CFG-DRIFT@gw")
    assert drift is not None and drift["status"] == "open"
    why = " ".join(drift["why"])
    for fact in ("tls.min_version", "tls.client_cert_verified", "authentication.sender_constrained"):
        assert fact in why
    assert "gw-backend" in why  # the API sender's TLS to the backend drifted too
    # token validation and log shipping do not go through the API sender: the file does not decide them
    assert "gw-km" not in why and "gw-siem" not in why
    for rule in ("WSO2CFG-CORS-ANY-ORIGIN", "WSO2CFG-H2-DATABASE", "WSO2CFG-PLAINTEXT-SECRETS", "WSO2CFG-ROPC-ON-GATEWAY",
                 "WSO2CFG-UNLIMITED-TIER", "WSO2CFG-CLIENT-CERT-OPTIONAL", "WSO2CFG-LEGACY-TLS-BACKEND"):
        assert threat(a, f"{rule}@gw") is not None, rule
    # the model file itself is unchanged: reality is used, never written back
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["flows"][0]["tls"]["min_version"] == "1.2"


def test_hardened_file_agrees_with_the_hardened_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = apply_patch(base_data(), {"flows[partner-gw].tls.min_version": "1.2"})
    path = write_model(tmp_path / "m", data, HARDENED_TOML)
    a = analysis_of(path)
    assert not [t["id"] for t in a["threats"] if t["rule"].startswith("WSO2CFG-")]
    controls = {c["id"]: c["status"] for c in a["controls"]}
    assert controls["WSO2CFG-C-MODEL-MATCHES-CONFIG"] == "met"
    assert controls["WSO2CFG-C-CORS"] == "met"


def test_without_a_linked_file_config_controls_are_not_applicable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = analysis_of(write_model(tmp_path / "m", base_data(), None))
    controls = {c["id"]: c["status"] for c in a["controls"]}
    assert {s for c, s in controls.items() if c.startswith("WSO2CFG-")} == {"not_applicable"}


def test_a_linked_key_manager_takes_grant_hashing_and_lifetime_from_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_model(tmp_path / "m", base_data(), SHIPPED_TOML, element="km")
    a = analysis_of(path)
    ropc = threat(a, "FAPI-ROPC@km")
    assert ropc is not None and any("[oauth.grant_type.password] enable unset: product default true" in w for w in ropc["why"])
    assert threat(a, "WSO2-TOKEN-STORAGE@km") is not None  # the model says hashed; enable_token_hashing is off
    drift = threat(a, "WSO2CFG-DRIFT@km")
    assert drift is not None and "token_lifetime_minutes" in " ".join(drift["why"])  # 5 claimed, 60 by default


@pytest.mark.parametrize("case, expected", [
    ("missing", "linked configuration 'gw/deployment.toml' does not exist"),
    ("broken", "deployment.toml:2:"),
])
def test_a_missing_or_broken_linked_file_is_a_located_error(tmp_path, monkeypatch, case, expected):
    monkeypatch.chdir(tmp_path)
    path = write_model(tmp_path / "m", base_data(), HARDENED_TOML)
    toml = tmp_path / "m" / "gw" / "deployment.toml"
    if case == "missing":
        toml.unlink()
    else:
        toml.write_text("[transport.http]\nenable = = false\n", encoding="utf-8")
    for cmd in ("validate", "analyze", "check"):
        r = run(cmd, str(path))
        assert r.exit_code == 2, (cmd, r.output)
        assert expected in r.stderr, (cmd, r.stderr)
        assert "Traceback" not in r.output
    if case == "missing":
        line = path.read_text(encoding="utf-8").splitlines().index("  path: gw/deployment.toml") + 1
        assert f"model.yaml:{line}:" in r.stderr


def test_register_and_record_show_the_drift_and_the_key(tmp_path, monkeypatch):
    """What compliance receives carries the drift and its evidence, with the same numbers as analyze."""
    monkeypatch.chdir(tmp_path)
    path = write_model(tmp_path / "m", base_data(), SHIPPED_TOML)
    ref = analysis_of(path)
    r = run("export", str(path), "--to", "out", "--format", "xlsx,md", "--as-of", AS_OF.isoformat())
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(io.BytesIO(next(Path("out").glob("*register.xlsx")).read_bytes()))
    ws = wb["Risks"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]
    assert len(rows) == len(ref["threats"])
    id_col = next(h for h in header if h and h.lower().startswith("threat id") or h == "ID" or h == "Id")
    drift = next(r for r in rows if r[id_col] == "WSO2CFG-DRIFT@gw")
    assert any(isinstance(v, str) and "HttpsProtocols" in v for v in drift.values())
    md = next(Path("out").glob("*.md")).read_text(encoding="utf-8")
    assert "WSO2CFG-DRIFT@gw" in md and "deployment.toml" in md


def test_diff_between_revisions_reads_the_config_of_each_revision(tmp_path):
    """Hardening deployment.toml alone (model untouched) resolves threats in `tmodel diff --from`."""
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("config", "user.name", "Test Architect")
    git("config", "user.email", "architect@example.test")
    data = apply_patch(base_data(), {"flows[partner-gw].tls.min_version": "1.2"})
    path = write_model(repo, data, SHIPPED_TOML)
    git("add", ".")
    git("commit", "-q", "-m", "shipped defaults")
    git("tag", "v1")
    shutil.copyfile(HARDENED_TOML, repo / "gw" / "deployment.toml")
    git("commit", "-q", "-am", "hardened gateway")
    git("tag", "v2")
    shutil.copyfile(SHIPPED_TOML, repo / "gw" / "deployment.toml")  # the working tree regresses; revisions must not see it

    r = run("diff", str(path), "--from", "v1", "--to", "v2", "--format", "json", "--as-of", AS_OF.isoformat())
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    resolved = {t["id"] for t in d["threats"] if t["change"] == "resolved"}
    assert {"WSO2CFG-DRIFT@gw", "WSO2CFG-CORS-ANY-ORIGIN@gw", "OWASP-API8-PLAINTEXT-LISTENER@gw"} <= resolved
    assert not [t["id"] for t in d["threats"] if t["change"] == "raised"]


def _levels_agree(toml: str, model: str, cwd: Path) -> int:
    """The audit's level of every finding equals the analysis' and SARIF's for the same threat; returns how many."""
    r = run("audit", "wso2-config", toml, "--model", model, "--format", "json")
    assert r.exit_code in (0, 1), r.output
    audit = json.loads(r.stdout)
    r = run("analyze", model, "--format", "json", "--as-of", AS_OF.isoformat())
    analysis = {t["id"]: t for t in json.loads(r.stdout)["threats"]}
    r = run("analyze", model, "--format", "sarif", "--as-of", AS_OF.isoformat())
    sarif = {res["properties"]["threatId"]: res["properties"] for res in json.loads(r.stdout)["runs"][0]["results"]
             if "threatId" in res["properties"]}
    for f in audit["findings"]:
        t = analysis.get(f["threat"])
        assert t is not None, f"{toml}: the audit reports {f['threat']}, the analysis does not"
        assert (f["level"], f["likelihood"], f["impact"]) == (t["level"], t["likelihood"], t["impact"]), f["threat"]
        assert sarif[f["threat"]]["level"] == f["level"], f["threat"]
    # and the other way: every analysed threat of a rule that reads the configuration is in the audit
    config_threats = {tid for tid, t in analysis.items() if t["target"] == audit["element"]
                      and t["rule"].startswith("WSO2CFG-") and t["rule"] != "WSO2CFG-DRIFT"}
    assert config_threats == {f["threat"] for f in audit["findings"]}
    return len(audit["findings"])


def test_audit_and_analyze_agree_on_every_finding_level(tmp_path, monkeypatch):
    """The bank's question 'how bad is it' has one answer: the audit renders the analysis of the same rules.
    Checked on the real configurations: the examples' linked files and the shipped 4.7.0 deployment.toml."""
    monkeypatch.chdir(ROOT)
    seen = 0
    for model, toml in (("models/loan-marketplace.yaml", "models/configs/loan-marketplace-gateway.toml"),
                        ("models/ob-account-information.yaml", "models/configs/ob-account-information-gateway.toml")):
        seen += _levels_agree(toml, model, ROOT)
    path = write_model(tmp_path / "shipped", base_data(), SHIPPED_TOML)
    monkeypatch.chdir(path.parent)
    seen += _levels_agree("gw/deployment.toml", "model.yaml", path.parent)
    assert seen >= 25


def test_a_banks_catalog_overrides_a_config_finding(tmp_path, monkeypatch):
    """A finding is a rule like any other: a bank's catalog with the same id replaces its level, text and fix,
    in the audit and in the analysis alike."""
    from tmodel.catalog.load import shipped_catalog_dir

    shipped = yaml.safe_load((shipped_catalog_dir() / "wso2-config.yaml").read_text(encoding="utf-8"))
    rule = next(r for r in shipped["rules"] if r["id"] == "WSO2CFG-UNLIMITED-TIER")
    rule.update(likelihood=1, impact=1, fix="[apim.throttling]\nenable_unlimited_tier = false  # bank standard BS-12")
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "bank.yaml").write_text(yaml.safe_dump(
        {"catalog": {"id": "bank-wso2", "title": "Bank WSO2 standard"}, "rules": [rule]}, sort_keys=False), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    r = run("audit", "wso2-config", str(SHIPPED_TOML), "--catalog", "bank", "--format", "json")
    f = next(f for f in json.loads(r.stdout)["findings"] if f["id"] == "WSO2CFG-UNLIMITED-TIER")
    assert (f["likelihood"], f["impact"]) == (2, 1) and f["level"] == "low"  # 1x1 adjusted: internet-facing (likelihood +1)
    assert "bank standard BS-12" in f["fix"]


def test_example_with_a_linked_config_reports_drift_in_check(monkeypatch):
    """The bundled loan-marketplace example links its pilot gateway's config: check and analyze show the drift."""
    monkeypatch.chdir(ROOT)
    a = analysis_of(ROOT / "models" / "loan-marketplace.yaml")
    drift = threat(a, "WSO2CFG-DRIFT@api-gw")
    assert drift is not None
    assert "loan-marketplace-gateway.toml" in " ".join(drift["why"])
    assert threat(a, "WSO2CFG-HOSTNAME-VERIFICATION-OFF@api-gw") is not None
    ob = analysis_of(ROOT / "models" / "ob-account-information.yaml")
    assert not [t["id"] for t in ob["threats"] if t["rule"].startswith("WSO2CFG-")]


def test_audit_link_adds_the_configs_entry_once_and_keeps_comments(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gw").mkdir()
    shutil.copyfile(SHIPPED_TOML, tmp_path / "gw" / "deployment.toml")
    text = "# our AIS integration: keep this comment\n" + (ROOT / "tests" / "fixtures" / "base.yaml").read_text(encoding="utf-8")
    (tmp_path / "model.yaml").write_text(text, encoding="utf-8")
    assert run("audit", "wso2-config", "gw/deployment.toml", "--link").exit_code == 2  # --link needs --model

    r = run("audit", "wso2-config", "gw/deployment.toml", "--model", "model.yaml", "--link")
    assert r.exit_code == 1, r.output  # the shipped file has high findings
    saved = (tmp_path / "model.yaml").read_text(encoding="utf-8")
    assert saved.startswith("# our AIS integration: keep this comment\n")
    data = yaml.safe_load(saved)
    assert data["configs"] == [{"kind": "wso2_deployment_toml", "path": "gw/deployment.toml", "element": "gw"}]
    assert threat(analysis_of(tmp_path / "model.yaml"), "WSO2CFG-DRIFT@gw") is not None

    r = run("audit", "wso2-config", "gw/deployment.toml", "--model", "model.yaml", "--link")  # already linked
    assert (tmp_path / "model.yaml").read_text(encoding="utf-8") == saved
    assert "Link the file" not in r.stdout


def test_audit_says_when_the_model_leaves_out_the_config_catalog(tmp_path, monkeypatch):
    """A model whose metadata.catalogs omits wso2-config gets no configuration findings: the audit says why,
    so an empty list is not read as a clean gateway."""
    data = base_data()
    data["metadata"]["catalogs"] = ["stride"]
    path = write_model(tmp_path, data, SHIPPED_TOML)
    monkeypatch.chdir(tmp_path)
    r = run("audit", "wso2-config", "gw/deployment.toml", "--model", path.name, "--format", "json")
    assert json.loads(r.stdout)["findings"] == []
    assert "without wso2-config" in r.stderr and "metadata.catalogs" in r.stderr
