"""Hostile and broken inputs found by fuzzing (issue 17): each ends in a located message and exit
2 (or a clean result), in bounded time, and a bug is reported as a bug (exit 70), never as exit 1."""

from __future__ import annotations

import io
import json
import os
import re
import resource
import shutil
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.conftest import ROOT, SHARED
from tmodel.cli import main

MODELS = sorted((ROOT / "models").glob("*.yaml"))
DEMO = ROOT / "models" / "loan-marketplace.yaml"


def run(*args: str, cwd: Path | None = None):
    old = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)


def timed(*args: str, cwd: Path | None = None):
    start = time.perf_counter()
    r = run(*args, cwd=cwd)
    return r, time.perf_counter() - start


def copy_demo(folder: Path) -> Path:
    """The demo model and the configuration it links, in ``folder``."""
    shutil.copy(DEMO, folder / "m.yaml")
    if not (folder / "configs").exists():
        shutil.copytree(DEMO.parent / "configs", folder / "configs")
    return folder / "m.yaml"


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- a bug is a bug --------------------------------------------------------------------------

def test_an_internal_error_exits_70_with_a_one_line_bug_report(tmp_path, monkeypatch):
    """A real defect injected into the engine (not the CLI under test): analyze crashes inside."""
    import tmodel.analysis.engine as engine

    def broken(*a, **k):
        raise KeyError("boom")

    monkeypatch.setattr(engine, "analyze", broken)
    monkeypatch.setenv("TMODEL_CRASH_DIR", str(tmp_path))
    r = run("analyze", str(DEMO))
    assert r.exit_code == 70
    assert "this is a bug in tmodel: KeyError: 'boom'" in r.output and "Traceback" not in r.output
    written = list(tmp_path.glob("tmodel-crash-*.txt"))
    assert len(written) == 1 and "Traceback" in written[0].read_text() and str(written[0]) in r.output


# --- expansion bombs -------------------------------------------------------------------------

def toml_bomb(levels: int = 24, fan: int = 6) -> str:
    lines = ["[a0]", 'v = "x"']
    for i in range(1, levels + 1):
        lines += [f"[a{i}]", 'v = "' + f"$ref{{a{i - 1}.v}}" * fan + '"']
    lines += ["[transport.https.sslHostConfig.properties]", f'protocols = "$ref{{a{levels}.v}}"']
    return "\n".join(lines) + "\n"


def test_a_toml_reference_bomb_is_refused_in_under_a_second(tmp_path):
    toml = tmp_path / "deployment.toml"
    toml.write_text(toml_bomb(levels=1))
    _, baseline = timed("audit", "wso2-config", str(toml))  # the same command on a harmless file: the machine's speed
    toml.write_text(toml_bomb())
    assert toml.stat().st_size < 2000
    r, took = timed("audit", "wso2-config", str(toml))
    assert r.exit_code == 2 and "expand to more than" in r.output and took - baseline < 1.0


def test_a_model_linking_a_toml_bomb_validates_in_under_a_second(tmp_path):
    shutil.copy(DEMO, tmp_path / "m.yaml")
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "loan-marketplace-gateway.toml").write_text(toml_bomb(levels=1))
    _, baseline = timed("validate", str(tmp_path / "m.yaml"))
    (tmp_path / "configs" / "loan-marketplace-gateway.toml").write_text(toml_bomb())
    r, took = timed("validate", str(tmp_path / "m.yaml"))
    assert r.exit_code == 2 and "expand to more than" in r.output and took - baseline < 1.0


def openapi_bomb(levels: int, fan: int) -> dict:
    schemas = {"L0": {"type": "object", "properties": {"name": {"type": "string"}, "email": {"type": "string"},
                                                       "phone": {"type": "string"}}}}
    for i in range(1, levels + 1):
        schemas[f"L{i}"] = {"type": "object", "properties": {f"p{j}": {"$ref": f"#/components/schemas/L{i - 1}"}
                                                             for j in range(fan)}}
    ref = {"$ref": f"#/components/schemas/L{levels}"}
    return {"openapi": "3.0.3", "info": {"title": "bomb", "version": "1"}, "servers": [{"url": "https://api.bank.ru"}],
            "paths": {"/x": {"post": {"requestBody": {"content": {"application/json": {"schema": ref}}},
                                      "responses": {"200": {"description": "ok",
                                                            "content": {"application/json": {"schema": ref}}}}}}},
            "components": {"schemas": schemas}}


@pytest.mark.parametrize("levels,fan", [(11, 5), (25, 12)])
def test_an_openapi_schema_bomb_imports_in_under_a_second_with_flat_memory(tmp_path, levels, fan):
    doc = tmp_path / "bomb.json"
    doc.write_text(json.dumps(openapi_bomb(1, 1)))
    _, baseline = timed("import", "openapi", str(doc))  # the same command on a one-level document
    doc.write_text(json.dumps(openapi_bomb(levels, fan)))
    before = max_rss_mb()
    r, took = timed("import", "openapi", str(doc))
    assert r.exit_code == 0, r.output
    assert took - baseline < 1.0 and max_rss_mb() - before < 50


def test_a_yaml_alias_bomb_is_refused(tmp_path):
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
              for i in range(1, 10)]
    (tmp_path / "m.yaml").write_text("format_version: 1\n" + "\n".join(lines[:2]) + "\n")
    _, baseline = timed("validate", str(tmp_path / "m.yaml"))
    (tmp_path / "m.yaml").write_text("format_version: 1\n" + "\n".join(lines) + "\n")
    r, took = timed("validate", str(tmp_path / "m.yaml"))
    assert r.exit_code == 2 and "alias" in r.output and took - baseline < 1.0


# --- numbers, dates, URLs --------------------------------------------------------------------

def test_a_5000_digit_integer_in_deployment_toml_is_located(tmp_path):
    toml = tmp_path / "deployment.toml"
    toml.write_text("[server]\nhostname = \"gw\"\noffset = " + "9" * 5000 + "\n")
    r = run("audit", "wso2-config", str(toml))
    assert r.exit_code == 2 and f"{toml}:3:10: error: a number of 5,000 digits" in r.output


def test_a_huge_integer_in_threat_dragon_geometry_is_ignored(tmp_path):
    src = next((SHARED / "testdata" / "threat-dragon").rglob("*.json"), None)
    if src is None:
        pytest.skip("../shared/testdata is not available")
    text = src.read_text(encoding="utf-8")
    data = json.loads(text)
    cells = [c for d in data["detail"]["diagrams"] for c in d.get("cells", []) if isinstance(c.get("position"), dict)]
    cells[0]["position"]["x"] = 10 ** 400
    (tmp_path / "td.json").write_text(json.dumps(data))
    r = run("import", "threat-dragon", str(tmp_path / "td.json"))
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("date", ["2027-02-30", "2026-02-29", "2026-13-01"])
def test_an_impossible_date_is_a_located_error(tmp_path, date):
    text = DEMO.read_text(encoding="utf-8").replace("format_version: 1", f"format_version: 1\n# x\n", 1)
    text = text.replace("metadata:\n", f"metadata:\n  reviewed_on: {date}\n", 1)
    (tmp_path / "m.yaml").write_text(text)
    r = run("validate", str(tmp_path / "m.yaml"))
    assert r.exit_code == 2 and f"cannot read the value '{date}'" in r.output


@pytest.mark.parametrize("date", ["2027-02-30", "2026-02-29", "2026-13-01"])
def test_an_impossible_date_typed_into_an_edit_is_kept_as_text(tmp_path, date):
    """What the app's forms do: ModelDocument.set with the typed text. It used to raise ValueError."""
    from tmodel.model.save import ModelDocument

    shutil.copy(DEMO, tmp_path / "m.yaml")
    doc = ModelDocument.open(str(tmp_path / "m.yaml"))
    doc.set(("metadata", "owner"), date)
    assert f'owner: "{date}"' in doc.text()
    assert doc.validate().ok


def test_a_server_url_with_brackets_imports(tmp_path):
    doc = tmp_path / "api.yaml"
    doc.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers:\n  - url: https://[bank]/api\n"
                   "paths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok}\n")
    r = run("import", "openapi", str(doc))
    assert r.exit_code == 0 and "protocol: https" in r.output


# --- YAML mistakes on the writing paths ---------------------------------------------------------

@pytest.fixture(scope="module")
def register(tmp_path_factory):
    out = tmp_path_factory.mktemp("reg")
    r = run("export", str(DEMO), "--to", str(out), "--format", "xlsx")
    assert r.exit_code == 0, r.output
    return next(out.glob("*-register.xlsx"))


@pytest.mark.parametrize("breakage,expected", [
    (lambda t: t.replace("\n  owner:", "\n\towner:", 1), "tab character"),
    (lambda t: t.replace("elements:", "elements: [", 1), "YAML syntax error"),
    (lambda t: t.replace("metadata:\n", "metadata:\n  id: x\n", 1), "duplicate key 'id'"),
    (lambda t: t + "<<<<<<< HEAD\ndecisions: []\n=======\ndecisions: [{}]\n>>>>>>> theirs\n", "unresolved git merge conflict"),
])
def test_import_register_on_a_broken_model_is_located(tmp_path, register, breakage, expected):
    model = tmp_path / "m.yaml"
    model.write_text(breakage(DEMO.read_text(encoding="utf-8")))
    before = model.read_bytes()
    r = run("import", "register", str(register), str(model))
    assert r.exit_code == 2 and expected in r.output and f"{model}:" in r.output, r.output
    assert model.read_bytes() == before


def test_git_conflict_markers_are_named(tmp_path):
    text = DEMO.read_text(encoding="utf-8")
    text = text.replace("decisions:\n", "decisions:\n<<<<<<< HEAD\n  - threat: A@b\n=======\n  - threat: C@d\n>>>>>>> feature\n", 1)
    (tmp_path / "m.yaml").write_text(text)
    r = run("validate", str(tmp_path / "m.yaml"))
    line = text.splitlines().index("<<<<<<< HEAD") + 1
    assert r.exit_code == 2 and f"m.yaml:{line}:1: error: unresolved git merge conflict" in r.output


# --- hostile workbooks -----------------------------------------------------------------------

def _rezip(src: Path, dst: Path, change) -> None:  # noqa: ANN001
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        members = {i.filename: zin.read(i.filename) for i in zin.infolist()}
        for name, data in change(members).items():
            zout.writestr(name, data)


XXE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
       b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&e;</t></si></sst>')
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
          b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&d;&d;&d;</t></si></sst>')


def _sheet_with_row(members: dict, row: int) -> dict:
    name = next(n for n in members if n.startswith("xl/worksheets/sheet"))
    xml = members[name].decode()
    members[name] = xml.replace("</sheetData>", f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>').encode()
    return members


HOSTILE = {
    "truncated": lambda src, dst: dst.write_bytes(src.read_bytes()[: len(src.read_bytes()) // 2]),
    "not a zip": lambda src, dst: dst.write_bytes(b"PK\x03\x04 this is not really a zip"),
    "corrupt deflate": lambda src, dst: dst.write_bytes(bytes(b ^ 0x55 if 200 < i < 400 else b for i, b in enumerate(src.read_bytes()))),
    "no styles": lambda src, dst: _rezip(src, dst, lambda m: {k: v for k, v in m.items() if k != "xl/styles.xml"}),
    "xxe": lambda src, dst: _rezip(src, dst, lambda m: {**m, "xl/sharedStrings.xml": XXE}),
    "billion laughs": lambda src, dst: _rezip(src, dst, lambda m: {**m, "xl/sharedStrings.xml": LAUGHS}),
    "row 1048577": lambda src, dst: _rezip(src, dst, lambda m: _sheet_with_row(m, 1_048_577)),
    "row 1048576": lambda src, dst: _rezip(src, dst, lambda m: _sheet_with_row(m, 1_048_576)),
    "zip bomb": lambda src, dst: _rezip(src, dst, lambda m: {**m, "xl/media/big.bin": b"\x00" * (300 * 1024 * 1024)}),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_workbooks_are_refused_quickly_and_the_model_is_kept(tmp_path, register, kind):
    bad = tmp_path / "bad.xlsx"
    HOSTILE[kind](register, bad)
    model = copy_demo(tmp_path)
    r, took = timed("import", "register", str(bad), str(model))
    assert r.exit_code in (0, 2), r.output
    assert "Traceback" not in r.output and "root:" not in r.output
    if r.exit_code == 2:
        assert f"{bad}: error:" in r.output or f"{bad}:" in r.output
    assert took < 5.0, f"{kind}: {took:.1f} s"
    assert model.read_bytes() == DEMO.read_bytes()


def test_formulas_merged_cells_and_huge_strings_are_cell_errors(tmp_path, register):
    wb = openpyxl.load_workbook(register)
    ws = wb["Risks"]
    headers = {c.value: c.column for c in ws[1]}
    ws.cell(2, headers["Status"]).value = "=1+1"
    ws.cell(3, headers["Owner"]).value = "O" * 5000
    ws.cell(4, headers["Expiry / due date"]).value = "2027-02-30"
    ws.merge_cells(start_row=5, start_column=headers["Status"], end_row=6, end_column=headers["Owner"])
    buf = tmp_path / "edited.xlsx"
    wb.save(buf)
    model = copy_demo(tmp_path)
    r = run("import", "register", str(buf), str(model))
    assert r.exit_code == 2
    assert "'=1+1' is not a status" in r.output and "at most 200" in r.output and "'2027-02-30' is not a date" in r.output
    assert model.read_bytes() == DEMO.read_bytes()


# --- terminal control characters --------------------------------------------------------------

ESCAPES = '"Gateway\\e]0;owned\\a\\e[2J\\x9b31m"'


def _with_line(text: str, pattern: str, line: str) -> str:
    return re.sub(pattern, lambda m: line, text, count=1, flags=re.MULTILINE)


def test_control_characters_never_reach_the_terminal(tmp_path):
    text = DEMO.read_text(encoding="utf-8")
    titled = tmp_path / "t.yaml"  # valid: the escapes in the title and owner are printed by analyze, check, diff
    titled.write_text(_with_line(_with_line(text, r"^  title: .*$", f"  title: {ESCAPES}"), r"^  owner: .*$", f"  owner: {ESCAPES}"))
    invalid = tmp_path / "bad.yaml"  # invalid values are quoted back in the error messages
    invalid.write_text(_with_line(text, r"^  gost_level: .*$", f"  gost_level: {ESCAPES}"))
    outputs = []
    for args in (("validate", str(titled)), ("analyze", str(titled)), ("check", str(titled)), ("diff", str(DEMO), str(titled)),
                 ("validate", str(invalid)), ("check", str(invalid))):
        r = run(*args)
        assert r.exit_code in (0, 1, 2), r.output
        outputs.append(r.output)
    joined = "".join(outputs)
    assert "\x1b" not in joined and "\x07" not in joined and "\x9b" not in joined
    assert "Gateway\u241b]0;owned\u2407\u241b[2J<U+009B>31m" in joined  # shown, not dropped


def test_a_model_title_with_escapes_is_neutralized_when_loaded():
    """What the app shows comes from the loaded model: no control character reaches it either."""
    from tmodel.model.load import load_model_text

    text = _with_line(DEMO.read_text(encoding="utf-8"), r"^  title: .*$", f"  title: {ESCAPES}")
    lm = load_model_text(text, "m.yaml")
    assert lm.ok and lm.model.metadata.title.startswith("Gateway\u241b]0;owned\u2407\u241b[2J<U+009B>31m")


# --- paths -----------------------------------------------------------------------------------

def _linked(tmp_path: Path, path: str) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    m = tmp_path / "repo" / "m.yaml"
    m.parent.mkdir(exist_ok=True)
    (tmp_path / "repo" / ".git").mkdir(exist_ok=True)
    m.write_text(DEMO.read_text(encoding="utf-8").replace("path: configs/loan-marketplace-gateway.toml", f"path: {path}"))
    return m


@pytest.mark.parametrize("path", ["../outside.toml", "/etc/hostname", "link.toml"])
def test_linked_configs_outside_the_repository_are_refused(tmp_path, path):
    (tmp_path / "outside.toml").write_text("[server]\nhostname = \"x\"\n")
    m = _linked(tmp_path, path)
    (m.parent / "link.toml").symlink_to(tmp_path / "outside.toml")
    r = run("validate", str(m))
    assert r.exit_code == 2 and "outside the model's repository" in r.output
    r = run("--allow-outside-configs", "validate", str(m))
    assert "outside the model's repository" not in r.output


def test_a_linked_fifo_is_refused_without_hanging(tmp_path):
    m = _linked(tmp_path, "pipe.toml")
    os.mkfifo(m.parent / "pipe.toml")
    r, took = timed("validate", str(m))
    assert r.exit_code == 2 and "is a pipe, not a file" in r.output and took < 2


def test_the_wso2_importer_does_not_follow_a_link_out_of_the_project(tmp_path):
    src = next((SHARED / "testdata" / "wso2-apictl").rglob("api.yaml"), None)
    if src is None:
        pytest.skip("../shared/testdata is not available")
    project = tmp_path / "project"
    shutil.copytree(src.parent, project)
    secret = tmp_path / "secret.yaml"
    shutil.copy(project / "Definitions" / "swagger.yaml", secret)
    (project / "Definitions" / "swagger.yaml").unlink()
    (project / "Definitions" / "swagger.yaml").symlink_to(secret)
    r = run("import", "wso2", str(project))
    assert r.exit_code == 0 and "a link to a file outside the project" in r.output
    (project / "api.yaml").rename(tmp_path / "api.yaml")
    (project / "api.yaml").symlink_to(tmp_path / "api.yaml")
    r = run("import", "wso2", str(project))
    assert r.exit_code == 2 and "outside the project" in r.output


def test_renaming_a_linked_element_updates_the_link(tmp_path):
    from tmodel.model.save import ModelDocument

    shutil.copy(DEMO, tmp_path / "m.yaml")
    doc = ModelDocument.open(str(tmp_path / "m.yaml"))
    changed = doc.rename("elements", "api-gw", "edge-gw")
    assert any(c.startswith("configs ") for c in changed)
    assert doc.data["configs"][0]["element"] == "edge-gw"


def test_a_long_wso2_value_still_imports_a_valid_model(tmp_path):
    src = next((SHARED / "testdata" / "wso2-apictl").rglob("api.yaml"), None)
    if src is None:
        pytest.skip("../shared/testdata is not available")
    project = tmp_path / "p"
    shutil.copytree(src.parent, project)
    text = (project / "api.yaml").read_text(encoding="utf-8")
    text = text.replace("context: /", "context: /" + "p" * 5000, 1)
    text = _with_line(text, r"^  name: .*$", '  name: "Pizza\\e]0;x\\aShack"')
    (project / "api.yaml").write_text(text, encoding="utf-8")
    r = run("import", "wso2", str(project))
    assert r.exit_code in (0, 2) and "this is a bug in the wso2 importer" not in r.output, r.output


# --- ids and catalogs ------------------------------------------------------------------------

@pytest.mark.parametrize("ident", ["../../etc/cron.d/x", "/abs", "a/b", "..", "x\\y"])
def test_a_path_in_a_model_id_is_refused_before_any_file_is_named_after_it(tmp_path, ident):
    text = _with_line(DEMO.read_text(encoding="utf-8"), r"^  id: .*$", f"  id: '{ident}'")
    copy_demo(tmp_path).write_text(text, encoding="utf-8")
    r = run("export", str(tmp_path / "m.yaml"), "--to", str(tmp_path / "out"))
    assert r.exit_code == 2 and "is not a valid id at metadata.id" in r.output
    assert not (tmp_path / "out").exists()


def test_a_hostile_catalog_is_located_and_refused(tmp_path):
    cat = tmp_path / "cat"
    cat.mkdir()
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    (cat / "bomb.yaml").write_text("\n".join(lines) + "\n")
    r, took = timed("validate", "--catalog", str(cat), str(DEMO))
    assert r.exit_code == 2 and f"{cat / 'bomb.yaml'}:" in r.output and took < 10


def test_import_register_refuses_a_model_over_the_size_limit_quickly(tmp_path, register):
    model = copy_demo(tmp_path)
    model.write_text(DEMO.read_text(encoding="utf-8") + ("# padding " + "x" * 90 + "\n") * 60_000)
    assert model.stat().st_size > 5 * 1024 * 1024
    r, took = timed("import", "register", str(register), str(model))
    assert r.exit_code == 2 and "over the 5,242,880-byte limit" in r.output and took < 5
