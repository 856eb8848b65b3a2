"""Screen 2: one model at a glance: numbers, heat map, compliance, and everything needing attention.

Selecting a line in "Needs attention" goes where it can be fixed: a validation problem to the
item in Structure, a decision to its threat in Threats, an audit answer or control to Audit.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tmodel.model.enums import Level
from tmodel.tui.screens.base import TScreen, no_model_text
from tmodel.tui.widgets.common import LEVEL_FG, T
from tmodel.tui.widgets.heatmap import HeatMap

BAR = 16
FW_SHORT = {"met": "met", "partial": "part", "gap": "gap", "needs_answer": "ask", "not_applicable": "n/a"}
SHORT = {"met": "met", "partial": "partial", "gap": "gap", "needs_answer": "to answer", "not_applicable": "n/a"}


class OverviewScreen(TScreen):
    MODE = "overview"
    AUTO_FOCUS = "#ov-issues"

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="ov-body"):
            with VerticalScroll(id="ov-left"):
                yield Static(id="ov-summary")
                yield HeatMap(id="ov-heat")
                yield Static(id="ov-compliance")
            with Vertical(id="ov-right"):
                yield Static(T("Needs attention", "bold"), classes="pane-title")
                yield OptionList(id="ov-issues")

    def refresh_view(self) -> None:
        e = self.entry
        summary = self.query_one("#ov-summary", Static)
        issues = self.query_one("#ov-issues", OptionList)
        issues.clear_options()
        self._targets: list[tuple[str, dict[str, Any]]] = []
        if e is None:
            summary.update(no_model_text())
            return
        a = e.analysis
        t = Text()
        t.append(e.title or e.rel, style="bold")
        t.append("\nowner: ", style="dim")
        t.append(e.owner)
        t.append("\n")
        t.append(e.rel, style="dim")
        t.append(f"   as of {self.service.as_of.isoformat()}\n", style="dim")
        if e.errors:
            t.append(f"✗ {len(e.errors)} validation error(s)", style="bold #e53935")
            if a is not None and not e.analysis_current:
                t.append(": the numbers below are from the last valid state", style="#e53935")
            t.append("\n")
        elif e.warnings:
            t.append(f"✓ valid, {len(e.warnings)} warning(s)\n", style="#c79100")
        else:
            t.append("✓ valid\n", style="#43a047")
        if a is not None:
            unresolved = a.counts_by_level(residual=True, unresolved_only=True)
            t.append(f"\n{len(a.threats)} findings", style="bold")
            t.append(", unresolved by residual level:\n  ")
            for lv in reversed(list(Level)):
                n = unresolved[lv.value]
                t.append(f"{lv.value} {n}", style=LEVEL_FG[lv.value] if n else "dim")
                t.append("   ")
            t.append("\nby status: ")
            t.append("  ".join(f"{n} {st.replace('_', ' ')}" for st, n in a.counts_by_status().items() if n))
            ctl: dict[str, int] = {}
            for c in a.controls:
                ctl[c.status] = ctl.get(c.status, 0) + 1
            t.append(f"\n{len(a.controls)} controls: ")
            t.append("  ".join(f"{ctl[st]} {SHORT[st]}" for st in SHORT if ctl.get(st)))
            if a.unknowns:
                t.append(f"\n{len(a.unknowns)} unstated fact(s) to confirm", style="#1e88e5")
                t.append(" (6 Audit, Unknowns)", style="dim")
            if a.frameworks_not_applicable:
                t.append("\nnot applicable: " + ", ".join(a.frameworks_not_applicable), style="dim")
            t.append("\n")
        summary.update(t)
        heat = self.query_one("#ov-heat", HeatMap)
        heat.display = a is not None
        if a is not None:
            heat.show(a.heatmap())
        self.query_one("#ov-compliance", Static).update(self._compliance(a))
        self._fill_issues(issues)

    def _compliance(self, a: Any) -> Text:
        t = Text()
        t.append("Compliance per framework", style="bold")
        t.append("  met + ½ partial; ask = to answer\n", style="dim")
        if a is None or not a.frameworks:
            t.append("no frameworks (no catalogs loaded)", style="dim")
            return t
        width = max(len(fw.id) for fw in a.frameworks)
        for fw in a.frameworks:
            filled = round(fw.coverage / 100 * BAR)
            colour = "#43a047" if fw.coverage >= 80 else ("#c79100" if fw.coverage >= 50 else "#e53935")
            t.append(f"{fw.id:<{width}} ")
            t.append("█" * filled, style=colour)
            t.append("░" * (BAR - filled), style="dim")
            t.append(f" {fw.coverage:5.1f}%  ", style="bold")
            counts = " ".join(f"{v} {FW_SHORT.get(k, k)}" for k, v in fw.counts.items() if v)
            t.append(counts + "\n", style="dim")
        return t

    def _fill_issues(self, issues: OptionList) -> None:
        """Errors first (they block), then decisions needing action, audit questions, warnings."""
        e = self.entry
        assert e is not None
        options: list[Option] = []

        def add(tag: str, style: str, text: str, hint: str, target: tuple[str, dict[str, Any]]) -> None:
            p = Text()
            p.append(f"{tag:<9}", style=style)
            p.append(text)
            if hint:
                p.append(f" — {hint}", style="dim")
            options.append(Option(p))
            self._targets.append(target)

        for prob in e.errors:
            add("error", "bold #e53935", (f"line {prob.line}: " if prob.line else "") + prob.message, prob.hint, ("line", {"line": prob.line}))
        a = e.analysis
        if a is not None and e.analysis_current:
            order = {"expired": 0, "expiring": 1, "stale": 2}
            for d in sorted(a.decision_issues, key=lambda d: (order.get(d.kind, 3), d.threat)):
                style = {"expired": "bold #e53935", "expiring": "#c79100", "stale": "#1e88e5"}.get(d.kind, "")
                target = ("stale", {"threat": d.threat}) if d.kind == "stale" else ("threats", {"threat": d.threat})
                add(d.kind, style, d.message, "Enter removes it" if d.kind == "stale" else "Enter to triage again", target)
            asks = [c for c in a.controls if c.answer_required and c.status == "needs_answer"]
            if asks:
                add("audit", "#1e88e5", f"{len(asks)} audit question(s) need an answer", "Enter opens the first in Audit",
                    ("audit", {"question": asks[0].id}))
        for prob in e.warnings:
            add("warning", "#c79100", (f"line {prob.line}: " if prob.line else "") + prob.message, prob.hint, ("line", {"line": prob.line}))
        if not options:
            options.append(Option(T("Nothing needs attention.", "dim"), disabled=True))
        issues.add_options(options)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index >= len(self._targets):
            return
        kind, arg = self._targets[event.option_index]
        app: Any = self.app
        if kind == "line":
            where = self.service.item_at_line(arg["line"])
            if where is None:
                self.note("That problem is not inside one model item; open the file at the line shown.")
                return
            section, ident = where
            if section == "decisions":
                app.goto("threats", threat=ident)
            elif section in ("controls", "answers"):
                app.goto("audit", question=ident)
            else:
                app.goto("structure", section=section, ident=ident)
        elif kind == "threats":
            app.goto("threats", threat=arg["threat"])
        elif kind == "stale":
            from tmodel.tui.screens.dialogs import ConfirmScreen

            threat = arg["threat"]

            def done(yes: bool | None) -> None:
                if yes:
                    self.service.reopen(threat)
                    self.note(f"Removed the stale decision for {threat}.")
                    self.sync()

            self.app.push_screen(ConfirmScreen(
                "Remove the stale decision?",
                [f"{threat} no longer matches a threat of this model (fixed, renamed or its rule removed).",
                 "Removing it deletes the decision from the YAML when you save."], yes="Remove"), done)
        elif kind == "audit":
            app.goto("audit", question=arg["question"])
