"""Screen 4: the data-flow diagram: boxes, arrows and trust-boundary frames, drawn in the terminal.

Each box and flow carries the worst residual level of its unresolved threats. The layered
layout by zone is the default when every element sits in a zone (it reads in trust order),
Graphviz ``dot`` otherwise when installed (press l to switch). Arrow keys move between boxes; Enter or a click opens the element in Structure.
"""

from __future__ import annotations

import shutil
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical
from textual.widgets import Static

from tmodel.tui.layout import RISK_MARK, layout, prefer_layered
from tmodel.tui.service import worst_open
from tmodel.tui.screens.base import TScreen, no_model_text
from tmodel.tui.widgets.common import LEVEL_FG, ZONE_STYLE, T
from tmodel.tui.widgets.diagram import KIND_STYLE, DiagramView


class DiagramScreen(TScreen):
    MODE = "diagram"
    AUTO_FOCUS = "#dg-view"
    BINDINGS = [Binding("l", "toggle_layout", "Layout"), Binding("p", "paths", "Attack paths here")]
    PALETTE = [("Switch diagram layout", "Graphviz dot / layered by zone", "toggle_layout"),
               ("Attack paths to the selected element", "Highlight every intruder's weakest way to it", "paths")]

    def __init__(self) -> None:
        super().__init__()
        self.use_dot: bool | None = None  # None: the layout that reads better for the model (l toggles)

    def compose_body(self) -> ComposeResult:
        with Vertical(id="dg-body"):
            yield Static(id="dg-head")
            with ScrollableContainer(id="dg-scroll"):
                yield DiagramView(id="dg-view")

    def refresh_view(self) -> None:
        head = self.query_one("#dg-head", Static)
        view = self.query_one("#dg-view", DiagramView)
        e = self.entry
        model = e.loaded.model if e else None
        if e is None or model is None:
            head.update(no_model_text() if e is None else T("The model has validation errors: fix them to see the diagram.", "bold #e53935"))
            view.display = False
            return
        view.display = True
        head.update(T("Laying out the diagram…", "dim"))
        if getattr(self, "_path", None) != e.path:  # another model: its own best layout
            self._path, self.use_dot = e.path, None
        if self.use_dot is None:
            self.use_dot = shutil.which("dot") is not None and not prefer_layered(model)
        self.lay_out(model, self.use_dot, worst_open(e.analysis if e else None))

    @work(thread=True, exclusive=True, group="diagram")
    def lay_out(self, model: Any, use_dot: bool, risk: dict[str, str]) -> None:
        """Graphviz can take a while on big models: lay out in a thread, draw when done."""
        d = layout(model, use_dot=use_dot, risk=risk)
        self.app.call_from_thread(self.draw, model, d)

    def draw(self, model: Any, d: Any) -> None:
        head = self.query_one("#dg-head", Static)
        view = self.query_one("#dg-view", DiagramView)
        view.show(d)
        t = Text()
        t.append(f"{len(model.elements)} elements, {len(model.flows)} flows", style="bold")
        t.append(f"   layout: {'Graphviz dot' if d.engine == 'dot' else 'layered by zone'}   ", style="dim")
        t.append("┏━┓", style=KIND_STYLE["external_entity"])
        t.append(" external  ")
        t.append("╭─╮", style=KIND_STYLE["process"])
        t.append(" process  ")
        t.append("╒═╕", style=KIND_STYLE["data_store"])
        t.append(" data store   zones: ")
        for zone, style in ZONE_STYLE.items():
            t.append(zone, style=style)
            t.append(" ")
        t.append("\n")
        t.append("worst unresolved residual: ", style="dim")
        for level in ("critical", "high", "medium", "low"):
            t.append(RISK_MARK + level, style=LEVEL_FG[level])
            t.append(" ")
        e = self.entry
        if e is not None and not e.analysis_current:
            t.append(" (from the last valid state)", style="#e53935")
        head.update(t)
        if self.app.screen is self:
            view.focus()

    def action_toggle_layout(self) -> None:
        if not self.use_dot and shutil.which("dot") is None:
            self.note("Graphviz dot is not installed: only the layered layout is available.", severity="warning")
            return
        self.use_dot = not self.use_dot
        self.sync(force=True)

    def action_paths(self) -> None:
        """Highlight the attack paths to the selected element (press again to clear)."""
        view = self.query_one("#dg-view", DiagramView)
        e = self.entry
        if view.highlight:
            view.set_highlight(set())
            return
        if e is None or e.analysis is None or e.loaded.model is None or not view.selected:
            self.note("Select an element of an analysed model first.", severity="warning")
            return
        from tmodel.analysis.paths import attack_paths

        found = attack_paths(e.loaded.model, e.analysis, self.service.catalog, to=view.selected, path=e.path)
        if not found:
            self.note(f"No attack path reaches {view.selected}.")
            return
        view.set_highlight({x for p in found for x in (*p.elements, *p.flows)})
        w = found[0]
        self.note(f"{len(found)} attack path(s) to {view.selected}; weakest: {' → '.join(w.elements)} "
                  f"({w.category}, {w.blocking_hops} of {len(w.hops)} hops blocking). "
                  f"'tmodel paths --to {view.selected}' lists the controls on each hop; p clears.")

    def on_diagram_view_chosen(self, event: DiagramView.Chosen) -> None:
        event.stop()
        self.app.goto("structure", section="elements", ident=event.element)  # type: ignore[attr-defined]
