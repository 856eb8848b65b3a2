"""The engine service behind the terminal app. It imports no textual: the UI calls it, tests drive it directly.

It holds the models of one folder (or one file). Opening a model for editing gives it a
``ModelDocument`` (the ruamel round trip that keeps comments). Every change is a named operation
applied through that document, followed at once by re-validation and re-analysis, so every
screen reads one fresh ``Analysis``. Field edits are strict: an edit that would add a validation
error is undone and reported (the form shows the message next to the field). Deleting an item is
allowed to leave dangling references: the user confirmed it, and the problems list says what to fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable


from tmodel.analysis.incremental import Analyser
from tmodel.analysis.references import check_catalog_references
from tmodel.analysis.result import Analysis
from tmodel.catalog.load import Catalog
from tmodel.model.checks import keep_flow_shapes
from tmodel.model.enums import LEVEL_ORDER, Level
from tmodel.model.load import Loaded, load_located, load_model, load_model_text, model_files
from tmodel.model.save import KEYS, ChangedOnDisk, EditError, ModelDocument, yaml_safe
from tmodel.problems import Problem
from tmodel.tui.fields import linked_edits

__all__ = ["ChangedOnDisk", "EditError", "EditRejected", "Entry", "Service", "Summary", "SECTIONS"]

# the list sections the Structure screen edits, in display order
SECTIONS = ("boundaries", "elements", "flows", "data_assets")
SECTION_TITLES = {"metadata": "Model", "boundaries": "Boundaries", "elements": "Elements", "flows": "Flows",
                  "data_assets": "Data assets", "controls": "Controls", "decisions": "Decisions", "answers": "Answers"}
_CATALOG_FILE = re.compile(r"^catalog\s*:", re.M)
_MODEL_FILE = re.compile(r"^metadata\s*:", re.M)


class EditRejected(EditError):
    """The edit would make the model invalid; it was undone. ``problems`` says why."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass
class Entry:
    """One model file: its text as loaded, its editable document (once opened) and its analysis."""

    path: str
    rel: str
    loaded: Loaded
    problems: list[Problem] = field(default_factory=list)
    analysis: Analysis | None = None
    analysis_current: bool = False  # False: the analysis is from the last valid state (or there is none)
    doc: ModelDocument | None = None
    open_error: str = ""  # why the file cannot be edited (e.g. a YAML syntax error)
    dirty: bool = False
    version: int = 0
    # undo and redo: the document's state (ModelDocument.snapshot) before (after) each edit since the model was
    # opened, with what the edit was; restoring a state and saving writes exactly that state's text
    analyser: Analyser | None = None  # the analysis kept from edit to edit (only what an edit touches is redone)
    undo_stack: list[tuple[Any, str]] = field(default_factory=list)
    redo_stack: list[tuple[Any, str]] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def model(self) -> Any:
        return self.loaded.model

    @property
    def title(self) -> str:
        if self.loaded.model is not None:
            return self.loaded.model.metadata.title
        data = self.loaded.located.data if self.loaded.located else None
        meta = data.get("metadata") if isinstance(data, dict) else None
        return str(meta.get("title", "")) if isinstance(meta, dict) else ""

    @property
    def owner(self) -> str:
        if self.loaded.model is not None:
            return self.loaded.model.metadata.owner
        data = self.loaded.located.data if self.loaded.located else None
        meta = data.get("metadata") if isinstance(data, dict) else None
        return str(meta.get("owner", "")) if isinstance(meta, dict) else ""


@dataclass
class Summary:
    path: str
    rel: str
    title: str
    owner: str
    unresolved: dict[str, int]  # residual level -> unresolved threats
    compliance: float | None  # mean coverage over frameworks, percent
    errors: int
    warnings: int
    dirty: bool
    pending: bool = False  # not loaded and analysed yet (the app does it in a worker)

    @property
    def status(self) -> str:
        if self.pending:
            return "… analysing"
        if self.errors:
            return f"✗ {self.errors} error(s)"
        if self.warnings:
            return f"✓ {self.warnings} warning(s)"
        return "✓ valid"


class Service:
    """Loaded models of a folder (or one file) and the edit operations the app offers."""

    def __init__(self, root: str, catalog: Catalog, *, as_of: dt.date | None = None, user: str | None = None):
        self.root = root
        self.catalog = catalog
        self.as_of = as_of or dt.date.today()
        self.user = user
        self.base = root if os.path.isdir(root) else os.path.dirname(root) or "."
        self.entries: dict[str, Entry] = {}
        self.files: list[str] = []
        self.scan_problems: list[Problem] = []
        self.skipped: list[str] = []  # catalog files found next to the models
        self.current: Entry | None = None
        self.version = 0
        self.listeners: list[Callable[[], None]] = []
        keep_flow_shapes()  # the checks after every edit see again only the flows it changed
        self.scan()

    # -- discovery and loading ----------------------------------------------------------------
    def scan(self) -> None:
        files, problems = model_files([self.root])
        self.files, self.skipped = [], []
        for f in files:
            (self.skipped if _looks_like_catalog(f) else self.files).append(f)
        self.scan_problems = problems
        for gone in set(self.entries) - set(self.files):
            if not self.entries[gone].dirty:
                del self.entries[gone]

    @property
    def single_file(self) -> bool:
        return os.path.isfile(self.root)

    def rel(self, path: str) -> str:
        return os.path.relpath(path, self.base)

    def entry(self, path: str) -> Entry:
        """The entry of ``path``, loading and analysing it on first use."""
        e = self.entries.get(path)
        if e is None:
            e = self.load_entry(path)
            self.entries[path] = e
        return e

    def load_entry(self, path: str) -> Entry:
        """``path`` loaded and analysed into a new entry that is not registered: safe to run in a worker
        thread (it reads the file, the catalog and the service's settings, and changes nothing shared).
        ``adopt`` registers it, on the thread that owns the service."""
        e = Entry(path, self.rel(path), load_model(path))
        self._analyse(e)
        return e

    def pending(self) -> list[str]:
        """The listed model files not loaded and analysed yet."""
        return [f for f in self.files if f not in self.entries]

    def adopt(self, e: Entry) -> bool:
        """Register an entry prepared by ``load_entry`` elsewhere. Refused (False) when the model was loaded
        meanwhile (the entry in use, perhaps opened and edited, stays), left the folder, or changed on disk
        since it was read (its analysis would be stale: it is loaded again when needed)."""
        if e.path in self.entries or e.path not in self.files:
            return False
        try:
            mtime = os.stat(e.path).st_mtime_ns
        except OSError:
            mtime = -1
        if e.loaded.text and mtime != e.loaded.mtime_ns:
            return False
        self.entries[e.path] = e
        self.version += 1
        return True

    def summary(self, path: str, *, load: bool = True) -> Summary:
        """One model's row on the Models screen; without ``load``, a model not analysed yet is shown pending."""
        e = self.entry(path) if load else self.entries.get(path)
        if e is None:
            return Summary(path, self.rel(path), "", "", {lv.value: 0 for lv in Level}, None, 0, 0, False, pending=True)
        a = e.analysis
        unresolved = {lv.value: 0 for lv in Level}
        compliance = None
        if a is not None:
            for t in a.threats:
                if t.unresolved:
                    unresolved[t.residual_level] += 1
            if a.frameworks:
                compliance = round(sum(fw.coverage for fw in a.frameworks) / len(a.frameworks), 1)
        return Summary(path, e.rel, e.title, e.owner, unresolved, compliance, len(e.errors), len(e.warnings), e.dirty)

    def summaries(self, *, load: bool = True) -> list[Summary]:
        return [self.summary(f, load=load) for f in self.files]

    def open(self, path: str) -> Entry:
        """Make ``path`` the current model and give it an editable document."""
        e = self.entry(path)
        if e.doc is None and not e.open_error:
            try:
                e.doc = self._document(e)
            except Exception as exc:  # ruamel raises many kinds of errors for broken YAML
                e.open_error = f"cannot edit this file: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        self.current = e
        self._changed(e, reanalyse=False)
        return e

    def _document(self, e: Entry) -> ModelDocument:
        """The editable document of ``e``: from the text it was loaded from when the file is unchanged
        since (one read and one YAML parse of the model for reading; ruamel's for editing), else the
        entry is read again first, so that the document, the model and the analysis agree."""
        try:
            mtime = os.stat(e.path).st_mtime_ns
        except OSError:
            mtime = -1
        if not e.loaded.text or mtime != e.loaded.mtime_ns:
            e.loaded = load_model(e.path)
            self._analyse(e)
        if e.loaded.located is None:
            return ModelDocument.open(e.path)  # YAML that cannot be read: ruamel's own message
        # a clean read is split into pieces (an edit then costs what the edited item costs); else edited whole
        return ModelDocument(e.loaded.text, e.path, e.loaded.mtime_ns, located=e.loaded.located if e.loaded.yaml_clean else None)

    # -- re-validation ------------------------------------------------------------------------
    def _analyse(self, e: Entry) -> None:
        lm = e.loaded
        problems = list(lm.problems)
        if lm.model is not None:
            found = check_catalog_references(lm.model, self.catalog, lm.located, e.path)
            if lm.model.configs:  # linked configuration files: missing, unreadable or invalid
                from tmodel.analysis.config_facts import audit_linked

                found += audit_linked(lm.model, e.path, None, lm.located)[1]
            problems = sorted(set(problems) | set(found))
        e.problems = problems
        # a model with errors is not analysed (the CLI would refuse it too); the last valid
        # analysis stays on screen, marked as such. Unknown catalog ids alone do not block it.
        if lm.ok and lm.model is not None:
            if e.analyser is None:
                e.analyser = Analyser(self.catalog, path=e.path, as_of=self.as_of)
            e.analysis = e.analyser.analyse(lm.model, lm.located)  # what engine.analyze gives (tests/tui/test_incremental.py)
            e.analysis_current = True
        else:
            e.analysis_current = False

    def _revalidate(self, e: Entry) -> str:
        """Validate and analyse the document's current text: from its pieces when they read cleanly (no parse
        of the whole text), else from the text (its messages and positions are the reference)."""
        assert e.doc is not None
        text = e.doc.text()
        located, _ = e.doc.located()
        if located is not None:
            e.loaded = load_located(located, text, e.path, e.doc.mtime_ns, previous=e.loaded)
        else:
            e.loaded = load_model_text(text, e.path, e.doc.mtime_ns)
        self._analyse(e)
        e.dirty = text != e.doc.original_text
        return text

    def _changed(self, e: Entry, *, reanalyse: bool = True) -> None:
        if reanalyse:
            self._revalidate(e)
        e.version += 1
        self.version += 1
        for fn in list(self.listeners):
            fn()

    def _doc(self) -> tuple[Entry, ModelDocument]:
        e = self.current
        if e is None:
            raise EditError("no model is open")
        if e.doc is None:
            raise EditError(e.open_error or "this model cannot be edited")
        return e, e.doc

    def _apply(self, op: Callable[[ModelDocument], Any], *, strict: bool = True, what: str = "edit") -> Any:
        """Run ``op`` on the current document, re-validate and re-analyse; undo it if it adds errors.
        A change that is kept goes on the undo stack (``what`` names it for the undo message)."""
        e, doc = self._doc()
        before_text, before_dirty = doc.text(), doc.dirty  # the text is kept from the last change: not made again
        before = doc.snapshot()
        before_state = (e.loaded, e.problems, e.analysis, e.analysis_current, e.dirty)
        before_errors = {p.message for p in e.errors}
        try:
            result = op(doc)
        except EditError:
            self._restore(e, before, before_dirty)
            raise
        after_text = self._revalidate(e)  # the edit's text, made once: for validation, undo and saving
        new = [p for p in e.errors if p.message not in before_errors]
        if strict and new:
            self._restore(e, before, before_dirty)
            e.loaded, e.problems, e.analysis, e.analysis_current, e.dirty = before_state  # as it was: nothing to redo
            p = new[0]
            raise EditRejected(p.message + (f" ({p.hint})" if p.hint else ""), new)
        if e.doc is not None and after_text != before_text:
            e.undo_stack.append((before, what))
            e.redo_stack.clear()
        self._changed(e, reanalyse=False)
        return result

    def restore_text(self, text: str, what: str = "restore recovered changes") -> None:
        """Replace the open model's text by ``text`` (recovered after a crash) as one undoable edit."""
        e, doc = self._doc()
        before, dirty = doc.snapshot(), doc.dirty
        try:
            lm = load_model_text(text, e.path, doc.mtime_ns)
            doc.reset(text, lm.located if lm.yaml_clean else None)
        except Exception as exc:
            self._restore(e, before, dirty)
            raise EditError(f"the recovered text cannot be read: {exc}") from None
        self._revalidate(e)
        e.undo_stack.append((before, what))
        e.redo_stack.clear()
        self._changed(e, reanalyse=False)

    # -- undo and redo ------------------------------------------------------------------------
    def can_undo(self) -> bool:
        return self.current is not None and bool(self.current.undo_stack)

    def can_redo(self) -> bool:
        return self.current is not None and bool(self.current.redo_stack)

    def undo(self) -> str | None:
        """Go back one edit; returns what was undone, or None when there is nothing to undo."""
        return self._step(back=True)

    def redo(self) -> str | None:
        """Re-apply the last undone edit; returns what was redone, or None."""
        return self._step(back=False)

    def _step(self, *, back: bool) -> str | None:
        e = self.current
        if e is None or e.doc is None:
            return None
        source, target = (e.undo_stack, e.redo_stack) if back else (e.redo_stack, e.undo_stack)
        if not source:
            return None
        state, what = source.pop()
        target.append((e.doc.snapshot(), what))
        self._restore(e, state, True)
        self._revalidate(e)
        e.doc.dirty = e.dirty
        self._changed(e, reanalyse=False)
        return what

    def _restore(self, e: Entry, state: Any, dirty: bool) -> None:
        """Put the document back as it was at ``state`` (``ModelDocument.snapshot``)."""
        assert e.doc is not None
        e.doc.restore(state)
        e.doc.dirty = dirty

    # -- edit operations ----------------------------------------------------------------------
    def value(self, section: str, ident: str | None, path: tuple[str, ...], default: Any = None) -> Any:
        e, doc = self._doc()
        full = (section,) + ((ident,) if ident is not None else ()) + tuple(path)
        return doc.get(full, default)

    def in_original(self, section: str, ident: str | None, path: tuple[str, ...]) -> bool:
        """Did the file as opened (or last saved) write this key? Lets an edit back to the default
        remove a key it added, so that undoing by hand restores the file byte for byte."""
        e, doc = self._doc()
        full = (section,) + ((ident,) if ident is not None else ()) + tuple(path)
        missing = object()
        return doc.get_original(full, missing) is not missing

    def set_field(self, section: str, ident: str | None, path: tuple[str, ...], value: Any) -> list[str]:
        """Set one field of an item (``ident`` None for metadata). None removes an optional key.

        Fields that must change together change in the same edit (protocol and TLS: see
        ``fields.linked_edits``); returns a note for each companion change made."""
        base = (section,) + ((ident,) if ident is not None else ())
        e, doc = self._doc()
        linked = linked_edits(section, tuple(path), value, lambda p: doc.get(base + tuple(p)))

        def op(d: ModelDocument) -> None:
            d.set(base + tuple(path), yaml_safe(value))
            for p, v, _ in linked:
                d.set(base + tuple(p), yaml_safe(v))

        label = f"{ident or section}: {'.'.join(path)}"
        self._apply(op, what=label)
        return [note for _, _, note in linked]

    def add_item(self, section: str, item: dict[str, Any]) -> None:
        self._apply(lambda d: d.add_item(section, {k: yaml_safe(v) for k, v in item.items()}), what=f"add {item.get('id')}")

    def references_to(self, ident: str) -> list[str]:
        return self._doc()[1].references_to(ident)

    def remove_item(self, section: str, ident: str) -> list[str]:
        """Delete an item; returns the references it leaves dangling (the user confirmed them)."""
        refs = self.references_to(ident)
        self._apply(lambda d: d.remove_item(section, ident), strict=False, what=f"delete {ident}")
        return refs

    def rename(self, section: str, old: str, new: str) -> list[str]:
        """Rename an id with every reference to it, risk decisions included."""
        return self._apply(lambda d: d.rename(section, old, new), what=f"rename {old} to {new}")

    def set_decision(self, threat: str, status: str, *, owner: str | None = None, reason: str = "",
                     expires: dt.date | None = None, control: str | None = None, decided_by: str | None = None) -> None:
        if status == "open":
            return self.reopen(threat)
        by = decided_by if decided_by is not None else self.user
        self._apply(lambda d: d.set_decision(
            threat, status, owner=yaml_safe(owner) if owner else None, reason=yaml_safe(reason), expires=expires,
            control=control, decided_by=yaml_safe(by) if by else None, decided_on=self.as_of), what=f"triage {threat}")

    def reopen(self, threat: str) -> None:
        """Remove the decision of ``threat``: it is open again."""
        def op(d: ModelDocument) -> None:
            try:
                d.remove_item("decisions", threat)
            except (EditError, KeyError, TypeError):
                pass
        self._apply(op, what=f"reopen {threat}")

    def set_answer(self, question: str, status: str, *, evidence: str = "") -> None:
        by = self.user
        self._apply(lambda d: d.set_answer(question, yaml_safe(status), evidence=yaml_safe(evidence),
                                           answered_by=yaml_safe(by) if by else None, answered_on=self.as_of), what=f"answer {question}")

    def set_control(self, control: str, status: str, *, evidence: str = "") -> None:
        self._apply(lambda d: d.set_control(control, yaml_safe(status), evidence=yaml_safe(evidence)), what=f"control {control}")

    def insert_snippet(self, name: str) -> Any:
        """Merge a shipped component snippet into the open model as one edit; returns the MergePlan
        (what was added, reused and renamed). Rejected like any edit if it would add errors."""
        from tmodel.templates import find
        from tmodel.templates.merge import ORDER, plan_merge

        snippet = find(name, "snippet")
        if snippet is None:
            raise EditError(f"no snippet named '{name}'")
        e, doc = self._doc()
        plan = plan_merge(doc.plain(), snippet.data())
        if not plan.added:
            return plan  # everything is already there: no edit, nothing to undo

        def op(d: ModelDocument) -> None:
            for section in ORDER:
                for item in plan.add[section]:
                    d.add_item(section, item)
        self._apply(op, what=f"insert snippet {name}")
        return plan

    def create_model(self, ident: str, template: str) -> str:
        """Write ``<folder>/<ident>.yaml`` from a template (never overwriting), rescan, and return its path.
        Raises EditError with the reason (bad id, unknown template, file exists)."""
        from tmodel.templates import NewModelError, create

        try:
            path = create(ident, template, self.base)
        except NewModelError as exc:
            raise EditError(f"{exc.message} ({exc.hint})") from None
        self.scan()
        self.version += 1
        return path

    # -- saving -------------------------------------------------------------------------------
    def dirty_entries(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.dirty]

    def save(self, entry: Entry | None = None, *, force: bool = False) -> str:
        """Write the model atomically. Raises ChangedOnDisk when someone else changed the file."""
        e = entry or self.current
        if e is None or e.doc is None:
            raise EditError("no model is open")
        e.doc.save(force=force)
        if e.loaded.text == e.doc.text():  # what was validated and analysed is what was written: keep it
            e.loaded = replace(e.loaded, mtime_ns=e.doc.mtime_ns)
            self._analyse(e)  # the same model: nothing is matched again (linked files are read again)
        else:
            e.loaded = load_model(e.path)
            self._analyse(e)
        e.dirty = False
        self._changed(e, reanalyse=False)
        return e.path

    def reload(self, entry: Entry | None = None) -> Entry:
        """Drop unsaved changes and read the file again from disk."""
        e = entry or self.current
        assert e is not None
        fresh = Entry(e.path, e.rel, load_model(e.path))
        self._analyse(fresh)
        self.entries[e.path] = fresh
        fresh.version = e.version + 1
        if self.current is e:
            self.current = fresh
            self.open(e.path)
        else:
            self._changed(fresh, reanalyse=False)
        return fresh

    def disk_diff(self, entry: Entry | None = None) -> str:
        """Unified diff from the file on disk to the unsaved text in the app."""
        e = entry or self.current
        assert e is not None and e.doc is not None
        try:
            with open(e.path, encoding="utf-8-sig") as fh:
                disk = fh.read()
        except FileNotFoundError:
            disk = ""
        mine = e.doc.text()
        lines = difflib.unified_diff(disk.splitlines(keepends=True), mine.splitlines(keepends=True),
                                     fromfile=f"{e.rel} (on disk)", tofile=f"{e.rel} (in tmodel, unsaved)")
        return "".join(lines) or "(no differences)\n"

    # -- navigation helpers -------------------------------------------------------------------
    def items(self, section: str, entry: Entry | None = None) -> list[dict[str, Any]]:
        """The raw items of a section (works for invalid models too)."""
        e = entry or self.current
        if e is None:
            return []
        # the data read from the current text (the editor's text after every change, validated or not)
        data = e.loaded.located.data if e.loaded.located else (e.doc.plain() if e.doc is not None else None)
        if not isinstance(data, dict):
            return []
        items = data.get(section) or []
        return [x for x in items if isinstance(x, dict)] if isinstance(items, list) else []

    def item_at_line(self, line: int, entry: Entry | None = None) -> tuple[str, str | None] | None:
        """(section, id) of the model item written at ``line`` of the loaded text, if any."""
        e = entry or self.current
        if e is None or e.loaded.located is None or line <= 0:
            return None
        located = e.loaded.located
        best: tuple[int, tuple[str, str | None]] | None = None
        data = located.data if isinstance(located.data, dict) else {}
        for section, items in data.items():
            if section == "metadata":
                start = located.where(("metadata",), key=True)[0]
                if start <= line and (best is None or start > best[0]):
                    best = (start, ("metadata", None))
                continue
            if section not in KEYS or not isinstance(items, list):
                continue
            start = located.where((section,), key=True)[0]
            if start <= line and (best is None or start > best[0]):
                best = (start, (section, None))
            for i, item in enumerate(items):
                start = located.where((section, i))[0]
                ident = item.get(KEYS[section]) if isinstance(item, dict) else None
                if start <= line and (best is None or start >= best[0]) and ident is not None:
                    best = (start, (section, str(ident)))
        return best[1] if best else None

    def threat(self, threat_id: str) -> Any:
        e = self.current
        if e is None or e.analysis is None:
            return None
        return next((t for t in e.analysis.threats if t.id == threat_id), None)


def _looks_like_catalog(path: str) -> bool:
    """A catalog file kept next to the models (``catalog:`` at the top, no ``metadata:``)."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            head = fh.read(65536)
    except OSError:
        return False
    return bool(_CATALOG_FILE.search(head)) and not _MODEL_FILE.search(head)


def worst_open(analysis: Any) -> dict[str, str]:
    """Element or flow id -> the worst residual level of its unresolved threats."""
    out: dict[str, str] = {}
    for t in analysis.threats if analysis is not None else []:
        if t.unresolved and level_rank(t.residual_level) > level_rank(out.get(t.target, "")):
            out[t.target] = t.residual_level
    return out


def level_rank(level: str) -> int:
    try:
        return LEVEL_ORDER[Level(level)]
    except ValueError:
        return 0


# -- the threats table: filter and sort in plain Python (the table is re-filled) -------------
SORT_KEYS: dict[str, Callable[[Any], Any]] = {
    "level": lambda t: (-level_rank(t.level), -t.score, t.id),
    "score": lambda t: (-t.score, t.id),
    "residual": lambda t: (-level_rank(t.residual_level), -t.residual_score, t.id),
    "status": lambda t: (t.status, t.id),
    "stride": lambda t: ("".join(t.stride), t.id),
    "id": lambda t: t.id,
    "title": lambda t: (t.title.lower(), t.id),
    "target": lambda t: (t.target, t.id),
    "frameworks": lambda t: (",".join(t.frameworks), t.id),
}


@dataclass(frozen=True)
class ThreatFilter:
    level: str | None = None  # residual level
    stride: str | None = None
    framework: str | None = None
    target: str | None = None
    status: str | None = None  # a threat status, or "unresolved"
    text: str = ""

    def __call__(self, t: Any) -> bool:
        if self.level and t.residual_level != self.level:
            return False
        if self.stride and self.stride not in t.stride:
            return False
        if self.framework and self.framework not in t.frameworks:
            return False
        if self.target and t.target != self.target:
            return False
        if self.status:
            if self.status == "unresolved":
                if not t.unresolved:
                    return False
            elif t.status != self.status:
                return False
        if self.text:
            hay = " ".join((t.id, t.title, t.target_title, t.description, " ".join(t.why))).lower()
            if not all(word in hay for word in self.text.lower().split()):
                return False
        return True


def filter_threats(threats: list[Any], flt: ThreatFilter, sort: str = "level", reverse: bool = False) -> list[Any]:
    out = [t for t in threats if flt(t)]
    out.sort(key=SORT_KEYS.get(sort, SORT_KEYS["level"]), reverse=reverse)
    return out
