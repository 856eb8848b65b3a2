"""Screen 4: the data-flow diagram: boxes, arrows and trust-boundary frames, drawn in the terminal.

Layout by Graphviz ``dot`` when it is installed, else a simple layered layout by zone
(press l to switch). Arrow keys move between boxes; Enter or a click opens the element in Structure.
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

from tmodel.tui.layout import layout
from tmodel.tui.screens.base import TScreen, no_model_text
from tmodel.tui.widgets.common import ZONE_STYLE, T
from tmodel.tui.widgets.diagram import KIND_STYLE, DiagramView


class DiagramScreen(TScreen):
    MODE = "diagram"
    AUTO_FOCUS = "#dg-view"
    BINDINGS = [Binding("l", "toggle_layout", "Layout"), Binding("p", "paths", "Attack paths here")]
    PALETTE = [("Switch diagram layout", "Graphviz dot / layered by zone", "toggle_layout"),
               ("Attack paths to the selected element", "Highlight every intruder's weakest way to it", "paths")]

    def __init__(self) -> None:
        super().__init__()
        self.use_dot = shutil.which("dot") is not None

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
        if model is None:
            head.update(no_model_text() if e is None else T("The model has validation errors: fix them to see the diagram.", "bold #e53935"))
            view.display = False
            return
        view.display = True
        head.update(T("Laying out the diagram…", "dim"))
        self.lay_out(model, self.use_dot)

    @work(thread=True, exclusive=True, group="diagram")
    def lay_out(self, model: Any, use_dot: bool) -> None:
        """Graphviz can take a while on big models: lay out in a thread, draw when done."""
        d = layout(model, use_dot=use_dot)
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
