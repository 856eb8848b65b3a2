"""Screen 6: the audit: requirements per framework with their status, the manual audit questions
(answered with status and evidence), the facts the model leaves unstated (questions that need an
answer: stating the fact in the model answers them), and every control with its status and evidence."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Select, Static, TabbedContent, TabPane

from tmodel.tui.screens.base import TScreen, no_model_text
from tmodel.tui.screens.dialogs import AnswerScreen, ControlScreen
from tmodel.i18n import terms
from tmodel.tui.widgets.common import STATUS_STYLE, SearchSelect, T, status_text, title_of, words


class AuditScreen(TScreen):
    MODE = "audit"
    AUTO_FOCUS = "#aud-req-table"
    BINDINGS = [Binding("e", "edit", "Answer / edit"), Binding("tab", "app.focus_next", "Next", show=False)]
    PALETTE = [
        ("Audit: requirements", "Requirements per framework", "tab('aud-req')"),
        ("Audit: questions", "Manual audit questions to answer", "tab('aud-q')"),
        ("Audit: unknowns", "Facts the model leaves unstated: questions that need an answer", "tab('aud-unk')"),
        ("Audit: controls", "Controls with status and evidence", "tab('aud-ctl')"),
        ("Answer / edit the selected row", "Answer the question or record the control's status", "edit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.questions: list[Any] = []
        self.controls: list[Any] = []
        self.requirements: list[Any] = []
        self.unknowns: list[Any] = []

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="aud-tabs", initial="aud-req"):
            with TabPane("Requirements", id="aud-req"):
                with Vertical():
                    yield SearchSelect([], prompt="framework", id="aud-fw", compact=True)
                    yield DataTable(id="aud-req-table", cursor_type="row", zebra_stripes=True)
                    with VerticalScroll(classes="aud-detail"):
                        yield Static(id="aud-req-detail")
            with TabPane("Audit questions", id="aud-q"):
                with Vertical():
                    yield DataTable(id="aud-q-table", cursor_type="row", zebra_stripes=True)
                    with VerticalScroll(classes="aud-detail"):
                        yield Static(id="aud-q-detail")
            with TabPane("Unknowns", id="aud-unk"):
                with Vertical():
                    yield DataTable(id="aud-unk-table", cursor_type="row", zebra_stripes=True)
                    with VerticalScroll(classes="aud-detail"):
                        yield Static(id="aud-unk-detail")
            with TabPane("Controls", id="aud-ctl"):
                with Vertical():
                    yield DataTable(id="aud-ctl-table", cursor_type="row", zebra_stripes=True)
                    with VerticalScroll(classes="aud-detail"):
                        yield Static(id="aud-ctl-detail")

    def on_mount(self) -> None:
        for tid, cols in (("aud-req-table", [("Requirement", 16), ("Clause", 12), ("Title", 48), ("Status", 14), ("Controls", 40)]),
                          ("aud-q-table", [("Control", 26), ("Question", 56), ("Status", 14), ("Required", 8), ("Evidence", 26)]),
                          ("aud-unk-table", [("Not stated", 52), ("Where", 40), ("Status", 14), ("Rules", 30)]),
                          ("aud-ctl-table", [("Control", 26), ("Title", 44), ("Kind", 10), ("Status", 14), ("Evidence", 30)])):
            table = self.query_one(f"#{tid}", DataTable)
            for title, width in cols:
                table.add_column(title, width=width)

    def refresh_view(self) -> None:
        e = self.entry
        a = e.analysis if e else None
        fw = self.query_one("#aud-fw", Select)
        frameworks = [(T(f"{f.id} — {f.title}  {f.coverage:.1f}%"), f.id) for f in (a.frameworks if a else [])]
        keep = fw.value
        with self.prevent(Select.Changed):
            if frameworks:
                fw.set_options(frameworks)
                fw.value = keep if keep in [v for _, v in frameworks] else frameworks[0][1]
            else:
                fw.set_options([])
        self.fill_requirements()
        q = self.query_one("#aud-q-table", DataTable)
        ctl = self.query_one("#aud-ctl-table", DataTable)
        unk = self.query_one("#aud-unk-table", DataTable)
        q_row, c_row, u_row = q.cursor_row, ctl.cursor_row, unk.cursor_row
        q.clear()
        ctl.clear()
        unk.clear()
        self.unknowns = list(a.unknowns) if a else []
        for u in self.unknowns:
            unk.add_row(T(u.text.removeprefix("Not stated: ")), T(u.target_title), status_text("needs_answer"),
                        T(", ".join(u.rules), "dim"))
        self.questions = [c for c in (a.controls if a else []) if c.question]
        self.controls = list(a.controls) if a else []
        for c in self.questions:
            q.add_row(T(c.id), T(c.question), status_text(c.status), T("yes" if c.answer_required else "no", "dim"),
                      T(c.evidence or "—", "" if c.evidence else "dim"))
        for c in self.controls:
            ctl.add_row(T(c.id), T(title_of(c)), T(words().value(terms.CONTROL_KIND, c.kind), "dim"), status_text(c.status), T(c.evidence or "—", "" if c.evidence else "dim"))
        for table, row in ((q, q_row), (ctl, c_row), (unk, u_row)):
            if table.row_count:
                table.move_cursor(row=min(max(row, 0), table.row_count - 1), animate=False)
        self.show_details()
        if e is None:
            self.query_one("#aud-req-detail", Static).update(no_model_text())
        elif a is None:
            self.query_one("#aud-req-detail", Static).update(
                T(f"No analysis: the model has {len(e.errors)} validation error(s). See 2 Overview to fix them.", "bold #e53935"))

    def fill_requirements(self) -> None:
        e = self.entry
        a = e.analysis if e else None
        fw_id = self.query_one("#aud-fw", Select).value
        table = self.query_one("#aud-req-table", DataTable)
        row = table.cursor_row
        table.clear()
        fw = next((f for f in (a.frameworks if a else []) if f.id == fw_id), None)
        self.requirements = list(fw.requirements) if fw else []
        for r in self.requirements:
            table.add_row(T(r.id), T(r.clause), T(words(self.service.catalog).catalog_text("requirement", r.id, "title", r.title)),
                          status_text(r.status), T(", ".join(c.id for c in r.controls) or "—"))
        if table.row_count:
            table.move_cursor(row=min(max(row, 0), table.row_count - 1), animate=False)

    @on(Select.Changed, "#aud-fw")
    def _framework(self, event: Select.Changed) -> None:
        self.fill_requirements()
        self.show_details()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_details()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id in ("aud-q-table", "aud-ctl-table", "aud-unk-table"):
            self.action_edit()

    def _pick(self, table_id: str, items: list[Any]) -> Any:
        row = self.query_one(f"#{table_id}", DataTable).cursor_row
        return items[row] if items and 0 <= row < len(items) else None

    def show_details(self) -> None:
        r = self._pick("aud-req-table", self.requirements)
        t = Text()
        if r is not None:
            t.append(f"{r.id}  {r.clause}", style="bold")
            t.append(f"  confidence: {r.confidence}\n", style="dim")
            t.append(r.title + "\n")
            for c in r.controls:
                t.append("  ")
                t.append(f"{c.status.replace('_', ' '):<13}", style=STATUS_STYLE.get(c.status, ""))
                t.append(f" {c.id}  {c.title}\n")
            if r.evidence:
                t.append(f"evidence: {r.evidence}", style="dim")
        self.query_one("#aud-req-detail", Static).update(t)
        self.query_one("#aud-q-detail", Static).update(_control_detail(self._pick("aud-q-table", self.questions)))
        self.query_one("#aud-ctl-detail", Static).update(_control_detail(self._pick("aud-ctl-table", self.controls)))
        self.query_one("#aud-unk-detail", Static).update(_unknown_detail(self._pick("aud-unk-table", self.unknowns)))

    def take_pending(self, request: dict[str, Any] | None) -> None:
        if not request or "question" not in request:
            return
        cid = request["question"]
        tabs = self.query_one("#aud-tabs", TabbedContent)
        ids = [c.id for c in self.questions]
        if cid in ids:
            tabs.active = "aud-q"
            self.query_one("#aud-q-table", DataTable).move_cursor(row=ids.index(cid), animate=False)
            self.query_one("#aud-q-table", DataTable).focus()
        else:
            ids = [c.id for c in self.controls]
            if cid in ids:
                tabs.active = "aud-ctl"
                self.query_one("#aud-ctl-table", DataTable).move_cursor(row=ids.index(cid), animate=False)
                self.query_one("#aud-ctl-table", DataTable).focus()
        self.show_details()

    def action_tab(self, tab: str) -> None:
        self.query_one("#aud-tabs", TabbedContent).active = tab
        self.query_one(f"#{tab}-table", DataTable).focus()  # where e answers, not a hidden table

    def action_edit(self) -> None:
        e = self.entry
        if e is None or e.doc is None:
            self.note("Open a model that can be edited first.", severity="warning")
            return
        active = self.query_one("#aud-tabs", TabbedContent).active
        if active == "aud-q":
            c = self._pick("aud-q-table", self.questions)
            if c is None:
                return
            current = e.model.answers if e.model is not None else []
            answer = next((x for x in current if x.question == c.id), None)
            self.app.push_screen(AnswerScreen(c, answer), self._edited)
        elif active == "aud-ctl":
            c = self._pick("aud-ctl-table", self.controls)
            if c is None:
                return
            current = next((x for x in self.service.items("controls") if x.get("control") == c.id), None)
            self.app.push_screen(ControlScreen(c, current), self._edited)
        elif active == "aud-unk":
            u = self._pick("aud-unk-table", self.unknowns)
            if u is not None:  # answered by stating the fact: open the first item that leaves it out
                section = "flows" if u.fact.startswith("flow.") else "elements"
                self.app.goto("structure", section=section, ident=u.targets[0])  # type: ignore[attr-defined]
        else:
            self.note("Requirements are derived from controls: edit a control or answer a question.")

    def _edited(self, result: Any) -> None:
        if result:
            self.sync()
            self.note("Recorded. Save with ctrl+s.")


def _unknown_detail(u: Any) -> Text:
    t = Text()
    if u is None:
        return t
    t.append(u.text, style="bold")
    t.append("\nstatus ", style="dim")
    t.append("needs an answer", style=STATUS_STYLE.get("needs_answer", ""))
    t.append(f" · {u.id}", style="dim")
    t.append("\nWhere: ", style="bold")
    t.append(", ".join(u.targets))
    t.append("\nRules that would fire if it were weak: ", style="bold")
    t.append(", ".join(u.rules))
    if u.requirements:
        t.append("\nRequirements: ", style="bold")
        t.append(", ".join(u.requirements))
    t.append(f"\nAnswer it by stating {u.fact.split('.', 1)[1]} in the model: e opens the first of these items "
             "in Structure. A weak value makes the rules fire; a strong one closes the question.", style="dim")
    return t


def _control_detail(c: Any) -> Text:
    t = Text()
    if c is None:
        return t
    t.append(f"{c.id}  ", style="bold")
    t.append(c.title)
    t.append(f"\n{c.kind} · catalog {c.catalog} · status ", style="dim")
    t.append(c.status.replace("_", " "), style=STATUS_STYLE.get(c.status, ""))
    if c.question:
        t.append("\nQuestion: ", style="bold")
        t.append(c.question)
    if c.expected_evidence:
        t.append("\nExpected evidence: ", style="bold")
        t.append(c.expected_evidence)
    if c.evidence:
        t.append("\nEvidence: ", style="bold")
        t.append(c.evidence)
    for n in c.notes:
        t.append(f"\n  • {n}", style="dim")
    if c.satisfies:
        t.append("\nSatisfies: ", style="bold")
        t.append(", ".join(c.satisfies))
    if c.violations:
        t.append("\nFailing on: ", style="bold")
        t.append(", ".join(c.violations))
    return t
