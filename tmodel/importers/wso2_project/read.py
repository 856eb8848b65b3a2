"""Reading api.yaml or api.json into ``Api``: the envelope (4.x ``type: api``, ``data:``) or the
3.x fields, each setting type-checked (every problem located, all reported at once), endpoints
in both the 4.x mapping and the 3.x JSON string, and the keys that are not interpreted."""

from __future__ import annotations

import json
import re
from typing import Any

from tmodel.importers.common import (
    describe,
    has_value,
    located_problem,
    mapping_at,
    parse_document,
    pointer,
    read_input,
)
from tmodel.importers.wso2_project.api import (
    Api,
    Endpoint,
    EndpointSecurity,
    Op,
    stripped,
)
from tmodel.importers.wso2_project.layout import LAYOUT_HINT, Project
from tmodel.importers.wso2_project.secrets import (
    SECRET_KEY,
    endpoint_secret,
    endpoint_secrets,
    secret_properties,
)
from tmodel.importers.wso2_project.security import KNOWN_SCHEMES
from tmodel.model.yamlsafe import Located
from tmodel.problems import Problem, ProblemError

WHAT = "a WSO2 apictl api.yaml"

# keys whose meaning the importer uses (4.x envelope data, and 3.x)
INTERPRETED = {
    "name", "displayName", "description", "context", "version", "provider", "lifeCycleStatus", "status", "type",
    "transport", "transports", "policies", "availableTiers", "apiThrottlingPolicy", "apiLevelPolicy",
    "authorizationHeader", "apiKeyHeader", "securityScheme", "apiSecurity", "visibility", "mediationPolicies",
    "additionalProperties", "additionalPropertiesMap", "businessInformation", "corsConfiguration", "endpointConfig",
    "productionUrl", "sandboxUrl", "endpointSecured", "endpointAuthDigest", "endpointUTUsername", "endpointUTPassword",
    "operations", "uriTemplates", "keyManagers", "enableSchemaValidation", "responseCachingEnabled", "responseCache",
    "cacheTimeout", "id", "businessOwner", "businessOwnerEmail", "technicalOwner", "technicalOwnerEmail",
    "inSequence", "outSequence", "faultSequence", "contextTemplate", "tags", "advertiseInfo", "advertiseOnly",
    "endpointImplementationType", "implementation", "subscriptionAvailability", "subscriptionAvailableTenants",
}
# bookkeeping without security meaning: not listed as "not converted"
BOOKKEEPING = {
    "uuid", "createdTime", "lastUpdated", "lastUpdatedTime", "lastUpdatedTimestamp", "isRevision", "revisionId",
    "hasThumbnail", "thumbnailUrl", "isDefaultVersion", "isPublishedDefaultVersion", "isLatest", "rating",
    "categories", "apiCategories", "organizationId", "initiatedFromGateway", "documents", "apiHeaderChanged",
    "apiResourcePatternsChanged", "enableStore", "environmentList", "gatewayVendor", "revisionedApiId",
    "workflowStatus", "subtypeConfiguration", "createdBy", "lastUpdatedBy",
}


class Reader:
    """Type-checked access to api.yaml; collects every located problem before failing."""

    def __init__(self, project: Project, located: Located):
        self.project, self.located = project, located
        self.problems: list[Problem] = []

    def problem(self, path: tuple, message: str, hint: str = "") -> None:
        self.problems.append(located_problem(self.located, self.project.api_label, path, message, hint))

    def get(self, obj: dict, base: tuple, key: str, kinds: tuple[type, ...], what: str, hint: str = "") -> Any:
        """obj[key] if it has one of ``kinds``; None (and a problem) when it has another type."""
        if not isinstance(obj, dict) or key not in obj or obj[key] is None:
            return None
        value = obj[key]
        if (bool in kinds or not isinstance(value, bool)) and isinstance(value, kinds):
            return value
        found = describe(value, empty='empty', scalar='yaml')
        self.problem(base + (key,), f"'{key}' must be {what}, but it is {found}", hint)
        return None


def read_api(project: Project) -> Api:
    """Parse and type-check api.yaml; ProblemError with every located problem on bad input."""
    text = read_input(project.api_path, WHAT)
    label = project.api_label
    try:
        located = parse_document(text, label, WHAT)
    except ProblemError as exc:
        raise ProblemError([_relabel(p, project.api_path, label) for p in exc.problems]) from None
    doc = located.data
    r = Reader(project, located)
    if "type" in doc and "data" in doc or "version" in doc and "data" in doc:
        kind = stripped(doc.get("type"))
        if kind != "api":
            hint = {"api_product": "an API Product bundles APIs: export each API it uses with 'apictl export api' and "
                                   "import those projects",
                    "deployment_environments": "this is deployment_environments.yaml; pass the project's api.yaml"}.get(
                kind, "pass the api.yaml of an API project (type: api)")
            r.problem(("type",), f"this apictl file is of type '{kind or '(none)'}', not 'api': only API projects are read",
                      hint)
            raise ProblemError(r.problems)
        data = doc.get("data")
        if not isinstance(data, dict):
            r.problem(("data",), f"'data' must be a mapping with the API's settings, but it is {describe(data, empty='empty', scalar='yaml')}",
                      "export the project again with 'apictl export api'")
            raise ProblemError(r.problems)
        base: tuple = ("data",)
        ver = stripped(doc.get("version"))
        api = Api(project, located, base, data)
        if project.layout == "3.x":
            api.notes.append(f"{label}: a 4.x envelope (type: api) inside Meta-information/: read as 4.x")
        project.layout = "4.x"
        if ver and not ver.lower().startswith("v4"):
            api.notes.append(f"{label}: the envelope says version '{ver}', not v4.x: read with the 4.x field names; "
                             "check the values the importer reports")
    elif isinstance(doc.get("id"), dict) and ("apiName" in doc["id"] or "providerName" in doc["id"]):
        base = ()
        data = doc
        api = Api(project, located, base, data)
        project.layout = "3.x"
    elif "name" in doc and ("context" in doc or "operations" in doc or "securityScheme" in doc):
        base = ()
        data = doc
        api = Api(project, located, base, data)
        api.notes.append(f"{label}: no apictl envelope (type: api, version, data:); read as the API's data itself")
    else:
        keys = ", ".join(list(doc)[:6])
        if "openapi" in doc or "swagger" in doc:
            r.problem(("openapi" if "openapi" in doc else "swagger",), "this is an OpenAPI document, not an apictl api.yaml",
                      "for a definition alone use 'tmodel import openapi'; for a project pass its folder")
        else:
            r.problem((), f"this is not an apictl api.yaml: expected 'type: api' and 'data:' (4.x) or 'id: {{apiName, "
                          f"providerName, version}}' (3.x); found keys {keys}", LAYOUT_HINT)
        raise ProblemError(r.problems)

    _read_identity(api, r)
    _read_security(api, r)
    _read_transports(api, r)
    _read_throttling(api, r)
    _read_operations(api, r)
    _read_endpoints(api, r)
    _read_rest(api, r)
    if r.problems:
        raise ProblemError(r.problems)
    return api


def _relabel(p: Problem, real: str, label: str) -> Problem:
    return Problem(label if p.file == real else p.file, p.line, p.col, p.message, p.hint, p.severity, p.code)


def _read_identity(api: Api, r: Reader) -> None:
    d, b = api.data, api.base
    ident = mapping_at(d, "id")
    api.name = stripped(r.get(d, b, "name", (str,), "a string")) or stripped(ident.get("apiName"))
    api.version = stripped(r.get(d, b, "version", (str, int, float), "a version string")) or stripped(ident.get("version"))
    api.provider = stripped(r.get(d, b, "provider", (str,), "a string")) or stripped(ident.get("providerName"))
    api.display_name = stripped(r.get(d, b, "displayName", (str,), "a string"))
    api.description = stripped(r.get(d, b, "description", (str,), "a string"))
    if not api.name:
        where = b + ("name",) if b else ("id",)
        r.problem(where, "the API has no name" + (" (data.name)" if b else " (id.apiName)"),
                  "export the project again with 'apictl export api'")
    bi = r.get(d, b, "businessInformation", (dict,), "a mapping") or {}
    api.owner = (stripped(bi.get("businessOwner")) or stripped(d.get("businessOwner")) or stripped(bi.get("technicalOwner"))
                 or stripped(d.get("technicalOwner")) or api.provider)
    ctx = r.get(d, b, "context", (str,), "a path such as /accounts")
    if ctx:
        api.context, api.context_path = ctx.strip(), b + ("context",)
    api.api_type = stripped(r.get(d, b, "type", (str,), "an API type such as HTTP")).upper() or "HTTP"
    for key in ("lifeCycleStatus", "status"):
        v = r.get(d, b, key, (str,), "a lifecycle state such as PUBLISHED")
        if v:
            api.lifecycle, api.lifecycle_path = v.strip().upper(), b + (key,)
            break
    v = r.get(d, b, "visibility", (str,), "PUBLIC, PRIVATE or RESTRICTED")
    if v:
        api.visibility, api.visibility_path = v.strip().upper(), b + ("visibility",)
    tags = r.get(d, b, "tags", (list,), "a list of strings")
    api.tags = [str(t) for t in tags or [] if isinstance(t, (str, int, float)) and str(t).strip()][:10]


def _str_list(api: Api, r: Reader, key: str, what: str, comma: bool, hint: str = "") -> tuple[list[tuple[str, tuple]], tuple | None]:
    """A list of names with their paths; a comma-separated string where the 3.x format has one."""
    d, b = api.data, api.base
    if key not in d or d[key] is None:
        return [], None
    value = d[key]
    path = b + (key,)
    if isinstance(value, list):
        out = []
        for i, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                out.append((item.strip(), path + (i,)))
            elif not isinstance(item, str):
                r.problem(path + (i,), f"'{key}' items must be names (strings), but item {i + 1} is {describe(item, empty='empty', scalar='yaml')}", hint)
        return out, path
    if isinstance(value, str) and comma:
        return [(x.strip(), path) for x in value.split(",") if x.strip()], path
    r.problem(path, f"'{key}' must be {what}, but it is {describe(value, empty='empty', scalar='yaml')}", hint)
    return [], path


def _read_security(api: Api, r: Reader) -> None:
    d = api.data
    if "securityScheme" in d:
        api.schemes, api.schemes_path = _str_list(
            api, r, "securityScheme", "a list of security scheme names", comma=False,
            hint="write a list, e.g. securityScheme: [oauth2, oauth_basic_auth_api_key_mandatory]")
    elif "apiSecurity" in d:
        api.schemes, api.schemes_path = _str_list(api, r, "apiSecurity", "a comma-separated string", comma=True)
    api.auth_header = stripped(d.get("authorizationHeader")) if isinstance(d.get("authorizationHeader"), str) else ""
    api.api_key_header = stripped(d.get("apiKeyHeader")) if isinstance(d.get("apiKeyHeader"), str) else ""
    for name, path in api.schemes:
        if name.lower() not in KNOWN_SCHEMES:
            api.notes.append(f"securityScheme '{name}' at {api.src(path)} is not a WSO2 value (oauth2, basic_auth, api_key, "
                             "mutualssl, mutualssl_mandatory, oauth_basic_auth_api_key_mandatory): the gateway ignores it")
    kms, api.key_managers_path = _str_list(api, r, "keyManagers", "a list of key manager names", comma=False)
    api.key_managers = [k for k, _ in kms]


def _read_transports(api: Api, r: Reader) -> None:
    key = "transport" if "transport" in api.data else "transports"
    api.transports, api.transports_path = _str_list(api, r, key, "a list such as [https]", comma=True,
                                                    hint="write a list, e.g. transport: [https]")
    api.transports = [(t.lower(), p) for t, p in api.transports]


def _read_throttling(api: Api, r: Reader) -> None:
    d, b = api.data, api.base
    if "policies" in d:
        api.subscription_tiers, _ = _str_list(api, r, "policies", "a list of subscription tier names", comma=False)
    elif "availableTiers" in d:
        tiers = r.get(d, b, "availableTiers", (list,), "a list of tiers")
        for i, t in enumerate(tiers or []):
            name = t.get("name") if isinstance(t, dict) else t
            if isinstance(name, str) and name.strip():
                api.subscription_tiers.append((name.strip(), b + ("availableTiers", i) + (("name",) if isinstance(t, dict) else ())))
    for key in ("apiThrottlingPolicy", "apiLevelPolicy"):
        v = r.get(d, b, key, (str,), "a throttling policy name")
        if v and v.strip():
            api.api_tier = (v.strip(), b + (key,))
            break


def _read_operations(api: Api, r: Reader) -> None:
    d, b = api.data, api.base
    key = "operations" if "operations" in d else "uriTemplates" if "uriTemplates" in d else None
    if key is None:
        return
    ops = r.get(d, b, key, (list,), "a list of operations",
                "write a list of {target, verb, authType, throttlingPolicy, scopes} entries")
    api.operations_path = b + (key,)
    for i, op in enumerate(ops or []):
        path = b + (key, i)
        if not isinstance(op, dict):
            r.problem(path, f"operation {i + 1} must be a mapping with target and verb, but it is {describe(op, empty='empty', scalar='yaml')}")
            continue
        target = op.get("target", op.get("uriTemplate"))
        verb = op.get("verb", op.get("httpVerb"))
        if not isinstance(target, str) or not target.strip() or not isinstance(verb, str) or not verb.strip():
            r.problem(path, f"operation {i + 1} needs a 'target' path and a 'verb' (GET, POST, ...)",
                      "e.g. {target: /accounts, verb: GET, authType: Application & Application User}")
            continue
        o = Op(verb.strip().upper(), target.strip(), path)
        at = op.get("authType")
        if at is not None:
            if isinstance(at, str):
                o.auth_type, o.auth_path = at.strip(), path + ("authType",)
            else:
                r.problem(path + ("authType",), f"'authType' must be a string, but it is {describe(at, empty='empty', scalar='yaml')}",
                          "one of: Application & Application User, Application, Application User, None")
        for tk in ("throttlingPolicy", "throttlingTier"):
            tv = op.get(tk)
            if isinstance(tv, str) and tv.strip():
                o.tier, o.tier_path = tv.strip(), path + (tk,)
                break
            if tv is not None and not isinstance(tv, str):
                r.problem(path + (tk,), f"'{tk}' must be a policy name, but it is {describe(tv, empty='empty', scalar='yaml')}")
        sc = op.get("scopes")
        if sc is not None:
            if isinstance(sc, list):
                o.scopes_path = path + ("scopes",)
                for s in sc:
                    name = s.get("key", s.get("name")) if isinstance(s, dict) else s
                    if isinstance(name, str) and name.strip():
                        o.scopes.append(name.strip())
            elif isinstance(sc, str):
                o.scopes_path = path + ("scopes",)
                o.scopes = [x for x in re.split(r"[,\s]+", sc) if x]
            else:
                r.problem(path + ("scopes",), f"'scopes' must be a list of scope names, but it is {describe(sc, empty='empty', scalar='yaml')}")
        scope = op.get("scope")
        if isinstance(scope, dict) and isinstance(scope.get("key"), str) and scope["key"] not in o.scopes:
            o.scopes.append(scope["key"])
            o.scopes_path = o.scopes_path or path + ("scope",)
        pol = op.get("operationPolicies")
        if isinstance(pol, dict):
            for phase in ("request", "response", "fault"):
                for p in pol.get(phase) or []:
                    if isinstance(p, dict) and p.get("policyName"):
                        o.policies.append(f"{phase}: {p['policyName']}")
        if isinstance(op.get("mediationScript"), str) and op["mediationScript"].strip():
            o.policies.append("mediation script")
        api.operations.append(o)


def _read_endpoints(api: Api, r: Reader) -> None:
    d, b = api.data, api.base
    raw = d.get("endpointConfig")
    path = b + ("endpointConfig",)
    string_form = False
    if isinstance(raw, str):
        if raw.strip():
            try:
                cfg = json.loads(raw)
            except (ValueError, RecursionError) as exc:
                r.problem(path, f"'endpointConfig' is a JSON string that cannot be read: {exc}",
                          "export the project again, or write endpointConfig as a mapping")
                return
            string_form = True
        else:
            cfg = None
    elif raw is None or isinstance(raw, dict):
        cfg = raw
    else:
        r.problem(path, f"'endpointConfig' must be a mapping (or a JSON string in 3.x), but it is {describe(raw, empty='empty', scalar='yaml')}")
        return
    if isinstance(cfg, dict):
        api.endpoint_config_path = path
        et = cfg.get("endpoint_type")
        if isinstance(et, str):
            api.endpoint_type, api.endpoint_type_path = et, path + (() if string_form else ("endpoint_type",))
        for env in ("production", "sandbox"):
            for key in (f"{env}_endpoints", f"{env}_failovers"):
                eps = cfg.get(key)
                items = eps if isinstance(eps, list) else [eps] if isinstance(eps, dict) else []
                for i, ep in enumerate(items):
                    if not isinstance(ep, dict):
                        continue
                    url = ep.get("url")
                    if isinstance(url, str) and url.strip():
                        sub = (key,) + ((i,) if isinstance(eps, list) else ()) + ("url",)
                        if string_form:
                            api.endpoints.append(Endpoint(env, url.strip(), path, pointer(*sub)[1:]))
                        else:
                            api.endpoints.append(Endpoint(env, url.strip(), path + sub))
        sec = cfg.get("endpoint_security")
        if isinstance(sec, dict):
            for env in ("production", "sandbox"):
                s = sec.get(env)
                if isinstance(s, dict):
                    sub = ("endpoint_security", env)
                    api.endpoint_security.append(
                        _endpoint_security(api, env, s, path if string_form else path + sub,
                                           pointer(*sub)[1:] if string_form else ""))
    elif cfg is not None:
        r.problem(path, f"'endpointConfig' must hold a mapping, but it holds {describe(cfg, empty='empty', scalar='yaml')}")
    for env, key in (("production", "productionUrl"), ("sandbox", "sandboxUrl")):
        url = d.get(key)
        if isinstance(url, str) and url.strip() and not any(e.env == env for e in api.endpoints):
            api.endpoints.append(Endpoint(env, url.strip(), b + (key,)))
    # 3.0/3.1: one credential for both environments (endpointSecured / endpointAuthDigest / endpointUT*)
    if not api.endpoint_security and (d.get("endpointSecured") is True or d.get("endpointAuthDigest") is True
                                      or stripped(d.get("endpointUTPassword"))):
        es = EndpointSecurity("production", d.get("endpointSecured") is True or d.get("endpointAuthDigest") is True,
                              "DIGEST" if d.get("endpointAuthDigest") is True else "BASIC",
                              b + ("endpointSecured" if "endpointSecured" in d else "endpointUTPassword",))
        endpoint_secret(api, es, "endpointUTPassword", d.get("endpointUTPassword"), b, "")
        # the same credential serves both environments (its secret is reported once)
        api.endpoint_security += [es, EndpointSecurity("sandbox", es.enabled, es.kind, es.path)]


def _endpoint_security(api: Api, env: str, s: dict, path: tuple, inner: str) -> EndpointSecurity:
    es = EndpointSecurity(env, s.get("enabled") is True, stripped(s.get("type")).upper(), path, inner,
                          grant=stripped(s.get("grantType")).lower())
    endpoint_secrets(api, es, s, path, inner)
    return es


def _read_rest(api: Api, r: Reader) -> None:
    d, b = api.data, api.base
    cors = r.get(d, b, "corsConfiguration", (dict,), "a mapping")
    if cors is not None:
        api.cors, api.cors_path = cors, b + ("corsConfiguration",)
        origins = cors.get("accessControlAllowOrigins")
        if origins is not None and not isinstance(origins, (list, str)):
            r.problem(api.cors_path + ("accessControlAllowOrigins",),
                      f"'accessControlAllowOrigins' must be a list of origins, but it is {describe(origins, empty='empty', scalar='yaml')}")
    v = r.get(d, b, "enableSchemaValidation", (bool,), "true or false")
    if v is not None:
        api.schema_validation = (v, b + ("enableSchemaValidation",))
    v = r.get(d, b, "responseCachingEnabled", (bool,), "true or false")
    if v is not None:
        api.response_cache = (v, b + ("responseCachingEnabled",))
    elif isinstance(d.get("responseCache"), str):
        api.response_cache = (d["responseCache"].strip().lower() == "enabled", b + ("responseCache",))
    api.cache_timeout = d.get("cacheTimeout")
    med = d.get("mediationPolicies")
    if isinstance(med, list):
        api.mediation_path = b + ("mediationPolicies",)
        for m in med:
            if isinstance(m, dict) and m.get("name"):
                api.mediation.append(f"{m['name']} ({m.get('type', '?')})")
            elif isinstance(m, str):
                api.mediation.append(m)
    for key in ("inSequence", "outSequence", "faultSequence"):
        if isinstance(d.get(key), str) and d[key].strip():
            api.mediation.append(f"{d[key].strip()} ({key})")
            api.mediation_path = api.mediation_path or b + (key,)
    secret_properties(api)
    # what is not interpreted, listed once each (empty values carry nothing)
    for key, value in d.items():
        if key in INTERPRETED or key in BOOKKEEPING or not has_value(value):
            continue
        line = api.line(b + (key,))
        shown = "(value not shown)" if isinstance(key, str) and SECRET_KEY.search(key) else _preview(value)
        api.unmapped.append(f"{api.project.api_label}:{line} {'.'.join(map(str, b + (key,)))} = {shown}: not interpreted")


def _preview(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(list(map(str, value))[:5]) + (", ..." if len(value) > 5 else "") + "}"
    if isinstance(value, list):
        shown = "[" + ", ".join(_preview(v) for v in value) + "]"
        return shown if len(shown) <= 40 and all(not isinstance(v, (dict, list)) for v in value) else \
            f"[{len(value)} item(s)]"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."
