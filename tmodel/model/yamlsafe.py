"""Safe, bounded YAML reading with a map from data paths to source positions.

PyYAML composes the node graph (the C composer where available); we then build plain Python
data from the nodes ourselves, so that we can
- reject duplicate keys (PyYAML keeps the last one silently),
- measure how far aliases would expand *before* expanding anything: an alias bomb composes
  into a few dozen nodes and only explodes when walked, so it is refused in milliseconds with
  no memory growth (recursive aliases are refused too),
- cap nesting depth,
- refuse tags other than YAML's standard ones (``!!python/...`` is never constructed),
- remember the line and column of every key and value for error messages, and the source text
  of scalars YAML turned into non-strings (``NO`` -> false, ``1.2`` -> 1.2) so that messages can
  quote what the user wrote,
- make terminal control characters written as escapes (``"\\e[2J"``) visible (``tmodel.textsafe``),
  so that no title or owner can drive the terminal of whoever reads the analysis,
- recognise unresolved git merge conflicts (``<<<<<<<``, ``=======``, ``>>>>>>>`` lines) and say so.

Files are refused by size before anything is read, and binary or non-UTF-8 files are refused
before parsing.
"""

from __future__ import annotations

import functools
import gc
import operator
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import yaml

try:  # the C parser and composer (libyaml) are 2-4x faster and give the same marks
    from yaml import CSafeLoader as _Loader
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]
    _CParser = None  # type: ignore[assignment,misc]

from tmodel.problems import Problem, ProblemError
from tmodel.textsafe import neutralize_value

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_NODES = 200_000
MAX_BYTES = DEFAULT_MAX_BYTES
MAX_NODES = DEFAULT_MAX_NODES  # values in one document, aliases expanded
MAX_DEPTH = 40  # never raised
# how far aliases may expand a document beyond its own distinct nodes: never raised (an alias bomb is a few
# lines that expand exponentially, whatever the size budget)
ALIAS_EXPANSION = DEFAULT_MAX_NODES
RAISE_HINT = "raise the limit with 'tmodel --max-size 50MB ...' or [limits] max_size in tmodel.toml"


def set_max_size(max_bytes: int | None) -> None:
    """The size budget for model files (``--max-size``, ``[limits] max_size``); None restores the default.
    The value budget follows in proportion (200,000 values per 5 MiB); depth and alias limits do not move."""
    global MAX_BYTES, MAX_NODES
    if max_bytes is None:
        MAX_BYTES, MAX_NODES = DEFAULT_MAX_BYTES, DEFAULT_MAX_NODES
        return
    MAX_BYTES = max_bytes
    MAX_NODES = max(1000, DEFAULT_MAX_NODES * max_bytes // DEFAULT_MAX_BYTES)
SHALLOW = 2  # positions kept while reading: ('elements', 3) and above, and items' ids; the rest recomputed for a problem


def _shallow(path: Path) -> bool:
    return len(path) <= SHALLOW or (len(path) == SHALLOW + 1 and path[-1] == "id")

Path = tuple[Any, ...]

_STANDARD_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


class Located:
    """Plain data plus where each piece came from (1-based line and column).

    Read from a file (``parse_yaml``), the positions are not kept: a large model's map of every
    value's position was most of its working set, and it is needed only to locate a problem. What is
    kept while reading: the positions of the items (paths up to ``SHALLOW`` long, and items' ids), and
    where each item's text begins and ends. A position inside an item (``where``, ``raw_at``) parses
    that item's text alone, once; the first read of ``values``, ``keys`` or ``raw`` (every position)
    parses the whole text again, once, and so does any position in a document with aliases (whose
    content is located where it is anchored) or ``%TAG`` directives. Either way the answer is the one
    the whole-document pass gives (tests/test_yaml_positions.py).
    """

    def __init__(self, data: Any = None, values: dict[Path, tuple[int, int]] | None = None,
                 keys: dict[Path, tuple[int, int]] | None = None, raw: dict[Path, str] | None = None,
                 unreadable: set[Path] | None = None, *, source: tuple[str, str] | None = None):
        self._data = data
        self._released = False
        self._values = values if values is not None or source is not None else {}
        self._keys = keys if keys is not None or source is not None else {}
        # the source text of scalars that YAML resolved to something other than a string
        self._raw = raw if raw is not None or source is not None else {}
        # paths whose value could not be read (already reported; read as null)
        self.unreadable: set[Path] = unreadable if unreadable is not None else set()
        self._source = source  # (text, filename) to recompute the positions from
        # without the full maps: the positions of paths up to SHALLOW long (the model's items), kept while reading
        self.shallow_values: dict[Path, tuple[int, int]] = {}
        self.shallow_keys: dict[Path, tuple[int, int]] = {}
        self.shallow_raw: dict[Path, str] = {}
        self.spans: dict[Path, tuple[int, int]] = {}  # the text of each node SHALLOW deep (an item): start, end
        self.aliased = False  # nodes shared through aliases: deeper positions come from the whole-text pass
        self._tag_directive: bool | None = None
        self._items: dict[Path, tuple[dict[Path, tuple[int, int]], dict[Path, tuple[int, int]], dict[Path, str]] | None] = {}

    def _locate(self) -> None:
        if self._source is None:
            self._values, self._keys, self._raw = self._values or {}, self._keys or {}, self._raw or {}
            return
        text, _ = self._source
        try:
            with _gc_paused():
                self._values, self._keys, self._raw = _positions(text)
        except yaml.YAMLError:  # pragma: no cover - the text was read once already
            self._values, self._keys, self._raw = {}, {}, {}

    @property
    def data(self) -> Any:
        """The plain data read from the file; after ``release_data`` read again from the text, once, on demand."""
        if self._released and self._source is not None:
            self._released = False
            builder = _Builder(self._source[1], record=False)
            try:
                with _gc_paused():
                    root = _compose(self._source[0])
                    self._data = builder.build(root, (), 0) if root is not None else None
            except (yaml.YAMLError, ProblemError):  # pragma: no cover - the text was read once already
                self._data = None
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data, self._released = value, False

    def release_data(self) -> None:
        """Drop the plain data once the model is validated (a batch run never reads it again: the validated
        model holds it); positions and, if asked for, the data are recomputed from the text."""
        if self._source is not None:
            self._data, self._released = None, True

    @property
    def values(self) -> dict[Path, tuple[int, int]]:
        if self._values is None:
            self._locate()
        assert self._values is not None
        return self._values

    @property
    def keys(self) -> dict[Path, tuple[int, int]]:
        if self._keys is None:
            self._locate()
        assert self._keys is not None
        return self._keys

    @property
    def raw(self) -> dict[Path, str]:
        if self._raw is None:
            self._locate()
        assert self._raw is not None
        return self._raw

    def where(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """The position of ``path`` or of its nearest known ancestor."""
        p = tuple(path)
        if self._values is None:
            if _shallow(p):  # an item's position: kept while reading
                return _nearest(p, key, self.shallow_values, self.shallow_keys)
            item = self._item(p[:SHALLOW])
            if item is not None:  # inside the item: its own positions; above it: the items'
                return _nearest(p, key, item[0], item[1], self.shallow_values, self.shallow_keys)
        return _nearest(p, key, self.values, self.keys)

    def raw_at(self, path: Path) -> str | None:
        """The source text of the scalar at ``path`` if YAML read it as something other than a string
        (``NO`` -> false, ``1.2`` -> 1.2): ``raw.get(path)`` without reading every position."""
        p = tuple(path)
        if self._values is None and not self.aliased:
            if len(p) <= SHALLOW:
                return self.shallow_raw.get(p)
            item = self._item(p[:SHALLOW])
            if item is not None:
                return item[2].get(p)
        return self.raw.get(p)

    def _item(self, item: Path) -> tuple[dict[Path, tuple[int, int]], dict[Path, tuple[int, int]], dict[Path, str]] | None:
        """Every position inside one item, from that item's text alone; None when the whole text must be read."""
        if item in self._items:
            return self._items[item]
        found: tuple[dict[Path, tuple[int, int]], dict[Path, tuple[int, int]], dict[Path, str]] | None = None
        span = self.spans.get(item)
        if span is None:  # no node there, nor anything under it
            found = ({}, {}, {})
        elif not self.aliased and self._source is not None:
            if self._tag_directive is None:  # a tag handle declared before the document: an item alone may not read alike
                self._tag_directive = "%TAG" in self._source[0]
            if not self._tag_directive:
                found = _item_positions(self._source[0], span, self.shallow_values[item], item)
        self._items[item] = found
        return found


_STR_TAG = "tag:yaml.org,2002:str"
_NO_MAP: dict[Path, tuple[int, int]] = {}


def _nearest(p: Path, key: bool, values: dict[Path, tuple[int, int]], keys: dict[Path, tuple[int, int]],
             up_values: dict[Path, tuple[int, int]] | None = None, up_keys: dict[Path, tuple[int, int]] | None = None,
             ) -> tuple[int, int]:
    """The position of ``p`` (its key's with ``key``) or of its nearest ancestor found; ``up_values`` and
    ``up_keys`` answer for the paths up to SHALLOW long when given."""
    while True:
        if up_values is not None and len(p) <= SHALLOW:
            values, keys, up_values = up_values, up_keys or _NO_MAP, None
        if key and p in keys:
            return keys[p]
        if p in values:
            return values[p]
        if p in keys:
            return keys[p]
        if not p:
            return (1, 1)
        p = p[:-1]


def _item_positions(text: str, span: tuple[int, int], at: tuple[int, int], item: Path,
                    ) -> tuple[dict[Path, tuple[int, int]], dict[Path, tuple[int, int]], dict[Path, str]] | None:
    """The positions under the node at ``item`` from the parser's events over its text alone (``span``),
    laid at its column on its line so that every line and column is the document's; None when that text
    does not read as the same node (then the whole text is read)."""
    line, col = at
    begin, end = span
    try:
        with _gc_paused():
            values, keys, raw = _positions(" " * (col - 1) + text[begin:end])
    except yaml.YAMLError:
        return None
    if values.get(()) != (1, col):
        return None
    down = line - 1
    return ({item + p: (ln + down, c) for p, (ln, c) in values.items()},
            {item + p: (ln + down, c) for p, (ln, c) in keys.items()},
            {item + p: v for p, v in raw.items()})


def _pos(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def read_text(path: str) -> str:
    """Read a model file as UTF-8 text, refusing oversized, binary and unreadable files.

    The size is checked from the file system before a byte is read; at most ``MAX_BYTES + 1``
    bytes are ever read (a device or a growing file cannot make us read more).
    """

    def problem(line: int, message: str, hint: str) -> ProblemError:
        return ProblemError([Problem(path, line, 1 if line else 0, message, hint)])

    try:
        st = os.stat(path)
    except OSError as exc:
        raise problem(0, f"cannot read the file: {exc.strerror or exc}", "check the path") from None
    if stat.S_ISDIR(st.st_mode):
        raise problem(0, "this is a folder, not a model file", "pass a .yaml model file, or the folder to 'tmodel validate'")
    too_big = problem(
        1,
        f"file is {st.st_size:,} bytes, over the {MAX_BYTES:,}-byte limit for a model",
        f"a model describes one integration: split it, check you passed the right file, or {RAISE_HINT}",
    )
    if st.st_size > MAX_BYTES:
        raise too_big
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise problem(0, f"cannot read the file: {exc.strerror or exc}", "check the file's permissions") from None
    return decode_model_bytes(raw, path)


def decode_model_bytes(raw: bytes, label: str) -> str:
    """Model bytes (from a file or a git blob) as text, refusing oversized, UTF-16, binary and non-UTF-8 data."""

    def problem(line: int, message: str, hint: str) -> ProblemError:
        return ProblemError([Problem(label, line, 1 if line else 0, message, hint)])

    if len(raw) > MAX_BYTES:
        raise problem(1, f"file is over the {MAX_BYTES:,}-byte limit for a model",
                      f"a model describes one integration: split it, check you passed the right file, or {RAISE_HINT}")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise problem(1, "the file is UTF-16 text, not UTF-8", "save the model as UTF-8")
    if b"\x00" in raw[:8192]:
        raise problem(1, "this is a binary file, not a YAML model", "pass a .yaml model file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ProblemError(
            [Problem(label, line, col, "the file is not valid UTF-8 text", "save the model as UTF-8")]
        ) from None


_RESOLVER = yaml.resolver.Resolver()
_IMPLICIT_FIRST = frozenset(_RESOLVER.yaml_implicit_resolvers)  # first characters of implicit types ('' for null)
_resolve: Any = _RESOLVER.resolve


@functools.lru_cache(maxsize=4096)
def _plain_tag(value: str) -> str:
    """The tag of a plain scalar: the resolver's regular expressions, once per distinct text (keys and
    enumerated values repeat: 'title', 'flows', 'true', 'none', 'tls' all start like a bool or a null)."""
    tag: str = _resolve(yaml.ScalarNode, value, (True, False))
    return tag


def _tag_of(kind: Any, value: Any, implicit: Any) -> str:
    """``Resolver.resolve`` for a safe loader, which has no path resolvers: an untagged collection is a plain
    seq or map; a scalar is a string when quoted or when no implicit type (number, bool, null, date) starts
    with its first character (most values), else what the resolver's expressions say."""
    if kind is yaml.ScalarNode:
        if not implicit[0] or (value and value[0] not in _IMPLICIT_FIRST):
            return _STR_TAG
        return _plain_tag(value)
    return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG


if _CParser is not None:
    class _Composer(_CParser):
        """libyaml's parser and composer (C), with one light Python call per node instead of three.

        The composer asks ``resolve`` for the tag of every untagged node and tells ``descend_resolver``
        and ``ascend_resolver`` about every step, for path resolvers, which a safe loader has none of:
        with PyYAML's Resolver that was a quarter of composing. Here ``resolve`` is ``_tag_of`` (the
        same tags) and the other two are C callables that do nothing.
        """

        resolve = staticmethod(_tag_of)
        descend_resolver = operator.is_  # (parent, index): no effect
        ascend_resolver = tuple  # (): no effect


def _compose(text: str) -> yaml.Node | None:
    """The node graph of a one-document text (``yaml.compose``)."""
    if _CParser is None:  # pragma: no cover - depends on how PyYAML was built
        return yaml.compose(text, Loader=_Loader)
    composer = _Composer(text)
    try:
        node: yaml.Node | None = composer.get_single_node()
        return node
    finally:
        composer.dispose()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a text is read.

    Reading makes hundreds of thousands of small, acyclic objects (nodes, marks, events, the data), and
    with Python's default settings the collector scans the young ones every 700 allocations: composing
    took 3-4 times as long as with the collector off (the CLI's ``batch_gc`` settings recover most of it,
    the app and library callers run with the defaults). Reference counting still frees every object at
    once; a cycle made meanwhile (a recursive alias, which is refused) is collected afterwards.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def load_yaml(text: str, filename: str) -> Located:
    """Parse YAML text into located plain data. Raises ProblemError with every problem found."""
    located, problems = parse_yaml(text, filename)
    if problems or located is None:
        raise ProblemError(problems)
    return located


def parse_yaml(text: str, filename: str) -> tuple[Located | None, list[Problem]]:
    """Parse YAML text into located plain data, never raising for bad input.

    Returns ``(None, problems)`` when nothing usable could be read (syntax errors, an empty
    document, an alias bomb); otherwise the data with the problems that did not stop reading
    (duplicate keys, unreadable values, unsupported tags), so that the caller can go on and
    report the rest of the file's problems in the same run.
    """
    conflicts = conflict_markers(text, filename)
    if conflicts:
        return None, conflicts
    with _gc_paused():
        return _read(text, filename)


def _read(text: str, filename: str) -> tuple[Located | None, list[Problem]]:
    try:
        too_many = _count_nodes(text, filename) if _node_bound(text) > MAX_NODES else None
        if too_many is not None:
            return None, [too_many]
        if len(text) >= CHUNKED_FROM and not _may_alias(text):
            read = _read_in_chunks(text, filename)
            if read is not None:
                return read, []
        root = _compose(text)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, text, filename)]
    except yaml.YAMLError as exc:
        return None, [Problem(filename, 1, 1, f"YAML error: {exc}", "fix the YAML syntax")]
    if root is None:
        return None, [Problem(filename, 1, 1, "the file is empty", "a model needs at least 'format_version' and 'metadata'")]
    aliased = False
    if _may_alias(text):  # only aliases share nodes; without one the builder's budget is the bound
        bomb, aliased = _check_expansion(root, filename)
        if bomb is not None:
            return None, [bomb]
    builder = _Builder(filename, record=False)
    builder.consume = not aliased
    try:
        try:
            data = builder.build(root, (), 0)
        except _SharedNode:  # an alias the text scan did not see: read again, checked for bombs, keeping the nodes
            root = _compose(text)
            assert root is not None  # it was composed from the same text a moment ago
            bomb, aliased = _check_expansion(root, filename)
            if bomb is not None:
                return None, [bomb]
            builder = _Builder(filename, record=False)
            data = builder.build(root, (), 0)
    except ProblemError as exc:
        return None, builder.problems + exc.problems
    del root  # the node graph (several times the data's size) goes before validation
    located = Located(data, unreadable=builder.located.unreadable, source=(text, filename))
    kept = builder.located
    located.shallow_values, located.shallow_keys, located.shallow_raw = kept.shallow_values, kept.shallow_keys, kept.shallow_raw
    located.spans, located.aliased = kept.spans, aliased
    return located, builder.problems


# --- reading a large model in chunks ---------------------------------------------------------------
#
# Composing builds a node (and two marks) per value before any data: about 360 bytes a value, five times the
# data, and the peak of a large model's whole run. A model is a block mapping of sections, most of them block
# lists of items; read in chunks of items, only one chunk's nodes exist at a time. A chunk is cut only where a
# line starts an item of its section ('- ' at the items' indentation), which ends whatever was open before it
# in block context; a cut inside a multi-line quoted or flow value leaves that value unterminated, and any
# problem in any chunk sends the whole text to the one-document reader. tests/test_yaml_chunks.py checks that
# both readers give the same data and positions.

CHUNKED_FROM = 1 << 20  # bytes: smaller texts are composed whole
CHUNK_ITEMS = 500
_TOP_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?:[ \t]|$)")
_OUTSIDE_BLOCK = re.compile(r"^(---|\.\.\.|%)", re.MULTILINE)


def _read_in_chunks(text: str, filename: str) -> Located | None:
    """The text's data and item positions read chunk by chunk, or None if it cannot be (then it is read whole)."""
    if _OUTSIDE_BLOCK.search(text):
        return None
    chunks = _chunks(text)
    if chunks is None:
        return None
    data: dict[Any, Any] = {}
    kept = Located(None)
    budget = MAX_NODES
    for chunk, key, first_item, line_at, index_at, head, tail_end in chunks:
        try:
            root = _compose(chunk)
        except yaml.YAMLError:  # a cut through a value, or a real error: the whole reader says which
            return None
        if root is None or root.__class__ is not yaml.MappingNode or len(root.value) != 1:
            return None
        builder = _Builder(filename, record=False)
        builder.consume = True
        builder.budget = budget
        try:
            part = builder.build(root, (), 0)
        except (ProblemError, _SharedNode):
            return None
        del root
        budget = builder.budget
        if builder.problems or builder.located.unreadable or not isinstance(part, dict) or list(part) != [key]:
            return None
        value = part[key]
        if head:
            if key in data:
                return None  # a key given twice: the whole reader reports it
            data[key] = value
        elif not isinstance(data.get(key), list) or not isinstance(value, list):
            return None
        else:
            data[key].extend(value)
        got = builder.located

        def moved(path: Path) -> Path:
            if len(path) >= 2 and isinstance(path[1], int):
                return (path[0], path[1] + first_item) + path[2:]
            return path

        for mine, theirs in ((kept.shallow_values, got.shallow_values), (kept.shallow_keys, got.shallow_keys)):
            for path, (line, col) in theirs.items():
                if head or len(path) >= 2:  # a continuation's root and key are its own heading, not the text's
                    mine.setdefault(moved(path), (line + line_at, col))
        for path, raw in got.shallow_raw.items():
            if head or len(path) >= 2:
                kept.shallow_raw.setdefault(moved(path), raw)
        for path, (start, end) in got.spans.items():
            if tail_end is not None and end == len(chunk):  # a block item runs on to the next item's dash
                end = tail_end - index_at
            kept.spans.setdefault(moved(path), (start + index_at, end + index_at))
    if not data:
        return None
    located = Located(data, source=(text, filename))
    located.shallow_values, located.shallow_keys, located.shallow_raw = kept.shallow_values, kept.shallow_keys, kept.shallow_raw
    located.spans = kept.spans
    return located


def _chunks(text: str) -> list[tuple[str, str, int, int, int, bool, int | None]] | None:
    """(chunk text, its section's key, the index of its first item, lines and characters before its own text
    in the file, whether it opens its section, where its last item ends in the file if another chunk of the
    section follows) for every chunk, in order; None where the text is not a block mapping of sections the
    way models are written."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    tops: list[tuple[int, str]] = []  # (line number, key) of each top-level key
    for n, line in enumerate(lines):
        if not line or line[0] in " #\r":
            continue
        m = _TOP_KEY.match(line.rstrip("\r"))
        if m is None:
            if line.startswith("- ") or line == "-":  # a list written at the key's own indentation: one chunk
                continue
            return None  # a flow root, a quoted key, a value continued at the margin: composed whole
        tops.append((n, m.group(1)))
    if not tops or any(line.strip() and not line.lstrip().startswith("#") for line in lines[:tops[0][0]]):
        return None
    if len({k for _, k in tops}) != len(tops):
        return None
    out: list[tuple[str, str, int, int, int, bool, int | None]] = []
    for i, (n, key) in enumerate(tops):
        end = tops[i + 1][0] if i + 1 < len(tops) else len(lines)
        first_line = 0 if i == 0 else n  # what precedes the first key goes with it
        items = _item_lines(lines, n + 1, end)
        if items is None or len(items) <= CHUNK_ITEMS:
            out.append((text[starts[first_line]:starts[end]] if end < len(lines) else text[starts[first_line]:],
                        key, 0, first_line, starts[first_line], True, None))
            continue
        cuts = items[CHUNK_ITEMS::CHUNK_ITEMS]
        bounds = [first_line, *cuts, end]
        for j in range(len(bounds) - 1):
            a, b = bounds[j], bounds[j + 1]
            piece = text[starts[a]:starts[b]] if b < len(lines) else text[starts[a]:]
            tail = starts[b] + len(lines[b]) - len(lines[b].lstrip(" ")) if j + 2 < len(bounds) else None
            if j == 0:
                out.append((piece, key, 0, a, starts[a], True, tail))
            else:
                head = f"{key}:\n"
                out.append((head + piece, key, j * CHUNK_ITEMS, a - 1, starts[a] - len(head), False, tail))
    return out


def _item_lines(lines: list[str], first: int, end: int) -> list[int] | None:
    """The lines that start the items of a section written as a block list, or None if it is not one."""
    indent = None
    items: list[int] = []
    for n in range(first, end):
        line = lines[n]
        body = line.lstrip(" ")
        if not body or body.startswith("#") or body == "\r":
            continue
        depth = len(line) - len(body)
        if indent is None:
            if not (body.startswith("- ") or body.rstrip("\r") == "-"):
                return None
            indent = depth
        if depth == indent and (body.startswith("- ") or body.rstrip("\r") == "-"):
            items.append(n)
        elif depth <= indent:
            return None
    return items


_MARKER = re.compile(r"^(<{7}|>{7}|\|{7})(?: .*)?$|^={7}$", re.MULTILINE)


def conflict_markers(text: str, filename: str) -> list[Problem]:
    """One problem per unresolved git merge conflict (a ``<<<<<<<`` ... ``>>>>>>>`` block)."""
    if "<<<<<<<" not in text and ">>>>>>>" not in text:
        return []
    problems: list[Problem] = []
    block: list[int] = []
    for m in _MARKER.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        block.append(line)
        if m.group(1) == ">>>>>>>":
            problems.append(_conflict(filename, block))
            block = []
    if block:
        problems.append(_conflict(filename, block))
    return problems


def _conflict(filename: str, lines: list[int]) -> Problem:
    shown = ", ".join(str(n) for n in lines[:6])
    return Problem(filename, lines[0], 1,
                   f"unresolved git merge conflict: conflict markers ('<<<<<<<', '=======', '>>>>>>>') on line(s) {shown}",
                   "keep the right side (or combine both) between '<<<<<<<' and '>>>>>>>', delete the marker lines, "
                   "then run 'tmodel validate'", code="merge-conflict")


_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)


def _node_bound(text: str) -> int:
    """A cheap upper bound on the number of nodes ``text`` composes into (aliases are bounded apart).

    Every node but the root starts after an indicator or a line break (``:`` ``-`` ``,`` ``[`` ``{``
    ``?`` or a newline), and at most two nodes start after one (a mapping and its first key); the
    counts run in C. When the bound is within the budget, the counting pass over the parser's
    events (a second parse of the file) is skipped.
    """
    return 2 * sum(text.count(c) for c in "\n:-,[{?") + 2


def _count_nodes(text: str, filename: str) -> Problem | None:
    """Refuse a document with more than ``MAX_NODES`` nodes before composing it.

    libyaml counts the document's events (nodes, collection ends) in C first, about 10 ms a MB and no
    Python object made; only a document over the budget by that count has its events streamed (a fifth
    of composing, memory flat) to count the nodes alone and say where the budget ran out. Composing a
    5 MB list of numbers would otherwise build a million node objects (hundreds of MB).
    """
    if _CParser is not None and _CParser(text).raw_parse() <= MAX_NODES:
        return None  # libyaml counted every event, nodes and ends, without making one Python object: within budget
    count = 0
    for event in _events(text):
        if isinstance(event, _NODE_EVENTS):
            count += 1
            if count > MAX_NODES:
                mark = event.start_mark
                line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
                return Problem(filename, line, col, f"the document has more than {MAX_NODES:,} values",
                               f"a model describes one integration: split it, check you passed the right file, or {RAISE_HINT}", code="yaml-size")
    return None


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, filename: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    tab = _tab_near(text, line, col)
    if tab is not None:
        return Problem(filename, tab[0], tab[1], "YAML syntax error: a tab character is used for indentation",
                       "YAML indentation must use spaces; replace the tabs with spaces", code="yaml-tab")
    message = (exc.problem or str(exc)).strip()
    if exc.context:
        message = f"{message} ({exc.context.strip()})"
    hint = "fix the YAML syntax near this position"
    if "mapping values are not allowed" in message:
        hint = "a value containing ': ' must be quoted, or the line is indented wrongly"
    elif "expected a single document" in message:
        hint = "a model file holds one YAML document: remove the '---' separator and what follows"
    return Problem(filename, line, col, f"YAML syntax error: {message}", hint, code="yaml-syntax")


def _tab_near(text: str, line: int, col: int) -> tuple[int, int] | None:
    """Where a tab used as indentation caused a syntax error at ``line``, if one did."""
    lines = text.split("\n")
    # the error is reported on, or just after, the line whose indentation holds a tab
    for ln in (line, line - 1):
        if 1 <= ln <= len(lines):
            s = lines[ln - 1]
            indent = s[: len(s) - len(s.lstrip(" \t"))]
            if "\t" in indent and s.strip():
                return (ln, indent.index("\t") + 1)
    if 1 <= line <= len(lines) and 1 <= col <= len(lines[line - 1]) and lines[line - 1][col - 1] == "\t":
        return (line, col)
    return None


_BEFORE_ALIAS = "[]{},:?'\"\ufeff"


def _may_alias(text: str) -> bool:
    """Whether ``text`` may hold an alias: a '*' where libyaml can start a token (at the start, after
    white space or a line break, after a flow indicator, an adjacent ':' or '?' in flow context, or a
    quote). A '*' inside words ('gw-ext-*', '[database.*]', '`*`') cannot start one; checking those
    documents' node graphs for bombs cost as much as composing them. Were an alias ever missed, the
    builder's value budget and depth limit would still bound its expansion."""
    i = text.find("*")
    while i != -1:
        if i == 0 or text[i - 1].isspace() or text[i - 1] in _BEFORE_ALIAS:
            return True
        i = text.find("*", i + 1)
    return False


def _check_expansion(root: yaml.Node, filename: str) -> tuple[Problem | None, bool]:
    """Refuse documents whose aliases expand beyond ``MAX_NODES`` or refer to themselves; and say
    whether any node is shared (an alias used: more references to nodes than distinct nodes but the root).

    Counts the expanded size of every distinct node once (memoized, iteratively), so the cost
    is proportional to the composed document, not to its expansion.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    references = 0
    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            on_path.discard(nid)
            children = _children(node)
            references += len(children)
            total = 1 + sum(size[id(c)] for c in children)
            size[nid] = total
            # beyond the budget, or expanding far beyond the distinct nodes composed so far (a bomb)
            if total > MAX_NODES or total > len(size) + ALIAS_EXPANSION:
                line, col = _pos(node)
                return Problem(
                    filename, line, col,
                    (f"the document expands to more than {MAX_NODES:,} nodes" if total > MAX_NODES else
                     f"the document expands by more than {ALIAS_EXPANSION:,} nodes") + " through YAML aliases (an alias bomb?)",
                    "remove the YAML anchors (&name) and aliases (*name) that multiply content", code="yaml-bomb",
                ), True
            continue
        if nid in size:
            continue
        if nid in on_path:
            line, col = _pos(node)
            return Problem(filename, line, col, "a YAML alias refers to the node that contains it (a recursive structure)",
                           "remove the alias (*name) that points back to its own anchor (&name)", code="yaml-recursive"), True
        on_path.add(nid)
        stack.append((node, True))
        for child in _children(node):
            cid = id(child)
            if cid in on_path:
                line, col = _pos(node)
                return Problem(filename, line, col, "a YAML alias refers to the node that contains it (a recursive structure)",
                               "remove the alias (*name) that points back to its own anchor (&name)", code="yaml-recursive"), True
            if cid not in size:
                stack.append((child, False))
    return None, references + 1 != len(size)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


_KEY, _VALUE = True, False


def _positions(text: str) -> tuple[dict[Path, tuple[int, int]], dict[Path, tuple[int, int]], dict[Path, str]]:
    """Every value's and key's position, and the source text of scalars YAML reads as non-strings, from
    the parser's event stream: no node graph, no values built (a fifth of composing). An alias's
    content is located at the alias (its nodes are the anchor's); a merge key's at the mapping."""
    values: dict[Path, tuple[int, int]] = {}
    keys: dict[Path, tuple[int, int]] = {}
    raw: dict[Path, str] = {}
    # frames: [is_mapping, path, next index or current key, expecting a key]
    stack: list[list[Any]] = []
    skip = object()  # the path part under a key that is not a plain scalar (reported, never read)
    anchors: dict[str, Path] = {}
    merged: list[tuple[Path | None, Path]] = []  # (anchor, at) of merge keys' aliases
    for ev in _events(text):
        t = type(ev)
        if t is yaml.MappingEndEvent or t is yaml.SequenceEndEvent:
            stack.pop()
            continue
        if t not in _NODE_EVENTS:
            continue
        mark = ev.start_mark
        pos = (mark.line + 1, mark.column + 1)
        tag = None
        if t is yaml.ScalarEvent:
            if ev.tag not in (None, "!"):
                tag = ev.tag
            elif not ev.implicit[0] or (ev.value and ev.value[0] not in _IMPLICIT_FIRST):
                tag = _STR_TAG  # quoted, or plain text no implicit type starts with (most values): as _tag_of
            else:
                tag = _plain_tag(ev.value)
        if stack and stack[-1][0] and stack[-1][3] is _KEY:
            frame = stack[-1]
            frame[3] = _VALUE
            if t is yaml.ScalarEvent:
                if tag == "tag:yaml.org,2002:merge":
                    frame[2] = None  # the merged content sits at the mapping's own path
                    continue
                key = neutralize_value(ev.value) if tag == _STR_TAG else str(ev.value)
                frame[2] = key
                keys.setdefault(frame[1] + (key,), pos)
                continue
            frame[2] = skip
            path: Path = frame[1] + (skip,)
        elif stack:
            frame = stack[-1]
            if frame[0]:
                merging = frame[2] is None
                path = frame[1] if merging else frame[1] + (frame[2],)
                frame[3] = _KEY
            elif frame[2] is None:  # a list of merged mappings: each merges at the mapping's own path
                merging, path = True, frame[1]
            else:
                merging, path = False, frame[1] + (frame[2],)
                frame[2] += 1
        else:
            merging, path = False, ()
        if t is yaml.AliasEvent:  # the anchored content's positions, as the composed graph shares its nodes
            if merging:  # explicit keys win over merged ones, as YAML specifies: copy after the document
                merged.append((anchors.get(ev.anchor), path))
            else:
                _copy_anchored(anchors.get(ev.anchor), path, values, keys, raw)
            continue
        if ev.anchor is not None:
            anchors[ev.anchor] = path
        values.setdefault(path, pos)
        if t is yaml.ScalarEvent:
            if tag not in (_STR_TAG, "tag:yaml.org,2002:null"):
                raw.setdefault(path, ev.value)
        elif t is yaml.MappingStartEvent:
            stack.append([True, path, None, _KEY])
        elif t is yaml.SequenceStartEvent:
            stack.append([False, path, None if merging else 0, _VALUE])
    for anchor, path in merged:  # setdefault: in "<<: [*a, *b]" the first mapping wins, as YAML specifies
        _copy_anchored(anchor, path, values, keys, raw)
    return values, keys, raw


def _events(text: str) -> Iterator[Any]:
    """The parser's events (``yaml.parse``), straight from the C parser where there is one."""
    if _CParser is None:  # pragma: no cover - depends on how PyYAML was built
        return iter(yaml.parse(text, Loader=_Loader))
    return iter(_CParser(text).get_event, None)


def _copy_anchored(anchor: Path | None, path: Path, *maps: dict[Path, Any]) -> None:
    """Record under ``path`` what was recorded under the anchored node's ``anchor`` path (aliases are rare in
    models; the scan is bounded by the document, already checked for alias bombs)."""
    if anchor is None:
        return
    n = len(anchor)
    for m in maps:
        for p, v in [(p, v) for p, v in m.items() if p[:n] == anchor]:
            m.setdefault(path + p[n:], v)


_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_BOOLS = yaml.constructor.SafeConstructor.bool_values
_BUILD = object()  # a value left to 'build'


class _SharedNode(Exception):
    """A consuming builder met a node it had read already: the document shares nodes (aliases)."""


class _Builder:
    """Turns composed nodes into plain data, recording positions and collecting problems."""

    def __init__(self, filename: str, record: bool = True):
        self.fn = filename
        self.record = record  # keep every value's position (else recomputed on demand: Located._locate)
        self.located = Located(None)
        self.problems: list[Problem] = []
        self.budget = MAX_NODES
        # read nodes are dropped from their parents as the data is built, so the node graph (several times the
        # data's size) shrinks while the data grows instead of both standing at once; not where aliases share
        # nodes (an aliased node is read again wherever it is referred to)
        self.consume = False
        # one constructor per document: SafeConstructor caches every node it constructs
        self.constructor = yaml.constructor.SafeConstructor()

    def add(self, node: yaml.Node, message: str, hint: str, code: str) -> None:
        self.problems.append(Problem(self.fn, *_pos(node), message, hint, code=code))

    def refuse(self, node: yaml.Node, depth: int) -> NoReturn:
        if self.budget < 0:  # a huge document without aliases (with them, _check_expansion refused it already)
            raise ProblemError([Problem(self.fn, *_pos(node), f"the document has more than {MAX_NODES:,} values",
                                        f"a model describes one integration: split it, check you passed the right file, or {RAISE_HINT}",
                                        code="yaml-size")])
        raise ProblemError([Problem(self.fn, *_pos(node), f"nesting is deeper than {MAX_DEPTH} levels",
                                    "flatten the structure", code="yaml-depth")])

    def scalar(self, node: yaml.ScalarNode, tag: str) -> tuple[bool, Any]:
        """A scalar's value (``tag``: its resolved tag), or (False, None) with a problem reported."""
        if tag == _STR_TAG:  # most values: skip the constructor's machinery (a third of load time)
            return True, neutralize_value(node.value)  # no terminal control character reaches any output
        if tag not in _STANDARD_SCALAR_TAGS:
            self.add(node, f"unsupported YAML tag '{_short_tag(tag)}'",
                     "remove the tag; a model holds plain strings, numbers, booleans and dates", "yaml-tag")
            return False, None
        value = node.value
        # the commonest others as SafeConstructor reads them, without its machinery
        if tag == _NULL_TAG:
            return True, None
        if tag == _BOOL_TAG and value.lower() in _BOOLS:
            return True, _BOOLS[value.lower()]
        if tag == _INT_TAG and value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
            return True, int(value)
        try:
            return True, self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError, LookupError) as exc:  # LookupError: '!!bool maybe', '!!int ""'
            problem = getattr(exc, "problem", None) or (str(exc) if not isinstance(exc, LookupError) else f"not a valid {_short_tag(tag)}")
            self.add(node, f"cannot read the value '{value}': {problem}",
                     ("write true or false" if tag == _BOOL_TAG else "write dates as YYYY-MM-DD")
                     + ", or quote the value to keep it as text", "yaml-value")
            return False, None

    def build(self, node: Any, path: Path, depth: int) -> Any:  # node: a yaml.Node
        self.budget -= 1
        if self.budget < 0 or depth > MAX_DEPTH:
            self.refuse(node, depth)
        if self.record:
            self.located.values.setdefault(path, _pos(node))
        elif len(path) <= SHALLOW or (len(path) == SHALLOW + 1 and path[-1] == "id"):  # _shallow(path)
            self.located.shallow_values.setdefault(path, _pos(node))
            if len(path) == SHALLOW:  # an item: where its text is, to locate what lies inside it (Located._item)
                self.located.spans.setdefault(path, (node.start_mark.index, node.end_mark.index))
        tag = node.tag
        cls = node.__class__
        if cls is yaml.ScalarNode:
            if tag == _STR_TAG:  # most values, without a call
                return neutralize_value(node.value)
            if not self.record and tag != _NULL_TAG and len(path) <= SHALLOW:  # what _positions keeps in 'raw'
                self.located.shallow_raw.setdefault(path, node.value)
            ok, value = self.scalar(node, tag)
            if not ok:
                self.located.unreadable.add(path)
            elif self.record and value is not None and not isinstance(value, str):
                self.located.raw.setdefault(path, node.value)
            return value
        if tag != _SEQ_TAG and tag != _MAP_TAG:
            # '!!python/object...', '!!set', '!!omap', local tags: reported, never constructed
            self.add(node, f"unsupported YAML tag '{_short_tag(tag)}'",
                     "remove the tag; a model holds plain mappings, lists and values", "yaml-tag")
            self.located.unreadable.add(path)
            return None
        if cls is yaml.SequenceNode:
            children = node.value
            if not self.consume:
                return [self.build(child, path + (i,), depth + 1) for i, child in enumerate(children)]
            items = []
            for i in range(len(children)):
                child, children[i] = children[i], None
                if child is None:  # read already: the node is shared (an alias)
                    raise _SharedNode
                items.append(self.build(child, path + (i,), depth + 1))
            return items
        if cls is yaml.MappingNode:
            return self.mapping(node, path, depth)
        raise ProblemError([Problem(self.fn, *_pos(node), "unsupported YAML node", "")])  # pragma: no cover

    def mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first: dict[Any, yaml.Node] = {}
        merged: dict[Any, Any] = {}
        record = self.record
        # below the items nothing is kept while reading (but items' ids): text values, booleans and nulls are read
        # here, without a call per value (what 'build' and 'scalar' do for them)
        deep = not record and len(path) >= SHALLOW
        below_items = len(path) > SHALLOW
        ScalarNode = yaml.ScalarNode
        pairs = node.value
        consume = self.consume
        for i in range(len(pairs)):
            pair = pairs[i]
            if consume:
                if pair is None:  # read already: the node is shared (an alias)
                    raise _SharedNode
                pairs[i] = None
            key_node, value_node = pair
            ktag = key_node.tag
            if ktag == _MERGE_TAG:
                value = self.build(value_node, path, depth + 1)
                for m in value if isinstance(value, list) else [value]:
                    if isinstance(m, dict):
                        for k, v in m.items():
                            merged.setdefault(k, v)
                    else:
                        self.add(value_node, "a merge key ('<<') needs a mapping or a list of mappings",
                                 "merge an anchored mapping: '<<: *name'", "yaml-merge")
                continue
            if key_node.__class__ is not ScalarNode:
                self.add(key_node, "a mapping key must be a plain scalar", "use a string key", "yaml-key")
                continue
            if ktag == _STR_TAG:
                key: Any = key_node.value
                if not key.isprintable():
                    key = neutralize_value(key)
            else:
                ok, key = self.scalar(key_node, ktag)
                if not ok or not isinstance(key, str):  # reported; or 'on:', 'no:', '1.5:': keys as written, not true/false/1.5
                    key = str(key_node.value)
            if key in first:
                kpos = _pos(key_node)
                self.problems.append(
                    Problem(self.fn, kpos[0], kpos[1], f"duplicate key '{key}' (first defined at line {_pos(first[key])[0]})",
                            "YAML keeps only one of them; merge the two entries", code="duplicate-key")
                )
                continue
            first[key] = key_node
            if deep and (below_items or key != "id") and value_node.__class__ is ScalarNode:
                vtag = value_node.tag
                v = value_node.value
                if vtag == _STR_TAG:
                    value = v if v.isprintable() else neutralize_value(v)
                elif vtag == _BOOL_TAG and v.lower() in _BOOLS:
                    value = _BOOLS[v.lower()]
                elif vtag == _NULL_TAG:
                    value = None
                else:
                    value = _BUILD
                if value is not _BUILD:
                    self.budget -= 1
                    if self.budget < 0 or depth + 1 > MAX_DEPTH:
                        self.refuse(value_node, depth + 1)
                    result[key] = value
                    continue
            kpath = path + (key,)
            if record:
                self.located.keys[kpath] = _pos(key_node)
            elif len(kpath) <= SHALLOW or (len(kpath) == SHALLOW + 1 and key == "id"):  # _shallow(kpath)
                self.located.shallow_keys[kpath] = _pos(key_node)
            result[key] = self.build(value_node, kpath, depth + 1)
        for k, v in merged.items():  # explicit keys win over merged ones, as YAML specifies
            result.setdefault(k, v)
        return result


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
