"""The help screen (F1 or ?): what each screen is for and its keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown

HELP = """\
# tmodel — terminal app

Threat model and audit one integration per YAML file. Every change is re-validated and
re-analysed at once; nothing is written until you save (**ctrl+s**). A `●` in the title means
unsaved changes.

| Key | Everywhere |
|---|---|
| **1** … **7** | Models · Overview · Structure · Diagram · Threats · Audit · Export (or click the tabs) |
| **ctrl+p** | Command palette: every action, every model, every item |
| **ctrl+s** | Save the open model (atomic; refuses if the file changed on disk) |
| **ctrl+t** | Dark / light theme |
| **F1**, **?** | This help |
| **ctrl+q** | Quit (asks when there are unsaved changes) |

**1 Models** — the models of the folder with unresolved risks by residual level, compliance
and validation. **Enter** opens one.

**2 Overview** — summary, 5×5 heat map of unresolved threats, compliance per framework, and
*Needs attention*: expiring or expired acceptances, stale decisions, audit questions,
validation problems. **Enter** on a line goes where it can be fixed.

**3 Structure** — boundaries (nested), elements, flows and data assets. Select one to edit it on
the right: choices are lists, yes/no are switches, text applies on **Enter** or when you leave
the box. An edit that would make the model invalid is not applied: the reason shows under the
field. **a** add · **r** rename (references and risk decisions follow) · **d** delete (asks,
listing what still refers to it) · **escape** back to the tree.

**4 Diagram** — the data-flow graph with trust-boundary frames. Arrow keys move between boxes,
**Enter** or a click opens the element in Structure, **l** switches the layout (Graphviz dot /
layered by zone), **p** highlights every intruder's weakest path to the selected element (again: clear).

**5 Threats** — every threat; filter by residual level, STRIDE, framework, element or flow,
status and free text (**/**); sort with **s** or by clicking a header; **x** clears filters.
**Enter** or **t** triages: mitigated by a control, accepted (owner, reason and expiry are
required), transferred, false positive (reason required), or open again.

**6 Audit** — requirements per framework with their status; manual audit questions
(**Enter** answers with status and evidence); controls (**Enter** records status and evidence).

**7 Export** — register (xlsx), record (Markdown), diagrams (DOT/SVG/PNG) and analysis JSON into
`<folder>/<model-id>/`. Save first: exports must match the file in git.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,question_mark,q", "close", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Markdown(HELP, id="help-text")
            yield Button("Close (Esc)", id="help-close", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
