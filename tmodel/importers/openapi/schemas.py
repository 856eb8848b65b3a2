"""Walking the schemas of requests and responses: through references, each definition once, within
a node budget shared by the whole import; what makes a request schema weak, and where a file is."""

from __future__ import annotations

import re
from typing import Any

from tmodel.importers.openapi.spec import Spec
from tmodel.importers.refs import Parts

MAX_SCHEMA_DEPTH = 64


class Budget:
    """How many schema nodes the walks of one import may still visit (``exhausted`` once they ran out)."""

    def __init__(self, n: int):
        self.left = n
        self.exhausted = False

    def take(self) -> bool:
        self.left -= 1
        if self.left < 0:
            self.exhausted = True
        return not self.exhausted


def schema_children(node: dict, parts: Parts) -> list[tuple[str | None, Any, Parts]]:
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


def iter_schema(spec: Spec, schema: Any, parts: Parts, budget: Budget):
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
        for _, sub, sub_at in reversed(schema_children(node, at)):
            stack.append((sub, sub_at, depth + 1))


STRING_CONSTRAINTS = ("maxLength", "pattern", "enum", "const")
UNCONSTRAINING_FORMATS = {"binary", "byte", "password", ""}


def is_type(node: dict, name: str) -> bool:
    t = node.get("type")
    return t == name or (isinstance(t, list) and name in t)


def weak_schema(spec: Spec, schema: Any, parts: Parts, budget: Budget) -> tuple[Parts, str] | None:
    """The first place a request schema accepts more than it needs to: an unbounded string or an open object."""
    for node, at in iter_schema(spec, schema, parts, budget):
        if is_type(node, "string") and not any(k in node for k in STRING_CONSTRAINTS) and \
                str(node.get("format") or "") in UNCONSTRAINING_FORMATS and node.get("format") != "binary" and \
                "contentMediaType" not in node:  # a file part is a file (file_transfer), not an unbounded text field
            return at, "a string without maxLength, pattern, enum or format"
        if (is_type(node, "object") or isinstance(node.get("properties"), dict)) and \
                node.get("additionalProperties") is not False and node.get("unevaluatedProperties") is not False:
            return at, "an object without additionalProperties: false"
    return None


def schema_has_file(spec: Spec, schema: Any, parts: Parts, budget: Budget) -> Parts | None:
    for node, at in iter_schema(spec, schema, parts, budget):
        if node.get("format") == "binary" or is_type(node, "file"):
            return at
        cmt = node.get("contentMediaType")
        if isinstance(cmt, str) and is_file_media(cmt):
            return at
    return None


_FILE_MEDIA = re.compile(
    r"^(multipart/.*|application/(octet-stream|pdf|zip|gzip|x-zip-compressed|x-tar|x-7z-compressed|msword|rtf|"
    r"x-pkcs12|pkcs7-mime|x-pkcs7-certificates|vnd\.(?!.*\+(json|xml)$).*)|image/.*|audio/.*|video/.*|text/csv)$")


def is_file_media(media: str) -> bool:
    return bool(_FILE_MEDIA.match(media.split(";")[0].strip().lower()))
