"""Small shared pieces: model text as ``rich.text.Text`` (never markup), level colours, inputs without blink,
and the dropdown that takes type-to-search."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.widgets import Input, Select, TextArea
from textual.widgets._select import SelectOverlay

from tmodel import i18n
from tmodel.i18n import terms

# risk levels and statuses keep the same colours in both themes: they carry meaning
LEVEL_STYLE = {
    "critical": "bold white on #b71c1c",
    "high": "bold black on #ff8f00",
    "medium": "black on #fdd835",
    "low": "black on #66bb6a",
}
LEVEL_FG = {"critical": "bold #e53935", "high": "bold #f57c00", "medium": "#c79100", "low": "#43a047"}
STATUS_STYLE = {
    "met": "#43a047", "partial": "#c79100", "gap": "bold #e53935", "needs_answer": "#1e88e5", "not_applicable": "dim",
    "open": "bold #e53935", "expired": "bold #e53935", "accepted": "#c79100", "transferred": "#1e88e5",
    "mitigated": "#43a047", "false_positive": "dim",
    "implemented": "#43a047", "planned": "#1e88e5", "not_implemented": "bold #e53935",
    "yes": "#43a047", "no": "bold #e53935",
}
ZONE_STYLE = {"internet": "#e53935", "partner": "#f57c00", "dmz": "#c79100", "internal": "#1e88e5", "restricted": "#8e24aa"}


class UiLang:
    """The app's language (en | ru): ``[export] lang`` of tmodel.toml when the app opens, switched live
    by the palette's "Switch the language" command. Labels of levels, statuses and kinds and the
    catalogs' titles follow it (``tmodel.i18n``); model data is shown as written."""

    current = i18n.DEFAULT_LANG


def ui_lang() -> str:
    return UiLang.current


def set_ui_lang(lang: str) -> None:
    if lang not in i18n.LANGS:
        raise ValueError(f"unknown language {lang!r}")
    UiLang.current = lang


def words(catalog: Any = None) -> i18n.Words:
    """The app's words in its language (catalog texts from the records' ru: blocks)."""
    return i18n.Words(UiLang.current, catalog)


def title_of(x: Any) -> str:
    """A threat's or control's catalog title in the app's language (``title_ru`` from the catalog)."""
    return words().title(str(x.title), getattr(x, "title_ru", "") or "")


def level_label(level: str) -> str:
    return terms.LEVEL_SHORT.get(level, level) if UiLang.current == "ru" else level


def status_label(status: str) -> str:
    """A threat's effective status or a control's / requirement's status, as the app shows it."""
    if UiLang.current == "ru":
        return terms.THREAT_STATUS_SHORT.get(status) or terms.CONTROL_STATUS.get(status) or terms.ANSWER.get(status) \
            or status
    return status.replace("_", " ")


def T(value: Any, style: str = "") -> Text:
    """Model text for display: always plain text, never parsed as markup."""
    return Text("" if value is None else str(value), style=style)


def level_text(level: str, width: int = 8) -> Text:
    return Text(f" {level_label(level):<{width - 1}}", style=LEVEL_STYLE.get(level, ""))


def status_text(status: str) -> Text:
    return Text(status_label(status), style=STATUS_STYLE.get(status, ""))


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


class SearchSelect(Select):
    """A dropdown that takes type-to-search even while closed: a printable key opens the list and
    jumps to the first option containing what was typed. Letters typed on it never reach the
    screen's keys (``grpc`` must not open Rename)."""

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        return character is not None and character.isprintable() and character != " "

    async def _on_key(self, event: events.Key) -> None:
        if self.expanded or not self.check_consume_key(event.key, event.character):
            return
        event.stop()
        event.prevent_default()
        self.action_show_overlay()
        overlay = self.query_one(SelectOverlay)
        self.call_after_refresh(overlay.post_message, events.Key(event.key, event.character))
