"""The register as its readers meet it, through LibreOffice (skipped where it is not installed):

- printed to PDF: every page A4 landscape, the header row repeated on each page of the Risks
  sheet, the title, classification marking and ``Page x of y`` on every page; the page setup
  read back from the file keeps type >= 8 pt;
- re-saved by LibreOffice Calc after edits (a changed row, a deleted row, an added row, a
  conflict with the model), then imported: only the edited rows change.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from tests.conftest import ROOT
from tests.export.conftest import DEMO
from tmodel.cli import main
from tmodel.export.register import RISK_COLUMNS
from tmodel.export.sheet import BODY_PT, MIN_PRINT_PT
from tmodel.model.save import ModelDocument

SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
COL = {c.key: i for i, c in enumerate(RISK_COLUMNS, 1)}


def soffice(tmp: Path, target: str, src: Path, outdir: Path) -> Path:
    profile = (tmp / "lo-profile").as_uri()  # a private profile: other LibreOffice runs do not interfere
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target, "--outdir",
                    str(outdir), str(src)], check=True, capture_output=True, timeout=240)
    out = outdir / (src.stem + "." + target.split(":")[0])
    assert out.exists(), f"LibreOffice wrote no {out.name}"
    return out


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler) is not installed")
def test_register_prints_readably_with_repeated_headers(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tmodel.toml").write_text('[export]\nclassification = "Для служебного пользования"\n', encoding="utf-8")
    r = CliRunner().invoke(main, ["export", str(ROOT / "models" / "loan-marketplace.yaml"), "--to", "out",
                                  "--format", "xlsx", "--as-of", "2026-12-06"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    xlsx = tmp_path / "out" / "loan-marketplace-register.xlsx"

    wb = openpyxl.load_workbook(xlsx)
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        ps = ws.page_setup
        assert ps.orientation == "landscape" and str(ps.paperSize) == "9", ws.title  # 9 = A4
        if not ws.sheet_properties.pageSetUpPr.fitToPage:
            assert ps.scale * BODY_PT / 100 >= MIN_PRINT_PT, ws.title
        assert "Для служебного пользования" in ws.oddHeader.center.text and "&P of &N" in ws.oddFooter.center.text
    risks = wb["Risks"]
    assert risks.print_title_rows == "$1:$1" and risks.print_title_cols == "$A:$A"
    assert risks.freeze_panes == "C2" and risks.auto_filter.ref.startswith("A1:")
    sizes = {risks.cell(r, c).font.sz for r in range(1, risks.max_row + 1) for c in range(1, len(RISK_COLUMNS) + 1)}
    assert min(sizes) >= BODY_PT

    pdf = soffice(tmp_path, "pdf", xlsx, tmp_path)
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) > 10
    risk_pages = [p for p in pages if p.rstrip().splitlines()[-1].lstrip().startswith("Risks")]
    assert len(risk_pages) >= 4
    for n, page in enumerate(pages, 1):
        assert "Partner loan marketplace" in page and "Для служебного пользования" in page, f"page {n}: no header"
        assert f"Page {n} of {len(pages)}" in page, f"page {n}: no page number"
    for page in risk_pages:
        assert "Threat id" in page, "the Risks header row is not repeated on every page"


def test_round_trip_through_a_libreoffice_resave(tmp_path, monkeypatch):
    monkeypatch.setenv("TMODEL_CATALOGS", str(ROOT / "tests" / "fixtures" / "catalog-export"))
    monkeypatch.chdir(tmp_path)
    model = tmp_path / "model.yaml"
    model.write_text(DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    run = CliRunner().invoke
    assert run(main, ["export", str(model), "--to", ".", "--format", "xlsx", "--as-of", "2026-11-01"]).exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "export-demo-register.xlsx")
    ws = wb["Risks"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    later = dt.date.today() + dt.timedelta(days=120)
    edits = {"XA-TLS-WEAK@svc-db": {"status": "accepted", "owner": "DBA team", "approver": "CISO", "expires": later,
                                    "ticket": "RISK-7", "reason": "JDBC stays in the restricted segment"},
             "XA-MODEL-UNREVIEWED@model": {"status": "transferred", "reason": "The architecture board reviews it"},
             "XA-NO-RATE@app-gw": {"owner": "Mobile BFF team"}}  # the conflict (changed in the model too)
    for tid, values in edits.items():
        for key, v in values.items():
            ws.cell(rows[tid], COL[key]).value = v
    ws.delete_rows(rows["XA-STORE-PLAIN@db"])
    added = ws.max_row + 1
    ws.cell(added, 1).value = "XA-INVENTED@db"
    ws.cell(added, COL["status"]).value = "false_positive"
    edited = tmp_path / "edited" / "register.xlsx"
    edited.parent.mkdir()
    wb.save(edited)
    resaved = soffice(tmp_path, "xlsx:Calc Office Open XML", edited, tmp_path / "resaved")

    doc = ModelDocument.open(str(model))
    doc.set_decision("XA-NO-RATE@app-gw", "transferred", owner="Mobile team", reason="Insurance policy 42")
    doc.save()
    before = yaml.safe_load(model.read_text(encoding="utf-8"))
    r = run(main, ["import", "register", str(resaved), str(model)])
    assert r.exit_code == 2, r.output
    assert f"row {added} (XA-INVENTED@db) was added to the register by hand; refused" in r.stderr
    assert "XA-STORE-PLAIN@db (exported in row" in r.stderr and "left as it was" in r.stderr
    assert "the decision for XA-NO-RATE@app-gw changed in the model since the export" in r.stderr
    after = yaml.safe_load(model.read_text(encoding="utf-8"))
    d = {x["threat"]: x for x in after["decisions"]}
    old = {x["threat"]: x for x in before["decisions"]}
    assert d["XA-TLS-WEAK@svc-db"] == {"threat": "XA-TLS-WEAK@svc-db", "status": "accepted", "owner": "DBA team",
                                       "reason": "JDBC stays in the restricted segment", "expires": later,
                                       "decided_by": "CISO", "decided_on": dt.date.today(), "ticket": "RISK-7"}
    assert d["XA-MODEL-UNREVIEWED@model"]["status"] == "transferred"
    for unchanged in ("XA-NO-RATE@app-gw", "XA-STORE-PLAIN@db", "XA-TLS-WEAK@partner-gw"):
        assert d[unchanged] == old[unchanged], unchanged
    assert "XA-INVENTED@db" not in d
    assert {k: v for k, v in after.items() if k != "decisions"} == {k: v for k, v in before.items() if k != "decisions"}
