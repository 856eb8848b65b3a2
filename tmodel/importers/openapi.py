"""OpenAPI 3.0 / 3.1 and Swagger 2.0 documents -> a draft tmodel model.

Public API (the WSO2 importer builds on it):

``load_spec(path, label=None) -> Spec``
    Reads the file (``common.read_input``: size cap, BOM stripped, UTF-16/binary refused), parses
    YAML or JSON with positions (``common.parse_document``), detects the version ('2.0', '3.0',
    '3.1'), checks the document's skeleton (``paths`` is a mapping, every operation is a mapping,
    ``security`` is a list of requirement objects...) and every ``$ref`` (local only; external
    refused with the hint to bundle). Raises ``ProblemError`` with located problems
    (``file:line:col``). ``label`` is how derived values name the document in ``derived_from``
    (default: ``path`` as given), e.g. ``PizzaShackAPI-1.0.0/Definitions/swagger.yaml``.

``operations(spec) -> list[Operation]``
    One per path + method, in document order. Each has ``path`` ('/accounts/{AccountId}'),
    ``method`` (lower case), ``pointer`` ('#/paths/~1accounts~1{AccountId}/get'), ``tags``,
    ``security`` (the *effective* requirement: the operation's own ``security`` when it has the
    key, else the document's; a list of alternatives, each ``{scheme name: [scopes]}``;
    ``{}`` is an anonymous alternative; ``[]`` means nothing is required or nothing is declared
    - ``security_pointer`` tells which: '' when no security is declared anywhere), and
    ``extensions`` (the operation's own ``x-*`` keys and values: ``x-auth-type``,
    ``x-throttling-tier``, ``x-scope``, ``x-wso2-application-security``...).

``build_draft(spec, draft=None) -> Draft``
    The model: boundaries ``internet`` / ``dmz`` / ``internal``; elements ``consumer``
    (external_entity, partner_system), ``gateway`` (process, wso2_gateway) and ``backend``
    (process, backend_service), with those fixed ids; per group of operations (first tag, else
    first path segment, and effective security) a ``consumer -> gateway`` flow and a
    ``gateway -> backend`` flow; data assets for personal and bank data found in the schemas;
    findings and the list of what was not converted. Pass an existing ``draft`` to add to it
    (items that already exist with the fixed ids are kept, metadata keys already set win).

``group_operations(ops)`` / ``flows_by_operation(spec, draft)``
    How operations are grouped into flows, and which flow pair of a built draft holds an
    operation (``('GET', '/accounts') -> (consumer->gateway flow, gateway->backend flow)``), so
    another importer can refine those flows without re-implementing the grouping.

Every derived value records its source as ``<label>#/json/pointer`` (sometimes followed by a
note in parentheses saying what the document does not state), so "why it fired" can show it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from tmodel.importers import pd_fields
from tmodel.importers.common import (
    MAX_TEXT,
    Draft,
    derive,
    describe,
    located_problem,
    parse_document,
    read_input,
    shorten,
    slug,
)
from tmodel.importers.refs import Parts, Refs, pointer_of, ref_name, walk_document
from tmodel.model.yamlsafe import Located
from tmodel.problems import Problem, ProblemError

WHAT = "an OpenAPI or Swagger 2.0 document"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_PROBLEMS = 20
MAX_WALK_NODES = 200_000  # schema nodes visited per import (all walks together)
MAX_SCHEMA_DEPTH = 64
MAX_OPS_LISTED = 40  # operations named in one flow's description
MAX_ATTRIBUTES = 30

# element and boundary ids the WSO2 importer relies on
CONSUMER, GATEWAY, BACKEND = "consumer", "gateway", "backend"
INTERNET, DMZ, INTERNAL = "internet", "dmz", "internal"

# derived_from key of the source of a whole item (the item exists because of it); the model
# format's 'id' (also valid where '' was the spelling: 'id' names the item's id field)
WHOLE_ITEM = "id"

WSO2_EXTENSIONS = ("x-auth-type", "x-throttling-tier", "x-scope", "x-wso2-")


# --- the document ----------------------------------------------------------------------------

@dataclass
class Spec:
    """A parsed, checked OpenAPI / Swagger document."""

    path: str  # the file as given (messages)
    label: str  # the document's name in derived_from sources
    version: str  # '2.0' | '3.0' | '3.1'
    version_text: str  # as written, e.g. '3.0.1'
    data: dict[str, Any]
    located: Located
    refs: Refs

    def problem(self, parts: Parts, message: str, hint: str = "") -> Problem:
        return located_problem(self.located, self.path, parts, message, hint)

    def source(self, parts: Parts, note: str = "") -> str:
        """``label#/json/pointer`` (plus `` (note)``): the derived_from value for ``parts``."""
        text = self.label + pointer_of(parts)
        if note:
            text += f" ({note})"
        return text[:1000]

    def deref(self, node: Any, parts: Parts) -> tuple[Any, Parts]:
        return self.refs.deref(node, parts)

    @property
    def kind_text(self) -> str:
        return f"Swagger {self.version_text}" if self.version == "2.0" else f"OpenAPI {self.version_text}"


@dataclass
class Operation:
    """One path + method of the document, with its effective security."""

    path: str
    method: str  # lower case
    pointer: str  # '#/paths/~1accounts/get'
    parts: Parts  # ('paths', '/accounts', 'get')
    data: dict[str, Any]
    tags: list[str]
    security: list[dict[str, list[str]]]
    security_pointer: str  # '#/paths/~1a/get/security' or '#/security'; '' when declared nowhere
    security_parts: Parts | None
    extensions: dict[str, Any]
    path_item_parts: Parts = ()
    operation_id: str | None = None
    summary: str = ""
    deprecated: bool = False

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


def load_spec(path: str, label: str | None = None) -> Spec:
    """Read, parse and check an OpenAPI 3.0/3.1 or Swagger 2.0 document (raises ProblemError, located)."""
    text = read_input(path, WHAT)
    located = parse_document(text, path, WHAT)
    data = located.data
    version, version_text = _detect_version(data, located, path)
    spec = Spec(path, label or path, version, version_text, data, located, Refs(data, located, path))
    problems = _check_structure(spec)
    if problems:
        raise ProblemError(problems[:MAX_PROBLEMS])
    problems = spec.refs.check_all()
    if problems:
        raise ProblemError(problems)
    return spec


def _detect_version(data: dict, located: Located, path: str) -> tuple[str, str]:
    def at(key: str, message: str, hint: str) -> ProblemError:
        return ProblemError([located_problem(located, path, (key,), message, hint)])

    hint = "write openapi: 3.0.3 (or 3.1.0), or swagger: '2.0'"
    if "openapi" in data:
        raw = located.raw.get(("openapi",))
        value = data["openapi"]
        text = raw if raw is not None else str(value)
        m = re.fullmatch(r"3\.([01])(\.\d+)?(-[0-9A-Za-z.-]+)?", text.strip()) if isinstance(value, (str, float, int)) else None
        if not m:
            return_msg = (f"'openapi: {text}' is not a version this importer reads (3.0.x or 3.1.x)"
                          if isinstance(value, (str, float, int)) and not isinstance(value, bool)
                          else f"'openapi' must be a version string, not {type(value).__name__}")
            if text.strip().startswith("2"):
                hint = "a Swagger 2.0 document says swagger: '2.0' (the key 'openapi' is for 3.x)"
            raise at("openapi", return_msg, hint)
        return f"3.{m.group(1)}", text.strip()
    if "swagger" in data:
        raw = located.raw.get(("swagger",))
        value = data["swagger"]
        text = raw if raw is not None else str(value)
        if text.strip() not in ("2.0", "2"):
            raise at("swagger", f"'swagger: {text}' is not a version this importer reads (2.0)", hint)
        return "2.0", "2.0"
    if "asyncapi" in data:
        raise at("asyncapi", "this is an AsyncAPI document, not OpenAPI; message-based APIs are not imported",
                 "model the broker flows by hand (protocol: kafka / amqp)")
    if "format_version" in data and "metadata" in data:
        raise at("format_version", "this is already a tmodel model, not an OpenAPI document",
                 "use 'tmodel validate' or 'tmodel analyze' on it")
    if data.get("type") == "api" and "data" in data:
        raise at("type", "this is a WSO2 apictl api.yaml, not an OpenAPI document",
                 "use 'tmodel import wso2 PROJECT_DIR' on the project folder")
    first = next(iter(data), None)
    line, col = located.where((first,), key=True) if first is not None else (1, 1)
    raise ProblemError([Problem(path, line, col, f"this is not {WHAT}: it has neither an 'openapi' nor a 'swagger' key",
                                "pass an OpenAPI 3.x or Swagger 2.0 file (it starts with 'openapi: 3...' or 'swagger: \"2.0\"')")])


def _check_structure(spec: Spec) -> list[Problem]:
    """The skeleton the importer relies on, with a located problem for each thing of the wrong type."""
    d = spec.data
    out: list[Problem] = []

    def need(parts: Parts, value: Any, typ: type, what: str, hint: str = "") -> bool:
        if isinstance(value, typ) and not (typ is int and isinstance(value, bool)):
            return True
        want = {dict: "a mapping", list: "a list", str: "a string"}[typ]
        out.append(spec.problem(parts, f"{what} must be {want}, but it is {describe(value, scalar='value')}", hint))
        return False

    if "info" in d and need(("info",), d["info"], dict, "'info'") and "title" in d["info"]:
        need(("info", "title"), d["info"]["title"], str, "'info.title'")
    if spec.version != "2.0" and "servers" in d and need(("servers",), d["servers"], list, "'servers'"):
        for i, s in enumerate(d["servers"]):
            if need(("servers", i), s, dict, f"servers[{i}]", "write - url: https://api.example.com") and "url" in s:
                need(("servers", i, "url"), s["url"], str, f"servers[{i}].url")
    for key in ("consumes", "produces", "schemes"):
        if spec.version == "2.0" and key in d:
            need((key,), d[key], list, f"'{key}'")
    if "security" in d:
        _check_security(spec, ("security",), d["security"], need)
    comps = d.get("components")
    if ("components" in d and need(("components",), comps, dict, "'components'") and "securitySchemes" in comps
            and need(("components", "securitySchemes"), comps["securitySchemes"], dict, "'components.securitySchemes'")):
        for name, s in comps["securitySchemes"].items():
            if need(("components", "securitySchemes", name), s, dict, f"security scheme '{name}'") and "type" in s \
                    and "$ref" not in s:
                need(("components", "securitySchemes", name, "type"), s["type"], str, f"security scheme '{name}'.type")
    if "securityDefinitions" in d and need(("securityDefinitions",), d["securityDefinitions"], dict, "'securityDefinitions'"):
        for name, s in d["securityDefinitions"].items():
            need(("securityDefinitions", name), s, dict, f"security definition '{name}'")
    if "paths" not in d:
        if spec.version != "3.1" and "webhooks" not in d:
            out.append(Problem(spec.path, 1, 1, f"{spec.kind_text} document has no 'paths'",
                               "an API description lists its operations under 'paths:'"))
        return out
    paths = d["paths"]
    if paths is None:
        paths = {}
    if not need(("paths",), paths, dict, "'paths'", "write paths as a mapping: '/accounts: {get: ...}'"):
        return out
    for p, item in paths.items():
        if p.startswith("x-"):
            continue
        at = ("paths", p)
        if not need(at, item, dict, f"path '{p}'", "a path maps HTTP methods (get, post...) to operations"):
            continue
        if "parameters" in item:
            _check_parameters(spec, at + ("parameters",), item["parameters"], need)
        for m, op in item.items():
            if m not in METHODS:
                continue
            oat = at + (m,)
            if not need(oat, op, dict, f"operation '{m.upper()} {p}'", "an operation is a mapping with responses, parameters..."):
                continue
            if "parameters" in op:
                _check_parameters(spec, oat + ("parameters",), op["parameters"], need)
            if "responses" in op and op["responses"] is not None:
                need(oat + ("responses",), op["responses"], dict, f"responses of {m.upper()} {p}")
            if "requestBody" in op:
                need(oat + ("requestBody",), op["requestBody"], dict, f"requestBody of {m.upper()} {p}")
            if "tags" in op and need(oat + ("tags",), op["tags"], list, f"tags of {m.upper()} {p}"):
                for i, t in enumerate(op["tags"]):
                    need(oat + ("tags", i), t, str, f"tag {i + 1} of {m.upper()} {p}")
            if "security" in op:
                _check_security(spec, oat + ("security",), op["security"], need)
            if "servers" in op and need(oat + ("servers",), op["servers"], list, f"servers of {m.upper()} {p}"):
                for i, s in enumerate(op["servers"]):
                    need(oat + ("servers", i), s, dict, f"servers[{i}] of {m.upper()} {p}")
        if len(out) >= MAX_PROBLEMS:
            break
    return out


def _check_parameters(spec: Spec, at: Parts, params: Any, need) -> None:
    if need(at, params, list, "'parameters'", "write parameters as a list: '- name: id, in: path, ...'"):
        for i, prm in enumerate(params):
            need(at + (i,), prm, dict, f"parameter {i + 1}")


def _check_security(spec: Spec, at: Parts, sec: Any, need) -> None:
    hint = "write security as a list of requirements: '- OAuth2: [accounts]'"
    if not need(at, sec, list, "'security'", hint):
        return
    for i, req in enumerate(sec):
        if need(at + (i,), req, dict, f"security requirement {i + 1}", hint):
            for name, scopes in req.items():
                need(at + (i, name), scopes, list, f"the scopes of '{name}'", "write the scopes as a list, [] when there are none")


# --- operations ------------------------------------------------------------------------------

def operations(spec: Spec) -> list[Operation]:
    """Every path + method, in document order, with its effective security and its x-* keys."""
    d = spec.data
    paths = d.get("paths") or {}
    global_sec = d.get("security")
    out: list[Operation] = []
    for p, item in paths.items():
        if not isinstance(item, dict) or str(p).startswith("x-"):
            continue
        item, item_parts = spec.deref(item, ("paths", p))
        if not isinstance(item, dict):
            continue
        for m, op in item.items():
            if m not in METHODS or not isinstance(op, dict):
                continue
            parts = ("paths", p, m)  # the operation's place in the document (a $ref'd path item keeps its path)
            if item_parts != ("paths", p):
                parts = item_parts + (m,)
            if "security" in op:
                sec, sec_parts = op["security"] or [], parts + ("security",)
            elif global_sec is not None:
                sec, sec_parts = global_sec or [], ("security",)
            else:
                sec, sec_parts = [], None
            tags = [t for t in (op.get("tags") or []) if isinstance(t, str)]
            out.append(Operation(
                path=str(p), method=m, pointer=pointer_of(parts), parts=parts, data=op, tags=tags,
                security=[dict(r) for r in sec if isinstance(r, dict)],
                security_pointer=pointer_of(sec_parts) if sec_parts is not None else "", security_parts=sec_parts,
                extensions={k: v for k, v in op.items() if isinstance(k, str) and k.startswith("x-")},
                path_item_parts=item_parts, operation_id=op.get("operationId") if isinstance(op.get("operationId"), str) else None,
                summary=op.get("summary") if isinstance(op.get("summary"), str) else "",
                deprecated=op.get("deprecated") is True,
            ))
    return out


def parameters(spec: Spec, op: Operation) -> list[tuple[Parts, dict[str, Any]]]:
    """The operation's parameters (path-item level ones included, overridden by name + location), resolved."""
    found: dict[tuple[str, str], tuple[Parts, dict]] = {}
    item, _ = spec.deref(spec.refs.lookup([str(x) for x in op.path_item_parts])[1], op.path_item_parts)
    for base, plist in ((op.path_item_parts, item.get("parameters") if isinstance(item, dict) else None),
                        (op.parts, op.data.get("parameters"))):
        for i, prm in enumerate(plist or []):
            node, _ = spec.deref(prm, base + ("parameters", i))
            if not isinstance(node, dict):
                continue
            key = (str(node.get("name")), str(node.get("in")))
            found[key] = (base + ("parameters", i), node)
    return list(found.values())


# --- schema walking --------------------------------------------------------------------------

class _Budget:
    def __init__(self, n: int):
        self.left = n
        self.exhausted = False

    def take(self) -> bool:
        self.left -= 1
        if self.left < 0:
            self.exhausted = True
        return not self.exhausted


def _schema_children(node: dict, parts: Parts) -> list[tuple[str | None, Any, Parts]]:
    """(property name or None, child schema, its parts) of a schema node."""
    out: list[tuple[str | None, Any, Parts]] = []
    props = node.get("properties")
    if isinstance(props, dict):
        for name, sub in props.items():
            out.append((str(name), sub, parts + ("properties", name)))
    for key in ("items", "additionalProperties", "not", "contains", "additionalItems", "unevaluatedProperties"):
        sub = node.get(key)
        if isinstance(sub, dict):
            out.append((None, sub, parts + (key,)))
        elif key == "items" and isinstance(sub, list):
            out += [(None, s, parts + (key, i)) for i, s in enumerate(sub)]
    for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
        subs = node.get(key)
        if isinstance(subs, list):
            out += [(None, s, parts + (key, i)) for i, s in enumerate(subs)]
    pp = node.get("patternProperties")
    if isinstance(pp, dict):
        out += [(None, s, parts + ("patternProperties", k)) for k, s in pp.items()]
    return out


def _iter_schema(spec: Spec, schema: Any, parts: Parts, budget: _Budget):
    """Depth-first (node, parts) over a schema and everything it references, each referenced
    definition visited once (so circular schemas end, and shared ones are not re-walked)."""
    seen: set[Parts] = set()
    stack: list[tuple[Any, Parts, int]] = [(schema, parts, 0)]
    while stack:
        node, at, depth = stack.pop()
        if isinstance(node, dict) and "$ref" in node:
            node, at = spec.deref(node, at)
            if at in seen:
                continue
            seen.add(at)
        if not isinstance(node, dict) or depth > MAX_SCHEMA_DEPTH or not budget.take():
            continue
        yield node, at
        for _, sub, sub_at in reversed(_schema_children(node, at)):
            stack.append((sub, sub_at, depth + 1))


_CALLBACK_WORDS = {"callback", "webhook", "notification", "notify", "hook"}


def _is_callback_url(name: str, schema: Any) -> bool:
    """A field or parameter that hands the API a URL to call later (callbackUrl, TPP-Notification-URI)."""
    ws = set(pd_fields.words(name))
    if not ws & _CALLBACK_WORDS:
        return False
    fmt = schema.get("format") if isinstance(schema, dict) else None
    return bool(ws & {"url", "uri", "urls", "uris", "endpoint", "href"}) or fmt in ("uri", "url", "iri")


STRING_CONSTRAINTS = ("maxLength", "pattern", "enum", "const")
UNCONSTRAINING_FORMATS = {"binary", "byte", "password", ""}


def _mapping(spec: Spec, value: Any, parts: Parts, what: str, hint: str) -> dict:
    """``value`` when it is a mapping, {} when absent; a located error when it is something else."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProblemError([spec.problem(parts, f"{what} must be a mapping, but it is {describe(value, scalar='value')}", hint)])
    return value


def _is_type(node: dict, name: str) -> bool:
    t = node.get("type")
    return t == name or (isinstance(t, list) and name in t)


def _weak_schema(spec: Spec, schema: Any, parts: Parts, budget: _Budget) -> tuple[Parts, str] | None:
    """The first place a request schema accepts more than it needs to: an unbounded string or an open object."""
    for node, at in _iter_schema(spec, schema, parts, budget):
        if _is_type(node, "string") and not any(k in node for k in STRING_CONSTRAINTS) and \
                str(node.get("format") or "") in UNCONSTRAINING_FORMATS and node.get("format") != "binary" and \
                "contentMediaType" not in node:  # a file part is a file (file_transfer), not an unbounded text field
            return at, "a string without maxLength, pattern, enum or format"
        if (_is_type(node, "object") or isinstance(node.get("properties"), dict)) and \
                node.get("additionalProperties") is not False and node.get("unevaluatedProperties") is not False:
            return at, "an object without additionalProperties: false"
    return None


def _schema_has_file(spec: Spec, schema: Any, parts: Parts, budget: _Budget) -> Parts | None:
    for node, at in _iter_schema(spec, schema, parts, budget):
        if node.get("format") == "binary" or _is_type(node, "file"):
            return at
        cmt = node.get("contentMediaType")
        if isinstance(cmt, str) and _is_file_media(cmt):
            return at
    return None


_FILE_MEDIA = re.compile(
    r"^(multipart/.*|application/(octet-stream|pdf|zip|gzip|x-zip-compressed|x-tar|x-7z-compressed|msword|rtf|"
    r"x-pkcs12|pkcs7-mime|x-pkcs7-certificates|vnd\.(?!.*\+(json|xml)$).*)|image/.*|audio/.*|video/.*|text/csv)$")


def _is_file_media(media: str) -> bool:
    return bool(_FILE_MEDIA.match(media.split(";")[0].strip().lower()))


class _PdWalker:
    """Personal and bank data fields of schemas, through references, with a cycle guard and a memo."""

    def __init__(self, spec: Spec, budget: _Budget):
        self.spec = spec
        self.budget = budget
        self.memo: dict[tuple[Parts, tuple[str, ...]], list[tuple[pd_fields.Category, str, Parts]]] = {}

    def fields(self, schema: Any, parts: Parts, context: tuple[str, ...] = ()) -> list[tuple[pd_fields.Category, str, Parts]]:
        return self._walk(schema, parts, context, frozenset(), 0)

    def _walk(self, node: Any, at: Parts, ctx: tuple[str, ...], on_path: frozenset, depth: int):
        memo_key = None
        if isinstance(node, dict) and "$ref" in node:
            node, at = self.spec.deref(node, at)
            if at in on_path:
                return []  # a circular schema: legal, stop descending
            on_path = on_path | {at}
            name = ref_name(at)
            if name:
                ctx = ctx + (name,)
            memo_key = (at, ctx[-3:])
            if memo_key in self.memo:
                return self.memo[memo_key]
        if not isinstance(node, dict) or depth > MAX_SCHEMA_DEPTH or not self.budget.take():
            return []
        out: list[tuple[pd_fields.Category, str, Parts]] = []
        for name, sub, sub_at in _schema_children(node, at):
            sub_node = sub
            if name is not None:
                if isinstance(sub, dict) and "$ref" in sub:
                    sub_node, _ = self.spec.deref(sub, sub_at)
                cat = pd_fields.classify(name, ctx, sub_node)
                if cat is not None:
                    out.append((cat, name, sub_at))
            out += self._walk(sub, sub_at, ctx + ((name,) if name else ()), on_path, depth + 1)
        if memo_key is not None:
            self.memo[memo_key] = out
        return out


# --- what one operation says -----------------------------------------------------------------

@dataclass
class _Transport:
    rank: int  # 0 http, 1 not stated (relative / no scheme), 2 https
    protocol: str
    tls: str
    parts: Parts
    note: str
    url: str


@dataclass
class _Auth:
    rank: int  # lower is weaker
    method: str
    grant: str | None = None
    grant_parts: Parts | None = None
    token_in_query: bool = False
    query_parts: Parts | None = None
    mutual: bool = False
    mutual_parts: Parts | None = None
    scopes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _OpFacts:
    op: Operation
    transports: list[_Transport]
    ids: list[tuple[int, str, str, Parts]]  # rank, style ('incremental'|'natural'|'unknown'|'uuid'), name, parts
    file_in: Parts | None
    file_out: Parts | None
    has_429: bool
    responses_parts: Parts
    has_body: bool
    weak: tuple[Parts, str] | None
    pd: list[tuple[pd_fields.Category, str, Parts]]
    urls: tuple[Parts, str] | None = None  # where the caller hands the API a URL to call back


ID_RANK = {"incremental": 0, "natural": 1, "unknown": 2, "uuid": 3}
UUID_PATTERN = re.compile(r"[0-9a-fA-F]\{8\}|\[0-9a-f")


def _looks_like_id(name: str) -> bool:
    ws = pd_fields.words(name)
    return bool(ws) and (ws[-1] in ("id", "ids", "uuid", "guid") or name.lower() in ("id", "uuid"))


NATURAL_ID = {pd_fields.DOCUMENTS, pd_fields.CONTACTS, pd_fields.CARDS, pd_fields.ACCOUNTS}


def _param_schema(spec: Spec, prm: dict, at: Parts) -> dict:
    """A parameter's schema (Swagger 2.0 keeps type/format on the parameter itself), resolved."""
    schema = prm.get("schema") if spec.version != "2.0" else prm
    if isinstance(schema, dict) and "$ref" in schema:
        schema, _ = spec.deref(schema, at + ("schema",))
    return schema if isinstance(schema, dict) else {}


def _id_style(spec: Spec, prm: dict, at: Parts) -> str | None:
    name = str(prm.get("name") or "")
    schema = _param_schema(spec, prm, at)
    if _is_type(schema, "boolean") or _is_type(schema, "array") or _is_type(schema, "object"):
        return None
    cat = pd_fields.classify(name, (), schema)
    balance = pd_fields.words(name)[-1:] in (["balance"], ["balances"])
    if cat in NATURAL_ID and not balance and not _looks_like_id(name):
        return "natural"
    if not _looks_like_id(name):
        return None
    if _is_type(schema, "integer") or _is_type(schema, "number"):
        return "incremental"
    if schema.get("format") in ("uuid", "guid") or (isinstance(schema.get("pattern"), str) and UUID_PATTERN.search(schema["pattern"])):
        return "uuid"
    return "unknown"


def _servers(spec: Spec, op: Operation) -> list[tuple[str, Parts]]:
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
    for holder, hparts in ((op.data, op.parts), (_path_item(spec, op), op.path_item_parts), (d, ())):
        servers = holder.get("servers") if isinstance(holder, dict) else None
        if isinstance(servers, list) and servers:
            out = []
            for i, s in enumerate(servers):
                if isinstance(s, dict) and isinstance(s.get("url"), str):
                    out.append((_expand_url(s), hparts + ("servers", i, "url")))
            return out
    return []


def _path_item(spec: Spec, op: Operation) -> Any:
    found, value, _ = spec.refs.lookup([str(x) for x in op.path_item_parts])
    return value if found else None


def _expand_url(server: dict) -> str:
    url = server["url"]
    variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}

    def sub(m: re.Match) -> str:
        var = variables.get(m.group(1))
        return str(var.get("default")) if isinstance(var, dict) and "default" in var else m.group(0)

    return re.sub(r"\{([^}]+)\}", sub, url)


def _transport(url: str, parts: Parts) -> _Transport | None:
    low = url.strip().lower()
    scheme = urlparse(low).scheme if "://" in low else (low.split(":", 1)[0] if re.match(r"^[a-z]+:/", low) else "")
    if scheme == "http":
        return _Transport(0, "http", "none", parts, f"plain http server {url}: no TLS", url)
    if scheme == "https":
        return _Transport(2, "https", "1.2", parts,
                          "https; the document does not state the TLS version: 1.2 is the floor to verify on the gateway", url)
    if scheme == "" and not parts:  # Swagger 2.0 without host and schemes
        return _Transport(1, "https", "1.2", parts,
                          "the document states no host and no schemes (Swagger 2.0: those the document is served from): "
                          "https with TLS 1.2 is a placeholder to confirm", url)
    if scheme == "":
        what = "is relative" if url.strip().startswith("/") else "names no scheme"
        return _Transport(1, "https", "1.2", parts,
                          f"the server URL '{url}' {what}: the scheme is not stated; https with TLS 1.2 is a placeholder "
                          "to confirm", url)
    return None  # ws, wss, ftp...: not an HTTP API transport


# --- security --------------------------------------------------------------------------------

GRANTS_3 = {"implicit": "implicit", "password": "password", "authorizationCode": "authorization_code",
            "clientCredentials": "client_credentials"}
GRANTS_2 = {"implicit": "implicit", "password": "password", "accessCode": "authorization_code",
            "application": "client_credentials"}
GRANT_ORDER = ["implicit", "password", "authorization_code", "client_credentials"]


def _schemes(spec: Spec) -> tuple[dict[str, Any], Parts]:
    if spec.version == "2.0":
        s = spec.data.get("securityDefinitions")
        return (s if isinstance(s, dict) else {}), ("securityDefinitions",)
    comps = spec.data.get("components") if isinstance(spec.data.get("components"), dict) else {}
    s = comps.get("securitySchemes")
    return (s if isinstance(s, dict) else {}), ("components", "securitySchemes")


def _scheme_auth(spec: Spec, name: str) -> tuple[_Auth | None, str]:
    """What one declared scheme means (None when it is not declared or not understood), and a reason."""
    schemes, base = _schemes(spec)
    if name not in schemes:
        return None, "undeclared"
    s, at = spec.deref(schemes[name], base + (name,))
    if not isinstance(s, dict):
        return None, "unknown"
    typ = str(s.get("type") or "")
    if typ == "apiKey":
        where = str(s.get("in") or "")
        if where == "query":
            return _Auth(2, "api_key", token_in_query=True, query_parts=at + ("in",),
                         notes=[f"'{name}' sends an API key in the URL query"]), ""
        extra = [f"'{name}' sends an API key in a cookie"] if where == "cookie" else []
        return _Auth(3, "api_key", notes=extra), ""
    if typ == "basic":  # Swagger 2.0
        return _Auth(1, "basic"), ""
    if typ == "http":
        sch = str(s.get("scheme") or "").lower()
        if sch == "basic":
            return _Auth(1, "basic"), ""
        if sch == "digest":
            return _Auth(1, "basic", notes=[f"'{name}' is HTTP Digest, taken as password-based (basic)"]), ""
        if sch == "bearer":
            fmt = f" ({s['bearerFormat']})" if isinstance(s.get("bearerFormat"), str) else ""
            return _Auth(5, "oauth2", notes=[(f"'{name}' is an HTTP bearer token{fmt}: the document does not say who "
                                              "issues it; taken as an OAuth 2.0 access token")]), ""
        return None, f"HTTP authentication scheme '{sch}'"
    if typ == "oauth2":
        grants: list[tuple[str, Parts]] = []
        if spec.version == "2.0":
            g = GRANTS_2.get(str(s.get("flow") or ""))
            if g:
                grants.append((g, at + ("flow",)))
        else:
            flows = s.get("flows") if isinstance(s.get("flows"), dict) else {}
            for k in flows:
                if k in GRANTS_3:
                    grants.append((GRANTS_3[k], at + ("flows", k)))
        if not grants:
            return _Auth(6, "oauth2", notes=[f"'{name}' is OAuth 2.0 but names no flow"]), ""
        grants.sort(key=lambda g: GRANT_ORDER.index(g[0]))
        grant, gparts = grants[0]
        notes = []
        if len(grants) > 1:
            notes.append(f"'{name}' offers the grants {', '.join(g for g, _ in grants)}; the weakest, {grant}, is recorded")
        return _Auth(4 if grant in ("implicit", "password") else 6, "oauth2", grant=grant, grant_parts=gparts, notes=notes), ""
    if typ == "openIdConnect":
        return _Auth(7, "oidc"), ""
    if typ == "mutualTLS":
        return _Auth(8, "mtls", mutual=True, mutual_parts=at + ("type",)), ""
    return None, f"security scheme type '{typ}'"


def _requirement_auth(spec: Spec, req: dict[str, Any]) -> tuple[_Auth | None, list[str]]:
    """What one requirement object (all its schemes together) means; plus names that could not be read."""
    if not req:
        return _Auth(0, "none", notes=["an empty requirement {} allows anonymous calls"]), []
    members: list[_Auth] = []
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
    auth = _Auth(max(m.rank for m in members), main.method, notes=[n for m in members for n in m.notes])
    oauth = [m for m in members if m.grant]
    if auth.method in ("oauth2", "oidc") and oauth:
        g = min(oauth, key=lambda m: GRANT_ORDER.index(m.grant))
        auth.grant, auth.grant_parts = g.grant, g.grant_parts
    q = next((m for m in members if m.token_in_query), None)
    if q:
        auth.token_in_query, auth.query_parts = True, q.query_parts
    mt = next((m for m in members if m.mutual), None)
    if mt:
        auth.mutual, auth.mutual_parts = True, mt.mutual_parts
    if auth.method in ("oauth2", "oidc"):
        auth.scopes = sorted(scopes)
    return auth, unread


def _security_label(ops: list[Operation], declared: bool) -> str:
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


def _security_key(security: list[dict[str, Any]], declared: bool) -> tuple:
    """Operations with the same schemes in the same alternatives share flows (their scopes are merged)."""
    return (declared, tuple(sorted(tuple(sorted(str(n) for n in req)) for req in security)))


# --- building the model ----------------------------------------------------------------------

@dataclass
class _Group:
    name: str  # tag or first path segment
    security: list[dict[str, Any]]
    declared: bool
    facts: list[_OpFacts] = field(default_factory=list)

    @property
    def ops(self) -> list[Operation]:
        return [f.op for f in self.facts]


class _Builder:
    def __init__(self, spec: Spec, draft: Draft):
        self.spec = spec
        self.draft = draft
        self.budget = _Budget(MAX_WALK_NODES)
        self.pd = _PdWalker(spec, self.budget)
        self.ops = operations(spec)
        self.schemes, self.schemes_parts = _schemes(spec)
        self.findings: list[str] = []
        self.unmapped: list[str] = []
        self.assets: dict[str, dict[str, Any]] = {}  # category key -> {'cat', 'names', 'first'}

    def src(self, parts: Parts, note: str = "") -> str:
        return self.spec.source(parts, note)

    # -- per operation --

    def op_facts(self, op: Operation) -> _OpFacts:
        spec = self.spec
        transports = []
        for url, at in _servers(spec, op):
            t = _transport(url, at)
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
                cat = pd_fields.classify(name, (), _param_schema(spec, prm, at))
                if cat is not None:
                    pd.append((cat, name, at + ("name",)))
        file_in = file_out = None
        has_body = False
        weak = None
        # request
        bodies: list[tuple[Any, Parts]] = []
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
                media = next((c for c in consumes if _is_file_media(c)), None)
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
                    if _is_file_media(str(media)) and file_in is None:
                        file_in = mt_at
                    if isinstance(mt, dict) and isinstance(mt.get("schema"), (dict, bool)):
                        # a file body (image/jpeg, application/pdf) is checked as a file, not as a schema
                        bodies.append((mt["schema"], mt_at + ("schema",), not _is_file_media(str(media))
                                       or str(media).startswith("multipart/")))
        for schema, at, structured in bodies:
            if file_in is None:
                file_in = _schema_has_file(spec, schema, at, self.budget)
            if weak is None and structured:
                weak = _weak_schema(spec, schema, at, self.budget)
            pd += self.pd.fields(schema, at)
        # responses
        responses = op.data.get("responses") if isinstance(op.data.get("responses"), dict) else {}
        has_429 = "429" in {str(k) for k in responses}
        produces = []
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
                        media = next((c for c in produces if _is_file_media(c)), None)
                        if media is not None:
                            file_out = op.parts + ("produces",) if isinstance(op.data.get("produces"), list) else ("produces",)
            else:
                content = _mapping(spec, resp.get("content"), r_at + ("content",), f"the content of response {code} of {op.label}",
                                   "map media types to schemas: 'application/json: {schema: ...}'")
                for media, mt in content.items():
                    mt_at = r_at + ("content", media)
                    if success and file_out is None and _is_file_media(str(media)):
                        file_out = mt_at
                    if isinstance(mt, dict) and isinstance(mt.get("schema"), dict):
                        schemas.append((mt["schema"], mt_at + ("schema",)))
            for schema, at in schemas:
                if success and file_out is None:
                    file_out = _schema_has_file(spec, schema, at, self.budget)
                pd += self.pd.fields(schema, at)
        resp_parts = op.parts + ("responses",) if "responses" in op.data else op.parts
        urls = None
        if isinstance(op.data.get("callbacks"), dict) and op.data["callbacks"]:
            urls = (op.parts + ("callbacks",), f"{op.label} declares callbacks to a URL the caller supplies")
        for at, prm in params:
            if urls is None and _is_callback_url(str(prm.get("name") or ""), _param_schema(spec, prm, at)):
                urls = (at, f"{op.label}: the {prm.get('in')} parameter '{prm.get('name')}' is a URL the API calls back")
        for schema, at, _ in bodies:
            if urls is None:
                for node, nat in _iter_schema(spec, schema, at, self.budget):
                    props = node.get("properties") if isinstance(node.get("properties"), dict) else {}
                    hit = next((k for k, v in props.items() if _is_callback_url(str(k), v)), None)
                    if hit is not None:
                        urls = (nat + ("properties", hit), f"{op.label}: '{hit}' is a URL the API calls back")
                        break
        return _OpFacts(op, transports, ids, file_in, file_out, has_429, resp_parts, has_body, weak, pd, urls)

    # -- the whole document --

    def build(self) -> Draft:
        draft = self.draft
        facts = [self.op_facts(op) for op in self.ops]
        self.metadata()
        self.skeleton()
        groups = self.group(facts)
        self.groups = groups
        self.variants = {}
        for g in groups:
            self.variants[g.name] = self.variants.get(g.name, 0) + 1
        for g in groups:
            self.flows_for(g)
        self.data_assets()
        self.document_findings(facts)
        self.unconverted()
        if self.budget.exhausted:
            self.unmapped.append(f"schemas: the walk stopped after {MAX_WALK_NODES:,} schema nodes; personal data, files "
                                 "and validation in the rest of the schemas were not examined")
        draft.findings += self.findings
        draft.unmapped += self.unmapped
        return draft

    def metadata(self) -> None:
        spec, md = self.spec, self.draft.metadata
        info = spec.data.get("info") if isinstance(spec.data.get("info"), dict) else {}
        base = os.path.basename(spec.path)
        title = info.get("title") if isinstance(info.get("title"), str) and info.get("title").strip() else base
        title = " ".join(title.split())[:200]
        contact = info.get("contact") if isinstance(info.get("contact"), dict) else {}
        owner = contact.get("name") if isinstance(contact.get("name"), str) and contact.get("name").strip() else \
            f"unassigned (imported from {base})"
        version = info.get("version")
        desc = info.get("description") if isinstance(info.get("description"), str) else ""
        desc = desc.strip()
        if len(desc) > 1500:
            desc = desc[:1500].rstrip() + " […]"
        tail = f"Imported from {spec.label} ({spec.kind_text}" + (f", API version {version}" if version is not None else "") + ")."
        md.setdefault("id", slug(title, "imported-api"))
        md.setdefault("title", title)
        md.setdefault("owner", " ".join(owner.split())[:200])
        md.setdefault("description", (desc + "\n\n" + tail) if desc else tail)
        tags = md.setdefault("tags", [])
        for t in ("imported", "openapi"):
            if t not in tags:
                tags.append(t)

    def skeleton(self) -> None:
        spec, draft = self.spec, self.draft
        title = self.draft.metadata.get("title", "the API")
        for bid, btitle, zone, desc in (
                (INTERNET, "Internet", "internet", ("Where the API's consumers are, as far as the document says; move the "
                                                    "consumer to a partner boundary if it is reached over a dedicated channel.")),
                (DMZ, "DMZ", "dmz", "The bank's perimeter, where the API gateway runs."),
                (INTERNAL, "Internal network", "internal", "The bank's internal network, where the backend runs.")):
            if draft.item("boundaries", bid) is None:
                draft.boundaries.append({"id": bid, "title": btitle, "zone": zone, "description": desc})
            draft.used_ids.add(bid)
        urls = sorted({u for op in self.ops for u, _ in _servers(spec, op)})
        servers_text = ("Servers in the document: " + ", ".join(urls[:10]) + ("…" if len(urls) > 10 else "") + ".") if urls else \
            "The document names no server."
        for eid, etitle, kind, tech, boundary, desc in (
                (CONSUMER, "API consumer", "external_entity", "partner_system", INTERNET,
                 f"Callers of {title}: third-party providers, partner systems or apps, as the document describes them."),
                (GATEWAY, "WSO2 API gateway", "process", "wso2_gateway", DMZ,
                 (f"The WSO2 API Manager gateway that publishes {title}. The OpenAPI document does not describe the "
                  "gateway itself: take its settings from the WSO2 project ('tmodel import wso2') and deployment.toml.")),
                (BACKEND, "API backend", "process", "backend_service", INTERNAL,
                 f"The service that implements {title}. {servers_text}")):
            if draft.item("elements", eid) is None:
                item = {"id": eid, "title": etitle, "kind": kind, "technology": tech, "boundary": boundary, "description": desc}
                if eid == BACKEND and "info" in spec.data:
                    item["derived_from"] = {WHOLE_ITEM: self.src(("info",))}
                draft.elements.append(item)
            draft.used_ids.add(eid)

    def group(self, facts: list[_OpFacts]) -> list[_Group]:
        by_op = {id(f.op): f for f in facts}
        out = []
        for name, ops in group_operations(self.ops):
            g = _Group(name, ops[0].security, ops[0].security_parts is not None)
            g.facts = [by_op[id(op)] for op in ops]
            out.append(g)
        return out

    def flows_for(self, g: _Group) -> None:
        draft = self.draft
        sec_label = _security_label(g.ops, g.declared)
        base = slug(g.name, "api")[:40]
        if self.variants.get(g.name, 1) > 1:
            base = f"{base[:34]}-{self.suffix(g)[:20]}".strip("-")  # room for '-backend' in 64 characters
        ops = g.ops
        first = ops[0]
        front: dict[str, Any] = {"id": draft.new_id(base), "title": f"{g.name} ({sec_label})"[:200],
                                 "from": CONSUMER, "to": GATEWAY}
        back: dict[str, Any] = {"id": draft.new_id(base + "-backend"), "title": f"{g.name}: gateway to backend"[:200],
                                "from": GATEWAY, "to": BACKEND}
        notes: list[str] = []
        back_notes: list[str] = [
            ("The OpenAPI document does not describe the gateway-to-backend channel: protocol https with TLS 1.2 is a "
             "placeholder and authentication is not set; take them from the gateway's endpoint configuration.")]
        front["derived_from"] = {WHOLE_ITEM: self.src(first.parts)}
        back["derived_from"] = {WHOLE_ITEM: self.src(first.parts)}

        # transport
        trs = [(t, f.op) for f in g.facts for t in f.transports]
        if trs:
            t, _ = min(trs, key=lambda x: x[0].rank)
            derive(front, "protocol", t.protocol, self.src(t.parts, t.note if t.rank != 0 else ""))
            derive(front, "tls.min_version", t.tls, self.src(t.parts, t.note))
            if t.rank == 1:
                notes.append(t.note[0].upper() + t.note[1:] + ".")
            hint = self.mtls_hint(t, g)
            if hint:
                notes.append(hint)
        else:
            front["protocol"] = "https"
            front["tls"] = {"min_version": "1.2"}
            notes.append("The document names no server, so the scheme is not stated: https with TLS 1.2 is a placeholder "
                         "to confirm.")
        back["protocol"] = "https"
        back["tls"] = {"min_version": "1.2"}

        # authentication
        self.auth_facts(g, front, notes)

        # identifiers (weakest operation wins)
        ids = [(r, style, name, at, f.op) for f in g.facts for (r, style, name, at) in f.ids]
        if ids:
            _, style, name, at, op = min(ids, key=lambda x: x[0])
            if style == "unknown":
                unk = sorted({n for (_, s, n, _, _) in ids if s == "unknown"})
                notes.append(f"Identifier style not stated for {', '.join(unk[:8])} (strings without format or pattern): "
                             "set identifiers once you know whether they are random, sequential or natural.")
            else:
                note = {"incremental": f"'{name}' is typed as an integer", "natural": f"'{name}' is a natural identifier",
                        "uuid": f"'{name}' has format uuid"}[style]
                for item in (front, back):
                    derive(item, "identifiers", style, self.src(at, note))
        # files
        fin = next(((f.file_in, f.op) for f in g.facts if f.file_in), None)
        fout = next(((f.file_out, f.op) for f in g.facts if f.file_out), None)
        if fin or fout:
            direction = "both" if fin and fout else ("inbound" if fin else "outbound")
            at, op = fin or fout
            for item in (front, back):
                derive(item, "file_transfer.direction", direction, self.src(at, f"{op.label}"))
            if fin and fout:
                notes.append(f"Files go out too: {fout[1].label} ({pointer_of(fout[0])}).")
        # URLs the caller supplies and the API calls (SSRF surface)
        url = next((f.urls for f in g.facts if f.urls), None)
        if url:
            derive(front, "client_supplied_urls", True, self.src(*url))
        # 429
        lacking = [f for f in g.facts if not f.has_429]
        if lacking:
            f = lacking[0]
            derive(front, "rate_limit", False, self.src(f.responses_parts, f"{f.op.label} declares no 429 response"))
            if len(lacking) < len(g.facts):
                notes.append(f"{len(lacking)} of {len(g.facts)} operations declare no 429 (Too Many Requests) response.")
        else:
            f = g.facts[0]
            derive(front, "rate_limit", True, self.src(f.responses_parts + ("429",),
                                                       "a declared 429 documents throttling; it does not prove the gateway "
                                                       "enforces it"))
            notes.append("Every operation declares a 429 response: that documents throttling, it does not prove it; "
                         "check the WSO2 throttling tier.")
        # schema validation
        weak = next(((f.weak, f.op) for f in g.facts if f.weak), None)
        if weak:
            (at, reason), op = weak
            derive(front, "schema_validation", False, self.src(at, f"{op.label}: {reason}"))
        elif any(f.has_body for f in g.facts):
            notes.append("The request schemas are strict (bounded strings, closed objects), but schema_validation stays false "
                         "until the gateway enforces them (WSO2 API-level schema validation).")
        # personal data
        cats: dict[str, tuple[pd_fields.Category, Parts]] = {}
        for f in g.facts:
            for cat, name, at in f.pd:
                self.note_asset(cat, name, at)
                cats.setdefault(cat.key, (cat, at))
        if cats:
            keys = [c.key for c in pd_fields.CATEGORIES if c.key in cats]
            first_at = next(iter(cats.values()))[1]  # the first field found, in document order
            for item in (front, back):
                item["data"] = list(keys)
                item.setdefault("derived_from", {})["data"] = self.src(first_at)
        deprecated = [op.label for op in ops if op.deprecated]
        if deprecated:
            notes.append(f"Deprecated: {', '.join(deprecated[:10])}.")
        listed = ", ".join(op.label for op in ops[:MAX_OPS_LISTED])
        if len(ops) > MAX_OPS_LISTED:
            listed += f" and {len(ops) - MAX_OPS_LISTED} more"
        front["description"] = shorten((f"Operations: {listed}. Security: {sec_label}. " + " ".join(notes)).strip(), MAX_TEXT)
        back["description"] = shorten((f"Operations: {listed}. " + " ".join(back_notes)).strip(), MAX_TEXT)
        draft.flows += [front, back]

    def mtls_hint(self, t: _Transport, g: _Group) -> str:
        """A server that calls itself mTLS without a mutualTLS scheme: say so, do not derive it."""
        declared = {str(n) for o in g.ops for req in o.security for n in req}
        if any(isinstance(self.schemes.get(n), dict) and self.schemes[n].get("type") == "mutualTLS" for n in declared):
            return ""
        found, server, _ = self.spec.refs.lookup([str(x) for x in t.parts[:-1]])
        desc = server.get("description") if found and isinstance(server, dict) and isinstance(server.get("description"), str) else ""
        words = set(pd_fields.words(desc)) | set(pd_fields.words(urlparse(t.url).hostname or ""))
        if not words & {"mtls", "mutual"}:
            return ""
        return (f"The server {t.url} is described as mutual TLS ('{' '.join(desc.split())[:60] or 'mtls'}' at "
                f"{pointer_of(t.parts[:-1])}), but no mutualTLS security scheme declares it: tls.mutual is left false; "
                "set it once the gateway is confirmed to require client certificates.")

    def suffix(self, g: _Group) -> str:
        """What tells this group's security apart from the other groups with the same name, for its flow id."""
        def names(x: _Group) -> set[str]:
            return {str(n) for req in x.security for n in req} | ({"anonymous"} if any(not r for r in x.security) else set())

        others = [x for x in self.groups if x.name == g.name and x is not g]
        if not g.declared:
            return "undeclared"
        if not g.security:
            return "no-auth"
        own = names(g) - set.intersection(*(names(x) for x in others)) if others else names(g)
        return slug("-".join(sorted(own)), "sec")[:24] if own else "sec"

    def auth_facts(self, g: _Group, front: dict[str, Any], notes: list[str]) -> None:
        """Authentication of the group's flow: the weakest alternative of the weakest operation, scopes of all."""
        op = g.ops[0]
        if not g.declared:
            derive(front, "authentication.method", "none",
                   self.src(op.parts, "the document declares no security requirement for this operation"))
            return
        if not g.security:
            derive(front, "authentication.method", "none",
                   self.src(op.security_parts, "security: [] (no authentication required)"))
            return
        picks = []  # (rank, op index, alternative index, auth, op)
        unread_all: list[str] = []
        for n, o in enumerate(g.ops):
            for i, req in enumerate(o.security):
                a, unread = _requirement_auth(self.spec, req)
                unread_all += [u for u in unread if u not in unread_all]
                if a is not None:
                    picks.append((a.rank, n, i, a, o))
        for u in unread_all:
            notes.append(f"The security alternative naming {u} was not interpreted.")
        if not picks:
            notes.append("None of the security schemes named could be read: authentication is not set.")
            return
        per_op = {}
        for pick in picks:  # each operation's weakest alternative
            if pick[1] not in per_op or pick[0] < per_op[pick[1]][0]:
                per_op[pick[1]] = pick
        _, _, idx, a, o = min(per_op.values(), key=lambda p: (p[0], p[1]))
        at = o.security_parts + (idx,)
        why = "the weakest of the alternatives" if len(o.security) > 1 else ""
        derive(front, "authentication.method", a.method, self.src(at, why))
        if a.grant:
            derive(front, "authentication.grant", a.grant, self.src(a.grant_parts))
        q = a if a.token_in_query else next((p[3] for p in picks if p[3].token_in_query), None)
        if q is not None:  # any alternative that puts the key in the URL leaks it, weakest or not
            derive(front, "authentication.token_in_query", True, self.src(q.query_parts, "API key in the query"))
        if a.mutual:
            if front.get("protocol") == "http":
                notes.append("mutualTLS is declared but the server is plain http.")
            else:
                derive(front, "tls.mutual", True, self.src(a.mutual_parts))
        if a.method in ("oauth2", "oidc"):
            scopes = sorted({s for p in per_op.values() if p[3].method in ("oauth2", "oidc") for s in p[3].scopes})
            if scopes:
                first = next(p for p in sorted(per_op.values(), key=lambda p: p[1]) if p[3].scopes)
                derive(front, "authorization.scopes", scopes[:50], self.src(first[4].security_parts + (first[2],),
                                                                             "scopes of all the group's operations"
                                                                             if len(g.ops) > 1 else ""))
        notes += a.notes

    def note_asset(self, cat: pd_fields.Category, name: str, at: Parts) -> None:
        entry = self.assets.setdefault(cat.key, {"cat": cat, "names": set(), "first": at})
        entry["names"].add(name)

    def data_assets(self) -> None:
        draft = self.draft
        for cat in pd_fields.CATEGORIES:
            entry = self.assets.get(cat.key)
            if not entry:
                continue
            names = sorted(entry["names"], key=lambda n: (n.lower(), n))
            attrs = [n[:200] for n in names[:MAX_ATTRIBUTES]]
            more = f" (and {len(names) - MAX_ATTRIBUTES} more)" if len(names) > MAX_ATTRIBUTES else ""
            asset: dict[str, Any] = {
                "id": cat.key, "title": cat.title,
                "description": shorten(f"{cat.description} Recognised by field names in the document's schemas: "
                                       f"{', '.join(attrs)}{more}. Review the classification and the volume.".strip(), MAX_TEXT),
                "classification": cat.classification, "pd_category": cat.pd_category, "attributes": attrs,
            }
            if cat is pd_fields.CARDS and names and all(pd_fields.words(n)[:1] == ["masked"] for n in names):
                asset["masked"] = True
            asset["derived_from"] = {WHOLE_ITEM: self.src(entry["first"])}
            if draft.item("data_assets", cat.key) is None:
                draft.data_assets.append(asset)
            draft.used_ids.add(cat.key)
        if any(a.get("pd_category", "none") != "none" for a in draft.data_assets) and not draft.metadata.get("pd_level"):
            draft.metadata["pd_level"] = "uz3"
            self.findings.append("personal data found in the schemas: metadata.pd_level is set to 'uz3' as a PLACEHOLDER "
                                 "(a model with personal data needs one); set the real level (PP 1119: uz1..uz4) from the "
                                 "ISPDn protection level act")

    # -- findings about the document as a whole --

    def document_findings(self, facts: list[_OpFacts]) -> None:
        spec = self.spec
        ops = self.ops
        if not ops:
            self.findings.append("the document describes no operations (no paths with methods): the model has no flows; "
                                 "add them by hand or import the document that describes the API's paths")
        if ops and not self.schemes:
            where = "securityDefinitions" if spec.version == "2.0" else "components.securitySchemes"
            self.findings.append(f"the document declares no security schemes ({where}): nothing says how callers "
                                 "authenticate")
        undeclared_anywhere = all(op.security_parts is None for op in ops)
        if ops and undeclared_anywhere:
            xs = [op for op in ops if "x-scopes" in op.extensions or "x-scope" in op.extensions]
            if xs:
                key = "x-scopes" if "x-scopes" in xs[0].extensions else "x-scope"
                self.findings.append(
                    f"no operation has a security requirement: authentication.method is none on every flow; OAuth scopes "
                    f"are described only in the vendor extension {key} on {len(xs)} of {len(ops)} operations "
                    f"(e.g. {spec.label}{xs[0].pointer}/{key}), which no gateway enforces from the document: add "
                    "securitySchemes and security, or configure the scopes on the gateway")
            else:
                self.findings.append("no operation has a security requirement (no 'security' anywhere): "
                                     "authentication.method is none on every flow")
        # anonymous alternatives
        anon = [op for op in ops if op.security_parts is not None and (not op.security or any(not r for r in op.security))]
        if anon:
            explicit_empty = [op for op in anon if not op.security]
            alt = [op for op in anon if op.security]
            if alt:
                where = sorted({op.security_pointer for op in alt})
                self.findings.append(
                    f"{len(alt)} operation(s) accept anonymous calls: an empty requirement {{}} is one of the security "
                    f"alternatives ({', '.join(spec.label + w for w in where[:3])}{' …' if len(where) > 3 else ''}); "
                    f"e.g. {', '.join(op.label for op in alt[:3])}")
            if explicit_empty:
                self.findings.append(
                    f"{len(explicit_empty)} operation(s) require no authentication (security: []): "
                    + ", ".join(f"{op.label} ({spec.label}{op.security_pointer})" for op in explicit_empty[:5]))
        # schemes used, by name
        used: dict[str, list[Operation]] = {}
        for op in ops:
            for req in op.security:
                for name in req:
                    used.setdefault(str(name), []).append(op)
        for name, users in used.items():
            if name not in self.schemes:
                self.findings.append(f"security names the scheme '{name}', which is not declared "
                                     f"({'securityDefinitions' if spec.version == '2.0' else 'components.securitySchemes'}): "
                                     f"{len(users)} operation(s) cannot be authenticated as written, e.g. {users[0].label} "
                                     f"({spec.label}{users[0].security_pointer})")
        for name, raw in self.schemes.items():
            s, at = spec.deref(raw, self.schemes_parts + (name,))
            if not isinstance(s, dict):
                continue
            n = len(used.get(name, []))
            typ = s.get("type")
            where = spec.label + pointer_of(at)
            if typ == "apiKey" and s.get("in") == "query":
                self.findings.append(f"security scheme '{name}' sends an API key in the URL query ({where}), where proxies, "
                                     f"logs and browser history keep it; used by {n} operation(s)")
            if typ == "basic" or (typ == "http" and str(s.get("scheme") or "").lower() in ("basic", "digest")):
                self.findings.append(f"security scheme '{name}' is HTTP {str(s.get('scheme') or 'basic').lower()}: a reusable "
                                     f"password on every call ({where}); used by {n} operation(s)")
            if typ == "oauth2":
                weak = []
                if spec.version == "2.0" and s.get("flow") in ("implicit", "password"):
                    weak.append((s["flow"], at + ("flow",)))
                flows = s.get("flows") if isinstance(s.get("flows"), dict) else {}
                weak += [(k, at + ("flows", k)) for k in flows if k in ("implicit", "password")]
                for g, gat in weak:
                    what = ("tokens are returned in the browser's front channel" if g == "implicit"
                            else "the client collects the user's password (ROPC)")
                    self.findings.append(f"security scheme '{name}' uses the OAuth 2.0 {g} grant: {what}; FAPI does not "
                                         f"allow it ({spec.label}{pointer_of(gat)}); used by {n} operation(s)")
            if n == 0 and ops:
                self.unmapped.append(f"security scheme '{name}' ({where}) is declared but no operation uses it")
        # plain http servers, and servers whose scheme is not stated
        seen: set[str] = set()
        for f in facts:
            for t in f.transports:
                if t.rank == 0 and t.url not in seen:
                    seen.add(t.url)
                    self.findings.append(f"server '{t.url}' is plain http: no TLS ({spec.label}{pointer_of(t.parts)})")
                elif t.rank == 1 and t.url not in seen:
                    seen.add(t.url)
                    self.findings.append(f"{t.note} ({spec.label}{pointer_of(t.parts)})" if t.parts else t.note)
        if any(not f.transports for f in facts):
            self.findings.append("no HTTP(S) server is named for some operations: the scheme and TLS are not stated; their "
                                 "flows carry https with TLS 1.2 as a placeholder to confirm")

    def unconverted(self) -> None:
        spec = self.spec
        counts: dict[str, list[Any]] = {}

        def on_ext(parts: Parts, key: str) -> None:
            entry = counts.setdefault(key, [0, parts])
            entry[0] += 1

        walk_document(spec.data, on_extension=on_ext)
        interpreted = set()
        if all(op.security_parts is None for op in self.ops):
            interpreted.add("x-scopes")
        for key in sorted(counts):
            if key in interpreted:
                continue
            n, parts = counts[key]
            hint = " (read by 'tmodel import wso2')" if key.startswith(WSO2_EXTENSIONS) else ""
            self.unmapped.append(f"vendor extension {key}: {n} occurrence(s), first at {spec.label}{pointer_of(parts)}{hint}")
        if isinstance(spec.data.get("webhooks"), dict) and spec.data["webhooks"]:
            self.unmapped.append(f"webhooks: {len(spec.data['webhooks'])} ({spec.label}#/webhooks): calls from the API to "
                                 "subscribers are not modelled; add flows from the backend to the subscribers by hand")
        for op in self.ops:
            cbs = op.data.get("callbacks")
            if isinstance(cbs, dict) and cbs:
                self.unmapped.append(f"callbacks of {op.label}: {', '.join(map(str, list(cbs)[:5]))} "
                                     f"({spec.label}{op.pointer}/callbacks): outbound calls to the consumer are not modelled")
        seen: set[str] = set()
        for op in self.ops:
            for url, at in _servers(spec, op):
                if _transport(url, at) is None and url not in seen:
                    seen.add(url)
                    self.unmapped.append(f"server '{url}' ({spec.label}{pointer_of(at)}) is not an HTTP(S) server")


def group_name(op: Operation) -> str:
    """The name an operation is grouped under: its first tag, else its first path segment."""
    return op.tags[0] if op.tags else (next((s for s in op.path.split("/") if s), "") or "root")


def group_operations(ops: list[Operation]) -> list[tuple[str, list[Operation]]]:
    """The groups ``build_draft`` makes one flow pair of, in the order of their flows.

    Operations share a group when they have the same first tag (else first path segment) and
    the same schemes in the same alternatives (their scopes may differ: they are merged). The
    group's consumer -> gateway flow has ``derived_from['id']`` = the group's first operation.
    """
    groups: dict[tuple, tuple[str, list[Operation]]] = {}
    for op in ops:
        name = group_name(op)
        key = (name, _security_key(op.security, op.security_parts is not None))
        groups.setdefault(key, (name, []))[1].append(op)
    return list(groups.values())


def flows_by_operation(spec: Spec, draft: Draft) -> dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]:
    """('GET', '/accounts') -> (its consumer -> gateway flow, its gateway -> backend flow) in a draft ``build_draft`` made."""
    out: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = {}
    for _, ops in group_operations(operations(spec)):
        src = spec.source(ops[0].parts)
        pair = [next((f for f in draft.flows if f.get("from") == a and f.get("to") == b
                      and src in ((f.get("derived_from") or {}).get(WHOLE_ITEM), (f.get("derived_from") or {}).get(""))), None)
                for a, b in ((CONSUMER, GATEWAY), (GATEWAY, BACKEND))]
        if pair[0] is not None and pair[1] is not None:
            for op in ops:
                out[(op.method.upper(), op.path)] = (pair[0], pair[1])
    return out


def build_draft(spec: Spec, draft: Draft | None = None) -> Draft:
    """The model drafted from the document (see the module docstring); adds to ``draft`` when given."""
    if draft is None:
        draft = Draft(source=spec.label, kind="openapi")
    return _Builder(spec, draft).build()
