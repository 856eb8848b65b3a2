"""The risk register in Russian (``RegisterOptions(lang="ru")``, ``tmodel export --lang ru``), read
back with openpyxl: a golden dump, no English in the register's own words, Russian value labels in
the cells, the dropdowns and the conditional formats; the English register does not change."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from tests.export.conftest import check_golden
from tests.export.test_golden import register_dump
from tmodel.catalog.types import FALLBACK_MARK
from tmodel.i18n import terms
from tmodel.export import register_ru
from tmodel.export.common import method_items
from tmodel.export.register import AUDIT_COLUMNS, RISK_COLUMNS, RegisterOptions, register_bytes

ENGLISH = re.compile(r"\b(the|and|of|Threat|Status|Owner|Risk|Level|Title|Control|Answer|Evidence|Page)\b")
HEADER_FILLS = {"00263238", "001565C0"}


@pytest.fixture(scope="module")
def ru_book(demo, xcat):
    a, model = demo
    data = register_bytes(a, model, RegisterOptions(lang="ru", catalog=xcat))
    return a, model, data, openpyxl.load_workbook(io.BytesIO(data))


def test_golden_russian_register(ru_book):
    *_, data, _ = ru_book
    check_golden("export-demo-register-ru.txt", register_dump(data))


def test_english_register_unchanged_by_the_option(demo, xcat):
    a, model = demo
    assert register_bytes(a, model) == register_bytes(a, model, RegisterOptions(lang="en", catalog=xcat))


def test_sheet_names(ru_book):
    *_, wb = ru_book
    assert wb.sheetnames == ["Сводка", "Риски", "Аудит", "Неизвестные факты", "Меры защиты", "Соответствие", "Активы",
                             "Методика", "_tmodel"]
    assert wb["_tmodel"].sheet_state == "hidden"


def test_no_english_in_the_registers_own_words(ru_book):
    """Sheet names, every header, the labels of Summary, all of Method, the prompts of every
    validation and the print headers are Russian."""
    *_, wb = ru_book
    checked: list[str] = []
    for ws in wb.worksheets[:-1]:
        checked.append(ws.title)
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.fill is not None and c.fill.fgColor.rgb in HEADER_FILLS:
                    checked.append(c.value)
        for dv in ws.data_validations.dataValidation:
            checked += [dv.promptTitle or "", dv.prompt or "", dv.errorTitle or "", dv.error or ""]
        checked += [ws.oddHeader.right.text or "", ws.oddFooter.center.text or ""]
    summary = wb["Сводка"]
    checked += [c.value for c in summary["A"] if isinstance(c.value, str)]
    checked += [c.value for row in wb["Методика"].iter_rows() for c in row if isinstance(c.value, str)]
    assert len(checked) > 150
    english = [t for t in checked if ENGLISH.search(t)]
    assert not english, english
    assert wb["Риски"].oddHeader.right.text.startswith("Реестр рисков, выгружен ")
    assert wb["Риски"].oddFooter.center.text == "Стр. &P из &N"


def test_catalog_texts_and_values_are_russian(ru_book):
    a, _, _, wb = ru_book
    ws = wb["Риски"]
    col = {c.key: i for i, c in enumerate(RISK_COLUMNS, 1)}
    for r in range(2, len(a.threats) + 2):
        for key in ("title", "description", "mitigation", "controls"):
            text = ws.cell(r, col[key]).value
            assert re.search("[а-яА-Я]", text) and FALLBACK_MARK not in text, (key, text)
        assert ws.cell(r, col["status"]).value in terms.DECISION.values()
        assert ws.cell(r, col["level"]).value in terms.LEVEL.values()
        assert ws.cell(r, col["effective"]).value in terms.THREAT_STATUS.values()
    audit = wb["Аудит"]
    acol = {c.key: i for i, c in enumerate(AUDIT_COLUMNS, 1)}
    assert audit.cell(2, acol["text"]).value.startswith("Передаются ли события безопасности")
    assert audit.cell(2, acol["expected"]).value == "Перечень источников SIEM и настройка срока хранения"
    assert audit.cell(2, acol["status"]).value in terms.CONTROL_STATUS.values()


def test_dropdowns_and_conditional_formats_use_the_russian_values(ru_book):
    *_, wb = ru_book
    lists = {dv.formula1 for ws in (wb["Риски"], wb["Аудит"]) for dv in ws.data_validations.dataValidation
             if dv.type == "list"}
    assert lists == {'"' + ",".join(terms.DECISION.values()) + '"', '"' + ",".join(terms.ANSWER.values()) + '"'}
    assert all(len(f) <= 255 and "," not in "".join(terms.DECISION.values()) for f in lists)
    formulas = {f for rng in wb["Риски"].conditional_formatting for rule in rng.rules for f in rule.formula}
    assert {f'"{v}"' for v in terms.LEVEL.values()} <= formulas
    assert f'"{terms.THREAT_STATUS["expired"]}"' in formulas
    assert not {'"low"', '"critical"', '"expired"'} & formulas


def test_every_header_has_its_russian_alias():
    for sheet, columns in (("Risks", RISK_COLUMNS), ("Audit", AUDIT_COLUMNS)):
        for c in columns:
            assert register_ru.HEADERS[sheet][c.header] in c.aliases


def test_method_has_every_item_of_the_english():
    assert len(register_ru.METHOD_ITEMS) == len(method_items())


def test_labels_map_back_to_codes():
    for code, label in terms.DECISION.items():
        assert register_ru.decision_code(label) == code
        assert register_ru.decision_code(f"  {label.upper()} ") == code
    for code, label in terms.ANSWER.items():
        assert register_ru.answer_code(label) == code
    assert register_ru.answer_code("Не применимо") == "not_applicable"
    assert register_ru.decision_code("актуальна, риск принят") == "accepted"
    assert register_ru.decision_code("accepted") is None  # codes are the importer's own business
