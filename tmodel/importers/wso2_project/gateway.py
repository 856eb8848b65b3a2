"""The gateway element and the API-level settings that are findings rather than flow facts: the
plaintext transport, CORS, key managers, visibility, lifecycle, response caching, mediation, secret
properties, advertise-only APIs and cross-tenant subscriptions."""

from __future__ import annotations

from tmodel.importers.common import Draft, derive, mapping_at
from tmodel.importers.wso2_project.api import Api, api_title
from tmodel.importers.wso2_project.flows import (
    Parts,
    append_description,
    consumer_transport,
)

LIFECYCLE_NOTES = {
    "PUBLISHED": "published in the developer portal",
    "CREATED": "created, not yet published",
    "PROTOTYPED": "a prototype (for early testing; must not carry real customer data)",
    "DEPRECATED": "deprecated: still callable by existing subscribers",
    "RETIRED": "retired",
    "BLOCKED": "blocked: calls are rejected",
}


def gateway_and_api_findings(draft: Draft, api: Api, parts: Parts, findings: list[str]) -> None:
    gw = draft.item("elements", parts.gateway)
    assert gw is not None
    if "tmodel import wso2" in (gw.get("description") or ""):  # the OpenAPI import's pointer to this importer
        gw["description"] = ("The WSO2 API Manager gateway. Its own settings (TLS protocols, client certificate "
                             "verification, the plaintext port) are in deployment.toml: check them with "
                             "'tmodel audit wso2-config'.")
    label = api.project.api_label
    notes: list[str] = [f"Serves {api_title(api)} at context {api.context or '(not stated)'}"
                        + (f" (API type {api.api_type})" if api.api_type != "HTTP" else "") + "."]
    tr = consumer_transport(api)
    if tr["plaintext"]:
        derive(gw, "plaintext_listener", True, tr["plaintext"])
        findings.append(f"transport includes {'ws' if api.api_type in ('WS', 'WEBSUB', 'SSE') else 'http'} "
                        f"({tr['plaintext']}): the API is served on the gateway's plaintext port too"
                        + ("; the model keeps https for the consumer's calls, but a client may call over plain HTTP "
                           "and send its token in clear. Remove http from transport" if tr["protocol"] and
                           tr["protocol"][0] in ("https", "websocket") and "clear text too" in tr["note"] else ""))
    # CORS
    if api.cors is not None:
        c, cp = api.cors, api.cors_path or ()
        origins = c.get("accessControlAllowOrigins")
        origins = [origins] if isinstance(origins, str) else [str(o) for o in origins or []]
        creds = c.get("accessControlAllowCredentials") is True
        enabled = c.get("corsConfigurationEnabled") is True
        where = api.src(cp + ("accessControlAllowOrigins",)) if cp else label
        if enabled:
            notes.append(f"CORS (API level, {api.src(cp)}): origins {', '.join(origins) or '(none)'}, credentials "
                         f"{'allowed' if creds else 'not allowed'}.")
            if "*" in origins:
                text = (f"CORS allows any origin ('*') at {where}" + (
                    " together with accessControlAllowCredentials true: any web site a customer visits can call the API "
                    "with the customer's credentials if the gateway reflects the origin" if creds else
                    ": any web site can call the API from a customer's browser"))
                findings.append(text + "; list the partner origins instead (the model has no CORS field: see the gateway's "
                                "description)")
        else:
            notes.append(f"CORS: the API's own corsConfiguration is disabled ({api.src(cp + ('corsConfigurationEnabled',))})"
                         ", so the gateway-wide [apim.cors] of deployment.toml applies (its default allows origin '*').")
            if "*" in origins:
                findings.append(f"corsConfiguration is disabled but lists origin '*' ({where}): the gateway-wide "
                                "[apim.cors] applies instead (default: enabled, allow_origins '*'); check deployment.toml "
                                "with 'tmodel audit wso2-config', and list the partner origins here before enabling it")
    # key managers, visibility, lifecycle
    if any(k.lower() == "all" for k in api.key_managers):
        findings.append(f"keyManagers: all ({api.src(api.key_managers_path)}): tokens from every key manager registered "
                        "in the environment are accepted, including any third-party one added later; name the bank's key "
                        "manager")
    if api.key_managers:
        notes.append(f"Accepts tokens of key manager(s): {', '.join(api.key_managers)}.")
    if api.visibility == "PUBLIC":
        findings.append(f"visibility PUBLIC ({api.src(api.visibility_path)}): the API, its definition and documents are "
                        "listed in the developer portal for everyone, anonymous visitors too unless "
                        "[apim.devportal] enable_anonymous_mode is false")
    if api.lifecycle:
        state = LIFECYCLE_NOTES.get(api.lifecycle, api.lifecycle.lower())
        notes.append(f"Lifecycle: {api.lifecycle} ({state}).")
        where = api.src(api.lifecycle_path)
        if api.lifecycle == "DEPRECATED":
            findings.append(f"lifeCycleStatus DEPRECATED ({where}): existing subscribers can still call this version; "
                            "set a retirement date in the API inventory and retire it (OWASP API9)")
        elif api.lifecycle == "RETIRED":
            findings.append(f"lifeCycleStatus RETIRED ({where}): the export is of a retired API; confirm no gateway still "
                            "serves it and remove it from the inventory")
        elif api.lifecycle == "PROTOTYPED":
            findings.append(f"lifeCycleStatus PROTOTYPED ({where}): a prototype is for early testing; it must not reach "
                            "production data")
        elif api.lifecycle == "BLOCKED":
            findings.append(f"lifeCycleStatus BLOCKED ({where}): calls are rejected until it is republished")
    # caching
    if api.response_cache and api.response_cache[0]:
        ttl = f"{api.cache_timeout} s" if isinstance(api.cache_timeout, (int, float)) else "the default timeout"
        pd = [a for a in draft.data_assets if a.get("pd_category", "none") != "none"]
        where = api.src(api.response_cache[1])
        if pd:
            names = ", ".join(a.get("title", a["id"]) for a in pd[:4])
            findings.append(f"response caching is on ({where}, {ttl}) and the API carries personal data ({names}): the "
                            "gateway keeps copies of responses outside the backend's access checks; turn caching off for "
                            "these resources, or confirm the cache key includes the caller")
        else:
            findings.append(f"response caching is on ({where}, {ttl}): the gateway keeps copies of responses; make sure no "
                            "personal or account data is cached"
                            + ("" if api.project.definition_path else " (without the definition the importer cannot tell "
                                                                      "what the responses carry)"))
        notes.append(f"Caches responses for {ttl}.")
    # mediation, additional properties
    if api.mediation:
        findings.append(f"mediation policies run on the gateway ({api.src(api.mediation_path)}): "
                        f"{', '.join(api.mediation)}; review them (custom Synapse sequences can log payloads, rewrite "
                        "headers or call other systems)")
        notes.append(f"Mediation policies: {', '.join(api.mediation)}.")
    for name, src in api.secret_properties:
        if name.startswith("websub"):
            findings.append(f"secret exported in clear text: the WebSub subscription secret at {src} (value not shown); "
                            "rotate it and keep it out of the project")
        else:
            findings.append(f"secret exported in clear text: additional property '{name}' at {src} (value not shown); "
                            "additional properties can be shown in the developer portal: move the secret to a vault")
    if api.auth_header and api.auth_header.lower() != "authorization":
        notes.append(f"Reads the access token from header '{api.auth_header}'.")
    if api.api_key_header and any(n.lower() == "api_key" for n, _ in api.schemes):
        notes.append(f"Reads API keys from header '{api.api_key_header}'.")
    d, b = api.data, api.base
    adv = mapping_at(d, "advertiseInfo")
    if adv.get("advertised") is True or d.get("advertiseOnly") is True:
        key = ("advertiseInfo", "advertised") if adv.get("advertised") is True else ("advertiseOnly",)
        findings.append(f"advertise-only API ({api.src(b + key)}): the developer portal lists an API that another "
                        "gateway serves; the WSO2 gateway's settings in this project do not protect it")
    sa = d.get("subscriptionAvailability")
    if isinstance(sa, str) and sa.strip().upper() in ("ALL_TENANTS", "SPECIFIC_TENANTS"):
        findings.append(f"subscriptionAvailability {sa.strip().upper()} ({api.src(b + ('subscriptionAvailability',))}): "
                        "applications of other tenants can subscribe to this API")
    append_description(gw, " ".join(notes))
