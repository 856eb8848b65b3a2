"""Editing a model file without losing what the human wrote.

``ModelDocument`` holds a ruamel.yaml round-trip tree: comments, key order, quoting and flow
style survive. Edits are small named operations (set a field, add/remove an item, rename an id
with every reference, upsert a decision/answer/control). ``save`` writes through
``tmodel.fsutil.atomic_write_text`` (temp file, fsync, rename; symlinks written through, mode and
owner kept, read-only files refused) and refuses to overwrite a file whose *content* changed on
disk since it was opened (an outside edit that keeps the mtime, ``cp -p``, is caught too).

Opening reads the file through the model reader's limits (size, UTF-8, binary) and turns every
ruamel.yaml error into a located problem (``ProblemError``), never a traceback.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from enum import Enum
from typing import Any, Callable

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString
from ruamel.yaml.util import load_yaml_guess_indent

from tmodel.fsutil import atomic_write_text
from tmodel.model.load import Loaded, load_model_text
from tmodel.model.pieces import HEAD, ITEM, TOP, WHOLE, Piece, assemble, split
from tmodel.model.yamlsafe import Located, parse_yaml, read_text
from tmodel.problems import Problem, ProblemError

# list sections and the key that identifies their items
KEYS = {"data_assets": "id", "boundaries": "id", "elements": "id", "flows": "id",
        "decisions": "threat", "answers": "question", "controls": "control", "configs": "path"}


class ChangedOnDisk(Exception):
    """The file changed on disk since it was opened; saving would overwrite someone's work."""

    def __init__(self, path: str, disk_text: str):
        super().__init__(f"{path} changed on disk since it was opened")
        self.path = path
        self.disk_text = disk_text


class EditError(ValueError):
    pass


def yaml_safe(value: Any) -> Any:
    """Quote strings that a YAML 1.1 reader (PyYAML, which loads models) would read as something else.

    ruamel writes YAML 1.2, where ``yes``/``no``/``on``/``off`` are plain strings and ``1.2`` is
    written bare; PyYAML reads them back as booleans and numbers. Multi-line text is written as a
    literal block so it stays readable.
    """
    if isinstance(value, list):
        return [yaml_safe(v) for v in value]
    if isinstance(value, str) and not isinstance(value, (DoubleQuotedScalarString, LiteralScalarString)):
        if "\n" in value:
            return LiteralScalarString(value)
        try:
            back = yaml.safe_load(value) if value else ""
        except (yaml.YAMLError, ValueError, OverflowError, RecursionError):
            # '2027-02-30' is a timestamp to YAML that no calendar holds: PyYAML raises ValueError
            return DoubleQuotedScalarString(value)
        if back != value or not isinstance(back, str):
            return DoubleQuotedScalarString(value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return yaml_safe(value.value)
    if isinstance(value, str):
        return yaml_safe(value)
    if isinstance(value, dict) and not isinstance(value, CommentedMap):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = _plain(v)
        return m
    if isinstance(value, (list, tuple)) and not isinstance(value, CommentedSeq):
        s = CommentedSeq()
        s.extend(_plain(v) for v in value)
        return s
    return value


class NoNewAliasRepresenter(RoundTripRepresenter):
    """Never invents an anchor: an object that appears twice (one ``date`` shared by several
    decisions) is written out twice, never as ``&id001`` / ``*id001``. Deleting the anchored item
    by hand would otherwise leave a dangling alias and a model that no longer loads. Anchors the
    person wrote in the file themselves (loaded with their name) are kept."""

    def ignore_aliases(self, data: Any) -> bool:
        anchor = getattr(data, "anchor", None)
        return not (anchor is not None and getattr(anchor, "value", None) is not None)


class ModelDocument:
    """A model file open for editing.

    Opened with the ``located`` data of a parse of the same text (the app's way), the document is a run of
    pieces (``tmodel.model.pieces``): an edit loads the item it touches into ruamel, changes it and writes that
    item again, so it costs what the item costs; the other lines stay byte for byte. Without it (or for a
    text that cannot be split safely), the whole text is one ruamel tree, written whole. Both give the same
    YAML for what was edited: the operations below are the same functions of a ruamel mapping.
    """

    def __init__(self, text: str, path: str, mtime_ns: int = 0, *, located: Located | None = None):
        self.path = path
        self.original_text = text
        self.mtime_ns = mtime_ns
        _, seq_indent, offset = _guess_indent(text, path)
        seq_indent, offset = seq_indent or 2, offset or 0
        self._yaml = YAML(typ="rt")
        self._yaml.Representer = NoNewAliasRepresenter
        self._yaml.width = 4096  # never rewrap the human's long lines
        self._yaml.preserve_quotes = True
        # keep the file's own indentation: "  - id:" lists (sequence 4, offset 2) or "- id:" lists
        self._yaml.indent(mapping=max(2, seq_indent - offset), sequence=seq_indent, offset=offset)
        self._roots: dict[Piece, CommentedMap] = {}  # pieces loaded into ruamel (a WHOLE piece: the document)
        self.pieces: list[Piece] = split(text, located, KEYS) if located is not None else [Piece(text, WHOLE)]
        if self._whole:
            self._roots[self.pieces[0]] = _round_trip_load(self._yaml, text, path)
        self._original = tuple(self.pieces)
        self.dirty = False
        self._text: str | None = None  # the document's text, until the next change

    @property
    def _whole(self) -> bool:
        return self.pieces[0].kind == WHOLE

    @property
    def data(self) -> CommentedMap:
        """The whole document as one ruamel tree (a document of pieces becomes one tree: slower edits from then on)."""
        if not self._whole:
            text = self.text()
            root = _round_trip_load(self._yaml, text, self.path)
            self.pieces = [Piece(text, WHOLE)]
            self._roots = {self.pieces[0]: root}
            self._text = None
        return self._roots[self.pieces[0]]

    def _touch(self) -> None:
        """The document changed: its text is made again when next asked for."""
        self._text = None
        self.dirty = True

    # -- opening and saving -----------------------------------------------------------------
    @classmethod
    def open(cls, path: str) -> "ModelDocument":
        """Open a model for editing. Raises ProblemError (located) for a file that cannot be edited."""
        text = read_text(path)  # size, binary and UTF-8 limits, as every reader
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            mtime = 0
        return cls(text, path, mtime)

    def text(self) -> str:
        """The document as YAML: made once per change (every operation here marks the change)."""
        if self._text is None:
            if self._whole:
                self._text = self._dump(self.data)
            else:
                self._text = "".join(p.text for p in self.pieces)
        return self._text

    def _dump(self, root: Any) -> str:
        buf = io.StringIO()
        self._yaml.dump(root, buf)
        return buf.getvalue()

    def validate(self) -> Loaded:
        return load_model_text(self.text(), self.path, self.mtime_ns)

    def located(self) -> tuple[Located | None, list[Problem]]:
        """The located data of the current text, from the pieces (no parse of the whole text); None when the text
        must be read whole (a WHOLE document, or a piece that does not read cleanly on its own)."""
        if self._whole:
            return None, []
        return assemble(self.pieces, self.path)

    def plain(self) -> Any:
        """The document's data as every reader of models reads it (PyYAML's YAML 1.1)."""
        located, _ = self.located()
        if located is None:
            located, _ = parse_yaml(self.text(), self.path)
        return located.data if located is not None else {}

    # -- snapshots (undo and redo) --------------------------------------------------------------
    def snapshot(self) -> Any:
        """The document's state, to come back to with ``restore`` (pieces are never changed: a tuple of them)."""
        return ("text", self.text()) if self._whole else ("pieces", tuple(self.pieces))

    def restore(self, snapshot: Any) -> None:
        kind, state = snapshot
        if kind == "pieces":
            self.pieces = list(state)
        else:
            piece = Piece(state, WHOLE)
            self.pieces = [piece]
            self._roots = {piece: _round_trip_load(self._yaml, state, self.path)}
        self._text = None

    def reset(self, text: str, located: Located | None) -> None:
        """Replace the whole text (read into ``located``, if it was) as one change."""
        self.pieces = split(text, located, KEYS) if located is not None else [Piece(text, WHOLE)]
        self._roots = {}
        if self._whole:
            self._roots[self.pieces[0]] = _round_trip_load(self._yaml, text, self.path)
        self._touch()

    def changed_on_disk(self) -> str | None:
        """The file's current text if its content changed since it was opened, else None.

        Compared by content, not by mtime: ``cp -p`` or ``rsync -t`` can put other text in the
        file with the old mtime, and a save must not overwrite it."""
        try:
            with open(self.path, "rb") as fh:
                raw = fh.read()
        except FileNotFoundError:
            return ""
        disk = raw.decode("utf-8-sig", errors="replace")
        return None if disk == self.original_text else disk

    def save(self, *, force: bool = False) -> None:
        if not force:
            disk = self.changed_on_disk()
            if disk is not None:
                raise ChangedOnDisk(self.path, disk)
        text = self.text()
        atomic_write_text(self.path, text)
        self.original_text = text
        self._original = tuple(self.pieces)
        try:
            self.mtime_ns = os.stat(self.path).st_mtime_ns
        except OSError:  # removed right after the write: the next save finds it changed
            self.mtime_ns = 0
        self.dirty = False

    # -- pieces -----------------------------------------------------------------------------------
    def _root(self, piece: Piece) -> CommentedMap:
        """``piece`` loaded into ruamel, in its context (an item under its section's key)."""
        root = self._roots.get(piece)
        if root is None:
            text, _ = piece.wrapper()
            root = self._roots[piece] = _round_trip_load(self._yaml, text, self.path)
        return root

    def _find(self, key: Any, ident: Any = None, pieces: Any = None) -> Piece | None:
        """The TOP or HEAD piece of ``key``, or (``ident`` given) the ITEM piece of that item."""
        for p in pieces if pieces is not None else self.pieces:
            if p.key == key and ((ident is None and p.kind in (TOP, HEAD)) or (ident is not None and p.kind == ITEM and p.ident == ident)):
                return p
        return None

    def _target(self, path: tuple[Any, ...], pieces: Any = None, *, merge: bool = False) -> Piece | None:
        """The piece that holds ``path``: an item's, or its top-level key's (None: no such key, or a section of
        items as a whole, which ``merge`` makes one piece of)."""
        head = self._find(path[0], pieces=pieces)
        if head is not None and head.kind == HEAD:
            if len(path) >= 2 and isinstance(path[1], str):
                item = self._find(path[0], path[1], pieces=pieces)
                if item is None:
                    raise EditError(f"no {str(path[0])[:-1].replace('_', ' ')} '{path[1]}'")
                return item
            return self._as_one(path[0]) if merge else None
        return head

    def _as_one(self, key: str) -> Piece:
        """Section ``key``'s header and items as one TOP piece (the section is edited as a whole)."""
        at = [i for i, p in enumerate(self.pieces) if p.key == key and p.kind in (HEAD, ITEM)]
        merged = Piece("".join(self.pieces[i].text for i in at), TOP, key)
        self.pieces[at[0]: at[-1] + 1] = [merged]
        return merged

    def _edit(self, pieces: list[Piece], op: Callable[[CommentedMap], Any]) -> Any:
        """Run ``op`` on a mapping holding ``pieces`` (their items under their sections' keys), then write each
        piece it changed again. A WHOLE document: ``op`` runs on the whole tree."""
        if self._whole:
            result = op(self.data)
            self._touch()
            return result
        roots = [self._root(p) for p in pieces]
        before = [self._dump(r) for r in roots]
        if len(pieces) == 1:
            view = roots[0]
        else:
            view = CommentedMap()
            for p, r in zip(pieces, roots):
                if p.kind == ITEM:
                    view.setdefault(p.key, CommentedSeq()).append(r[p.key][0])
                else:
                    view[p.key] = r[p.key]
        result = op(view)
        for p, r, old in zip(pieces, roots, before):
            text = self._dump(r)
            if text != old:
                self._replace(p, self._piece(text, p.kind, p.key, r))
        return result

    def _piece(self, dumped: str, kind: str, key: str, root: CommentedMap) -> Piece:
        if kind == ITEM:
            head = f"{key}:\n"
            if not dumped.startswith(head):  # pragma: no cover - ruamel writes a one-key mapping so
                raise EditError(f"cannot write the edited {key[:-1]} back into the file")
            item = root[key][0]
            ident = item.get(KEYS[key]) if isinstance(item, dict) else None
            piece = Piece(dumped[len(head):], ITEM, key, ident)
        else:
            piece = Piece(dumped, kind, key)
        self._roots[piece] = root
        return piece

    def _replace(self, old: Piece, new: Piece | None) -> None:
        i = next(n for n, p in enumerate(self.pieces) if p is old)
        if new is None:
            del self.pieces[i]
        else:
            self.pieces[i] = new
        self._roots.pop(old, None)
        self._touch()

    def _append(self, new: Piece, after: Piece | None = None) -> None:
        """Add ``new`` after ``after`` (None: at the end of the text)."""
        if after is None:
            at = len(self.pieces)  # after the comments that close the file too, as ruamel writes a new key
            last = self.pieces[at - 1]
            if last.text and not last.text.endswith("\n"):  # the file ends without a line break: give it one
                self._replace(last, Piece(last.text + "\n", last.kind, last.key, last.ident, last.base))
            self.pieces.insert(at, new)
        else:
            i = next(n for n, p in enumerate(self.pieces) if p is after)
            self.pieces.insert(i + 1, new)
        self._touch()

    def _new_top(self, op: Callable[[CommentedMap], Any]) -> Any:
        """Run ``op`` on an empty mapping and add the top-level key(s) it made at the end of the document."""
        root = CommentedMap()
        result = op(root)
        for key in list(root):
            one = CommentedMap()
            one[key] = root[key]
            self._append(self._piece(self._dump(one), TOP, key, one))
        return result

    # -- navigation ---------------------------------------------------------------------------
    def get(self, path: tuple[Any, ...], default: Any = None) -> Any:
        return self._get(path, default, None)

    def get_original(self, path: tuple[Any, ...], default: Any = None) -> Any:
        """The value at ``path`` in the text as opened (or last saved)."""
        if self._whole or not all(p.kind != WHOLE for p in self._original):
            cached = getattr(self, "_original_doc", None)
            if cached is None or cached[0] != self.original_text:
                cached = (self.original_text, ModelDocument(self.original_text, self.path))
                self._original_doc = cached
            return cached[1].get(path, default)
        return self._get(path, default, self._original)

    def _get(self, path: tuple[Any, ...], default: Any, pieces: Any) -> Any:
        if self._whole:
            return _get(self.data, path, default)
        try:
            piece = self._target(path, pieces)
        except EditError:
            return default
        if piece is None:
            items = [p for p in (pieces if pieces is not None else self.pieces) if p.key == path[0] and p.kind == ITEM]
            seq = CommentedSeq()
            for p in items:
                seq.append(self._root(p)[p.key][0])
            return _get(CommentedMap([(path[0], seq)]), path, default) if items else default
        return _get(self._root(piece), path, default)

    # -- operations ---------------------------------------------------------------------------
    def set(self, path: tuple[Any, ...], value: Any) -> None:
        """Set a field, e.g. ("flows", "tpp-gw", "tls", "min_version"). None removes optional keys."""
        if self._whole:
            self._edit([], lambda root: _set(root, path, value))
            return
        piece = self._target(path, merge=True)
        if piece is None:
            self._new_top(lambda root: _set(root, path, value))
        else:
            self._edit([piece], lambda root: _set(root, path, value))
        self.dirty = True

    def add_item(self, section: str, item: dict[str, Any]) -> None:
        if self._whole:
            self._edit([], lambda root: _add_item(root, section, item))
            return
        key = KEYS[section]
        ident = item.get(key)
        head = self._find(section)
        if head is not None and head.kind == HEAD:
            items = [p for p in self.pieces if p.key == section and p.kind == ITEM]
            if any(p.ident == ident for p in items):
                raise EditError(f"{section[:-1].replace('_', ' ')} '{ident}' already exists")
            one = CommentedMap()
            one[section] = CommentedSeq()
            one[section].append(_plain(item))
            self._append(self._piece(self._dump(one), ITEM, section, one), after=items[-1])
        elif head is not None:
            self._edit([head], lambda root: _add_item(root, section, item))
        else:
            self._new_top(lambda root: _add_item(root, section, item))

    def remove_item(self, section: str, ident: str) -> None:
        if self._whole:
            self._edit([], lambda root: _remove_item(root, section, ident))
            return
        head = self._find(section)
        if head is None:
            raise KeyError(section)
        if head.kind == HEAD:
            piece = self._find(section, ident)
            if piece is None:
                raise EditError(f"no {section[:-1].replace('_', ' ')} '{ident}'")
            if sum(1 for p in self.pieces if p.key == section and p.kind == ITEM) > 1:
                self._replace(piece, None)
                return
            head = self._as_one(section)  # the last item: the section is written again ("section: []")
        self._edit([head], lambda root: _remove_item(root, section, ident))

    def references_to(self, ident: str) -> list[str]:
        """Human descriptions of every place that refers to ``ident`` (for delete confirmations)."""
        return references_in(self.data if self._whole else self.plain(), ident)

    def rename(self, section: str, old: str, new: str) -> list[str]:
        """Rename an id and every reference to it, decisions included. Returns what changed."""
        if old == new:
            return []
        if self._whole:
            return self._edit([], lambda root: _rename(root, section, old, new))  # type: ignore[no-any-return]
        plain = self.plain()
        taken = {x.get("id") for s in ("data_assets", "boundaries", "elements", "flows")
                 for x in (plain.get(s) or []) if isinstance(x, dict)}
        if new in taken:
            raise EditError(f"id '{new}' is already used")
        self._target((section, old))  # raises for an unknown item
        touched = [p for p in self.pieces if p.kind in (TOP, ITEM) and p.key in _RENAME_SECTIONS
                   and _mentions(self._plain_of(p), old)]
        return self._edit(touched, lambda root: _rename(root, section, old, new))  # type: ignore[no-any-return]

    def _plain_of(self, piece: Piece) -> Any:
        ok, value, _ = piece.value(self.path)
        return value if ok else self._root(piece)  # a piece that does not read alone: what ruamel reads

    def _upsert(self, section: str, ident: str, fields: dict[str, Any]) -> bool:
        """Update the item keyed ``ident`` (keeping its other keys and comments) or append it."""
        if self._whole:
            return self._edit([], lambda root: _upsert(root, section, ident, fields))  # type: ignore[no-any-return]
        head = self._find(section)
        if head is not None and head.kind == HEAD:
            piece = self._find(section, ident)
            if piece is None:
                self.add_item(section, {KEYS[section]: ident})
                piece = self._find(section, ident)
                assert piece is not None
                self._edit([piece], lambda root: _upsert(root, section, ident, fields))
                return True
            return self._edit([piece], lambda root: _upsert(root, section, ident, fields))  # type: ignore[no-any-return]
        if head is not None:
            return self._edit([head], lambda root: _upsert(root, section, ident, fields))  # type: ignore[no-any-return]
        return self._new_top(lambda root: _upsert(root, section, ident, fields))  # type: ignore[no-any-return]

    def set_decision(self, threat: str, status: str, **fields: Any) -> bool:
        return self._upsert("decisions", threat, {"status": status, **fields})

    def set_answer(self, question: str, status: str, **fields: Any) -> bool:
        return self._upsert("answers", question, {"status": status, **fields})

    def set_control(self, control: str, status: str, **fields: Any) -> bool:
        return self._upsert("controls", control, {"status": status, **fields})


# -- the operations, as functions of a ruamel mapping (the whole document, or the pieces an edit touches) --

_RENAME_SECTIONS = ("data_assets", "boundaries", "elements", "flows", "controls", "decisions", "configs")


def _mentions(value: Any, ident: str) -> bool:
    """Does ``value`` hold ``ident`` (or a threat id on it) anywhere: the pieces a rename may change."""
    if isinstance(value, str):
        return value == ident or value.endswith(f"@{ident}")
    if isinstance(value, dict):
        return any(_mentions(v, ident) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, ident) for v in value)
    return False


def _index(data: Any, section: str, ident: str) -> int:
    items = data.get(section) or []
    key = KEYS[section]
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get(key) == ident:
            return i
    raise EditError(f"no {section[:-1].replace('_', ' ')} '{ident}'")


def _walk(data: Any, path: tuple[Any, ...], create: bool = False) -> tuple[Any, Any]:
    """(container, key) of the last step; list items are addressed by their id string."""
    node: Any = data
    section = ""
    for step in path[:-1]:
        if isinstance(node, list) and isinstance(step, str):
            step = _index(data, section, step)
        if isinstance(node, dict) and step not in node:
            if not create:
                raise EditError(f"no '{step}' in {'.'.join(map(str, path))}")
            node[step] = CommentedMap()
        section = step if isinstance(step, str) else section
        node = node[step]
    last = path[-1]
    if isinstance(node, list) and isinstance(last, str):
        last = _index(data, section, last)
    return node, last


def _get(data: Any, path: tuple[Any, ...], default: Any = None) -> Any:
    try:
        node, key = _walk(data, path)
        return node[key] if (isinstance(node, dict) and key in node) or isinstance(node, list) else default
    except (EditError, KeyError, IndexError):
        return default


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    node, key = _walk(data, path, create=True)
    before = node.get(key) if isinstance(node, dict) else None
    if value is None:
        if isinstance(node, dict) and key in node:
            del node[key]
    else:
        node[key] = _plain(value)
    if before != (None if value is None else node[key]):
        _forget_source(data, path)


def _forget_source(data: Any, path: tuple[Any, ...]) -> None:
    """A value changed by hand no longer comes from where an importer found it: drop its derived_from entry."""
    if len(path) < 3 or path[0] not in ("data_assets", "elements", "flows") or path[2] == "derived_from":
        return
    item = _get(data, path[:2])
    src = item.get("derived_from") if isinstance(item, dict) else None
    field = ".".join(str(p) for p in path[2:])
    if isinstance(src, dict) and field in src:
        del src[field]
        if not src:
            del item["derived_from"]


def _add_item(data: Any, section: str, item: dict[str, Any]) -> None:
    key = KEYS[section]
    ident = item.get(key)
    if any(isinstance(x, dict) and x.get(key) == ident for x in data.get(section) or []):
        raise EditError(f"{section[:-1].replace('_', ' ')} '{ident}' already exists")
    if section not in data or data[section] is None:
        data[section] = CommentedSeq()
    data[section].append(_plain(item))


def _remove_item(data: Any, section: str, ident: str) -> None:
    del data[section][_index(data, section, ident)]


def references_in(data: Any, ident: str) -> list[str]:
    """Human descriptions of every place in ``data`` (a model's mapping) that refers to ``ident``."""
    refs: list[str] = []
    for f in data.get("flows") or []:
        for end in ("from", "to"):
            if f.get(end) == ident:
                refs.append(f"flow '{f.get('id')}' {end}")
        if ident in (f.get("data") or []):
            refs.append(f"flow '{f.get('id')}' data")
    for e in data.get("elements") or []:
        if e.get("boundary") == ident:
            refs.append(f"element '{e.get('id')}' boundary")
    for b in data.get("boundaries") or []:
        if b.get("parent") == ident:
            refs.append(f"boundary '{b.get('id')}' parent")
    for c in data.get("controls") or []:
        if ident in (c.get("scope") or []):
            refs.append(f"control '{c.get('control')}' scope")
    for d in data.get("decisions") or []:
        if str(d.get("threat", "")).endswith(f"@{ident}"):
            refs.append(f"decision '{d.get('threat')}'")
    for link in data.get("configs") or []:
        if isinstance(link, dict) and link.get("element") == ident:
            refs.append(f"configs '{link.get('path')}' element")
    return refs


def _rename(data: Any, section: str, old: str, new: str) -> list[str]:
    """Rename an id and every reference to it in ``data``. Returns what changed."""
    taken = {x.get("id") for s in ("data_assets", "boundaries", "elements", "flows") for x in data.get(s) or []}
    if new in taken:
        raise EditError(f"id '{new}' is already used")
    item = data[section][_index(data, section, old)]
    item["id"] = new
    changed = [f"{section[:-1].replace('_', ' ')} '{old}' -> '{new}'"]
    for f in data.get("flows") or []:
        for end in ("from", "to"):
            if f.get(end) == old and section == "elements":
                f[end] = new
                changed.append(f"flow '{f.get('id')}' {end}")
        fdata = f.get("data")
        if section == "data_assets" and fdata and old in fdata:
            fdata[fdata.index(old)] = new
            changed.append(f"flow '{f.get('id')}' data")
    if section == "boundaries":
        for e in data.get("elements") or []:
            if e.get("boundary") == old:
                e["boundary"] = new
                changed.append(f"element '{e.get('id')}' boundary")
        for b in data.get("boundaries") or []:
            if b.get("parent") == old:
                b["parent"] = new
                changed.append(f"boundary '{b.get('id')}' parent")
    if section == "elements":
        for link in data.get("configs") or []:
            if isinstance(link, dict) and link.get("element") == old:
                link["element"] = new
                changed.append(f"configs '{link.get('path')}' element")
    for c in data.get("controls") or []:
        scope = c.get("scope")
        if scope and old in scope:
            scope[scope.index(old)] = new
            changed.append(f"control '{c.get('control')}' scope")
    for d in data.get("decisions") or []:
        threat = str(d.get("threat", ""))
        if threat.endswith(f"@{old}"):
            d["threat"] = threat[: -len(old)] + new
            changed.append(f"decision '{threat}' -> '{d['threat']}'")
    return changed


def _upsert(data: Any, section: str, ident: str, fields: dict[str, Any]) -> bool:
    """Update the item keyed ``ident`` in ``data`` (keeping its other keys and comments) or append it."""
    key = KEYS[section]
    try:
        item = data[section][_index(data, section, ident)]
        created = False
    except (EditError, KeyError, TypeError):
        _add_item(data, section, {key: ident})
        item = data[section][-1]
        created = True
    for k, v in fields.items():
        if v is None or v == "" or v == []:
            if k in item:
                del item[k]
        else:
            item[k] = _plain(v)
    return created


def _yaml_error_problem(exc: Exception, text: str, path: str) -> Problem:
    """A located problem for ruamel's error: PyYAML's reading of the same text when it finds the
    mistake (its messages are the ones every other reader gives), else ruamel's own mark."""
    _, problems = parse_yaml(text, path)
    errors = [p for p in problems if p.is_error]
    if errors:
        return sorted(errors)[0]
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    message = " ".join(str(getattr(exc, "problem", None) or exc).split()) or type(exc).__name__
    return Problem(path, line, col, f"YAML error: {message}", "fix the YAML here; the file was not changed", code="yaml-syntax")


class _NoLoad:
    """Lets ruamel's indentation guess (which reads lines) skip its own round-trip load of the document:
    the document is loaded once, by ``_round_trip_load`` (a second load was half of opening a model)."""

    def load(self, text: str) -> None:
        return None


def _guess_indent(text: str, path: str) -> tuple[Any, int, int]:
    if not text.strip():
        return None, 4, 2
    try:
        guessed: tuple[Any, int, int] = load_yaml_guess_indent(text, yaml=_NoLoad())
        return guessed
    except Exception as exc:  # noqa: BLE001 - ruamel raises many kinds of errors for broken YAML
        raise ProblemError([_yaml_error_problem(exc, text, path)]) from None


def _round_trip_load(y: YAML, text: str, path: str) -> CommentedMap:
    try:
        data = y.load(text)
    except Exception as exc:  # noqa: BLE001 - ruamel raises many kinds of errors for broken YAML
        raise ProblemError([_yaml_error_problem(exc, text, path)]) from None
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        raise ProblemError([Problem(path, 1, 1, "the model must be a mapping of keys", "start the file with 'format_version: 1' and 'metadata:'", code="type")])
    return data


def today() -> dt.date:
    return dt.date.today()
