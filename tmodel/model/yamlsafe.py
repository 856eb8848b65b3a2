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

import os
import re
import stat
from typing import Any

import yaml

try:  # the C composer is 2-4x faster and gives the same marks
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

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
    value's position was most of its working set, and it is needed only to locate a problem. The
    first read of ``values``, ``keys`` or ``raw`` (``where``) parses the same text again, once, and
    keeps the maps from then on.
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

    def _locate(self) -> None:
        if self._source is None:
            self._values, self._keys, self._raw = self._values or {}, self._keys or {}, self._raw or {}
            return
        text, _ = self._source
        try:
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
                root = yaml.compose(self._source[0], Loader=_Loader)
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
        if self._values is None and _shallow(p):  # an item's position: no need for the full maps
            values, keys = self.shallow_values, self.shallow_keys
        else:
            values, keys = self.values, self.keys
        while True:
            if key and p in keys:
                return keys[p]
            if p in values:
                return values[p]
            if p in keys:
                return keys[p]
            if not p:
                return (1, 1)
            p = p[:-1]


_STR_TAG = "tag:yaml.org,2002:str"


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
    try:
        too_many = _count_nodes(text, filename) if _node_bound(text) > MAX_NODES else None
        if too_many is not None:
            return None, [too_many]
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, text, filename)]
    except yaml.YAMLError as exc:
        return None, [Problem(filename, 1, 1, f"YAML error: {exc}", "fix the YAML syntax")]
    if root is None:
        return None, [Problem(filename, 1, 1, "the file is empty", "a model needs at least 'format_version' and 'metadata'")]
    if "*" in text:  # only aliases share nodes; without one the builder's budget is the bound
        bomb = _check_expansion(root, filename)
        if bomb is not None:
            return None, [bomb]
    builder = _Builder(filename, record=False)
    try:
        data = builder.build(root, (), 0)
    except ProblemError as exc:
        return None, builder.problems + exc.problems
    del root  # the node graph (several times the data's size) goes before validation
    located = Located(data, unreadable=builder.located.unreadable, source=(text, filename))
    located.shallow_values, located.shallow_keys = builder.located.shallow_values, builder.located.shallow_keys
    return located, builder.problems


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

    Streaming the parser's events costs a fifth of composing and keeps memory flat; composing a
    5 MB list of numbers would otherwise build a million node objects (hundreds of MB).
    """
    count = 0
    for event in yaml.parse(text, Loader=_Loader):
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


def _check_expansion(root: yaml.Node, filename: str) -> Problem | None:
    """Refuse documents whose aliases expand beyond ``MAX_NODES`` or refer to themselves.

    Counts the expanded size of every distinct node once (memoized, iteratively), so the cost
    is proportional to the composed document, not to its expansion.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            on_path.discard(nid)
            total = 1 + sum(size[id(c)] for c in _children(node))
            size[nid] = total
            # beyond the budget, or expanding far beyond the distinct nodes composed so far (a bomb)
            if total > MAX_NODES or total > len(size) + ALIAS_EXPANSION:
                line, col = _pos(node)
                return Problem(
                    filename, line, col,
                    (f"the document expands to more than {MAX_NODES:,} nodes" if total > MAX_NODES else
                     f"the document expands by more than {ALIAS_EXPANSION:,} nodes") + " through YAML aliases (an alias bomb?)",
                    "remove the YAML anchors (&name) and aliases (*name) that multiply content", code="yaml-bomb",
                )
            continue
        if nid in size:
            continue
        if nid in on_path:
            line, col = _pos(node)
            return Problem(filename, line, col, "a YAML alias refers to the node that contains it (a recursive structure)",
                           "remove the alias (*name) that points back to its own anchor (&name)", code="yaml-recursive")
        on_path.add(nid)
        stack.append((node, True))
        for child in _children(node):
            cid = id(child)
            if cid in on_path:
                line, col = _pos(node)
                return Problem(filename, line, col, "a YAML alias refers to the node that contains it (a recursive structure)",
                               "remove the alias (*name) that points back to its own anchor (&name)", code="yaml-recursive")
            if cid not in size:
                stack.append((child, False))
    return None


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
    resolver = yaml.resolver.Resolver()
    resolve: Any = resolver.resolve
    implicit_first = set(resolver.yaml_implicit_resolvers)
    # frames: [is_mapping, path, next index or current key, expecting a key]
    stack: list[list[Any]] = []
    skip = object()  # the path part under a key that is not a plain scalar (reported, never read)
    anchors: dict[str, Path] = {}
    merged: list[tuple[Path | None, Path]] = []  # (anchor, at) of merge keys' aliases
    events: Any = yaml.parse(text, Loader=_Loader)
    for ev in events:
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
            elif not ev.implicit[0] or (ev.value and ev.value[0] not in implicit_first):
                tag = _STR_TAG  # quoted, or plain text no implicit type starts with (most values)
            else:
                tag = resolve(yaml.ScalarNode, ev.value, ev.implicit)
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


def _copy_anchored(anchor: Path | None, path: Path, *maps: dict[Path, Any]) -> None:
    """Record under ``path`` what was recorded under the anchored node's ``anchor`` path (aliases are rare in
    models; the scan is bounded by the document, already checked for alias bombs)."""
    if anchor is None:
        return
    n = len(anchor)
    for m in maps:
        for p, v in [(p, v) for p, v in m.items() if p[:n] == anchor]:
            m.setdefault(path + p[n:], v)


class _Builder:
    """Turns composed nodes into plain data, recording positions and collecting problems."""

    def __init__(self, filename: str, record: bool = True):
        self.fn = filename
        self.record = record  # keep every value's position (else recomputed on demand: Located._locate)
        self.located = Located(None)
        self.problems: list[Problem] = []
        self.budget = MAX_NODES
        # one constructor per document: SafeConstructor caches every node it constructs
        self.constructor = yaml.constructor.SafeConstructor()

    def add(self, node: yaml.Node, message: str, hint: str, code: str) -> None:
        self.problems.append(Problem(self.fn, *_pos(node), message, hint, code=code))

    def scalar(self, node: yaml.ScalarNode) -> tuple[bool, Any]:
        if node.tag not in _STANDARD_SCALAR_TAGS:
            self.add(node, f"unsupported YAML tag '{_short_tag(node.tag)}'",
                     "remove the tag; a model holds plain strings, numbers, booleans and dates", "yaml-tag")
            return False, None
        if node.tag == _STR_TAG:  # most values: skip the constructor's machinery (a third of load time)
            return True, neutralize_value(node.value)  # no terminal control character reaches any output
        try:
            return True, self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            self.add(node, f"cannot read the value '{node.value}': {problem}",
                     "write dates as YYYY-MM-DD, or quote the value to keep it as text", "yaml-value")
            return False, None

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:  # a huge document without aliases (with them, _check_expansion refused it already)
            raise ProblemError([Problem(self.fn, *_pos(node), f"the document has more than {MAX_NODES:,} values",
                                        f"a model describes one integration: split it, check you passed the right file, or {RAISE_HINT}",
                                        code="yaml-size")])
        if depth > MAX_DEPTH:
            raise ProblemError([Problem(self.fn, *_pos(node), f"nesting is deeper than {MAX_DEPTH} levels",
                                        "flatten the structure", code="yaml-depth")])
        if self.record:
            self.located.values.setdefault(path, _pos(node))
        elif _shallow(path):
            self.located.shallow_values.setdefault(path, _pos(node))
        if isinstance(node, yaml.ScalarNode):
            ok, value = self.scalar(node)
            if not ok:
                self.located.unreadable.add(path)
            elif self.record and not isinstance(value, str) and value is not None:
                self.located.raw.setdefault(path, node.value)
            return value
        if node.tag not in (_SEQ_TAG, _MAP_TAG) and not isinstance(node, yaml.ScalarNode):
            # '!!python/object...', '!!set', '!!omap', local tags: reported, never constructed
            self.add(node, f"unsupported YAML tag '{_short_tag(node.tag)}'",
                     "remove the tag; a model holds plain mappings, lists and values", "yaml-tag")
            self.located.unreadable.add(path)
            return None
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, path + (i,), depth + 1) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        raise ProblemError([Problem(self.fn, *_pos(node), "unsupported YAML node", "")])  # pragma: no cover

    def mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, tuple[int, int]] = {}
        merged: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                value = self.build(value_node, path, depth + 1)
                for m in value if isinstance(value, list) else [value]:
                    if isinstance(m, dict):
                        for k, v in m.items():
                            merged.setdefault(k, v)
                    else:
                        self.add(value_node, "a merge key ('<<') needs a mapping or a list of mappings",
                                 "merge an anchored mapping: '<<: *name'", "yaml-merge")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.add(key_node, "a mapping key must be a plain scalar", "use a string key", "yaml-key")
                continue
            ok, key = self.scalar(key_node)
            if not ok:  # reported; read the key as the text it is written as
                key = str(key_node.value)
            if not isinstance(key, str):  # 'on:', 'no:', '1.5:' are keys as written, not true/false/1.5
                key = str(key_node.value)
            kpos = _pos(key_node)
            if key in first_seen:
                fl, _ = first_seen[key]
                self.problems.append(
                    Problem(self.fn, kpos[0], kpos[1], f"duplicate key '{key}' (first defined at line {fl})",
                            "YAML keeps only one of them; merge the two entries", code="duplicate-key")
                )
                continue
            first_seen[key] = kpos
            if self.record:
                self.located.keys[path + (key,)] = kpos
            elif _shallow(path + (key,)):
                self.located.shallow_keys[path + (key,)] = kpos
            result[key] = self.build(value_node, path + (key,), depth + 1)
        for k, v in merged.items():  # explicit keys win over merged ones, as YAML specifies
            result.setdefault(k, v)
        return result


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
