"""The xlsx register, read back with openpyxl: cells, validations, conditional formats,
protection, frozen panes, properties, determinism."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from tests.conftest import AS_OF
from tmodel.analysis import risk
from tmodel.export.palette import LEVEL_COLOR
from tmodel.export.register import EDITABLE, RISK_COLUMNS, register_bytes
from tmodel.model.enums import DecisionStatus, Level


@pytest.fixture(scope="module")
def book(demo):
    a, model = demo
    data = register_bytes(a, model)
    return a, model, data, openpyxl.load_workbook(io.BytesIO(data))


def row_of(ws, label, col=1):
    for row in ws.iter_rows():
        if row[col - 1].value == label:
            return row[0].row
    raise AssertionError(f"no row labelled {label!r} in {ws.title}")


def test_sheets(book):
    *_, wb = book
    assert wb.sheetnames == ["Summary", "Risks", "Audit", "Unknowns", "Controls", "Compliance", "Assets", "Method", "_tmodel"]
    assert wb["_tmodel"].sheet_state == "hidden"


def test_properties_are_fixed(book):
    *_, wb = book
    p = wb.properties
    assert p.creator == "tmodel"
    assert p.created == p.modified == dt.datetime(2026, 11, 1)


def test_same_analysis_same_bytes_and_fixed_zip_times(book):
    a, model, data, _ = book
    assert register_bytes(a, model) == data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 11, 1, 0, 0, 0)}


def test_summary(book):
    a, model, _, wb = book
    ws = wb["Summary"]
    assert ws.cell(row_of(ws, "Model"), 2).value == "export-demo"
    assert ws.cell(row_of(ws, "Owner"), 2).value == "Команда интеграции (integration team)"
    assert ws.cell(row_of(ws, "Classification"), 2).value == "Internal"
    assert ws.cell(row_of(ws, "Date of analysis (export)"), 2).value == dt.datetime.combine(AS_OF, dt.time())
    inherent, residual = a.counts_by_level(), a.counts_by_level(residual=True, unresolved_only=True)
    for lv in Level:
        r = row_of(ws, lv.value)
        assert (ws.cell(r, 2).value, ws.cell(r, 3).value) == (inherent[lv.value], residual[lv.value])
    r = row_of(ws, "total")
    assert ws.cell(r, 2).value == len(a.threats) == 6
    for st, n in a.counts_by_status().items():
        assert ws.cell(row_of(ws, st), 2).value == n
    for fw in a.frameworks:
        r = row_of(ws, fw.id)
        assert ws.cell(r, 3).value == fw.coverage


def test_summary_heat_map_counts_and_matrix_colours(book):
    a, _, _, wb = book
    ws = wb["Summary"]
    grid = a.heatmap()
    top = row_of(ws, "5 almost certain")
    assert ws.cell(top - 1, 2).value == "1 negligible"
    for i, lk in enumerate(range(5, 0, -1)):
        assert ws.cell(top + i, 1).value == f"{lk} {risk.LIKELIHOOD_NAMES[lk]}"
        for im in range(1, 6):
            cell = ws.cell(top + i, 1 + im)
            assert cell.value == grid[lk - 1][im - 1]
            assert cell.fill.fgColor.rgb.endswith(LEVEL_COLOR[risk.MATRIX[lk - 1][im - 1].value][1])
    assert sum(map(sum, grid)) == 4  # the unresolved threats of the demo model


def test_risks_rows(book):
    a, _, _, wb = book
    ws = wb["Risks"]
    assert [c.value for c in ws[1]] == [c.header for c in RISK_COLUMNS]
    assert ws.max_row == len(a.threats) + 1
    col = {c.key: i for i, c in enumerate(RISK_COLUMNS, 1)}
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    assert list(rows) == [t.id for t in a.threats]
    r = rows["XA-TLS-WEAK@partner-gw"]
    get = lambda k: ws.cell(r, col[k]).value  # noqa: E731
    assert get("target") == "flow partner-gw: Partner payment batch"
    assert get("stride") == "I, T"
    assert (get("risk"), get("level")) == ("2 × 5 = 10", "high")
    t = next(x for x in a.threats if x.id == "XA-TLS-WEAK@partner-gw")
    assert get("description") and get("description").split()[0] == t.description.split()[0]
    assert get("mitigation") and get("refs") == "\n".join([f"CWE-{c}" for c in t.cwe] + [f"CAPEC-{c}" for c in t.capec])
    assert (get("approver"), get("decided_on")) == ("Иванов И. И.", dt.datetime(2026, 6, 1))
    assert get("controls") == "XA-C-TLS Enforce TLS 1.2+ (gap)"
    assert (get("status"), get("owner"), get("expires")) == ("accepted", "Иванов И. И.", dt.datetime(2026, 11, 20))
    assert get("reason").startswith("Partner migrates")
    r = rows["XA-STORE-PLAIN@db"]
    assert ws.cell(r, col["effective"]).value == "expired"
    assert ws.cell(r, col["status"]).value == "accepted"
    r = rows["XA-TLS-WEAK@svc-db"]
    assert ws.cell(r, col["status"]).value == "open" and ws.cell(r, col["owner"]).value is None


def test_risks_protection_only_editable_columns_unlocked(book):
    *_, wb = book
    ws = wb["Risks"]
    assert ws.protection.sheet is True
    assert not ws.protection.password  # protection against accidents, not a secret
    assert ws.protection.autoFilter is False and ws.protection.sort is False  # filtering and sorting allowed
    for i, c in enumerate(RISK_COLUMNS, 1):
        for r in range(2, ws.max_row + 1):
            assert ws.cell(r, i).protection.locked is (not c.editable), (c.key, r)
    assert EDITABLE == ["status", "owner", "approver", "decided_on", "expires", "ticket", "control", "reason"]
    assert [c.key for c in RISK_COLUMNS[:2 + len(EDITABLE)]] == ["id", "title", *EDITABLE]  # next to id and title
    for name in ("Summary", "Audit", "Controls", "Compliance", "Assets", "Method"):
        assert wb[name].protection.sheet is True


def test_risks_data_validations(book):
    a, _, _, wb = book
    ws = wb["Risks"]
    col = {c.key: openpyxl.utils.get_column_letter(i) for i, c in enumerate(RISK_COLUMNS, 1)}
    last = len(a.threats) + 1
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    status = dvs[f"{col['status']}2:{col['status']}{last}"]
    assert status.type == "list"
    assert status.formula1 == '"' + ",".join(DecisionStatus.values()) + '"'
    assert status.showErrorMessage and status.errorStyle == "stop"
    assert dvs[f"{col['owner']}2:{col['owner']}{last}"].type == "textLength"
    assert dvs[f"{col['reason']}2:{col['reason']}{last}"].type == "textLength"
    exp = dvs[f"{col['expires']}2:{col['expires']}{last}"]
    assert exp.type == "date" and exp.operator == "between"
    for key in ("approver", "ticket", "control"):
        assert dvs[f"{col[key]}2:{col[key]}{last}"].type == "textLength"
    assert dvs[f"{col['decided_on']}2:{col['decided_on']}{last}"].type == "date"
    assert len(dvs) == 8


def test_risks_conditional_formats_colour_levels(book):
    a, _, _, wb = book
    ws = wb["Risks"]
    col = {c.key: openpyxl.utils.get_column_letter(i) for i, c in enumerate(RISK_COLUMNS, 1)}
    last = len(a.threats) + 1
    rules = {str(cf.sqref): cf.rules for cf in ws.conditional_formatting}
    for key in ("level", "residual"):
        cf = rules[f"{col[key]}2:{col[key]}{last}"]
        by_value = {r.formula[0].strip('"'): r for r in cf}
        assert set(by_value) == {lv.value for lv in Level}
        for lv, rule in by_value.items():
            assert rule.type == "cellIs" and rule.operator == "equal"
            assert rule.dxf.fill.fgColor.rgb.endswith(LEVEL_COLOR[lv][1])
    expiry = rules[f"{col['expires']}2:{col['expires']}{last}"]
    assert expiry[0].type == "expression" and "DATE(2026,11,1)" in expiry[0].formula[0]


def test_frozen_panes_filters_and_widths(book):
    *_, wb = book
    for name in ("Risks", "Audit", "Controls", "Compliance", "Assets"):
        ws = wb[name]
        assert ws.freeze_panes == ("C2" if name in ("Risks", "Audit") else "B2")
        assert ws.auto_filter.ref.startswith("A1:")
        assert ws.column_dimensions["A"].width >= 8
    assets = wb["Assets"]
    payments = next(r for r in range(2, assets.max_row + 1) if assets.cell(r, 1).value == "payments")
    assert assets.row_dimensions[payments].height >= 9 * 5  # five elements, one per line, at 9 pt


def test_controls_compliance_assets(book):
    a, model, _, wb = book
    ws = wb["Controls"]
    assert [c.value for c in ws[1]][:5] == ["Control", "Title", "Catalog", "Kind", "Status"]
    got = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    assert list(got) == [c.id for c in a.controls]
    r = got["XA-C-LOG"]
    assert ws.cell(r, 4).value == "manual" and ws.cell(r, 6).value == "SIEM onboarding ticket SEC-1234"
    audit = wb["Audit"]
    head = {c.value: c.column for c in audit[1]}
    row = next(r for r in range(2, audit.max_row + 1) if audit.cell(r, 1).value == "XA-C-LOG")
    assert audit.cell(row, head["Audit question"]).value.startswith("Are gateway and backend security events")
    assert audit.cell(row, head["Answer"]).protection.locked is False
    assert audit.cell(row, head["Audit question"]).protection.locked is True
    ws = wb["Compliance"]
    reqs = [(ws.cell(r, 1).value, ws.cell(r, 2).value, ws.cell(r, 6).value) for r in range(2, ws.max_row + 1)]
    assert reqs == [(f.id, q.id, q.status) for f in a.frameworks for q in f.requirements]
    assert ws.cell(2, 5).value == "high"
    ws = wb["Assets"]
    r = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}["kyc-profile"]
    assert [ws.cell(r, c).value for c in range(1, 11)] == [
        "kyc-profile", "KYC profile of the payer", "confidential", "general", "low", "no", "KZ, AE", "no",
        "partner-gw", "partner\ngw"]


def test_method_sheet(book):
    *_, wb = book
    ws = wb["Method"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "Likelihood by who can reach the target (attacker position)" in text
    for lv in Level:
        assert lv.description in text
    for st in DecisionStatus:
        assert st.description in text
    assert "WITHOUT a password" in text


def test_no_cell_is_a_formula(book):
    *_, data, wb = book
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate}"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
