"""Security schemes and requirements -> the authentication facts of a flow: the method, the OAuth
2.0 grant, where an API key travels (header, query, cookie), mutual TLS and the scopes, taking the weakest alternative of
the weakest operation; and how a group of operations' security is named and keyed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tmodel.importers import pd_fields
from tmodel.importers.common import derive, one_line, url_host
from tmodel.importers.openapi.facts import Transport
from tmodel.importers.openapi.spec import Operation, Spec
from tmodel.importers.refs import Parts, pointer_of

GRANTS_3 = {"implicit": "implicit", "password": "password", "authorizationCode": "authorization_code",
            "clientCredentials": "client_credentials"}
GRANTS_2 = {"implicit": "implicit", "password": "password", "accessCode": "authorization_code",
            "application": "client_credentials"}
GRANT_ORDER = ["implicit", "password", "authorization_code", "client_credentials"]


@dataclass
class Auth:
    """What a security scheme or requirement means for a flow's authentication."""

    rank: int  # lower is weaker
    method: str
    grant: str | None = None
    grant_parts: Parts | None = None
    api_key_in: str | None = None  # header | query | cookie, for an apiKey scheme
    key_parts: Parts | None = None
    mutual: bool = False
    mutual_parts: Parts | None = None
    scopes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def declared_schemes(spec: Spec) -> tuple[dict[str, Any], Parts]:
    """The document's security schemes by name, and where they are declared."""
    if spec.version == "2.0":
        s = spec.data.get("securityDefinitions")
        return (s if isinstance(s, dict) else {}), ("securityDefinitions",)
    comps: Any = spec.data.get("components")
    comps = comps if isinstance(comps, dict) else {}
    s = comps.get("securitySchemes")
    return (s if isinstance(s, dict) else {}), ("components", "securitySchemes")


def _scheme_auth(spec: Spec, name: str) -> tuple[Auth | None, str]:
    """What one declared scheme means (None when it is not declared or not understood), and a reason."""
    schemes, base = declared_schemes(spec)
    if name not in schemes:
        return None, "undeclared"
    s, at = spec.deref(schemes[name], base + (name,))
    if not isinstance(s, dict):
        return None, "unknown"
    typ = str(s.get("type") or "")
    if typ == "apiKey":
        where = str(s.get("in") or "")
        loc = where if where in ("header", "query", "cookie") else None
        if where == "query":
            return Auth(2, "api_key", api_key_in=loc, key_parts=at + ("in",),
                        notes=[f"'{name}' sends an API key in the URL query"]), ""
        extra = [f"'{name}' sends an API key in a cookie"] if where == "cookie" else []
        return Auth(3, "api_key", api_key_in=loc, key_parts=at + ("in",) if loc else None, notes=extra), ""
    if typ == "basic":  # Swagger 2.0
        return Auth(1, "basic"), ""
    if typ == "http":
        sch = str(s.get("scheme") or "").lower()
        if sch == "basic":
            return Auth(1, "basic"), ""
        if sch == "digest":
            return Auth(1, "basic", notes=[f"'{name}' is HTTP Digest, taken as password-based (basic)"]), ""
        if sch == "bearer":
            fmt = f" ({s['bearerFormat']})" if isinstance(s.get("bearerFormat"), str) else ""
            return Auth(5, "oauth2", notes=[(f"'{name}' is an HTTP bearer token{fmt}: the document does not say who "
                                             "issues it; taken as an OAuth 2.0 access token")]), ""
        return None, f"HTTP authentication scheme '{sch}'"
    if typ == "oauth2":
        grants: list[tuple[str, Parts]] = []
        if spec.version == "2.0":
            g = GRANTS_2.get(str(s.get("flow") or ""))
            if g:
                grants.append((g, at + ("flow",)))
        else:
            flows: Any = s.get("flows")
            flows = flows if isinstance(flows, dict) else {}
            for k in flows:
                if k in GRANTS_3:
                    grants.append((GRANTS_3[k], at + ("flows", k)))
        if not grants:
            return Auth(6, "oauth2", notes=[f"'{name}' is OAuth 2.0 but names no flow"]), ""
        grants.sort(key=lambda g: GRANT_ORDER.index(g[0]))
        grant, gparts = grants[0]
        notes = []
        if len(grants) > 1:
            notes.append(f"'{name}' offers the grants {', '.join(g for g, _ in grants)}; the weakest, {grant}, is recorded")
        return Auth(4 if grant in ("implicit", "password") else 6, "oauth2", grant=grant, grant_parts=gparts, notes=notes), ""
    if typ == "openIdConnect":
        return Auth(7, "oidc"), ""
    if typ == "mutualTLS":
        return Auth(8, "mtls", mutual=True, mutual_parts=at + ("type",)), ""
    return None, f"security scheme type '{typ}'"


def _requirement_auth(spec: Spec, req: dict[str, Any]) -> tuple[Auth | None, list[str]]:
    """What one requirement object (all its schemes together) means; plus names that could not be read."""
    if not req:
        return Auth(0, "none", notes=["an empty requirement {} allows anonymous calls"]), []
    members: list[Auth] = []
    unread: list[str] = []
    scopes: set[str] = set()
    for name, sc in req.items():
        a, why = _scheme_auth(spec, str(name))
        if a is None:
            unread.append(f"{name} ({why})")
            continue
        members.append(a)
        scopes |= {str(x) for x in (sc or []) if isinstance(x, (str, int))}
    if not members:
        return None, unread
    main_candidates = [m for m in members if m.method != "mtls"] or members
    main = max(main_candidates, key=lambda m: m.rank)
    auth = Auth(max(m.rank for m in members), main.method, notes=[n for m in members for n in m.notes])
    oauth = [m for m in members if m.grant]
    if auth.method in ("oauth2", "oidc") and oauth:
        g = min(oauth, key=lambda m: GRANT_ORDER.index(m.grant or ""))
        auth.grant, auth.grant_parts = g.grant, g.grant_parts
    keys = [m for m in members if m.api_key_in]
    if keys:  # a key in the query anywhere in the requirement is what counts
        k = min(keys, key=lambda m: m.rank)
        auth.api_key_in, auth.key_parts = k.api_key_in, k.key_parts
    mt = next((m for m in members if m.mutual), None)
    if mt:
        auth.mutual, auth.mutual_parts = True, mt.mutual_parts
    if auth.method in ("oauth2", "oidc"):
        auth.scopes = sorted(scopes)
    return auth, unread


def security_label(ops: list[Operation], declared: bool) -> str:
    """'PSUOAuth2Security [accounts]', 'anonymous or BearerAuthOAuth', with the scopes of all the operations."""
    if not declared:
        return "no security declared"
    security = ops[0].security
    if not security:
        return "no security"
    scopes: dict[str, set[str]] = {}
    for o in ops:
        for req in o.security:
            for n, sc in req.items():
                scopes.setdefault(str(n), set()).update(map(str, sc or []))
    alts = []
    for req in security:
        if not req:
            alts.append("anonymous")
            continue
        alts.append(" + ".join(f"{n} [{', '.join(sorted(scopes[str(n)]))}]" if scopes.get(str(n)) else str(n) for n in req))
    return " or ".join(alts)


def security_key(security: list[dict[str, Any]], declared: bool) -> tuple:
    """Operations with the same schemes in the same alternatives share flows (their scopes are merged)."""
    return (declared, tuple(sorted(tuple(sorted(str(n) for n in req)) for req in security)))


def authentication(spec: Spec, ops: list[Operation], declared: bool, front: dict[str, Any], notes: list[str]) -> None:
    """The authentication of a group's consumer -> gateway flow (the group's operations share their
    schemes): the weakest alternative of the weakest operation, the scopes of all of them."""
    op = ops[0]
    if not declared:
        derive(front, "authentication.method", "none",
               spec.source(op.parts, "the document declares no security requirement for this operation"))
        return
    if not op.security:
        derive(front, "authentication.method", "none",
               spec.source(op.security_parts, "security: [] (no authentication required)"))
        return
    picks = []  # (rank, op index, alternative index, auth, op)
    unread_all: list[str] = []
    for n, o in enumerate(ops):
        for i, req in enumerate(o.security):
            a, unread = _requirement_auth(spec, req)
            unread_all += [u for u in unread if u not in unread_all]
            if a is not None:
                picks.append((a.rank, n, i, a, o))
    for u in unread_all:
        notes.append(f"The security alternative naming {u} was not interpreted.")
    if not picks:
        notes.append("None of the security schemes named could be read: authentication is not set.")
        return
    per_op: dict[int, Any] = {}
    for pick in picks:  # each operation's weakest alternative
        if pick[1] not in per_op or pick[0] < per_op[pick[1]][0]:
            per_op[pick[1]] = pick
    _, _, idx, a, o = min(per_op.values(), key=lambda p: (p[0], p[1]))
    at = (o.security_parts or ()) + (idx,)
    why = "the weakest of the alternatives" if len(o.security) > 1 else ""
    derive(front, "authentication.method", a.method, spec.source(at, why))
    if a.grant:
        derive(front, "authentication.grant", a.grant, spec.source(a.grant_parts))
    # any alternative that puts the key in the URL leaks it, weakest or not
    q = a if a.api_key_in == "query" else next((p[3] for p in picks if p[3].api_key_in == "query"), None)
    if a.method == "api_key":
        k = q or a
        if k.api_key_in:
            derive(front, "authentication.api_key_in", k.api_key_in,
                   spec.source(k.key_parts, "API key in the query" if k.api_key_in == "query" else ""))
    elif q is not None:
        notes.append(f"An alternative sends an API key in the URL query ({pointer_of(q.key_parts or ())}): it leaks in "
                     f"logs and Referer even though the weakest alternative, {a.method}, is what the flow records.")
    if a.mutual:
        if front.get("protocol") == "http":
            notes.append("mutualTLS is declared but the server is plain http.")
        else:
            derive(front, "tls.mutual", True, spec.source(a.mutual_parts))
    if a.method in ("oauth2", "oidc"):
        scopes = sorted({s for p in per_op.values() if p[3].method in ("oauth2", "oidc") for s in p[3].scopes})
        if scopes:
            first = next(p for p in sorted(per_op.values(), key=lambda p: p[1]) if p[3].scopes)
            derive(front, "authorization.scopes", scopes[:50], spec.source((first[4].security_parts or ()) + (first[2],),
                                                                           "scopes of all the group's operations"
                                                                           if len(ops) > 1 else ""))
    notes += a.notes


def mtls_hint(spec: Spec, schemes: dict[str, Any], t: Transport, ops: list[Operation]) -> str:
    """A server that calls itself mTLS without a mutualTLS scheme among the operations': say so, do not derive it."""
    declared = {str(n) for o in ops for req in o.security for n in req}
    if any(isinstance(schemes.get(n), dict) and schemes[n].get("type") == "mutualTLS" for n in declared):
        return ""
    found, server, _ = spec.refs.lookup([str(x) for x in t.parts[:-1]])
    desc = str(server.get("description")) if found and isinstance(server, dict) and isinstance(server.get("description"), str) else ""
    words = set(pd_fields.words(desc)) | set(pd_fields.words(url_host(t.url)))
    if not words & {"mtls", "mutual"}:
        return ""
    return (f"The server {t.url} is described as mutual TLS ('{one_line(desc)[:60] or 'mtls'}' at "
            f"{pointer_of(t.parts[:-1])}), but no mutualTLS security scheme declares it: tls.mutual is left false; "
            "set it once the gateway is confirmed to require client certificates.")
