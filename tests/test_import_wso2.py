"""``tmodel import wso2``: real apictl projects and our own fixtures through the real CLI.

The real files (PizzaShackAPI-1.0.0 and sample-api.yaml from wso2/product-apim-tooling) are read
from ../shared/testdata; the legacy 3.x layout, the api.json variant, the disagreeing project and
the broken inputs are fixtures of ours under tests/fixtures/import/wso2/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tests.conftest import AS_OF, ROOT, SHARED
from tmodel.cli import main

TOOLING = SHARED / "testdata" / "wso2-apictl" / "wso2-product-apim-tooling"
PIZZA = TOOLING / "PizzaShackAPI-1.0.0"
SAMPLE = TOOLING / "sample-api.yaml"
FIX = ROOT / "tests" / "fixtures" / "import" / "wso2"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def imported(tmp_path: Path, source: Path | str, catalog) -> tuple[dict, str, str, object]:
    """Import through the CLI; check the model validates and analyzes; (data, model text, stderr, analysis)."""
    from tmodel.analysis.engine import analyze
    from tmodel.model.load import load_model

    out = tmp_path / "model.yaml"
    r = run("import", "wso2", str(source), "-o", str(out))
    assert r.exit_code == 0, r.stderr
    lm = load_model(str(out))
    assert lm.ok, "\n".join(p.format() for p in lm.problems)
    assert not [p for p in lm.problems if p.is_error]
    analysis = analyze(lm.model, catalog, path=str(out), located=lm.located, as_of=AS_OF)
    text = out.read_text()
    return yaml.safe_load(text), text, r.stderr, analysis


def flows_to(data: dict, target: str) -> list[dict]:
    return [f for f in data["flows"] if f["to"] == target]


def findings(stderr: str) -> list[str]:
    return [ln[len("  finding: "):] for ln in stderr.splitlines() if ln.startswith("  finding: ")]


def why(analysis, threat_id: str) -> str:
    """Why a finding, or one member of a grouped finding, fired."""
    m = next(m for t in analysis.threats for m in t.members if m.id == threat_id)
    return " ".join(map(str, m.why))


# --- the real PizzaShack project -----------------------------------------------------------------

def test_pizzashack_project(tmp_path, catalog):
    data, text, err, analysis = imported(tmp_path, PIZZA, catalog)
    api = f"{PIZZA}/api.yaml"
    swagger = f"{PIZZA}/Definitions/swagger.yaml"
    assert data["metadata"]["id"] == "pizzashackapi-1.0.0"
    assert data["metadata"]["title"] == "PizzaShackAPI 1.0.0"
    assert data["metadata"]["owner"] == "Jane Roe"  # businessInformation.businessOwner
    front = flows_to(data, "gateway")
    # [oauth2, oauth_basic_auth_api_key_mandatory]: OAuth is the one way in, mandatory; no client certificate
    assert len(front) == 2 and all(f["authentication"]["method"] == "oauth2" for f in front)
    assert all(not f.get("tls", {}).get("mutual") for f in front)
    assert all(f["derived_from"]["authentication.method"] == f"{api}#/data/securityScheme/0" for f in front)
    assert all("oauth_basic_auth_api_key_mandatory: this layer is mandatory" in f["description"] for f in front)
    assert not any("client certificate only" in f["title"] for f in front)
    # the implicit oauth2 scheme named 'default' comes from the definition, and is called WSO2's placeholder
    assert all(f["authentication"]["grant"] == "implicit" for f in front)
    assert front[0]["derived_from"]["authentication.grant"] == f"{swagger}#/components/securitySchemes/default/flows/implicit"
    assert any("the one WSO2 generates" in x and "https://test.com" in x for x in findings(err))
    # Unlimited tiers: not throttled, sourced to the definition's x-throttling-tier
    assert all(f["rate_limit"] is False for f in front)
    assert front[0]["derived_from"]["rate_limit"].startswith(f"{swagger}#/paths/")
    assert front[0]["derived_from"]["rate_limit"].endswith("/x-throttling-tier")
    # transport [http, https]: https kept for the calls, plaintext listener on the gateway
    gw = next(e for e in data["elements"] if e["id"] == "gateway")
    assert gw["plaintext_listener"] is True and gw["derived_from"]["plaintext_listener"] == f"{api}#/data/transport/0"
    assert all(f["protocol"] == "https" and f["tls"]["min_version"] == "1.2" for f in front)
    assert "clear text too" in front[0]["description"]
    # CORS: x-wso2-cors agrees with corsConfiguration (no disagreement); the API's CORS is off, so the global one applies
    assert not [x for x in findings(err) if "disagree" in x]
    assert any(x.startswith("corsConfiguration is disabled but lists origin '*'") for x in findings(err))
    assert "[apim.cors]" in gw["description"]
    assert "x-wso2-cors" not in text.split("format_version")[0]  # read, so not listed as not converted
    # personal and card data from the definition's schemas reach the flows
    assert {"card-numbers", "pd-person-names", "pd-addresses"} <= {a["id"] for a in data["data_assets"]}
    assert "card-numbers" in next(f for f in front if "POST /order" in f["title"])["data"]
    # sandbox endpoint == production endpoint
    assert any(x.startswith("the sandbox endpoint is the production endpoint") for x in findings(err))
    # the analysis shows where the facts came from
    ids = {m.id for t in analysis.threats for m in t.members}
    assert "OWASP-API8-PLAINTEXT-LISTENER@gateway" in ids
    assert f"[from {api}#/data/transport/0]" in why(analysis, "OWASP-API8-PLAINTEXT-LISTENER@gateway")
    rl = next(i for i in ids if i.startswith("OWASP-API4-NO-RATE-LIMIT@calls-"))
    assert "/x-throttling-tier]" in why(analysis, rl)
    assert any(t.startswith("FAPI-IMPLICIT@") for t in ids)


# --- the real standalone sample-api.yaml ---------------------------------------------------------

def test_sample_api_yaml_standalone(tmp_path, catalog):
    data, text, err, analysis = imported(tmp_path, SAMPLE, catalog)
    src = str(SAMPLE)
    fs = findings(err)
    # the backend password is reported as a clear-text secret, by its location, never by its value
    secret = [x for x in fs if x.startswith("secret exported in clear text")]
    assert len(secret) == 1
    assert f"{src}#/data/endpointConfig/endpoint_security/production/password" in secret[0]
    assert "value not shown" in secret[0]
    assert "admin" not in secret[0].replace(src, "")
    for blob in (text, err):
        assert "password: admin" not in blob and "admin/admin" not in blob
        assert "'admin'" not in blob
    backend = next(e for e in data["elements"] if e["id"] == "backend")
    assert backend["default_credentials"] is True
    assert backend["derived_from"]["default_credentials"].endswith("/endpoint_security/production/password")
    back = flows_to(data, "backend")
    assert back[0]["authentication"]["method"] == "basic"
    assert "backend-credentials" in back[0]["data"]
    # CORS '*', Unlimited, http transport; inline operations become the flows (no definition beside it)
    assert any("origin '*'" in x for x in fs)
    assert any(x.startswith("apiThrottlingPolicy is Unlimited") for x in fs)
    assert any(x.startswith("subscription tier Unlimited is offered") for x in fs)
    assert any(x.startswith("transport includes http") for x in fs)
    front = flows_to(data, "gateway")
    assert len(front) == 1 and "DELETE /order/{orderId}" in front[0]["title"]
    assert front[0]["rate_limit"] is False
    assert front[0]["derived_from"]["rate_limit"] == f"{src}#/data/apiThrottlingPolicy"
    assert front[0]["schema_validation"] is False
    # the sample has no authType None operation: nothing reported as unauthenticated
    assert not any("authType None" in x for x in fs)
    assert "OWASP-API8-DEFAULT-CREDENTIALS@backend" in {t.id for t in analysis.threats}
    # what is not interpreted is listed once per key
    unmapped = [ln for ln in err.splitlines() if ln.startswith("  not converted: ")]
    keys = [ln.split(" data.")[1].split(" ")[0] for ln in unmapped if " data." in ln]
    assert keys and len(keys) == len(set(keys)) and "gatewayType" in keys


def test_folder_of_projects_points_at_them(tmp_path):
    r = run("import", "wso2", str(TOOLING))
    assert r.exit_code == 2
    assert "not an apictl API project" in r.stderr and "PizzaShackAPI-1.0.0/" in r.stderr


# --- our fixtures ------------------------------------------------------------------------------------

def test_legacy_3x_layout(tmp_path, catalog):
    data, text, err, analysis = imported(tmp_path, FIX / "legacy-3x", catalog)
    api = f"{FIX / 'legacy-3x'}/Meta-information/api.yaml"
    fs = findings(err)
    assert data["metadata"]["id"] == "cardaccounts-2.1.0" and data["metadata"]["owner"] == "Head of Cards"
    assert "API Manager 3.x" in data["metadata"]["description"]
    # apiSecurity 'oauth2,basic_auth,api_key': any one suffices, the weakest (basic) decides
    assert any("the weakest (basic_auth) decides" in x for x in fs)
    front = flows_to(data, "gateway")
    authed = [f for f in front if f["authentication"]["method"] != "none"]
    assert authed and all(f["authentication"]["method"] == "basic" for f in authed)
    assert authed[0]["derived_from"]["authentication.method"] == f"{api}#/apiSecurity"
    # transports: http,https (a comma string)
    gw = next(e for e in data["elements"] if e["id"] == "gateway")
    assert gw["plaintext_listener"] is True and gw["derived_from"]["plaintext_listener"] == f"{api}#/transports"
    # authType None on /health: its own flow, no authentication
    health = next(f for f in front if "/health" in f["title"])
    assert health["authentication"]["method"] == "none" and "no authentication" in health["title"]
    assert any("authType None" in x and "GET /health" in x for x in fs)
    # Application_User + Gold tier + scope
    acc = next(f for f in front if f["title"].startswith("GET /accounts/{accountId}") and "statement" not in f["title"])
    assert acc["rate_limit"] is True and acc["authorization"]["scopes"] == ["accounts_read"]
    assert "authType Application User" in acc["description"]
    # endpointConfig as a JSON string: http production backend, a separate sandbox backend
    back = flows_to(data, "backend")
    assert back and all(f["protocol"] == "http" and f["tls"]["min_version"] == "none" for f in back)
    assert back[0]["derived_from"]["protocol"] == f"{api}#/endpointConfig (JSON string) /production_endpoints/url"
    assert any(e["id"] == "sandbox-backend" for e in data["elements"])
    sandbox = flows_to(data, "sandbox-backend")[0]
    assert sandbox["protocol"] == "https"
    # endpointUTPassword in clear text, value never shown
    assert any(x.startswith(f"secret exported in clear text: {api}#/endpointUTPassword") for x in fs)
    assert "N0t-In-Git-Please" not in text + err
    # DEPRECATED, CORS '*' with credentials, caching of personal data, visibility public
    assert any("DEPRECATED" in x for x in fs)
    assert any("'*'" in x and "accessControlAllowCredentials true" in x for x in fs)
    assert any(x.startswith("response caching is on") and "personal data" in x for x in fs)
    assert any(x.startswith("visibility PUBLIC") for x in fs)
    assert not [x for x in fs if "disagree" in x]
    assert "OWASP-API8-PLAINTEXT-LISTENER@gateway" in {t.id for t in analysis.threats}


def test_legacy_api_yaml_passed_as_a_file(tmp_path, catalog):
    data, _, _, _ = imported(tmp_path, FIX / "legacy-3x" / "Meta-information" / "api.yaml", catalog)
    assert "API Manager 3.x" in data["metadata"]["description"]
    assert any("/health" in f["title"] for f in data["flows"])  # the definition beside it was read
    assert "Meta-information/swagger.yaml#/paths/" in yaml.safe_dump(data)


def test_api_json_variant_with_optional_layers(tmp_path, catalog):
    data, text, err, _ = imported(tmp_path, FIX / "api-json", catalog)
    api = f"{FIX / 'api-json'}/api.json"
    fs = findings(err)
    front = flows_to(data, "gateway")
    # [mutualssl, oauth2], neither mandatory: OAuth without a certificate, or a certificate without a token
    oauth = next(f for f in front if f["authentication"]["method"] == "oauth2")
    cert = next(f for f in front if f["authentication"]["method"] == "mtls")
    assert oauth["tls"]["mutual"] is False and cert["tls"]["mutual"] is True
    assert oauth["derived_from"]["tls.mutual"] == f"{api}#/data/securityScheme/0"
    assert any("neither marked mandatory" in x for x in fs)
    # authType Application: client credentials; scopes only where there is a token
    assert oauth["authentication"]["grant"] == "client_credentials"
    assert oauth["authorization"]["scopes"] == ["payments"]
    assert not cert.get("authorization", {}).get("scopes")
    # apiThrottlingPolicy Gold; enableSchemaValidation true over a strict schema
    assert oauth["rate_limit"] is True and oauth["derived_from"]["rate_limit"] == f"{api}#/data/apiThrottlingPolicy"
    assert oauth["schema_validation"] is True
    assert oauth["derived_from"]["schema_validation"] == f"{api}#/data/enableSchemaValidation"
    assert oauth["identifiers"] == "uuid"  # from the definition
    # http backend, OAuth endpoint security, secrets in clear text (never printed)
    back = flows_to(data, "backend")[0]
    assert back["protocol"] == "http" and back["tls"]["min_version"] == "none"
    assert back["authentication"] == {"method": "oauth2", "grant": "client_credentials"}
    assert any("endpoint_security/production/clientSecret" in x for x in fs)
    assert any("additional property 'partnerClientSecret'" in x for x in fs)
    for secret in ("cs-123456789", "tpp-shared-9f8e7d"):
        assert secret not in text and secret not in err
    gw = next(e for e in data["elements"] if e["id"] == "gateway")
    assert not gw.get("plaintext_listener")


def test_disagreements_between_api_yaml_and_definition(tmp_path, catalog):
    data, _, err, _ = imported(tmp_path, FIX / "disagree", catalog)
    api = f"{FIX / 'disagree'}/api.yaml"
    sw = f"{FIX / 'disagree'}/Definitions/swagger.yaml"
    fs = [x for x in findings(err)]
    dis = [x for x in fs if "disagree on" in x]

    def one(what: str) -> str:
        hits = [x for x in dis if f"disagree on {what}" in x]
        assert len(hits) == 1, (what, dis)
        return hits[0]

    auth = one("the auth type of GET /menu")
    assert f"api.yaml says 'Application & Application User' at {api}#/data/operations/0/authType" in auth
    assert f"swagger.yaml says 'None' at {sw}#/paths/~1menu/get/x-auth-type" in auth
    assert "the model uses the definition's value" in auth
    assert "'Gold'" in one("the throttling tier of GET /menu")
    assert "orders_admin" in one("the scopes of POST /orders")
    assert "api_key" in one("the application-level security")
    assert f"{sw}#/x-wso2-transports" in one("the transports")
    assert "http://menu.bank.internal/api" in one("the production endpoints")
    assert f"{sw}#/x-wso2-cors/accessControlAllowOrigins" in one("CORS accessControlAllowOrigins")
    assert "/menu/1.0.0" in one("the base path")
    assert all("the model uses api.yaml" in x for x in dis if "x-wso2" in x)
    assert any("in api.yaml but not in swagger.yaml: GET /legacy" in x for x in fs)
    assert any("in swagger.yaml but not in api.yaml: POST /admin/reset" in x for x in fs)
    # the model follows the definition per operation and api.yaml for the API
    front = flows_to(data, "gateway")
    menu = next(f for f in front if "GET /menu" in f["title"])
    assert menu["authentication"]["method"] == "none"
    assert any("POST /admin/reset" in f["title"] for f in front)
    assert not any("/legacy" in f["title"] for f in front)
    gw = next(e for e in data["elements"] if e["id"] == "gateway")
    assert not gw.get("plaintext_listener")  # api.yaml says https only
    assert flows_to(data, "backend")[0]["protocol"] == "https"


@pytest.mark.parametrize("schemes,expect", [
    # (methods, tls.mutual) of the consumer flows
    ("[mutualssl, mutualssl_mandatory, oauth2]", [("mtls", True)]),
    ("[mutualssl, oauth2, oauth_basic_auth_api_key_mandatory]", [("oauth2", False)]),
    ("[mutualssl, mutualssl_mandatory, oauth2, oauth_basic_auth_api_key_mandatory]", [("oauth2", True)]),
    ("[mutualssl, api_key]", [("api_key", False), ("mtls", True)]),
    ("[oauth2, api_key, oauth_basic_auth_api_key_mandatory]", [("api_key", None)]),
    ("[mutualssl]", [("mtls", True)]),
    ("[]", [("oauth2", None)]),
])
def test_security_scheme_semantics(tmp_path, schemes, expect):
    from tmodel.importers.wso2_project import build

    (tmp_path / "api.yaml").write_text(
        "type: api\nversion: v4.7.0\ndata:\n  name: S\n  version: 1.0.0\n  context: /s\n  transport: [https]\n"
        f"  securityScheme: {schemes}\n  operations:\n    - {{target: /a, verb: GET, authType: Application}}\n")
    draft = build(str(tmp_path))
    got = [(f["authentication"]["method"], f.get("tls", {}).get("mutual")) for f in draft.flows if f["to"] == "gateway"]
    assert got == expect
    if schemes == "[]":
        assert any("WSO2 then protects the API with OAuth 2.0" in x for x in draft.findings)


def test_anonymous_operation_is_not_throttled_by_subscription_tiers(tmp_path):
    from tmodel.importers.wso2_project import build

    (tmp_path / "api.yaml").write_text(
        "type: api\nversion: v4.7.0\ndata:\n  name: S\n  version: 1.0.0\n  transport: [https]\n  policies: [Gold]\n"
        "  securityScheme: [oauth2]\n  operations:\n    - {target: /a, verb: GET}\n"
        "    - {target: /open, verb: GET, authType: None}\n")
    draft = build(str(tmp_path))
    a = next(f for f in draft.flows if f["title"] == "GET /a")
    anon = next(f for f in draft.flows if f["title"].startswith("GET /open"))
    assert a["rate_limit"] is True and a["derived_from"]["rate_limit"].endswith("#/data/policies/0")
    assert "rate_limit" not in anon and "no subscription tier applies" in anon["description"]


# --- broken inputs: located messages, exit 2, never a traceback --------------------------------------

@pytest.mark.parametrize("name,expect", [
    ("bad-types", ["api.yaml:7:19: error: 'securityScheme' must be a list", "api.yaml:10:5: error: 'operations' must be a list"]),
    ("product", ["api.yaml:1:7: error: this apictl file is of type 'api_product'", "export each API it uses"]),
    ("empty", ["api.yaml:1:1: error: the file is empty"]),
    ("broken-ref", ["Definitions/swagger.yaml:12:23: error: $ref '#/components/schemas/Missing' points nowhere"]),
    ("bad-endpoint-json", ["Meta-information/api.yaml:5:17: error: 'endpointConfig' is a JSON string that cannot be read"]),
])
def test_broken_projects(name, expect):
    r = run("import", "wso2", str(FIX / name))
    assert r.exit_code == 2, r.output
    for e in expect:
        assert e in r.stderr
    assert "Traceback" not in r.output + r.stderr and not r.stdout


def test_missing_and_empty_folders_and_wrong_files(tmp_path):
    r = run("import", "wso2", str(tmp_path / "nope"))
    assert r.exit_code == 2 and "no such file or folder" in r.stderr and "hint:" in r.stderr
    r = run("import", "wso2", str(tmp_path))
    assert r.exit_code == 2 and "not an apictl API project" in r.stderr and "Definitions/swagger.yaml" in r.stderr
    r = run("import", "wso2", str(FIX / "disagree" / "Definitions" / "swagger.yaml"))
    assert r.exit_code == 2 and "this is an OpenAPI document, not an apictl api.yaml" in r.stderr
    assert "tmodel import openapi" in r.stderr


def test_output_is_never_overwritten_without_force(tmp_path):
    out = tmp_path / "model.yaml"
    out.write_text("keep me\n")
    r = run("import", "wso2", str(SAMPLE), "-o", str(out))
    assert r.exit_code == 2 and "the file exists; nothing was written" in r.stderr
    assert out.read_text() == "keep me\n"
    r = run("import", "wso2", str(SAMPLE), "-o", str(out), "--force")
    assert r.exit_code == 0 and out.read_text().startswith("# yaml-language-server")


def test_copied_project_labels_sources_as_given(tmp_path, monkeypatch):
    shutil.copytree(FIX / "api-json", tmp_path / "proj")
    monkeypatch.chdir(tmp_path)
    r = run("import", "wso2", "proj")
    assert r.exit_code == 0, r.stderr
    assert "proj/api.json#/data/securityScheme/0" in r.stdout
    assert "proj/Definitions/swagger.json#/paths/" in r.stdout


def test_pizzashack_api_yaml_passed_as_a_file():
    from tmodel.importers.wso2_project import build

    draft = build(str(PIZZA / "api.yaml"))
    assert draft.findings and not [x for x in draft.findings if "disagree" in x]
    front = [f for f in draft.flows if f["to"] == "gateway"]
    assert front[0]["derived_from"]["rate_limit"].startswith(f"{PIZZA}/Definitions/swagger.yaml#/paths/")


def test_unpaired_openapi_flows_still_carry_the_data(monkeypatch):
    """If the OpenAPI draft's flows cannot be paired with operations, no data is lost, and it says so."""
    from tmodel.importers import openapi
    from tmodel.importers.wso2_project import build

    monkeypatch.setattr(openapi, "flows_by_operation", lambda spec, draft: {})
    draft = build(str(PIZZA))
    assert any("could not be paired" in x for x in draft.findings)
    for f in (f for f in draft.flows if f["to"] == "gateway"):
        assert "card-numbers" in f["data"]


def test_other_api_settings_become_findings(tmp_path, catalog):
    (tmp_path / "api.yaml").write_text("""\
type: api
version: v4.7.0
data:
  name: Misc
  version: 3.0.0
  context: /misc/{version}
  lifeCycleStatus: RETIRED
  transport: [http]
  securityScheme: [api_key]
  apiKeyHeader: X-Key
  subscriptionAvailability: ALL_TENANTS
  advertiseInfo: {advertised: true}
  mediationPolicies: [{name: log-everything, type: in}]
  websubSubscriptionConfiguration: {secret: "ws-secret-42"}
  partnerToken: "tok-should-not-show"
  responseCachingEnabled: true
  cacheTimeout: 60
  endpointConfig:
    endpoint_type: load_balance
    production_endpoints: [{url: "https://a.bank.internal"}, {url: "http://b.bank.internal"}]
    endpoint_security:
      production: {enabled: true, type: DIGEST, username: gw, password: "$secret{misc_backend}"}
  operations:
    - {target: /x, verb: GET, authType: Application User, operationPolicies: {request: [{policyName: addHeader}]}}
""")
    data, text, err, _ = imported(tmp_path, tmp_path, catalog)
    fs = findings(err)
    for needle in ("lifeCycleStatus RETIRED", "subscriptionAvailability ALL_TENANTS", "advertise-only API",
                   "mediation policies run on the gateway", "the WebSub subscription secret", "response caching is on",
                   "transport includes http", "production endpoint http://b.bank.internal is plain HTTP"):
        assert any(needle in x for x in fs), needle
    for secret in ("ws-secret-42", "tok-should-not-show"):
        assert secret not in text + err
    assert "partnerToken = (value not shown)" in err
    assert not any("misc_backend" in x for x in fs)  # a $secret{} reference is not a clear-text secret
    front = flows_to(data, "gateway")[0]
    assert front["protocol"] == "http" and front["tls"]["min_version"] == "none"
    assert front["authentication"]["method"] == "api_key"
    assert "addHeader" in front["description"] and "X-Key" in next(
        e for e in data["elements"] if e["id"] == "gateway")["description"]
    back = flows_to(data, "backend")[0]
    assert back["protocol"] == "http" and back["authentication"]["method"] == "basic"  # DIGEST is password-based
    assert "HTTP Digest" in back["description"]


def test_hand_written_legacy_project_with_production_url(tmp_path, catalog):
    """The smallest 3.x style: productionUrl/sandboxUrl, no operations and no definition."""
    meta = tmp_path / "Canais" / "Meta-information"
    meta.mkdir(parents=True)
    (meta / "api.yaml").write_text(
        "id:\n  providerName: admin\n  apiName: Canais\n  version: 1.0.0-rc5.2\ntype: HTTP\n"
        "context: \"/open-banking/channels/v1\"\navailableTiers:\n- name: Unlimited\nstatus: CREATED\n"
        "visibility: public\ntransports: http,https\nproductionUrl: 'https://<YOUR_INTERNAL_SYSTEM>'\n"
        "sandboxUrl: https://<YOUR_INTERNAL_SYSTEM>\n")
    data, _, err, _ = imported(tmp_path, tmp_path / "Canais", catalog)
    fs = findings(err)
    assert data["metadata"]["id"] == "canais-1.0.0-rc5.2"
    assert any("lists no operations and there is no API definition" in x for x in fs)
    assert any("WSO2 then protects the API with OAuth 2.0" in x for x in fs)  # no apiSecurity stated
    front = flows_to(data, "gateway")
    assert len(front) == 1 and front[0]["authentication"]["method"] == "oauth2"
    assert front[0]["rate_limit"] is False  # only the Unlimited subscription tier is offered
    back = flows_to(data, "backend")[0]
    assert back["derived_from"]["protocol"].endswith("Meta-information/api.yaml#/productionUrl")
    assert "placeholder" in back["description"]
    assert any("sandbox endpoint is the production endpoint" in x for x in fs)


def test_smallest_api_yaml_still_gives_a_valid_model(tmp_path, catalog):
    """No securityScheme value, no transport, no operations, no endpoints: every https flow still needs a TLS
    version, so the importer sets an announced placeholder instead of writing a model that does not validate."""
    api = tmp_path / "api.yaml"
    api.write_text("type: api\nversion: v4.7.0\ndata:\n  name: Bare\n  version: 1.0.0\n  context: /bare\n"
                   "  securityScheme:\n", encoding="utf-8")
    data, _out, err, _a = imported(tmp_path, api, catalog)
    assert all(f["tls"]["min_version"] == "1.2" for f in data["flows"])
    assert all("placeholder" in f["derived_from"]["tls.min_version"] for f in data["flows"])
    assert any("placeholder; set the real TLS version" in x for x in findings(err))
