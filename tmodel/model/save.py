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
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString
from ruamel.yaml.util import load_yaml_guess_indent

from tmodel.fsutil import atomic_write_text
from tmodel.model.load import Loaded, load_model_text
from tmodel.model.yamlsafe import parse_yaml, read_text
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
    def __init__(self, text: str, path: str, mtime_ns: int = 0):
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
        self.data: CommentedMap = _round_trip_load(self._yaml, text, path)
        self.dirty = False
        self._text: str | None = None  # the serialized document, until the next change

    def _touch(self) -> None:
        """The document changed: its text is serialized again when next asked for."""
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
        """The document as YAML: serialized once per change (every operation here marks the change)."""
        if self._text is None:
            buf = io.StringIO()
            self._yaml.dump(self.data, buf)
            self._text = buf.getvalue()
        return self._text

    def validate(self) -> Loaded:
        return load_model_text(self.text(), self.path, self.mtime_ns)

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
        try:
            self.mtime_ns = os.stat(self.path).st_mtime_ns
        except OSError:  # removed right after the write: the next save finds it changed
            self.mtime_ns = 0
        self.dirty = False

    # -- navigation ---------------------------------------------------------------------------
    def _index(self, section: str, ident: str) -> int:
        items = self.data.get(section) or []
        key = KEYS[section]
        for i, item in enumerate(items):
            if isinstance(item, dict) and item.get(key) == ident:
                return i
        raise EditError(f"no {section[:-1].replace('_', ' ')} '{ident}'")

    def _walk(self, path: tuple[Any, ...], create: bool = False) -> tuple[Any, Any]:
        """(container, key) of the last step; list items are addressed by their id string."""
        node: Any = self.data
        section = ""
        for step in path[:-1]:
            if isinstance(node, list) and isinstance(step, str):
                step = self._index(section, step)
            if isinstance(node, dict) and step not in node:
                if not create:
                    raise EditError(f"no '{step}' in {'.'.join(map(str, path))}")
                node[step] = CommentedMap()
            section = step if isinstance(step, str) else section
            node = node[step]
        last = path[-1]
        if isinstance(node, list) and isinstance(last, str):
            last = self._index(section, last)
        return node, last

    def get(self, path: tuple[Any, ...], default: Any = None) -> Any:
        try:
            node, key = self._walk(path)
            return node[key] if (isinstance(node, dict) and key in node) or isinstance(node, list) else default
        except (EditError, KeyError, IndexError):
            return default

    # -- operations ---------------------------------------------------------------------------
    def set(self, path: tuple[Any, ...], value: Any) -> None:
        """Set a field, e.g. ("flows", "tpp-gw", "tls", "min_version"). None removes optional keys."""
        node, key = self._walk(path, create=True)
        before = node.get(key) if isinstance(node, dict) else None
        if value is None:
            if isinstance(node, dict) and key in node:
                del node[key]
        else:
            node[key] = _plain(value)
        if before != (None if value is None else node[key]):
            self._forget_source(path)
        self._touch()

    def _forget_source(self, path: tuple[Any, ...]) -> None:
        """A value changed by hand no longer comes from where an importer found it: drop its derived_from entry."""
        if len(path) < 3 or path[0] not in ("data_assets", "elements", "flows") or path[2] == "derived_from":
            return
        item = self.get(path[:2])
        src = item.get("derived_from") if isinstance(item, dict) else None
        field = ".".join(str(p) for p in path[2:])
        if isinstance(src, dict) and field in src:
            del src[field]
            if not src:
                del item["derived_from"]

    def add_item(self, section: str, item: dict[str, Any]) -> None:
        key = KEYS[section]
        ident = item.get(key)
        if any(isinstance(x, dict) and x.get(key) == ident for x in self.data.get(section) or []):
            raise EditError(f"{section[:-1].replace('_', ' ')} '{ident}' already exists")
        if section not in self.data or self.data[section] is None:
            self.data[section] = CommentedSeq()
        self.data[section].append(_plain(item))
        self._touch()

    def remove_item(self, section: str, ident: str) -> None:
        del self.data[section][self._index(section, ident)]
        self._touch()

    def references_to(self, ident: str) -> list[str]:
        """Human descriptions of every place that refers to ``ident`` (for delete confirmations)."""
        refs: list[str] = []
        for f in self.data.get("flows") or []:
            for end in ("from", "to"):
                if f.get(end) == ident:
                    refs.append(f"flow '{f.get('id')}' {end}")
            if ident in (f.get("data") or []):
                refs.append(f"flow '{f.get('id')}' data")
        for e in self.data.get("elements") or []:
            if e.get("boundary") == ident:
                refs.append(f"element '{e.get('id')}' boundary")
        for b in self.data.get("boundaries") or []:
            if b.get("parent") == ident:
                refs.append(f"boundary '{b.get('id')}' parent")
        for c in self.data.get("controls") or []:
            if ident in (c.get("scope") or []):
                refs.append(f"control '{c.get('control')}' scope")
        for d in self.data.get("decisions") or []:
            if str(d.get("threat", "")).endswith(f"@{ident}"):
                refs.append(f"decision '{d.get('threat')}'")
        for link in self.data.get("configs") or []:
            if isinstance(link, dict) and link.get("element") == ident:
                refs.append(f"configs '{link.get('path')}' element")
        return refs

    def rename(self, section: str, old: str, new: str) -> list[str]:
        """Rename an id and every reference to it, decisions included. Returns what changed."""
        if old == new:
            return []
        taken = {x.get("id") for s in ("data_assets", "boundaries", "elements", "flows") for x in self.data.get(s) or []}
        if new in taken:
            raise EditError(f"id '{new}' is already used")
        item = self.data[section][self._index(section, old)]
        item["id"] = new
        changed = [f"{section[:-1].replace('_', ' ')} '{old}' -> '{new}'"]
        for f in self.data.get("flows") or []:
            for end in ("from", "to"):
                if f.get(end) == old and section == "elements":
                    f[end] = new
                    changed.append(f"flow '{f.get('id')}' {end}")
            data = f.get("data")
            if section == "data_assets" and data and old in data:
                data[data.index(old)] = new
                changed.append(f"flow '{f.get('id')}' data")
        if section == "boundaries":
            for e in self.data.get("elements") or []:
                if e.get("boundary") == old:
                    e["boundary"] = new
                    changed.append(f"element '{e.get('id')}' boundary")
            for b in self.data.get("boundaries") or []:
                if b.get("parent") == old:
                    b["parent"] = new
                    changed.append(f"boundary '{b.get('id')}' parent")
        if section == "elements":
            for link in self.data.get("configs") or []:
                if isinstance(link, dict) and link.get("element") == old:
                    link["element"] = new
                    changed.append(f"configs '{link.get('path')}' element")
        for c in self.data.get("controls") or []:
            scope = c.get("scope")
            if scope and old in scope:
                scope[scope.index(old)] = new
                changed.append(f"control '{c.get('control')}' scope")
        for d in self.data.get("decisions") or []:
            threat = str(d.get("threat", ""))
            if threat.endswith(f"@{old}"):
                d["threat"] = threat[: -len(old)] + new
                changed.append(f"decision '{threat}' -> '{d['threat']}'")
        self._touch()
        return changed

    def _upsert(self, section: str, ident: str, fields: dict[str, Any]) -> bool:
        """Update the item keyed ``ident`` (keeping its other keys and comments) or append it."""
        key = KEYS[section]
        try:
            item = self.data[section][self._index(section, ident)]
            created = False
        except (EditError, KeyError, TypeError):
            self.add_item(section, {key: ident})
            item = self.data[section][-1]
            created = True
        for k, v in fields.items():
            if v is None or v == "" or v == []:
                if k in item:
                    del item[k]
            else:
                item[k] = _plain(v)
        self._touch()
        return created

    def set_decision(self, threat: str, status: str, **fields: Any) -> bool:
        return self._upsert("decisions", threat, {"status": status, **fields})

    def set_answer(self, question: str, status: str, **fields: Any) -> bool:
        return self._upsert("answers", question, {"status": status, **fields})

    def set_control(self, control: str, status: str, **fields: Any) -> bool:
        return self._upsert("controls", control, {"status": status, **fields})


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
