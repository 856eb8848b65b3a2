"""`tmodel audit wso2-config`: the real WSO2 API Manager 4.7.0 deployment.toml, a hardened file, partial
overlays, and broken inputs, through the parser and the real CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tmodel.importers.wso2_config import SIMPLE, audit_file, audit_text
from tmodel.problems import ProblemError

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REAL = SHARED / "testdata" / "wso2-config" / "wso2-product-apim-4.7.0" / "deployment.toml"
FIX = ROOT / "tests" / "fixtures" / "import" / "wso2-config"
BASE = ROOT / "tests" / "fixtures" / "base.yaml"

LEAD_NAMES = """gateway.plaintext_listener gateway.https_protocols gateway.ciphers gateway.ssl_verify_client
gateway.cert_revocation backend.https_protocols backend.hostname_verifier management.plaintext_listener
management.protocols oauth.cert_bound_tokens oauth.token_hashing oauth.token_encryption oauth.ropc_enabled
oauth.outbound_auth_header oauth.user_token_validity_seconds admin.default_credentials keystore.default_password
database.plaintext_passwords database.h2 cors.allow_origins cors.allow_credentials throttling.unlimited_tier
devportal.anonymous mutual_ssl.certificate_header mutual_ssl.client_validation analytics.send_payloads jmx.enabled""".split()


def tmodel(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tmodel", *args], cwd=cwd or ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def real():
    return audit_file(str(REAL))


def by_id(audit):
    return {f.id: f for f in audit.findings}


# --- the real 4.7.0 file ---------------------------------------------------------------------

def test_real_file_reports_the_shipped_weaknesses(real):
    f = by_id(real)
    for fid in ("default-admin-credentials", "default-keystore-password", "default-keystore-file", "h2-database",
                "cors-any-origin", "legacy-tls-gateway", "legacy-tls-backend", "legacy-tls-management",
                "plaintext-gateway-port", "plaintext-management-port", "client-cert-optional", "cert-revocation-off",
                "hostname-verification-relaxed", "plaintext-secrets", "ropc-enabled", "tokens-not-cert-bound",
                "tokens-not-hashed", "unlimited-tier", "devportal-anonymous", "jmx-enabled"):
        assert fid in f, fid
    assert f["default-admin-credentials"].severity == "critical" and f["default-admin-credentials"].setting.line == 10
    assert f["h2-database"].setting.value == ["apim_db", "shared_db"]
    assert f["cors-any-origin"].severity == "medium"  # allow_credentials = false in the shipped file
    # weak defaults the file leaves out: line 0, the product's value
    for fid in ("legacy-tls-gateway", "plaintext-gateway-port", "client-cert-optional", "hostname-verification-relaxed"):
        assert f[fid].setting.line == 0 and f[fid].setting.default, fid
    assert real.settings["gateway.https_protocols"].value == ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
    assert real.settings["management.protocols"].value == ["TLSv1", "TLSv1.1", "TLSv1.2"]
    assert real.settings["gateway.ssl_verify_client"].value == "optional"
    assert real.settings["backend.hostname_verifier"].value == "DefaultAndLocalhost"
    # absent from the file: no finding
    for fid in ("hostname-verification-off", "outbound-auth-header", "analytics-payloads", "client-cert-header-not-validated"):
        assert fid not in f, fid
    assert real.failing


def test_every_reported_line_points_at_its_key(real):
    lines = REAL.read_text(encoding="utf-8").splitlines()
    seen = 0
    for s in real.settings.values():
        if not s.line:
            continue
        key = s.key.split()[-1].strip('"')
        text = lines[s.line - 1]
        assert re.match(rf"\s*['\"]?{re.escape(key)}['\"]?\s*=", text), (s.name, s.line, text)
        assert _value_text(text) == s.raw or s.raw.startswith('"***"') or s.name.startswith(("admin.", "database.")), (s.name, s.raw, text)
        seen += 1
    assert seen >= 8
    assert real.settings["cors.allow_origins"].line == 171
    assert real.settings["keystore.default_password"].line == 31
    assert real.settings["database.h2"].line == 17


def _value_text(line: str) -> str:
    return " ".join(line.split("=", 1)[1].split())


def test_where_names_file_line_key_and_value(real):
    assert real.where("cors.allow_origins") == f'{REAL}:171 [apim.cors] allow_origins = "*"'
    assert real.where("gateway.https_protocols") == (
        f'{REAL}: [transport.passthru_https.listener.parameters] HttpsProtocols unset: product default "TLSv1,TLSv1.1,TLSv1.2,TLSv1.3"')


def test_all_settings_the_analysis_needs_are_present_for_any_file(real):
    empty = audit_text("", "deployment.toml")
    for audit in (real, empty):
        missing = [n for n in LEAD_NAMES if n not in audit.settings]
        assert not missing, missing
    assert len({n for n, _, _ in SIMPLE}) == len(SIMPLE)


def test_findings_sorted_by_severity_then_id_and_fixes_are_toml(real):
    import tomllib

    order = ["critical", "high", "medium", "low"]
    keys = [(order.index(f.severity), f.id) for f in real.findings]
    assert keys == sorted(keys)
    for f in real.findings:
        fix = f.fix.replace('"[<the password>]"   # run bin/ciphertool.sh -Dconfigure, then:', '"[x]"')
        tomllib.loads(fix)  # the fix is TOML the user can paste
        assert f.title and "\n" not in f.title and len(f.detail) > 60


def test_secrets_are_never_echoed_unless_public_defaults():
    a = audit_text('[database.apim_db]\ntype = "mysql"\nurl = "jdbc:mysql://db/apim"\npassword = "S3cr3t-bank"\n'
                   '[super_admin]\nusername = "ops"\npassword = "$secret{admin_password}"\n', "d.toml")
    out = json.dumps([a.where(n) for n in a.settings] + [f.detail for f in a.findings])
    assert "S3cr3t-bank" not in out
    assert a.settings["database.plaintext_passwords"].value == ["apim_db"]
    assert "plaintext-secrets" in by_id(a) and "default-admin-credentials" not in by_id(a)
    assert by_id(a)["plaintext-secrets"].setting.line == 4


# --- the hardened fixture and overlays --------------------------------------------------------

def test_hardened_file_has_no_high_or_critical_finding():
    a = audit_file(str(FIX / "hardened.toml"))
    assert not a.failing, [(f.id, f.severity) for f in a.findings]
    assert a.findings == []
    s = a.settings
    assert s["gateway.https_protocols"].value == ["TLSv1.2", "TLSv1.3"]
    assert s["management.protocols"].value == ["TLSv1.2", "TLSv1.3"]
    assert s["gateway.ssl_verify_client"].value == "require"
    assert s["keystore.default_password"].value is False and s["admin.default_credentials"].value is False
    assert s["database.plaintext_passwords"].value == [] and s["secrets.plaintext"].value == []
    assert s["cors.allow_origins"].value == ["https://tpp.example.test"]


def test_partial_overlay_takes_defaults_for_the_rest():
    a = audit_file(str(FIX / "overlay-mutualssl.toml"))
    f = by_id(a)
    assert "client-cert-optional" not in f and a.settings["gateway.ssl_verify_client"].line == 4
    assert f["client-cert-header-not-validated"].setting.line == 8 and f["client-cert-header-not-validated"].severity == "high"
    assert f["legacy-tls-gateway"].setting.default and f["plaintext-gateway-port"].setting.default


def test_open_banking_style_overlay():
    a = audit_file(str(FIX / "overlay-open-banking-guide.toml"))
    f = by_id(a)
    assert "legacy-tls-gateway" not in f and "gateway-ciphers-unset" not in f and "weak-ciphers-gateway" not in f
    assert f["hostname-verification-off"].severity == "high" and f["hostname-verification-off"].setting.line == 9
    assert f["cors-any-origin"].severity == "high"  # '*' with allow_credentials = true
    assert f["outbound-auth-header"].setting.line == 12
    assert f["analytics-payloads"].setting.line == 25
    assert f["long-access-token-lifetime"].setting.value == 86400
    assert "tokens-not-cert-bound" not in f
    assert a.settings["analytics.send_payloads"].value is True


def test_empty_file_is_all_defaults():
    a = audit_text("", "deployment.toml")
    assert a.findings and all(f.setting.line == 0 for f in a.findings)
    assert all(s.line == 0 for s in a.settings.values())
    assert "default-admin-credentials" not in by_id(a)  # no product default for super_admin
    assert {"legacy-tls-gateway", "plaintext-gateway-port", "cors-any-origin", "h2-database",
            "default-keystore-password"} <= set(by_id(a))


@pytest.mark.parametrize("text,expected", [
    ('HttpsProtocols = "TLSv1.2, TLSv1.3"', ["TLSv1.2", "TLSv1.3"]),
    ('HttpsProtocols = ["TLSv1.2", "TLSv1.3"]', ["TLSv1.2", "TLSv1.3"]),
    ('HttpsProtocols = "TLSv1.2+TLSv1.3"', ["TLSv1.2", "TLSv1.3"]),
    ('HttpsProtocols = "all -TLSv1 -TLSv1.1 -SSLv2Hello"', ["TLSv1.2", "TLSv1.3"]),
])
def test_protocol_spellings(text, expected):
    a = audit_text(f"[transport.passthru_https.listener.parameters]\n{text}\n", "d.toml")
    assert a.settings["gateway.https_protocols"].value == expected
    assert "legacy-tls-gateway" not in by_id(a)


def test_placeholders_refs_and_secret_values():
    text = ('[keystore.primary]\npassword = "$secret{ks}"\nkey_password = "$secret{kp}"\n'
            '[keystore.tls]\npassword = "$ref{keystore.primary.password}"\n'
            '[truststore]\npassword = "wso2carbon"\n'
            '[transport.passthru_https.listener.parameters]\nSSLVerifyClient = "${client.auth}"\n')
    a = audit_text(text, "d.toml")
    kp = a.settings["keystore.default_password"]
    assert kp.value is True and kp.line == 7 and kp.key == "[truststore] password"
    a2 = audit_text(text.replace('password = "wso2carbon"', 'password = "$secret{ts}"'), "d.toml")
    assert a2.settings["keystore.default_password"].value is False
    assert "plaintext-secrets" not in by_id(a2)
    # $ref to an unset key follows the default: keystore.tls.password -> keystore.primary.password -> wso2carbon
    a3 = audit_text('[keystore.tls]\npassword = "$ref{keystore.primary.password}"\n', "d.toml")
    assert a3.settings["keystore.default_password"].value is True


def test_line_finder_handles_the_toml_traps():
    text = "\n".join([
        '# comment with [apim.cors] and enable = true',                      # 1
        '[[apim.gateway.environment]]',                                      # 2
        'name = "Default"',                                                  # 3
        '[[apim.gateway.environment]]',                                      # 4
        'name = "Second"',                                                   # 5
        'description = """',                                                 # 6
        'enable = "this is text, not a key"',                                # 7
        '"""',                                                               # 8
        '[apim.cors]',                                                       # 9
        'allow_methods = [',                                                 # 10
        '  "GET", # a comment ]',                                            # 11
        '  "POST",',                                                         # 12
        ']',                                                                 # 13
        "'allow_origins' = [\"*\"]   # quoted key",                          # 14
        '[transport]',                                                       # 15
        'passthru_http.listener.enable = false',                             # 16
        'https.sslHostConfig.properties = { protocols = "+TLSv1.2" }',       # 17
        '[[event_listener]]',                                                # 18
        'id = "x"',                                                          # 19
        '[event_listener.properties]',                                       # 20
        "'header.X-WSO2-KEY-MANAGER' = \"default\"",                         # 21
        'password = "plain-pw"',                                             # 22
        '[transport.passthru_https.sender.parameters]',                      # 23
        "HostnameVerifier = 'AllowAll'",                                     # 24
    ]) + "\n"
    a = audit_text(text, "d.toml")
    s = a.settings
    assert s["cors.allow_origins"].line == 14 and s["cors.allow_origins"].value == ["*"]
    assert s["gateway.plaintext_listener"].line == 16 and s["gateway.plaintext_listener"].value is False
    assert s["management.protocols"].line == 17 and s["management.protocols"].value == ["TLSv1.2"]
    assert s["backend.hostname_verifier"].line == 24
    assert s["secrets.plaintext"].line == 22 and s["secrets.plaintext"].value == ["[event_listener.properties] password"]
    from tmodel.importers.wso2_config import _index_keys

    keys, tables = _index_keys(text)
    assert keys[("apim", "gateway", "environment", 1, "description")].line == 6
    assert keys[("event_listener", 0, "properties", "header.X-WSO2-KEY-MANAGER")].line == 21
    assert tables[("event_listener", 0, "properties")] == 20
    assert ("enable",) not in keys and ("apim", "gateway", "environment", 1, "enable") not in keys


def test_crlf_and_bom():
    text = '\ufeff[apim.cors]\r\nallow_origins = "*"\r\nallow_credentials = true\r\n'
    a = audit_text(text, "d.toml")
    f = by_id(a)["cors-any-origin"]
    assert f.severity == "high" and f.setting.line == 2 and f.setting.raw == '"*"'


# --- broken inputs ----------------------------------------------------------------------------

def test_syntax_error_is_located():
    with pytest.raises(ProblemError) as exc:
        audit_file(str(FIX / "broken-syntax.toml"))
    p = exc.value.problems[0]
    assert (p.line, p.col) == (4, 11) and "invalid TOML" in p.message


@pytest.mark.parametrize("name,line,words", [
    ("wrong-type-bool.toml", 5, "expected true or false"),
    ("wrong-type-protocols.toml", 2, "expected a comma-separated string"),
    ("duplicate-key.toml", 3, "invalid TOML"),
    ("broken-syntax.toml", 4, "invalid TOML"),
])
def test_cli_bad_input_exits_2_with_location(name, line, words):
    path = FIX / name
    r = tmodel("audit", "wso2-config", str(path))
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{path}:{line}:" in r.stderr and words in r.stderr and "hint:" in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_cli_missing_file_binary_and_folder(tmp_path):
    (tmp_path / "bin.toml").write_bytes(b"\x00\x01\x02")
    for target, words in ((tmp_path / "nope.toml", "cannot read"), (tmp_path / "bin.toml", "binary"), (tmp_path, "folder")):
        r = tmodel("audit", "wso2-config", str(target))
        assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr, r.stderr


# --- the CLI ------------------------------------------------------------------------------------

def test_cli_text_on_the_real_file():
    r = tmodel("audit", "wso2-config", str(REAL))
    assert r.returncode == 1, r.stderr
    out = r.stdout
    assert f"{REAL}:10: critical: Super admin account is admin/admin" in out
    assert f"{REAL}:171: medium: CORS allows any origin" in out
    assert f"{REAL}: high: TLSv1 and TLSv1.1 accepted on the API gateway port 8243 (default)" in out
    assert '    [transport.passthru_https.listener.parameters] HttpsProtocols unset; product default: "TLSv1,TLSv1.1,TLSv1.2,TLSv1.3"' in out
    assert '    fix: [transport.passthru_https.listener.parameters]' in out and 'HttpsProtocols = "TLSv1.2,TLSv1.3"' in out
    assert re.search(r"\d+ finding\(s\): 1 critical, \d+ high, \d+ medium, \d+ low", out)


def test_cli_hardened_exits_0_and_json_has_findings_and_settings():
    r = tmodel("audit", "wso2-config", str(FIX / "hardened.toml"))
    assert r.returncode == 0, r.stdout + r.stderr
    r = tmodel("audit", "wso2-config", str(REAL), "--format", "json")
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert data["summary"]["critical"] == 1 and data["summary"]["failing"] is True
    ids = [f["id"] for f in data["findings"]]
    assert "default-admin-credentials" in ids
    assert data["settings"]["gateway.https_protocols"]["default"] is True
    assert data["settings"]["cors.allow_origins"]["line"] == 171


def test_cli_with_model_reports_drift_and_the_configs_entry(tmp_path):
    shutil.copy(BASE, tmp_path / "m.yaml")
    (tmp_path / "gw").mkdir()
    shutil.copy(REAL, tmp_path / "gw" / "deployment.toml")
    r = tmodel("audit", "wso2-config", "gw/deployment.toml", "--model", "m.yaml", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert "Drift:" in r.stdout and "tls.min_version" in r.stdout
    assert "configs:\n    - kind: wso2_deployment_toml\n      path: gw/deployment.toml\n      element: gw" in r.stdout
    r = tmodel("audit", "wso2-config", "gw/deployment.toml", "--model", "m.yaml", "--format", "json", cwd=tmp_path)
    data = json.loads(r.stdout)
    assert data["element"] == "gw" and any(d["field"] == "tls.min_version" for d in data["drift"])


def test_cli_model_errors(tmp_path):
    (tmp_path / "bad.yaml").write_text("format_version: 1\nmetadata: {}\n")
    r = tmodel("audit", "wso2-config", str(REAL), "--model", str(tmp_path / "bad.yaml"))
    assert r.returncode == 2 and "bad.yaml" in r.stderr and "Traceback" not in r.stderr
    r = tmodel("audit", "wso2-config", str(REAL), "--model", str(BASE), "--element", "nope")
    assert r.returncode == 2 and "no element 'nope'" in r.stderr


@pytest.mark.parametrize("value,expected,fid,severity", [
    ('"REQUIRE"', "require", None, None),
    ('"Optional"', "optional", "client-cert-optional", "medium"),
    ('"required"', "none", "client-cert-optional", "high"),  # Synapse knows only optional/require: client auth off
    ('"none"', "none", "client-cert-optional", "high"),
])
def test_ssl_verify_client_as_synapse_reads_it(value, expected, fid, severity):
    a = audit_text(f"[transport.passthru_https.listener.parameters]\nSSLVerifyClient = {value}\n", "d.toml")
    s = a.settings["gateway.ssl_verify_client"]
    assert s.value == expected and s.raw == value and s.line == 2
    f = by_id(a)
    if fid is None:
        assert "client-cert-optional" not in f
    else:
        assert f[fid].severity == severity
    assert ("cert-revocation-off" in f) == (expected != "none")


@pytest.mark.parametrize("value,expected,fid", [
    ('"strict"', "Strict", None),
    ('"allowall"', "AllowAll", "hostname-verification-off"),
    ('"Browser"', "Default", "hostname-verification-relaxed"),
])
def test_hostname_verifier_as_synapse_reads_it(value, expected, fid):
    a = audit_text(f"[transport.passthru_https.sender.parameters]\nHostnameVerifier = {value}\n", "d.toml")
    assert a.settings["backend.hostname_verifier"].value == expected
    ids = set(by_id(a))
    assert not ids & ({"hostname-verification-off", "hostname-verification-relaxed"} - {fid})
    if fid:
        assert fid in ids


def test_cipher_tool_secrets_table():
    a = audit_text('[secrets]\nadmin_password = "[Bank-Admin-Pw]"\napim_db = "kHmXr0ciphertextbase64=="\n', "d.toml")
    s = a.settings["secrets.plaintext"]
    assert s.value == ["[secrets] admin_password"] and s.line == 2 and "Bank-Admin-Pw" not in s.raw


def test_websocket_and_event_receiver_defaults(real):
    f = by_id(real)
    assert f["legacy-tls-websocket"].setting.value == ["TLSv1.1", "TLSv1.2"] and f["legacy-tls-websocket"].setting.default
    assert f["legacy-tls-event-receiver"].severity == "low"
    a = audit_text('[transport.receiver]\nssl_enabled_protocols = ["TLSv1.2"]\n', "d.toml")
    assert a.settings["internal.event_receiver_protocols"].line == 2 and "legacy-tls-event-receiver" not in by_id(a)


def test_weak_cipher_lists():
    a = audit_text('[transport.passthru_https.listener.parameters]\nPreferredCiphers = "TLS_RSA_WITH_RC4_128_SHA,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"\n', "d.toml")
    assert by_id(a)["weak-ciphers-gateway"].severity == "high"
    a = audit_text('[transport.passthru_https.listener.parameters]\nPreferredCiphers = ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"]\n', "d.toml")
    assert by_id(a)["weak-ciphers-gateway"].severity == "medium" and a.settings["gateway.ciphers"].line == 2
