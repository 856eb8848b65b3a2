"""``tmodel import register``: a register edited with openpyxl (as a spreadsheet user would) is
read back into the model's decisions; the YAML keeps its comments; bad cells are reported by
reference and nothing is written."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from tests.export.conftest import DEMO
from tmodel.cli import main
from tmodel.export.register import RISK_COLUMNS
from tmodel.model.save import ModelDocument

COL = {c.key: i for i, c in enumerate(RISK_COLUMNS, 1)}
LETTER = {k: openpyxl.utils.get_column_letter(v) for k, v in COL.items()}


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def setup(cli_env):
    """A copy of the demo model and its freshly exported register, in the test's folder."""
    model = cli_env / "model.yaml"
    model.write_text(DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    r = run("export", str(model), "--to", ".", "--format", "xlsx", "--as-of", "2026-11-01")
    assert r.exit_code == 0, r.output
    return model, cli_env / "export-demo-register.xlsx"


def edit(register: Path, changes: dict[str, dict[str, object]], out: str = "edited.xlsx") -> Path:
    """Write values into the Risks sheet like a user would; returns the saved copy."""
    wb = openpyxl.load_workbook(register)
    ws = wb["Risks"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for tid, values in changes.items():
        for key, v in values.items():
            ws.cell(rows[tid], COL[key]).value = v
    path = register.parent / out
    wb.save(path)
    return path


def row_of(register: Path, tid: str) -> int:
    ws = openpyxl.load_workbook(register)["Risks"]
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == tid)


def decisions(model: Path) -> dict[str, dict]:
    return {d["threat"]: d for d in yaml.safe_load(model.read_text(encoding="utf-8"))["decisions"]}


def test_import_records_edits_and_keeps_comments(setup):
    model, register = setup
    before = model.read_text(encoding="utf-8")
    edited = edit(register, {
        "XA-TLS-WEAK@svc-db": {"status": "accepted", "owner": "Петров П. П.", "expires": dt.date(2027, 3, 31),
                               "reason": "JDBC stays inside the restricted segment until the DB upgrade"},
        "XB-XBORDER@partner-gw": {"status": "false_positive", "reason": "KYC data is not sent abroad since v2"},
    })
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[:2] == [  # in the register's row order
        f"XB-XBORDER@partner-gw: open -> false_positive (approver - -> compliance; decided on - -> {dt.date.today()}; "
        "justification changed)",
        f"XA-TLS-WEAK@svc-db: open -> accepted (owner - -> Петров П. П.; approver - -> compliance; decided on - -> "
        f"{dt.date.today()}; expires - -> 2027-03-31; justification changed)",
    ]
    after = model.read_text(encoding="utf-8")
    for line in before.splitlines():
        if line.lstrip().startswith("#"):
            assert line in after, f"comment lost: {line}"
    assert after.startswith(before.rstrip("\n"))  # appended: nothing else moved or changed
    d = decisions(model)
    today = dt.date.today()
    assert d["XA-TLS-WEAK@svc-db"] == {"threat": "XA-TLS-WEAK@svc-db", "status": "accepted", "owner": "Петров П. П.",
                                       "reason": "JDBC stays inside the restricted segment until the DB upgrade",
                                       "expires": dt.date(2027, 3, 31), "decided_by": "compliance", "decided_on": today}
    assert d["XB-XBORDER@partner-gw"]["decided_by"] == "compliance"  # no approver in the row: never the owner
    assert d["XA-TLS-WEAK@partner-gw"]["decided_on"] == dt.date(2026, 6, 1)  # untouched rows stay as they were
    assert run("validate", str(model)).exit_code == 0
    again = run("import", "register", str(edited), str(model))
    assert again.exit_code == 0 and "no changes to import" in again.stdout


def test_invalid_status_is_reported_by_cell(setup):
    model, register = setup
    before = model.read_bytes()
    edited = edit(register, {"XA-TLS-WEAK@svc-db": {"status": "acepted"}})
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 2
    row = row_of(edited, "XA-TLS-WEAK@svc-db")
    assert (f"Risks!{LETTER['status']}{row}: 'acepted' is not a status; allowed: open, mitigated, accepted, "
            f"transferred, false_positive") in r.stderr
    assert model.read_bytes() == before


def test_accepted_needs_owner_expiry_and_justification(setup):
    model, register = setup
    before = model.read_bytes()
    edited = edit(register, {"XA-TLS-WEAK@svc-db": {"status": "accepted"}})
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 2
    row = row_of(edited, "XA-TLS-WEAK@svc-db")
    assert f"Risks!{LETTER['owner']}{row}: accepting XA-TLS-WEAK@svc-db needs an owner" in r.stderr
    assert f"Risks!{LETTER['expires']}{row}: accepting XA-TLS-WEAK@svc-db needs an expiry date" in r.stderr
    assert f"Risks!{LETTER['reason']}{row}: 'accepted' for XA-TLS-WEAK@svc-db needs a justification" in r.stderr
    assert model.read_bytes() == before


def test_bad_date_and_several_errors_at_once(setup):
    model, register = setup
    edited = edit(register, {"XA-TLS-WEAK@svc-db": {"expires": "next spring"},
                             "XB-XBORDER@partner-gw": {"status": "Closed"}})
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 2
    assert re.search(rf"Risks!{LETTER['expires']}\d+: 'next spring' is not a date; write YYYY-MM-DD", r.stderr)
    assert "'Closed' is not a status" in r.stderr and "2 row(s) refused" in r.stderr


def test_text_dates_and_case_are_accepted(setup):
    model, register = setup
    edited = edit(register, {"XA-TLS-WEAK@svc-db": {"status": "Accepted", "owner": "DBA", "expires": "2027-02-01",
                                                    "reason": "r"}})
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 0, r.output
    assert decisions(model)["XA-TLS-WEAK@svc-db"]["expires"] == dt.date(2027, 2, 1)


def test_rows_of_threats_that_no_longer_exist_are_skipped_with_a_warning(setup):
    model, register = setup
    edited = edit(register, {"XA-TLS-WEAK@svc-db": {"status": "mitigated", "reason": "TLS 1.3 on JDBC"},
                             "XB-XBORDER@partner-gw": {"status": "false_positive", "reason": "not abroad"}})
    doc = ModelDocument.open(str(model))
    doc.set(("flows", "svc-db", "tls", "min_version"), "1.3")  # the architect fixed it meanwhile
    doc.save()
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 0, r.output
    row = row_of(edited, "XA-TLS-WEAK@svc-db")
    assert f"note: Risks!A{row}: XA-TLS-WEAK@svc-db is no longer a threat of this model" in r.stderr
    d = decisions(model)
    assert "XA-TLS-WEAK@svc-db" not in d and d["XB-XBORDER@partner-gw"]["status"] == "false_positive"


def test_model_edits_since_the_export_are_not_reverted(setup):
    model, register = setup
    doc = ModelDocument.open(str(model))
    doc.set_decision("XA-TLS-WEAK@svc-db", "mitigated", reason="fixed in the model after the export")
    doc.save()
    # the register still shows 'open' for that row (nobody touched it): importing must keep the model's decision
    r = run("import", "register", str(register), str(model))
    assert r.exit_code == 0 and "no changes to import" in r.stdout
    assert decisions(model)["XA-TLS-WEAK@svc-db"]["status"] == "mitigated"
    # both sides changed the same decision: a conflict, nothing written
    edited = edit(register, {"XA-TLS-WEAK@svc-db": {"status": "transferred", "reason": "insurance"}})
    before = model.read_bytes()
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 2 and "changed in the model since the export" in r.stderr
    assert model.read_bytes() == before


def test_dry_run_writes_nothing(setup):
    model, register = setup
    before = model.read_bytes()
    edited = edit(register, {"XA-NO-RATE@app-gw": {"owner": "Mobile BFF team"}})
    r = run("import", "register", str(edited), str(model), "--dry-run")
    assert r.exit_code == 0
    assert (f"XA-NO-RATE@app-gw: transferred -> transferred (owner Mobile team -> Mobile BFF team; approver - -> "
            f"compliance; decided on - -> {dt.date.today()})") in r.stdout
    assert "dry run" in r.stdout and model.read_bytes() == before


def test_acceptance_expiring_before_today_is_refused(setup):
    model, register = setup
    before = model.read_bytes()
    edited = edit(register, {"XA-TLS-WEAK@svc-db": {"status": "accepted", "owner": "x", "expires": dt.date(2020, 1, 1),
                                                    "reason": "r"}})
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 2
    row = row_of(edited, "XA-TLS-WEAK@svc-db")
    assert f"Risks!{LETTER['expires']}{row}: the acceptance of XA-TLS-WEAK@svc-db would expire (2020-01-01)" in r.stderr
    assert model.read_bytes() == before


def test_model_changed_on_disk_during_the_import(setup, monkeypatch):
    import tmodel.export.register_import as ri

    model, register = setup
    edited = edit(register, {"XA-NO-RATE@app-gw": {"owner": "Mobile BFF team"}})
    real = ri.plan_import

    def plan_then_someone_saves(*args, **kwargs):
        result = real(*args, **kwargs)
        model.write_text(model.read_text(encoding="utf-8") + "# edited by a colleague\n", encoding="utf-8")
        return result

    monkeypatch.setattr(ri, "plan_import", plan_then_someone_saves)
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 2 and "changed on disk" in r.stderr
    assert model.read_text(encoding="utf-8").endswith("# edited by a colleague\n")
    assert "Mobile BFF team" not in model.read_text(encoding="utf-8")


def test_wrong_model_or_not_a_register(setup, cli_env):
    model, register = setup
    other = cli_env / "other.yaml"
    other.write_text(DEMO.read_text(encoding="utf-8").replace("id: export-demo", "id: other-model"), encoding="utf-8")
    r = run("import", "register", str(register), str(other))
    assert r.exit_code == 2 and "register of model 'export-demo', not of 'other-model'" in r.stderr
    junk = cli_env / "junk.xlsx"
    junk.write_text("not a zip", encoding="utf-8")
    r = run("import", "register", str(junk), str(model))
    assert r.exit_code == 2 and "junk.xlsx: error: not an Excel workbook" in r.stderr and "Traceback" not in r.output
    r = run("import", "register", str(cli_env / "missing.xlsx"), str(model))
    assert r.exit_code == 2 and "no such file" in r.stderr


# -- approver, ticket, deleted and added rows, conflicts, limits, audit answers -----------------------
def test_approver_decision_date_and_ticket_are_their_own_fields(setup):
    model, register = setup
    edited = edit(register, {"XA-TLS-WEAK@svc-db": {
        "status": "accepted", "owner": "DBA team", "approver": "Risk committee", "decided_on": dt.date(2026, 10, 30),
        "expires": dt.date(2027, 3, 31), "ticket": "RISK-1042", "reason": "JDBC stays in the restricted segment"}})
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 0, r.output
    d = decisions(model)["XA-TLS-WEAK@svc-db"]
    assert (d["owner"], d["decided_by"], d["decided_on"], d["ticket"]) == (
        "DBA team", "Risk committee", dt.date(2026, 10, 30), "RISK-1042")
    # exported again, the register shows them in their own columns
    r = run("export", str(model), "--to", "again", "--format", "xlsx", "--as-of", "2026-11-01")
    ws = openpyxl.load_workbook(model.parent / "again" / "export-demo-register.xlsx")["Risks"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "XA-TLS-WEAK@svc-db")
    assert ws.cell(row, COL["approver"]).value == "Risk committee" and ws.cell(row, COL["ticket"]).value == "RISK-1042"
    assert ws.cell(row, COL["owner"]).value == "DBA team"


def test_deleted_row_is_left_as_it_was_and_added_row_is_refused(setup):
    model, register = setup
    wb = openpyxl.load_workbook(register)
    ws = wb["Risks"]
    gone = row_of(register, "XA-STORE-PLAIN@db")
    ws.delete_rows(gone)
    fix = row_of_ws(ws, "XB-XBORDER@partner-gw")
    ws.cell(fix, COL["status"]).value = "false_positive"
    ws.cell(fix, COL["reason"]).value = "KYC data is not sent abroad since v2"
    added = ws.max_row + 1
    ws.cell(added, COL["id"]).value = "XA-MY-OWN@db"
    ws.cell(added, COL["status"]).value = "accepted"
    edited = model.parent / "edited.xlsx"
    wb.save(edited)
    before = decisions(model)["XA-STORE-PLAIN@db"]
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 2, r.output
    assert f"Risks!A{added}: row {added} (XA-MY-OWN@db) was added to the register by hand; refused" in r.stderr
    assert f"XA-STORE-PLAIN@db (exported in row {gone}) is not in the register: left as it was" in r.stderr
    d = decisions(model)
    assert d["XA-STORE-PLAIN@db"] == before and "XA-MY-OWN@db" not in d
    assert d["XB-XBORDER@partner-gw"]["status"] == "false_positive", "the other rows still apply"
    assert "1 row(s) refused" in r.stderr


def row_of_ws(ws, tid: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == tid)


def test_one_conflict_is_refused_and_the_others_apply_unless_all_or_nothing(setup):
    model, register = setup
    doc = ModelDocument.open(str(model))
    doc.set_decision("XA-TLS-WEAK@svc-db", "mitigated", control="XA-C-TLS", reason="fixed in the model after the export")
    doc.save()
    edited = edit(register, {"XA-TLS-WEAK@svc-db": {"status": "transferred", "reason": "insurance"},
                             "XB-XBORDER@partner-gw": {"status": "false_positive", "reason": "not abroad"}})
    before = model.read_bytes()
    r = run("import", "register", str(edited), str(model), "--all-or-nothing")
    assert r.exit_code == 2 and "changed in the model since the export" in r.stderr
    assert "(--all-or-nothing)" in r.stderr and model.read_bytes() == before
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 2
    row = row_of(edited, "XA-TLS-WEAK@svc-db")
    assert f"Risks!{LETTER['status']}{row}: the decision for XA-TLS-WEAK@svc-db changed in the model" in r.stderr
    d = decisions(model)
    assert d["XA-TLS-WEAK@svc-db"]["status"] == "mitigated" and d["XB-XBORDER@partner-gw"]["status"] == "false_positive"


def test_mitigated_needs_a_control_or_evidence(setup):
    model, register = setup
    edited = edit(register, {"XA-TLS-WEAK@svc-db": {"status": "mitigated"}})
    r = run("import", "register", str(edited), str(model))
    row = row_of(edited, "XA-TLS-WEAK@svc-db")
    assert r.exit_code == 2
    assert f"Risks!{LETTER['control']}{row}: 'mitigated' for XA-TLS-WEAK@svc-db needs the control" in r.stderr
    edited = edit(register, {"XA-TLS-WEAK@svc-db": {"status": "mitigated", "control": "XA-C-TLS"}}, "e2.xlsx")
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 0, r.output
    assert decisions(model)["XA-TLS-WEAK@svc-db"]["control"] == "XA-C-TLS"


def test_acceptance_length_is_limited_by_a_setting(setup, cli_env):
    model, register = setup
    today = dt.date.today()
    long = today + dt.timedelta(days=500)
    edited = edit(register, {"XA-TLS-WEAK@svc-db": {"status": "accepted", "owner": "DBA", "expires": long, "reason": "r"}})
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 2 and "longer than 365 days after the decision" in r.stderr
    (cli_env / "tmodel.toml").write_text("[decisions]\nmax_acceptance_days = 730\n", encoding="utf-8")
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 0, r.output
    assert decisions(model)["XA-TLS-WEAK@svc-db"]["expires"] == long
    (cli_env / "tmodel.toml").write_text("[decisions]\nmax_acceptance_days = 'a year'\n", encoding="utf-8")
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 2 and "tmodel.toml:2:1: error: [decisions] max_acceptance_days must be" in r.stderr


def test_critical_acceptance_needs_an_approver(setup):
    model, register = setup
    later = dt.date.today() + dt.timedelta(days=90)
    edited = edit(register, {"XB-XBORDER@partner-gw": {"status": "accepted", "owner": "KYC team", "expires": later,
                                                       "reason": "Transfer agreement signed"}})
    r = run("import", "register", str(edited), str(model))
    row = row_of(edited, "XB-XBORDER@partner-gw")
    assert r.exit_code == 2 and f"Risks!{LETTER['approver']}{row}: XB-XBORDER@partner-gw is a critical risk" in r.stderr
    edited = edit(register, {"XB-XBORDER@partner-gw": {"status": "accepted", "owner": "KYC team", "expires": later,
                                                       "reason": "Transfer agreement signed", "approver": "Risk committee"}},
                  "e2.xlsx")
    assert run("import", "register", str(edited), str(model)).exit_code == 0
    assert decisions(model)["XB-XBORDER@partner-gw"]["decided_by"] == "Risk committee"


def test_audit_answers_and_evidence_come_back(setup):
    model, register = setup
    wb = openpyxl.load_workbook(register)
    ws = wb["Audit"]
    head = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "XA-C-LOG")
    ws.cell(row, head["Answer"]).value = "yes"
    edited = model.parent / "audit.xlsx"
    wb.save(edited)
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 2 and f"Audit!{openpyxl.utils.get_column_letter(head['Evidence'])}{row}: the answer 'yes' to " \
                                f"XA-C-LOG needs evidence" in r.stderr
    ws.cell(row, head["Evidence"]).value = "SIEM onboarding record SOC-77, v2"
    ws.cell(row, head["Answered by"]).value = "Auditor A."
    wb.save(edited)
    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 0, r.output
    assert "audit XA-C-LOG: no answer -> yes; evidence changed" in r.stdout
    ans = {a["question"]: a for a in yaml.safe_load(model.read_text(encoding="utf-8"))["answers"]}["XA-C-LOG"]
    assert ans == {"question": "XA-C-LOG", "status": "yes", "evidence": "SIEM onboarding record SOC-77, v2",
                   "answered_by": "Auditor A.", "answered_on": dt.date.today()}


def test_many_rows_of_one_day_write_no_yaml_alias(setup):
    model, register = setup
    later = dt.date.today() + dt.timedelta(days=90)
    edited = edit(register, {
        "XA-TLS-WEAK@svc-db": {"status": "accepted", "owner": "DBA", "expires": later, "reason": "r"},
        "XB-XBORDER@partner-gw": {"status": "false_positive", "reason": "not abroad"},
        "XA-MODEL-UNREVIEWED@model": {"status": "accepted", "owner": "Arch", "expires": later, "reason": "review booked"},
    })
    assert run("import", "register", str(edited), str(model)).exit_code == 0
    text = model.read_text(encoding="utf-8")
    assert not re.search(r"[&*]id\d+", text), "YAML anchors or aliases in the model"
    # deleting any one decision by hand leaves a loadable model
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "threat: XA-TLS-WEAK@svc-db" in line)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- "))
    (model.parent / "cut.yaml").write_text("\n".join(lines[:start] + lines[end:]) + "\n", encoding="utf-8")
    assert run("validate", str(model.parent / "cut.yaml")).exit_code == 0
