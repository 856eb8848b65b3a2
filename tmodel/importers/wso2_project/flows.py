"""The flows that carry the gateway's facts: consumer -> gateway flows, one per group of operations
sharing every WSO2 fact (transport, authentication alternative, auth type, rate limit, scopes,
schema validation, policies), and gateway -> backend flows per environment with the endpoint's
TLS and credentials."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tmodel.importers.common import Draft, derive
from tmodel.importers.wso2_project.api import Api, Endpoint, api_title, stripped
from tmodel.importers.wso2_project.operations import OpFacts, rate_limit
from tmodel.importers.wso2_project.security import (
    NONE_ALT,
    Alternative,
    canonical_auth_type,
)

TLS_NOTE = ("the TLS version is not stated in the project; the gateway's deployment.toml decides it "
            "([transport.passthru_https.listener.parameters] HttpsProtocols, whose default also accepts TLS 1.0 "
            "and 1.1): check it with 'tmodel audit wso2-config'")
BACKEND_TLS_NOTE = ("the TLS version is not stated in the project; the gateway's "
                    "[transport.passthru_https.sender.parameters] HttpsProtocols decides it")


@dataclass
class Parts:
    """The ids of the draft's main elements."""

    consumer: str
    gateway: str
    backend: str | None
    internet: str
    dmz: str
    internal: str


def append_description(item: dict[str, Any], text: str) -> None:
    """``text`` on a line of its own at the end of the item's description (cut at 4000 characters)."""
    if not text:
        return
    cur = item.get("description") or ""
    item["description"] = (cur + ("\n" if cur else "") + text)[:4000]


def consumer_transport(api: Api) -> dict[str, Any]:
    """protocol/tls of the consumer's calls, from the API's transports."""
    names = {t: p for t, p in reversed(api.transports)}
    ws = api.api_type in ("WS", "WEBSUB", "SSE", "ASYNC")
    secure, plain = ("wss", "ws") if ws else ("https", "http")
    out: dict[str, Any] = {"protocol": None, "tls": None, "note": "", "plaintext": None}
    if not api.transports:
        out["note"] = ("the project states no transport (WSO2 then offers both http and https): protocol and TLS are "
                       "left at the model's defaults")
        return out
    if secure in names:
        out["protocol"] = ("websocket" if ws else "https", api.src(names[secure]))
        out["tls"] = ("1.2", api.src(names[secure]))
        out["note"] = f"transport {secure}: {TLS_NOTE}"
    if plain in names:
        out["plaintext"] = api.src(names[plain])
        if secure in names:
            out["note"] += (f". transport also lists {plain}: the gateway answers these calls in clear text too "
                            "(port 8280), so a client may send its credentials unencrypted")
        else:
            out["protocol"] = ("websocket" if ws else "http", api.src(names[plain]))
            out["tls"] = ("none", api.src(names[plain]))
            out["note"] = f"transport is {plain} only: calls and credentials travel in clear text"
    if not out["protocol"]:
        listed = ", ".join(names)
        out["note"] = f"transport lists {listed}: not an HTTP transport the importer knows; protocol left at the default"
    return out


def url_facts(url: str) -> tuple[str, str]:
    """(kind, note): kind is 'http', 'https', 'dynamic' or 'other'."""
    if "{uri.var." in url or url.startswith("$") or "{" in url.split("//", 1)[-1].split("/", 1)[0]:
        return "dynamic", f"{url} is resolved at run time"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "other", f"{url} is not a URL"
    scheme = parts.scheme.lower()
    note = ""
    host = parts.hostname or ""
    if "<" in url or ">" in url:
        note = f"{url} is a placeholder"
    elif host in ("localhost", "127.0.0.1", "::1"):
        note = f"{url} points at localhost (a sample or development value)"
    if scheme in ("http", "https"):
        return scheme, note
    return "other", note or f"{url}: scheme '{scheme or '(none)'}' is not HTTP"


# what a consumer flow keeps from the OpenAPI draft's flow for its operations (the rest is the gateway's)
INHERITED = ("data", "identifiers", "file_transfer", "schema_validation", "client_supplied_urls")


def _inherit(flow: dict[str, Any], tmpl: dict[str, Any], alt: Alternative, auth_type: str | None, keep_rate: bool) -> None:
    src = tmpl.get("derived_from") or {}
    keys = list(INHERITED) + (["rate_limit"] if keep_rate else [])
    for k in keys:
        if k in tmpl:
            flow[k] = tmpl[k] if not isinstance(tmpl[k], (dict, list)) else json.loads(json.dumps(tmpl[k]))
    auth = tmpl.get("authentication") or {}
    grant = alt.method == "oauth2" and auth.get("method") in ("oauth2", "oidc") and auth.get("grant") \
        and auth_type != "Application"
    if grant:
        flow.setdefault("authentication", {})["grant"] = auth["grant"]
    for field_path, where in src.items():
        top = field_path.split(".")[0]
        if field_path and (top in keys or (grant and field_path == "authentication.grant")):
            flow.setdefault("derived_from", {})[field_path] = where


# sentences of the OpenAPI draft's flow description that the gateway's facts replace
REPLACED_NOTES = ("Operations:", "Security:", "Every operation declares", "The request schemas are strict", "The server URL",
                  "The document names no server", "mutualTLS is declared", "https; the document", "None of the security")


def _definition_notes(text: str) -> str:
    sentences = re.split(r"(?<=\.)\s+(?=[A-Z'])", text.strip())
    return " ".join(x for x in sentences if x and not x.startswith(REPLACED_NOTES) and "429" not in x)


def _short_list(names: list[str], limit: int = 120) -> str:
    out: list[str] = []
    for i, n in enumerate(names):
        if len(", ".join(out + [n])) > limit:
            return ", ".join(out) + f" and {len(names) - i} more"
        out.append(n)
    return ", ".join(out)


def consumer_flows(draft: Draft, api: Api, ops: list[OpFacts], alts: list[Alternative], parts: Parts,
                   credentials: str | None, schema: Any, findings: list[str]) -> list[dict]:
    """consumer -> gateway flows, one per group of operations that share every WSO2 fact."""
    tr = consumer_transport(api)
    if not ops:
        ops = [OpFacts("*", "(all resources)", api.src(api.operations_path) if api.operations_path else api.project.api_label)]
        findings.append(f"{api.project.api_label} lists no operations and there is no API definition beside it: one flow "
                        "stands for every call; per-resource auth types, tiers and scopes are unknown")
    groups: dict[tuple, list[tuple[OpFacts, Alternative, tuple]]] = {}
    for op in ops:
        at = canonical_auth_type(op.auth_type)
        rl = rate_limit(api, op)
        for alt in ([NONE_ALT] if at == "None" else alts):
            key = (alt.label, alt.method, at, rl[0], rl[2], tuple(op.scopes),
                   id(op.template) if op.template is not None else None, tuple(op.policies))
            groups.setdefault(key, []).append((op, alt, rl))
    flows = []
    for (label, _method, at, _rl, _rls, scopes, _t, policies), members in groups.items():
        op, alt, rl = members[0]
        names = [m[0].name for m in members]
        tmpl = op.template if isinstance(op.template, dict) else {}
        flow: dict[str, Any] = {"id": draft.new_id("calls-" + (label if label else "") + "-" + names[0]),
                                "title": "", "from": parts.consumer, "to": parts.gateway}
        _inherit(flow, tmpl, alt, at, rl[0] is None)
        suffix = f" ({label})" if label else ""
        flow["title"] = (_short_list(names, 150) + suffix)[:200]
        desc = [f"{api_title(api)}: {', '.join(names)}"[:1500]]
        if tr["protocol"]:
            derive(flow, "protocol", tr["protocol"][0], tr["protocol"][1])
        if tr["tls"]:
            derive(flow, "tls.min_version", tr["tls"][0], tr["tls"][1])
        if tr["note"]:
            desc.append(tr["note"][0].upper() + tr["note"][1:] + ".")
        # authentication
        derive(flow, "authentication.method", alt.method,
               alt.sources.get("authentication.method") or op.auth_src or op.where)
        if "tls.mutual" in alt.sources:
            derive(flow, "tls.mutual", alt.mutual, alt.sources["tls.mutual"])
        desc.append(f"Authentication: {alt.note}" + (f"; authType {op.auth_type}" if op.auth_type and alt is not NONE_ALT
                                                       else "") + ".")
        if alt.method == "mtls":
            pass
        elif at == "Application" and alt.method == "oauth2":
            derive(flow, "authentication.grant", "client_credentials", op.auth_src)
            desc.append("authType Application: only application tokens (client credentials grant) are accepted.")
        elif at == "Application User" and alt.method == "oauth2":
            desc.append("authType Application User: only tokens issued for a user are accepted.")
        elif at not in (None, "None", "Application & Application User", "Application", "Application User"):
            desc.append(f"authType '{op.auth_type}' is not a WSO2 value.")
        if scopes and alt.method == "mtls":
            desc.append(f"Scopes {', '.join(scopes)} are not checked on this path: there is no access token.")
        elif scopes:
            derive(flow, "authorization.scopes", list(scopes), op.scopes_src)
        if rl[0] is not None:
            derive(flow, "rate_limit", rl[0], rl[1])
        desc.append(f"Rate limit: {rl[2]}.")
        sv = schema(tmpl) if schema else None
        if sv is not None:
            derive(flow, "schema_validation", sv[0], sv[1])
            if sv[2]:
                desc.append(sv[2])
        if policies:
            desc.append(f"Operation policies run on the gateway: {', '.join(policies)}.")
        data = list(flow.get("data") or [])
        if credentials and alt.method != "none" and credentials not in data:
            data.append(credentials)
        if data:
            flow["data"] = data
        kept = _definition_notes(str(tmpl.get("description") or ""))
        if kept:
            desc.append("From the definition: " + kept)
        flow["description"] = "\n".join(desc)[:4000]
        flows.append(flow)
    draft.flows += flows
    return flows


def _add_backend(draft: Draft, parts: Parts, title: str, env: str) -> str:
    bid = draft.new_id("backend" if env == "production" else "sandbox-backend")
    draft.elements.append({"id": bid, "title": title, "kind": "process", "technology": "backend_service",
                           "boundary": parts.internal, "description": ""})
    return bid


def backend_flows(draft: Draft, api: Api, parts: Parts, findings: list[str], data: list[str]) -> None:
    """gateway -> backend, per environment, with endpoint security and its clear-text secrets.

    The OpenAPI draft's gateway -> backend flows (one per group of operations) get the production
    endpoint's facts; a sandbox endpoint that differs from production gets a backend of its own.
    """
    by_env: dict[str, list[Endpoint]] = {}
    for e in api.endpoints:
        by_env.setdefault(e.env, []).append(e)
    sec = {s.env: s for s in api.endpoint_security}
    if not by_env:
        impl = stripped(api.data.get("endpointImplementationType") or api.data.get("implementation")).upper()
        if impl == "INLINE":
            findings.append(f"{api.project.api_label}: endpointImplementationType INLINE: the gateway answers with a mock "
                            "implementation; there is no backend call to model")
            return
        findings.append(f"{api.project.api_label} states no production or sandbox endpoint URL: the gateway -> backend "
                        "flow keeps the model's defaults; add the backend's URL, TLS and credentials by hand")
        by_env["production"] = []
    prod_urls = sorted(e.url for e in by_env.get("production", []))
    sand_urls = sorted(e.url for e in by_env.get("sandbox", []))
    if prod_urls and prod_urls == sand_urls:
        e = by_env["sandbox"][0]
        findings.append(f"the sandbox endpoint is the production endpoint ({api.src(e.path, e.inner)}): sandbox keys, "
                        "which the developer portal often issues without approval, reach the production backend; point "
                        "sandbox_endpoints at a test system or remove them")
        del by_env["sandbox"]
    backend_cred: str | None = None
    for env in ("production", "sandbox"):
        if env not in by_env:
            continue
        eps = by_env[env]
        if env == "production":
            if parts.backend is None:
                parts.backend = _add_backend(draft, parts, "API backend", env)
            target = parts.backend
        else:
            target = _add_backend(draft, parts, "Sandbox backend", env)
        backend = draft.item("elements", target)
        assert backend is not None
        flows = [f for f in draft.flows if f.get("from") == parts.gateway and f.get("to") == target]
        new = not flows
        if new:
            flows = [{"id": draft.new_id(f"gateway-{target}"), "title": f"Gateway to the {env} backend",
                      "from": parts.gateway, "to": target}]
            draft.flows += flows
        derived: list[tuple[str, Any, str]] = []
        desc: list[str] = []
        if eps:
            append_description(backend, f"{env.capitalize()} endpoint(s) in {api.project.api_label}: " + ", ".join(e.url for e in eps)
                               + (f" (endpoint_type {api.endpoint_type})" if api.endpoint_type else "") + ".")
        kinds = [(url_facts(e.url), e) for e in eps]
        plain = [e for k, e in kinds if k[0] == "http"]
        tls = [e for k, e in kinds if k[0] == "https"]
        if plain:
            e = plain[0]
            derived += [("protocol", "http", api.src(e.path, e.inner)), ("tls.min_version", "none", api.src(e.path, e.inner))]
            desc.append(f"The gateway calls {e.url} over plain HTTP: requests, tokens forwarded to the backend and "
                        "backend credentials travel in clear text.")
            findings.append(f"{env} endpoint {e.url} is plain HTTP ({api.src(e.path, e.inner)}): the gateway -> backend "
                            "call has no TLS")
        elif tls:
            e = tls[0]
            derived += [("protocol", "https", api.src(e.path, e.inner)), ("tls.min_version", "1.2", api.src(e.path, e.inner))]
            desc.append(f"HTTPS to {e.url}: {BACKEND_TLS_NOTE}.")
        for k, e in kinds:
            if k[1]:
                desc.append(f"Endpoint URL: {k[1]}.")
        s = sec.get(env)
        if s is not None:
            where = api.src(s.path, s.inner)
            if s.enabled:
                method = {"BASIC": "basic", "DIGEST": "basic", "OAUTH": "oauth2", "API_KEY": "api_key"}.get(s.kind)
                if method:
                    derived.append(("authentication.method", method,
                                    api.src(s.path, s.inner + "/type") if s.inner else api.src(s.path + ("type",))))
                    if method == "oauth2" and s.grant in ("client_credentials", "password"):
                        derived.append(("authentication.grant", s.grant, where))
                    desc.append(f"Endpoint security {s.kind}" + (" (HTTP Digest)" if s.kind == "DIGEST" else "")
                                + f" at {where}.")
                else:
                    desc.append(f"Endpoint security of type '{s.kind or '(none)'}' at {where}: not a type the importer "
                                "knows; authentication left at the default.")
            else:
                derived.append(("authentication.method", "none", where))
                desc.append(f"Endpoint security is disabled for {env} ({where}): the gateway calls the backend without "
                            "credentials of its own.")
            for key, src, length, default_like in s.secrets:
                findings.append(f"secret exported in clear text: {src} (endpoint security, {env}, {key}; value not shown, "
                                f"{length} characters){'; it is a well-known default password' if default_like else ''}. "
                                "Anyone with the project (repository, CI logs, the export archive) has the backend "
                                "credential: rotate it and inject it per environment through api_params.yaml")
                if default_like:
                    derive(backend, "default_credentials", True, src)
            if (s.enabled or s.secrets) and backend_cred is None:
                backend_cred = draft.new_id("backend-credentials")
                draft.data_assets.append({
                    "id": backend_cred, "title": "Backend credentials (WSO2 endpoint security)",
                    "classification": "credentials",
                    "description": "The user name and password, client secret or API key the gateway presents to the "
                                   "backend (endpointConfig.endpoint_security)",
                    "derived_from": {"": where}})
        elif eps:
            derived.append(("authentication.method", "none", api.src(api.endpoint_config_path) if api.endpoint_config_path
                            else api.src(eps[0].path)))
            desc.append("No endpoint_security: the gateway presents no credentials of its own to the backend (a "
                        "mediation policy or the backend's network position may still restrict it).")
        adds_cred = backend_cred is not None and s is not None and (s.enabled or bool(s.secrets))
        for flow in flows:
            if any(fp == "protocol" for fp, _, _ in derived):
                text = flow.get("description") or ""
                cut = text.find(" The OpenAPI document does not describe the gateway-to-backend channel")
                if cut >= 0:
                    flow["description"] = text[:cut]
            for fp, value, src in derived:
                derive(flow, fp, value, src)
            flow_data = list(flow.get("data") or []) or (list(data) if new else [])
            if adds_cred and backend_cred not in flow_data:
                flow_data.append(backend_cred)
            if flow_data:
                flow["data"] = flow_data
            append_description(flow, " ".join(desc))
