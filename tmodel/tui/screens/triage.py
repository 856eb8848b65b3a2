"""The triage dialog: decide what happens to one threat, written as a risk decision in the model.

- mitigated: by one of the threat's controls (chosen from a list) that is in place: a control that
  is a gap or unanswered is refused with the reason, so the residual never claims a protection
  that is not there;
- accepted: owner, reason and an expiry date are all required (acceptances must expire);
- transferred: to whom and how, in the reason (owner required);
- false positive: the reason is required;
- open: removes the decision.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Select, Static

from tmodel.analysis.result import MET, PARTIAL
from tmodel.model.enums import DecisionStatus
from tmodel.tui.screens.dialogs import Dialog
from tmodel.tui.service import EditError
from tmodel.tui.widgets.common import SearchSelect, T, TextField

# a threat is mitigated only by a control that is in place (met, or partly)
IN_PLACE = {MET, PARTIAL}
# which fields each status shows
SHOWN = {
    "open": (),
    "mitigated": ("control", "reason", "by"),
    "accepted": ("owner", "reason", "expires", "by"),
    "transferred": ("owner", "reason", "by"),
    "false_positive": ("reason", "by"),
}


class TriageScreen(Dialog):
    def __init__(self, threat: Any) -> None:
        super().__init__(f"Triage {threat.id}")
        self.threat = threat

    def body(self) -> ComposeResult:
        t, d = self.threat, self.threat.decision
        head = Text()
        head.append(t.title, style="bold")
        head.append(f"\n{t.level} (score {t.score}), residual {t.residual_level}; target {t.target}", style="dim")
        yield Static(head, classes="dialog-body")
        status = d.status if d is not None else "open"
        yield Label(T("Decision"))
        yield SearchSelect([(Text(f"{m.value.replace('_', ' ')} — {m.description}"), m.value) for m in DecisionStatus],
                     value=status, allow_blank=False, compact=True, id="tr-status")
        controls = [(Text(f"{c.id} — {c.title} ({c.status.replace('_', ' ')})"), c.id) for c in t.controls]
        with Vertical(id="tr-control", classes="tr-field"):
            yield Label(T("Mitigated by control"))
            current = d.control if d is not None and d.control in [c.id for c in t.controls] else Select.NULL
            yield SearchSelect(controls, compact=True, id="tr-control-select", value=current, prompt="(choose the control)",
                         disabled=not controls)
            if not controls:
                yield Static(T("This rule names no mitigating control: record the control under Audit, or pick another decision.", "dim"))
        with Vertical(id="tr-owner", classes="tr-field"):
            yield Label(T("Risk owner"))
            yield TextField(d.owner or "" if d is not None else "", id="tr-owner-input", placeholder="who answers for this risk")
        with Vertical(id="tr-reason", classes="tr-field"):
            yield Label(T("Reason"))
            yield TextField(d.reason if d is not None else "", id="tr-reason-input", placeholder="why; for a transfer: to whom and how")
        with Vertical(id="tr-expires", classes="tr-field"):
            yield Label(T("Expires (YYYY-MM-DD)"))
            default = d.expires.isoformat() if d is not None and d.expires else ""
            yield TextField(default, id="tr-expires-input", placeholder=f"after {self.service.as_of.isoformat()}")
        with Vertical(id="tr-by", classes="tr-field"):
            yield Label(T("Decided by"))
            by = (d.decided_by if d is not None and d.decided_by else None) or self.service.user or ""
            yield TextField(by, id="tr-by-input")

    def on_mount(self) -> None:
        self._show_fields(str(self.query_one("#tr-status", Select).value))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "tr-status":
            event.stop()
            self._show_fields(str(event.value))

    def _show_fields(self, status: str) -> None:
        for name in ("control", "owner", "reason", "expires", "by"):
            self.query_one(f"#tr-{name}").display = name in SHOWN.get(status, ())
        self.error("")

    def _text(self, name: str) -> str:
        return self.query_one(f"#tr-{name}-input", TextField).value.strip()

    def pressed(self, button: str) -> None:
        status = str(self.query_one("#tr-status", Select).value)
        fields: dict[str, Any] = {}
        shown = SHOWN.get(status, ())
        owner, reason, by = self._text("owner"), self._text("reason"), self._text("by")
        missing = []
        if status == "mitigated":
            control = self.query_one("#tr-control-select", Select).value
            if control is Select.NULL:
                self.error("Choose the control that mitigates this threat.")
                return
            status_of = {c.id: c.status for c in self.threat.controls}
            if status_of.get(str(control)) not in IN_PLACE:
                said = str(status_of.get(str(control), "unknown")).replace("_", " ")
                self.error(f"{control} is {said} in this model, so it does not lower the risk yet: the residual "
                           "would claim a protection that is not there. Record the control as implemented with "
                           "evidence under 6 Audit (or answer its audit question), or accept the risk with an "
                           "owner and an expiry until it is.")
                return
            fields["control"] = str(control)
        if status in ("accepted", "transferred") and not owner:
            missing.append("the risk owner")
        if status in ("accepted", "transferred", "false_positive") and not reason:
            missing.append("a reason")
        expires = None
        if status == "accepted":
            raw = self._text("expires")
            if not raw:
                missing.append("an expiry date")
            else:
                try:
                    expires = dt.date.fromisoformat(raw)
                except ValueError:
                    self.error(f"'{raw}' is not a date: write YYYY-MM-DD.")
                    return
                if expires <= self.service.as_of:
                    self.error(f"The expiry must be after {self.service.as_of.isoformat()}: an acceptance that has already expired does not count.")
                    return
        if missing:
            self.error("Required: " + ", ".join(missing) + ".")
            return
        try:
            self.service.set_decision(
                self.threat.id, status,
                owner=owner if "owner" in shown else None, reason=reason if "reason" in shown else "",
                expires=expires, control=fields.get("control"), decided_by=by if "by" in shown and by else None)
        except EditError as exc:
            self.error(str(exc))
            return
        summary = {"open": "reopened (decision removed)", "mitigated": f"mitigated by {fields.get('control')}",
                   "accepted": f"accepted by {owner} until {expires.isoformat() if expires else ''}",
                   "transferred": f"transferred ({owner})", "false_positive": "marked as a false positive"}[status]
        self.dismiss(summary)
