"""The review record in Russian (``tmodel export --lang ru``: Markdown and DOCX), and the engine's
own sentences in Russian outputs (``tmodel.i18n.engine``): a golden Russian record, the English record
unchanged by the option, and the quality bar of issue 14 on the example models: a Russian register
and record carry no English sentence the tool wrote (no ``[en]`` fallback mark anywhere)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.export.conftest import check_golden
from tmodel.analysis.engine import analyze
from tmodel.analysis.paths import attack_paths
from tmodel.catalog.load import load_catalogs
from tmodel.export.record import record_markdown
from tmodel.export.record_docx import record_docx
from tmodel.export.record_ru import TEXT
from tmodel.export.register import RegisterOptions, register_bytes
from tmodel.i18n import engine
from tmodel.model.load import load_model

ROOT = Path(__file__).resolve().parents[2]


def test_golden_russian_record(demo, xcat):
    a, model = demo
    md = record_markdown(a, model, svg=True, paths=attack_paths(model, a, xcat), lang="ru", catalog=xcat)
    check_golden("export-demo-record-ru.md", md)


def test_english_record_unchanged_by_the_option(demo, xcat):
    a, model = demo
    paths = attack_paths(model, a, xcat)
    assert record_markdown(a, model, paths=paths) == record_markdown(a, model, paths=paths, lang="en", catalog=xcat)


def test_russian_docx_header_footer_and_title(demo, xcat):
    a, model = demo
    data = record_docx(a, model, lang="ru", catalog=xcat)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
    assert "протокол рассмотрения модели угроз" in xml and "Стр. " in xml
    assert "Executive summary" not in xml and "threat model review" not in xml


def test_every_engine_sentence_has_russian():
    samples = {
        "not stated in the model on 2 target(s): a, b": "в модели не указано для объектов (2): a, b",
        "checked on 3 target(s) of the model; failing on 1: x": "проверено на объектах модели (3); не выполняется на 1: x",
        "checked on 3 target(s) of the model; failing on 0": "проверено на объектах модели (3); не выполняется на 0",
        "decision for R@f is stale: the rule no longer fires there (fixed, renamed or removed)":
            "решение по R@f устарело: правило там больше не срабатывает (устранено, переименовано или удалено)",
        "2 flows: App → Gateway": "потоки (2): App → Gateway",
    }
    for en, ru in samples.items():
        assert engine.to_russian(en) == ru
    assert engine.to_russian("something new the engine says") == "[en] something new the engine says"
    why = 'element.config.x = [*] (contains *) [from gw.toml: [apim.cors] allow_origins unset: product default "*"]'
    assert "не задан, действует значение по умолчанию" in engine.why(why) and "[источник: gw.toml" in engine.why(why)
    assert engine.unknown_text("flow.tls.mutual", "Not stated: Mutual TLS (tls.mutual)").startswith("Взаимная")


def test_record_words_are_complete():
    """Every Russian template fills the same fields as its English."""
    for en, ru in TEXT.items():
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", ru)), en


@pytest.fixture(scope="module")
def examples():
    cat = load_catalogs()
    out = []
    for path in sorted((ROOT / "models").glob("*.yaml")):
        lm = load_model(str(path))
        assert lm.model is not None, lm.problems
        a = analyze(lm.model, cat, path=lm.path, located=lm.located)
        out.append((path.name, a, lm.model, cat))
    return out


def test_no_english_sentence_of_the_tool_in_russian_outputs(examples):
    """Issue 14's bar: outside model data and identifiers, no English; a sentence without Russian would
    show the visible '[en] ' mark (catalog records without ru:, engine sentences without a template)."""
    for name, a, model, cat in examples:
        md = record_markdown(a, model, paths=attack_paths(model, a, cat), lang="ru", catalog=cat)
        assert "[en]" not in md, (name, [line for line in md.splitlines() if "[en]" in line][:3])
        wb = openpyxl.load_workbook(io.BytesIO(register_bytes(a, model, RegisterOptions(lang="ru", catalog=cat))))
        marked = [f"{ws.title}!{c.coordinate}: {c.value[:120]}" for ws in wb.worksheets if ws.sheet_state == "visible"
                  for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "[en]" in c.value]
        assert not marked, (name, marked[:3])


def test_analyze_table_in_russian_and_from_the_project_setting(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from tmodel.cli import main

    model = str(ROOT / "models" / "loan-marketplace.yaml")
    runner = CliRunner()
    english = runner.invoke(main, ["analyze", model, "--as-of", "2026-12-01", "--width", "0"])
    russian = runner.invoke(main, ["analyze", model, "--as-of", "2026-12-01", "--width", "0", "--lang", "ru"])
    assert english.exit_code == 0 and russian.exit_code == 0, (english.output, russian.output)
    assert "Compliance:" in english.output and "Соответствие:" in russian.output
    assert "УРОВЕНЬ" in russian.output and "[en]" not in russian.output and "decision for" not in russian.output
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tmodel.toml").write_text('[export]\nlang = "ru"\n', encoding="utf-8")
    from_toml = runner.invoke(main, ["analyze", model, "--as-of", "2026-12-01", "--width", "0"])
    assert from_toml.output == russian.output
    assert runner.invoke(main, ["analyze", model, "--as-of", "2026-12-01", "--width", "0", "--lang", "en"]).output \
        == english.output


def test_check_in_russian_keeps_the_verdicts(tmp_path):
    from click.testing import CliRunner

    from tmodel.cli import main

    model = str(ROOT / "models" / "loan-marketplace.yaml")
    runner = CliRunner()
    en = runner.invoke(main, ["check", model, "--as-of", "2026-12-01"])
    ru = runner.invoke(main, ["check", model, "--as-of", "2026-12-01", "--lang", "ru"])
    assert en.exit_code == ru.exit_code == 1
    assert ru.output.startswith("FAIL ") and "итого моделей: 1" in ru.output and "total:" not in ru.output
    assert "устарело" in ru.output and "is stale" not in ru.output and "[en]" not in ru.output
    assert "total: 1 model(s)" in en.output


def test_every_protection_field_has_a_russian_name():
    """An unknown can ask about any protection field of an element or a flow: each has its Russian name."""
    from pydantic import BaseModel

    from tmodel.graph import _STRUCTURAL
    from tmodel.i18n.engine import FIELDS
    from tmodel.model.types import Element, Flow

    def walk(m: type[BaseModel], prefix: str = ""):
        for name, f in m.model_fields.items():
            if not prefix and name in _STRUCTURAL:
                continue
            sub = next((t for t in (*getattr(f.annotation, "__args__", ()), f.annotation)
                        if isinstance(t, type) and issubclass(t, BaseModel)), None)
            yield from walk(sub, f"{prefix}{name}.") if sub else [prefix + name]

    missing = [f"{root}.{p}" for root, m in (("element", Element), ("flow", Flow)) for p in walk(m)
               if p not in FIELDS and f"{root}.{p}" not in FIELDS]
    assert not missing, f"add to tmodel/i18n/engine.py FIELDS: {missing}"
