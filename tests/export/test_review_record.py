"""The review record (Markdown and DOCX) as a review board gets it, and the rule that no export
names the exporting machine's folders. Real exports of the shipped example models, in a real git
repository; the DOCX is read back with python-docx and printed with LibreOffice where installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from tmodel.cli import main

SECTIONS = ["1. Executive summary", "2. Scope", "3. Assumptions and unknowns", "4. Data flows and trust boundaries",
            "5. Threats by residual risk", "6. Decisions", "7. Controls that are gaps or need answers",
            "8. Requirements not met", "9. Catalogs and sign-off", "Appendix A. Controls in place",
            "Appendix B. Compliance matrix", "Appendix C. Elements and flows", "Appendix D. Risk method"]


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """The example models in a fresh git repository (one commit), exported from inside it."""
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(ROOT / "models", root / "models")
    (root / "tmodel.toml").write_text('[export]\nclassification = "Confidential & internal"\n', encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "-C", str(root), "add", "."], check=True)
    subprocess.run([*git, "-C", str(root), "commit", "-q", "-m", "models"], check=True)
    return root


@pytest.fixture(scope="module")
def exported(repo):
    import os

    here = os.getcwd()
    os.chdir(repo)
    try:
        r = CliRunner().invoke(main, ["export", str(repo / "models" / "loan-marketplace.yaml"), "--to", "out",
                                      "--as-of", "2026-12-06"],
                               catch_exceptions=False)
    finally:
        os.chdir(here)
    assert r.exit_code == 0, r.output
    return repo / "out"


def headings(md: str) -> list[str]:
    return [re.sub(r"\\", "", line.lstrip("#").strip()) for line in md.splitlines() if re.match(r"#{2} ", line)]


def test_markdown_record_reads_as_a_review_document(exported, repo):
    md = (exported / "loan-marketplace-record.md").read_text(encoding="utf-8")
    assert headings(md)[:len(SECTIONS)] == SECTIONS
    summary = md.split("## 2. Scope")[0]
    assert "**What the integration does:**" in summary and "Top 10 unresolved risks and their owners" in summary
    assert "| Framework | Coverage | Met | Partial | Gap | Needs answer | Not applicable |" in summary
    rev = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%h"], capture_output=True, text=True).stdout.strip()
    assert f"| Model revision (git) | {rev} (" in md and "| Classification | Confidential &amp; internal |" in md
    assert re.search(r"\| Catalog \| Title \| Version \|\n\|---\|---\|---\|\n\| \S+ \| .+ \| \S+ \|", md)
    # threats ordered by residual risk, low ones summarized in a table
    order = [m.group(1) for m in re.finditer(r"^### Residual (critical|high|medium|low)", md, re.M)]
    assert order == sorted(order, key=["critical", "high", "medium", "low"].index)
    # requirements: only the unmet ones before the appendix
    body = md.split("## Appendix")[0]
    section8 = body.split("## 8. Requirements not met")[1]
    assert "| met |" not in section8
    # no stray backticks: the catalogs' `code` is a code span, never an escaped backtick
    assert "\\`" not in md
    for line in md.splitlines():
        assert line.count("`") % 2 == 0, line


def test_docx_record_has_the_same_sections_marking_and_page_numbers(exported):
    d = docx.Document(str(exported / "loan-marketplace-record.docx"))
    heads = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert heads[:len(SECTIONS)] == SECTIONS
    section = d.sections[0]
    assert "Confidential & internal" in section.header.paragraphs[0].text
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and "Confidential &amp; internal" in footer
    assert d.inline_shapes or shutil.which("dot") is None  # the data-flow diagram is embedded
    text = "\n".join(p.text for p in d.paragraphs) + "\n".join(c.text for t in d.tables for r in t.rows for c in r.cells)
    assert "`" not in text, "stray backticks in the DOCX"
    first_table = d.tables[0]
    assert [c.text for c in first_table.rows[0].cells] == ["Model", "loan-marketplace"]


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice or pdftotext is not installed")
def test_docx_prints_with_page_numbers(exported, tmp_path):
    profile = (tmp_path / "lo").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir",
                    str(tmp_path), str(exported / "loan-marketplace-record.docx")], check=True, capture_output=True,
                   timeout=240)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "loan-marketplace-record.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) > 5
    for n, page in enumerate(pages, 1):
        assert f"Page {n} of {len(pages)}" in page and "Confidential & internal" in page
    before_appendix = next(i for i, p in enumerate(pages, 1) if "Appendix A. Controls in place" in p)
    assert before_appendix < len(pages)


def test_no_export_names_the_machines_folders(exported, repo):
    """Every file of the export, the xlsx and docx unpacked: no absolute folder of this machine."""
    import os

    forbidden = {str(repo), str(Path(os.path.realpath(repo))), str(Path.home())}
    forbidden = {f for f in forbidden if f not in ("/", "")}
    checked = 0
    for path in exported.iterdir():
        blobs = []
        if path.suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(path) as z:
                blobs = [z.read(n) for n in z.namelist()]
        else:
            blobs = [path.read_bytes()]
        for blob in blobs:
            text = blob.decode("utf-8", "replace")
            named = [f for f in forbidden if f in text]  # no assert on the text itself: its diff would take minutes
            if named:
                pytest.fail(f"{path.name} names {named}")
        checked += 1
    assert checked >= 6
    md = (exported / "loan-marketplace-record.md").read_text(encoding="utf-8")
    assert "| Model file | models/loan-marketplace.yaml |" in md  # relative to the repository
