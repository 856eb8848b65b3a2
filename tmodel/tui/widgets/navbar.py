"""The row of screen tabs under the header: numbered, clickable, the current one highlighted."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

SCREENS = (
    ("models", "Models"), ("overview", "Overview"), ("structure", "Structure"), ("diagram", "Diagram"),
    ("threats", "Threats"), ("audit", "Audit"), ("export", "Export"),
)


class NavBar(Static):
    """``1 Models  2 Overview …``: our own fixed text, so markup is safe here (it carries the click actions)."""

    def __init__(self, current: str) -> None:
        parts = []
        for i, (mode, title) in enumerate(SCREENS, 1):
            style = "reverse bold" if mode == current else ""
            parts.append(Content.from_markup(f"[{style} @click=app.go('{mode}')] {i} {title} [/]" if style
                                             else f"[@click=app.go('{mode}')] [b]{i}[/b] {title} [/]"))
        super().__init__(Content(" ").join(parts), classes="navbar")
