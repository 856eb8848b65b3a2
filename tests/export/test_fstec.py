"""The threat model document by the FSTEC 2021 methodology (``tmodel export --format fstec``):
golden Markdown of one example model, the DOCX read back with python-docx, the CLI."""

from __future__ import annotations

import io
import re
import subprocess

import docx
import pytest

from tests.conftest import AS_OF, ROOT
from tests.export.conftest import GOLDEN, UPDATE_GOLDEN, rel
from tmodel.analysis.engine import analyze
from tmodel.analysis.paths import attack_paths
from tmodel.export.fstec import fstec_markdown
from tmodel.export.fstec_docx import fstec_docx
from tmodel.model.load import load_model

EXAMPLE = ROOT / "models" / "ciba-payment-confirmation.yaml"
SECTIONS = [
    "1. Общие положения",
    "2. Описание систем и сетей и их характеристика как объектов защиты",
    "2.3. Обрабатываемая информация",
    "3. Возможные негативные последствия от реализации угроз безопасности информации",
    "4. Возможные объекты воздействия угроз безопасности информации",
    "5. Источники угроз безопасности информации",
    "6. Способы реализации угроз безопасности информации (сценарии)",
    "7. Актуальные угрозы безопасности информации",
    "8. Меры защиты информации",
]


@pytest.fixture(scope="module")
def example(catalog):
    lm = load_model(str(EXAMPLE))
    assert lm.ok
    a = analyze(lm.model, catalog, path=rel(EXAMPLE), located=lm.located, as_of=AS_OF)
    return a, lm.model, attack_paths(lm.model, a, catalog)


def test_golden_markdown(example):
    a, model, paths = example
    text = fstec_markdown(a, model, paths)
    golden = GOLDEN / "examples" / f"{a.model_id}-fstec.md"
    if UPDATE_GOLDEN:
        golden.write_text(text, encoding="utf-8", newline="")
    assert golden.exists(), f"no golden file {rel(golden)}; run with TMODEL_UPDATE_GOLDEN=1 and review it"
    assert text == golden.read_text(encoding="utf-8"), f"{rel(golden)} differs; review and regenerate it"


def test_markdown_is_the_methodology_structure_filled_from_the_model(example):
    a, model, paths = example
    text = fstec_markdown(a, model, paths)
    heads = [h.lstrip("# ") for h in text.splitlines() if h.startswith("#")]
    pos = [heads.index(s) for s in SECTIONS]
    assert pos == sorted(pos)
    assert "УЗ-3" in text and "усиленный" in text  # pd_level and gost_level of the model
    for e in model.elements:
        assert e.id in text
    for f in model.flows:
        assert f"{f.id}: " in text  # every interface
    # every УБИ id of the analysis, with its official name
    from tmodel.catalog import bdu

    for t in a.threats:
        for i in bdu.threat_bdu(t):
            assert f"| {i} | {bdu.name(i)} | {bdu.source(i)} |" in text
    assert f"Сценарий {len(paths)}." in text  # every attack path is a scenario
    # appendix numbers of the methodology: only the one the reference material confirms
    assert set(re.findall(r"приложени\w+ (\d+)", text)) <= {"11"}


def test_no_english_sentences_outside_model_data_and_catalog_titles(example):
    """Headings, labels and the document's own sentences are Russian; what remains in Latin script
    is model data, identifiers and catalog titles (which become Russian with the bilingual catalogs)."""
    a, model, paths = example
    text = fstec_markdown(a, model, paths)
    allowed = {x for e in model.elements for x in (e.id, e.title)} | {x for f in model.flows for x in (f.id, f.title)}
    allowed |= {x for d in model.data_assets for x in (d.id, d.title)} | {x for b in model.boundaries for x in (b.id, b.title)}
    allowed |= {model.metadata.title, model.metadata.owner, model.metadata.description.strip(), a.path, a.model_id}
    allowed |= {x for t in a.threats for x in (t.title, t.id, t.rule)}
    allowed |= {x for c in a.controls for x in (c.title, c.id, c.evidence)}  # evidence: what the model says
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        for chunk in re.findall(r"[A-Za-z][A-Za-z ,'’/()-]{25,}", line.replace("\\", "")):
            chunk = chunk.strip(" ,(")
            assert any(chunk in x.replace("\\", "") or x in chunk for x in allowed if len(x) > 3), chunk


def test_docx_opens_and_has_the_sections(example, tmp_path):
    a, model, paths = example
    data = fstec_docx(a, model, paths)
    assert data == fstec_docx(a, model, paths)  # deterministic
    d = docx.Document(io.BytesIO(data))
    heads = [p.text for p in d.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert heads[0] == "Модель угроз безопасности информации"
    for s in SECTIONS:
        assert s in heads
    assert d.core_properties.language == "ru-RU" and d.core_properties.author == "tmodel"
    cells = {c.text for t in d.tables for row in t.rows for c in row.cells}
    assert "УБИ.127" in cells and "Угроза подмены действия пользователя путём обмана" in cells
    assert any("Внешний нарушитель" == c for c in cells)


def test_cli_writes_markdown_and_docx(tmp_path):
    out = tmp_path / "out"
    r = subprocess.run([str(ROOT / ".venv" / "bin" / "tmodel"), "export", str(EXAMPLE), "--format", "fstec",
                        "--to", str(out), "--as-of", AS_OF.isoformat()], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["ciba-payment-confirmation-fstec.docx", "ciba-payment-confirmation-fstec.md"]
    assert "## 6. Способы реализации угроз безопасности информации (сценарии)" in (out / names[1]).read_text(encoding="utf-8")
    docx.Document(str(out / names[0]))


def test_hostile_model_text_stays_text(hostile, xcat):
    """Markdown, HTML and formula-like strings from the model are escaped in the Markdown and kept
    as plain text in the DOCX; every table row keeps its columns."""
    a, model = hostile
    paths = attack_paths(model, a, xcat)
    text = fstec_markdown(a, model, paths)
    for raw in ("<script>", "<b>", "<img", "[link](", "![img]", "`code`", "*em*", "~~del~~", "\n# not", "\n- not"):
        assert raw not in text, raw
    table: list[str] = []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            assert len({len(re.findall(r"(?<!\\)\|", row)) for row in table}) == 1, table
            table = []
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert all(re.match(r"#{1,3} (\d+\.|Модель угроз|Сценарий \d+\.|Согласование)", h) for h in headings), headings
    d = docx.Document(io.BytesIO(fstec_docx(a, model, paths)))
    body = "\n".join(p.text for p in d.paragraphs) + "\n".join(c.text for t in d.tables for r in t.rows for c in r.cells)
    assert "<script>" in body  # shown as written, never interpreted
