"""The help screen (F1 or ?): what each screen is for and its keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown

HELP = """\
# tmodel — terminal app

Threat model and audit one integration per YAML file. Every change is re-validated and
re-analysed at once; nothing is written until you save (**ctrl+s**). A `●` in the title means
unsaved changes. Lists (dropdowns) open with **Enter** or by typing: letters jump to the first
choice containing them. This help scrolls: arrows, **PgUp**/**PgDn**.

If tmodel ever stops on an internal error, unsaved changes are kept next to the model in
`.<name>.recover` and the next start offers to restore them.

| Key | Everywhere |
|---|---|
| **1** … **7** | Models · Overview · Structure · Diagram · Threats · Audit · Export (or click the tabs) |
| **ctrl+p** | Command palette: every action, every model, every item |
| **ctrl+s** | Save the open model (atomic; refuses if the file changed on disk) |
| **ctrl+z** / **ctrl+y** | Undo / redo every change since the model was opened (in a text box: its typing) |
| **ctrl+t** | Dark / light theme |
| **F1**, **?** | This help |
| **ctrl+q** | Quit (asks when there are unsaved changes) |

**1 Models** — the models of the folder with unresolved risks by residual level, compliance
and validation. **Enter** opens one; **n** starts a new model from a template (also when the
folder is empty).

**2 Overview** — summary, 5×5 heat map of unresolved threats, compliance per framework, and
*Needs attention*: expiring or expired acceptances, stale decisions, audit questions,
validation problems. **Enter** on a line goes where it can be fixed.

**3 Structure** — boundaries (nested), elements, flows and data assets. Select one to edit it on
the right: choices are lists, yes/no are switches, text applies on **Enter** or when you leave
the box (**Tab**, a click); **escape** drops what was typed and goes back to the tree. An edit that would make the model invalid is not applied: the reason shows under the
field, and the field shows the model's value again. Changing a flow's protocol between http
and https sets or clears its TLS with it. **a** add (a flow asks for TLS and client
certificates when its protocol is https) · **i** insert a component snippet (WSO2 gateway,
identity provider, HSM) · **r** rename (references and risk decisions
follow) · **d** delete (asks, listing what still refers to it; Cancel is focused) ·
**f** into the form · **escape** back to the tree.

**4 Diagram** — the data-flow graph with trust-boundary frames. Each box and arrow is marked
with the worst residual level of its unresolved threats. Arrow keys move between boxes,
**Enter** or a click opens the element in Structure, **l** switches the layout (layered by
zone / Graphviz dot), **p** highlights every intruder's weakest path to the selected element
(again: clear).

**5 Threats** — every threat; filter by residual level, STRIDE, framework, element or flow,
status and free text (**/**); sort with **s** or by clicking a header; **x** clears filters.
**Enter** or **t** triages: mitigated by a control that is in place (a control that is a gap
or unanswered is refused: record it under Audit first), accepted (owner, reason and expiry
are required), transferred, false positive (reason required), or open again. Below 110
columns the details show under the table.

**6 Audit** — requirements per framework with their status; manual audit questions
(**Enter** answers with status and evidence); controls (**Enter** records status and evidence).

**7 Export** — register (xlsx), record (Markdown), diagrams (DOT/SVG/PNG) and analysis JSON into
`<folder>/<model-id>/`. Save first: exports must match the file in git.
"""


class HelpScreen(ModalScreen[None]):
    """Scrolls with the arrow keys, Page Up/Down, Home/End and the mouse wheel."""

    BINDINGS = [Binding("escape,f1,question_mark,q", "close", "Close")]
    AUTO_FOCUS = "#help-scroll"

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            with VerticalScroll(id="help-scroll"):
                yield Markdown(HELP, id="help-text")
            yield Button("Close (Esc)", id="help-close", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
