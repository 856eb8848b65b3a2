"""``tmodel import openapi``: real published API documents and our own fixtures, through the real CLI.

Every real OpenAPI file under ../shared/testdata imports, validates and analyzes; the assertions
check what was derived from each one (and where it came from). Broken inputs give located
messages and exit 2. No mocks: the CLI, the loader, the analysis and the catalogs are the real ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tests.conftest import AS_OF, SHARED

FIX = Path(__file__).resolve().parent / "fixtures" / "import" / "openapi"
BROKEN = FIX / "broken"
OA = SHARED / "testdata" / "openapi"
UK_AIS = OA / "OpenBankingUK-read-write-api-specs" / "account-info-openapi.yaml"
UK_CBPII = OA / "OpenBankingUK-read-write-api-specs" / "confirmation-funds-openapi.yaml"
UK_VRP = OA / "OpenBankingUK-read-write-api-specs" / "vrp-openapi.yaml"
PSD2 = OA / "wso2-reference-implementation-nextgenpsd2" / "psd2-api_1.3.6_20200327.yaml"
BR_ACCOUNTS = OA / "OpenBanking-Brasil-openapi" / "accounts" / "2.4.2.yml"
BR_CONSENTS = OA / "OpenBanking-Brasil-openapi" / "consents" / "3.3.1.yml"
CDS = OA / "ConsumerDataStandardsAustralia-standards" / "cds_banking.json"
PIZZA = SHARED / "testdata" / "wso2-apictl" / "wso2-product-apim-tooling" / "PizzaShackAPI-1.0.0" / "Definitions" / "swagger.yaml"
SWAGGER2 = FIX / "swagger2-documents.yaml"
OA31 = FIX / "openapi31-onboarding.yaml"

REAL = [UK_AIS, UK_CBPII, UK_VRP, PSD2, BR_ACCOUNTS, BR_CONSENTS, CDS, PIZZA]
ALL = REAL + [SWAGGER2, OA31]


def invoke(*args: str):
    from tmodel.cli import main

    return CliRunner().invoke(main, ["import", "openapi", *args])


class Imported:
    def __init__(self, spec: Path, out: Path, result):
        from tmodel.model.load import load_model

        self.spec, self.out, self.result = spec, out, result
        self.text = out.read_text(encoding="utf-8")
        self.data = yaml.safe_load(self.text)
        self.loaded = load_model(str(out))

    def flows(self, to: str = "gateway") -> list[dict]:
        return [f for f in self.data.get("flows", []) if f["to"] == to]

    def flow(self, fid: str) -> dict:
        return next(f for f in self.data["flows"] if f["id"] == fid)

    def asset(self, aid: str) -> dict | None:
        return next((a for a in self.data.get("data_assets", []) if a["id"] == aid), None)

    @property
    def findings(self) -> str:
        return self.result.stderr


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Imported]:
    out_dir = tmp_path_factory.mktemp("imported")
    done = {}
    for spec in ALL:
        out = out_dir / f"{spec.parent.name}-{spec.name}.model.yaml"
        r = invoke(str(spec), "-o", str(out))
        assert r.exit_code == 0, f"{spec}: {r.stderr}{r.exception!r}"
        done[spec.name if spec.name not in ("2.4.2.yml", "3.3.1.yml") else spec.parent.name] = Imported(spec, out, r)
    return done


def get(imported: dict[str, Imported], spec: Path) -> Imported:
    return imported[spec.name if spec.name not in ("2.4.2.yml", "3.3.1.yml") else spec.parent.name]


# --- every file: imports, validates, analyzes --------------------------------------------------

@pytest.mark.parametrize("spec", ALL, ids=lambda p: p.name)
def test_imports_validates_and_analyzes(imported, catalog, spec: Path):
    from tmodel.analysis.engine import analyze

    im = get(imported, spec)
    assert im.loaded.ok, "\n".join(p.format() for p in im.loaded.problems)
    assert not [p for p in im.loaded.problems if p.severity == "warning"], [p.format() for p in im.loaded.problems]
    a = analyze(im.loaded.model, catalog, path=str(im.out), located=im.loaded.located, as_of=AS_OF)
    assert a.threats
    ids = {e["id"] for e in im.data["elements"]}
    assert {"consumer", "gateway", "backend"} <= ids
    assert {b["id"]: b["zone"] for b in im.data["boundaries"]} == {"internet": "internet", "dmz": "dmz", "internal": "internal"}
    assert "imported" in im.data["metadata"]["tags"]
    # one consumer->gateway and one gateway->backend flow per group, and every data asset is carried
    assert len(im.flows("gateway")) == len(im.flows("backend")) >= 1
    carried = {d for f in im.data["flows"] for d in f.get("data", [])}
    assert carried == {a["id"] for a in im.data.get("data_assets", [])}


@pytest.mark.parametrize("spec", ALL, ids=lambda p: p.name)
def test_every_derived_pointer_resolves_in_the_source(imported, spec: Path):
    from tmodel.importers.common import parse_document, read_input
    from tmodel.importers.refs import Refs, decode_pointer

    im = get(imported, spec)
    located = parse_document(read_input(str(spec), "x"), str(spec), "x")
    refs = Refs(located.data, located, str(spec))
    sources = [s for sec in ("elements", "flows", "data_assets") for item in im.data.get(sec, [])
               for s in item.get("derived_from", {}).values()]
    assert sources
    for s in sources:
        label, _, rest = s.partition("#")
        assert label == str(spec)
        ptr = "#" + rest.split(" (", 1)[0]
        found, _, _ = refs.lookup(decode_pointer(ptr))
        assert found, s


# --- what each real document says ------------------------------------------------------------

def test_uk_account_info_per_operation_oauth2_both_schemes(imported):
    im = get(imported, UK_AIS)
    front = im.flows()
    grants = {f["authentication"]["grant"] for f in front}
    assert grants == {"authorization_code", "client_credentials"}
    assert all(f["authentication"]["method"] == "oauth2" for f in front)
    assert all(f["authorization"]["scopes"] == ["accounts"] for f in front)
    # no global security: every method's source is an operation's own security
    for f in front:
        src = f["derived_from"]["authentication.method"]
        assert "#/paths/" in src and "/security/0" in src
    consents = im.flow("account-access")
    assert consents["authentication"]["grant"] == "client_credentials"
    assert consents["derived_from"]["authentication.grant"].endswith("#/components/securitySchemes/TPPOAuth2Security/flows/clientCredentials")
    assert im.flow("accounts")["derived_from"]["authentication.grant"].endswith("/PSUOAuth2Security/flows/authorizationCode")
    # the server URL is relative: the source says so
    assert "is relative" in consents["derived_from"]["tls.min_version"]
    # bank data: account identification under an account object, balances
    acc = im.asset("account-data")
    assert acc["classification"] == "bank_secrecy" and {"Identification", "Balance"} <= set(acc["attributes"])
    names = im.asset("pd-person-names")
    assert names["attributes"] == ["Name"] and "OBParty2" in names["derived_from"]["id"]
    assert set(im.asset("pd-contacts")["attributes"]) >= {"EmailAddress", "Phone", "Mobile"}
    assert im.data["metadata"]["pd_level"] == "uz3" and "PLACEHOLDER" in im.text
    assert "x-namespaced-enum" in im.text  # listed as not converted
    # every UK operation declares 429: documented throttling, not proof
    assert all(f["rate_limit"] is True and "does not prove" in f["derived_from"]["rate_limit"] for f in front)


def test_uk_confirmation_of_funds_and_vrp(imported):
    cb = get(imported, UK_CBPII)
    assert {f["authentication"]["grant"] for f in cb.flows()} == {"client_credentials", "authorization_code"}
    vrp = get(imported, UK_VRP)  # CRLF line endings
    assert b"\r\n" in UK_VRP.read_bytes()
    assert all(f["authorization"]["scopes"] == ["payments"] for f in vrp.flows())
    assert "PSUOAuth2Security" in vrp.text and "declared but no operation uses it" in vrp.text


def test_psd2_empty_requirement_allows_anonymous_calls(imported):
    im = get(imported, PSD2)
    assert "accept anonymous calls" in im.findings and "{}" in im.findings
    anon = [f for f in im.flows() if f["authentication"]["method"] == "none"]
    assert anon
    for f in anon:
        assert f["derived_from"]["authentication.method"].endswith("/security/0 (the weakest of the alternatives)")
        assert "anonymous or" in f["title"]
    # TPP vs PSU operations under the same tag get separate, readable flows
    ids = {f["id"] for f in im.flows()}
    assert {"payment-initiation-service-pis-tppoauth2security", "payment-initiation-service-pis-psuoauth2security"} <= ids
    # the TPP-Notification-URI header is a URL the bank calls back
    pis = im.flow("payment-initiation-service-pis-tppoauth2security")
    assert pis["client_supplied_urls"] is True and "TPP-Notification-URI" in pis["derived_from"]["client_supplied_urls"]
    # multipart payment initiation counts as a file upload
    assert pis["file_transfer"]["direction"] in ("inbound", "both")
    cards = im.asset("card-numbers")
    assert cards["classification"] == "payment" and "maskedPan" in cards["attributes"] and cards.get("masked") is not True
    # the WSO2 extensions are listed as not converted, with the importer that reads them
    assert "x-auth-type: 42 occurrence(s)" in im.text and "read by 'tmodel import wso2'" in im.text
    # _links.balances is a hyperlink, withBalance a flag: neither is bank data
    assert "_linksAll" not in im.asset("account-data")["derived_from"]["id"]


def test_brasil_bom_and_openid_connect(imported):
    assert BR_ACCOUNTS.read_bytes().startswith(b"\xef\xbb\xbf")
    im = get(imported, BR_ACCOUNTS)
    (front,) = im.flows()
    assert front["authentication"]["method"] == "oidc"  # OpenId + OAuth2Security required together
    assert front["authentication"]["grant"] == "authorization_code"
    assert front["authorization"]["scopes"] == ["accounts", "consent:consentId", "openid"]
    assert im.data["metadata"]["title"].startswith("API Accounts")
    consents = get(imported, BR_CONSENTS)
    docs = consents.asset("pd-identity-documents")  # LoggedUserDocument.identification (a CPF)
    assert docs and "identification" in docs["attributes"] and "LoggedUserDocument" in docs["derived_from"]["id"]
    assert "BusinessEntityDocument" not in docs["derived_from"]["id"]


def test_cds_json_without_any_security(imported):
    im = get(imported, CDS)
    assert all(f["authentication"]["method"] == "none" for f in im.flows())
    assert all("declares no security requirement" in f["derived_from"]["authentication.method"] for f in im.flows())
    assert "declares no security schemes" in im.findings
    assert "x-scopes on 17 of 19 operations" in im.findings
    assert "not converted: vendor extension x-scopes" not in im.findings  # interpreted: the finding is about it
    for key in ("x-cds-type: 141 occurrence(s)", "x-conditional", "x-version"):
        assert f"vendor extension {key}" in im.text
    assert set(im.asset("account-data")["attributes"]) >= {"accountNumber", "availableBalance", "currentBalance"}
    # the server calls itself MTLS, but no scheme declares it: said, not derived; the public product
    # operations name their own plain-TLS server, and their flow says nothing of mTLS
    for f in im.flows():
        assert "tls.mutual" not in f["derived_from"]
        assert ("described as mutual TLS" in f["description"]) is (f["id"] != "banking-products"), f["id"]
    assert im.flow("banking-products")["derived_from"]["protocol"].split(" ")[0].endswith("#/paths/~1banking~1products/get/servers/0/url")


def test_pizzashack_implicit_grant_and_personal_data(imported):
    im = get(imported, PIZZA)
    assert "implicit grant" in im.findings
    assert all(f["authentication"]["grant"] == "implicit" for f in im.flows())
    assert im.asset("pd-person-names")["attributes"] == ["customerName"]
    assert im.asset("card-numbers")["attributes"] == ["creditCardNumber"]
    assert im.asset("pd-addresses")["attributes"] == ["address"]
    assert "x-wso2-production-endpoints" in im.text
    # orderId is an unformatted string: the style is left unset and the description says so
    assert all("identifiers" not in f for f in im.flows())
    assert any("Identifier style not stated for orderId" in f["description"] for f in im.flows())


# --- our fixtures ------------------------------------------------------------------------------

def test_swagger2_weak_choices(imported):
    im = get(imported, SWAGGER2)
    docs, clients, statements = im.flow("documents"), im.flow("clients"), im.flow("statements")
    for f in im.flows():  # schemes: [http, https] -> the weakest, plain http
        assert f["protocol"] == "http" and f["tls"]["min_version"] == "none"
        assert f["derived_from"]["protocol"].endswith("#/schemes/0")
    # the password grant, scopes of both operations of the group
    assert docs["authentication"] == {"method": "oauth2", "grant": "password"}
    assert docs["authorization"]["scopes"] == ["documents:read", "documents:write"]
    assert docs["identifiers"] == "incremental" and "typed as an integer" in docs["derived_from"]["identifiers"]
    assert docs["file_transfer"]["direction"] == "inbound"  # in: formData, type: file
    assert docs["derived_from"]["file_transfer.direction"].split(" ")[0].endswith("/post/parameters/0")
    # operations differ: the weakest decides and the source names it
    assert docs["rate_limit"] is False and "POST /clients/{clientId}/documents declares no 429" in docs["derived_from"]["rate_limit"]
    assert docs["schema_validation"] is False and "/post/parameters/1" in docs["derived_from"]["schema_validation"]
    # basic or an API key in the query: basic is weakest and is what the flow records; the key still leaks in the
    # URL, which the description says (api_key_in belongs to a flow authenticated by the key)
    assert clients["authentication"] == {"method": "basic"}
    assert "sends an API key in the URL query (#/securityDefinitions/queryKey/in)" in clients["description"]
    assert "schema_validation" not in clients["derived_from"] and "strict" in clients["description"]
    # accessCode, uuid ids, a PDF download; the undeclared scheme is reported, not silently used
    assert statements["authentication"] == {"method": "oauth2", "grant": "authorization_code"}
    assert statements["identifiers"] == "uuid" and statements["file_transfer"]["direction"] == "outbound"
    assert "legacyToken" in statements["description"]
    f = im.findings
    for text in ("'legacyToken', which is not declared", "HTTP basic", "API key in the URL query", "password grant",
                 "'http://docs.partner.example/api/v1' is plain http"):
        assert text in f, text
    # Russian transliteration
    assert im.asset("pd-person-names")["attributes"] == ["fio"]
    assert im.asset("pd-birth-data")["attributes"] == ["data_rozhdeniya"]
    assert im.asset("pd-identity-documents")["attributes"] == ["inn", "pasport_seriya_nomer", "snils"]
    assert im.asset("pd-contacts")["attributes"] == ["telefon"]
    assert im.asset("pd-addresses")["attributes"] == ["adres_registratsii", "ulitsa"]
    assert im.asset("account-data")["attributes"] == ["nomer_scheta"]
    assert set(clients["data"]) == {"pd-person-names", "pd-birth-data", "pd-identity-documents", "pd-contacts",
                                    "pd-addresses", "account-data"}


def test_openapi31_mtls_oidc_webhooks_and_no_false_positives(imported):
    im = get(imported, OA31)
    (front,) = im.flows()
    assert front["authentication"] == {"method": "oidc"}
    assert front["tls"] == {"min_version": "1.2", "mutual": True}
    assert "does not state the TLS version" in front["derived_from"]["tls.min_version"]
    assert front["derived_from"]["protocol"].endswith("#/servers/0/url (https; the document does not state the TLS "
                                                      "version: 1.2 is the floor to verify on the gateway)")
    assert front["identifiers"] == "uuid"  # via a parameter $ref and a schema named 'Id/uuid' (~1)
    assert front["file_transfer"]["direction"] == "inbound"  # image/jpeg body
    assert front["client_supplied_urls"] is True and front["derived_from"]["client_supplied_urls"].split(" ")[0].endswith("/callbacks")
    assert front["rate_limit"] is True and "described as mutual TLS" not in front["description"]
    assert "schema_validation" not in front["derived_from"] and "stays false until the gateway enforces" in front["description"]
    assert im.asset("pd-biometric")["pd_category"] == "biometric"
    assert im.asset("pd-health")["pd_category"] == "special"
    every_attribute = {a for d in im.data["data_assets"] for a in d["attributes"]}
    # a merchant's address and phone, a product's name, an account's name, a hyperlink, a flag: not personal data
    assert every_attribute == {"firstName", "lastName", "birthDate", "email", "facePhoto", "healthDeclaration"}
    out = im.findings
    assert "webhooks: 1" in out and "callbacks of POST /applications" in out
    assert "'wss://events.onboarding.example/v2'" in out and "not an HTTP(S) server" in out
    assert im.data["metadata"]["owner"] == "Digital onboarding team"


def test_bom_crlf_and_json_variants_import_the_same(tmp_path: Path):
    plain = SWAGGER2.read_text(encoding="utf-8")
    bom_crlf = tmp_path / "bom-crlf.yaml"
    bom_crlf.write_bytes(b"\xef\xbb\xbf" + plain.replace("\n", "\r\n").encode("utf-8"))
    as_json = tmp_path / "onboarding.json"
    as_json.write_text(json.dumps(yaml.safe_load(OA31.read_text(encoding="utf-8"))), encoding="utf-8")
    for variant, original in ((bom_crlf, SWAGGER2), (as_json, OA31)):
        a, b = invoke(str(variant)), invoke(str(original))
        assert a.exit_code == 0 and b.exit_code == 0, a.stderr
        def norm(text: str, p: Path) -> str:
            return json.dumps(yaml.safe_load(text)).replace(str(p), "SRC").replace(p.name, "SRC")

        # the same model apart from the name of the file it came from
        assert norm(a.stdout, variant) == norm(b.stdout, original)


def test_why_it_fired_names_the_document(imported, catalog):
    from tmodel.analysis.engine import analyze

    im = get(imported, SWAGGER2)
    a = analyze(im.loaded.model, catalog, path=str(im.out), located=im.loaded.located, as_of=AS_OF)
    lines = [w for t in a.threats if t.target == "documents" for w in t.why]
    assert any(f"[from {SWAGGER2}#/schemes/0" in w for w in lines), lines
    assert any(f"[from {SWAGGER2}#/securityDefinitions/partnerOAuth/flow]" in w for w in lines), lines


# --- the public API the WSO2 importer builds on ------------------------------------------------

def test_public_api_operations_and_draft():
    from tmodel.importers.common import Draft
    from tmodel.importers.openapi import build_draft, load_spec, operations

    spec = load_spec(str(PIZZA), label="PizzaShackAPI-1.0.0/Definitions/swagger.yaml")
    assert spec.version == "3.0"
    ops = operations(spec)
    assert [o.label for o in ops][:2] == ["POST /order", "GET /menu"]
    order = ops[0]
    assert order.pointer == "#/paths/~1order/post" and order.security == [{"default": []}]
    assert order.security_pointer == "#/paths/~1order/post/security"  # each operation repeats it
    assert order.extensions["x-auth-type"] == "Application & Application User"
    assert "x-wso2-application-security" in order.extensions
    draft = Draft(source="PizzaShackAPI-1.0.0", kind="wso2")
    draft.metadata["title"] = "PizzaShackAPI 1.0.0"
    draft.elements.append({"id": "gateway", "title": "WSO2 gateway (from api.yaml)", "kind": "process",
                           "technology": "wso2_gateway", "boundary": "dmz"})
    out = build_draft(spec, draft)
    assert out is draft and draft.metadata["title"] == "PizzaShackAPI 1.0.0"
    assert [e["id"] for e in draft.elements] == ["gateway", "consumer", "backend"]
    assert draft.item("elements", "gateway")["title"] == "WSO2 gateway (from api.yaml)"
    assert all(s.startswith("PizzaShackAPI-1.0.0/Definitions/swagger.yaml#/") for f in draft.flows
               for s in f["derived_from"].values())
    from tmodel.importers.openapi import flows_by_operation

    pairs = flows_by_operation(spec, draft)
    assert set(pairs) == {(o.method.upper(), o.path) for o in ops}
    front, back = pairs[("GET", "/menu")]
    assert (front["from"], front["to"], back["from"], back["to"]) == ("consumer", "gateway", "gateway", "backend")
    swagger = load_spec(str(SWAGGER2))
    docs = flows_by_operation(swagger, build_draft(swagger))
    assert docs[("POST", "/clients/{clientId}/documents")][0] is docs[("GET", "/clients/{clientId}/documents")][0]
    assert swagger.version == "2.0"
    assert [o.security for o in operations(swagger) if o.method == "put"] == [[{"basicAuth": []}, {"queryKey": []}]]


def test_pointers_and_personal_data_vocabulary():
    from tmodel.importers.pd_fields import (
        ACCOUNTS,
        ADDRESSES,
        BIRTH,
        CARDS,
        CONTACTS,
        DOCUMENTS,
        NAMES,
        classify,
    )
    from tmodel.importers.refs import decode_pointer

    assert decode_pointer("#/components/schemas/a~1b~0c") == ["components", "schemas", "a/b~c"]
    assert decode_pointer("#/paths/~1pets~1%7Bid%7D") == ["paths", "/pets/{id}"]
    cases = {
        ("dateOfBirth", ()): BIRTH, ("data_rozhdeniya", ()): BIRTH, ("birth-date", ()): BIRTH,
        ("passportNumber", ()): DOCUMENTS, ("SNILS", ()): DOCUMENTS, ("payerInn", ()): DOCUMENTS,
        ("phoneNumber", ()): CONTACTS, ("telefon", ()): CONTACTS, ("mobile", ()): CONTACTS,
        ("fullName", ()): NAMES, ("familiya", ()): NAMES, ("otchestvo", ()): NAMES, ("Name", ("Party",)): NAMES,
        ("maskedPan", ()): CARDS, ("card_number", ()): CARDS, ("iban", ()): ACCOUNTS, ("schet", ()): ACCOUNTS,
        ("Identification", ("CreditorAccount", "OBCashAccount3")): ACCOUNTS, ("adres", ()): ADDRESSES,
    }
    for (name, ctx), cat in cases.items():
        assert classify(name, ctx) is cat, name
    for name, ctx, schema in (("name", (), None), ("accountName", (), None), ("Name", ("CreditorAccount",), None),
                              ("inner", (), None), ("company", (), None), ("ipAddress", (), None),
                              ("addressLine", ("Merchant",), None), ("bankName", (), None), ("withBalance", (), {"type": "boolean"}),
                              ("balances", ("_links",), None), ("balanceType", (), None), ("interface", (), None)):
        assert classify(name, ctx, schema) is None, name


# --- broken inputs: located messages, exit 2 ---------------------------------------------------

@pytest.mark.parametrize("name, where, message", [
    ("truncated.json", "5:47", "YAML syntax error"),
    ("paths-list.yaml", "4:3", "'paths' must be a mapping, but it is a list"),
    ("operation-string.yaml", "5:10", "operation 'GET /accounts' must be a mapping, but it is a string"),
    ("ref-missing.yaml", "12:23", "$ref '#/components/schemas/X' points nowhere"),
    ("ref-loop.yaml", "12:23", "$ref chain loops back to itself without reaching any content"),
    ("ref-external.yaml", "12:23", "refers to another document"),
    ("empty.yaml", "1:1", "the file is empty"),
    ("not-openapi.yaml", "2:1", "neither an 'openapi' nor a 'swagger' key"),
    ("wrong-version.yaml", "1:10", "'openapi: 2.0' is not a version this importer reads"),
    ("security-not-list.yaml", "4:3", "'security' must be a list"),
    ("content-list.yaml", "8:11", "the request body's content of POST /payments must be a mapping, but it is a list"),
])
def test_broken_inputs_are_located(name: str, where: str, message: str):
    path = BROKEN / name
    r = invoke(str(path))
    assert r.exit_code == 2, r.stdout + r.stderr
    first = r.stderr.splitlines()[0]
    assert first.startswith(f"{path}:{where}: error: ") and message in first, r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    if name == "ref-external.yaml":
        assert "redocly bundle" in r.stderr
    if name == "ref-loop.yaml":
        assert r.stderr.count("error:") == 1  # one loop, one message


def test_self_reference_and_circular_schema(tmp_path: Path):
    me = tmp_path / "self.yaml"
    me.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
                  "components:\n  schemas:\n    A:\n      $ref: '#/components/schemas/A'\n", encoding="utf-8")
    r = invoke(str(me))
    assert r.exit_code == 2 and f"{me}:7:13: error: $ref chain loops back" in r.stderr
    # a circular *schema* (a tree of nodes) is legal: it imports
    tree = tmp_path / "tree.yaml"
    tree.write_text("openapi: 3.0.3\ninfo: {title: Tree, version: '1'}\npaths:\n  /nodes:\n    get:\n      responses:\n"
                    "        '200':\n          description: ok\n          content:\n            application/json:\n"
                    "              schema: {$ref: '#/components/schemas/Node'}\n"
                    "components:\n  schemas:\n    Node:\n      type: object\n      properties:\n"
                    "        email: {type: string}\n        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n",
                    encoding="utf-8")
    r = invoke(str(tree))
    assert r.exit_code == 0, r.stderr
    assert "pd-contacts" in r.stdout


def test_output_is_never_overwritten_without_force(tmp_path: Path):
    out = tmp_path / "model.yaml"
    out.write_text("keep me\n", encoding="utf-8")
    r = invoke(str(OA31), "-o", str(out))
    assert r.exit_code == 2 and "the file exists; nothing was written" in r.stderr
    assert out.read_text(encoding="utf-8") == "keep me\n"
    r = invoke(str(OA31), "-o", str(out), "--force")
    assert r.exit_code == 0 and out.read_text(encoding="utf-8").startswith("# yaml-language-server")


SMALL = """\
openapi: 3.0.3
info: {title: Small cases, version: '1'}
servers: [{url: 'https://api.bank.example'}]
security: [{bearer: []}]
paths:
  /accounts/{accountNumber}/statement:
    put:
      tags: [Statements]
      parameters:
        - {name: accountNumber, in: path, required: true, schema: {type: string, pattern: '^[0-9]{20}$'}}
      requestBody:
        content:
          application/octet-stream: {schema: {type: string, format: binary}}
      responses:
        '200':
          description: the signed copy
          content:
            application/pdf: {schema: {type: string, format: binary}}
  /keys/{id}:
    get:
      tags: [Keys]
      security: [{headerKey: []}]
      servers: [{url: 'http://legacy.bank.example'}]
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        '200': {description: ok}
  /health:
    get:
      tags: [Health]
      security: []
      responses:
        '200': {description: ok}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer, bearerFormat: JWT}
    headerKey: {type: apiKey, in: header, name: X-API-Key}
"""


def test_small_cases_bearer_header_key_natural_ids_files_both_ways(tmp_path: Path):
    spec = tmp_path / "small.yaml"
    spec.write_text(SMALL, encoding="utf-8")
    r = invoke(str(spec))
    assert r.exit_code == 0, r.stderr
    data = yaml.safe_load(r.stdout)
    flows = {f["id"]: f for f in data["flows"]}
    st, keys, health = flows["statements"], flows["keys"], flows["health"]
    assert st["authentication"] == {"method": "oauth2"} and "HTTP bearer token (JWT)" in st["description"]
    assert st["identifiers"] == "natural" and st["file_transfer"]["direction"] == "both"
    assert st["derived_from"]["file_transfer.direction"].split(" ")[0].endswith("/requestBody/content/application~1octet-stream")
    assert keys["authentication"] == {"method": "api_key", "api_key_in": "header"} and keys["identifiers"] == "incremental"
    assert keys["derived_from"]["authentication.api_key_in"].endswith("#/components/securitySchemes/headerKey/in")
    # an operation's own servers override the document's
    assert keys["protocol"] == "http" and keys["derived_from"]["protocol"].endswith("/get/servers/0/url")
    assert health["authentication"] == {"method": "none"}
    assert health["derived_from"]["authentication.method"].endswith("/paths/~1health/get/security (security: [] (no authentication required))")
    assert "1 operation(s) require no authentication (security: [])" in r.stderr
    assert "'http://legacy.bank.example' is plain http" in r.stderr


def test_unquoted_versions_and_documents_that_say_little(tmp_path: Path):
    s2 = tmp_path / "s2.yaml"  # swagger: 2.0 unquoted is a float in YAML: read as written
    s2.write_text("swagger: 2.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
                  "      responses: {'200': {description: ok}}\n", encoding="utf-8")
    r = invoke(str(s2))
    assert r.exit_code == 0, r.stderr
    assert "states no host and no schemes" in r.stderr and "declares no security schemes (securityDefinitions)" in r.stderr
    (front,) = [f for f in yaml.safe_load(r.stdout)["flows"] if f["to"] == "gateway"]
    assert front["derived_from"]["protocol"].startswith(f"{s2}# (the document states no host")
    o31 = tmp_path / "o31.yaml"  # openapi: 3.1 unquoted, no paths (legal in 3.1)
    o31.write_text("openapi: 3.1\ninfo: {title: t, version: '1'}\n", encoding="utf-8")
    r = invoke(str(o31))
    assert r.exit_code == 0 and "describes no operations" in r.stderr


CALLBACKS = """\
openapi: 3.1.0
info: {title: Merchant payments, version: '1'}
servers: [{url: 'https://api.bank.example'}]
security: [{queryKey: []}]
paths:
  /payments:
    post:
      tags: [Payments]
      parameters:
        - {name: Idempotency-Key, in: header, required: true, schema: {type: string, maxLength: 64}}
      responses:
        '201': {description: created}
      callbacks:
        paymentStatus:
          '{$request.body#/callbackUrl}':
            post:
              responses:
                '200': {description: ok}
    get:
      tags: [Payments]
      responses:
        '200': {description: ok}
  /refunds:
    post:
      tags: [Refunds]
      responses:
        '201': {description: created}
webhooks:
  settlement:
    post:
      responses:
        '200': {description: ok}
components:
  securitySchemes:
    queryKey: {type: apiKey, in: query, name: apikey}
"""


def test_query_keys_idempotency_keys_callbacks_and_webhooks(tmp_path: Path):
    """An apiKey in: query is api_key_in: query (not token_in_query); what the operations do and whether their
    writes declare an idempotency key header; the callbacks and 3.1 webhooks become one callback flow from the
    gateway to the consumer, its signature left unstated; and the rules read what was derived."""
    spec = tmp_path / "merchant.yaml"
    spec.write_text(CALLBACKS, encoding="utf-8")
    out = tmp_path / "merchant-model.yaml"
    r = invoke(str(spec), "-o", str(out))
    assert r.exit_code == 0, r.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    flows = {f["id"]: f for f in data["flows"]}
    pay, refunds, cb = flows["payments"], flows["refunds"], flows["callbacks"]
    assert pay["authentication"] == {"method": "api_key", "api_key_in": "query"}
    assert pay["derived_from"]["authentication.api_key_in"].endswith("#/components/securitySchemes/queryKey/in (API key in the query)")
    assert pay["operations"] == ["read", "payment_initiation"] and pay["idempotency_key"] is True
    assert pay["derived_from"]["idempotency_key"].split(" ")[0].endswith("#/paths/~1payments/post/parameters/0")
    assert refunds["operations"] == ["refund"] and refunds["idempotency_key"] is False
    assert "POST /refunds declares no idempotency key header" in refunds["derived_from"]["idempotency_key"]
    assert "operations" not in flows["payments-backend"]  # the hop behind the gateway carries the same calls
    assert (cb["from"], cb["to"], cb["callback"], cb["operations"]) == ("gateway", "consumer", True, ["notification"])
    assert "message_signing" not in cb and "paymentStatus" in cb["description"] and "settlement" in cb["description"]
    assert "callback(s) or webhook(s)" in r.stderr
    # the rules read them: the key in the URL and the refund without an idempotency key are findings, the unsigned
    # callback a question (the document does not say)
    from tmodel.cli import main

    r = CliRunner().invoke(main, ["analyze", str(out), "--format", "json"])
    found = {m["id"] for t in json.loads(r.stdout)["threats"] for m in t["members"]}
    assert {"WSO2-API-KEY-IN-QUERY@payments", "WSO2-NO-IDEMPOTENCY@refunds"} <= found
    assert "WSO2-NO-IDEMPOTENCY@payments" not in found and "WSO2-CALLBACK-UNSIGNED@callbacks" not in found
