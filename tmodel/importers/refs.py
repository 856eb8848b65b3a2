"""Local ``$ref`` resolution for OpenAPI / Swagger documents, with positions for every message.

Only references inside the same document are followed (``#/components/schemas/Account``,
``#/definitions/Account``, JSON-pointer escapes ``~0`` ``~1`` and percent-encoding decoded).
A reference to another file or URL is refused: the importer reads one file, and a document
that depends on others must be bundled first (``redocly bundle``, ``swagger-cli bundle``).

Resolution is lazy: ``Refs.deref`` follows one node's chain of references when a walker needs
its content. ``Refs.check_all`` scans the whole document once up front so that every broken
reference is reported in one run, located at the ``$ref`` that is wrong:

- ``$ref '#/components/schemas/X' points nowhere`` (the target does not exist);
- an external reference (another file, a URL) or a plain-name fragment (``#foo``);
- a chain of references that comes back to itself without ever reaching content
  (``A: {$ref: B}``, ``B: {$ref: A}``); this is an error, unlike a circular *schema*
  (``Node.children.items -> Node``), which is legal OpenAPI and which walkers stop descending;
- a reference to something that is not an object (a string, a list).

Chains are bounded (``MAX_CHAIN``) and so is the scan (the YAML reader already caps the
document's size and depth).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from tmodel.importers.common import (
    describe,
    located_problem,
    one_line,
    pointer,
    shorten,
)
from tmodel.model.yamlsafe import Located
from tmodel.problems import Problem, ProblemError

MAX_CHAIN = 32
MAX_PROBLEMS = 20
BUNDLE_HINT = ("bundle the document into one file first, e.g. 'redocly bundle spec.yaml -o bundled.yaml' "
               "or 'swagger-cli bundle spec.yaml -o bundled.yaml', then import the bundled file")

Parts = tuple[Any, ...]

# keys whose value maps *names* (property names, header names, status codes...) to objects:
# a key there is data, never '$ref' or an extension
NAME_MAPS = frozenset({
    "properties", "patternProperties", "dependentSchemas", "$defs", "definitions", "schemas", "parameters",
    "responses", "headers", "securitySchemes", "securityDefinitions", "requestBodies", "links", "callbacks",
    "content", "encoding", "variables", "pathItems", "paths", "webhooks",
})
# name maps that may also carry x-* extensions (Paths, Responses, Callback objects)
EXTENSIBLE_NAME_MAPS = frozenset({"paths", "responses", "callbacks", "webhooks"})
# values that are examples or literal data: never references or extensions
LITERAL_KEYS = frozenset({"example", "examples", "default", "enum", "const", "security", "required", "scopes", "mapping"})


def decode_pointer(ref: str) -> list[str]:
    """The reference tokens of a local ``#/a/b~1c`` reference: ``['a', 'b/c']`` (RFC 6901, RFC 3986)."""
    frag = unquote(ref[1:])
    if frag == "":
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in frag.split("/")[1:]]


def walk_document(data: Any, on_ref: Callable[[Parts, Any], None] | None = None,
                  on_extension: Callable[[Parts, str], None] | None = None) -> None:
    """Visit every ``$ref`` and every ``x-*`` key of an OpenAPI document, knowing which keys are names.

    ``on_ref(parts_of_the_object_holding_$ref, value)``; ``on_extension(parts_of_the_key, key)``.
    Example values, defaults and extension values are not descended into.
    """
    stack: list[tuple[Any, Parts, str]] = [(data, (), "")]  # node, parts, mode: '' | 'names' | 'names+x'
    while stack:
        node, parts, mode = stack.pop()
        if isinstance(node, dict):
            items = list(node.items())
            for k, v in reversed(items):
                if not isinstance(k, str):
                    continue
                if mode:
                    if mode == "names+x" and k.startswith("x-"):
                        if on_extension:
                            on_extension(parts + (k,), k)
                        continue
                    # callbacks: {name: {expression: path item}} - two levels of names
                    stack.append((v, parts + (k,), "names+x" if parts[-1:] == ("callbacks",) else ""))
                    continue
                if k == "$ref":
                    if on_ref:
                        on_ref(parts, v)
                    continue
                if k.startswith("x-"):
                    if on_extension:
                        on_extension(parts + (k,), k)
                    continue
                if k in LITERAL_KEYS:
                    continue
                if k in NAME_MAPS and isinstance(v, dict):
                    stack.append((v, parts + (k,), "names+x" if k in EXTENSIBLE_NAME_MAPS else "names"))
                else:
                    stack.append((v, parts + (k,), ""))
        elif isinstance(node, list):
            for i in range(len(node) - 1, -1, -1):
                stack.append((node[i], parts + (i,), ""))


@dataclass
class Refs:
    """Local reference resolution over one parsed document.

    ``path`` names the file in messages; ``located`` gives positions (line, col) of data paths.
    """

    data: Any
    located: Located
    path: str
    cache: dict[str, tuple[Any, Parts]] = field(default_factory=dict)

    # --- looking things up ------------------------------------------------------------------

    def lookup(self, tokens: list[str]) -> tuple[bool, Any, Parts]:
        """Follow reference tokens from the root: (found, value, data path with list indexes as ints)."""
        node: Any = self.data
        parts: list[Any] = []
        for t in tokens:
            if isinstance(node, dict) and t in node:
                node = node[t]
                parts.append(t)
            elif isinstance(node, list) and t.isdigit() and int(t) < len(node) and (t == "0" or not t.startswith("0")):
                node = node[int(t)]
                parts.append(int(t))
            else:
                return False, None, tuple(parts)
        return True, node, tuple(parts)

    def problem(self, parts: Parts, message: str, hint: str = "") -> Problem:
        return located_problem(self.located, self.path, parts, message, hint)

    # --- checking every reference -----------------------------------------------------------

    def ref_problem(self, holder: Parts, ref: Any) -> Problem | None:
        """What is wrong with the ``$ref`` held at ``holder`` (None when it resolves to content)."""
        at = holder + ("$ref",)
        if not isinstance(ref, str):
            return self.problem(at, f"$ref must be a string, not {describe(ref, empty='an empty value', scalar='repr')}", "write $ref: '#/components/schemas/Name'")
        if not ref.startswith("#"):
            return self.problem(at, f"$ref '{_short(ref)}' refers to another document; only references inside this file "
                                    "are followed", BUNDLE_HINT)
        if ref != "#" and not ref.startswith("#/"):
            return self.problem(at, f"$ref '{_short(ref)}' is a plain-name fragment ($anchor), not a JSON pointer",
                                "refer by JSON pointer, e.g. '#/components/schemas/Name', or bundle the document: " + BUNDLE_HINT)
        seen = [ref]
        current = ref
        while True:
            found, value, _ = self.lookup(decode_pointer(current))
            if not found:
                via = f" (reached through {' -> '.join(_short(s) for s in seen[:-1])})" if len(seen) > 1 else ""
                return self.problem(at, f"$ref '{_short(current)}' points nowhere{via}",
                                    "check the name and the path (a '/' inside a name is written '~1', a '~' is '~0')")
            if isinstance(value, dict) and "$ref" in value:
                nxt = value["$ref"]
                if not isinstance(nxt, str) or not nxt.startswith("#"):
                    return None  # reported where that $ref is
                if nxt in seen:
                    loop = seen[seen.index(nxt):] + [nxt]
                    chain = " -> ".join(_short(s) for s in loop)
                    p = self.problem(at, f"$ref chain loops back to itself without reaching any content: {chain}",
                                     "point one of these references at the real definition")
                    return Problem(p.file, p.line, p.col, p.message, p.hint, code="ref-loop:" + "|".join(sorted(set(loop))))
                if len(seen) >= MAX_CHAIN:
                    return self.problem(at, f"$ref chain is longer than {MAX_CHAIN} references",
                                        "point the reference at the definition itself")
                seen.append(nxt)
                current = nxt
                continue
            if not isinstance(value, (dict, bool)):
                return self.problem(at, f"$ref '{_short(ref)}' points to {describe(value, empty='an empty value', scalar='repr')}, not to an object",
                                    "a reference must point at a schema, parameter, response or other object")
            return None

    def check_all(self) -> list[Problem]:
        """Every broken ``$ref`` in the document (at most ``MAX_PROBLEMS``), in document order."""
        problems: list[Problem] = []
        checked: dict[str, bool] = {}
        loops: dict[str, Problem] = {}

        def on_ref(holder: Parts, ref: Any) -> None:
            if len(problems) >= MAX_PROBLEMS:
                return
            key = ref if isinstance(ref, str) else None
            if key is not None and checked.get(key) is True and key.startswith("#/"):
                return
            p = self.ref_problem(holder, ref)
            if p is None:
                if key is not None:
                    checked[key] = True
            elif p.code.startswith("ref-loop:"):
                if p.code not in loops:  # one message per loop, at the first reference that enters it
                    loops[p.code] = p
            else:
                problems.append(p)

        walk_document(self.data, on_ref=on_ref)
        return sorted(problems + list(loops.values()), key=lambda p: (p.line, p.col))

    # --- resolving --------------------------------------------------------------------------

    def deref(self, node: Any, parts: Parts) -> tuple[Any, Parts]:
        """The content ``node`` stands for and its data path: follows ``$ref`` chains (raises ProblemError)."""
        hops = 0
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if isinstance(ref, str) and ref in self.cache:
                return self.cache[ref]
            p = self.ref_problem(parts, ref)
            if p is not None:
                raise ProblemError([p])
            found, value, target = self.lookup(decode_pointer(ref))
            assert found  # ref_problem checked it
            node, parts = value, target
            hops += 1
            if hops > MAX_CHAIN:  # pragma: no cover - ref_problem bounds chains
                raise ProblemError([self.problem(parts, "$ref chain too long")])
            if not (isinstance(node, dict) and "$ref" in node):
                self.cache[ref] = (node, parts)
        return node, parts


def pointer_of(parts: Parts) -> str:
    """The JSON pointer fragment of a data path: ('paths', '/a', 'get') -> '#/paths/~1a/get'."""
    return pointer(*parts)


def ref_name(parts: Parts) -> str | None:
    """The name of a referenced definition (``Account`` for #/components/schemas/Account), else None."""
    if len(parts) >= 2 and parts[-2] in ("schemas", "definitions", "parameters", "responses", "requestBodies", "headers"):
        return str(parts[-1])
    return None


def _short(text: Any) -> str:
    """A reference (or a value) as a message shows it: on one line, at most 120 characters."""
    return shorten(one_line(text), 120)
