"""``tmodel export`` end to end through the CLI, and the numbers every format shows."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.export.conftest import DEMO, HOSTILE
from tmodel.cli import main

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
ALL = ["dataflow.dot", "dataflow.svg", "dataflow.png", "data.dot", "data.svg", "data.png", "record.md", "record.docx",
       "register.xlsx", "analysis.json", "threats.sarif", "fstec.md", "fstec.docx"]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@needs_dot
def test_export_everything_to_the_default_folder(cli_env):
    r = run("export", str(DEMO), "--as-of", "2026-11-01")
    assert r.exit_code == 0, r.output
    folder = Path("exports/export-demo")
    assert r.stdout.splitlines() == [f"wrote {folder / ('export-demo-' + n)}" for n in ALL]
    for n in ALL:
        assert (folder / f"export-demo-{n}").stat().st_size > 0
    record = (folder / "export-demo-record.md").read_text(encoding="utf-8")
    assert "](export-demo-dataflow.svg)" in record and "](export-demo-data.svg)" in record


def test_export_subset_to_a_folder(cli_env):
    r = run("export", str(DEMO), str(HOSTILE), "--to", "out", "--format", "md, json", "--as-of", "2026-11-01")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in Path("out").iterdir()) == ["export-demo-analysis.json", "export-demo-record.md",
                                                          "hostile-analysis.json", "hostile-record.md"]
    record = Path("out/export-demo-record.md").read_text(encoding="utf-8")
    assert "export-demo-dataflow.dot" in record and "![Data flow]" not in record


def test_export_is_byte_identical_twice(cli_env):
    for out in ("a", "b"):
        assert run("export", str(DEMO), "--to", out, "--format", "xlsx,md,dot,json", "--as-of", "2026-11-01").exit_code == 0
    for p in Path("a").iterdir():
        assert p.read_bytes() == (Path("b") / p.name).read_bytes(), p.name


def test_without_dot_svg_png_are_skipped_with_a_note(cli_env, monkeypatch):
    monkeypatch.setenv("PATH", str(cli_env / "no-bin"))
    r = run("export", str(DEMO), "--to", "out", "--as-of", "2026-11-01")
    assert r.exit_code == 0, r.output
    assert "apt-get install graphviz" in r.stderr and "brew install graphviz" in r.stderr
    assert not list(Path("out").glob("*.svg")) and not list(Path("out").glob("*.png"))
    assert Path("out/export-demo-dataflow.dot").exists()


def test_without_dot_explicit_svg_is_an_error(cli_env, monkeypatch):
    monkeypatch.setenv("PATH", str(cli_env / "no-bin"))
    r = run("export", str(DEMO), "--to", "out", "--format", "md,svg")
    assert r.exit_code == 2
    assert "Graphviz 'dot' was not found" in r.stderr and "apt-get install graphviz" in r.stderr
    assert not Path("out").exists()


def test_unknown_format(cli_env):
    r = run("export", str(DEMO), "--format", "xlsx,pdf")
    assert r.exit_code == 2 and "'pdf'" in r.output


def test_bad_model_is_located_and_nothing_written(cli_env):
    bad = cli_env / "bad.yaml"
    bad.write_text(DEMO.read_text(encoding="utf-8").replace("kind: data_store\n    technology: database",
                                                            "kind: datastore\n    technology: database"), encoding="utf-8")
    r = run("export", str(bad), "--to", "out")
    assert r.exit_code == 2
    assert re.search(r"bad\.yaml:\d+:\d+: error: .*datastore", r.stderr), r.stderr
    assert "Traceback" not in r.output and not Path("out").exists()


def test_two_models_with_one_id_are_refused(cli_env):
    copy = cli_env / "copy.yaml"
    copy.write_text(DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    r = run("export", str(DEMO), str(copy), "--to", "out", "--format", "json")
    assert r.exit_code == 2 and "would overwrite each other" in r.stderr


def test_numbers_agree_with_analyze_json(cli_env):
    """Threat count, levels and coverage are the same in `analyze --format json`, the xlsx, the md and the JSON export."""
    r = run("analyze", str(DEMO), "--format", "json", "--as-of", "2026-11-01")
    assert r.exit_code == 0, r.output
    ref = json.loads(r.stdout)["summary"]
    assert run("export", str(DEMO), "--to", "out", "--format", "xlsx,md,json", "--as-of", "2026-11-01").exit_code == 0

    exported = json.loads(Path("out/export-demo-analysis.json").read_text(encoding="utf-8"))["summary"]
    assert exported == ref

    wb = openpyxl.load_workbook(io.BytesIO(Path("out/export-demo-register.xlsx").read_bytes()))
    summary: dict = {}
    for row in wb["Summary"].iter_rows():
        if row[0].value:
            summary.setdefault(row[0].value, [c.value for c in row[1:]])  # first table that has the label
    assert summary["total"][0] == ref["threats"] == wb["Risks"].max_row - 1
    for lv, n in ref["by_level"].items():
        assert summary[lv][:2] == [n, ref["by_residual_level_unresolved"][lv]]
    for st, n in ref["by_status"].items():
        assert summary[st][0] == n
    for fw, cov in ref["coverage"].items():
        assert summary[fw][1] == cov

    md = Path("out/export-demo-record.md").read_text(encoding="utf-8")
    assert f"**Result:** {ref['threats']} threat(s) found" in md
    rows = dict(re.findall(r"^\| (critical|high|medium|low|total) \| (\d+ \| \d+) \|$", md, re.MULTILINE))
    for lv, n in ref["by_level"].items():
        assert rows[lv] == f"{n} | {ref['by_residual_level_unresolved'][lv]}"
    assert rows["total"].split(" | ")[0] == str(ref["threats"])
    for fw, cov in ref["coverage"].items():
        assert re.search(rf"^### .*\({re.escape(fw)}\): {cov:.1f}%$", md, re.MULTILINE), fw


def test_a_diagram_too_large_to_lay_out_is_written_as_dot_with_a_note(cli_env, monkeypatch):
    from tmodel.export import diagram

    monkeypatch.setattr(diagram, "MAX_LAYOUT_ELEMENTS", 1)  # the demo has more: as a 10,000-element model would
    r = run("export", str(DEMO), "--to", "out", "--format", "svg,png,md,docx,xlsx", "--as-of", "2026-11-01")
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in Path("out").iterdir())
    assert names == ["export-demo-data.dot", "export-demo-dataflow.dot", "export-demo-record.docx",
                     "export-demo-record.md", "export-demo-register.xlsx"]
    assert "note: no SVG diagram:" in r.stderr and "written as DOT" in r.stderr
    assert "note: the Word record has no diagrams" in r.stderr
    assert ".svg)" not in Path("out/export-demo-record.md").read_text(encoding="utf-8")


@needs_dot
def test_a_layout_that_times_out_is_written_as_dot_and_the_export_goes_on(cli_env, monkeypatch):
    from tmodel.export import diagram

    def slow(source: str, fmt: str, **_: object) -> bytes:
        raise diagram.LayoutTooLarge(f"dot -T{fmt} took longer than 120 s to lay out the diagram")

    monkeypatch.setattr(diagram, "render", slow)
    r = run("export", str(DEMO), "--to", "out", "--format", "svg,json", "--as-of", "2026-11-01")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in Path("out").iterdir()) == ["export-demo-analysis.json", "export-demo-data.dot",
                                                          "export-demo-dataflow.dot"]
    assert "took longer than 120 s" in r.stderr


def test_export_messages_in_russian(cli_env, monkeypatch):
    """--lang ru (or [export] lang) also puts what export tells the user in Russian: the files written and the
    notes on diagrams it could not render (issue 14)."""
    from tmodel.export import diagram
    from tmodel.export.bundle import ExportWords

    for en, ru in ExportWords.TEXT.items():
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", ru)), en
    monkeypatch.setattr(diagram, "MAX_LAYOUT_ELEMENTS", 1)
    r = run("export", str(DEMO), "--to", "out", "--format", "svg,md,docx", "--as-of", "2026-11-01", "--lang", "ru")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == f"записан файл {Path('out/export-demo-dataflow.dot')}"
    assert "wrote" not in r.stdout and "note:" not in r.stderr and "[en]" not in r.stderr
    assert "примечание: схема потоков данных в SVG не построена: число элементов модели" in r.stderr
    assert "записана в формате DOT" in r.stderr
    if shutil.which("dot"):
        assert "протокол рассмотрения в формате Word сформирован без схем" in r.stderr
    assert ExportWords("ru").reason("dot -Tpng took longer than 120 s to lay out the diagram") == \
        "dot -Tpng раскладывал схему дольше 120 с"
    monkeypatch.setenv("PATH", str(cli_env / "no-bin"))
    Path("tmodel.toml").write_text('[export]\nlang = "ru"\n', encoding="utf-8")
    r = run("export", str(DEMO), "--to", "out2", "--format", "md", "--as-of", "2026-11-01")
    assert r.exit_code == 0 and r.stdout.startswith("записан файл "), r.output
    r = run("export", str(DEMO), "--to", "out3", "--as-of", "2026-11-01")
    assert r.exit_code == 0 and "программа Graphviz dot не найдена" in r.stderr and "apt-get install graphviz" in r.stderr
    assert "was not found" not in r.stderr
    r = run("export", str(DEMO), "--to", "out4", "--format", "md,svg")
    assert r.exit_code == 2 and "ошибка: запрошены форматы svg" in r.stderr and "подсказка:" in r.stderr
    assert run("export", str(DEMO), "--to", "out5", "--format", "md", "--lang", "en").stdout.startswith("wrote ")
