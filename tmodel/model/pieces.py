"""A model's text as a run of pieces, so that an edit costs what the edited item costs, not what the model costs.

A piece is a run of whole lines: what comes before the first top-level key, one top-level key with its
value, or, for a list section written as a block list (``elements:`` then ``- id: ...`` lines), the
section's header and then each item from its dash to the line before the next item's dash. Joined,
the pieces are the text, byte for byte. Pieces never change: an edit replaces the pieces it touches
by new ones, so a tuple of pieces is a snapshot of the document (undo and redo swap tuples).

Each piece knows its plain data (what PyYAML reads, as every other reader of models) and where its
values are, without reading the rest of the text again: the pieces of the text as opened take both from
that one parse (shifted by the lines that edits above them added or removed); a new piece is parsed on
its own, in the context it has in the document (an item under its section's key). ``PieceLocated``
answers ``where`` (file:line:col of a value) from the piece holding the value.

A text that cannot be split safely (anchors and aliases, merge keys, several documents, directives, a
root that is not a block mapping) is one piece, edited as a whole (``WHOLE``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

import yaml

try:  # the C scanner, as the model reader's
    from yaml import CSafeLoader as _Scanner
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Scanner  # type: ignore[assignment]

from tmodel.model.yamlsafe import Located, parse_yaml
from tmodel.problems import Problem

LEAD, TOP, HEAD, ITEM, WHOLE = "lead", "top", "head", "item", "whole"
_DOCUMENT_MARKERS = re.compile(r"^(---|\.\.\.|%)", re.MULTILINE)
_DASH = re.compile(r"[ ]*-[ ]+")


@dataclass(eq=False)
class Piece:
    """Lines of the text: ``kind`` LEAD (before the first key), TOP (a key and its value), HEAD (a list
    section's key line and what precedes its first item), ITEM (one item of section ``key``) or WHOLE.
    Never changed once made (``parsed`` is filled in once, on first use)."""

    text: str
    kind: str
    key: str = ""
    ident: Any = None  # an item's identifying value (tmodel.model.save.KEYS), as read when the piece was made
    # where the plain data and positions come from: (the Located of the parse it was read in, the line
    # the piece started at there, its path there) -- or None: parse the piece itself on first use
    base: tuple[Located, int, tuple[Any, ...]] | None = None
    parsed: tuple[Located | None, list[Problem]] | None = field(default=None, repr=False)

    @property
    def lines(self) -> int:
        return self.text.count("\n")

    def lead(self) -> int:
        """How many blank and comment lines open the piece (they belong to it: see ``split``)."""
        n = 0
        for line in self.text.splitlines():
            if not _blank_or_comment(line):
                break
            n += 1
        return n

    def wrapper(self) -> tuple[str, int]:
        """The text the piece is read (and written) in, and the lines that precede the piece there."""
        if self.kind == ITEM:
            return f"{self.key}:\n{self.text}", 1
        return self.text, 0

    def own(self, filename: str) -> tuple[Located | None, list[Problem]]:
        if self.parsed is None:
            text, _ = self.wrapper()
            self.parsed = parse_yaml(text, filename)
        return self.parsed

    def value(self, filename: str) -> tuple[bool, Any, list[Problem]]:
        """(read cleanly, the piece's plain value, the problems reading it found). An item's value is the item;
        a top piece's is its key's value."""
        if self.base is not None:
            base, _, path = self.base
            node: Any = base.data
            for step in path:
                node = node[step]
            return True, node, []
        located, problems = self.own(filename)
        if located is None or problems or not isinstance(located.data, dict) or self.key not in located.data:
            return False, None, problems
        if self.kind == ITEM:
            seq = located.data[self.key]
            if not isinstance(seq, list) or len(seq) != 1:
                return False, None, problems
            return True, seq[0], []
        if len(located.data) != 1:
            return False, None, problems
        return True, located.data[self.key], []

    def where(self, rest: tuple[Any, ...], start: int, filename: str, *, key: bool) -> tuple[int, int]:
        """The position of ``rest`` (the path inside this piece: for an item, below the item) in the document,
        the piece starting at line ``start``."""
        if self.base is not None:
            base, base_start, path = self.base
            line, col = base.where(path + rest, key=key)
            return line - base_start + start, col
        located, _ = self.own(filename)
        if located is None:
            return start, 1
        _, before = self.wrapper()
        line, col = located.where(((self.key, 0) if self.kind == ITEM else (self.key,)) + rest, key=key)
        return line - before - 1 + start, col

    def raw(self, rest: tuple[Any, ...], filename: str) -> Any:
        if self.base is not None:
            base, _, path = self.base
            return base.raw.get(path + rest)
        located, _ = self.own(filename)
        if located is None:
            return None
        return located.raw.get(((self.key, 0) if self.kind == ITEM else (self.key,)) + rest)


def split(text: str, located: Located | None, keys: dict[str, str]) -> list[Piece]:
    """The pieces of ``text`` (read into ``located``; ``keys``: the list sections and their items' identifying
    key). One WHOLE piece when the text cannot be split safely."""
    whole = [Piece(text, WHOLE)]
    data = located.data if located is not None else None
    if not isinstance(data, dict) or not data or _DOCUMENT_MARKERS.search(text) or "<<" in text:
        return whole
    if ("&" in text or "*" in text) and _has_anchors(text):
        return whole
    lines = text.splitlines(keepends=True)
    starts = [0]  # offset of each line
    for ln in lines:
        starts.append(starts[-1] + len(ln))
    assert located is not None
    key_lines: list[tuple[str, int]] = []
    for k in data:
        if not isinstance(k, str):
            return whole
        line, col = located.where((k,), key=True)
        if col != 1 or (key_lines and line <= key_lines[-1][1]) or not (1 <= line <= len(lines)):
            return whole
        key_lines.append((k, line))
    # (kind, key, first line, item index) of each piece; the lines of a piece run to the next one's first line
    marks: list[tuple[str, str, int, int]] = [(LEAD, "", 1, -1)] if key_lines[0][1] > 1 else []
    for n, (k, line) in enumerate(key_lines):
        end = key_lines[n + 1][1] if n + 1 < len(key_lines) else len(lines) + 1  # first line after the key's value
        items = _item_lines(k, line, end, data.get(k), located, lines) if k in keys else None
        if not items:
            marks.append((TOP, k, line, -1))
            continue
        marks.append((HEAD, k, line, -1))
        marks += [(ITEM, k, first, i) for i, first in enumerate(items)]
    marks.append((LEAD, "", len(lines) + 1, -1))  # what follows the last value (see _comments_go_on)
    keep = _KEEP_CHOMPING.search(text) is not None
    for n in range(1, len(marks)):  # comments after a flow collection belong to what follows, as ruamel reads them
        kind, key, first, i = marks[n]
        moved = first if keep else _comments_go_on(lines, marks[n - 1][2], first)
        marks[n] = (kind, key, moved, i)
    pieces: list[Piece] = []
    for n, (kind, key, first, i) in enumerate(marks[:-1]):
        body = "".join(lines[first - 1: marks[n + 1][2] - 1])
        if kind == TOP:
            pieces.append(Piece(body, TOP, key, base=(located, first, (key,))))
        elif kind == ITEM:
            item = data[key][i]
            ident = item.get(keys[key]) if isinstance(item, dict) else None
            pieces.append(Piece(body, ITEM, key, ident, base=(located, first, (key, i))))
        else:
            pieces.append(Piece(body, kind, key))
    tail = "".join(lines[marks[-1][2] - 1:])
    if tail:
        pieces.append(Piece(tail, LEAD))
    pieces = [p for p in pieces if p.text or p.kind != LEAD]
    assert "".join(p.text for p in pieces) == text
    return pieces


_KEEP_CHOMPING = re.compile(r"[|>][1-9]?\+")


def _comments_go_on(lines: list[str], start: int, end: int) -> int:
    """Where the piece ending before line ``end`` (begun at ``start``) really ends. Blank and comment lines after
    a value that closes a flow collection (``data: [a, b]``) go with what follows, as ruamel attaches them
    there (and so an item added after it comes before them); after any other value they stay with it."""
    last = end - 1
    while last > start and _blank_or_comment(lines[last - 1]):
        last -= 1
    if last == end - 1 or not lines[last - 1].rstrip().endswith(("]", "}")):
        return end
    return last + 1


def _blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _item_lines(key: str, key_line: int, end: int, value: Any, located: Located, lines: list[str]) -> list[int] | None:
    """The line of each item's dash, when section ``key`` is a block list whose items each start a line of their own."""
    if not isinstance(value, list) or not value:
        return None
    out: list[int] = []
    dash_col = None
    for i in range(len(value)):
        line, col = located.where((key, i))
        if not (key_line < line < end) or (out and line <= out[-1]):
            return None
        before = lines[line - 1][: col - 1]
        m = _DASH.fullmatch(before)
        if m is None:
            return None
        col_of_dash = before.index("-")
        if dash_col is not None and col_of_dash != dash_col:
            return None
        dash_col = col_of_dash
        out.append(line)
    return out


def _has_anchors(text: str) -> bool:
    try:
        for token in yaml.scan(text, Loader=_Scanner):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                return True
    except yaml.YAMLError:
        return True
    return False


class PieceLocated(Located):
    """The located data of a document of pieces: the data assembled from the pieces' plain values, and every
    position answered by the piece that holds it (no parse of the whole text)."""

    def __init__(self, data: dict[str, Any], pieces: list[Piece], filename: str):
        super().__init__(data, {}, {}, {})
        self._pieces = pieces
        self._filename = filename
        self._starts: list[int] = []
        line = 1
        for p in pieces:
            self._starts.append(line)
            line += p.lines
        # top-level key -> (piece index of its TOP or HEAD piece, indexes of its ITEM pieces)
        self._index: dict[str, tuple[int, list[int]]] = {}
        for n, p in enumerate(pieces):
            if p.kind in (TOP, HEAD):
                self._index[p.key] = (n, [])
            elif p.kind == ITEM:
                self._index[p.key][1].append(n)

    def where(self, path: Any, *, key: bool = False) -> tuple[int, int]:
        p = tuple(path)
        if not p or p[0] not in self._index:
            return (1, 1)
        head, items = self._index[p[0]]
        if items and len(p) >= 2 and isinstance(p[1], int) and 0 <= p[1] < len(items):
            n = items[p[1]]
            return self._pieces[n].where(p[2:], self._starts[n], self._filename, key=key)
        if items:  # the section itself: its key, or its list (which starts at the first item's dash)
            if key:
                return (self._starts[head] + self._pieces[head].lead(), 1)
            first = self._pieces[items[0]]
            at = first.lead()
            line = first.text.splitlines()[at]
            return (self._starts[items[0]] + at, len(line) - len(line.lstrip(" ")) + 1)
        return self._pieces[head].where(p[1:], self._starts[head], self._filename, key=key)

    @property
    def raw(self) -> Any:
        return _RawView(self)

    def raw_at(self, path: tuple[Any, ...]) -> Any:
        if not path or path[0] not in self._index:
            return None
        head, items = self._index[path[0]]
        if items:
            if len(path) >= 2 and isinstance(path[1], int) and 0 <= path[1] < len(items):
                return self._pieces[items[path[1]]].raw(path[2:], self._filename)
            return None
        return self._pieces[head].raw(path[1:], self._filename)

    @property
    def values(self) -> dict[Any, tuple[int, int]]:  # pragma: no cover - positions are asked for one at a time
        return {p: self.where(p) for p in _paths(self.data)}

    @property
    def keys(self) -> dict[Any, tuple[int, int]]:  # pragma: no cover
        return {p: self.where(p, key=True) for p in _paths(self.data) if p and isinstance(p[-1], str)}

    def release_data(self) -> None:
        return None


class _RawView:
    def __init__(self, located: PieceLocated):
        self._located = located

    def get(self, path: Any, default: Any = None) -> Any:
        value = self._located.raw_at(tuple(path))
        return default if value is None else value


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


def assemble(pieces: list[Piece], filename: str) -> tuple[PieceLocated | None, list[Problem]]:
    """The document's located data from its pieces, or (None, problems) when a piece does not read cleanly on its
    own (then the caller reads the whole text: its messages and positions are the reference)."""
    data: dict[str, Any] = {}
    for p in pieces:
        if p.kind in (LEAD,):
            continue
        if p.kind == WHOLE:
            return None, []
        if p.kind == HEAD:
            if p.key in data:
                return None, []
            data[p.key] = []
            continue
        ok, value, problems = p.value(filename)
        if not ok:
            return None, problems
        if p.kind == ITEM:
            if not isinstance(data.get(p.key), list):
                return None, []
            data[p.key].append(value)
        else:
            if p.key in data:
                return None, []
            data[p.key] = value
    return PieceLocated(data, pieces, filename), []
