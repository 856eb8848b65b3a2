"""tmodel import threagile / threat-dragon: the real files under ../shared/testdata import through the
CLI, validate and analyze; broken inputs give located messages and exit 2.

Each real file is imported once per session (in-process CLI) and the tests read the result.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tests.conftest import AS_OF, SHARED

FIX = Path(__file__).parent / "fixtures" / "import" / "migrate"
THREAGILE = SHARED / "testdata" / "threagile" / "Threagile-threagile"
TD = SHARED / "testdata" / "threat-dragon" / "OWASP-threat-dragon"
EXAMPLE, STUB = THREAGILE / "example" / "threagile.yaml", THREAGILE / "stub" / "threagile.yaml"
DEMO, PAYMENT = TD / "v2-threat-model.json", TD / "payment-online.json"

pytestmark = pytest.mark.skipif(not EXAMPLE.exists(), reason="shared test data not available")


def cli(*args: str):
    from tmodel.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@dataclass
class Imported:
    source: Path
    out: Path
    stderr: str
    model: dict

    def section(self, name: str) -> dict[str, dict]:
        return {x["id"]: x for x in self.model.get(name, [])}

    @property
    def header(self) -> str:
        return "".join(ln for ln in self.out.read_text(encoding="utf-8").splitlines(True) if ln.startswith("#"))


_cache: dict[tuple[str, str], Imported] = {}


def imported(kind: str, source: Path, tmp_path_factory) -> Imported:
    key = (kind, str(source))
    if key not in _cache:
        out = tmp_path_factory.mktemp("imp") / "model.yaml"
        r = cli("import", kind, str(source), "-o", str(out))
        assert r.exit_code == 0, r.output
        _cache[key] = Imported(source, out, r.stderr, yaml.safe_load(out.read_text(encoding="utf-8")))
    return _cache[key]


@pytest.fixture
def example(tmp_path_factory):
    return imported("threagile", EXAMPLE, tmp_path_factory)


@pytest.fixture
def demo(tmp_path_factory):
    return imported("threat-dragon", DEMO, tmp_path_factory)


@pytest.fixture
def payment(tmp_path_factory):
    return imported("threat-dragon", PAYMENT, tmp_path_factory)


# --- every real file: imports, validates, analyzes ----------------------------------------------

@pytest.mark.parametrize("kind,source", [("threagile", EXAMPLE), ("threagile", STUB),
                                         ("threat-dragon", DEMO), ("threat-dragon", PAYMENT)],
                         ids=["threagile-example", "threagile-stub", "td-v2-demo", "td-payment-online"])
def test_real_file_imports_validates_and_analyzes(kind, source, tmp_path_factory):
    imp = imported(kind, source, tmp_path_factory)
    v = cli("validate", str(imp.out))
    assert v.exit_code == 0, v.output
    a = cli("analyze", str(imp.out), "--format", "json", "--as-of", AS_OF.isoformat())
    assert a.exit_code == 0, a.output
    data = json.loads(a.stdout)
    assert data["threats"] or data["unknowns"], "an imported model should give the analysis something to say"
    # the analysis shows where imported facts came from
    assert not data["threats"] or any("[from " in line for t in data["threats"] for line in t["why"])
    # every element sits in a boundary, every flow end exists, titles and texts fit the format
    m = imp.model
    boundaries = {b["id"] for b in m["boundaries"]}
    elements = {e["id"] for e in m["elements"]}
    assert all(e["boundary"] in boundaries for e in m["elements"])
    assert all(f["from"] in elements and f["to"] in elements for f in m.get("flows", []))
    for section in ("data_assets", "boundaries", "elements", "flows"):
        for item in m.get(section, []):
            assert 1 <= len(item["title"]) <= 200 and len(item.get("description", "")) <= 4000


def test_import_is_deterministic(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert cli("import", "threagile", str(EXAMPLE), "-o", str(a)).exit_code == 0
    assert cli("import", "threagile", str(EXAMPLE), "-o", str(b)).exit_code == 0
    assert a.read_text() == b.read_text()


# --- Threagile: the example model ----------------------------------------------------------------

def test_threagile_example_counts_match_the_source(example):
    m = example.model
    assert len(m["elements"]) == 14  # technical assets
    assert len(m["flows"]) == 20  # communication links
    assert len(m["data_assets"]) == 12
    boundaries = example.section("boundaries")
    assert {"web-dmz", "erp-dmz", "application-network", "auth-env", "dev-network"} <= set(boundaries)
    # the two internet: true clients outside every boundary get an explicit internet boundary
    assert set(boundaries) - {"web-dmz", "erp-dmz", "application-network", "auth-env", "dev-network"} == {"internet"}
    els = example.section("elements")
    assert els["customer-client"]["boundary"] == els["external-dev-client"]["boundary"] == "internet"
    assert boundaries["internet"]["zone"] == "internet"


def test_threagile_merge_keys_and_date_survive(example):
    da = example.section("data_assets")
    # 'Customer Operational Data' merges confidentiality and quantity from '&customer-contracts'
    cod = da["customer-operational-data"]
    assert (cod["classification"], cod["volume"]) == ("confidential", "high")
    assert cod["derived_from"]["classification"].endswith("threagile.yaml:127")  # the anchor's line
    assert cod["derived_from"]["volume"].endswith("threagile.yaml:126")
    # own keys win over merged ones
    assert da["contract-summaries"]["volume"] == "minimal"
    assert da["contract-summaries"]["derived_from"]["volume"].endswith(":139")
    mm = da["marketing-material"]  # merges '&client-application-code'
    assert (mm["classification"], mm["volume"]) == ("public", "minimal")
    assert da["customer-accounts"]["classification"] == "confidential"  # strictly-confidential
    assert example.model["metadata"]["reviewed_on"].isoformat() == "2020-07-01"
    assert example.model["metadata"]["title"] == "Some Example Application"


FIELD_KEYS = {
    "kind": ("type",), "technology": ("technology",), "encrypted_at_rest": ("encryption",),
    "classification": ("confidentiality",), "volume": ("quantity",), "protocol": ("protocol",),
    "tls.min_version": ("protocol",), "authentication.method": ("authentication",), "tls.mutual": ("authentication",),
    "authorization.ip_allowlist": ("ip_filtered",), "to": ("target",),
    "data": ("data_assets_sent", "data_assets_received"), "pd_category": ("justification_cia_rating", "description", "tags"),
}


def test_threagile_sources_point_at_the_right_lines(example):
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    titles = {e["id"]: e["title"] for e in example.model["elements"]}
    checked = 0
    for section in ("data_assets", "elements", "flows"):
        for item in example.model[section]:
            for field, src in item["derived_from"].items():
                path, _, n = src.rpartition(":")
                assert path == str(EXAMPLE)
                text = lines[int(n) - 1].strip()
                if field in FIELD_KEYS:
                    assert text.split(":")[0] in FIELD_KEYS[field], (item["id"], field, text)
                elif field == "boundary":  # the list entry in technical_assets_inside, or the internet flag
                    assert text.startswith("- ") or text.startswith("internet:"), (item["id"], text)
                elif field == "from":  # the key of the asset that holds the link
                    assert text.split(":")[0] == titles[item["from"]], (item["id"], text)
                else:  # '': the item's own key (its name is the title)
                    assert text.split(":")[0] == item["title"], (item["id"], text)
                checked += 1
    assert checked > 200
    flows = example.section("flows")
    assert flows["customer-traffic"]["derived_from"]["protocol"].endswith(":322")
    assert example.section("elements")["sql-database"]["derived_from"]["encrypted_at_rest"].endswith(":914")


def test_threagile_mapping_of_technologies_protocols_and_authentication(example):
    els, flows = example.section("elements"), example.section("flows")
    tech = {k: v["technology"] for k, v in els.items()}
    assert tech["customer-client"] == "web_app"  # browser
    assert tech["load-balancer"] == "load_balancer"
    assert tech["apache-webserver"] == "backend_service"  # server side, not the browser's web_app
    assert tech["identity-provider"] == "identity_provider"
    assert tech["sql-database"] == "database" and tech["contract-file-server"] == "file_storage"
    assert tech["git-repo"] == "other" and "sourcecode-repository" in els["git-repo"]["description"]
    assert (els["ldap-auth-server"]["kind"], tech["ldap-auth-server"]) == ("data_store", "database")
    assert els["sql-database"]["encrypted_at_rest"] is True and els["contract-file-server"]["encrypted_at_rest"] is False
    ct = flows["customer-traffic"]
    assert (ct["protocol"], ct["tls"]["min_version"]) == ("https", "1.2")
    assert "does not state" in ct["description"] or "states no version" in ct["description"]
    assert (flows["web-application-traffic"]["protocol"], flows["web-application-traffic"]["tls"]["min_version"]) == ("http", "none")
    ssh = flows["git-repo-code-write-access"]
    assert (ssh["protocol"], ssh["authentication"]["method"]) == ("sftp", "ssh_key")  # client-certificate over SSH
    assert flows["user-management-access"]["protocol"] == "ldap" and flows["user-management-access"]["tls"]["min_version"] == "1.2"
    assert flows["database-traffic"]["authentication"]["method"] == "basic"  # credentials
    assert "VPN" in flows["erp-internal-access"]["description"]
    # sent and received data both ride on the flow
    assert set(ct["data"]) == {"customer-accounts", "customer-operational-data", "customer-contracts",
                               "client-application-code", "marketing-material"}


def test_threagile_personal_data_only_where_the_text_says_so(example):
    da = example.section("data_assets")
    assert da["customer-contracts"]["pd_category"] == "general"
    assert "pd_category" not in da["erp-logs"]  # "Logs should not contain PII data": negated
    assert example.model["metadata"]["pd_level"] == "uz3"
    assert "placeholder" in example.stderr


def test_threagile_out_of_scope_assets_are_converted_and_said(example):
    els = example.section("elements")
    for eid in ("customer-client", "backoffice-client", "backend-admin-client", "external-dev-client"):
        assert els[eid]["description"].startswith("Out of scope in Threagile")
    assert "Owned and managed by end-user customer" in els["customer-client"]["description"]
    assert re.search(r"finding: out of scope in Threagile: customer-client", example.stderr)


def test_threagile_unconverted_content_is_listed_with_lines(example):
    err, header = example.stderr, example.header
    for rid in ("untrusted-deserialization@erp-system", "ldap-injection@*@ldap-auth-server@*", "unencrypted-asset@*",
                "missing-authentication-second-factor@*@*@*", "missing-hardening@*",
                "dos-risky-access-across-trust-boundary@*@*@*"):
        assert f"risk_tracking '{rid}'" in err and f"risk_tracking '{rid}'" in header
    assert "finding: 6 Threagile risk_tracking entries are listed as not converted" in err and "not tmodel threat ids" in err
    for what in ("individual risk category 'Some Individual Risk Example'", "shared runtime 'WebApp and Backoffice Virtualization'",
                 "abuse_cases (", "security_requirements (", "questions (", "business_criticality (", "tags_available (",
                 "data_assets.*.integrity", "data_assets.*.availability", "data_assets.*.justification_cia_rating",
                 "technical_assets.*.usage", "technical_assets.*.size", "technical_assets.*.multi_tenant",
                 "technical_assets.*.redundant", "communication_links.*.usage"):
        assert f"not converted: {what}" in err, what
    assert re.search(r"risk_tracking 'untrusted-deserialization@erp-system' \(\S+threagile.yaml:1299\): accepted", err)
    # each unmapped key once, however many assets carry it
    assert err.count("not converted: technical_assets.*.integrity") == 1


def test_threagile_stub(tmp_path_factory):
    stub = imported("threagile", STUB, tmp_path_factory)
    assert (len(stub.model["elements"]), len(stub.model["flows"]), len(stub.model["data_assets"])) == (2, 1, 1)
    els = stub.section("elements")
    assert els["some-component"]["boundary"] == "some-network"
    # the other asset is in no boundary and not on the internet: an explicit, internal 'unassigned' boundary
    assert els["some-other-component"]["boundary"] == "unassigned"
    assert stub.section("boundaries")["unassigned"]["zone"] == "internal"
    assert "placed in the boundary 'unassigned'" in stub.stderr


def test_threagile_small_fixture_decisions(tmp_path):
    out = tmp_path / "m.yaml"
    r = cli("import", "threagile", str(FIX / "threagile-small.yaml"), "-o", str(out))
    assert r.exit_code == 0, r.output
    m = yaml.safe_load(out.read_text())
    els = {e["id"]: e for e in m["elements"]}
    flows = {f["id"]: f for f in m["flows"]}
    bounds = {b["id"]: b for b in m["boundaries"]}
    da = {d["id"]: d for d in m["data_assets"]}
    assert els["api-gw"]["technology"] == "wso2_gateway"  # 'gateway' named WSO2
    assert els["vault"]["technology"] == "other"  # a software vault is not an HSM
    assert els["partner-app"]["technology"] == "partner_system"  # an external REST service
    assert els["log-box"]["technology"] == "other" and "quantum-archive" in r.stderr
    call = flows["onboarding-call"]
    assert call["authentication"]["method"] == "mtls" and call["tls"]["mutual"] is True
    assert call["authorization"]["ip_allowlist"] is True
    assert flows["log-shipping"]["protocol"] == "other"
    assert "loop" not in flows and "'Loop'" in r.stderr  # a link to itself is listed, not converted
    # a DMZ nested in an internal network keeps its zone and loses the nesting (tmodel nests only more trusted segments)
    assert (bounds["bank-net"]["zone"], bounds["edge"]["zone"]) == ("internal", "dmz")
    assert "parent" not in bounds["edge"] and "un-nested" in r.stderr
    assert da["client-profiles"]["pd_category"] == "general"  # "Personal data of every client"
    assert "pd_category" not in da["gw-logs"]  # "do not contain PII"
    assert "consider classification 'credentials'" in r.stderr and "api-secrets" in r.stderr
    assert "risk_tracking 'missing-waf@api-gw'" in r.stderr
    assert m["metadata"]["reviewed_on"].isoformat() == "2024-02-29"


# --- Threat Dragon ---------------------------------------------------------------------------------

def _resolve(doc, src: str):
    pointer = src.split("#", 1)[1]
    node = doc
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


@pytest.mark.parametrize("which", ["demo", "payment"])
def test_threat_dragon_sources_are_json_pointers_into_the_file(which, request):
    imp = request.getfixturevalue(which)
    doc = json.loads(imp.source.read_text(encoding="utf-8"))
    n = 0
    for section in ("data_assets", "elements", "flows"):
        for item in imp.model.get(section, []):
            for src in item["derived_from"].values():
                assert src.startswith(str(imp.source) + "#/detail/diagrams/")
                _resolve(doc, src)  # raises if the pointer leads nowhere
                n += 1
    assert n > 30


def test_threat_dragon_demo(demo):
    m = demo.model
    els, flows = demo.section("elements"), demo.section("flows")
    kinds = [e["kind"] for e in m["elements"]]
    assert (kinds.count("data_store"), kinds.count("process"), kinds.count("external_entity")) == (4, 2, 1)
    assert len(m["flows"]) == 10
    # 14 threats, each listed once and quoted on its element or flow
    assert demo.stderr.count("not converted: threat '") == 14
    assert "finding: 14 Threat Dragon threat(s) are listed as not converted" in demo.stderr
    assert "threat 'Accessing DB credentials' on store 'Worker Config' (Information disclosure; Open; severity High)" in demo.stderr
    assert "Accessing DB credentials" in els["worker-config"]["description"]
    # the text block and the three curves are listed, the curves with the flows they cross
    assert "not converted: text block" in demo.stderr and "A Demo Threat Model" in demo.stderr
    assert demo.stderr.count("not converted: trust boundary curve") == 3
    assert re.search(r"trust boundary curve '\(unnamed\)' .*crosses the flows web-response, web-request", demo.stderr)
    # the browser-to-web-app request starts loose on the canvas, 10 px from the browser
    assert (flows["web-request"]["from"], flows["web-request"]["to"]) == ("browser", "web-application")
    assert "loose on the canvas" in demo.stderr
    assert els["browser"]["boundary"] == "internet" and els["browser"]["technology"] == "web_app"
    assert els["database"]["holds_logs"] is True  # isALog
    assert els["message-queue"]["technology"] == "message_queue"
    assert els["web-application"]["technology"] == "backend_service"
    assert flows["web-request"]["tls"]["min_version"] == "1.2" and flows["put-message"]["tls"]["min_version"] == "none"
    # out of scope: converted and said
    assert els["web-application-config"]["description"].startswith("Out of scope in Threat Dragon")
    assert flows["read-web-app-config"]["description"].startswith("Out of scope in Threat Dragon: This data flow")
    assert "finding: out of scope in Threat Dragon: web-application-config" in demo.stderr
    # storesCredentials becomes a credentials data asset on the store's flows
    creds = demo.section("data_assets")["credentials-worker-config"]
    assert creds["classification"] == "credentials"
    assert flows["read-worker-config"]["data"] == ["credentials-worker-config"]
    assert "flows drawn in both directions" in demo.stderr
    assert "does not record authentication" in demo.stderr


def test_threat_dragon_payment_online(payment):
    m = payment.model
    els, flows, bounds = payment.section("elements"), payment.section("flows"), payment.section("boundaries")
    kinds = [e["kind"] for e in m["elements"]]
    assert (kinds.count("process"), kinds.count("external_entity"), kinds.count("data_store")) == (4, 1, 0)
    assert len(m["flows"]) == 10
    assert "not converted: threat '" not in payment.stderr  # the file has zero threats
    assert "not converted: text block" in payment.stderr and "Threat Model Cookbook" in payment.stderr
    # boxes hold the elements whose centre lies inside them
    assert els["customer-client"]["boundary"] == "customer-internet" and bounds["customer-internet"]["zone"] == "internet"
    assert els["merchant-web-server"]["boundary"] == "merchant-web"
    assert els["stripe-api-service"]["boundary"] == els["stripe-payment-service"]["boundary"] == "stripe-web"
    assert els["customer"]["boundary"] == "internet"  # an actor outside every box
    assert bounds["merchant-web"]["zone"] == "internal" and "assumed internal" in payment.stderr
    login = flows["1-customer-logs-into-the-merchant-site"]
    assert login["authentication"]["method"] == "oauth2"  # the flow's description says "OAuth"
    assert login["derived_from"]["authentication.method"].endswith("/cells/6/data/description")
    assert (login["protocol"], login["tls"]["min_version"]) == ("https", "1.2")
    assert "Bidirectional" in flows["3-customer-client-sends-order-intent"]["description"]
    assert "Threat Dragon has no data assets" in payment.stderr


def test_threat_dragon_features_fixture(tmp_path):
    out = tmp_path / "m.yaml"
    r = cli("import", "threat-dragon", str(FIX / "td-features.json"), "-o", str(out))
    assert r.exit_code == 0, r.output
    m = yaml.safe_load(out.read_text())
    els = {e["id"]: e for e in m["elements"]}
    flows = {f["id"]: f for f in m["flows"]}
    bounds = {b["id"]: b for b in m["boundaries"]}
    # two diagrams in one model; same-named elements kept apart
    assert {"payments", "payments-2"} <= set(els) and "2 diagrams were imported into one model" in r.stderr
    assert els["actor"]["title"] == "Unnamed actor"
    assert els["partner-system"]["technology"] == "partner_system"
    assert els["wso2-api-manager-gateway"]["technology"] == "wso2_gateway"
    assert els["wso2-api-manager-gateway"]["boundary"] == "bank-dmz"  # the innermost box
    assert "parent" not in bounds["bank-dmz"] and "un-nested" in r.stderr
    assert els["audit-log"]["log_integrity"] is True and els["audit-log"]["holds_logs"] is True
    sub = flows["submit-payment"]
    assert len(sub["description"]) <= 4000 and "[truncated; the full text is at" in sub["description"]
    assert "TLS 1.2 assumed" in sub["description"]  # the importer's notes survive the truncation
    assert sub["authentication"]["method"] == "mtls" and sub["tls"]["mutual"] is True
    assert "payment-wso2-api-manager-gateway" in sub["data"]
    assert flows["anonymous"]["protocol"] == "http" and flows["anonymous"]["tls"]["min_version"] == "none"
    assert "'isEncrypted' is checked but the protocol has no TLS" in r.stderr
    for what in ("flow 'Nowhere'", "flow 'To the note'", "flow 'Self call'", "cell of shape 'cloud-thing'",
                 "trust boundary curve 'Partner edge'", "threat 'Replay of payment orders'"):
        assert f"not converted: {what}" in r.stderr, what
    assert "crosses the flows submit-payment, anonymous" in r.stderr
    assert cli("validate", str(out)).exit_code == 0


# --- broken inputs ---------------------------------------------------------------------------------

def _broken(kind: str, path: Path | str, *needles: str) -> str:
    r = cli("import", kind, str(path))
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    for n in needles:
        assert n in r.stderr, (n, r.stderr)
    return r.stderr


@pytest.mark.parametrize("kind", ["threagile", "threat-dragon"])
def test_empty_file(kind, tmp_path):
    p = tmp_path / "empty.yaml"
    p.write_text("  \n")
    _broken(kind, p, f"{p}:1:1: error: the file is empty")


def test_threagile_broken_inputs(tmp_path):
    _broken("threagile", FIX / "threagile-assets-list.yaml",
            "threagile-assets-list.yaml:3:1: error: 'technical_assets' is a list, but Threagile writes it as a mapping")
    _broken("threagile", FIX / "threagile-unknown-data.yaml",
            "threagile-unknown-data.yaml:19:13: error: unknown data asset 'order'", "did you mean 'orders'?")
    _broken("threagile", PAYMENT, "this is not a Threagile model")
    bad = tmp_path / "bad.yaml"
    bad.write_text("threagile_version: 1.0.0\ntitle: x\ntechnical_assets:\n  A:\n    id: a\n    type: process\n"
                   "    communication_links:\n      L:\n        target: b\n        protocol: https\n")
    _broken("threagile", bad, f"{bad}:9:17: error: unknown technical asset 'b'")
    bad.write_text("threagile_version: 1.0.0\ntechnical_assets:\n  A:\n    id: a\n    type: lambda\n")
    _broken("threagile", bad, f"{bad}:5:5: error: technical asset type 'lambda' is not a Threagile type")
    bad.write_text("threagile_version: 1.0.0\ntechnical_assets:\n  A: {id: a, type: process}\n"
                   "trust_boundaries:\n  X: {id: x, technical_assets_inside: [a]}\n  Y: {id: y, technical_assets_inside: [a]}\n")
    _broken("threagile", bad, "technical asset 'a' is inside two trust boundaries")
    bad.write_text("threagile_version: 1.0.0\ntitle: Nothing yet\n")
    _broken("threagile", bad, "the Threagile model has no technical assets")
    _broken("threagile", tmp_path, "this is a folder")
    _broken("threagile", tmp_path / "missing.yaml", "cannot read the file")


def test_threat_dragon_broken_inputs():
    _broken("threat-dragon", FIX / "td-truncated.json", "td-truncated.json:224:23: error: the file is not valid JSON",
            "truncated or damaged")
    _broken("threat-dragon", FIX / "td-cells-not-list.json", "td-cells-not-list.json:10:14: error: 'cells' of diagram 0 is a mapping, not a list")
    _broken("threat-dragon", FIX / "td-missing-cell.json",
            "td-missing-cell.json:38:16: error: flow cell 1 ends at cell 'gone-cell', which is not in diagram 0")
    _broken("threat-dragon", FIX / "td-v1.json", "td-v1.json:13:24: error: this is a Threat Dragon version 1 model",
            "open it in Threat Dragon 2")
    _broken("threat-dragon", EXAMPLE, "this is not a Threat Dragon model")


def test_threat_dragon_without_diagrams_is_imported_and_says_so(tmp_path):
    p = tmp_path / "empty.json"
    p.write_text('{"version": "2.3.0", "summary": {"title": "Empty", "owner": "Team"}, "detail": {"diagrams": []}}')
    r = cli("import", "threat-dragon", str(p))
    assert r.exit_code == 0 and "no actors, processes or stores" in r.stderr
    p.write_text("[1, 2]")
    _broken("threat-dragon", p, "a Threat Dragon model is a mapping of keys, but this file holds a list")


def test_existing_output_is_never_replaced_without_force(tmp_path):
    out = tmp_path / "model.yaml"
    out.write_text("mine\n")
    r = cli("import", "threat-dragon", str(PAYMENT), "-o", str(out))
    assert r.exit_code == 2 and "the file exists; nothing was written" in r.stderr
    assert out.read_text() == "mine\n"
    r = cli("import", "threat-dragon", str(PAYMENT), "-o", str(out), "--force")
    assert r.exit_code == 0 and out.read_text().startswith("# yaml-language-server")


def test_without_output_the_model_goes_to_stdout():
    r = cli("import", "threagile", str(STUB))
    assert r.exit_code == 0
    assert yaml.safe_load(r.stdout)["metadata"]["id"] == "model-stub"
    assert "imported (threagile) to standard output" in r.stderr


def test_help_names_both_importers():
    r = cli("import", "--help")
    assert "threagile" in r.stdout and "threat-dragon" in r.stdout
