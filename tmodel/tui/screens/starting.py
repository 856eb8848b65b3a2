"""Starting points in the app: a new model from a template (Models screen, palette) and a
component snippet inserted into the open model (Structure screen). Both go through the service."""

from __future__ import annotations

import os
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Label, Select, Static

from tmodel.templates import DEFAULT_TEMPLATE, ID_HINT, snippets, templates
from tmodel.tui.screens.dialogs import Dialog
from tmodel.tui.service import EditError
from tmodel.tui.widgets.common import SearchSelect, T, TextField


class NewModelScreen(Dialog):
    """Id and template of a new model; writes it (never overwriting) and returns its path."""

    def __init__(self) -> None:
        super().__init__("New model from a template")

    def body(self) -> ComposeResult:
        yield Label(T(f"Model id: the file is {os.path.join(self.service.base, '<id>.yaml')}"))
        yield TextField(id="new-id", placeholder="e.g. sbp-payments")
        yield Label(T("Template"))
        yield SearchSelect([(Text(f"{t.name} — {t.title}"), t.name) for t in templates()], compact=True,
                     id="new-template", allow_blank=False, value=DEFAULT_TEMPLATE)
        yield Static(id="new-summary")

    def on_mount(self) -> None:
        self.show_summary(DEFAULT_TEMPLATE)

    def show_summary(self, name: Any) -> None:
        t = next((t for t in templates() if t.name == name), None)
        text = f"{t.summary}. Its TODO(team) lines are what only your team can answer." if t else ""
        self.query_one("#new-summary", Static).update(T(text, "dim"))

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.show_summary(event.value)

    def on_input_submitted(self, event: TextField.Submitted) -> None:
        event.stop()
        self.pressed("ok")

    def pressed(self, button: str) -> None:
        ident = self.query_one("#new-id", TextField).value.strip()
        template = self.query_one("#new-template", Select).value
        if not ident:
            self.error(f"Type the model's id: {ID_HINT}.")
            return
        try:
            path = self.service.create_model(ident, str(template))
        except EditError as exc:
            self.error(str(exc))
            return
        self.dismiss(path)


def start_new_model(app: Any) -> None:
    """Ask for the id and template, write the model, open it on the Structure screen."""

    def done(path: str | None) -> None:
        if path:
            app.open_model(path)
            app.action_go("structure")
            app.notify(f"Created {app.service.rel(path)}. Look for TODO: those are your team's questions; "
                       "ctrl+s saves your edits.", markup=False)

    app.push_screen(NewModelScreen(), done)


class SnippetScreen(Dialog):
    """Choose a component snippet to merge into the open model; returns the MergePlan."""

    def __init__(self) -> None:
        super().__init__("Insert a component snippet")

    def body(self) -> ComposeResult:
        items = snippets()
        yield Static(T("Its boundaries, elements, flows and data assets are added to this model. Items that "
                       "already exist with the same id and kind are reused; other clashing ids get a suffix.", "dim"))
        yield Label(T("Snippet"))
        yield SearchSelect([(Text(t.title.removeprefix("Snippet: ")), t.name) for t in items], compact=True,
                     id="snippet-name", allow_blank=False, value=items[0].name)
        yield Static(T(items[0].summary, "dim"), id="snippet-summary", classes="dialog-body")

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        t = next((t for t in snippets() if t.name == event.value), None)
        self.query_one("#snippet-summary", Static).update(T(t.summary if t else "", "dim"))

    def pressed(self, button: str) -> None:
        name = str(self.query_one("#snippet-name", Select).value)
        try:
            plan = self.service.insert_snippet(name)
        except EditError as exc:
            self.error(str(exc))
            return
        self.dismiss(plan)
