"""The terminal app's composition root: themes, key bindings, screens and the engine service.

Screens own their layout and handlers, widgets their behaviour; the ``Service`` (no textual)
owns the models. ``make_app`` builds the app for the CLI and the tests alike.
"""

from __future__ import annotations

import datetime as dt
import gc
import getpass
import os
from functools import partial
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker
from textual.theme import Theme

from tmodel.catalog.load import Catalog
from tmodel.tui.commands import TmodelCommands
from tmodel.tui.safety import CrashSafe
from tmodel.tui.screens.dialogs import ConflictScreen, QuitScreen
from tmodel.tui.screens.models import ModelsScreen
from tmodel.tui.screens.overview import OverviewScreen
from tmodel.tui.screens.structure import StructureScreen
from tmodel.tui.screens.threats import ThreatsScreen
from tmodel.tui.service import ChangedOnDisk, EditError, Entry, Service
from tmodel.tui.widgets.common import set_ui_lang, ui_lang

THEMES = (
    Theme(name="tmodel-dark", primary="#4fc3f7", secondary="#81c784", accent="#ffb74d", warning="#fdd835",
          error="#ef5350", success="#66bb6a", background="#10151c", surface="#18202a", panel="#223041", dark=True),
    Theme(name="tmodel-light", primary="#01579b", secondary="#2e7d32", accent="#e65100", warning="#f9a825",
          error="#c62828", success="#2e7d32", background="#f7f9fb", surface="#ffffff", panel="#e3eaf2", dark=False),
)
MODEL_SCREENS = ("overview", "structure", "diagram", "threats", "audit", "export")


# screens that are never the first one are imported when first shown (the first screen draws sooner)
def _diagram_screen() -> Screen[Any]:
    from tmodel.tui.screens.diagram import DiagramScreen

    return DiagramScreen()


def _audit_screen() -> Screen[Any]:
    from tmodel.tui.screens.audit import AuditScreen

    return AuditScreen()


def _export_screen() -> Screen[Any]:
    from tmodel.tui.screens.export import ExportScreen

    return ExportScreen()


class TmodelApp(CrashSafe, App[None]):
    CSS_PATH = "tmodel.tcss"
    TITLE = "tmodel"
    COMMANDS = App.COMMANDS | {TmodelCommands}
    MODES = {"models": ModelsScreen, "overview": OverviewScreen, "structure": StructureScreen, "diagram": _diagram_screen,
             "threats": ThreatsScreen, "audit": _audit_screen, "export": _export_screen}
    BINDINGS = [
        *(Binding(str(i), f"go('{mode}')", mode.title(), show=False, id=f"go-{mode}")
          for i, mode in enumerate(("models", *MODEL_SCREENS), 1)),
        Binding("ctrl+s", "save", "Save", id="save", priority=True),
        Binding("ctrl+z", "undo", "Undo", id="undo", show=False), Binding("ctrl+y", "redo", "Redo", id="redo", show=False),
        Binding("f1,question_mark", "help", "Help", id="help"),
        Binding("ctrl+t", "toggle_theme", "Theme", id="theme"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(self, service: Service, *, cursor_blink: bool = True, theme: str = "tmodel-dark") -> None:
        self.service = service
        self.cursor_blink = cursor_blink
        self.pending: dict[str, dict[str, Any]] = {}  # screen -> what another screen asked it to show
        self.DEFAULT_MODE = "overview" if service.current is not None else "models"  # type: ignore[misc]
        super().__init__()
        for t in THEMES:
            self.register_theme(t)
        self.theme = theme
        service.listeners.append(self.update_title)
        self.update_title()

    class EntryLoaded(Message):
        """A model the background loader read and analysed (posted from its thread)."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    def on_ready(self) -> None:
        """The first screen is drawn: now analyse the models it lists, in the background."""
        self.load_models()

    def load_models(self) -> None:
        """Load and analyse, in a thread worker, the listed models not loaded yet; their rows fill in as each
        finishes. The worker changes nothing shared: each entry is handed to this thread, which registers it
        unless the model was loaded meanwhile (``Service.adopt``). A new call replaces a running loader."""
        pending = self.service.pending()
        if pending:
            self.run_worker(partial(self._load_in_background, pending), thread=True, exclusive=True,
                            group="load-models", name="load models")

    def _load_in_background(self, paths: list[str]) -> None:
        worker = get_current_worker()
        for path in paths:
            if worker.is_cancelled:
                return
            if path in self.service.entries:  # opened meanwhile (a read of a dict: safe across threads)
                continue
            entry = self.service.load_entry(path)
            if worker.is_cancelled:
                return
            self.post_message(self.EntryLoaded(entry))

    def on_tmodel_app_entry_loaded(self, message: EntryLoaded) -> None:
        path = message.entry.path
        if self.service.adopt(message.entry):
            getattr(self.screen, "model_loaded", lambda _: None)(path)
        elif path in self.service.pending():  # changed on disk while it was read: read it again
            self.load_models()

    def update_title(self) -> None:
        e = self.service.current
        self.sub_title = "" if e is None else (e.rel + ("  ● unsaved changes" if e.dirty else ""))

    # -- navigation ---------------------------------------------------------------------------
    def action_go(self, mode: str) -> None:
        if mode in MODEL_SCREENS and self.service.current is None:
            self.notify("Open a model first: Enter on a row of Models.", severity="warning", markup=False)
            mode = "models"
        if self.current_mode != mode:
            self.switch_mode(mode)
        elif mode in self.pending:
            self.screen.sync()  # type: ignore[attr-defined]

    def goto(self, mode: str, **request: Any) -> None:
        """Show something on another screen: an item in Structure, a threat, an audit question."""
        self.pending[mode] = request
        self.action_go(mode)

    def open_model(self, path: str) -> None:
        e = self.service.open(path)
        if e.open_error:
            self.notify(e.open_error, severity="error", markup=False)
        self.action_go("overview")
        self.offer_recovery()

    def action_undo(self) -> None:
        what = self.service.undo()
        self._sync_screen()
        self.notify(f"Undone: {what}" if what else "Nothing to undo since the model was opened.", markup=False,
                    severity="information" if what else "warning")

    def action_redo(self) -> None:
        what = self.service.redo()
        self._sync_screen()
        self.notify(f"Redone: {what}" if what else "Nothing to redo.", markup=False,
                    severity="information" if what else "warning")

    def _sync_screen(self) -> None:
        """The shown screen redraws what an undo or redo changed (it showed the undone values until left)."""
        getattr(self.screen, "sync", lambda **_: None)()

    # -- saving and quitting ------------------------------------------------------------------
    def action_save(self) -> None:
        e = self.service.current
        if e is None or e.doc is None:
            self.notify("No model open to save.", severity="warning", markup=False)
            return
        if not e.dirty:
            self.notify(f"No unsaved changes in {e.rel}.", markup=False)
            return
        self.save_entry(e)

    def save_entry(self, e: Entry, then: Any = None) -> bool:
        try:
            self.service.save(e)
        except ChangedOnDisk:
            def resolved(choice: str | None) -> None:
                if choice == "reload":
                    self.service.reload(e)
                    self.notify(f"Reloaded {e.rel} from disk; your unsaved changes were dropped.", markup=False)
            self.push_screen(ConflictScreen(e.rel), resolved)
            return False
        except (EditError, OSError) as exc:
            self.notify(f"Could not save {e.rel}: {exc}", severity="error", markup=False)
            return False
        errors = len(e.errors)
        self.notify(f"Saved {e.rel}" + (f" (with {errors} validation error(s) to fix)" if errors else ""),
                    severity="warning" if errors else "information", markup=False)
        if then is not None:
            then()
        return True

    async def action_quit(self) -> None:
        dirty = self.service.dirty_entries()
        if not dirty:
            self.exit()
            return

        def answer(choice: str | None) -> None:
            if choice == "discard":
                self.exit()
            elif choice == "save":
                if all(self.save_entry(e) for e in dirty):
                    self.exit()

        self.push_screen(QuitScreen(sorted(e.rel for e in dirty)), answer)

    # -- the rest -------------------------------------------------------------------------
    def action_help(self) -> None:
        from tmodel.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = "tmodel-light" if self.theme == "tmodel-dark" else "tmodel-dark"

    def action_switch_language(self) -> None:
        """English <-> Russian, live: the shown screen redraws now, the others when shown."""
        set_ui_lang("ru" if ui_lang() == "en" else "en")
        getattr(self.screen, "sync", lambda **_: None)(force=True)
        self.notify("Язык интерфейса: русский" if ui_lang() == "ru" else "Language: English", markup=False)


def make_app(path: str, catalog: Any = None, as_of: dt.date | None = None, *, user: str | None = None,
             cursor_blink: bool = True, theme: str = "tmodel-dark", lang: str | None = None) -> TmodelApp:
    """Build the app on a folder of models (or one model file). ``catalog`` defaults to the shipped catalogs
    plus the project's (tmodel.toml); ``as_of`` to today; ``lang`` (en, ru) to the project's ``[export] lang``."""
    if catalog is None or lang is None:
        from tmodel.catalog.load import load_catalogs
        from tmodel.config import load_config

        cfg = load_config()  # the command line reported a bad tmodel.toml before the app opens
        catalog = catalog if catalog is not None else load_catalogs(cfg.catalog_dirs)
        lang = lang or cfg.lang
    set_ui_lang(lang)
    service = Service(path, catalog, as_of=as_of, user=user)
    if os.path.isfile(path) and service.files:
        service.open(service.files[0])
    return TmodelApp(service, cursor_blink=cursor_blink, theme=theme)


# The app's garbage-collector thresholds. A large model's state (text pieces, model, facts, kept matches, analysis)
# is hundreds of thousands of objects that live as long as the model is open; an edit allocates a new analysis.
# With CPython's defaults (700, 10, 10) a full collection scanned that state every other edit of a 1,000-element
# model (about 0.2 s each); young collections are rare enough with these, and a full one comes about once per
# hundred such edits. Cycles (Textual's widgets) are still collected; reference counting frees the rest at once.
APP_GC_THRESHOLD = (50_000, 20, 20)


def tune_gc() -> None:
    """The app's collector settings (``APP_GC_THRESHOLD``), for the process that runs it."""
    gc.set_threshold(*APP_GC_THRESHOLD)


def run_app(path: str, catalog: Catalog | None = None, as_of: dt.date | None = None) -> None:
    """Open the app (the ``tmodel`` and ``tmodel ui`` commands) on a catalog the caller loaded
    (``tmodel.loading.load_catalog``: the command line reports its errors before the app opens)."""
    if catalog is None:
        from tmodel.loading import load_catalog

        catalog = load_catalog()
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = None
    tune_gc()
    app = make_app(path, catalog, as_of, user=user)
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)
