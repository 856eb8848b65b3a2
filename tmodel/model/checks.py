"""Checks beyond the schema: ids, references and consistency a careful reviewer would catch.

Each check is a small function yielding problems; ``CHECKS`` is the explicit registry, in the
order the checks run. The first docstring line of each check is its summary in
``docs/model-format.md``.

Severity policy:
- error: the model contradicts itself or is incomplete in a way that would make the analysis
  wrong (a dangling reference, mutual TLS without TLS, an accepted risk nobody owns);
- warning: probably a mistake, but the model can be analysed as written.

Security weaknesses that the model states honestly (plain HTTP carrying credentials, basic auth
from the internet) are not validation problems: the catalogs' rules report them as threats with a
risk level, and a model describing today's insecure state must stay analysable.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from typing import Any, Callable, Iterator

from pydantic import BaseModel

from tmodel.model.enums import (
    ZONE_TRUST,
    AnswerStatus,
    AuthMethod,
    ClientAuth,
    ControlStatus,
    DecisionStatus,
    ElementKind,
    FileDirection,
    GrantType,
    PayloadFormat,
    PdCategory,
    Protocol,
    SenderConstraint,
    Technology,
    TlsVersion,
    Zone,
)
from tmodel.model.types import DataAsset, Element, Flow, Model
from tmodel.model.yamlsafe import Located
from tmodel.problems import Problem

Check = Callable[[Model, "Ctx"], Iterator[Problem]]

PLAINTEXT_PROTOCOLS = {Protocol.HTTP: "https", Protocol.FTP: "sftp"}
OAUTH_METHODS = {AuthMethod.OAUTH2, AuthMethod.OIDC, AuthMethod.CIBA}
MTLS_CLIENT_AUTH = {ClientAuth.TLS_CLIENT_AUTH, ClientAuth.SELF_SIGNED_TLS_CLIENT_AUTH}
CIBA_HINTS = ("login_hint_token", "id_token_hint", "login_hint")
STORE_TECHNOLOGIES = {
    Technology.DATABASE, Technology.FILE_STORAGE, Technology.MESSAGE_QUEUE, Technology.LOG_COLLECTOR,
    Technology.HSM, Technology.OTHER,
}
# technologies that are the bank's own components by definition: never an external entity,
# never placed in an outside zone
BANK_TECHNOLOGIES = {
    Technology.WSO2_GATEWAY, Technology.WSO2_KEY_MANAGER, Technology.WSO2_PUBLISHER,
    Technology.BACKEND_SERVICE, Technology.HSM,
}
# technologies that are actors outside the software: a person or a device is an external entity
ACTOR_TECHNOLOGIES = {Technology.USER, Technology.BYOD_DEVICE}
TOKEN_ISSUERS = {Technology.IDENTITY_PROVIDER, Technology.WSO2_KEY_MANAGER}
# grants with no authorization response in a browser: nothing to protect in a redirect
NO_REDIRECT_GRANTS = {GrantType.CLIENT_CREDENTIALS, GrantType.JWT_BEARER, GrantType.TOKEN_EXCHANGE, GrantType.PASSWORD}
OUTSIDE_ZONES = {Zone.INTERNET, Zone.PARTNER}


class Ctx:
    def __init__(self, located: Located | None, path: str, today: dt.date | None = None):
        self.located = located
        self.path = path
        self.today = today or dt.date.today()

    def at(self, loc: tuple[Any, ...], message: str, hint: str = "", *, severity: str = "error", code: str = "", key: bool = False) -> Problem:
        line, col = self.located.where(loc, key=key) if self.located else (0, 0)
        return Problem(self.path, line, col, message, hint, severity, code)


def _suggest(value: str, known: set[str], what: str) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"known {what}s: {', '.join(sorted(known))}" if known else f"define the {what} first"


def _zones(m: Model) -> dict[str, Zone]:
    """Element id -> zone of its boundary (elements outside every boundary are absent)."""
    zone_of = {b.id: b.zone for b in m.boundaries}
    return {e.id: zone_of[e.boundary] for e in m.elements if e.boundary in zone_of}


# --- ids and references ---------------------------------------------------------------------

def check_duplicate_ids(m: Model, c: Ctx) -> Iterator[Problem]:
    """Ids are unique across data assets, boundaries, elements and flows; 'model' is reserved."""
    seen: dict[str, str] = {}
    for section in ("data_assets", "boundaries", "elements", "flows"):
        for i, item in enumerate(getattr(m, section)):
            if item.id == "model":
                yield c.at((section, i, "id"), "'model' is reserved for model-wide threats", "choose another id", code="reserved-id")
            if item.id in seen:
                yield c.at((section, i, "id"), f"duplicate id '{item.id}' (already used in {seen[item.id]})",
                           "ids must be unique across data assets, boundaries, elements and flows", code="duplicate-id")
            else:
                seen[item.id] = section


def check_references(m: Model, c: Ctx) -> Iterator[Problem]:
    """Every id a model refers to exists: boundary parents, element boundaries, flow ends and data, control scopes."""
    elements = {e.id for e in m.elements}
    boundaries = {b.id for b in m.boundaries}
    assets = {a.id for a in m.data_assets}
    scope_targets = elements | {f.id for f in m.flows}

    def unknown(loc: tuple[Any, ...], what: str, value: str, known: set[str]) -> Problem:
        return c.at(loc, f"unknown {what} '{value}'", _suggest(value, known, what), code="unknown-ref")

    for i, b in enumerate(m.boundaries):
        if b.parent is not None and b.parent not in boundaries:
            yield unknown(("boundaries", i, "parent"), "boundary", b.parent, boundaries)
    for i, e in enumerate(m.elements):
        if e.boundary is not None and e.boundary not in boundaries:
            yield unknown(("elements", i, "boundary"), "boundary", e.boundary, boundaries)
    for i, f in enumerate(m.flows):
        if f.source not in elements:
            yield unknown(("flows", i, "from"), "element", f.source, elements)
        if f.target not in elements:
            yield unknown(("flows", i, "to"), "element", f.target, elements)
        for j, d in enumerate(f.data):
            if d not in assets:
                yield unknown(("flows", i, "data", j), "data asset", d, assets)
    for i, cs in enumerate(m.controls):
        for j, s in enumerate(cs.scope):
            if s in scope_targets:
                continue
            if s in boundaries or s in assets:
                kind = "boundary" if s in boundaries else "data asset"
                yield c.at(("controls", i, "scope", j), f"control scope names the {kind} '{s}'; a scope lists element or flow ids",
                           "list the elements or flows the control covers", code="unknown-ref")
            else:
                yield unknown(("controls", i, "scope", j), "element or flow", s, scope_targets)
    for i, cl in enumerate(m.configs):
        if cl.element not in elements:
            yield unknown(("configs", i, "element"), "element", cl.element, elements)


def _field_paths(cls: type[BaseModel], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for name, f in cls.model_fields.items():
        tp = f.annotation
        out.add(prefix + name)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            out |= _field_paths(tp, prefix + name + ".")
        for arg in getattr(tp, "__args__", ()):  # Optional[Sub]
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                out |= _field_paths(arg, prefix + name + ".")
    return out


def check_derived_from(m: Model, c: Ctx) -> Iterator[Problem]:
    """derived_from names fields of its own item (or '' for the whole item)."""
    for section, cls in (("data_assets", DataAsset), ("elements", Element), ("flows", Flow)):
        known = (_field_paths(cls) - {"derived_from"}) | ({"from", "to"} if cls is Flow else set())
        for i, item in enumerate(getattr(m, section)):
            for key in item.derived_from:
                if key and key not in known:
                    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
                    yield c.at((section, i, "derived_from", key), f"derived_from names '{key}', which is not a field here",
                               f"did you mean '{close[0]}'?" if close else "use a field name such as 'tls.min_version'",
                               severity="warning", code="unknown-field", key=True)


def check_stale_decisions(m: Model, c: Ctx) -> Iterator[Problem]:
    """A decision's threat targets an element, a flow or 'model' that exists (warning: stale decision)."""
    targets = {e.id for e in m.elements} | {f.id for f in m.flows}
    for i, d in enumerate(m.decisions):
        target = d.threat.split("@", 1)[1]
        if target != "model" and target not in targets:
            yield c.at(("decisions", i, "threat"), f"decision refers to '{target}', which is not an element or flow of the model",
                       "the element or flow was removed or renamed: update or delete this decision",
                       severity="warning", code="stale-decision")


# --- boundaries and zones -------------------------------------------------------------------

def check_boundary_nesting(m: Model, c: Ctx) -> Iterator[Problem]:
    """Boundary nesting has no cycles, and a nested boundary is not less trusted than its parent."""
    parents = {b.id: b.parent for b in m.boundaries}
    zone_of = {b.id: b.zone for b in m.boundaries}
    for i, b in enumerate(m.boundaries):
        if b.parent == b.id:
            yield c.at(("boundaries", i, "parent"), f"boundary '{b.id}' is its own parent",
                       "remove 'parent' or name another boundary", code="cycle")
            continue
        seen, p = {b.id}, b.parent
        while p is not None and p in parents and p not in seen:
            seen.add(p)
            p = parents[p]
        if p == b.id:  # b is on a cycle (boundaries that only lead into one are not reported)
            yield c.at(("boundaries", i, "parent"), f"boundary nesting of '{b.id}' forms a cycle",
                       "a boundary cannot be inside itself: remove one 'parent'", code="cycle")
        elif b.parent in zone_of and ZONE_TRUST[b.zone] < ZONE_TRUST[zone_of[b.parent]]:
            yield c.at(("boundaries", i, "zone"),
                       f"boundary '{b.id}' ({b.zone.value}) is nested in '{b.parent}' ({zone_of[b.parent].value}), a more trusted zone",
                       "a nested boundary is a segment inside its parent: give it the same or a more trusted zone, or un-nest it",
                       severity="warning", code="zone")


def check_boundary_membership(m: Model, c: Ctx) -> Iterator[Problem]:
    """Where the model has boundaries, every element sits in one."""
    if not m.boundaries:
        return
    for i, e in enumerate(m.elements):
        if e.boundary is None:
            yield c.at(("elements", i, "id"), f"element '{e.id}' is outside every trust boundary",
                       "add 'boundary:' with the zone it runs in: boundary crossings and exposure depend on it", code="no-boundary")


def check_element_zones(m: Model, c: Ctx) -> Iterator[Problem]:
    """Partners' systems are not inside the bank's internal zones, no outside actor sits in a restricted segment, and the bank's own components are not in outside zones (warnings)."""
    zones = _zones(m)
    for i, e in enumerate(m.elements):
        z = zones.get(e.id)
        if z is None:
            continue
        if e.kind == ElementKind.EXTERNAL_ENTITY and (
            z == Zone.RESTRICTED or (z == Zone.INTERNAL and e.technology == Technology.PARTNER_SYSTEM)
        ):
            yield c.at(("elements", i, "boundary"), f"external entity '{e.id}' ({e.technology.value}) sits in the {z.value} zone",
                       "an external entity is outside the bank's control: place it in an internet or partner boundary "
                       "(administrators reach restricted segments through a jump host), or model it as a process if the bank runs it",
                       severity="warning", code="zone")
        if e.kind != ElementKind.EXTERNAL_ENTITY and e.technology in BANK_TECHNOLOGIES and z in OUTSIDE_ZONES:
            yield c.at(("elements", i, "boundary"), f"'{e.id}' ({e.technology.value}) sits in the {z.value} zone",
                       "the bank runs it in its own network: place it in the DMZ or an internal boundary, "
                       "otherwise exposure to the internet is not computed for it", severity="warning", code="zone")


# --- elements -------------------------------------------------------------------------------

def check_element_kinds(m: Model, c: Ctx) -> Iterator[Problem]:
    """An element's kind fits its technology (data stores are stores, people and devices are external entities)."""
    for i, e in enumerate(m.elements):
        if e.kind == ElementKind.DATA_STORE and e.technology not in STORE_TECHNOLOGIES:
            yield c.at(("elements", i, "technology"), f"'{e.technology.value}' is not a data store technology",
                       "use kind: process or external_entity, or a store technology (database, file_storage, message_queue, log_collector, hsm)",
                       severity="warning", code="inconsistent")
        elif e.kind == ElementKind.PROCESS and e.technology in {Technology.DATABASE, Technology.FILE_STORAGE}:
            yield c.at(("elements", i, "kind"), f"element '{e.id}' is a {e.technology.value} but its kind is process",
                       "use kind: data_store: store rules (encryption at rest, who reaches the data) apply to data stores",
                       severity="warning", code="inconsistent")
        elif e.kind != ElementKind.EXTERNAL_ENTITY and e.technology in ACTOR_TECHNOLOGIES:
            yield c.at(("elements", i, "kind"), f"element '{e.id}' is a {e.technology.value} but its kind is {e.kind.value}",
                       "people and their devices are external entities: use kind: external_entity", severity="warning", code="inconsistent")
        elif e.kind == ElementKind.EXTERNAL_ENTITY and e.technology in BANK_TECHNOLOGIES:
            yield c.at(("elements", i, "kind"), f"element '{e.id}' is a {e.technology.value} but its kind is external_entity",
                       "the bank runs it: use kind: process (or data_store for an HSM)", severity="warning", code="inconsistent")


def check_element_properties(m: Model, c: Ctx) -> Iterator[Problem]:
    """Element properties that depend on another are set together (MFA and SoD need privileged access, hashed tokens need stored tokens...)."""
    for i, e in enumerate(m.elements):
        if e.segregation_of_duties and not e.privileged_access:
            yield c.at(("elements", i, "segregation_of_duties"), f"element '{e.id}' declares segregation of duties without privileged access",
                       "set privileged_access: true if administrators use it", severity="warning", code="inconsistent")
        if e.admin_mfa and not e.privileged_access:
            yield c.at(("elements", i, "admin_mfa"), f"element '{e.id}' declares MFA for administrators without privileged access",
                       "set privileged_access: true if administrators use it", severity="warning", code="inconsistent")
        if e.tokens_hashed and not e.stores_tokens:
            yield c.at(("elements", i, "tokens_hashed"), f"element '{e.id}' hashes stored tokens but stores_tokens is false",
                       "set stores_tokens: true, or remove tokens_hashed", severity="warning", code="inconsistent")
        if e.technology not in TOKEN_ISSUERS:
            for prop in ("public_clients", "ropc_grant", "token_lifetime_minutes", "request_object_max_lifetime_minutes",
                         "jws_algorithms", "redirects_only_registered", "frame_protection", "redirect_307_after_post"):
                if getattr(e, prop) not in (False, None, []):
                    yield c.at(("elements", i, prop), f"'{prop}' applies to identity providers and key managers, not to {e.technology.value} '{e.id}'",
                               "move it to the element that issues the tokens", severity="warning", code="inconsistent")
        if e.holds_logs and e.kind != ElementKind.DATA_STORE:
            yield c.at(("elements", i, "holds_logs"), f"'{e.id}' holds logs but is not a data store",
                       "model the log store as a data_store (e.g. technology: log_collector)", severity="warning", code="inconsistent")


def check_unused_elements(m: Model, c: Ctx) -> Iterator[Problem]:
    """Every element takes part in a flow (warning)."""
    if not m.flows:
        return
    connected = {f.source for f in m.flows} | {f.target for f in m.flows}
    for i, e in enumerate(m.elements):
        if e.id not in connected:
            yield c.at(("elements", i, "id"), f"element '{e.id}' has no flows", "connect it, or remove it",
                       severity="warning", code="unused")


# --- flows ----------------------------------------------------------------------------------

# id(flow) -> (the flow, its shape), kept only in the app (``keep_flow_shapes``): it checks a model after every edit,
# and an edit makes new objects only of the items it changes (a validated flow is never changed)
_SHAPES: dict[int, tuple[Any, str]] | None = None


def keep_flow_shapes() -> None:
    """Remember each flow's shape from one check to the next (the app; a batch run does not keep them)."""
    global _SHAPES
    if _SHAPES is None:
        _SHAPES = {}


def _shape(f: Any) -> str:
    """What a flow is but for its id, title and description: duplicate flows have the same."""
    known = _SHAPES.get(id(f)) if _SHAPES is not None else None
    if known is not None and known[0] is f:
        return known[1]
    shape = f.model_dump(mode="json", exclude={"id", "title", "description"})
    key = repr(sorted(shape.items()))
    if _SHAPES is not None:
        if len(_SHAPES) > 200_000:
            _SHAPES.clear()
        _SHAPES[id(f)] = (f, key)
    return key


def check_flow_ends(m: Model, c: Ctx) -> Iterator[Problem]:
    """A flow joins two different elements, not both external entities; no flow is an exact copy of another."""
    kinds = {e.id: e.kind for e in m.elements}
    seen: dict[str, str] = {}
    for i, f in enumerate(m.flows):
        if f.source == f.target:
            yield c.at(("flows", i, "to"), f"flow '{f.id}' goes from '{f.source}' to itself",
                       "a flow connects two different elements; model internal steps as separate elements", code="self-flow")
        ks, kt = kinds.get(f.source), kinds.get(f.target)
        if ks == kt == ElementKind.EXTERNAL_ENTITY:
            yield c.at(("flows", i, "id"), f"flow '{f.id}' joins two external entities",
                       "a threat model covers flows that touch the bank's systems: remove it, or model the bank's side as a process",
                       severity="warning", code="dfd")
        key = _shape(f)
        if key in seen:
            yield c.at(("flows", i, "id"), f"flow '{f.id}' repeats flow '{seen[key]}' (same ends, protocol, data and properties)",
                       "merge them, or record what differs between them", severity="warning", code="duplicate-flow")
        else:
            seen[key] = f.id


def check_tls(m: Model, c: Ctx) -> Iterator[Problem]:
    """TLS settings agree with the protocol and with each other (https needs a TLS version, mutual TLS needs TLS...)."""
    for i, f in enumerate(m.flows):
        tls = f.tls
        none = tls.min_version == TlsVersion.NONE
        if f.protocol in PLAINTEXT_PROTOCOLS and not none:
            yield c.at(("flows", i, "protocol"),
                       f"flow '{f.id}' uses {f.protocol.value}, which has no TLS, but tls.min_version is {tls.min_version.value}",
                       f"use protocol: {PLAINTEXT_PROTOCOLS[f.protocol]} if the channel is encrypted, or set tls.min_version: none",
                       code="inconsistent")
        if f.protocol == Protocol.HTTPS and none:
            yield c.at(("flows", i, "tls"), f"flow '{f.id}' is https but tls.min_version is not set",
                       "set tls.min_version to the lowest version the server accepts (1.2 or 1.3), or use protocol: http",
                       code="inconsistent")
        if tls.mutual and none:
            yield c.at(("flows", i, "tls", "mutual"), f"flow '{f.id}' declares mutual TLS without TLS",
                       "set tls.min_version", code="inconsistent")
        if tls.forward_secrecy and none:
            yield c.at(("flows", i, "tls", "forward_secrecy"), f"flow '{f.id}' declares forward secrecy without TLS",
                       "set tls.min_version, or remove forward_secrecy", code="inconsistent")
        if tls.client_cert_verified and not tls.mutual:
            yield c.at(("flows", i, "tls", "client_cert_verified"), f"flow '{f.id}' verifies client certificates but mutual TLS is off",
                       "set tls.mutual: true, or remove client_cert_verified", code="inconsistent")
        if tls.min_version == TlsVersion.TLS1_3 and not tls.forward_secrecy:
            yield c.at(("flows", i, "tls", "min_version"), f"flow '{f.id}' accepts only TLS 1.3, which always has forward secrecy, but forward_secrecy is false",
                       "set tls.forward_secrecy: true", severity="warning", code="inconsistent")


def check_authentication(m: Model, c: Ctx) -> Iterator[Problem]:
    """Authentication settings agree with the method and with TLS (mTLS needs mutual TLS, OAuth options need OAuth...)."""
    for i, f in enumerate(m.flows):
        auth, tls = f.authentication, f.tls
        at = ("flows", i, "authentication")
        oauth = auth.method in OAUTH_METHODS
        if auth.method == AuthMethod.MTLS and not tls.mutual:
            yield c.at(at + ("method",), f"flow '{f.id}' authenticates by mTLS but tls.mutual is false",
                       "set tls.mutual: true", code="inconsistent")
        if auth.sender_constrained == SenderConstraint.MTLS and not tls.mutual:
            yield c.at(at + ("sender_constrained",), f"flow '{f.id}' binds tokens to the client certificate but tls.mutual is false",
                       "certificate-bound tokens (RFC 8705) need mutual TLS: set tls.mutual: true, or use sender_constrained: dpop",
                       code="inconsistent")
        if auth.client_auth in MTLS_CLIENT_AUTH and not tls.mutual:
            yield c.at(at + ("client_auth",), f"flow '{f.id}' uses {auth.client_auth.value} but tls.mutual is false",
                       "TLS client authentication (RFC 8705) needs mutual TLS: set tls.mutual: true", code="inconsistent")
        if auth.ciba is not None and auth.method != AuthMethod.CIBA:
            yield c.at(at + ("ciba",), f"flow '{f.id}' has CIBA details but authentication.method is {auth.method.value}",
                       "set authentication.method: ciba", code="inconsistent")
        if auth.ciba is not None and auth.ciba.hint not in CIBA_HINTS:
            yield c.at(at + ("ciba", "hint"), f"'{auth.ciba.hint}' is not a CIBA hint",
                       f"allowed values: {', '.join(CIBA_HINTS)}", code="enum")
        if auth.client_auth is not None and not oauth:
            yield c.at(at + ("client_auth",), f"flow '{f.id}' sets client_auth, which only applies to OAuth 2.0 / OIDC / CIBA",
                       "remove client_auth or change authentication.method", severity="warning", code="inconsistent")
        if auth.method == AuthMethod.NONE and (f.authorization.scopes or f.authorization.roles):
            yield c.at(("flows", i, "authorization"), f"flow '{f.id}' checks scopes or roles but authenticates nobody (method: none)",
                       "scopes and roles belong to an authenticated caller: set authentication.method, or remove them",
                       severity="warning", code="inconsistent")
        if auth.ciba is not None and auth.ciba.notification_token_bits is not None and auth.ciba.mode.value != "ping":
            yield c.at(at + ("ciba", "notification_token_bits"),
                       f"flow '{f.id}' states notification_token_bits but its CIBA mode is {auth.ciba.mode.value}",
                       "the client_notification_token is sent only in ping mode (push is forbidden): set mode: ping or "
                       "remove it", severity="warning", code="inconsistent")
        if oauth and (auth.method == AuthMethod.CIBA or auth.grant in NO_REDIRECT_GRANTS):
            for name in ("response_protection", "iss_in_response"):
                if getattr(auth, name) is not None:
                    yield c.at(at + (name,), f"flow '{f.id}' sets {name}, which describes the authorization response "
                               "of a redirect flow, but it has none", "remove it, or set the grant the flow really uses",
                               severity="warning", code="inconsistent")
        if auth.token_in_query and auth.method == AuthMethod.API_KEY:
            yield c.at(at + ("token_in_query",), f"flow '{f.id}' sets token_in_query, which is about OAuth access tokens, "
                       "but authenticates by an API key", "say where the key travels with api_key_in: query (and remove "
                       "token_in_query)", severity="warning", code="inconsistent")
        if auth.api_key_in is not None and auth.method != AuthMethod.API_KEY:
            yield c.at(at + ("api_key_in",), f"flow '{f.id}' sets api_key_in, but authentication.method is {auth.method.value}",
                       "set authentication.method: api_key, or remove api_key_in", severity="warning", code="inconsistent")
        if not oauth:
            used = [name for name in ("grant", "pkce", "par", "signed_request_object", "response_protection",
                                      "iss_in_response", "refresh_tokens") if getattr(auth, name, None) not in (None, False)]
            if auth.sender_constrained != SenderConstraint.NONE:
                used.append("sender_constrained")
            for name in used:
                yield c.at(at + (name,), f"flow '{f.id}' sets {name}, an OAuth option, but authentication.method is {auth.method.value}",
                           "set authentication.method to oauth2, oidc or ciba, or remove the option", severity="warning", code="inconsistent")


def check_callbacks(m: Model, c: Ctx) -> Iterator[Problem]:
    """A callback (webhook) goes from the bank to a party outside it (warning)."""
    zones = _zones(m)
    kinds = {e.id: e.kind for e in m.elements}
    for i, f in enumerate(m.flows):
        if not f.callback:
            continue
        outside = kinds.get(f.target) == ElementKind.EXTERNAL_ENTITY or zones.get(f.target) in OUTSIDE_ZONES
        if not outside or zones.get(f.source) in OUTSIDE_ZONES:
            yield c.at(("flows", i, "callback"), f"flow '{f.id}' is marked as a callback but does not go from the bank to a party outside it",
                       "a callback (webhook) flow goes from the bank's element to the partner's endpoint: check from/to, "
                       "or remove callback", severity="warning", code="inconsistent")


def check_file_transfer(m: Model, c: Ctx) -> Iterator[Problem]:
    """File protection is only described on flows that transfer files (warning)."""
    for i, f in enumerate(m.flows):
        ft = f.file_transfer
        if ft.direction == FileDirection.NONE and (ft.encrypted or ft.sandboxed):
            yield c.at(("flows", i, "file_transfer"), f"flow '{f.id}' describes file protection but no file direction",
                       "set file_transfer.direction (inbound, outbound or both)", severity="warning", code="inconsistent")


# --- data -----------------------------------------------------------------------------------

def check_pd_level(m: Model, c: Ctx) -> Iterator[Problem]:
    """A model with personal data states its 152-FZ protection level (and one without does not need it: warning)."""
    pd_assets = [a for a in m.data_assets if a.pd_category != PdCategory.NONE]
    if pd_assets and m.metadata.pd_level is None:
        yield c.at(("metadata",), f"data asset '{pd_assets[0].id}' is personal data but metadata.pd_level is not set",
                   "set metadata.pd_level (uz1..uz4) from the ISPDn protection level act", code="pd-level", key=True)
    if not pd_assets and m.metadata.pd_level is not None and m.data_assets:
        yield c.at(("metadata", "pd_level"), f"metadata.pd_level is {m.metadata.pd_level.value} but no data asset is personal data",
                   "set pd_category on the data assets that hold personal data, or remove pd_level",
                   severity="warning", code="pd-level")


def check_cross_border(m: Model, c: Ctx) -> Iterator[Problem]:
    """Cross-border transfer details agree: a transfer names foreign countries, countries imply a transfer."""
    for i, a in enumerate(m.data_assets):
        cb = a.cross_border
        at = ("data_assets", i, "cross_border")
        if cb.transfer and not cb.countries:
            yield c.at(at, f"data asset '{a.id}' is transferred abroad but no country is named",
                       "list destination countries as ISO codes, e.g. countries: [KZ]", code="cross-border")
        if cb.countries and not cb.transfer:
            yield c.at(at, f"data asset '{a.id}' names countries but transfer is false",
                       "set transfer: true, or remove the countries", code="cross-border")
        if "RU" in cb.countries:
            yield c.at(at + ("countries",), "RU is not a cross-border destination",
                       "list only foreign countries", code="cross-border")
        if cb.rkn_notified and not cb.transfer:
            yield c.at(at + ("rkn_notified",), f"data asset '{a.id}' records a Roskomnadzor notification but transfer is false",
                       "set transfer: true with the countries, or remove rkn_notified", severity="warning", code="cross-border")
        if cb.adequate_protection is not None and not cb.transfer:
            yield c.at(at + ("adequate_protection",), f"data asset '{a.id}' states adequate_protection but transfer is false",
                       "no rule reads it without a transfer: set transfer: true with the countries, or remove it",
                       severity="warning", code="cross-border")


def check_unused_assets(m: Model, c: Ctx) -> Iterator[Problem]:
    """Every data asset is carried by some flow (warning)."""
    used = {d for f in m.flows for d in f.data}
    for i, a in enumerate(m.data_assets):
        if a.id not in used:
            yield c.at(("data_assets", i, "id"), f"data asset '{a.id}' is not carried by any flow",
                       "add it to a flow's 'data', or remove it", severity="warning", code="unused")


# --- controls, decisions, answers -----------------------------------------------------------

def check_controls(m: Model, c: Ctx) -> Iterator[Problem]:
    """One entry per control and scope; implemented and not-applicable controls say where the evidence is (warning)."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for i, cs in enumerate(m.controls):
        key = (cs.control, tuple(sorted(cs.scope)))
        if key in seen:
            yield c.at(("controls", i, "control"), f"control '{cs.control}' is listed twice for the same scope",
                       "keep one entry per control and scope", code="duplicate-control")
        seen.add(key)
        if not cs.evidence.strip() and cs.status in (ControlStatus.IMPLEMENTED, ControlStatus.PARTIAL, ControlStatus.NOT_APPLICABLE):
            why = "why it does not apply" if cs.status == ControlStatus.NOT_APPLICABLE else "where the proof is"
            yield c.at(("controls", i), f"control '{cs.control}' is {cs.status.value} without evidence",
                       f"add 'evidence:' saying {why} (document, ticket, configuration)", severity="warning", code="evidence")


def check_decisions(m: Model, c: Ctx) -> Iterator[Problem]:
    """Decisions are complete: accepted risks have an owner, a reason and an expiry; others say why; one decision per threat; a mitigating control is in place."""
    in_place = {cs.control for cs in m.controls if cs.status in (ControlStatus.IMPLEMENTED, ControlStatus.PARTIAL)}
    declared = {cs.control: cs.status for cs in m.controls}
    seen: set[str] = set()
    for i, d in enumerate(m.decisions):
        if d.threat in seen:
            yield c.at(("decisions", i, "threat"), f"a second decision for '{d.threat}'", "keep one decision per threat", code="duplicate-decision")
        seen.add(d.threat)
        if d.status == DecisionStatus.ACCEPTED:
            if not d.owner:
                yield c.at(("decisions", i), f"accepted risk '{d.threat}' has no owner", "add 'owner:': someone must own an accepted risk", code="acceptance")
            if d.expires is None:
                yield c.at(("decisions", i), f"accepted risk '{d.threat}' has no expiry", "add 'expires: YYYY-MM-DD': acceptances are reviewed", code="acceptance")
            if not d.reason.strip():
                yield c.at(("decisions", i), f"accepted risk '{d.threat}' has no reason", "add 'reason:' with the justification", code="acceptance")
        if d.status == DecisionStatus.MITIGATED and not d.control and not d.reason.strip():
            yield c.at(("decisions", i), f"mitigated risk '{d.threat}' names no control and no reason",
                       "add 'control:' with the catalog control id that mitigates it", severity="warning", code="mitigation")
        if d.status == DecisionStatus.MITIGATED and d.control and d.control in declared and d.control not in in_place:
            yield c.at(("decisions", i, "control"),
                       f"risk '{d.threat}' is marked mitigated by '{d.control}', but that control is {declared[d.control].value}",
                       "keep the decision open (or accept it) until the control is implemented", code="mitigation")
        if d.status in (DecisionStatus.FALSE_POSITIVE, DecisionStatus.TRANSFERRED) and not d.reason.strip():
            yield c.at(("decisions", i), f"'{d.status.value}' decision for '{d.threat}' has no reason", "add 'reason:'", code="decision-reason")
        if d.expires and d.decided_on and d.expires < d.decided_on:
            yield c.at(("decisions", i, "expires"), f"the decision on '{d.threat}' expires ({d.expires}) before it was made ({d.decided_on})",
                       "check the dates", code="dates")


def check_answers(m: Model, c: Ctx) -> Iterator[Problem]:
    """One answer per audit question; positive and not-applicable answers carry evidence (warning)."""
    counts = Counter(a.question for a in m.answers)
    seen: set[str] = set()
    for i, a in enumerate(m.answers):
        if counts[a.question] > 1 and a.question in seen:
            yield c.at(("answers", i, "question"), f"question '{a.question}' is answered twice", "keep one answer per question", code="duplicate-answer")
        seen.add(a.question)
        if not a.evidence.strip() and a.status in (AnswerStatus.YES, AnswerStatus.PARTIAL, AnswerStatus.NOT_APPLICABLE):
            why = "why it does not apply" if a.status == AnswerStatus.NOT_APPLICABLE else "the document, ticket or link that proves it"
            yield c.at(("answers", i), f"answer '{a.status.value}' to '{a.question}' has no evidence",
                       f"add 'evidence:' with {why}", severity="warning", code="evidence")


def check_dates(m: Model, c: Ctx) -> Iterator[Problem]:
    """Review, decision and answer dates are not in the future (warning)."""
    if m.metadata.reviewed_on and m.metadata.reviewed_on > c.today:
        yield c.at(("metadata", "reviewed_on"), f"reviewed_on {m.metadata.reviewed_on} is in the future", "check the date",
                   severity="warning", code="dates")
    for i, d in enumerate(m.decisions):
        if d.decided_on and d.decided_on > c.today:
            yield c.at(("decisions", i, "decided_on"), f"decided_on {d.decided_on} is in the future", "check the date",
                       severity="warning", code="dates")
    for i, a in enumerate(m.answers):
        if a.answered_on and a.answered_on > c.today:
            yield c.at(("answers", i, "answered_on"), f"answered_on {a.answered_on} is in the future", "check the date",
                       severity="warning", code="dates")


def check_clear_by_law(m: Model, c: Ctx) -> Iterator[Problem]:
    """Attributes required in clear by law are attributes of an unmasked personal-data asset (warning)."""
    for i, a in enumerate(m.data_assets):
        if not a.clear_by_law:
            continue
        at = ("data_assets", i, "clear_by_law")
        if a.pd_category == PdCategory.NONE or a.masked:
            why = "it is not personal data" if a.pd_category == PdCategory.NONE else "it is masked"
            yield c.at(at, f"data asset '{a.id}' lists clear_by_law attributes but {why}: no rule reads them",
                       "remove clear_by_law, or correct pd_category / masked", severity="warning", code="inconsistent")
        extra = [x for x in a.clear_by_law if x not in a.attributes]
        if extra:
            yield c.at(at, f"data asset '{a.id}': clear_by_law names {', '.join(extra)}, not among its attributes",
                       "list the attribute in 'attributes' too, or fix the name", severity="warning", code="inconsistent")


def check_flow_review_facts(m: Model, c: Ctx) -> Iterator[Problem]:
    """Minimization, log-content, XML-parsing and leak-prevention facts sit on flows that rules read them on (warning)."""
    assets = {a.id: a for a in m.data_assets}
    for i, f in enumerate(m.flows):
        carried = [assets[d] for d in f.data if d in assets]
        pd = [a for a in carried if a.pd_category != PdCategory.NONE]
        if f.data_used is not None:
            if not pd:
                yield c.at(("flows", i, "data_used"), f"flow '{f.id}' states data_used but carries no personal data: no rule reads it",
                           "add the personal-data asset to 'data', or remove data_used", severity="warning", code="inconsistent")
            else:
                known = {x for a in pd for x in a.attributes}
                unknown = [x for x in f.data_used if x not in known]
                if unknown:
                    yield c.at(("flows", i, "data_used"),
                               f"flow '{f.id}': data_used names {', '.join(unknown)}, not an attribute of its personal-data assets",
                               _suggest(unknown[0], known, "attribute") or "use the names in data_assets[].attributes",
                               severity="warning", code="inconsistent")
        if f.log_content is not None and "logging" in f.model_fields_set and f.logging.value == "none":
            yield c.at(("flows", i, "log_content"), f"flow '{f.id}' states log_content but logging is none",
                       "set logging (local or central), or remove log_content", severity="warning", code="inconsistent")
        if f.xml_hardened is not None and f.payload_format != PayloadFormat.XML and f.protocol != Protocol.SOAP:
            yield c.at(("flows", i, "xml_hardened"), f"flow '{f.id}' states xml_hardened but carries no XML: no rule reads it",
                       "set payload_format: xml (or protocol: soap), or remove xml_hardened", severity="warning", code="inconsistent")
        ft = f.file_transfer
        if (ft.caller_names_files is not None or ft.names_confined is not None) and ft.direction == FileDirection.NONE:
            yield c.at(("flows", i, "file_transfer"), f"flow '{f.id}' states how files are named but transfers no files: "
                       "no rule reads it", "set file_transfer.direction, or remove caller_names_files and names_confined",
                       severity="warning", code="inconsistent")
        elif ft.names_confined is not None and ft.caller_names_files is not True:
            yield c.at(("flows", i, "file_transfer", "names_confined"),
                       f"flow '{f.id}' states names_confined, but the caller does not choose file names: no rule reads it",
                       "set caller_names_files: true if the caller names the files, or remove names_confined",
                       severity="warning", code="inconsistent")
        sensitive = pd or any(a.classification.value in ("bank_secrecy", "payment") for a in carried)
        if f.leak_prevention is not None and not sensitive:
            yield c.at(("flows", i, "leak_prevention"),
                       f"flow '{f.id}' states leak_prevention but carries no personal data, bank secrecy or payment data: no rule reads it",
                       "add the data asset to 'data', or remove leak_prevention", severity="warning", code="inconsistent")


def check_software_facts(m: Model, c: Ctx) -> Iterator[Problem]:
    """Software version, support and platform are stated for the bank's processes and stores, not for external entities (warning)."""
    for i, e in enumerate(m.elements):
        if e.kind != ElementKind.EXTERNAL_ENTITY:
            continue
        for prop in ("supported", "patched", "platform"):
            if getattr(e, prop) is not None:
                yield c.at(("elements", i, prop), f"'{prop}' of external entity '{e.id}' is not read by any rule",
                           "the rules judge the bank's processes and data stores; describe the partner's software in its description",
                           severity="warning", code="inconsistent")
    pages = {"identity_provider", "wso2_key_manager", "wso2_publisher", "web_app"}
    for i, e in enumerate(m.elements):
        if e.xss_protection is not None and (e.kind == ElementKind.EXTERNAL_ENTITY or e.technology.value not in pages):
            yield c.at(("elements", i, "xss_protection"), f"xss_protection of '{e.id}' is not read by any rule",
                       "it is judged on the bank's processes that serve web pages (identity_provider, wso2_key_manager, "
                       "wso2_publisher, web_app): remove it here", severity="warning", code="inconsistent")


CHECKS: list[Check] = [
    check_duplicate_ids,
    check_references,
    check_derived_from,
    check_stale_decisions,
    check_boundary_nesting,
    check_boundary_membership,
    check_element_zones,
    check_element_kinds,
    check_element_properties,
    check_unused_elements,
    check_flow_ends,
    check_tls,
    check_authentication,
    check_callbacks,
    check_file_transfer,
    check_pd_level,
    check_cross_border,
    check_unused_assets,
    check_controls,
    check_decisions,
    check_answers,
    check_dates,
    check_clear_by_law,
    check_flow_review_facts,
    check_software_facts,
]


def check_model(model: Model, located: Located | None, path: str, *, today: dt.date | None = None) -> list[Problem]:
    ctx = Ctx(located, path, today)
    problems = [p for check in CHECKS for p in check(model, ctx)]
    return sorted(set(problems))
