"""Validation: every semantic check, every kind of bad input, through the loader and the real CLI.

Semantic checks are table-driven: each case breaks a small valid model in one way and states the
check that must report it, the message, the severity and the exact position. A test makes sure
every check in the registry has at least one case.

Bad inputs run through ``tmodel validate`` in a subprocess (the real console script): exit code 2,
``file:line:col: error: message``, a hint, never a traceback.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from tmodel.model import checks
from tmodel.model.load import load_model, load_model_text
from tmodel.model.yamlsafe import MAX_BYTES, MAX_NODES, read_text
from tmodel.problems import Problem

ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)  # the interpreter running the tests, wherever its environment is
TMODEL = PYTHON.parent / "tmodel"  # the console script installed beside it
BAD = Path(__file__).parent / "fixtures" / "bad"

# ----------------------------------------------------------------------------------------------
# a small valid model and helpers
# ----------------------------------------------------------------------------------------------

VALID: dict[str, Any] = {
    "format_version": 1,
    "metadata": {"id": "mini", "title": "Minimal integration", "owner": "Integration team"},
    "data_assets": [
        {"id": "balances", "title": "Account balances", "classification": "bank_secrecy"},
    ],
    "boundaries": [
        {"id": "internet", "title": "Internet", "zone": "internet"},
        {"id": "dmz", "title": "DMZ", "zone": "dmz"},
        {"id": "internal", "title": "Internal network", "zone": "internal"},
    ],
    "elements": [
        {"id": "tpp", "title": "Third-party provider", "kind": "external_entity", "technology": "partner_system", "boundary": "internet"},
        {"id": "gw", "title": "WSO2 gateway", "kind": "process", "technology": "wso2_gateway", "boundary": "dmz"},
        {"id": "backend", "title": "Accounts service", "kind": "process", "technology": "backend_service", "boundary": "internal"},
    ],
    "flows": [
        {"id": "tpp-gw", "title": "Account request", "from": "tpp", "to": "gw", "protocol": "https",
         "tls": {"min_version": "1.2", "forward_secrecy": True}, "authentication": {"method": "oauth2"}, "data": ["balances"]},
        {"id": "gw-backend", "title": "Forwarded request", "from": "gw", "to": "backend", "protocol": "https",
         "tls": {"min_version": "1.2", "forward_secrecy": True}, "authentication": {"method": "jwt"}, "data": ["balances"]},
    ],
}


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


def at(text: str, needle: str, nth: int = 1, offset: int = 0) -> tuple[int, int]:
    """1-based (line, col) of the nth occurrence of ``needle`` in ``text``, plus ``offset`` columns."""
    idx = -1
    for _ in range(nth):
        idx = text.find(needle, idx + 1)
        assert idx >= 0, f"{needle!r} (#{nth}) not in the model text:\n{text}"
    line = text.count("\n", 0, idx) + 1
    col = idx - (text.rfind("\n", 0, idx) + 1) + 1
    return line, col + offset


def value_of(text: str, key_value: str, nth: int = 1) -> tuple[int, int]:
    """Position of the value in a whole ``key: value`` line end (what a problem about that value points at)."""
    key = key_value.split(": ", 1)[0]
    return at(text, key_value if key_value.endswith("\n") else key_value + "\n", nth, len(key) + 2)


def test_the_valid_model_has_no_problems():
    lm = load_model_text(dump(VALID), "mini.yaml")
    assert lm.ok and lm.problems == [], [p.format() for p in lm.problems]


# ----------------------------------------------------------------------------------------------
# one case per check (and per important branch): mutate the valid model, expect one problem
# ----------------------------------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def el(m: dict, eid: str) -> dict:
    return next(e for e in m["elements"] if e["id"] == eid)


def fl(m: dict, fid: str) -> dict:
    return next(f for f in m["flows"] if f["id"] == fid)


def add_element(m: dict, **kw: Any) -> None:
    m["elements"].append({"title": "Added", **kw})


def add_flow(m: dict, **kw: Any) -> None:
    m["flows"].append({"title": "Added flow", "protocol": "https", "tls": {"min_version": "1.2", "forward_secrecy": True}, **kw})


CASES: list[tuple[str, Callable, Mutation, str, str, Callable[[str], tuple[int, int]]]] = [
    # (case id, check, mutation, severity, message substring, where(text) -> (line, col))
    ("duplicate-id", checks.check_duplicate_ids,
     lambda m: add_flow(m, id="gw", **{"from": "tpp", "to": "backend"}),
     "error", "duplicate id 'gw' (already used in elements)", lambda t: value_of(t, "id: gw", 2)),
    ("reserved-id", checks.check_duplicate_ids,
     lambda m: m["boundaries"].append({"id": "model", "title": "M", "zone": "internal"}),
     "error", "'model' is reserved for model-wide threats", lambda t: value_of(t, "id: model")),
    ("dangling-flow-end", checks.check_references,
     lambda m: add_flow(m, id="gw-x", **{"from": "gw", "to": "bakend"}),
     "error", "unknown element 'bakend'", lambda t: value_of(t, "to: bakend")),
    ("dangling-boundary", checks.check_references,
     lambda m: el(m, "gw").update(boundary="dmzz"),
     "error", "unknown boundary 'dmzz'", lambda t: value_of(t, "boundary: dmzz")),
    ("dangling-data", checks.check_references,
     lambda m: fl(m, "tpp-gw")["data"].append("tokens"),
     "error", "unknown data asset 'tokens'", lambda t: at(t, "- tokens", 1, 2)),
    ("control-scope-boundary", checks.check_references,
     lambda m: m.update(controls=[{"control": "C-1", "status": "planned", "scope": ["dmz"]}]),
     "error", "control scope names the boundary 'dmz'; a scope lists element or flow ids", lambda t: at(t, "- dmz", 1, 2)),
    ("config-link-element", checks.check_references,
     lambda m: m.update(configs=[{"kind": "wso2_deployment_toml", "path": "deployment.toml", "element": "gateway"}]),
     "error", "unknown element 'gateway'", lambda t: value_of(t, "element: gateway")),
    ("derived-from-unknown-field", checks.check_derived_from,
     lambda m: fl(m, "tpp-gw").update(derived_from={"tls.min_vers": "api.yaml#/servers/0/url"}),
     "warning", "derived_from names 'tls.min_vers', which is not a field here", lambda t: at(t, "tls.min_vers")),
    ("stale-decision", checks.check_stale_decisions,
     lambda m: m.update(decisions=[{"threat": "R-1@old-flow", "status": "open"}]),
     "warning", "decision refers to 'old-flow', which is not an element or flow of the model",
     lambda t: value_of(t, "threat: R-1@old-flow")),
    ("boundary-self-parent", checks.check_boundary_nesting,
     lambda m: m["boundaries"][1].update(parent="dmz"),
     "error", "boundary 'dmz' is its own parent", lambda t: value_of(t, "parent: dmz")),
    ("boundary-cycle", checks.check_boundary_nesting,
     lambda m: (m["boundaries"][1].update(parent="internal"), m["boundaries"][2].update(parent="dmz")),
     "error", "boundary nesting of 'dmz' forms a cycle", lambda t: value_of(t, "parent: internal")),
    ("boundary-less-trusted-child", checks.check_boundary_nesting,
     lambda m: m["boundaries"][0].update(parent="internal"),
     "warning", "boundary 'internet' (internet) is nested in 'internal' (internal), a more trusted zone",
     lambda t: value_of(t, "zone: internet")),
    ("no-boundary", checks.check_boundary_membership,
     lambda m: el(m, "backend").pop("boundary"),
     "error", "element 'backend' is outside every trust boundary", lambda t: value_of(t, "id: backend")),
    ("partner-system-inside", checks.check_element_zones,
     lambda m: el(m, "tpp").update(boundary="internal"),
     "warning", "external entity 'tpp' (partner_system) sits in the internal zone", lambda t: value_of(t, "boundary: internal")),
    ("bank-component-outside", checks.check_element_zones,
     lambda m: el(m, "gw").update(boundary="internet"),
     "warning", "'gw' (wso2_gateway) sits in the internet zone", lambda t: value_of(t, "boundary: internet", 2)),
    ("store-technology", checks.check_element_kinds,
     lambda m: el(m, "backend").update(kind="data_store"),
     "warning", "'backend_service' is not a data store technology", lambda t: value_of(t, "technology: backend_service")),
    ("database-as-process", checks.check_element_kinds,
     lambda m: el(m, "backend").update(technology="database"),
     "warning", "element 'backend' is a database but its kind is process", lambda t: value_of(t, "kind: process", 2)),
    ("user-as-process", checks.check_element_kinds,
     lambda m: el(m, "tpp").update(kind="process", technology="user"),
     "warning", "element 'tpp' is a user but its kind is process", lambda t: value_of(t, "kind: process", 1)),
    ("backend-as-external", checks.check_element_kinds,
     lambda m: el(m, "backend").update(kind="external_entity"),
     "warning", "element 'backend' is a backend_service but its kind is external_entity",
     lambda t: value_of(t, "kind: external_entity", 2)),
    ("mfa-without-privileged", checks.check_element_properties,
     lambda m: el(m, "gw").update(admin_mfa=True),
     "warning", "element 'gw' declares MFA for administrators without privileged access", lambda t: value_of(t, "admin_mfa: true")),
    ("sod-without-privileged", checks.check_element_properties,
     lambda m: el(m, "gw").update(segregation_of_duties=True),
     "warning", "element 'gw' declares segregation of duties without privileged access",
     lambda t: value_of(t, "segregation_of_duties: true")),
    ("hashed-without-stored", checks.check_element_properties,
     lambda m: el(m, "backend").update(tokens_hashed=True),
     "warning", "element 'backend' hashes stored tokens but stores_tokens is false", lambda t: value_of(t, "tokens_hashed: true")),
    ("idp-property-elsewhere", checks.check_element_properties,
     lambda m: el(m, "backend").update(ropc_grant=True),
     "warning", "'ropc_grant' applies to identity providers and key managers, not to backend_service 'backend'",
     lambda t: value_of(t, "ropc_grant: true")),
    ("logs-on-a-process", checks.check_element_properties,
     lambda m: el(m, "backend").update(holds_logs=True),
     "warning", "'backend' holds logs but is not a data store", lambda t: value_of(t, "holds_logs: true")),
    ("unused-element", checks.check_unused_elements,
     lambda m: add_element(m, id="orphan", kind="process", technology="backend_service", boundary="internal"),
     "warning", "element 'orphan' has no flows", lambda t: value_of(t, "id: orphan")),
    ("self-flow", checks.check_flow_ends,
     lambda m: add_flow(m, id="gw-gw", **{"from": "gw", "to": "gw"}),
     "error", "flow 'gw-gw' goes from 'gw' to itself", lambda t: value_of(t, "to: gw", 2)),
    ("external-to-external", checks.check_flow_ends,
     lambda m: (add_element(m, id="tpp2", kind="external_entity", technology="partner_system", boundary="internet"),
                add_flow(m, id="tpp-tpp2", **{"from": "tpp", "to": "tpp2"})),
     "warning", "flow 'tpp-tpp2' joins two external entities", lambda t: value_of(t, "id: tpp-tpp2")),
    ("copied-flow", checks.check_flow_ends,
     lambda m: m["flows"].append({**copy.deepcopy(fl(m, "tpp-gw")), "id": "tpp-gw-copy"}),
     "warning", "flow 'tpp-gw-copy' repeats flow 'tpp-gw' (same ends, protocol, data and properties)",
     lambda t: value_of(t, "id: tpp-gw-copy")),
    ("https-without-tls", checks.check_tls,
     lambda m: fl(m, "tpp-gw").update(tls={"min_version": "none"}),
     "error", "flow 'tpp-gw' is https but tls.min_version is not set", lambda t: at(t, "min_version: none", 1, 0)),
    ("http-with-tls", checks.check_tls,
     lambda m: fl(m, "gw-backend").update(protocol="http"),
     "error", "flow 'gw-backend' uses http, which has no TLS, but tls.min_version is 1.2", lambda t: value_of(t, "protocol: http")),
    ("mutual-without-tls", checks.check_tls,
     lambda m: fl(m, "gw-backend").update(protocol="grpc", tls={"min_version": "none", "mutual": True}),
     "error", "flow 'gw-backend' declares mutual TLS without TLS", lambda t: value_of(t, "mutual: true")),
    ("fs-without-tls", checks.check_tls,
     lambda m: fl(m, "gw-backend").update(protocol="grpc", tls={"min_version": "none", "forward_secrecy": True}),
     "error", "flow 'gw-backend' declares forward secrecy without TLS", lambda t: value_of(t, "forward_secrecy: true", 2)),
    ("verified-without-mutual", checks.check_tls,
     lambda m: fl(m, "gw-backend")["tls"].update(client_cert_verified=True),
     "error", "flow 'gw-backend' verifies client certificates but mutual TLS is off", lambda t: value_of(t, "client_cert_verified: true")),
    ("tls13-without-fs", checks.check_tls,
     lambda m: fl(m, "gw-backend").update(tls={"min_version": "1.3"}),
     "warning", "flow 'gw-backend' accepts only TLS 1.3, which always has forward secrecy, but forward_secrecy is false",
     lambda t: value_of(t, "min_version: '1.3'")),
    ("mtls-method-without-mutual", checks.check_authentication,
     lambda m: fl(m, "gw-backend").update(authentication={"method": "mtls"}),
     "error", "flow 'gw-backend' authenticates by mTLS but tls.mutual is false", lambda t: value_of(t, "method: mtls")),
    ("bound-tokens-without-mutual", checks.check_authentication,
     lambda m: fl(m, "tpp-gw")["authentication"].update(sender_constrained="mtls"),
     "error", "flow 'tpp-gw' binds tokens to the client certificate but tls.mutual is false",
     lambda t: value_of(t, "sender_constrained: mtls")),
    ("tls-client-auth-without-mutual", checks.check_authentication,
     lambda m: fl(m, "tpp-gw")["authentication"].update(client_auth="tls_client_auth"),
     "error", "flow 'tpp-gw' uses tls_client_auth but tls.mutual is false", lambda t: value_of(t, "client_auth: tls_client_auth")),
    ("ciba-details-without-ciba", checks.check_authentication,
     lambda m: fl(m, "tpp-gw")["authentication"].update(ciba={"mode": "poll"}),
     "error", "flow 'tpp-gw' has CIBA details but authentication.method is oauth2", lambda t: at(t, "mode: poll")),
    ("ciba-unknown-hint", checks.check_authentication,
     lambda m: fl(m, "tpp-gw").update(authentication={"method": "ciba", "ciba": {"hint": "phone"}}),
     "error", "'phone' is not a CIBA hint", lambda t: value_of(t, "hint: phone")),
    ("scopes-without-authentication", checks.check_authentication,
     lambda m: fl(m, "tpp-gw").update(authentication={"method": "none"}, authorization={"scopes": ["accounts"]}),
     "warning", "flow 'tpp-gw' checks scopes or roles but authenticates nobody (method: none)", lambda t: at(t, "scopes:")),
    ("client-auth-without-oauth", checks.check_authentication,
     lambda m: fl(m, "gw-backend")["authentication"].update(client_auth="private_key_jwt"),
     "warning", "flow 'gw-backend' sets client_auth, which only applies to OAuth 2.0 / OIDC / CIBA",
     lambda t: value_of(t, "client_auth: private_key_jwt")),
    ("issuer-setting-elsewhere", checks.check_element_properties,
     lambda m: el(m, "backend").update(frame_protection=True),
     "warning", "'frame_protection' applies to identity providers and key managers, not to backend_service 'backend'",
     lambda t: value_of(t, "frame_protection: true")),
    ("notification-token-without-ping", checks.check_authentication,
     lambda m: fl(m, "tpp-gw").update(authentication={"method": "ciba", "ciba": {"mode": "poll", "notification_token_bits": 128}}),
     "warning", "flow 'tpp-gw' states notification_token_bits but its CIBA mode is poll",
     lambda t: value_of(t, "notification_token_bits: 128")),
    ("response-protection-without-redirect", checks.check_authentication,
     lambda m: fl(m, "tpp-gw")["authentication"].update(grant="client_credentials", response_protection="jarm"),
     "warning", "flow 'tpp-gw' sets response_protection, which describes the authorization response of a redirect flow",
     lambda t: value_of(t, "response_protection: jarm")),
    ("oauth-option-without-oauth", checks.check_authentication,
     lambda m: fl(m, "gw-backend")["authentication"].update(pkce=True),
     "warning", "flow 'gw-backend' sets pkce, an OAuth option, but authentication.method is jwt", lambda t: value_of(t, "pkce: true")),
    ("token-in-query-with-api-key", checks.check_authentication,
     lambda m: fl(m, "tpp-gw").update(authentication={"method": "api_key", "token_in_query": True}),
     "warning", "flow 'tpp-gw' sets token_in_query, which is about OAuth access tokens, but authenticates by an API key",
     lambda t: value_of(t, "token_in_query: true")),
    ("api-key-location-without-api-key", checks.check_authentication,
     lambda m: fl(m, "gw-backend")["authentication"].update(api_key_in="header"),
     "warning", "flow 'gw-backend' sets api_key_in, but authentication.method is jwt", lambda t: value_of(t, "api_key_in: header")),
    ("callback-into-the-bank", checks.check_callbacks,
     lambda m: fl(m, "gw-backend").update(callback=True),
     "warning", "flow 'gw-backend' is marked as a callback but does not go from the bank to a party outside it",
     lambda t: value_of(t, "callback: true")),
    ("file-protection-without-files", checks.check_file_transfer,
     lambda m: fl(m, "tpp-gw").update(file_transfer={"encrypted": True}),
     "warning", "flow 'tpp-gw' describes file protection but no file direction", lambda t: at(t, "encrypted: true")),
    ("pd-without-pd-level", checks.check_pd_level,
     lambda m: m["data_assets"][0].update(pd_category="general"),
     "error", "data asset 'balances' is personal data but metadata.pd_level is not set", lambda t: at(t, "metadata:")),
    ("pd-level-without-pd", checks.check_pd_level,
     lambda m: m["metadata"].update(pd_level="uz3"),
     "warning", "metadata.pd_level is uz3 but no data asset is personal data", lambda t: value_of(t, "pd_level: uz3")),
    ("transfer-without-country", checks.check_cross_border,
     lambda m: m["data_assets"][0].update(cross_border={"transfer": True}),
     "error", "data asset 'balances' is transferred abroad but no country is named", lambda t: at(t, "transfer: true")),
    ("country-without-transfer", checks.check_cross_border,
     lambda m: m["data_assets"][0].update(cross_border={"countries": ["KZ"]}),
     "error", "data asset 'balances' names countries but transfer is false", lambda t: at(t, "countries:")),
    ("ru-abroad", checks.check_cross_border,
     lambda m: m["data_assets"][0].update(cross_border={"transfer": True, "countries": ["RU"]}),
     "error", "RU is not a cross-border destination", lambda t: at(t, "- RU")),
    ("rkn-without-transfer", checks.check_cross_border,
     lambda m: m["data_assets"][0].update(cross_border={"rkn_notified": True}),
     "warning", "data asset 'balances' records a Roskomnadzor notification but transfer is false",
     lambda t: value_of(t, "rkn_notified: true")),
    ("adequacy-without-transfer", checks.check_cross_border,
     lambda m: m["data_assets"][0].update(cross_border={"adequate_protection": False}),
     "warning", "data asset 'balances' states adequate_protection but transfer is false",
     lambda t: value_of(t, "adequate_protection: false")),
    ("clear-by-law-not-pd", checks.check_clear_by_law,
     lambda m: m["data_assets"][0].update(attributes=["holder", "balance"], clear_by_law=["holder"]),
     "warning", "data asset 'balances' lists clear_by_law attributes but it is not personal data", lambda t: at(t, "- holder", 2)),
    ("clear-by-law-unknown-attribute", checks.check_clear_by_law,
     lambda m: (m["metadata"].update(pd_level="uz4"),
                m["data_assets"][0].update(pd_category="general", attributes=["holder"], clear_by_law=["payer"])),
     "warning", "data asset 'balances': clear_by_law names payer, not among its attributes", lambda t: at(t, "- payer")),
    ("data-used-without-pd", checks.check_flow_review_facts,
     lambda m: m["flows"][0].update(data_used=["balance"]),
     "warning", "flow 'tpp-gw' states data_used but carries no personal data", lambda t: at(t, "- balance\n")),
    ("data-used-unknown-attribute", checks.check_flow_review_facts,
     lambda m: (m["metadata"].update(pd_level="uz4"),
                m["data_assets"][0].update(pd_category="general", attributes=["holder", "balance"]),
                m["flows"][0].update(data_used=["holdr"])),
     "warning", "flow 'tpp-gw': data_used names holdr, not an attribute of its personal-data assets", lambda t: at(t, "- holdr")),
    ("log-content-without-logging", checks.check_flow_review_facts,
     lambda m: m["flows"][0].update(logging="none", log_content="payloads"),
     "warning", "flow 'tpp-gw' states log_content but logging is none", lambda t: value_of(t, "log_content: payloads")),
    ("leak-prevention-without-sensitive-data", checks.check_flow_review_facts,
     lambda m: (m["data_assets"][0].update(classification="internal"), m["flows"][0].update(leak_prevention=True)),
     "warning", "flow 'tpp-gw' states leak_prevention but carries no personal data", lambda t: value_of(t, "leak_prevention: true")),
    ("xml-hardened-without-xml", checks.check_flow_review_facts,
     lambda m: m["flows"][0].update(xml_hardened=True),
     "warning", "flow 'tpp-gw' states xml_hardened but carries no XML", lambda t: value_of(t, "xml_hardened: true")),
    ("support-of-external-entity", checks.check_software_facts,
     lambda m: m["elements"][0].update(supported=False),
     "warning", "'supported' of external entity 'tpp' is not read by any rule", lambda t: value_of(t, "supported: false")),
    ("unused-asset", checks.check_unused_assets,
     lambda m: m["data_assets"].append({"id": "spare", "title": "Spare", "classification": "internal"}),
     "warning", "data asset 'spare' is not carried by any flow", lambda t: value_of(t, "id: spare")),
    ("duplicate-control", checks.check_controls,
     lambda m: m.update(controls=[{"control": "C-1", "status": "planned"}, {"control": "C-1", "status": "planned"}]),
     "error", "control 'C-1' is listed twice for the same scope", lambda t: value_of(t, "control: C-1", 2)),
    ("implemented-without-evidence", checks.check_controls,
     lambda m: m.update(controls=[{"control": "C-1", "status": "implemented"}]),
     "warning", "control 'C-1' is implemented without evidence", lambda t: at(t, "control: C-1")),
    ("accepted-without-owner", checks.check_decisions,
     lambda m: m.update(decisions=[{"threat": "R-1@gw", "status": "accepted", "reason": "legacy", "expires": "2027-01-01"}]),
     "error", "accepted risk 'R-1@gw' has no owner", lambda t: at(t, "threat: R-1@gw")),
    ("accepted-without-expiry", checks.check_decisions,
     lambda m: m.update(decisions=[{"threat": "R-1@gw", "status": "accepted", "owner": "CISO", "reason": "legacy"}]),
     "error", "accepted risk 'R-1@gw' has no expiry", lambda t: at(t, "threat: R-1@gw")),
    ("accepted-without-reason", checks.check_decisions,
     lambda m: m.update(decisions=[{"threat": "R-1@gw", "status": "accepted", "owner": "CISO", "expires": "2027-01-01"}]),
     "error", "accepted risk 'R-1@gw' has no reason", lambda t: at(t, "threat: R-1@gw")),
    ("false-positive-without-reason", checks.check_decisions,
     lambda m: m.update(decisions=[{"threat": "R-1@gw", "status": "false_positive"}]),
     "error", "'false_positive' decision for 'R-1@gw' has no reason", lambda t: at(t, "threat: R-1@gw")),
    ("mitigated-without-control", checks.check_decisions,
     lambda m: m.update(decisions=[{"threat": "R-1@gw", "status": "mitigated"}]),
     "warning", "mitigated risk 'R-1@gw' names no control and no reason", lambda t: at(t, "threat: R-1@gw")),
    ("mitigated-by-planned-control", checks.check_decisions,
     lambda m: m.update(controls=[{"control": "C-1", "status": "planned"}],
                        decisions=[{"threat": "R-1@gw", "status": "mitigated", "control": "C-1"}]),
     "error", "risk 'R-1@gw' is marked mitigated by 'C-1', but that control is planned", lambda t: value_of(t, "control: C-1", 2)),
    ("duplicate-decision", checks.check_decisions,
     lambda m: m.update(decisions=[{"threat": "R-1@gw", "status": "open"}, {"threat": "R-1@gw", "status": "open"}]),
     "error", "a second decision for 'R-1@gw'", lambda t: value_of(t, "threat: R-1@gw", 2)),
    ("expires-before-decided", checks.check_decisions,
     lambda m: m.update(decisions=[{"threat": "R-1@gw", "status": "open", "decided_on": "2026-05-01", "expires": "2026-01-01"}]),
     "error", "the decision on 'R-1@gw' expires (2026-01-01) before it was made (2026-05-01)",
     lambda t: value_of(t, "expires: '2026-01-01'")),
    ("duplicate-answer", checks.check_answers,
     lambda m: m.update(answers=[{"question": "Q-1", "status": "no"}, {"question": "Q-1", "status": "no"}]),
     "error", "question 'Q-1' is answered twice", lambda t: value_of(t, "question: Q-1", 2)),
    ("yes-without-evidence", checks.check_answers,
     lambda m: m.update(answers=[{"question": "Q-1", "status": "yes"}]),
     "warning", "answer 'yes' to 'Q-1' has no evidence", lambda t: at(t, "question: Q-1")),
    ("decided-in-the-future", checks.check_dates,
     lambda m: m.update(decisions=[{"threat": "R-1@gw", "status": "open", "decided_on": "2999-01-01"}]),
     "warning", "decided_on 2999-01-01 is in the future", lambda t: value_of(t, "decided_on: '2999-01-01'")),
    ("reviewed-in-the-future", checks.check_dates,
     lambda m: m["metadata"].update(reviewed_on="2999-01-01"),
     "warning", "reviewed_on 2999-01-01 is in the future", lambda t: value_of(t, "reviewed_on: '2999-01-01'")),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_check(case):
    _, check, mutate, severity, message, where = case
    data = copy.deepcopy(VALID)
    mutate(data)
    text = dump(data)
    lm = load_model_text(text, "case.yaml")
    assert lm.model is not None, "the broken model must still pass the schema:\n" + "\n".join(p.format() for p in lm.problems)
    # the check under test reports it, on its own ...
    own = list(check(lm.model, checks.Ctx(lm.located, "case.yaml")))
    matching = [p for p in own if message in p.message]
    assert len(matching) == 1, f"{check.__name__} gave {[p.message for p in own]}"
    p = matching[0]
    assert p.severity == severity
    assert (p.line, p.col) == where(text), f"{p.format()}\n---\n{text}"
    assert p.hint, "every problem carries a hint"
    # ... and the loader reports it in the same place; the mutation trips no other check
    assert p in lm.problems
    others = [q.message for q in lm.problems if q not in own]
    assert not others, f"the mutation should break one thing only, also got {others}"
    assert lm.ok is (severity == "warning")


def test_every_registered_check_has_a_case():
    covered = {c[1] for c in CASES}
    missing = [c.__name__ for c in checks.CHECKS if c not in covered]
    assert not missing, f"checks without a test case: {missing}"


def test_registry_is_explicit_and_documented():
    names = [c.__name__ for c in checks.CHECKS]
    assert len(names) == len(set(names))
    for c in checks.CHECKS:
        assert c.__doc__ and c.__doc__.strip(), f"{c.__name__} needs a docstring (its summary in docs/model-format.md)"


# ----------------------------------------------------------------------------------------------
# the real CLI on bad input
# ----------------------------------------------------------------------------------------------

LOCATED = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): (?P<msg>[^\n]+)$", re.M)


def run_validate(*paths: str | Path, cwd: Path) -> tuple[int, str, str, float]:
    """``tmodel validate`` in a subprocess, with no catalogs (these tests are about the model file)."""
    empty = cwd / ".no-catalogs"
    empty.mkdir(exist_ok=True)
    env = {**os.environ, "TMODEL_CATALOGS": str(empty), "PYTHONDONTWRITEBYTECODE": "1"}
    t0 = time.perf_counter()
    proc = subprocess.run([str(TMODEL), "validate", *map(str, paths)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - t0


def expect_error(tmp_path: Path, name: str, content: str | bytes, line: int, col: int, message: str,
                 hint: str = "") -> str:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    rc, out, err, _ = run_validate(name, cwd=tmp_path)
    assert rc == 2, (out, err)
    assert "Traceback" not in out + err
    m = next((m for m in LOCATED.finditer(err) if m["sev"] == "error"), None)
    assert m, f"no file:line:col: error: line in\n{err}"
    assert (m["file"], m["sev"]) == (name, "error")
    assert (int(m["line"]), int(m["col"])) == (line, col), err
    assert message in m["msg"], err
    hints = re.findall(r"^    hint: (.+)$", err, re.M)
    assert hints and all(hints), err
    if hint:
        assert hint in err, err
    return err


def test_yaml_syntax_error(tmp_path):
    expect_error(tmp_path, "syntax.yaml", "format_version: 1\nmetadata:\n  id: x\n  title: [unclosed\n  owner: o\n",
                 5, 8, "YAML syntax error: did not find expected ',' or ']'", "fix the YAML syntax near this position")


def test_unquoted_colon_gets_a_specific_hint(tmp_path):
    expect_error(tmp_path, "colon.yaml", "format_version: 1\nmetadata:\n  id: x\n  title: API: accounts\n",
                 4, 13, "YAML syntax error: mapping values are not allowed", "must be quoted")


@pytest.mark.parametrize("text, line, col", [
    ("format_version: 1\nmetadata:\n\tid: x\n", 3, 1),                       # a tab instead of the indentation
    ("format_version: 1\nmetadata:\n  id: x\n\ttitle: X\n", 4, 1),           # a tab after good lines
    ("format_version: 1\nmetadata:\n  id: x\n  \ttitle: X\n", 4, 3),         # spaces, then a tab
    ("format_version: 1\nflows:\n  - id: a\n\t title: y\n", 4, 1),           # in a list item
], ids=["tab-indent", "tab-later-line", "tab-after-spaces", "tab-in-list"])
def test_tab_indentation(tmp_path, text, line, col):
    expect_error(tmp_path, "tabs.yaml", text, line, col, "a tab character is used for indentation",
                 "replace the tabs with spaces")


def test_unknown_field_with_did_you_mean(tmp_path):
    text = dump(VALID).replace("  owner: Integration team\n", "  owner: Integration team\n  titel: Typo\n")
    err = expect_error(tmp_path, "unknown.yaml", text, *at(text, "titel:"), "unknown field 'titel' in metadata")
    assert "did you mean 'title'?" in err


def test_unknown_field_without_close_match_lists_allowed_keys(tmp_path):
    text = dump(VALID).replace("  owner: Integration team\n", "  owner: Integration team\n  zzz: 1\n")
    err = expect_error(tmp_path, "unknown.yaml", text, *at(text, "zzz:"), "unknown field 'zzz' in metadata")
    assert "allowed keys here: id, title, owner" in err


def test_flow_ends_are_spelled_from_and_to(tmp_path):
    text = dump(VALID).replace("from: tpp", "source: tpp")
    err = expect_error(tmp_path, "source.yaml", text, *at(text, "source: tpp"), "unknown field 'source' in flows[tpp-gw]")
    assert "did you mean 'from'?" in err
    assert "missing required field" not in err  # no echo of the same mistake


def test_wrong_enum_lists_allowed_values(tmp_path):
    text = dump(VALID).replace("zone: dmz", "zone: demilitarized")
    err = expect_error(tmp_path, "enum.yaml", text, *value_of(text, "zone: demilitarized"),
                       "'demilitarized' is not an allowed value of boundaries[dmz].zone")
    assert "allowed values: internet, partner, dmz, internal, restricted" in err


def test_unquoted_tls_version_is_explained(tmp_path):
    text = dump(VALID).replace("min_version: '1.2'", "min_version: 1.2", 1)
    err = expect_error(tmp_path, "tls.yaml", text, *value_of(text, "min_version: 1.2"),
                       "'1.2' in flows[tpp-gw].tls.min_version is read by YAML as a number, not as text")
    assert 'write it in quotes: "1.2"' in err


def test_norway_problem_is_explained(tmp_path):
    data = copy.deepcopy(VALID)
    data["data_assets"][0]["cross_border"] = {"transfer": True, "countries": ["KZ"]}
    text = dump(data).replace("- KZ", "- NO")
    expect_error(tmp_path, "no.yaml", text, *at(text, "NO", 1), "YAML reads 'NO' as false", 'write it in quotes: "NO"')


def test_dangling_reference(tmp_path):
    text = dump(VALID).replace("to: backend", "to: backnd")
    err = expect_error(tmp_path, "dangling.yaml", text, *value_of(text, "to: backnd"), "unknown element 'backnd'")
    assert "did you mean 'backend'?" in err


def test_duplicate_id(tmp_path):
    text = dump(VALID).replace("id: gw-backend", "id: tpp-gw")
    expect_error(tmp_path, "dupid.yaml", text, *value_of(text, "id: tpp-gw", 2), "duplicate id 'tpp-gw' (already used in flows)")


def test_duplicate_key(tmp_path):
    text = dump(VALID).replace("  owner: Integration team\n", "  owner: Integration team\n  owner: Someone else\n")
    expect_error(tmp_path, "dupkey.yaml", text, *at(text, "owner: Someone"), "duplicate key 'owner' (first defined at line 5)",
                 "merge the two entries")


def test_empty_file(tmp_path):
    expect_error(tmp_path, "empty.yaml", "", 1, 1, "the file is empty")
    expect_error(tmp_path, "comments.yaml", "# nothing yet\n", 1, 1, "the file is empty")


def test_list_instead_of_mapping(tmp_path):
    expect_error(tmp_path, "list.yaml", "- format_version: 1\n- metadata: {}\n", 1, 1,
                 "the model must be a mapping of keys, but this file holds a list", "format_version: 1")


def test_section_of_the_wrong_shape(tmp_path):
    text = "format_version: 1\nmetadata:\n  id: x\n  title: X\n  owner: o\nflows:\n  id: a\n"
    expect_error(tmp_path, "shape.yaml", text, 7, 3, "flows must be a list, not a mapping")


def test_binary_file(tmp_path):
    expect_error(tmp_path, "binary.yaml", bytes(range(256)) * 16, 1, 1, "this is a binary file, not a YAML model")


def test_utf16_and_invalid_utf8(tmp_path):
    expect_error(tmp_path, "utf16.yaml", "format_version: 1\n".encode("utf-16"), 1, 1, "the file is UTF-16 text, not UTF-8")
    expect_error(tmp_path, "latin1.yaml", "format_version: 1\nmetadata:\n  title: Caf\xe9\n".encode("latin-1"), 3, 13,
                 "the file is not valid UTF-8 text")


def test_unsupported_tag_is_not_constructed(tmp_path):
    text = "format_version: 1\nmetadata: !!python/object/apply:os.system [echo hacked]\n"
    err = expect_error(tmp_path, "tag.yaml", text, 2, 11, "unsupported YAML tag '!!python/object/apply:os.system'")
    assert "hacked" not in err.replace("echo hacked", "")


def test_impossible_date(tmp_path):
    text = dump(VALID).replace("  owner: Integration team\n", "  owner: Integration team\n  reviewed_on: 2026-02-30\n")
    expect_error(tmp_path, "date.yaml", text, *value_of(text, "reviewed_on: 2026-02-30"),
                 "cannot read the value '2026-02-30': day is out of range for month")


@pytest.mark.parametrize("written, message, hint", [
    ("!!bool maybe", "cannot read the value 'maybe': not a valid !!bool", "write true or false"),  # was a KeyError
    ("!!int ''", "cannot read the value '': not a valid !!int", "quote the value"),  # was an IndexError
])
def test_a_tagged_value_that_is_not_of_its_type(tmp_path, written, message, hint):
    text = dump(VALID).replace("  owner: Integration team\n", f"  owner: Integration team\n  reviewed_on: {written}\n")
    expect_error(tmp_path, "tagged.yaml", text, *value_of(text, f"reviewed_on: {written}"), message, hint)


def test_50_mb_file_is_rejected_before_reading(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        chunk = b"# padding line of a file far too big to be a model\n" * 20_000
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(chunk)
    size = big.stat().st_size
    # in process: refused without reading the content (allocations stay far below the file size)
    tracemalloc.start()
    t0 = time.perf_counter()
    lm = load_model(str(big))
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 0.5
    assert peak < 1024 * 1024, f"{peak:,} bytes allocated: the file was read"
    assert [p.message for p in lm.problems] == [f"file is {size:,} bytes, over the {MAX_BYTES:,}-byte limit for a model"]
    # through the CLI
    rc, out, err, _ = run_validate("big.yaml", cwd=tmp_path)
    assert rc == 2 and "Traceback" not in out + err
    assert f"big.yaml:1:1: error: file is {size:,} bytes, over the {MAX_BYTES:,}-byte limit for a model" in err
    assert "hint: a model describes one integration" in err


BOMB = textwrap.dedent("""\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]
    """)  # 10^9 strings when expanded


def load_in_fresh_interpreter(tmp_path: Path, name: str) -> tuple[float, int, str]:
    """(seconds, peak RSS growth in bytes, first problem line) of load_model in a new process,
    so the peak resident size reflects this load alone."""
    probe = textwrap.dedent("""\
        import resource, sys, time
        from tmodel.model.load import load_model
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        lm = load_model(sys.argv[1])
        elapsed = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(elapsed, (after - before) * 1024, lm.problems[0].format().splitlines()[0])
        """)
    proc = subprocess.run([str(PYTHON), "-c", probe, name], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    elapsed, growth, first = proc.stdout.split(" ", 2)
    return float(elapsed), int(growth), first.strip()


def test_billion_laughs_is_rejected_fast_with_flat_memory(tmp_path):
    (tmp_path / "bomb.yaml").write_text(BOMB)
    elapsed, growth, first = load_in_fresh_interpreter(tmp_path, "bomb.yaml")
    assert elapsed < 1.0
    assert growth < 50 * 1024 * 1024, f"peak RSS grew by {growth:,} bytes"
    assert first == (f"bomb.yaml:6:4: error: the document expands to more than {MAX_NODES:,} nodes "
                     "through YAML aliases (an alias bomb?)")
    # and through the CLI
    err = expect_error(tmp_path, "bomb.yaml", BOMB, 6, 4, "an alias bomb?", "remove the YAML anchors")
    assert err.count("error:") == 1


def test_huge_document_under_the_size_limit_is_refused_before_composing(tmp_path):
    (tmp_path / "many.yaml").write_text("- 1\n" * 1_200_000)  # 4.8 MB, 1.2 million values
    elapsed, growth, first = load_in_fresh_interpreter(tmp_path, "many.yaml")
    assert elapsed < 1.0
    assert growth < 50 * 1024 * 1024, f"peak RSS grew by {growth:,} bytes"
    assert first == f"many.yaml:{MAX_NODES}:3: error: the document has more than {MAX_NODES:,} values"


def test_recursive_alias(tmp_path):
    expect_error(tmp_path, "loop.yaml", "format_version: 1\nmetadata: &m\n  id: x\n  self: *m\n", 2, 11,
                 "a YAML alias refers to the node that contains it")


def test_future_format_version(tmp_path):
    text = dump(VALID).replace("format_version: 1", "format_version: 2")
    err = expect_error(tmp_path, "future.yaml", text, 1, 17, "format_version 2 is newer than this tmodel understands (version 1)",
                       "upgrade tmodel")
    assert err.count("error:") == 1  # the rest of a newer file is not judged by the old format


@pytest.mark.parametrize("value, shown", [("0", "'0'"), ('"1"', "'1'"), ("true", "'true'"), ("", "empty")])
def test_bad_format_version(tmp_path, value, shown):
    text = dump(VALID).replace("format_version: 1", f"format_version: {value}".rstrip())
    expect_error(tmp_path, "version.yaml", text, 1, 16 + (1 if value else 0),
                 f"format_version must be 1, not {shown}", "write 'format_version: 1'")


def test_path_that_does_not_exist(tmp_path):
    rc, out, err, _ = run_validate("nowhere.yaml", cwd=tmp_path)
    assert rc == 2 and "Traceback" not in out + err
    # a missing path has no line: the message names the path alone
    assert err.splitlines()[0] == "nowhere.yaml: error: no such file or folder"
    assert "    hint: check the path" in err


def test_folder_without_models(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not a model")
    rc, out, err, _ = run_validate("empty", cwd=tmp_path)
    assert rc == 2 and "Traceback" not in out + err
    assert err.splitlines()[0] == "empty: error: no model files (*.yaml, *.yml) in this folder"
    assert "hint: pass a folder holding models" in err


def test_unreadable_file_does_not_crash_the_api(tmp_path):
    lm = load_model(str(tmp_path / "gone.yaml"))
    assert not lm.ok and lm.problems[0].message.startswith("cannot read the file")
    lm = load_model(str(tmp_path))
    assert lm.problems[0].message == "this is a folder, not a model file"


def test_every_problem_of_a_file_in_one_run(tmp_path):
    # three schema mistakes
    text = dump(VALID).replace("  owner: Integration team\n", "  owner: Integration team\n  titel: Typo\n")
    text = text.replace("zone: dmz", "zone: dmzz").replace("  title: Accounts service\n", "")
    (tmp_path / "three.yaml").write_text(text)
    rc, out, err, _ = run_validate("three.yaml", cwd=tmp_path)
    assert rc == 2 and "Traceback" not in out + err
    found = [(int(m["line"]), int(m["col"]), m["msg"]) for m in LOCATED.finditer(err)]
    assert [msg for *_, msg in found] == [
        "unknown field 'titel' in metadata",
        "'dmzz' is not an allowed value of boundaries[dmz].zone",
        "missing required field 'title' in elements[backend]",
    ]
    assert [pos for *pos, _ in found] == [list(at(text, "titel:")), list(value_of(text, "zone: dmzz")),
                                          list(at(text, "id: backend"))]
    assert err.count("hint:") == 3


def test_yaml_level_and_schema_problems_together(tmp_path):
    text = dump(VALID).replace("  owner: Integration team\n", "  owner: Integration team\n  owner: Again\n")
    text = text.replace("kind: process", "kind: proces", 1)
    (tmp_path / "mixed.yaml").write_text(text)
    rc, out, err, _ = run_validate("mixed.yaml", cwd=tmp_path)
    msgs = [m["msg"] for m in LOCATED.finditer(err)]
    assert rc == 2 and len(msgs) == 2, err
    assert msgs[0].startswith("duplicate key 'owner'") and msgs[1].startswith("'proces' is not an allowed value")
    assert "did you mean 'process'?" in err


def test_semantic_problems_together(tmp_path):
    data = copy.deepcopy(VALID)
    data["flows"][1]["to"] = "nowhere"
    data["flows"][0]["tls"] = {"min_version": "none"}
    data["elements"][2]["id"] = "gw"
    (tmp_path / "semantic.yaml").write_text(dump(data))
    rc, out, err, _ = run_validate("semantic.yaml", cwd=tmp_path)
    msgs = [m["msg"] for m in LOCATED.finditer(err)]
    assert rc == 2
    assert msgs == [  # in file order
        "duplicate id 'gw' (already used in elements)",
        "flow 'tpp-gw' is https but tls.min_version is not set",
        "unknown element 'nowhere'",
    ], err


def test_valid_model_exits_0(tmp_path):
    (tmp_path / "ok.yaml").write_text(dump(VALID))
    rc, out, err, _ = run_validate("ok.yaml", cwd=tmp_path)
    assert (rc, out, err) == (0, "1 model(s) valid\n", "")


def test_the_shipped_base_fixture_is_valid(tmp_path):
    rc, out, err, _ = run_validate(ROOT / "tests" / "fixtures" / "base.yaml", cwd=tmp_path)
    assert (rc, err) == (0, ""), err


def test_warnings_do_not_fail(tmp_path):
    data = copy.deepcopy(VALID)
    data["data_assets"].append({"id": "spare", "title": "Spare", "classification": "internal"})
    text = dump(data)
    (tmp_path / "warn.yaml").write_text(text)
    rc, out, err, _ = run_validate("warn.yaml", cwd=tmp_path)
    line, col = value_of(text, "id: spare")
    assert rc == 0
    assert out == "1 model(s) valid, 1 warning(s)\n"
    assert err.startswith(f"warn.yaml:{line}:{col}: warning: data asset 'spare' is not carried by any flow\n    hint: ")


def test_a_folder_is_validated_file_by_file(tmp_path):
    d = tmp_path / "models"
    d.mkdir()
    (d / "a.yaml").write_text(dump(VALID))
    (d / "b.yml").write_text(dump(VALID).replace("zone: dmz", "zone: dmzz"))
    (d / "notes.md").write_text("# not a model")
    rc, out, err, _ = run_validate("models", cwd=tmp_path)
    assert rc == 2
    assert [m["file"] for m in LOCATED.finditer(err)] == [os.path.join("models", "b.yml")]


@pytest.mark.skipif(not BAD.is_dir(), reason="no committed bad fixtures")
@pytest.mark.parametrize("path", sorted(BAD.glob("*.yaml")) if BAD.is_dir() else [], ids=lambda p: p.name)
def test_committed_bad_fixtures(tmp_path, path):
    """Each committed bad model names its expected message on its first line: ``# expect: L:C: text``."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = re.match(r"# expect: (\d+):(\d+): (.+)$", first)
    assert m, f"{path.name}: first line must be '# expect: LINE:COL: message'"
    lm = load_model(str(path))
    errors = [p for p in lm.problems if p.is_error]
    assert errors, f"{path.name} is valid"
    assert any((p.line, p.col) == (int(m[1]), int(m[2])) and m[3] in p.message for p in errors), \
        "\n".join(p.format() for p in lm.problems)


def test_read_text_reads_at_most_the_limit(tmp_path):
    p = tmp_path / "ok.yaml"
    p.write_text("format_version: 1\n")
    assert read_text(str(p)) == "format_version: 1\n"
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbfformat_version: 1\n")
    assert read_text(str(bom)) == "format_version: 1\n"


def test_problem_format_is_stable():
    p = Problem("m.yaml", 3, 7, "msg", "do this")
    assert p.format() == "m.yaml:3:7: error: msg\n    hint: do this"
    assert Problem("m.yaml", 0, 0, "msg").format() == "m.yaml: error: msg"
