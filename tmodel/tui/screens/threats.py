"""Screen 5: every threat of the model in a table, filtered and sorted in Python (thousands of rows
stay responsive: the table is re-filled, never filtered cell by cell), with a detail pane and triage."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import DataTable, Input, Select, Static

from tmodel.analysis.result import THREAT_STATUSES
from tmodel.catalog.bdu import label as bdu_label
from tmodel.catalog.bdu import threat_bdu
from tmodel.model.enums import Level, Stride
from tmodel.tui.screens.base import TScreen, no_model_text
from tmodel.tui.screens.triage import TriageScreen
from tmodel.tui.service import SORT_KEYS, ThreatFilter, filter_threats
from tmodel.tui.widgets.common import (LEVEL_FG, STATUS_STYLE, SearchSelect, T, TextField, level_label, level_text,
                                       status_label, status_text, title_of, ui_lang, words)

COLUMNS = [("level", "Level  Score", 12), ("residual", "Residual", 8), ("status", "Status", 11),
           ("stride", "STRIDE", 6), ("target", "Target", 18), ("title", "Threat", 44)]
FILTERS = ("level", "stride", "framework", "target", "status")
NARROW = 110  # below this many columns the threat details go under the table


def column_widths(table_width: int) -> list[int]:
    """Widths of COLUMNS for a table ``table_width`` cells wide (each column pads 1 each side, and
    the scrollbar takes 2): the target and the title share what is left, the title the most."""
    fixed = [w for key, _, w in COLUMNS if key not in ("target", "title")]
    room = table_width - 2 * len(COLUMNS) - 2 - sum(fixed)
    target = max(10, min(24, room // 4))
    title = max(14, room - target)
    return fixed + [target, title]


class ThreatsScreen(TScreen):
    MODE = "threats"
    AUTO_FOCUS = "#th-table"
    BINDINGS = [
        Binding("t", "triage", "Triage"), Binding("slash", "search", "Search"),
        Binding("s", "cycle_sort", "Sort"), Binding("x", "clear_filters", "Clear filters"),
    ]
    PALETTE = [
        ("Triage the selected threat", "Mitigated / accepted / transferred / false positive", "triage"),
        ("Clear the threat filters", "Show every threat", "clear_filters"),
        ("Search threats", "Free text over id, title, target, description and why", "search"),
        ("Show unresolved threats only", "Open and expired acceptances", "only_unresolved"),
    ] + [(f"Sort threats by {title}", "Click a column header to sort too", f"sort('{key}')")
         for key, title in (("level", "level and score"), ("residual", "residual level"), ("status", "status"),
                            ("stride", "STRIDE"), ("target", "target"), ("title", "title"), ("id", "threat id"))]

    def __init__(self) -> None:
        super().__init__()
        self.sort_key, self.reverse = "level", False
        self.rows: list[Any] = []
        self._debounce: Timer | None = None
        self._filling = False

    def compose_body(self) -> ComposeResult:
        with Vertical(id="th-body"):
            with Horizontal(id="th-filters"):
                yield SearchSelect([(T(f"{lv.value}"), lv.value) for lv in reversed(list(Level))], prompt="residual: any",
                             id="flt-level", compact=True)
                yield SearchSelect([(T(f"{s.value} {s.description.split(':')[0]}"), s.value) for s in Stride], prompt="STRIDE: any",
                             id="flt-stride", compact=True)
                yield SearchSelect([], prompt="framework: any", id="flt-framework", compact=True)
                yield SearchSelect([], prompt="element/flow: any", id="flt-target", compact=True)
                yield SearchSelect([(T("unresolved (open or expired)"), "unresolved")] + [(T(s.replace("_", " ")), s) for s in THREAT_STATUSES],
                             prompt="status: any", id="flt-status", compact=True)
                yield TextField(placeholder="search…  (/)", id="flt-text", compact=True)
            with Horizontal(id="th-main"):
                yield DataTable(id="th-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="th-detail"):
                    yield Static(id="th-detail-text")
            yield Static(id="th-count", classes="hint")

    @property
    def table(self) -> DataTable:
        return self.query_one("#th-table", DataTable)

    def on_mount(self) -> None:
        self._widths: list[int] = []
        self._columns(self.size.width or 130)
        # TScreen.on_mount (called after this one, Textual walks the MRO) fills the table

    def on_resize(self, event: Any) -> None:
        if self._columns(event.size.width):
            self.fill()

    def _columns(self, width: int) -> bool:
        """Size the columns to the screen: the threat title takes what the others leave. Below
        ``NARROW`` columns the detail pane moves under the table (the title shows whole there)."""
        narrow = width < NARROW
        self.query_one("#th-main").set_class(narrow, "narrow")
        detail = min(60, max(36, width * 3 // 10))
        self.query_one("#th-detail").styles.width = None if narrow else detail
        table_width = width - 2 if narrow else width - detail - 2
        widths = column_widths(table_width)
        if widths == self._widths:
            return False
        self._widths = widths
        table = self.table
        table.clear(columns=True)
        for (key, title, _), w in zip(COLUMNS, widths):
            table.add_column(title, key=key, width=w)
        return True

    def refresh_view(self) -> None:
        e = self.entry
        a = e.analysis if e else None
        fw = self.query_one("#flt-framework", Select)
        tg = self.query_one("#flt-target", Select)
        self._filling = True
        try:
            fw_value, tg_value = fw.value, tg.value
            frameworks = sorted({f for t in (a.threats if a else []) for f in t.frameworks})
            fw.set_options([(T(f), f) for f in frameworks])
            targets = sorted({t.target for t in (a.threats if a else [])})
            tg.set_options([(T(x), x) for x in targets])
            if fw_value in frameworks:
                fw.value = fw_value
            if tg_value in targets:
                tg.value = tg_value
        finally:
            self._filling = False
        self.fill()

    def current_filter(self) -> ThreatFilter:
        values: dict[str, Any] = {}
        for name in FILTERS:
            v = self.query_one(f"#flt-{name}", Select).value
            values[name] = None if v is Select.NULL else str(v)
        return ThreatFilter(text=self.query_one("#flt-text", TextField).value.strip(), **values)

    def fill(self) -> None:
        """Filter and sort in Python, then re-fill the table (keeps the cursor on the same threat)."""
        e = self.entry
        table = self.table
        keep = self.rows[table.cursor_row].id if self.rows and 0 <= table.cursor_row < len(self.rows) else None
        a = e.analysis if e else None
        threats = a.threats if a else []
        self.rows = filter_threats(threats, self.current_filter(), self.sort_key, self.reverse)
        table.clear()
        table.add_rows([self._cells(t) for t in self.rows])
        count = Text()
        if e is None:
            count = no_model_text()
        else:
            count.append(f"{len(self.rows)} of {len(threats)} threats", style="bold")
            arrow = "▼" if not self.reverse else "▲"
            count.append(f"   sorted by {self.sort_key} {arrow}   Enter/t triage · / search · x clear · click a header to sort", style="dim")
            if e.analysis is None:
                count = Text(f"No analysis: the model has {len(e.errors)} validation error(s). See 2 Overview to fix them.",
                             style="bold #e53935")
            elif not e.analysis_current:
                count.append("   (from the last valid state: fix the validation errors)", style="#e53935")
        self.query_one("#th-count", Static).update(count)
        if self.rows:
            ids = [t.id for t in self.rows]
            table.move_cursor(row=ids.index(keep) if keep in ids else 0, animate=False)
        self.show_detail()

    def _cells(self, t: Any) -> list[Any]:
        level = level_text(t.level, 9)
        level.append(f"{t.score:>3}")
        status = status_text(t.status)
        if t.status == "false_positive" and ui_lang() == "en":
            status = Text("false pos.", style=status.style)
        return [level, Text(level_label(t.residual_level), style=LEVEL_FG.get(t.residual_level, "")), status,
                T("".join(t.stride)), T(t.target), T(title_of(t))]

    def selected(self) -> Any:
        row = self.table.cursor_row
        return self.rows[row] if self.rows and 0 <= row < len(self.rows) else None

    def show_detail(self) -> None:
        self.query_one("#th-detail-text", Static).update(detail_text(self.selected(), self.service.catalog))

    # -- events ------------------------------------------------------------------------------
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_triage()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.action_sort(str(event.column_key.value))

    @on(Select.Changed)
    def _filter_changed(self, event: Select.Changed) -> None:
        if not self._filling:
            self.fill()

    @on(Input.Changed, "#flt-text")
    def _text_changed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(0.25, self.fill)

    @on(Input.Submitted, "#flt-text")
    def _text_submitted(self, event: Input.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self.fill()
        self.table.focus()

    def take_pending(self, request: dict[str, Any] | None) -> None:
        if not request or "threat" not in request:
            return
        tid = request["threat"]
        ids = [t.id for t in self.rows]
        if tid not in ids:
            self.action_clear_filters()
            ids = [t.id for t in self.rows]
        if tid in ids:
            self.table.move_cursor(row=ids.index(tid), animate=False)
            self.table.focus()
            self.show_detail()
        else:
            self.note(f"{tid} is not a threat of this model.", severity="warning")

    # -- actions -----------------------------------------------------------------------------
    def action_sort(self, key: str) -> None:
        if key not in SORT_KEYS:
            return
        if key == self.sort_key:
            self.reverse = not self.reverse
        else:
            self.sort_key, self.reverse = key, False
        self.fill()

    def action_cycle_sort(self) -> None:
        keys = [k for k, _, _ in COLUMNS]
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)] if self.sort_key in keys else keys[0]
        self.reverse = False
        self.fill()

    def action_search(self) -> None:
        self.query_one("#flt-text", TextField).focus()

    def action_only_unresolved(self) -> None:
        self.query_one("#flt-status", Select).value = "unresolved"

    def action_clear_filters(self) -> None:
        self._filling = True
        try:
            for name in FILTERS:
                self.query_one(f"#flt-{name}", Select).clear()
            self.query_one("#flt-text", TextField).value = ""
        finally:
            self._filling = False
        self.fill()

    def action_triage(self) -> None:
        t = self.selected()
        e = self.entry
        if t is None or e is None:
            return
        if e.doc is None:
            self.note(e.open_error or "This model cannot be edited.", severity="error")
            return

        def done(result: Any) -> None:
            if result:
                self.sync()
                self.note(f"{t.id}: {result}")

        self.app.push_screen(TriageScreen(t), done)


def detail_text(t: Any, catalog: Any = None) -> Text:
    out = Text()
    if t is None:
        out.append("No threat selected.", style="dim")
        return out
    lw = words(catalog)
    out.append(title_of(t), style="bold")
    out.append("\n")
    out.append(t.id, style="dim")
    out.append("\n\n")
    out.append(f" {level_label(t.level)} ", style=LEVEL_FG.get(t.level, "") + " reverse")
    out.append(f" likelihood {t.likelihood} × impact {t.impact} = {t.score}")
    out.append(f"\n residual {level_label(t.residual_level)} ({t.residual_likelihood} × {t.impact} = {t.residual_score})\n", style="dim")
    for adj in t.adjustments:
        out.append(f" {adj}\n", style="dim")
    out.append("\nStatus: ", style="bold")
    out.append(status_label(t.status), style=STATUS_STYLE.get(t.status, ""))
    d = t.decision
    if d is not None:
        bits = [f"owner {d.owner}" if d.owner else "", f"control {d.control}" if d.control else "",
                f"expires {d.expires.isoformat()}" if d.expires else "", f"by {d.decided_by}" if d.decided_by else "",
                f"on {d.decided_on.isoformat()}" if d.decided_on else ""]
        out.append("  " + ", ".join(b for b in bits if b))
        if d.reason:
            out.append(f"\n  reason: {d.reason}", style="italic")
    out.append("\n\nTarget: ", style="bold")
    out.append(f"{t.target} ({t.target_kind}) {t.target_title}")
    if len(t.members) > 1:
        out.append("\n\nAffected flows\n", style="bold")
        for m in t.members:
            out.append(f"  • {m.target}  {m.target_title}  ({m.level})\n")
    out.append("  STRIDE: ", style="bold")
    out.append(" ".join(t.stride))
    for head, body in (("Threat", lw.catalog_text("rule", t.rule, "description", t.description)),
                       ("Mitigation", lw.catalog_text("rule", t.rule, "mitigation", t.mitigation))):
        if body:
            out.append(f"\n\n{head}\n", style="bold")
            out.append(body)
    if t.why:
        out.append("\n\nWhy it fires\n", style="bold")
        for w in t.why:
            out.append(f"  • {w}\n")
    if t.controls:
        out.append("\nControls\n", style="bold")
        for c in t.controls:
            out.append("  ")
            out.append(f"{status_label(c.status):<13}", style=STATUS_STYLE.get(c.status, ""))
            out.append(f" {c.id}  {lw.catalog_text('control', c.id, 'title', c.title)}\n")
    refs = []
    if t.requirements:
        refs.append("requirements: " + ", ".join(t.requirements))
    if t.frameworks:
        refs.append("frameworks: " + ", ".join(t.frameworks))
    if t.cwe:
        refs.append("CWE: " + ", ".join(f"CWE-{c}" for c in t.cwe))
    if t.capec:
        refs.append("CAPEC: " + ", ".join(f"CAPEC-{c}" for c in t.capec))
    if refs:
        out.append("\nReferences\n", style="bold")
        for r in refs:
            out.append(f"  {r}\n")
    if threat_bdu(t):
        out.append("\nFSTEC threat database (БДУ ФСТЭК)\n", style="bold")
        for i in threat_bdu(t):
            out.append(f"  {bdu_label(i)}\n")
    if t.false_positives:
        out.append("\nFalse positives\n", style="bold")
        out.append(t.false_positives, style="dim")
    return out
