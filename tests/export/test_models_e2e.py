"""Every example model under models/ through every export, with the shipped catalogs. Skips with
the reason while the shipped catalogs do not load (they are written in parallel)."""

from __future__ import annotations

import io
import json
import shutil

import jsonschema
import openpyxl
import pytest

from tests.conftest import AS_OF, ROOT
from tmodel.export.common import file_names

MODELS = sorted((ROOT / "models").glob("*.yaml"))


@pytest.fixture(scope="module")
def shipped():
    from tmodel.catalog.load import load_catalogs

    cat = load_catalogs()
    errors = [p for p in cat.problems if p.is_error]
    if errors:
        pytest.skip(f"the shipped catalogs do not load yet ({len(errors)} error(s), first: {errors[0].format().splitlines()[0]})")
    if not cat.rules:
        pytest.skip("no shipped catalog rules yet")
    return cat


@pytest.mark.skipif(not MODELS, reason="no example models under models/ yet")
@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_example_model_exports(path, shipped, tmp_path):
    from tmodel.analysis.engine import analyze
    from tmodel.export.bundle import FORMATS, export_model
    from tmodel.model.load import load_model

    lm = load_model(str(path))
    assert lm.ok, "\n".join(p.format() for p in lm.errors)
    a = analyze(lm.model, shipped, path=f"models/{path.name}", located=lm.located, as_of=AS_OF)
    formats = [f for f in FORMATS if shutil.which("dot") or f not in ("svg", "png")]
    written = export_model(a, lm.model, tmp_path, formats, catalog=shipped, source=lm)
    names = file_names(a.model_id)
    assert {p.name for p in written} >= {names["xlsx"], names["md"], names["dot"], names["json"], names["sarif"]}
    sarif = json.loads((tmp_path / names["sarif"]).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) >= len(a.threats)

    schema = json.loads((ROOT / "schemas" / "analysis-v2.schema.json").read_text(encoding="utf-8"))
    doc = json.loads((tmp_path / names["json"]).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)

    wb = openpyxl.load_workbook(io.BytesIO((tmp_path / names["xlsx"]).read_bytes()))
    assert wb["Risks"].max_row - 1 == len(a.threats) == doc["summary"]["threats"]
    assert not [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]

    record = (tmp_path / names["md"]).read_text(encoding="utf-8")
    assert f"**Result:** {len(a.threats)} threat(s) found" in record and "## 9. Catalogs and sign-off" in record
    for f in a.frameworks:
        assert f"{f.coverage:.1f}%" in record
