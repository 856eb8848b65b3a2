"""Precision of the fapi-sec and fapi-paok rules: where they must stay quiet, and the facts they rely on.

tests/rule_cases/fapi-*.yaml prove each rule fires; these tests pin down the boundaries of the conditions
(profile choice, redirect-flow detection, single ownership of each fact)."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import analyze_data
from tests.rulecases import apply_patch, base_data
from tmodel.graph import compute_facts
from tmodel.model.load import load_model_text

REGISTRY = [
    "FAPI-NOT-SENDER-CONSTRAINED", "FAPI-CLIENT-AUTH-WEAK", "FAPI-NO-SIGNED-REQUEST", "FAPI-NO-PKCE",
    "FAPI-PUBLIC-CLIENTS", "FAPI-ROPC", "FAPI-TOKEN-IN-QUERY", "FAPI-LONG-TOKEN", "FAPI-REDIRECT-NOT-EXACT",
    "FAPI-MTLS-TERMINATION", "PAOK-PUSH-MODE", "PAOK-NO-BINDING-MESSAGE", "PAOK-UNSIGNED-REQUEST",
    "PAOK-CLIENT-AUTH", "PAOK-GUESSABLE-HINT",
]

CIBA_FLOW = {
    "id": "tpp-ciba", "title": "Backchannel authentication request", "from": "tpp", "to": "idp",
    "tls": {"min_version": "1.2", "forward_secrecy": True, "mutual": True, "client_cert_verified": True},
    "authentication": {"method": "ciba", "client_auth": "tls_client_auth", "sender_constrained": "mtls",
                       "ciba": {"mode": "poll", "binding_message": True, "signed_request": True, "hint": "login_hint_token"}},
    "authorization": {"scopes": ["openid", "payments"]},
    "data": ["tokens"],
}
IDP = {"id": "idp", "title": "Bank IdP", "kind": "process", "technology": "identity_provider", "boundary": "dmz"}


def fired(data, catalog) -> set[str]:
    return {t.id for t in analyze_data(data, catalog).threats if t.rule.startswith(("FAPI-", "PAOK-"))}


def facts_of(data):
    lm = load_model_text(yaml.safe_dump(data, sort_keys=False), "m.yaml")
    assert lm.ok, [p.format() for p in lm.errors]
    return compute_facts(lm.model)


def test_registry_rules_exist(catalog):
    missing = [r for r in REGISTRY if r not in catalog.rules]
    assert not missing


def test_catalogs_load_without_problems(catalog):
    mine = [p for p in catalog.problems if p.file.endswith(("fapi-sec.yaml", "fapi-paok.yaml"))]
    assert not mine, [p.format() for p in mine]


def test_frameworks_are_split(catalog):
    fw = {q: catalog.framework_of(q) for q in ("SEC24-7.2.1-3", "F1P2-5.2.2-14", "9700-4.13", "PAOK24-7.1.1-c", "CIBA-5", "PAOK21-6.6")}
    assert fw == {"SEC24-7.2.1-3": "fapi-sec", "F1P2-5.2.2-14": "oauth-fapi1", "9700-4.13": "oauth-fapi1",
                  "PAOK24-7.1.1-c": "fapi-paok", "CIBA-5": "openid-ciba", "PAOK21-6.6": "fapi-paok"}
    assert catalog.requirements["SEC24-7.2.1-7"].confidence.value == "medium"
    assert catalog.requirements["PAOK24-7.1.1-f"].confidence.value == "medium"


def test_base_is_quiet(catalog):
    assert fired(base_data(), catalog) == set()


@pytest.mark.parametrize("method,grant,expected", [
    ("oidc", None, True),                        # OIDC with no grant stated: a redirect flow
    ("oauth2", None, False),                     # plain OAuth2 is not assumed to redirect (client credentials)
    ("oauth2", "authorization_code", True),
    ("oauth2", "implicit", True),
    ("oidc", "client_credentials", False),
    ("ciba", None, False),
])
def test_redirect_flow_fact(method, grant, expected):
    auth = {"method": method, "client_auth": "tls_client_auth", "sender_constrained": "mtls"}
    if grant:
        auth["grant"] = grant
    data = apply_patch(base_data(), {"flows[partner-gw].authentication": auth})
    assert facts_of(data).flows["partner-gw"]["redirect_flow"] is expected


def test_oauth2_flow_without_grant_is_not_checked_for_pkce_or_request_object(catalog):
    # partner-gw: oauth2, no PKCE, no PAR, no request object -> a client-credentials style flow
    data = apply_patch(base_data(), {"flows[partner-gw].data": ["account-data", "tokens"]})
    assert not {t for t in fired(data, catalog) if t.startswith(("FAPI-NO-PKCE", "FAPI-NO-SIGNED-REQUEST"))}


def test_client_secret_jwt_allowed_on_base_profile_flow(catalog):
    # partner-gw carries confidential documents, not payment or bank-secrecy data: base profile
    data = apply_patch(base_data(), {"flows[partner-gw].authentication.client_auth": "client_secret_jwt",
                                     "flows[partner-gw].tls.mutual": True})
    assert "FAPI-CLIENT-AUTH-WEAK@partner-gw" not in fired(data, catalog)


def test_bearer_on_base_profile_flow_is_judged_by_lifetime(catalog):
    data = apply_patch(base_data(), {"flows[partner-gw].authentication.sender_constrained": "none"})
    assert fired(data, catalog) == set()  # km issues 5-minute tokens
    data = apply_patch(data, {"elements[km].token_lifetime_minutes": 60})
    assert fired(data, catalog) == {"FAPI-LONG-TOKEN@km"}


def test_sources_inside_the_bank_are_out_of_fapi_scope(catalog):
    data = apply_patch(base_data(), {
        "elements+": {"id": "admin-ws", "title": "Admin workstation", "kind": "external_entity",
                      "technology": "admin_workstation", "boundary": "internal"},
        "flows+": {"id": "admin-gw", "title": "Admin SSO", "from": "admin-ws", "to": "gw",
                   "tls": {"min_version": "1.2", "forward_secrecy": True},
                   "authentication": {"method": "oidc", "client_auth": "client_secret_basic"},
                   "data": ["account-data"]},
    })
    assert not {t for t in fired(data, catalog) if t.endswith("@admin-gw")}


def test_ciba_client_auth_is_owned_by_paok(catalog):
    data = apply_patch(base_data(), {"elements+": IDP, "flows+": CIBA_FLOW})
    assert fired(data, catalog) == set()
    data = apply_patch(data, {"flows[tpp-ciba].authentication.client_auth": "client_secret_basic",
                              "flows[tpp-ciba].authentication.sender_constrained": "none",
                              "flows[tpp-ciba].tls.mutual": False, "flows[tpp-ciba].tls.client_cert_verified": False})
    assert fired(data, catalog) == {"PAOK-CLIENT-AUTH@tpp-ciba", "FAPI-NOT-SENDER-CONSTRAINED@tpp-ciba"}


def test_ciba_flow_without_details_is_a_token_poll_not_an_auth_request(catalog):
    flow = {**CIBA_FLOW, "authentication": {"method": "ciba", "client_auth": "private_key_jwt", "sender_constrained": "mtls"}}
    data = apply_patch(base_data(), {"elements+": IDP, "flows+": flow})
    # no ciba block: the flow models token-endpoint polling; the request-level PAOK rules do not apply to it
    assert not {t for t in fired(data, catalog) if t.startswith("PAOK-")} - {"PAOK-CLIENT-AUTH@tpp-ciba"}


def test_paok_unsigned_request_is_a_low_recommendation(catalog):
    rule = catalog.rules["PAOK-UNSIGNED-REQUEST"].rule
    assert (rule.likelihood, rule.impact) == (2, 3)
    assert "recommendation" in rule.title
