"""Reading an OpenAPI 3.0 / 3.1 or Swagger 2.0 document: the file, its version, the skeleton the
importer relies on (each part of the wrong type is a located problem), every local ``$ref``
(``refs``), and the operations with their effective security and their parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tmodel.importers.common import (
    describe,
    located_problem,
    parse_document,
    read_input,
)
from tmodel.importers.refs import Parts, Refs, pointer_of
from tmodel.model.yamlsafe import Located
from tmodel.problems import Problem, ProblemError

WHAT = "an OpenAPI or Swagger 2.0 document"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_PROBLEMS = 20


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

    def source(self, parts: Parts | None, note: str = "") -> str:
        """``label#/json/pointer`` (plus `` (note)``): the derived_from value for ``parts`` (the whole
        document when there are none)."""
        text = self.label + pointer_of(parts or ())
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
        raw = located.raw_at(("openapi",))
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
        raw = located.raw_at(("swagger",))
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


_WANT: dict[type, str] = {dict: "a mapping", list: "a list", str: "a string"}


def _check_structure(spec: Spec) -> list[Problem]:
    """The skeleton the importer relies on, with a located problem for each thing of the wrong type."""
    d = spec.data
    out: list[Problem] = []

    def need(parts: Parts, value: Any, typ: type, what: str, hint: str = "") -> bool:
        if isinstance(value, typ) and not (typ is int and isinstance(value, bool)):
            return True
        want = _WANT[typ]
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
    comps: Any = d.get("components")
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
    sec_parts: Parts | None
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
                summary=summary if isinstance(summary := op.get("summary"), str) else "",
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


def path_item(spec: Spec, op: Operation) -> Any:
    found, value, _ = spec.refs.lookup([str(x) for x in op.path_item_parts])
    return value if found else None
