"""A Russian register (``tmodel export --lang ru`` or ``[export] lang = "ru"``) edited as a spreadsheet
user would (Russian decision and answer labels) imports back with ``tmodel import register``,
exactly as the English one does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import yaml

from tests.export.conftest import DEMO
from tests.export.test_import_register import run
from tmodel.i18n import terms
from tmodel.export.register import AUDIT_COLUMNS, RISK_COLUMNS

COL = {c.key: i for i, c in enumerate(RISK_COLUMNS, 1)}
ACOL = {c.key: i for i, c in enumerate(AUDIT_COLUMNS, 1)}


@pytest.fixture
def setup_ru(cli_env):
    model = cli_env / "model.yaml"
    model.write_text(DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    r = run("export", str(model), "--to", ".", "--format", "xlsx", "--as-of", "2026-11-01", "--lang", "ru")
    assert r.exit_code == 0, r.output
    return model, cli_env / "export-demo-register.xlsx"


def rows(ws) -> dict[str, int]:
    return {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}


def test_russian_register_round_trip(setup_ru):
    model, register = setup_ru
    wb = openpyxl.load_workbook(register)
    assert wb.sheetnames[:3] == ["Сводка", "Риски", "Аудит"]
    risks, audit = wb["Риски"], wb["Аудит"]
    assert risks.cell(1, COL["status"]).value == "Решение"
    row = rows(risks)["XA-TLS-WEAK@svc-db"]
    assert risks.cell(row, COL["status"]).value == terms.DECISION["open"]
    for key, value in (("status", terms.DECISION["accepted"]), ("owner", "Петров П. П."),
                       ("expires", dt.date(2027, 3, 31)), ("reason", "JDBC остаётся в сегменте ограниченного доступа")):
        risks.cell(row, COL[key]).value = value
    arow = rows(audit)["XA-C-LOG"]
    audit.cell(arow, ACOL["answer"]).value = terms.ANSWER["yes"]  # да
    audit.cell(arow, ACOL["evidence"]).value = "Заявка SEC-1234, перечень источников SIEM"
    edited = register.parent / "edited.xlsx"
    wb.save(edited)

    r = run("import", "register", str(edited), str(model))
    assert r.exit_code == 0, r.output
    assert "XA-TLS-WEAK@svc-db: open -> accepted" in r.stdout
    assert "audit XA-C-LOG: no answer -> yes" in r.stdout
    saved = yaml.safe_load(model.read_text(encoding="utf-8"))
    decision = next(d for d in saved["decisions"] if d["threat"] == "XA-TLS-WEAK@svc-db")
    assert (decision["status"], decision["owner"], str(decision["expires"])) == ("accepted", "Петров П. П.", "2027-03-31")
    answer = next(x for x in saved["answers"] if x["question"] == "XA-C-LOG")
    assert (answer["status"], answer["evidence"]) == ("yes", "Заявка SEC-1234, перечень источников SIEM")

    # imported: exported again, nothing left to import; the cells show the Russian labels
    r = run("export", str(model), "--to", ".", "--format", "xlsx", "--as-of", "2026-11-01", "--lang", "ru")
    assert r.exit_code == 0, r.output
    again = openpyxl.load_workbook(register)
    assert again["Риски"].cell(rows(again["Риски"])["XA-TLS-WEAK@svc-db"], COL["status"]).value == "риск принят"
    assert again["Аудит"].cell(rows(again["Аудит"])["XA-C-LOG"], ACOL["answer"]).value == "да"
    r = run("import", "register", str(register), str(model), "--dry-run")
    assert r.exit_code == 0 and "XA-TLS-WEAK" not in r.stdout, r.output


def test_bad_russian_value_is_refused_by_its_cell(setup_ru):
    model, register = setup_ru
    before = model.read_bytes()
    wb = openpyxl.load_workbook(register)
    ws = wb["Риски"]
    row = rows(ws)["XA-TLS-WEAK@svc-db"]
    ws.cell(row, COL["status"]).value = "риск принят навсегда"
    wb.save(register)
    r = run("import", "register", str(register), str(model))
    assert r.exit_code == 2
    letter = openpyxl.utils.get_column_letter(COL["status"])
    assert f"Риски!{letter}{row}: 'риск принят навсегда' is not a status" in r.stderr
    assert "риск принят" in r.stderr  # the Russian choices are named
    assert model.read_bytes() == before


def test_lang_from_tmodel_toml_and_the_option_wins(cli_env: Path):
    model = cli_env / "model.yaml"
    model.write_text(DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    (cli_env / "tmodel.toml").write_text('[export]\nlang = "ru"\n', encoding="utf-8")
    r = run("export", str(model), "--to", ".", "--format", "xlsx", "--as-of", "2026-11-01")
    assert r.exit_code == 0, r.output
    assert openpyxl.load_workbook(cli_env / "export-demo-register.xlsx").sheetnames[0] == "Сводка"
    r = run("export", str(model), "--to", ".", "--format", "xlsx", "--as-of", "2026-11-01", "--lang", "en")
    assert r.exit_code == 0, r.output
    assert openpyxl.load_workbook(cli_env / "export-demo-register.xlsx").sheetnames[0] == "Summary"
    (cli_env / "tmodel.toml").write_text('[export]\nlang = "de"\n', encoding="utf-8")
    r = run("export", str(model), "--to", ".", "--format", "xlsx")
    assert r.exit_code == 2 and "tmodel.toml:2:1: error: [export] lang must be one of en, ru" in r.stderr
