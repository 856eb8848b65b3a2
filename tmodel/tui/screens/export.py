"""Screen 7: export the open model for the compliance team, in a thread worker with progress.

Offers every format of the export registry (``tmodel.export.bundle.FORMATS``) and writes each with
``export_model``, as ``tmodel export`` does; a format that fails is reported and the others still
run. The model must be saved and valid first: exports must match the YAML that goes into git.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Label, ProgressBar, SelectionList, Static
from textual.widgets.selection_list import Selection

from tmodel.export.bundle import FORMATS, RENDERED, export_model
from tmodel.tui.screens.base import TScreen, no_model_text
from tmodel.tui.widgets.common import T, TextField, ui_lang



class ExportScreen(TScreen):
    MODE = "export"
    AUTO_FOCUS = "#ex-formats"
    BINDINGS = [Binding("ctrl+e", "run", "Run export")]
    PALETTE = [("Run the export", "Write the chosen formats for the open model", "run")]

    class Progress(Message):
        def __init__(self, done: int, total: int, line: Text) -> None:
            super().__init__()
            self.done, self.total, self.line = done, total, line

    class Finished(Message):
        def __init__(self, written: list[str], failed: list[str], folder: str) -> None:
            super().__init__()
            self.written, self.failed, self.folder = written, failed, folder

    def compose_body(self) -> ComposeResult:
        has_dot = shutil.which("dot") is not None
        with Horizontal(id="ex-body"):
            with Vertical(id="ex-left"):
                yield Static(id="ex-head")
                yield Label(T("Formats", "bold"))
                yield SelectionList(*[Selection(T(f"{fid:<5} {title}"), fid, fid != "png" and (has_dot or fid not in RENDERED),
                                                disabled=fid in RENDERED and not has_dot)
                                      for fid, title in FORMATS.items()], id="ex-formats")
                yield Label(T("Folder (files go to <folder>/<model-id>/)", "bold"))
                yield TextField("exports", id="ex-folder", compact=True)
                yield Button("Run export (ctrl+e)", id="ex-run", variant="primary")
                yield ProgressBar(id="ex-progress", show_eta=False)
            with VerticalScroll(id="ex-right"):
                yield Static(T("Results", "bold"))
                yield Static(id="ex-log")
        self._log = Text()

    def refresh_view(self) -> None:
        e = self.entry
        head = Text()
        if e is None:
            head = no_model_text()
        else:
            head.append(f"Export {e.title}", style="bold")
            head.append(f"\n{e.rel}", style="dim")
            if e.dirty:
                head.append("\nUnsaved changes: save first (ctrl+s), so the exports match the file.", style="bold #c79100")
            if e.errors:
                head.append(f"\n{len(e.errors)} validation error(s): fix them first.", style="bold #e53935")
            if shutil.which("dot") is None:
                head.append("\nGraphviz dot is not installed: SVG/PNG are off (DOT is still written).", style="dim")
        self.query_one("#ex-head", Static).update(head)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ex-run":
            self.action_run()

    def action_run(self) -> None:
        e = self.entry
        if e is None or e.model is None or e.analysis is None or e.errors:
            self.note("Open a valid model first.", severity="warning")
            return
        if e.dirty:
            self.note("Save first (ctrl+s): exports must match the file that goes into git.", severity="warning")
            return
        formats = [f for f in self.query_one("#ex-formats", SelectionList).selected]
        if not formats:
            self.note("Choose at least one format.", severity="warning")
            return
        folder = self.query_one("#ex-folder", TextField).value.strip() or "exports"
        out = Path(folder) / e.model.metadata.id
        self._log = Text()
        self.query_one("#ex-log", Static).update(self._log)
        bar = self.query_one("#ex-progress", ProgressBar)
        bar.update(total=len(formats), progress=0)
        self.query_one("#ex-run", Button).disabled = True
        self.export(e.analysis, e.model, out, [f for f in FORMATS if f in formats], e.loaded)

    @work(thread=True, exclusive=True, group="export")
    def export(self, analysis: Any, model: Any, out: Path, formats: list[str], loaded: Any) -> None:
        from tmodel.config import load_config
        from tmodel.export.common import catalog_versions, git_revision
        from tmodel.problems import ProblemError

        try:
            cfg = load_config()
            classification: str | None = cfg.classification
        except ProblemError:  # a broken tmodel.toml: the default marking (the CLI reports the file)
            classification = None
        lang = ui_lang()  # the app's language ([export] lang when it opened, or as the palette switched it)
        # the same record the CLI writes: marking, the model's git revision, the catalogs used
        revision, catalogs = git_revision(loaded.path), catalog_versions(self.service.catalog, model)
        written: list[str] = []
        failed: list[str] = []
        for i, fmt in enumerate(formats, 1):
            line = Text()
            try:
                extra = ["svg"] if fmt == "md" and "svg" in formats else []
                paths = [p for p in export_model(analysis, model, out, [fmt, *extra], catalog=self.service.catalog, source=loaded,
                                                  classification=classification, revision=revision, catalogs=catalogs,
                                                  lang=lang)
                         if fmt == "md" and p.suffix == ".md" or fmt != "md"]
                for p in paths:
                    written.append(str(p))
                line.append("✓ ", style="bold #43a047")
                line.append(f"{fmt:<5}", style="bold")
                line.append(", ".join(str(p) for p in paths))
            except Exception as exc:  # an exporter failing must not take the app down
                failed.append(fmt)
                line.append("✗ ", style="bold #e53935")
                line.append(f"{fmt:<5}", style="bold")
                line.append(f"{type(exc).__name__}: {exc}")
            self.post_message(self.Progress(i, len(formats), line))
        self.post_message(self.Finished(written, failed, str(out)))

    def on_export_screen_progress(self, event: "ExportScreen.Progress") -> None:
        self.query_one("#ex-progress", ProgressBar).update(progress=event.done)
        self._log.append_text(event.line)
        self._log.append("\n")
        self.query_one("#ex-log", Static).update(self._log)

    def on_export_screen_finished(self, event: "ExportScreen.Finished") -> None:
        self.query_one("#ex-run", Button).disabled = False
        self._log.append(f"\n{len(event.written)} file(s) in {event.folder}", style="bold")
        if event.failed:
            self._log.append(f"; failed: {', '.join(event.failed)}", style="bold #e53935")
        self.query_one("#ex-log", Static).update(self._log)
        self.note(f"Export finished: {len(event.written)} file(s) in {event.folder}",
                  severity="warning" if event.failed else "information")
