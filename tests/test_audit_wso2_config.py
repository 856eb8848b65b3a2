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

from tmodel.sources.wso2_config import SIMPLE, audit_file, audit_text
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


@pytest.fixture(scope="module")
def shipped():
    from tmodel.catalog.load import load_catalogs

    return load_catalogs([])


def findings_of(audit, catalog=None):
    """The audit's findings as the analysis rates them (one node: an internet-facing gateway)."""
    from tmodel.analysis.config_findings import NODE, analyze_config, findings
    from tmodel.catalog.load import load_catalogs

    catalog = catalog or _CATALOG.setdefault("shipped", load_catalogs([]))
    return findings(analyze_config(audit, catalog), catalog, audit, NODE)


_CATALOG: dict = {}


def by_id(audit):
    return {f.threat.rule: f for f in findings_of(audit)}


def failing(audit):
    return any(f.threat.level in ("critical", "high") for f in findings_of(audit))


# --- the real 4.7.0 file ---------------------------------------------------------------------

def test_real_file_reports_the_shipped_weaknesses(real):
    f = by_id(real)
    for fid in ("DEFAULT-ADMIN", "DEFAULT-KEYSTORE-PASSWORD", "DEFAULT-KEYSTORE-FILE", "H2-DATABASE",
                "CORS-ANY-ORIGIN", "LEGACY-TLS-GATEWAY", "LEGACY-TLS-BACKEND", "LEGACY-TLS-MANAGEMENT",
                "PLAINTEXT-GATEWAY", "PLAINTEXT-MANAGEMENT", "CLIENT-CERT-OPTIONAL", "CERT-REVOCATION-OFF",
                "HOSTNAME-VERIFICATION-RELAXED", "PLAINTEXT-SECRETS", "ROPC-ON-GATEWAY", "TOKENS-NOT-CERT-BOUND",
                "TOKENS-NOT-HASHED", "UNLIMITED-TIER", "DEVPORTAL-ANONYMOUS", "JMX"):
        assert "WSO2CFG-" + fid in f, fid
    f = {k.removeprefix("WSO2CFG-"): v for k, v in f.items()}
    assert f["DEFAULT-ADMIN"].threat.level == "critical" and f["DEFAULT-ADMIN"].setting.line == 10
    assert f["H2-DATABASE"].setting.value == ["apim_db", "shared_db"]
    assert "CORS-ANY-ORIGIN-CREDENTIALS" not in f  # allow_credentials = false in the shipped file
    # weak defaults the file leaves out: line 0, the product's value
    for fid in ("LEGACY-TLS-GATEWAY", "PLAINTEXT-GATEWAY", "CLIENT-CERT-OPTIONAL", "HOSTNAME-VERIFICATION-RELAXED"):
        assert f[fid].setting.line == 0 and f[fid].setting.default, fid
    assert real.settings["gateway.https_protocols"].value == ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
    assert real.settings["management.protocols"].value == ["TLSv1", "TLSv1.1", "TLSv1.2"]
    assert real.settings["gateway.ssl_verify_client"].value == "optional"
    assert real.settings["backend.hostname_verifier"].value == "DefaultAndLocalhost"
    # absent from the file: no finding
    for fid in ("HOSTNAME-VERIFICATION-OFF", "TOKEN-FORWARDED", "ANALYTICS-PAYLOADS", "CERT-HEADER-TRUSTED"):
        assert fid not in f, fid
    assert failing(real)


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


def test_findings_sorted_worst_first_and_fixes_are_toml(real, shipped):
    import tomllib

    order = ["critical", "high", "medium", "low"]
    found = findings_of(real)
    keys = [(order.index(f.threat.level), -f.threat.score) for f in found]
    assert keys == sorted(keys)
    for f in found:
        tomllib.loads(f.fix)  # the fix is TOML the user can paste
        assert f.threat.title and "\n" not in f.threat.title and len(f.threat.description) > 60
    # every rule that reads the configuration says how to fix it, in TOML
    from tmodel.analysis.config_findings import config_facts_of

    config_rules = [r for r in shipped.rules.values() if config_facts_of(r.rule.when)]
    assert len(config_rules) >= 29
    for r in config_rules:
        assert r.rule.fix.strip(), r.rule.id
        tomllib.loads(r.rule.fix)


def test_secrets_are_never_echoed_unless_public_defaults():
    a = audit_text('[database.apim_db]\ntype = "mysql"\nurl = "jdbc:mysql://db/apim"\npassword = "S3cr3t-bank"\n'
                   '[super_admin]\nusername = "ops"\npassword = "$secret{admin_password}"\n', "d.toml")
    out = json.dumps([a.where(n) for n in a.settings] + [w for f in findings_of(a) for w in f.threat.why])
    assert "S3cr3t-bank" not in out
    assert a.settings["database.plaintext_passwords"].value == ["apim_db"]
    assert "WSO2CFG-PLAINTEXT-SECRETS" in by_id(a) and "WSO2CFG-DEFAULT-ADMIN" not in by_id(a)
    assert by_id(a)["WSO2CFG-PLAINTEXT-SECRETS"].setting.line == 4


# --- the hardened fixture and overlays --------------------------------------------------------

def test_hardened_file_has_no_high_or_critical_finding():
    a = audit_file(str(FIX / "hardened.toml"))
    assert findings_of(a) == [], [(f.threat.rule, f.threat.level) for f in findings_of(a)]
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
    assert "WSO2CFG-CLIENT-CERT-OPTIONAL" not in f and a.settings["gateway.ssl_verify_client"].line == 4
    assert f["WSO2CFG-CERT-HEADER-TRUSTED"].setting.line == 8 and f["WSO2CFG-CERT-HEADER-TRUSTED"].threat.level == "high"
    assert f["WSO2CFG-LEGACY-TLS-GATEWAY"].setting.default and f["WSO2CFG-PLAINTEXT-GATEWAY"].setting.default


def test_open_banking_style_overlay():
    a = audit_file(str(FIX / "overlay-open-banking-guide.toml"))
    f = by_id(a)
    f = {k.removeprefix("WSO2CFG-"): v for k, v in f.items()}
    assert not {"LEGACY-TLS-GATEWAY", "GATEWAY-CIPHERS-UNSET", "WEAK-CIPHERS", "BROKEN-CIPHERS"} & set(f)
    assert f["HOSTNAME-VERIFICATION-OFF"].threat.level == "high" and f["HOSTNAME-VERIFICATION-OFF"].setting.line == 9
    assert "CORS-ANY-ORIGIN" not in f and f["CORS-ANY-ORIGIN-CREDENTIALS"].threat.level == "high"  # '*' with credentials
    assert f["TOKEN-FORWARDED"].setting.line == 12
    assert f["ANALYTICS-PAYLOADS"].setting.line == 25
    assert f["LONG-ACCESS-TOKEN"].setting.value == 86400
    assert "TOKENS-NOT-CERT-BOUND" not in f
    assert a.settings["analytics.send_payloads"].value is True


def test_empty_file_is_all_defaults():
    a = audit_text("", "deployment.toml")
    found = findings_of(a)
    assert found and all(f.setting.line == 0 for f in found)
    assert all(s.line == 0 for s in a.settings.values())
    assert "WSO2CFG-DEFAULT-ADMIN" not in by_id(a)  # no product default for super_admin
    assert {"WSO2CFG-LEGACY-TLS-GATEWAY", "WSO2CFG-PLAINTEXT-GATEWAY", "WSO2CFG-CORS-ANY-ORIGIN", "WSO2CFG-H2-DATABASE",
            "WSO2CFG-DEFAULT-KEYSTORE-PASSWORD"} <= set(by_id(a))


@pytest.mark.parametrize("text,expected", [
    ('HttpsProtocols = "TLSv1.2, TLSv1.3"', ["TLSv1.2", "TLSv1.3"]),
    ('HttpsProtocols = ["TLSv1.2", "TLSv1.3"]', ["TLSv1.2", "TLSv1.3"]),
    ('HttpsProtocols = "TLSv1.2+TLSv1.3"', ["TLSv1.2", "TLSv1.3"]),
    ('HttpsProtocols = "all -TLSv1 -TLSv1.1 -SSLv2Hello"', ["TLSv1.2", "TLSv1.3"]),
])
def test_protocol_spellings(text, expected):
    a = audit_text(f"[transport.passthru_https.listener.parameters]\n{text}\n", "d.toml")
    assert a.settings["gateway.https_protocols"].value == expected
    assert "WSO2CFG-LEGACY-TLS-GATEWAY" not in by_id(a)


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
    assert "WSO2CFG-PLAINTEXT-SECRETS" not in by_id(a2)
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
    from tmodel.sources.wso2_config.reader import _index_keys

    keys, tables = _index_keys(text)
    assert keys[("apim", "gateway", "environment", 1, "description")].line == 6
    assert keys[("event_listener", 0, "properties", "header.X-WSO2-KEY-MANAGER")].line == 21
    assert tables[("event_listener", 0, "properties")] == 20
    assert ("enable",) not in keys and ("apim", "gateway", "environment", 1, "enable") not in keys


def test_crlf_and_bom():
    text = '\ufeff[apim.cors]\r\nallow_origins = "*"\r\nallow_credentials = true\r\n'
    a = audit_text(text, "d.toml")
    f = by_id(a)["WSO2CFG-CORS-ANY-ORIGIN-CREDENTIALS"]
    assert f.threat.level == "high" and f.setting.line == 2 and f.setting.raw == '"*"'


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
    assert f"{REAL}:10: critical: Super admin account is admin/admin [WSO2CFG-DEFAULT-ADMIN]" in out
    assert f"{REAL}:171: high: CORS allows any origin [WSO2CFG-CORS-ANY-ORIGIN]" in out
    assert f"{REAL}: high: Gateway API port 8243 accepts TLS 1.0/1.1 (default) [WSO2CFG-LEGACY-TLS-GATEWAY]" in out
    assert '    [transport.passthru_https.listener.parameters] HttpsProtocols unset; product default: "TLSv1,TLSv1.1,TLSv1.2,TLSv1.3"' in out
    assert '    fix: [transport.passthru_https.listener.parameters]' in out and 'HttpsProtocols = "TLSv1.2,TLSv1.3"' in out
    assert re.search(r"\d+ finding\(s\): 1 critical, \d+ high, \d+ medium", out)
    assert "internet-facing WSO2 gateway that handles credentials" in out


def test_cli_hardened_exits_0_and_json_has_findings_and_settings():
    r = tmodel("audit", "wso2-config", str(FIX / "hardened.toml"))
    assert r.returncode == 0, r.stdout + r.stderr
    r = tmodel("audit", "wso2-config", str(REAL), "--format", "json")
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert data["summary"]["critical"] == 1 and data["summary"]["failing"] is True
    ids = [f["id"] for f in data["findings"]]
    assert "WSO2CFG-DEFAULT-ADMIN" in ids
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
    ('"Optional"', "optional", "WSO2CFG-CLIENT-CERT-OPTIONAL", "high"),
    ('"required"', "none", "WSO2CFG-CLIENT-CERT-NEVER", "high"),  # Synapse knows only optional/require: client auth off
    ('"none"', "none", "WSO2CFG-CLIENT-CERT-NEVER", "high"),
])
def test_ssl_verify_client_as_synapse_reads_it(value, expected, fid, severity):
    a = audit_text(f"[transport.passthru_https.listener.parameters]\nSSLVerifyClient = {value}\n", "d.toml")
    s = a.settings["gateway.ssl_verify_client"]
    assert s.value == expected and s.raw == value and s.line == 2
    f = by_id(a)
    if fid is None:
        assert not {"WSO2CFG-CLIENT-CERT-OPTIONAL", "WSO2CFG-CLIENT-CERT-NEVER"} & set(f)
    else:
        assert f[fid].threat.level == severity
    assert ("WSO2CFG-CERT-REVOCATION-OFF" in f) == (expected != "none")


@pytest.mark.parametrize("value,expected,fid", [
    ('"strict"', "Strict", None),
    ('"allowall"', "AllowAll", "WSO2CFG-HOSTNAME-VERIFICATION-OFF"),
    ('"Browser"', "Default", "WSO2CFG-HOSTNAME-VERIFICATION-RELAXED"),
])
def test_hostname_verifier_as_synapse_reads_it(value, expected, fid):
    a = audit_text(f"[transport.passthru_https.sender.parameters]\nHostnameVerifier = {value}\n", "d.toml")
    assert a.settings["backend.hostname_verifier"].value == expected
    ids = set(by_id(a))
    assert not ids & ({"WSO2CFG-HOSTNAME-VERIFICATION-OFF", "WSO2CFG-HOSTNAME-VERIFICATION-RELAXED"} - {fid})
    if fid:
        assert fid in ids


def test_cipher_tool_secrets_table():
    a = audit_text('[secrets]\nadmin_password = "[Bank-Admin-Pw]"\napim_db = "kHmXr0ciphertextbase64=="\n', "d.toml")
    s = a.settings["secrets.plaintext"]
    assert s.value == ["[secrets] admin_password"] and s.line == 2 and "Bank-Admin-Pw" not in s.raw


def test_websocket_and_event_receiver_defaults(real):
    f = by_id(real)
    ws = f["WSO2CFG-LEGACY-TLS-WEBSOCKET"].setting
    assert ws.value == ["TLSv1.1", "TLSv1.2"] and ws.default
    assert f["WSO2CFG-LEGACY-TLS-EVENT-RECEIVER"].threat.level == "low"
    a = audit_text('[transport.receiver]\nssl_enabled_protocols = ["TLSv1.2"]\n', "d.toml")
    assert a.settings["internal.event_receiver_protocols"].line == 2 and "WSO2CFG-LEGACY-TLS-EVENT-RECEIVER" not in by_id(a)


def test_weak_cipher_lists():
    a = audit_text('[transport.passthru_https.listener.parameters]\nPreferredCiphers = "TLS_RSA_WITH_RC4_128_SHA,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"\n', "d.toml")
    assert by_id(a)["WSO2CFG-BROKEN-CIPHERS"].threat.level == "high" and "WSO2CFG-WEAK-CIPHERS" not in by_id(a)
    a = audit_text('[transport.passthru_https.listener.parameters]\nPreferredCiphers = ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"]\n', "d.toml")
    assert by_id(a)["WSO2CFG-WEAK-CIPHERS"].threat.level == "medium" and a.settings["gateway.ciphers"].line == 2
    assert by_id(a)["WSO2CFG-WEAK-CIPHERS"].setting.line == 2


def test_rules_stay_data_the_source_only_says_what_the_file_does():
    """The configuration source gives settings; levels, finding ids and fixes live in catalogs/wso2-config.yaml."""
    src = ROOT / "tmodel" / "sources"
    text = "\n".join(p.read_text(encoding="utf-8") for p in src.rglob("*.py"))
    assert not re.search(r"\"(critical|high|medium|low)\"|WSO2CFG-|fix:", text)
