"""Modal dialogs: confirm, save conflict, diff, quit with unsaved changes, rename, add item,
audit answer, control status. Every dialog shows model text as text, never as markup."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from tmodel.model.enums import AnswerStatus, ControlStatus
from tmodel.tui.fields import REQUIRED_ON_ADD, TLS_DEFAULT, TLS_PROTOCOLS, field_specs
from tmodel.tui.service import EditError, Service
from tmodel.tui.widgets.common import SearchSelect, T, TextField


class Dialog(ModalScreen[Any]):
    """A centred box with a title, a body and a row of buttons; Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "Select, Input, SelectionList, Button"  # the first field, not the scrolling frame
    CANCEL: Any = None

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(T(self.title_text, "bold"), classes="dialog-title")
            with VerticalScroll(classes="dialog-scroll", can_focus=False):
                yield from self.body()
            yield Static("", classes="dialog-error hidden")
            with Horizontal(classes="dialog-buttons"):
                yield from self.buttons()

    def body(self) -> ComposeResult:
        yield from ()

    def buttons(self) -> ComposeResult:
        yield Button("OK", id="ok", variant="primary")
        yield Button("Cancel", id="cancel")

    def error(self, message: str) -> None:
        err = self.query_one(".dialog-error", Static)
        err.update(T(message))
        err.set_class(not message, "hidden")

    def action_cancel(self) -> None:
        self.dismiss(self.CANCEL)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.dismiss(self.CANCEL)
        else:
            self.pressed(event.button.id or "")

    def pressed(self, button: str) -> None:
        self.dismiss(button)

    @property
    def service(self) -> Service:
        return self.app.service  # type: ignore[attr-defined]


class ConfirmScreen(Dialog):
    """Yes/No with explanatory lines (e.g. the references a delete leaves dangling)."""

    CANCEL = False

    def __init__(self, title: str, lines: list[str], *, yes: str = "Yes") -> None:
        super().__init__(title)
        self.lines, self.yes = lines, yes

    def body(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-body"):
            yield Static(T("\n".join(self.lines)))

    AUTO_FOCUS = "#cancel"  # Enter on a confirmation that deletes must not delete

    def buttons(self) -> ComposeResult:
        yield Button(self.yes, id="ok", variant="error")
        yield Button("Cancel", id="cancel")

    def pressed(self, button: str) -> None:
        self.dismiss(True)


class ConflictScreen(Dialog):
    """The file changed on disk: never overwrite silently. Returns "reload" or None."""

    def __init__(self, rel: str) -> None:
        super().__init__(f"{rel} changed on disk")
        self.rel = rel

    def body(self) -> ComposeResult:
        yield Static(T(f"Someone (or another program) changed {self.rel} since tmodel opened it. "
                       "Your changes were not saved and the file is untouched.\n\n"
                       "Reload: drop your unsaved changes and read the file again.\n"
                       "Show diff: compare the file on disk with your unsaved version.\n"
                       "Cancel: keep editing; copy what you need, then reload."), classes="dialog-body")

    def buttons(self) -> ComposeResult:
        yield Button("Reload", id="reload", variant="warning")
        yield Button("Show diff", id="diff", variant="primary")
        yield Button("Cancel", id="cancel")

    def pressed(self, button: str) -> None:
        if button == "diff":
            self.app.push_screen(DiffScreen(self.service.disk_diff()))
        else:
            self.dismiss(button)


class DiffScreen(Dialog):
    def __init__(self, diff: str) -> None:
        super().__init__("On disk → your unsaved version")
        self.diff = diff

    def body(self) -> ComposeResult:
        t = Text()
        for line in self.diff.splitlines():
            style = "#43a047" if line.startswith("+") else ("#e53935" if line.startswith("-") else ("#1e88e5" if line.startswith("@@") else "dim"))
            t.append(line + "\n", style=style)
        with VerticalScroll(classes="dialog-body diff"):
            yield Static(t)

    def buttons(self) -> ComposeResult:
        yield Button("Back", id="cancel", variant="primary")


class QuitScreen(Dialog):
    """Unsaved changes on quit: "save", "discard" or None."""

    def __init__(self, files: list[str]) -> None:
        super().__init__("Unsaved changes")
        self.files = files

    def body(self) -> ComposeResult:
        yield Static(T("These models have changes that are not saved:\n  " + "\n  ".join(self.files)), classes="dialog-body")

    def buttons(self) -> ComposeResult:
        yield Button("Save", id="save", variant="primary")
        yield Button("Discard", id="discard", variant="error")
        yield Button("Cancel", id="cancel")


class RecoverScreen(Dialog):
    """Unsaved changes were kept after a crash: "restore", "discard" or None (ask next time)."""

    def __init__(self, rel: str, diff: str) -> None:
        super().__init__(f"Unsaved changes of {rel} were kept after a crash")
        self.rel, self.diff = rel, diff

    def body(self) -> ComposeResult:
        yield Static(T(f"tmodel stopped on an internal error while {self.rel} had unsaved changes; they were "
                       "kept in a recovery file next to it.\n\nRestore: load them (they show as unsaved changes; "
                       "ctrl+s writes them, ctrl+z goes back to the file).\nDiscard: delete the recovery file.\n"
                       "Later: keep the recovery file and ask again next time."), classes="dialog-body")
        t = Text()
        for line in self.diff.splitlines():
            style = "#43a047" if line.startswith("+") else ("#e53935" if line.startswith("-") else "dim")
            t.append(line + "\n", style=style)
        with VerticalScroll(classes="dialog-body diff"):
            yield Static(t)

    def buttons(self) -> ComposeResult:
        yield Button("Restore", id="restore", variant="primary")
        yield Button("Discard", id="discard", variant="error")
        yield Button("Later", id="cancel")


class RenameScreen(Dialog):
    """Rename an item's id; every reference follows (decisions included)."""

    def __init__(self, section: str, ident: str) -> None:
        super().__init__(f"Rename {ident}")
        self.section, self.ident = section, ident

    def body(self) -> ComposeResult:
        refs = self.service.references_to(self.ident)
        yield Label(T("New id (lowercase letters, digits, '.', '_' or '-')"))
        yield TextField(self.ident, id="new-id")
        if refs:
            yield Static(T("These references follow the new id:\n  " + "\n  ".join(refs)), classes="dialog-body")

    def on_input_submitted(self, event: TextField.Submitted) -> None:
        event.stop()
        self.pressed("ok")

    def pressed(self, button: str) -> None:
        new = self.query_one("#new-id", TextField).value.strip()
        if new == self.ident:
            self.error(f"The id is still '{new}': type the new id, or Escape to keep it.")
            return
        try:
            changes = self.service.rename(self.section, self.ident, new)
        except EditError as exc:
            self.error(str(exc))
            return
        self.dismiss({"new": new, "changes": changes})


class AddItemScreen(Dialog):
    """Add a boundary, element, flow or data asset: id, title and the fields it cannot do without.

    A flow's protocol defaults to https, so the dialog also asks for what https needs: the lowest
    TLS version and whether the client presents a certificate (mutual TLS); both are shown only
    while the chosen protocol carries TLS."""

    NAMES = {"boundaries": "boundary", "elements": "element", "flows": "flow", "data_assets": "data asset"}
    CLIENT_CERT = [("none", "no: server certificate only"),
                   ("mutual", "mutual TLS: the client presents a certificate, the server does not verify it"),
                   ("verified", "mutual TLS, and the server verifies the client chain and revocation")]

    def __init__(self, section: str) -> None:
        super().__init__(f"Add a {self.NAMES[section]}")
        self.section = section

    def body(self) -> ComposeResult:
        yield Label(T("Id"))
        yield TextField(id="add-id", placeholder="e.g. payments-gw")
        yield Label(T("Title"))
        yield TextField(id="add-title")
        specs = {s.path: s for s in field_specs(self.section)}
        for key in REQUIRED_ON_ADD.get(self.section, ()):
            spec = specs[(key,)]
            if spec.kind == "enum":
                options = [(Text(f"{m.value} — {m.description}"), m.value) for m in spec.enum]
            else:
                options = [(Text(f"{x.get('id')} — {x.get('title', '')}"), str(x.get("id")))
                           for x in self.service.items(spec.ref or "") if x.get("id") is not None]
            yield Label(T(spec.label))
            yield SearchSelect(options, compact=True, id=f"add-{key}", allow_blank=True, prompt="(choose)",
                               value=spec.default if spec.default is not None else Select.NULL)
        if self.section == "flows":
            tls = specs[("tls", "min_version")]
            with Vertical(id="add-tls-fields"):
                yield Label(T("TLS min version (lowest version the server accepts)"))
                yield SearchSelect([(Text(f"{m.value} — {m.description}"), m.value) for m in tls.enum if m.value != "none"],
                                   compact=True, id="add-tls", allow_blank=False, value=TLS_DEFAULT)
                yield Label(T("Client certificate"))
                yield SearchSelect([(Text(label), value) for value, label in self.CLIENT_CERT],
                                   compact=True, id="add-mtls", allow_blank=False, value="none")

    def on_mount(self) -> None:
        self._show_tls()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "add-protocol":
            self._show_tls()

    def _protocol(self) -> str | None:
        value = self.query_one("#add-protocol", Select).value
        return None if value is Select.NULL else str(value)

    def _show_tls(self) -> None:
        if self.section == "flows":
            self.query_one("#add-tls-fields").display = self._protocol() in TLS_PROTOCOLS

    def pressed(self, button: str) -> None:
        ident = self.query_one("#add-id", TextField).value.strip()
        title = self.query_one("#add-title", TextField).value.strip()
        if not ident or not title:
            self.error("An id and a title are required.")
            return
        item: dict[str, Any] = {"id": ident, "title": title}
        for key in REQUIRED_ON_ADD.get(self.section, ()):
            value = self.query_one(f"#add-{key}", Select).value
            if value is not Select.NULL:
                item[key] = value
        if self.section == "flows" and self._protocol() in TLS_PROTOCOLS:
            cert = str(self.query_one("#add-mtls", Select).value)
            tls: dict[str, Any] = {"min_version": str(self.query_one("#add-tls", Select).value)}
            if cert != "none":  # the user chose between verified and not: both are stated
                tls["mutual"] = True
                tls["client_cert_verified"] = cert == "verified"
            if tls["min_version"] == "1.3":
                tls["forward_secrecy"] = True  # TLS 1.3 always has it; the model says so or warns
            item["tls"] = tls
        try:
            self.service.add_item(self.section, item)
        except EditError as exc:
            self.error(str(exc))
            return
        self.dismiss(ident)


class AnswerScreen(Dialog):
    """Answer a manual audit question: status and evidence."""

    def __init__(self, control: Any, current: Any) -> None:
        super().__init__(f"Audit question {control.id}")
        self.control, self.current = control, current

    def body(self) -> ComposeResult:
        yield Static(T(self.control.question or self.control.title), classes="dialog-body")
        if self.control.expected_evidence:
            yield Static(T(f"Expected evidence: {self.control.expected_evidence}", "dim"))
        yield Label(T("Answer"))
        value = getattr(self.current, "status", None)
        yield SearchSelect([(Text(f"{m.value} — {m.description}"), m.value) for m in AnswerStatus], compact=True, id="answer-status",
                     value=value.value if value is not None else Select.NULL, prompt="(choose)")
        yield Label(T("Evidence (document and version, ticket, link)"))
        yield TextField(getattr(self.current, "evidence", "") or "", id="answer-evidence")

    def pressed(self, button: str) -> None:
        status = self.query_one("#answer-status", Select).value
        evidence = self.query_one("#answer-evidence", TextField).value.strip()
        if status is Select.NULL:
            self.error("Choose an answer.")
            return
        if status in ("yes", "partial") and not evidence:
            self.error("Evidence is required for 'yes' and 'partial': say where the proof is.")
            return
        if status == "not_applicable" and not evidence:
            self.error("Say why it does not apply (in evidence).")
            return
        try:
            self.service.set_answer(self.control.id, str(status), evidence=evidence)
        except EditError as exc:
            self.error(str(exc))
            return
        self.dismiss(True)


class ControlScreen(Dialog):
    """Record a control's status with evidence (the model's ``controls:`` list)."""

    def __init__(self, control: Any, current: Any) -> None:
        super().__init__(f"Control {control.id}")
        self.control, self.current = control, current

    def body(self) -> ComposeResult:
        yield Static(T(self.control.title), classes="dialog-body")
        if self.control.kind == "automatic":
            yield Static(T("Checked automatically from the model's facts; a recorded status adds evidence and "
                           "can declare it not applicable.", "dim"))
        yield Label(T("Status"))
        value = self.current.get("status") if isinstance(self.current, dict) else None
        yield SearchSelect([(Text(f"{m.value} — {m.description}"), m.value) for m in ControlStatus], compact=True, id="control-status",
                     value=str(value) if value in ControlStatus.values() else Select.NULL, prompt="(choose)")
        yield Label(T("Evidence"))
        ev = self.current.get("evidence", "") if isinstance(self.current, dict) else ""
        yield TextField(str(ev or ""), id="control-evidence")

    def pressed(self, button: str) -> None:
        status = self.query_one("#control-status", Select).value
        evidence = self.query_one("#control-evidence", TextField).value.strip()
        if status is Select.NULL:
            self.error("Choose a status.")
            return
        if status in ("implemented", "partial", "not_applicable") and not evidence:
            self.error("Evidence is required: where is the proof (or why it does not apply)?")
            return
        try:
            self.service.set_control(self.control.id, str(status), evidence=evidence)
        except EditError as exc:
            self.error(str(exc))
            return
        self.dismiss(True)
