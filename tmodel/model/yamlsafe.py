"""Safe, bounded YAML reading with a map from data paths to source positions.

PyYAML composes the node graph (the C composer where available); we then build plain Python
data from the nodes ourselves, so that we can
- reject duplicate keys (PyYAML keeps the last one silently),
- cap the number of nodes visited (an alias bomb composes instantly and explodes when walked),
- cap nesting depth,
- remember the line and column of every key and value for error messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # the C composer is 2-4x faster and gives the same marks
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from tmodel.problems import Problem, ProblemError

MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 40

Path = tuple[Any, ...]


@dataclass
class Located:
    """Plain data plus where each piece came from (1-based line and column)."""

    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """The position of ``path`` or of its nearest known ancestor."""
        p = tuple(path)
        while True:
            if key and p in self.keys:
                return self.keys[p]
            if p in self.values:
                return self.values[p]
            if p in self.keys:
                return self.keys[p]
            if not p:
                return (1, 1)
            p = p[:-1]


_constructor = yaml.constructor.SafeConstructor()


def _pos(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def read_text(path: str) -> str:
    """Read a model file as UTF-8 text, refusing oversized and binary files."""
    import os

    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise ProblemError([Problem(path, 0, 0, f"cannot read the file: {exc.strerror}", "check the path")]) from None
    if size > MAX_BYTES:
        raise ProblemError(
            [
                Problem(
                    path,
                    0,
                    0,
                    f"file is {size:,} bytes, over the {MAX_BYTES:,}-byte limit for a model",
                    "a model describes one integration; split it, or check you passed the right file",
                )
            ]
        )
    with open(path, "rb") as fh:
        raw = fh.read(MAX_BYTES + 1)
    if b"\x00" in raw[:8192]:
        raise ProblemError([Problem(path, 1, 1, "this is a binary file, not a YAML model", "pass a .yaml model file")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ProblemError(
            [Problem(path, line, 1, "the file is not valid UTF-8 text", "save the model as UTF-8")]
        ) from None
    return text


def load_yaml(text: str, filename: str) -> Located:
    """Parse YAML text into located plain data. Raises ProblemError with every problem found."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = (exc.problem or str(exc)).strip()
        hint = "fix the YAML syntax near this position"
        if "'\\t'" in message or "\\t" in message or "tab" in message.lower():
            message = "a tab character is used for indentation"
            hint = "YAML indentation must use spaces; replace the tabs with spaces"
        elif exc.context:
            message = f"{message} ({exc.context.strip()})"
        raise ProblemError([Problem(filename, line, col, f"YAML syntax error: {message}", hint)]) from None
    except yaml.YAMLError as exc:
        raise ProblemError([Problem(filename, 1, 1, f"YAML error: {exc}", "fix the YAML syntax")]) from None
    if root is None:
        raise ProblemError(
            [Problem(filename, 1, 1, "the file is empty", "a model needs at least 'format_version' and 'metadata'")]
        )
    located = Located(None)
    problems: list[Problem] = []
    budget = [MAX_NODES]
    try:
        located.data = _build(root, (), 0, located, problems, budget, filename)
    except ProblemError as exc:
        raise ProblemError(problems + exc.problems) from None
    if problems:
        raise ProblemError(problems)
    return located


def _build(node: yaml.Node, path: Path, depth: int, loc: Located, problems: list[Problem], budget: list[int], fn: str) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        line, col = _pos(node)
        raise ProblemError(
            [
                Problem(
                    fn,
                    line,
                    col,
                    f"the document expands to more than {MAX_NODES:,} nodes (an alias bomb?)",
                    "remove the YAML anchors and aliases that multiply content",
                )
            ]
        )
    if depth > MAX_DEPTH:
        line, col = _pos(node)
        raise ProblemError(
            [Problem(fn, line, col, f"nesting is deeper than {MAX_DEPTH} levels", "flatten the structure")]
        )
    loc.values.setdefault(path, _pos(node))
    if isinstance(node, yaml.ScalarNode):
        try:
            return _constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            line, col = _pos(node)
            problems.append(Problem(fn, line, col, f"cannot read this value: {exc.problem}", "quote it as a string"))
            return None
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, path + (i,), depth + 1, loc, problems, budget, fn) for i, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        first_seen: dict[Any, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = _build(value_node, path, depth + 1, loc, problems, budget, fn)
                for m in merged if isinstance(merged, list) else [merged]:
                    if isinstance(m, dict):
                        for k, v in m.items():
                            result.setdefault(k, v)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _pos(key_node)
                problems.append(Problem(fn, line, col, "a mapping key must be a plain scalar", "use a string key"))
                continue
            key = _constructor.construct_object(key_node)
            if not isinstance(key, (str, int, bool)) or key is None:
                key = str(key_node.value)
            kpos = _pos(key_node)
            if key in first_seen:
                fl, fc = first_seen[key]
                problems.append(
                    Problem(
                        fn,
                        kpos[0],
                        kpos[1],
                        f"duplicate key '{key}' (first defined at line {fl})",
                        "YAML keeps only one of them; merge the two entries",
                        code="duplicate-key",
                    )
                )
                continue
            first_seen[key] = kpos
            loc.keys[path + (key,)] = kpos
            result[key] = _build(value_node, path + (key,), depth + 1, loc, problems, budget, fn)
        return result
    raise ProblemError([Problem(fn, *_pos(node), "unsupported YAML node", "")])  # pragma: no cover
