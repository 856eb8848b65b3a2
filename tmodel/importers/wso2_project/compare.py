"""Where api.yaml and the definition disagree (operations, auth types, tiers, scopes, application
security, transports, endpoints, CORS, base path, authorization header, caching): each is a
finding naming both places and saying which value the model uses, by what apictl import does."""

from __future__ import annotations

from typing import Any

from tmodel.importers.wso2_project.api import Api
from tmodel.importers.wso2_project.definition import DefinitionView
from tmodel.importers.wso2_project.security import (
    APP_MANDATORY,
    APP_SCHEMES,
    canonical_auth_type,
)

PER_OPERATION_RULE = ("apictl import takes the resources, with their auth type, tier and scopes, from the definition "
                      "(the publisher's updateSwagger replaces the URI templates), so the model uses the definition's value")
API_LEVEL_RULE = ("the publisher regenerates the definition's x-wso2-* keys from the API, so the model uses api.yaml "
                  "(what apictl deploys)")


def disagreements(view: DefinitionView, api: Api) -> list[str]:
    """What api.yaml and the definition say differently, one finding each."""
    out: list[str] = []
    d = view.spec.data
    name = view.name

    def say(what: str, a: Any, a_src: str, b: Any, b_src: str, rule: str) -> None:
        out.append(f"api.yaml and {name} disagree on {what}: api.yaml says {_show(a)} at {a_src}, {name} says "
                   f"{_show(b)} at {b_src}; {rule}")

    # operations
    if api.operations:
        mine = {o.key: o for o in api.operations}
        theirs = {(op.method.upper(), op.path): op for op in view.ops}
        only_api = [o for k, o in mine.items() if k not in theirs]
        only_def = [op for k, op in theirs.items() if k not in mine]
        if only_api:
            listed = ", ".join(f"{o.verb} {o.target} ({api.src(o.path)})" for o in only_api[:6])
            out.append(f"{len(only_api)} operation(s) are in api.yaml but not in {name}: {listed}; apictl import "
                       "takes the resources from the definition, so the model leaves them out")
        if only_def:
            listed = ", ".join(f"{op.method.upper()} {op.path} ({view.src(op.parts)})" for op in only_def[:6])
            out.append(f"{len(only_def)} operation(s) are in {name} but not in api.yaml: {listed}; apictl import "
                       "takes the resources from the definition, so the model includes them")
        for key, o in mine.items():
            op = theirs.get(key)
            if op is None:
                continue
            ext = op.extensions
            label = f"{key[0]} {key[1]}"
            if o.auth_type is not None:
                xa = ext.get("x-auth-type")
                if canonical_auth_type(o.auth_type) != canonical_auth_type(xa if isinstance(xa, str) else None) and \
                        not (xa is None and canonical_auth_type(o.auth_type) == "Application & Application User"):
                    say(f"the auth type of {label}", o.auth_type, api.src(o.auth_path), xa if xa is not None else
                        "nothing (WSO2 reads that as Application & Application User)",
                        view.src(op.parts + ("x-auth-type",)) if xa is not None else view.src(op.parts), PER_OPERATION_RULE)
            xt = ext.get("x-throttling-tier")
            if o.tier is not None and isinstance(xt, str) and xt.strip() != o.tier:
                say(f"the throttling tier of {label}", o.tier, api.src(o.tier_path), xt,
                    view.src(op.parts + ("x-throttling-tier",)), PER_OPERATION_RULE)
            elif o.tier is not None and xt is None:
                say(f"the throttling tier of {label}", o.tier, api.src(o.tier_path), "no x-throttling-tier",
                    view.src(op.parts), PER_OPERATION_RULE)
            ds, dsrc = view.scopes(op)
            if o.scopes_path is not None and sorted(o.scopes) != sorted(ds):
                say(f"the scopes of {label}", sorted(o.scopes), api.src(o.scopes_path), sorted(ds),
                    dsrc or view.src(op.parts), PER_OPERATION_RULE)
    # application security per operation vs securityScheme
    if api.schemes_path is not None:
        app = sorted({n.lower() for n, _ in api.schemes if n.lower() in APP_SCHEMES})
        optional = APP_MANDATORY not in {n.lower() for n, _ in api.schemes}
        seen: dict[tuple, list[Any]] = {}
        for op in view.ops:
            xs = op.extensions.get("x-wso2-application-security")
            if not isinstance(xs, dict):
                continue
            types = sorted(str(t).lower() for t in xs.get("security-types") or [] if isinstance(t, str))
            opt = xs.get("optional")
            if types != app or (isinstance(opt, bool) and opt != optional and app):
                seen.setdefault((tuple(types), opt), []).append(op)
        for (types, opt), ops in seen.items():
            op = ops[0]
            say("the application-level security", f"{app} ({'optional' if optional else 'mandatory'})",
                api.src(api.schemes_path), f"security-types {list(types)}, optional {_show(opt)}"
                + (f" on {len(ops)} operation(s)" if len(ops) > 1 else ""),
                view.src(op.parts + ("x-wso2-application-security",)), API_LEVEL_RULE)
    # root extensions
    xt = d.get("x-wso2-transports")
    if isinstance(xt, list) and api.transports_path is not None:
        a = sorted({t for t, _ in api.transports})
        b = sorted({str(t).lower() for t in xt})
        if a != b:
            say("the transports", a, api.src(api.transports_path), b, view.src(("x-wso2-transports",)), API_LEVEL_RULE)
    for env in ("production", "sandbox"):
        ext = f"x-wso2-{env}-endpoints"
        xe = d.get(ext)
        if not isinstance(xe, dict) or not api.endpoints and api.endpoint_config_path is None:
            continue
        b = sorted(str(u) for u in xe.get("urls") or [] if isinstance(u, str))
        eps = [e for e in api.endpoints if e.env == env]
        a = sorted(e.url for e in eps)
        if a != b:
            a_src = api.src(eps[0].path, eps[0].inner) if eps else api.src(api.endpoint_config_path)
            say(f"the {env} endpoints", a, a_src, b, view.src((ext, "urls") if "urls" in xe else (ext,)), API_LEVEL_RULE)
    xc = d.get("x-wso2-cors")
    if isinstance(xc, dict) and api.cors is not None and api.cors_path is not None:
        for k in ("corsConfigurationEnabled", "accessControlAllowOrigins", "accessControlAllowCredentials",
                  "accessControlAllowHeaders", "accessControlAllowMethods"):
            ca, cb = api.cors.get(k), xc.get(k)
            if a is None or b is None:
                continue
            if (sorted(map(str, ca)) if isinstance(ca, list) else ca) != (sorted(map(str, cb)) if isinstance(cb, list) else cb):
                say(f"CORS {k}", ca, api.src(api.cors_path + (k,)), cb, view.src(("x-wso2-cors", k)), API_LEVEL_RULE)
    xb = d.get("x-wso2-basePath")
    if isinstance(xb, str) and api.context:
        ctx = api.context.replace("{version}", api.version)
        ok = {ctx.rstrip("/"), f"{ctx.rstrip('/')}/{api.version}"}
        if xb.rstrip("/") not in ok:
            say("the base path", api.context, api.src(api.context_path), xb, view.src(("x-wso2-basePath",)),
                API_LEVEL_RULE)
    xh = d.get("x-wso2-auth-header")
    if isinstance(xh, str) and api.auth_header and xh.strip().lower() != api.auth_header.lower():
        say("the authorization header", api.auth_header, api.src(api.base + ("authorizationHeader",)), xh,
            view.src(("x-wso2-auth-header",)), API_LEVEL_RULE)
    xr = d.get("x-wso2-response-cache")
    if isinstance(xr, dict) and isinstance(xr.get("enabled"), bool) and api.response_cache is not None \
            and xr["enabled"] != api.response_cache[0]:
        say("response caching", api.response_cache[0], api.src(api.response_cache[1]), xr["enabled"],
            view.src(("x-wso2-response-cache", "enabled")), API_LEVEL_RULE)
    return out


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    return f"'{v}'" if isinstance(v, str) and not v.startswith(("[", "security-types", "nothing", "no ")) else str(v)
