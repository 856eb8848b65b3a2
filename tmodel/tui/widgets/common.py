"""Small shared pieces: model text as ``rich.text.Text`` (never markup), level colours, inputs without blink."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Input, TextArea

# risk levels and statuses keep the same colours in both themes: they carry meaning
LEVEL_STYLE = {
    "critical": "bold white on #b71c1c",
    "high": "bold black on #ff8f00",
    "medium": "black on #fdd835",
    "low": "black on #66bb6a",
}
LEVEL_FG = {"critical": "bold #ff5252", "high": "bold #ffa726", "medium": "#fdd835", "low": "#66bb6a"}
STATUS_STYLE = {
    "met": "#66bb6a", "partial": "#fdd835", "gap": "bold #ff5252", "needs_answer": "#4fc3f7", "not_applicable": "dim",
    "open": "bold #ff5252", "expired": "bold #ff5252", "accepted": "#fdd835", "transferred": "#4fc3f7",
    "mitigated": "#66bb6a", "false_positive": "dim",
    "implemented": "#66bb6a", "planned": "#4fc3f7", "not_implemented": "bold #ff5252",
    "yes": "#66bb6a", "no": "bold #ff5252",
}
ZONE_STYLE = {"internet": "#ef5350", "partner": "#ffa726", "dmz": "#fdd835", "internal": "#42a5f5", "restricted": "#ab47bc"}


def T(value: Any, style: str = "") -> Text:
    """Model text for display: always plain text, never parsed as markup."""
    return Text("" if value is None else str(value), style=style)


def level_text(level: str, width: int = 8) -> Text:
    return Text(f" {level:<{width - 1}}", style=LEVEL_STYLE.get(level, ""))


def status_text(status: str) -> Text:
    return Text(status.replace("_", " "), style=STATUS_STYLE.get(status, ""))


class TextField(Input):
    """A compact Input that stops blinking when the app asks (tests take steady snapshots)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(*args, **kwargs)

    def on_mount(self) -> None:
        if not getattr(self.app, "cursor_blink", True):
            self.cursor_blink = False


class TextBox(TextArea):
    """A multi-line text box that stops blinking when the app asks."""

    def on_mount(self) -> None:
        if not getattr(self.app, "cursor_blink", True):
            self.cursor_blink = False
