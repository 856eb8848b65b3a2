"""The data-flow diagram on screen: boxes, arrows and boundary frames from ``tmodel.tui.layout``.

Arrow keys move the selection between boxes, Enter (or a click) opens the element in Structure.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.widget import Widget

from tmodel.tui.layout import Diagram
from tmodel.tui.widgets.common import LEVEL_FG, ZONE_STYLE

PATH_STYLE = "#000000 on #ffeb3b"  # elements and flows on the attack paths shown (a highlighter)
KIND_STYLE = {"process": "#1e88e5", "external_entity": "#f57c00", "data_store": "#8e24aa"}


def _style(key: str) -> str:
    kind, _, arg = key.partition(":")
    if kind == "frame":
        return ZONE_STYLE.get(arg, "")
    if kind == "label":
        return f"bold {ZONE_STYLE.get(arg, '')}" if arg else "italic dim"
    if kind == "edge":
        return "dim"
    if kind == "arrow":
        return "bold"
    if kind == "box":
        return KIND_STYLE.get(arg, "")
    if kind == "title":
        return "bold"
    if kind == "sub":
        return "dim"
    if kind == "risk":
        return LEVEL_FG.get(arg, "")
    return ""


class DiagramView(Widget, can_focus=True):
    BINDINGS = [
        Binding("left", "move(-1,0)", "Left", show=False), Binding("right", "move(1,0)", "Right", show=False),
        Binding("up", "move(0,-1)", "Up", show=False), Binding("down", "move(0,1)", "Down", show=False),
        Binding("enter", "choose", "Open in Structure"),
    ]

    class Chosen(Message):
        def __init__(self, element: str) -> None:
            super().__init__()
            self.element = element

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.diagram: Diagram | None = None
        self.selected: str | None = None
        self.highlight: set[str] = set()  # element and flow ids drawn as on an attack path

    def set_highlight(self, ids: set[str]) -> None:
        self.highlight = set(ids)
        self.refresh()

    def show(self, diagram: Diagram) -> None:
        self.diagram = diagram
        ids = [b.id for b in diagram.boxes]
        if self.selected not in ids:
            self.selected = _first(diagram)
        self.styles.width = diagram.width
        self.styles.height = diagram.height
        self.refresh(layout=True)

    def render(self) -> Text:
        d = self.diagram
        if d is None:
            return Text("")
        sel = next((b for b in d.boxes if b.id == self.selected), None)
        hot = {c for e in d.edges if e.id in self.highlight for c in e.cells} if self.highlight else set()
        out = Text(no_wrap=True, overflow="crop")
        for y, row in enumerate(d.grid):
            run, style = "", None
            for x, (ch, key, owner) in enumerate(row):
                st = _style(key)
                if self.highlight and (owner in self.highlight or (x, y) in hot) and not key.startswith(("frame", "label:")):
                    st = f"bold {PATH_STYLE}"
                if sel is not None and owner == sel.id and key.split(":")[0] in ("box", "title", "sub"):
                    st = (st + " reverse") if self.has_focus else (st + " underline")
                if st != style and run:
                    out.append(run, style=style or "")
                    run = ""
                run += ch
                style = st
            if run:
                out.append(run, style=style or "")
            if y < len(d.grid) - 1:
                out.append("\n")
        return out

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def select(self, element: str) -> None:
        self.selected = element
        self.refresh()
        self._scroll_to_selected()

    def _scroll_to_selected(self) -> None:
        d = self.diagram
        b = next((b for b in d.boxes if b.id == self.selected), None) if d else None
        if b is not None and self.parent is not None:
            self.parent.scroll_to_region(Region(b.x - 2, b.y - 2, b.w + 4, b.h + 4), animate=False)  # type: ignore[attr-defined]

    def action_move(self, dx: int, dy: int) -> None:
        d = self.diagram
        cur = next((b for b in d.boxes if b.id == self.selected), None) if d else None
        if d is None or cur is None:
            return
        cx, cy = cur.center
        best, best_cost = None, None
        for b in d.boxes:
            if b.id == cur.id:
                continue
            bx, by = b.center
            ax, ay = (bx - cx) / 2, by - cy  # cells are twice as tall as wide
            along = ax * dx + ay * dy
            if along <= 0:
                continue
            across = abs(ax * dy) + abs(ay * dx)
            cost = along + 2 * across
            if best_cost is None or cost < best_cost:
                best, best_cost = b, cost
        if best is not None:
            self.select(best.id)

    def action_choose(self) -> None:
        if self.selected:
            self.post_message(self.Chosen(self.selected))

    def on_click(self, event: events.Click) -> None:
        d = self.diagram
        if d is None:
            return
        b = d.box_at(event.x, event.y)
        if b is not None:
            self.select(b.id)
            self.post_message(self.Chosen(b.id))


def _first(d: Diagram) -> str | None:
    if not d.boxes:
        return None
    return min(d.boxes, key=lambda b: (b.x, b.y)).id
