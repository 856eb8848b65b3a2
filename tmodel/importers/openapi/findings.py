"""What the document says as a whole: findings (no operations, no security anywhere, anonymous
alternatives, undeclared, weak or unused schemes, plain-http servers) and what was not converted
(vendor extensions, webhooks, callbacks, servers that are not HTTP)."""

from __future__ import annotations

from typing import Any

from tmodel.importers.common import mapping_at
from tmodel.importers.openapi.facts import OpFacts, servers_of, transport_of
from tmodel.importers.openapi.security import declared_schemes
from tmodel.importers.openapi.spec import Operation, Spec
from tmodel.importers.refs import Parts, pointer_of, walk_document

WSO2_EXTENSIONS = ("x-auth-type", "x-throttling-tier", "x-scope", "x-wso2-")


def document_findings(spec: Spec, ops: list[Operation], facts: list[OpFacts]) -> tuple[list[str], list[str]]:
    """(findings, not converted) about the document as a whole; ``facts`` are its operations' facts."""
    findings: list[str] = []
    unmapped: list[str] = []
    schemes, schemes_parts = declared_schemes(spec)
    if not ops:
        findings.append("the document describes no operations (no paths with methods): the model has no flows; "
                        "add them by hand or import the document that describes the API's paths")
    if ops and not schemes:
        where = "securityDefinitions" if spec.version == "2.0" else "components.securitySchemes"
        findings.append(f"the document declares no security schemes ({where}): nothing says how callers "
                        "authenticate")
    undeclared_anywhere = all(op.security_parts is None for op in ops)
    if ops and undeclared_anywhere:
        xs = [op for op in ops if "x-scopes" in op.extensions or "x-scope" in op.extensions]
        if xs:
            key = "x-scopes" if "x-scopes" in xs[0].extensions else "x-scope"
            findings.append(
                f"no operation has a security requirement: authentication.method is none on every flow; OAuth scopes "
                f"are described only in the vendor extension {key} on {len(xs)} of {len(ops)} operations "
                f"(e.g. {spec.label}{xs[0].pointer}/{key}), which no gateway enforces from the document: add "
                "securitySchemes and security, or configure the scopes on the gateway")
        else:
            findings.append("no operation has a security requirement (no 'security' anywhere): "
                            "authentication.method is none on every flow")
    # anonymous alternatives
    anon = [op for op in ops if op.security_parts is not None and (not op.security or any(not r for r in op.security))]
    if anon:
        explicit_empty = [op for op in anon if not op.security]
        alt = [op for op in anon if op.security]
        if alt:
            pointers = sorted({op.security_pointer for op in alt})
            findings.append(
                f"{len(alt)} operation(s) accept anonymous calls: an empty requirement {{}} is one of the security "
                f"alternatives ({', '.join(spec.label + w for w in pointers[:3])}{' …' if len(pointers) > 3 else ''}); "
                f"e.g. {', '.join(op.label for op in alt[:3])}")
        if explicit_empty:
            findings.append(
                f"{len(explicit_empty)} operation(s) require no authentication (security: []): "
                + ", ".join(f"{op.label} ({spec.label}{op.security_pointer})" for op in explicit_empty[:5]))
    # schemes used, by name
    used: dict[str, list[Operation]] = {}
    for op in ops:
        for req in op.security:
            for name in req:
                used.setdefault(str(name), []).append(op)
    for name, users in used.items():
        if name not in schemes:
            findings.append(f"security names the scheme '{name}', which is not declared "
                            f"({'securityDefinitions' if spec.version == '2.0' else 'components.securitySchemes'}): "
                            f"{len(users)} operation(s) cannot be authenticated as written, e.g. {users[0].label} "
                            f"({spec.label}{users[0].security_pointer})")
    for name, raw in schemes.items():
        s, at = spec.deref(raw, schemes_parts + (name,))
        if not isinstance(s, dict):
            continue
        n = len(used.get(name, []))
        typ = s.get("type")
        where = spec.label + pointer_of(at)
        if typ == "apiKey" and s.get("in") == "query":
            findings.append(f"security scheme '{name}' sends an API key in the URL query ({where}), where proxies, "
                            f"logs and browser history keep it; used by {n} operation(s)")
        if typ == "basic" or (typ == "http" and str(s.get("scheme") or "").lower() in ("basic", "digest")):
            findings.append(f"security scheme '{name}' is HTTP {str(s.get('scheme') or 'basic').lower()}: a reusable "
                            f"password on every call ({where}); used by {n} operation(s)")
        if typ == "oauth2":
            weak = []
            if spec.version == "2.0" and s.get("flow") in ("implicit", "password"):
                weak.append((s["flow"], at + ("flow",)))
            flows = mapping_at(s, "flows")
            weak += [(k, at + ("flows", k)) for k in flows if k in ("implicit", "password")]
            for g, gat in weak:
                what = ("tokens are returned in the browser's front channel" if g == "implicit"
                        else "the client collects the user's password (ROPC)")
                findings.append(f"security scheme '{name}' uses the OAuth 2.0 {g} grant: {what}; FAPI does not "
                                f"allow it ({spec.label}{pointer_of(gat)}); used by {n} operation(s)")
        if n == 0 and ops:
            unmapped.append(f"security scheme '{name}' ({where}) is declared but no operation uses it")
    # plain http servers, and servers whose scheme is not stated
    seen: set[str] = set()
    for f in facts:
        for t in f.transports:
            if t.rank == 0 and t.url not in seen:
                seen.add(t.url)
                findings.append(f"server '{t.url}' is plain http: no TLS ({spec.label}{pointer_of(t.parts)})")
            elif t.rank == 1 and t.url not in seen:
                seen.add(t.url)
                findings.append(f"{t.note} ({spec.label}{pointer_of(t.parts)})" if t.parts else t.note)
    if any(not f.transports for f in facts):
        findings.append("no HTTP(S) server is named for some operations: the scheme and TLS are not stated; their "
                        "flows carry https with TLS 1.2 as a placeholder to confirm")
    return findings, unmapped


def unconverted(spec: Spec, ops: list[Operation]) -> list[str]:
    """What the document holds that the model does not: vendor extensions, webhooks, callbacks, other servers."""
    unmapped: list[str] = []
    counts: dict[str, list[Any]] = {}

    def on_ext(parts: Parts, key: str) -> None:
        entry = counts.setdefault(key, [0, parts])
        entry[0] += 1

    walk_document(spec.data, on_extension=on_ext)
    interpreted = set()
    if all(op.security_parts is None for op in ops):
        interpreted.add("x-scopes")
    for key in sorted(counts):
        if key in interpreted:
            continue
        n, parts = counts[key]
        hint = " (read by 'tmodel import wso2')" if key.startswith(WSO2_EXTENSIONS) else ""
        unmapped.append(f"vendor extension {key}: {n} occurrence(s), first at {spec.label}{pointer_of(parts)}{hint}")
    if isinstance(spec.data.get("webhooks"), dict) and spec.data["webhooks"]:
        unmapped.append(f"webhooks: {len(spec.data['webhooks'])} ({spec.label}#/webhooks): calls from the API to "
                        "subscribers are not modelled; add flows from the backend to the subscribers by hand")
    for op in ops:
        cbs = op.data.get("callbacks")
        if isinstance(cbs, dict) and cbs:
            unmapped.append(f"callbacks of {op.label}: {', '.join(map(str, list(cbs)[:5]))} "
                            f"({spec.label}{op.pointer}/callbacks): outbound calls to the consumer are not modelled")
    seen: set[str] = set()
    for op in ops:
        for url, at in servers_of(spec, op):
            if transport_of(url, at) is None and url not in seen:
                seen.add(url)
                unmapped.append(f"server '{url}' ({spec.label}{pointer_of(at)}) is not an HTTP(S) server")
    return unmapped
