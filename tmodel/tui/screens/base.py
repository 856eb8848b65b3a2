"""What every main screen shares: header, screen tabs, footer, and re-reading the service when shown."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tmodel.tui.service import Entry, Service
from tmodel.tui.widgets.common import T, ui_lang
from tmodel.tui.widgets.navbar import NavBar


class TScreen(Screen):
    """A main screen. ``refresh_view`` runs whenever the model changed since the screen last drew it."""

    MODE: ClassVar[str] = ""
    # (title, help, action) offered by the command palette while this screen is shown
    PALETTE: ClassVar[list[tuple[str, str, str]]] = []

    def __init__(self) -> None:
        super().__init__()
        self._seen: Any = None

    @property
    def service(self) -> Service:
        return self.app.service  # type: ignore[attr-defined]

    @property
    def entry(self) -> Entry | None:
        return self.service.current

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield NavBar(self.MODE)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield Static("")

    def on_mount(self) -> None:
        self.sync()

    def on_screen_resume(self) -> None:
        self.sync()

    def sync(self, *, force: bool = False) -> None:
        e = self.entry
        key = (id(e), e.version if e else -1, self.service.version if self.MODE == "models" else 0, ui_lang())
        if force or key != self._seen:
            self._seen = key
            self.refresh_view()
        self.take_pending(self.app.pending.pop(self.MODE, None))  # type: ignore[attr-defined]

    def refresh_view(self) -> None:
        """Redraw from the service's current model."""

    def model_loaded(self, path: str) -> None:
        """The app finished loading and analysing ``path`` in the background."""

    def take_pending(self, request: dict[str, Any] | None) -> None:
        """Another screen asked to show something here (an item, a threat)."""

    def note(self, message: str, *, severity: str = "information") -> None:
        """Notify without markup: messages may quote model text."""
        self.app.notify(message, severity=severity, markup=False)  # type: ignore[arg-type]


def no_model_text() -> Any:
    return T("No model is open. Press 1 for the list of models and Enter to open one.", "italic")
