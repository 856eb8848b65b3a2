"""Screen 1: the models of the folder, with their risk, compliance and validation at a glance."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from tmodel.model.enums import Level
from tmodel.templates import templates
from tmodel.tui.screens.base import TScreen
from tmodel.tui.screens.starting import start_new_model
from tmodel.tui.service import Summary
from tmodel.tui.widgets.common import LEVEL_FG, T

LEVELS = [lv.value for lv in reversed(list(Level))]  # critical first


class ModelsScreen(TScreen):
    MODE = "models"
    AUTO_FOCUS = "#models-table"
    BINDINGS = [Binding("enter", "open", "Open", show=True), Binding("n", "new", "New model"),
                Binding("f5", "rescan", "Rescan folder")]
    PALETTE = [("Rescan the models folder", "Look for new or removed model files", "rescan")]  # "New model" is app-wide

    def compose_body(self) -> ComposeResult:
        with Vertical(id="models-body"):
            yield Static(id="models-head")
            yield DataTable(id="models-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="models-foot", classes="hint")
            yield Static(id="models-start")

    def refresh_view(self) -> None:
        s = self.service
        head = Text()
        head.append("Models in ", style="bold")
        head.append(s.root)
        head.append(f"   as of {s.as_of.isoformat()}", style="dim")
        self.query_one("#models-head", Static).update(head)
        table = self.query_one("#models-table", DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        table.add_column("File", key="file", width=24)
        table.add_column("Title", key="title", width=28)
        table.add_column("Owner", key="owner", width=16)
        for lv in LEVELS:
            table.add_column(Text(lv[:4].title(), style=LEVEL_FG[lv]), key=lv)
        table.add_column("Compliance", key="compliance", width=10)
        table.add_column("Validation", key="validation", width=14)
        summaries = s.summaries(load=False)  # the models not analysed yet show as pending: the app fills them in
        self._summaries = {sm.path: sm for sm in summaries}
        for sm in summaries:
            table.add_row(*self._cells(sm), key=sm.path)
        if table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1), animate=False)
        empty = not summaries and all(p.message.startswith("no model files") for p in s.scan_problems)
        self.query_one("#models-start", Static).update(start_text(s.root) if empty else "")
        self.query_one("#models-start", Static).display = empty
        table.display = not empty
        self.query_one("#models-foot", Static).display = not empty
        self._foot_extra = Text()
        for p in ([] if empty else s.scan_problems):
            self._foot_extra.append("\n" + p.format(), style="#e53935")
        if s.skipped:
            self._foot_extra.append(f"\n{len(s.skipped)} catalog file(s) in the folder are not listed as models", style="dim")
        self.show_foot()
        table.focus()

    def _cells(self, sm: Summary) -> list[Text]:
        s = self.service
        marker = "● " if sm.dirty else ""
        cells = [T(marker + sm.rel, "bold" if s.current and s.current.path == sm.path else ""), T(sm.title), T(sm.owner)]
        for lv in LEVELS:
            n = sm.unresolved.get(lv, 0)
            cells.append(Text("…" if sm.pending else str(n), style=LEVEL_FG[lv] if n else "dim", justify="right"))
        cells.append(Text("…" if sm.pending else "—" if sm.compliance is None else f"{sm.compliance:.1f}%", justify="right"))
        cells.append(T(sm.status, "dim" if sm.pending else "bold #e53935" if sm.errors else ("#c79100" if sm.warnings else "#43a047")))
        return cells

    def model_loaded(self, path: str) -> None:
        """A model the app analysed in the background is ready: fill in its row (the cursor stays)."""
        table = self.query_one("#models-table", DataTable)
        summaries = getattr(self, "_summaries", None)
        if summaries is None or path not in summaries or path not in table.rows:
            return
        sm = self.service.summary(path, load=False)
        summaries[path] = sm
        for column, cell in zip(table.columns, self._cells(sm)):
            table.update_cell(path, column, cell)
        self.show_foot()

    def show_foot(self) -> None:
        table = self.query_one("#models-table", DataTable)
        foot = Text()
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            sm = getattr(self, "_summaries", {}).get(key)
            if sm is not None:
                foot.append(sm.title, style="bold")
                foot.append("  owner: ", style="dim")
                foot.append(sm.owner)
                foot.append(f"  {sm.rel}\n", style="dim")
        foot.append("Enter opens a model · unresolved risks counted by residual level · compliance is the mean over frameworks", style="dim")
        foot.append_text(getattr(self, "_foot_extra", Text()))
        self.query_one("#models-foot", Static).update(foot)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_foot()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open_model(str(event.row_key.value))

    def action_open(self) -> None:
        table = self.query_one("#models-table", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            self.open_model(str(key.value))

    def open_model(self, path: str) -> None:
        self.app.open_model(path)  # type: ignore[attr-defined]

    def action_new(self) -> None:
        start_new_model(self.app)

    def action_rescan(self) -> None:
        self.service.scan()
        self.service.version += 1
        self.sync(force=True)
        self.app.load_models()  # type: ignore[attr-defined]


def start_text(root: str) -> Text:
    """What an empty folder shows instead of an error: how to start."""
    t = Text()
    t.append(f"No models in {root} yet.\n\n", style="bold")
    t.append("Press n to start one from a template", style="bold")
    t.append(" (or run: tmodel new ID --template NAME). Each template is a hardened starting point; "
             "its TODO(team) lines are the questions only your team can answer:\n\n")
    for tpl in templates():
        t.append(f"  {tpl.name:<20}", style="bold")
        t.append(f"{tpl.title}\n")
    t.append("\nOr start from what exists: tmodel import openapi SPEC -o MODEL, tmodel import wso2 PROJECT -o MODEL.\n", style="dim")
    return t
