"""What one operation says: the servers it is reached at (scheme, TLS), identifiers in its path and
query, files in and out, a 429 response, how strict its request schemas are, a URL the caller hands
the API to call back, and the personal data in its parameters and schemas."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tmodel.importers import pd_fields
from tmodel.importers.common import describe, url_scheme
from tmodel.importers.openapi.assets import PdWalker
from tmodel.importers.openapi.schemas import (
    STRING_CONSTRAINTS,
    UNCONSTRAINING_FORMATS,
    Budget,
    is_file_media,
    is_type,
    iter_schema,
    schema_has_file,
    weak_schema,
)
from tmodel.importers.openapi.spec import Operation, Spec, parameters, path_item
from tmodel.importers.refs import Parts
from tmodel.problems import ProblemError


@dataclass
class Transport:
    """How a server is reached: the protocol and TLS a flow gets from it, and where it is stated."""

    rank: int  # 0 http, 1 not stated (relative / no scheme), 2 https
    protocol: str
    tls: str
    parts: Parts
    note: str
    url: str


@dataclass
class OpFacts:
    """What one operation says, for the flow of its group."""

    op: Operation
    transports: list[Transport]
    ids: list[tuple[int, str, str, Parts]]  # rank, style ('incremental'|'natural'|'unknown'|'uuid'), name, parts
    file_in: Parts | None
    file_out: Parts | None
    has_429: bool
    responses_parts: Parts
    has_body: bool
    weak: tuple[Parts, str] | None
    pd: list[tuple[pd_fields.Category, str, Parts]]
    urls: tuple[Parts, str] | None = None  # where the caller hands the API a URL to call back
    idempotency: Parts | None = None  # an Idempotency-Key / x-idempotency-key header parameter


def is_idempotency_header(prm: dict) -> bool:
    """An Idempotency-Key, x-idempotency-key or x-fapi-idempotency-key style header parameter."""
    return prm.get("in") == "header" and "idempotency" in pd_fields.words(str(prm.get("name") or ""))


ID_RANK = {"incremental": 0, "natural": 1, "unknown": 2, "uuid": 3}
UUID_PATTERN = re.compile(r"[0-9a-fA-F]\{8\}|\[0-9a-f")


def _looks_like_id(name: str) -> bool:
    ws = pd_fields.words(name)
    return bool(ws) and (ws[-1] in ("id", "ids", "uuid", "guid") or name.lower() in ("id", "uuid"))


NATURAL_ID = {pd_fields.DOCUMENTS, pd_fields.CONTACTS, pd_fields.CARDS, pd_fields.ACCOUNTS}


def param_schema(spec: Spec, prm: dict, at: Parts) -> dict:
    """A parameter's schema (Swagger 2.0 keeps type/format on the parameter itself), resolved."""
    schema = prm.get("schema") if spec.version != "2.0" else prm
    if isinstance(schema, dict) and "$ref" in schema:
        schema, _ = spec.deref(schema, at + ("schema",))
    return schema if isinstance(schema, dict) else {}


def _id_style(spec: Spec, prm: dict, at: Parts) -> str | None:
    name = str(prm.get("name") or "")
    schema = param_schema(spec, prm, at)
    if is_type(schema, "boolean") or is_type(schema, "array") or is_type(schema, "object"):
        return None
    cat = pd_fields.classify(name, (), schema)
    balance = pd_fields.words(name)[-1:] in (["balance"], ["balances"])
    if cat in NATURAL_ID and not balance and not _looks_like_id(name):
        return "natural"
    if not _looks_like_id(name):
        return None
    if is_type(schema, "integer") or is_type(schema, "number"):
        return "incremental"
    if schema.get("format") in ("uuid", "guid") or (isinstance(schema.get("pattern"), str) and UUID_PATTERN.search(schema["pattern"])):
        return "uuid"
    return "unknown"


def servers_of(spec: Spec, op: Operation) -> list[tuple[str, Parts]]:
    """(url, parts of the url) of the servers that apply to an operation; [] when none is stated."""
    d = spec.data
    if spec.version == "2.0":
        schemes = op.data.get("schemes") if isinstance(op.data.get("schemes"), list) else d.get("schemes")
        base = op.parts + ("schemes",) if isinstance(op.data.get("schemes"), list) else ("schemes",)
        host = d.get("host") if isinstance(d.get("host"), str) else ""
        bp = d.get("basePath") if isinstance(d.get("basePath"), str) else ""
        if not isinstance(schemes, list) or not schemes:
            return [(f"{host}{bp}" or "/", ("host",) if host else ())]
        return [(f"{s}://{host}{bp}" if host else f"{s}:{bp or '/'}", base + (i,)) for i, s in enumerate(schemes) if isinstance(s, str)]
    for holder, hparts in ((op.data, op.parts), (path_item(spec, op), op.path_item_parts), (d, ())):
        servers = holder.get("servers") if isinstance(holder, dict) else None
        if isinstance(servers, list) and servers:
            out = []
            for i, s in enumerate(servers):
                if isinstance(s, dict) and isinstance(s.get("url"), str):
                    out.append((_expand_url(s), hparts + ("servers", i, "url")))
            return out
    return []


def _expand_url(server: dict) -> str:
    url = server["url"]
    variables: Any = server.get("variables")
    variables = variables if isinstance(variables, dict) else {}

    def sub(m: re.Match) -> str:
        var = variables.get(m.group(1))
        return str(var.get("default")) if isinstance(var, dict) and "default" in var else m.group(0)

    return re.sub(r"\{([^}]+)\}", sub, url)


def transport_of(url: str, parts: Parts) -> Transport | None:
    """What a server URL says about the transport; None for a server that is not HTTP(S) (ws, ftp...)."""
    low = url.strip().lower()
    scheme = url_scheme(low) if "://" in low else (low.split(":", 1)[0] if re.match(r"^[a-z]+:/", low) else "")
    if scheme == "http":
        return Transport(0, "http", "none", parts, f"plain http server {url}: no TLS", url)
    if scheme == "https":
        return Transport(2, "https", "1.2", parts,
                         "https; the document does not state the TLS version: 1.2 is the floor to verify on the gateway", url)
    if scheme == "" and not parts:  # Swagger 2.0 without host and schemes
        return Transport(1, "https", "1.2", parts,
                         "the document states no host and no schemes (Swagger 2.0: those the document is served from): "
                         "https with TLS 1.2 is a placeholder to confirm", url)
    if scheme == "":
        what = "is relative" if url.strip().startswith("/") else "names no scheme"
        return Transport(1, "https", "1.2", parts,
                         f"the server URL '{url}' {what}: the scheme is not stated; https with TLS 1.2 is a placeholder "
                         "to confirm", url)
    return None  # ws, wss, ftp...: not an HTTP API transport


_CALLBACK_WORDS = {"callback", "webhook", "notification", "notify", "hook"}


def _is_callback_url(name: str, schema: Any) -> bool:
    """A field or parameter that hands the API a URL to call later (callbackUrl, TPP-Notification-URI)."""
    ws = set(pd_fields.words(name))
    if not ws & _CALLBACK_WORDS:
        return False
    fmt = schema.get("format") if isinstance(schema, dict) else None
    return bool(ws & {"url", "uri", "urls", "uris", "endpoint", "href"}) or fmt in ("uri", "url", "iri")


def _mapping(spec: Spec, value: Any, parts: Parts, what: str, hint: str) -> dict:
    """``value`` when it is a mapping, {} when absent; a located error when it is something else."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProblemError([spec.problem(parts, f"{what} must be a mapping, but it is {describe(value, scalar='value')}", hint)])
    return value


def operation_facts(spec: Spec, op: Operation, budget: Budget, pd_walker: PdWalker) -> OpFacts:
    """Everything the flows need from one operation (schema walks share ``budget``)."""
    transports = []
    for url, at in servers_of(spec, op):
        t = transport_of(url, at)
        if t is not None:
            transports.append(t)
    params = parameters(spec, op)
    ids = []
    pd: list[tuple[pd_fields.Category, str, Parts]] = []
    for at, prm in params:
        where = prm.get("in")
        name = str(prm.get("name") or "")
        if where in ("path", "query"):
            style = _id_style(spec, prm, at)
            if style:
                ids.append((ID_RANK[style], style, name, at))
        if where in ("path", "query", "header", "cookie", "formData"):
            cat = pd_fields.classify(name, (), param_schema(spec, prm, at))
            if cat is not None:
                pd.append((cat, name, at + ("name",)))
    file_in = file_out = None
    has_body = False
    weak = None
    # request
    bodies: list[tuple[Any, Parts, bool]] = []  # schema, its parts, structured (not a file body)
    if spec.version == "2.0":
        consumes = op.data.get("consumes") if isinstance(op.data.get("consumes"), list) else spec.data.get("consumes")
        consumes = [c for c in (consumes or []) if isinstance(c, str)]
        form = [(at, p) for at, p in params if p.get("in") == "formData"]
        for at, p in params:
            if p.get("in") == "body" and isinstance(p.get("schema"), dict):
                bodies.append((p["schema"], at + ("schema",), True))
            if p.get("in") == "formData" and p.get("type") == "file":
                file_in = file_in or at
            if p.get("in") == "formData" and p.get("type") == "string" and not any(k in p for k in STRING_CONSTRAINTS) \
                    and str(p.get("format") or "") in UNCONSTRAINING_FORMATS and weak is None:
                weak = (at, "a form field without maxLength, pattern, enum or format")
        if (form or bodies) and file_in is None:
            media = next((c for c in consumes if is_file_media(c)), None)
            if media is not None and (media != "multipart/form-data" or form):
                file_in = op.parts + ("consumes",) if isinstance(op.data.get("consumes"), list) else ("consumes",)
        has_body = bool(bodies or form)
    else:
        rb = op.data.get("requestBody")
        if rb is not None:
            rb, rb_at = spec.deref(rb, op.parts + ("requestBody",))
            content = _mapping(spec, rb.get("content") if isinstance(rb, dict) else None, rb_at + ("content",),
                               f"the request body's content of {op.label}", "map media types to schemas: 'application/json: {schema: ...}'")
            for media, mt in content.items():
                has_body = True
                mt_at = rb_at + ("content", media)
                if is_file_media(str(media)) and file_in is None:
                    file_in = mt_at
                if isinstance(mt, dict) and isinstance(mt.get("schema"), (dict, bool)):
                    # a file body (image/jpeg, application/pdf) is checked as a file, not as a schema
                    bodies.append((mt["schema"], mt_at + ("schema",), not is_file_media(str(media))
                                   or str(media).startswith("multipart/")))
    for schema, at, structured in bodies:
        if file_in is None:
            file_in = schema_has_file(spec, schema, at, budget)
        if weak is None and structured:
            weak = weak_schema(spec, schema, at, budget)
        pd += pd_walker.fields(schema, at)
    # responses
    responses: Any = op.data.get("responses")
    responses = responses if isinstance(responses, dict) else {}
    has_429 = "429" in {str(k) for k in responses}
    produces: Any = []
    if spec.version == "2.0":
        produces = op.data.get("produces") if isinstance(op.data.get("produces"), list) else spec.data.get("produces")
        produces = [c for c in (produces or []) if isinstance(c, str)]
    for code, resp in responses.items():
        code = str(code)
        if code.startswith("x-"):
            continue
        resp, r_at = spec.deref(resp, op.parts + ("responses", code))
        if not isinstance(resp, dict):
            continue
        success = code.startswith("2")
        schemas: list[tuple[Any, Parts]] = []
        if spec.version == "2.0":
            if isinstance(resp.get("schema"), dict):
                schemas.append((resp["schema"], r_at + ("schema",)))
                if success and file_out is None:
                    media = next((c for c in produces if is_file_media(c)), None)
                    if media is not None:
                        file_out = op.parts + ("produces",) if isinstance(op.data.get("produces"), list) else ("produces",)
        else:
            content = _mapping(spec, resp.get("content"), r_at + ("content",), f"the content of response {code} of {op.label}",
                               "map media types to schemas: 'application/json: {schema: ...}'")
            for media, mt in content.items():
                mt_at = r_at + ("content", media)
                if success and file_out is None and is_file_media(str(media)):
                    file_out = mt_at
                if isinstance(mt, dict) and isinstance(mt.get("schema"), dict):
                    schemas.append((mt["schema"], mt_at + ("schema",)))
        for schema, at in schemas:
            if success and file_out is None:
                file_out = schema_has_file(spec, schema, at, budget)
            pd += pd_walker.fields(schema, at)
    resp_parts = op.parts + ("responses",) if "responses" in op.data else op.parts
    urls = None
    if isinstance(op.data.get("callbacks"), dict) and op.data["callbacks"]:
        urls = (op.parts + ("callbacks",), f"{op.label} declares callbacks to a URL the caller supplies")
    for at, prm in params:
        if urls is None and _is_callback_url(str(prm.get("name") or ""), param_schema(spec, prm, at)):
            urls = (at, f"{op.label}: the {prm.get('in')} parameter '{prm.get('name')}' is a URL the API calls back")
    for schema, at, _ in bodies:
        if urls is None:
            for node, nat in iter_schema(spec, schema, at, budget):
                props = node.get("properties") if isinstance(node.get("properties"), dict) else {}
                hit = next((k for k, v in props.items() if _is_callback_url(str(k), v)), None)
                if hit is not None:
                    urls = (nat + ("properties", hit), f"{op.label}: '{hit}' is a URL the API calls back")
                    break
    idem = next((at for at, prm in params if is_idempotency_header(prm)), None)
    return OpFacts(op, transports, ids, file_in, file_out, has_429, resp_parts, has_body, weak, pd, urls, idem)
