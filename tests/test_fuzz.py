"""Fuzz tests: mutated real inputs through every command that reads them (see tests/fuzzkit.py).

CI runs a few inputs per family (the whole file in about a minute on two cores); the long run
is ``TMODEL_FUZZ_EXAMPLES=3000 pytest tests/test_fuzz.py`` (numbers in docs/security.md).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzkit import (
    MODELS,
    TESTDATA,
    Tally,
    byte_mutations,
    fuzz_settings,
    mutate_bytes,
    mutate_text,
    run_clean,
    text_mutations,
)

pytestmark = pytest.mark.fuzz

OPENAPI = sorted(p for p in (TESTDATA / "openapi").rglob("*") if p.suffix in (".json", ".yaml", ".yml"))
THREAGILE = sorted((TESTDATA / "threagile").rglob("*.yaml"))
THREAT_DRAGON = sorted((TESTDATA / "threat-dragon").rglob("*.json"))
WSO2_TOML = sorted((TESTDATA / "wso2-config").rglob("*.toml"))
WSO2_PROJECTS = [p.parent for p in sorted((TESTDATA / "wso2-apictl").rglob("api.yaml"))]
WSO2_FILES = sorted(p for p in (TESTDATA / "wso2-apictl").rglob("*.yaml") if p.parent.name != "Definitions"
                    and p.name != "api.yaml")
needs_testdata = pytest.mark.skipif(not OPENAPI, reason="../shared/testdata is not available")


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def tallies():
    made: dict[str, Tally] = {}
    yield lambda family: made.setdefault(family, Tally(family))
    for t in made.values():
        t.write()


def _mutated_model(work: Path, model: Path, ops) -> Path:
    out = work / model.name
    out.write_text(mutate_text(model.read_text(encoding="utf-8"), ops), encoding="utf-8")
    # linked configs are read relative to the model: keep them reachable
    configs = model.parent / "configs"
    if configs.is_dir() and not (work / "configs").exists():
        shutil.copytree(configs, work / "configs")
    return out


MODEL_COMMANDS = {
    "validate": lambda f, w: ["validate", str(f)],
    "analyze": lambda f, w: ["analyze", str(f), "--format", "json", "--as-of", "2026-11-01"],
    "check": lambda f, w: ["check", str(f), "--fail-on", "high"],
    "export": lambda f, w: ["export", str(f), "--to", str(w / "out"), "--format", "xlsx,md,json,dot", "--as-of", "2026-11-01"],
}


@pytest.mark.parametrize("family", list(MODEL_COMMANDS))
def test_mutated_example_models(family, work, tallies):
    tally = tallies(family)
    folder = work / family
    folder.mkdir(exist_ok=True)

    @fuzz_settings()
    @given(model=st.sampled_from(MODELS), ops=text_mutations())
    def run(model, ops):
        run_clean(MODEL_COMMANDS[family](_mutated_model(folder, model, ops), folder), tally)

    run()
    assert tally.inputs > 0, f"{tally.family}: hypothesis ran no input through tmodel"


def test_mutated_models_in_diff(work, tallies):
    tally = tallies("diff")
    folder = work / "diff"
    folder.mkdir(exist_ok=True)

    @fuzz_settings()
    @given(model=st.sampled_from(MODELS), ops=text_mutations(), reverse=st.booleans())
    def run(model, ops, reverse):
        new = _mutated_model(folder, model, ops)
        pair = [str(new), str(model)] if reverse else [str(model), str(new)]
        run_clean(["diff", *pair], tally)

    run()
    assert tally.inputs > 0, f"{tally.family}: hypothesis ran no input through tmodel"


IMPORTERS = {
    "import-openapi": ("openapi", OPENAPI),
    "import-threagile": ("threagile", THREAGILE),
    "import-threat-dragon": ("threat-dragon", THREAT_DRAGON),
    "import-wso2-file": ("wso2", WSO2_FILES),
}


@needs_testdata
@pytest.mark.parametrize("family", list(IMPORTERS))
def test_mutated_real_documents_in_importers(family, work, tallies):
    command, sources = IMPORTERS[family]
    tally = tallies(family)
    folder = work / family
    folder.mkdir(exist_ok=True)

    @fuzz_settings()
    @given(source=st.sampled_from(sources), ops=text_mutations())
    def run(source, ops):
        out = folder / source.name
        out.write_text(mutate_text(source.read_text(encoding="utf-8"), ops), encoding="utf-8")
        run_clean(["import", command, str(out), "-o", str(folder / "model.yaml"), "--force"], tally)

    run()
    assert tally.inputs > 0, f"{tally.family}: hypothesis ran no input through tmodel"


@needs_testdata
def test_mutated_wso2_projects(work, tallies):
    tally = tallies("import-wso2-project")
    folder = work / "wso2-project"

    @fuzz_settings()
    @given(project=st.sampled_from(WSO2_PROJECTS), which=st.sampled_from(["api.yaml", "Definitions/swagger.yaml"]),
           ops=text_mutations())
    def run(project, which, ops):
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(project, folder)
        target = folder / which
        if target.exists():
            target.write_text(mutate_text(target.read_text(encoding="utf-8"), ops), encoding="utf-8")
        run_clean(["import", "wso2", str(folder)], tally)

    run()
    assert tally.inputs > 0, f"{tally.family}: hypothesis ran no input through tmodel"


@needs_testdata
def test_mutated_deployment_toml(work, tallies):
    tally = tallies("audit-wso2-config")
    folder = work / "audit"
    folder.mkdir(exist_ok=True)
    model = folder / "m.yaml"
    linked = next(m for m in MODELS if m.name == "loan-marketplace.yaml")  # has the gateway element api-gw
    shutil.copy(linked, model)
    shutil.copytree(linked.parent / "configs", folder / "configs")

    @fuzz_settings()
    @given(source=st.sampled_from(WSO2_TOML), ops=text_mutations(), with_model=st.booleans())
    def run(source, ops, with_model):
        out = folder / "deployment.toml"
        out.write_text(mutate_text(source.read_text(encoding="utf-8"), ops), encoding="utf-8")
        args = ["audit", "wso2-config", str(out)]
        if with_model:
            args += ["--model", str(model), "--element", "api-gw"]
        run_clean(args, tally)

    run()
    assert tally.inputs > 0, f"{tally.family}: hypothesis ran no input through tmodel"


# --- import register: hostile workbooks ------------------------------------------------------

@pytest.fixture(scope="module")
def exported(work):
    """Each example model with the register tmodel exported for it."""
    folder = work / "register-src"
    folder.mkdir()
    out = []
    for m in MODELS:
        run_clean(["export", str(m), "--to", str(folder), "--format", "xlsx", "--as-of", "2026-11-01"])
        import yaml

        mid = yaml.safe_load(m.read_text(encoding="utf-8"))["metadata"]["id"]
        out.append((m, (folder / f"{mid}-register.xlsx").read_bytes()))
    return out


CELL_VALUES = ["accepted", "acepted", "", None, "=1+1", "=HYPERLINK(\"http://x\")", "2027-02-30", "2026-13-01", "A" * 40000,
               "\u202e\u0085x", 1e308, -1, 10 ** 30, True, "mitigated", "false_positive", "transferred", "open", "#N/A"]


@st.composite
def workbook_edits(draw: st.DrawFn) -> list[tuple]:
    kinds = ("cell", "rename_sheet", "delete_sheet", "merge", "far_cell", "insert_rows", "delete_rows", "header")
    return [(draw(st.sampled_from(kinds)), draw(st.integers(1, 40)), draw(st.integers(1, 20)), draw(st.sampled_from(CELL_VALUES)))
            for _ in range(draw(st.integers(1, 4)))]


def edit_workbook(data: bytes, edits: list[tuple]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for kind, row, col, value in edits:
        ws = wb.worksheets[row % len(wb.worksheets)] if kind in ("rename_sheet", "delete_sheet") else \
            (wb["Risks"] if "Risks" in wb.sheetnames else wb.worksheets[0])
        if kind == "cell":
            ws.cell(row=row, column=col).value = value
        elif kind == "header":
            ws.cell(row=1, column=col).value = value
        elif kind == "rename_sheet":
            ws.title = f"S{row}{col}"
        elif kind == "delete_sheet" and len(wb.worksheets) > 1:
            wb.remove(ws)
        elif kind == "merge":
            ws.merge_cells(start_row=row, start_column=col, end_row=row + 2, end_column=col + 1)
        elif kind == "far_cell":
            ws.cell(row=1_048_576 - row, column=col).value = "x"
        elif kind in ("insert_rows", "delete_rows") and ws.max_row < 10_000:
            # openpyxl shifts rows cell by cell over the whole sheet: after a far cell that is a million rows
            # of the harness's own work (5 GB), not tmodel's
            (ws.insert_rows if kind == "insert_rows" else ws.delete_rows)(row, col)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_hostile_workbooks_in_import_register(work, exported, tallies):
    tally = tallies("import-register")
    folder = work / "register"
    folder.mkdir(exist_ok=True)

    @fuzz_settings()
    @given(which=st.integers(0, len(MODELS) - 1), structured=st.booleans(), edits=workbook_edits(), ops=byte_mutations())
    def run(which, structured, edits, ops):
        model, data = exported[which]
        data = edit_workbook(data, edits) if structured else mutate_bytes(data, ops)
        wb = folder / "register.xlsx"
        wb.write_bytes(data)
        target = folder / model.name
        shutil.copy(model, target)
        if not (folder / "configs").exists():
            shutil.copytree(model.parent / "configs", folder / "configs")
        run_clean(["import", "register", str(wb), str(target)], tally)

    run()
    assert tally.inputs > 0, f"{tally.family}: hypothesis ran no input through tmodel"
