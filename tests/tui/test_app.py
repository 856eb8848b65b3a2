"""Pilot tests: every screen, every edit, triage and save path, driven through the real app."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import yaml
from rich.text import Text
from textual.widgets import Button, DataTable, Input, OptionList, Select, SelectionList, Static, Switch, Tree

from .conftest import SIZE


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    """Type like a person, key by key (the keys whose names are not their characters by name)."""
    for ch in text:
        await pilot.press({" ": "space", "-": "minus", ":": "colon", ".": "full_stop"}.get(ch, ch))


async def run_command(pilot, text: str) -> None:
    """As a user does: open the command palette, type what to search for, wait for the matches, press Enter."""
    await pilot.press("ctrl+p")
    await settle(pilot)
    await type_text(pilot, text)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await settle(pilot)


async def click(pilot, selector: str) -> None:
    """Click a button like a person: after the screen settled, and not while its press effect still runs."""
    await settle(pilot)
    widget = pilot.app.screen.query_one(selector)
    for _ in range(20):
        if not widget.has_class("-active"):
            break
        await pilot.pause(0.05)
    assert await pilot.click(selector), f"could not click {selector}"


async def open_model(pilot, name: str = "payments.yaml") -> None:
    app = pilot.app
    path = next(f for f in app.service.files if os.path.basename(f) == name)
    app.open_model(path)
    await settle(pilot)


def static_text(widget: Static) -> str:
    content = widget.render()
    return str(content.plain if hasattr(content, "plain") else content)


def table_text(table: DataTable) -> str:
    return "\n".join(" | ".join(Text.from_markup("").plain + (c.plain if isinstance(c, Text) else str(c)) for c in row)
                     for row in (table.get_row_at(i) for i in range(table.row_count)))


async def go_structure_item(pilot, section: str, ident: str | None) -> None:
    pilot.app.goto("structure", section=section, ident=ident)
    await settle(pilot)


def yaml_of(path: Path | str) -> dict:
    return yaml.safe_load(open(path, encoding="utf-8"))


# -- 1 Models ---------------------------------------------------------------------------------
async def test_models_screen_lists_and_opens(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "models"
        table = app.screen.query_one("#models-table", DataTable)
        text = table_text(table)
        assert "Payments API for fintech partners" in text and "2 error(s)" in text and "43.8%" in text
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert app.current_mode == "overview"
        assert app.service.current.rel == "payments.yaml"
        assert app.sub_title == "payments.yaml"


async def test_number_keys_need_an_open_model(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        assert app.current_mode == "models"
        await open_model(pilot)
        for key, mode in zip("2345671", ("overview", "structure", "diagram", "threats", "audit", "export", "models")):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode


async def test_a_single_file_opens_on_the_overview(make):
    from .conftest import MODELS

    app = make(MODELS / "payments.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "overview" and app.service.current.rel == "payments.yaml"


# -- 2 Overview -------------------------------------------------------------------------------
async def test_overview_numbers_and_attention(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        summary = static_text(app.screen.query_one("#ov-summary", Static))
        assert "8 findings" in summary and "critical 1" in summary and "high 5" in summary
        heat = static_text(app.screen.query_one("#ov-heat", Static))
        assert "almost certain" in heat and "impact" in heat
        issues = app.screen.query_one("#ov-issues", OptionList)
        lines = [str(issues.get_option_at_index(i).prompt) for i in range(issues.option_count)]
        assert lines[0].startswith("expired") and "WSO2-LOG-NOT-CENTRAL@payments" in lines[0]
        assert any(line.startswith("expiring") for line in lines) and any(line.startswith("stale") for line in lines)
        # an expiring acceptance goes to its threat
        issues.focus()
        issues.highlighted = next(i for i, line in enumerate(lines) if line.startswith("expiring"))
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "threats"
        assert app.screen.selected().id == "OWASP-API4-NO-RATE-LIMIT@app-gw"


async def test_overview_problem_jumps_to_the_item_in_structure(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot, "broken.yaml")
        issues = app.screen.query_one("#ov-issues", OptionList)
        lines = [str(issues.get_option_at_index(i).prompt) for i in range(issues.option_count)]
        idx = next(i for i, line in enumerate(lines) if "wso2_gatway" in line)
        issues.focus()
        issues.highlighted = idx
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "structure"
        form = app.screen.form
        assert (form.section, form.ident) == ("elements", "gw")
        assert app.screen.item_tree.cursor_node.data == ("elements", "gw")
        note = form.query_one("#f-technology").parent.query_one(".field-error", Static)
        assert "not an allowed value" in static_text(note)


async def test_overview_removes_a_stale_decision(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        issues = app.screen.query_one("#ov-issues", OptionList)
        lines = [str(issues.get_option_at_index(i).prompt) for i in range(issues.option_count)]
        issues.focus()
        issues.highlighted = next(i for i, line in enumerate(lines) if line.startswith("stale"))
        await pilot.press("enter")
        await settle(pilot)
        assert "Remove the stale decision" in static_text(app.screen.query_one(".dialog-title", Static))
        await click(pilot, "#ok")
        await settle(pilot)
        assert "old-partner-gw" not in app.service.current.doc.text()
        assert app.service.current.dirty and "● unsaved" in app.sub_title


# -- 3 Structure ------------------------------------------------------------------------------
async def test_structure_tree_nests_boundaries(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await pilot.press("3")
        await settle(pilot)
        tree = app.screen.query_one("#st-tree", Tree)
        sections = {str(n.label.plain).split(" (")[0]: n for n in tree.root.children}
        assert list(sections) == ["Boundaries", "Elements", "Flows", "Data assets"]
        internal = next(n for n in sections["Boundaries"].children if n.data == ("boundaries", "internal"))
        assert [c.data for c in internal.children] == [("boundaries", "restricted")]
        assert [c.data[1] for c in sections["Flows"].children] == ["app-gw", "partner-gw", "gw-payments", "payments-db", "gw-siem"]


async def test_structure_form_edits_enum_switch_text_and_refs(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await go_structure_item(pilot, "flows", "partner-gw")
        screen = app.screen
        assert screen.form.ident == "partner-gw" and not app.service.current.dirty
        # enum as a Select
        screen.query_one("#f-tls-min_version", Select).value = "1.3"
        await settle(pilot)
        assert "WSO2-TLS-WEAK@partner-gw" not in {t.id for t in app.service.current.analysis.threats}
        assert "● unsaved" in app.sub_title
        # boolean as a Switch
        screen.query_one("#f-rate_limit", Switch).value = False
        await settle(pilot)
        assert app.service.value("flows", "partner-gw", ("rate_limit",)) is False
        # switching a key the file did not have on and off again leaves no trace
        text = app.service.current.doc.text()
        screen.query_one("#f-replay_protection", Switch).value = True
        await settle(pilot)
        assert app.service.value("flows", "partner-gw", ("replay_protection",)) is True
        screen.query_one("#f-replay_protection", Switch).value = False
        await settle(pilot)
        assert app.service.current.doc.text() == text
        # text applied on Enter
        title = screen.query_one("#f-title", Input)
        title.focus()
        title.value = "Partner payment status v2"
        await pilot.press("enter")
        await settle(pilot)
        assert app.service.value("flows", "partner-gw", ("title",)) == "Partner payment status v2"
        # list of references as a SelectionList
        refs = screen.query_one("#f-data", SelectionList)
        refs.select("audit-events")
        await settle(pilot)
        assert list(app.service.value("flows", "partner-gw", ("data",))) == ["payment-orders", "audit-events"]
        # list of strings as comma-separated text, applied when focus leaves
        scopes = screen.query_one("#f-authorization-scopes", Input)
        scopes.focus()
        scopes.value = "payments:status, payments:read"
        await pilot.press("tab")
        await settle(pilot)
        assert list(app.service.value("flows", "partner-gw", ("authorization", "scopes"))) == ["payments:status", "payments:read"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        data = yaml_of(app.service.current.path)
        flow = next(f for f in data["flows"] if f["id"] == "partner-gw")
        assert flow["tls"]["min_version"] == "1.3" and flow["rate_limit"] is False and flow["title"] == "Partner payment status v2"
        assert "# legacy partner stack, upgrade planned" in open(app.service.current.path, encoding="utf-8").read()


async def test_structure_rejects_an_invalid_edit_inline(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await go_structure_item(pilot, "elements", "gw")
        text_before = app.service.current.doc.text()
        title = app.screen.query_one("#f-title", Input)
        title.focus()
        title.value = ""
        await pilot.press("enter")
        await settle(pilot)
        row = title.parent
        assert "not applied" in static_text(row.query_one(".field-error", Static))
        assert app.service.current.doc.text() == text_before and not app.service.current.dirty
        lifetime = app.screen.query_one("#f-token_lifetime_minutes", Input)
        lifetime.focus()
        lifetime.value = "soon"
        await pilot.press("enter")
        await settle(pilot)
        assert "'soon' is not a whole number" in static_text(lifetime.parent.query_one(".field-error", Static))


async def test_structure_add_rename_delete(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await go_structure_item(pilot, "elements", "siem")
        # add an element
        await pilot.press("a")
        await settle(pilot)
        modal = app.screen
        modal.query_one("#add-id", Input).value = "cache"
        modal.query_one("#add-title", Input).value = "Session cache"
        modal.query_one("#add-kind", Select).value = "data_store"
        modal.query_one("#add-technology", Select).value = "database"
        modal.query_one("#add-boundary", Select).value = "internal"
        await settle(pilot)
        await click(pilot, "#ok")
        await settle(pilot)
        assert app.screen.form.ident == "cache"
        # a new store says nothing about encryption yet: a question to answer, not a threat
        assert "unstated:encrypted_at_rest@cache" in {u.id for u in app.service.current.analysis.unknowns}
        assert "STRIDE-STORE-UNENCRYPTED@cache" not in {t.id for t in app.service.current.analysis.threats}
        # rename with references and decisions
        await go_structure_item(pilot, "flows", "app-gw")
        await pilot.press("r")
        await settle(pilot)
        modal = app.screen
        assert "decision 'OWASP-API4-NO-RATE-LIMIT@app-gw'" in static_text(modal.query_one(".dialog-body", Static))
        new_id = modal.query_one("#new-id", Input)
        new_id.value = "app-to-gw"
        new_id.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.form.ident == "app-to-gw"
        # delete, confirming a list of references
        await go_structure_item(pilot, "elements", "siem")
        app.screen.item_tree.focus()
        await pilot.press("d")
        await settle(pilot)
        body = static_text(app.screen.query_one(".dialog-body Static", Static))
        assert "Delete element 'siem'?" in body and "flow 'gw-siem' to" in body
        await click(pilot, "#ok")
        await settle(pilot)
        assert "siem" not in [x["id"] for x in app.service.items("elements")]
        assert app.service.current.errors  # the dangling flow shows as a problem
        await pilot.press("ctrl+s")
        await settle(pilot)
        data = yaml_of(app.service.current.path)
        assert "OWASP-API4-NO-RATE-LIMIT@app-to-gw" in [d["threat"] for d in data["decisions"]]
        assert any(e["id"] == "cache" for e in data["elements"])


# -- 4 Diagram --------------------------------------------------------------------------------
async def test_diagram_draws_and_selecting_a_node_opens_structure(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await pilot.press("4")
        await settle(pilot)
        view = app.screen.query_one("#dg-view")
        rendered = view.render().plain
        for title in ("Fintech mobile app", "WSO2 gateway", "Ledger database", "Internal network"):
            assert title in rendered
        first = view.selected
        await pilot.press("right")
        await settle(pilot)
        assert view.selected != first
        chosen = view.selected
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "structure" and app.screen.form.ident == chosen
        await pilot.press("4")
        await settle(pilot)
        # every element sits in a zone: the layered layout is the default, l switches to Graphviz
        assert "layered by zone" in static_text(app.screen.query_one("#dg-head", Static))
        await pilot.press("l")
        await settle(pilot)
        assert "Graphviz dot" in static_text(app.screen.query_one("#dg-head", Static))


# -- 5 Threats --------------------------------------------------------------------------------
async def test_threats_filter_sort_and_detail(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#th-table", DataTable)
        assert table.row_count == 8
        screen.query_one("#flt-status", Select).value = "expired"
        await settle(pilot)
        assert [t.id for t in screen.rows] == ["WSO2-LOG-NOT-CENTRAL@payments"]
        screen.query_one("#flt-status", Select).clear()
        screen.query_one("#flt-stride", Select).value = "T"
        await settle(pilot)
        assert table.row_count == 4 and all("T" in t.stride for t in screen.rows)
        screen.query_one("#flt-target", Select).value = "gw-siem"
        await settle(pilot)
        assert [t.id for t in screen.rows] == ["WSO2-NO-SCHEMA@gw-siem"]
        await pilot.press("x")
        await settle(pilot)
        assert table.row_count == 8
        await pilot.press("slash")
        await pilot.press(*"ledger")
        await pilot.press("enter")
        await settle(pilot)
        assert [t.id for t in screen.rows] == ["WSO2-NO-SCHEMA@payments-db", "STRIDE-STORE-UNENCRYPTED@ledger-db"]
        table.focus()
        await pilot.press("down")
        await settle(pilot)
        detail = static_text(screen.query_one("#th-detail-text", Static))
        assert "Data store not encrypted at rest" in detail and "CTL-HSM" in detail and "CWE-311" in detail
        await pilot.press("x")
        screen.action_sort("id")
        await settle(pilot)
        ids = [t.id for t in screen.rows]
        assert ids == sorted(ids)
        screen.action_sort("id")
        await settle(pilot)
        assert [t.id for t in screen.rows] == sorted(ids, reverse=True)
        screen.query_one("#flt-framework", Select).value = "owasp-api-2023"
        await settle(pilot)
        assert {t.rule for t in screen.rows} == {"OWASP-API2-NO-AUTH", "OWASP-API4-NO-RATE-LIMIT"}


async def _triage(pilot, threat_id: str):
    app = pilot.app
    app.goto("threats", threat=threat_id)
    await settle(pilot)
    assert app.screen.selected().id == threat_id
    await pilot.press("t")
    await settle(pilot)
    return app.screen


async def test_triage_accept_requires_owner_reason_expiry_and_writes_the_decision(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        modal = await _triage(pilot, "WSO2-NO-SCHEMA@gw-payments")
        modal.query_one("#tr-status", Select).value = "accepted"
        await settle(pilot)
        await click(pilot, "#ok")
        await settle(pilot)
        err = static_text(modal.query_one(".dialog-error", Static))
        assert "the risk owner" in err and "a reason" in err and "an expiry date" in err
        modal.query_one("#tr-owner-input", Input).value = "Head of payments"
        modal.query_one("#tr-reason-input", Input).value = "The payments service validates every field"
        modal.query_one("#tr-expires-input", Input).value = "2026-10-01"
        await click(pilot, "#ok")
        await settle(pilot)
        assert "must be after 2026-11-01" in static_text(modal.query_one(".dialog-error", Static))
        modal.query_one("#tr-expires-input", Input).value = "2027-05-31"
        await click(pilot, "#ok")
        await settle(pilot)
        assert app.current_mode == "threats" and app.screen.selected().status == "accepted"
        await pilot.press("ctrl+s")
        await settle(pilot)
        d = next(d for d in yaml_of(app.service.current.path)["decisions"] if d["threat"] == "WSO2-NO-SCHEMA@gw-payments")
        assert d == {"threat": "WSO2-NO-SCHEMA@gw-payments", "status": "accepted", "owner": "Head of payments",
                     "reason": "The payments service validates every field", "expires": dt.date(2027, 5, 31),
                     "decided_by": "tester", "decided_on": dt.date(2026, 11, 1)}


async def test_triage_mitigated_false_positive_transferred_and_reopen(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        modal = await _triage(pilot, "WSO2-TLS-WEAK@partner-gw")
        modal.query_one("#tr-status", Select).value = "mitigated"
        await settle(pilot)
        await click(pilot, "#ok")
        await settle(pilot)
        assert "Choose the control" in static_text(modal.query_one(".dialog-error", Static))
        modal.query_one("#tr-control-select", Select).value = "CTL-TLS"
        await click(pilot, "#ok")
        await settle(pilot)
        # CTL-TLS is a gap in this model: "mitigated" by it would lower the residual on a protection
        # that is not there, so it is refused with the way forward, and nothing is written
        assert "CTL-TLS is gap in this model" in static_text(modal.query_one(".dialog-error", Static))
        t = app.service.threat("WSO2-TLS-WEAK@partner-gw")
        assert t.status == "open" and not app.service.current.dirty
        await pilot.press("escape")
        await settle(pilot)

        modal = await _triage(pilot, "WSO2-NO-SCHEMA@gw-siem")
        modal.query_one("#tr-status", Select).value = "false_positive"
        await settle(pilot)
        await click(pilot, "#ok")
        await settle(pilot)
        assert "a reason" in static_text(modal.query_one(".dialog-error", Static))
        modal.query_one("#tr-reason-input", Input).value = "Syslog to the SIEM has no request schema"
        await click(pilot, "#ok")
        await settle(pilot)
        assert app.service.threat("WSO2-NO-SCHEMA@gw-siem").status == "false_positive"

        modal = await _triage(pilot, "OWASP-API2-NO-AUTH@partner-gw")
        modal.query_one("#tr-status", Select).value = "transferred"
        await settle(pilot)
        modal.query_one("#tr-owner-input", Input).value = "Partner bank"
        modal.query_one("#tr-reason-input", Input).value = "Contract clause 7: the partner authenticates its callers"
        await click(pilot, "#ok")
        await settle(pilot)
        assert app.service.threat("OWASP-API2-NO-AUTH@partner-gw").status == "transferred"

        modal = await _triage(pilot, "OWASP-API2-NO-AUTH@partner-gw")
        assert modal.query_one("#tr-status", Select).value == "transferred"
        modal.query_one("#tr-status", Select).value = "open"
        await settle(pilot)
        await click(pilot, "#ok")
        await settle(pilot)
        assert app.service.threat("OWASP-API2-NO-AUTH@partner-gw").status == "open"
        assert "OWASP-API2-NO-AUTH@partner-gw" not in app.service.current.doc.text()


# -- 6 Audit ----------------------------------------------------------------------------------
async def test_audit_requirements_questions_and_controls(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await pilot.press("6")
        await settle(pilot)
        screen = app.screen
        req = screen.query_one("#aud-req-table", DataTable)
        assert "SEED-S9a" in table_text(req)
        screen.query_one("#aud-fw", Select).value = "owasp-api-2023"
        await settle(pilot)
        assert "OWASP-API2" in table_text(req) and "SEED-S9a" not in table_text(req)
        # answer the HSM question
        screen.action_tab("aud-q")
        await settle(pilot)
        q = screen.query_one("#aud-q-table", DataTable)
        q.focus()
        q.move_cursor(row=[c.id for c in screen.questions].index("CTL-HSM"))
        await pilot.press("enter")
        await settle(pilot)
        modal = app.screen
        modal.query_one("#answer-status", Select).value = "yes"
        await click(pilot, "#ok")
        await settle(pilot)
        assert "Evidence is required" in static_text(modal.query_one(".dialog-error", Static))
        modal.query_one("#answer-evidence", Input).value = "HSM key inventory 2026-10"
        await click(pilot, "#ok")
        await settle(pilot)
        hsm = next(c for c in app.service.current.analysis.controls if c.id == "CTL-HSM")
        assert hsm.status == "met" and hsm.evidence == "HSM key inventory 2026-10"
        # record a control's status
        screen.action_tab("aud-ctl")
        await settle(pilot)
        ctl = screen.query_one("#aud-ctl-table", DataTable)
        ctl.focus()
        ctl.move_cursor(row=[c.id for c in screen.controls].index("CTL-LOG"))
        await pilot.press("enter")
        await settle(pilot)
        modal = app.screen
        assert modal.query_one("#control-status", Select).value == "partial"
        modal.query_one("#control-status", Select).value = "implemented"
        modal.query_one("#control-evidence", Input).value = "SIEM onboarding done, SEC-142 closed"
        await click(pilot, "#ok")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        data = yaml_of(app.service.current.path)
        assert {"question": "CTL-HSM", "status": "yes", "evidence": "HSM key inventory 2026-10", "answered_by": "tester",
                "answered_on": dt.date(2026, 11, 1)} in data["answers"]
        assert data["controls"][0] == {"control": "CTL-LOG", "status": "implemented", "evidence": "SIEM onboarding done, SEC-142 closed"}


# -- 7 Export ---------------------------------------------------------------------------------
async def test_export_runs_in_a_worker_and_lists_files(models_dir, make, tmp_path):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await pilot.press("7")
        await settle(pilot)
        screen = app.screen
        formats = screen.query_one("#ex-formats", SelectionList)
        formats.deselect_all()
        formats.select("json")
        formats.select("md")
        formats.select("sarif")  # every format of the export registry is offered, SARIF included
        screen.query_one("#ex-folder", Input).value = str(tmp_path / "out")
        await click(pilot, "#ex-run")
        await settle(pilot)
        log = static_text(screen.query_one("#ex-log", Static))
        assert "2 file(s)" in log or "file(s) in" in log
        files = sorted(p.name for p in (tmp_path / "out" / "payments").iterdir())
        assert "payments-analysis.json" in files and "payments-record.md" in files and "payments-threats.sarif" in files
        assert json.loads((tmp_path / "out" / "payments" / "payments-threats.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
        # unsaved changes: refuse, exports must match the file
        app.service.set_field("elements", "gw", ("title",), "Gateway")
        await click(pilot, "#ex-run")
        await settle(pilot)
        assert any("Save first" in n.message for n in app._notifications)


# -- saving and quitting ----------------------------------------------------------------------
async def test_save_refuses_a_file_changed_on_disk(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        app.service.set_field("elements", "gw", ("title",), "Gateway (tmodel)")
        path = app.service.current.path
        time.sleep(0.01)
        theirs = open(path, encoding="utf-8").read().replace("Ledger database", "Ledger database (by hand)")
        Path(path).write_text(theirs, encoding="utf-8")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "changed on disk" in static_text(app.screen.query_one(".dialog-title", Static))
        assert open(path, encoding="utf-8").read() == theirs
        await click(pilot, "#diff")
        await settle(pilot)
        diff = static_text(app.screen.query_one(".diff Static", Static))
        assert "+    title: Gateway (tmodel)" in diff and "-    title: Ledger database (by hand)" in diff
        await click(pilot, "#cancel")  # back from the diff
        await settle(pilot)
        await click(pilot, "#cancel")  # keep editing
        await settle(pilot)
        assert open(path, encoding="utf-8").read() == theirs and app.service.current.dirty
        await pilot.press("ctrl+s")
        await settle(pilot)
        await click(pilot, "#reload")
        await settle(pilot)
        assert not app.service.current.dirty
        assert app.service.value("elements", "ledger-db", ("title",)) == "Ledger database (by hand)"
        assert open(path, encoding="utf-8").read() == theirs


async def test_quit_with_unsaved_changes_asks(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        app.service.set_field("elements", "gw", ("title",), "Gateway (unsaved)")
        path = app.service.current.path
        original = open(path, encoding="utf-8").read()
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert "Unsaved changes" in static_text(app.screen.query_one(".dialog-title", Static))
        assert {b.id for b in app.screen.query(Button)} == {"save", "discard", "cancel"}
        await click(pilot, "#cancel")
        await settle(pilot)
        assert app.is_running and open(path, encoding="utf-8").read() == original
        await pilot.press("ctrl+q")
        await settle(pilot)
        await click(pilot, "#save")
        await settle(pilot)
    assert "Gateway (unsaved)" in open(path, encoding="utf-8").read()


async def test_quit_discard_leaves_the_file(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        path = app.service.current.path
        original = open(path, encoding="utf-8").read()
        app.service.set_field("elements", "gw", ("title",), "Gateway (discarded)")
        await pilot.press("ctrl+q")
        await settle(pilot)
        await click(pilot, "#discard")
        await settle(pilot)
    assert open(path, encoding="utf-8").read() == original


async def test_quit_without_changes_just_quits(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not app.is_running


# -- everywhere -------------------------------------------------------------------------------
async def test_model_text_is_never_markup(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "[bold red]x[/] markup in titles" in table_text(app.screen.query_one("#models-table", DataTable))
        await open_model(pilot, "markup.yaml")
        assert "[bold red]x[/] markup in titles" in static_text(app.screen.query_one("#ov-summary", Static))
        assert "[link=https://example.org]Ops[/link]" in static_text(app.screen.query_one("#ov-summary", Static))
        await pilot.press("3")
        await settle(pilot)
        labels = []
        stack = [app.screen.query_one("#st-tree", Tree).root]
        while stack:
            node = stack.pop()
            labels.append(node.label.plain)
            stack.extend(node.children)
        assert any("[bold red]x[/] client" in label for label in labels)
        assert any("[italic]call[/italic]" in label for label in labels)
        await go_structure_item(pilot, "elements", "gw")
        assert app.screen.query_one("#f-title", Input).value == "Gateway [b]bold?[/b]"
        await pilot.press("5")
        await settle(pilot)
        table_text(app.screen.query_one("#th-table", DataTable))
        await pilot.press("4")
        await settle(pilot)
        assert "[bold red]x[/] client" in app.screen.query_one("#dg-view").render().plain


async def test_help_theme_and_palette(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.press("question_mark")
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await settle(pilot)
        assert app.theme == "tmodel-dark"
        await pilot.press("ctrl+t")
        assert app.theme == "tmodel-light"
        await pilot.press("ctrl+t")
        assert app.theme == "tmodel-dark"
        # the palette offers every screen, the screen's own actions, items and threats
        from tmodel.tui.commands import TmodelCommands

        await pilot.press("3")
        await settle(pilot)
        titles = [c[0] for c in TmodelCommands(app.screen).commands()]
        for expected in ("Go to Threats", "Save the model", "Toggle dark / light theme", "Help", "Quit", "Add a flow",
                         "Rename the selected item", "Show element gw", "Threat WSO2-TLS-WEAK@partner-gw", "Open model payments.yaml"):
            assert expected in titles
        await run_command(pilot, "go to threats")
        assert app.current_mode == "threats"


async def test_thousands_of_threats_stay_responsive(tmp_path, make):
    # 1,200 callers with a flow each (findings group per pair of elements), every weakness stated
    flows = "\n".join(
        f"  - {{id: f{i:04d}, title: Call {i}, from: ext{i:04d}, to: gw, protocol: https, tls: {{min_version: '1.1'}}, "
        "authentication: {method: none}, rate_limit: false, schema_validation: false}"
        for i in range(1200))
    callers = "\n".join(
        f"  - {{id: ext{i:04d}, title: Ext {i}, kind: external_entity, technology: partner_system, boundary: net}}"
        for i in range(1200))
    (tmp_path / "big.yaml").write_text(
        "format_version: 1\nmetadata: {id: big, title: Big, owner: Me}\n"
        "boundaries:\n  - {id: net, title: Net, zone: internet}\n  - {id: dmz, title: DMZ, zone: dmz}\n"
        f"elements:\n{callers}\n"
        "  - {id: gw, title: GW, kind: process, technology: wso2_gateway, boundary: dmz, logging: central}\n"
        f"flows:\n{flows}\n", encoding="utf-8")
    app = make(tmp_path / "big.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        total = len(app.service.current.analysis.threats)
        assert total >= 3600
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#th-table", DataTable).row_count == total
        start = time.perf_counter()
        screen.query_one("#flt-stride", Select).value = "D"
        await settle(pilot)
        screen.query_one("#flt-text", Input).value = "f0999"
        screen.fill()
        await settle(pilot)
        elapsed = time.perf_counter() - start
        assert [t.id for t in screen.rows] == ["OWASP-API4-NO-RATE-LIMIT@f0999"]
        assert elapsed < 5, f"filtering {total} threats took {elapsed:.1f} s"
        await pilot.press("x")
        await settle(pilot)
        assert screen.query_one("#th-table", DataTable).row_count == total


async def test_mouse_clicks_tabs_rows_and_headers(models_dir, make):
    from tmodel.tui.widgets.navbar import NavBar

    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.click("#models-table", offset=(5, 3))  # third row: payments.yaml
        await settle(pilot)
        await pilot.click("#models-table", offset=(5, 3))
        await settle(pilot)
        assert app.current_mode == "overview" and app.service.current.rel == "payments.yaml"
        plain = str(app.screen.query_one(NavBar).render())
        await pilot.click(NavBar, offset=(plain.index("5 Threats") + 2, 0))
        await settle(pilot)
        assert app.current_mode == "threats"
        table = app.screen.query_one("#th-table", DataTable)
        x = sum(c.get_render_width(table) for c in table.ordered_columns[:4]) + 2  # inside the "Target" header
        await pilot.click("#th-table", offset=(x, 0))
        await settle(pilot)
        assert app.screen.sort_key == "target"


async def test_typing_in_a_field_never_triggers_screen_keys(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await go_structure_item(pilot, "elements", "gw")
        title = app.screen.query_one("#f-title", Input)
        title.focus()
        title.value = ""
        await pilot.press(*"adr 5?", "enter")
        await settle(pilot)
        assert app.current_mode == "structure" and type(app.screen).__name__ == "StructureScreen"
        assert app.service.value("elements", "gw", ("title",)) == "adr 5?"


async def test_saving_without_changes_writes_nothing(models_dir, make):
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        path = app.service.current.path
        before = os.stat(path).st_mtime_ns
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert os.stat(path).st_mtime_ns == before
        assert any("No unsaved changes" in n.message for n in app._notifications)


async def test_a_file_that_is_not_yaml_opens_read_only(tmp_path, make):
    (tmp_path / "bad.yaml").write_text("format_version: 1\nmetadata:\n  id: x\n\ttitle: tab\n", encoding="utf-8")
    app = make(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot, "bad.yaml")
        assert app.service.current.doc is None and app.service.current.open_error
        summary = static_text(app.screen.query_one("#ov-summary", Static))
        assert "validation error" in summary
        for key in "34567":
            await pilot.press(key)
            await settle(pilot)
        await pilot.press("5", "t")
        await settle(pilot)
        assert app.is_running


async def test_undo_and_redo_redraw_the_structure_screen(models_dir, make):
    """ctrl+z and ctrl+y show the model's values at once: the tree label and the form (they showed the undone
    value until the screen was left)."""
    app = make(models_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_model(pilot)
        await go_structure_item(pilot, "elements", "gw")
        title = app.screen.query_one("#f-title", Input)
        before = title.value
        title.focus()
        title.value = "Gateway renamed by hand"
        await pilot.press("enter")
        await settle(pilot)
        node = app.screen._find(("elements", "gw"))
        assert "Gateway renamed by hand" in str(node.label)
        await pilot.press("escape", "ctrl+z")
        await settle(pilot)
        assert app.service.value("elements", "gw", ("title",)) == before
        assert "Gateway renamed by hand" not in str(app.screen._find(("elements", "gw")).label)
        assert app.screen.query_one("#f-title", Input).value == before
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert "Gateway renamed by hand" in str(app.screen._find(("elements", "gw")).label)
        assert app.screen.query_one("#f-title", Input).value == "Gateway renamed by hand"
