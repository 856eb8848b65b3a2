"""Every real file in ../shared/testdata is read by some importer test (issue 7: 'every real file ... imports,
validates and analyzes'). A file added to the shared folder fails this test until a test uses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED

TESTDATA = SHARED / "testdata"
HERE = Path(__file__).parent


@pytest.mark.skipif(not TESTDATA.is_dir(), reason="../shared/testdata is not present")
def test_every_shared_testdata_file_is_used_by_a_test():
    sources = "\n".join(p.read_text(encoding="utf-8") for p in HERE.glob("test_*.py") if p.name != Path(__file__).name)
    files = [p for p in TESTDATA.rglob("*") if p.is_file() and p.name != "README.md"]
    assert len(files) >= 15
    unused = []
    for f in files:
        # <kind>/<source>/...: a test names the file, or a folder below <source> that holds it (a whole project
        # such as PizzaShackAPI-1.0.0; 'example' vs 'stub' for the two threagile.yaml files)
        below_source = f.relative_to(TESTDATA).parts[2:]
        duplicate_name = sum(1 for g in files if g.name == f.name) > 1
        names = [n for n in below_source if not (duplicate_name and n == f.name)]
        if not any(f'"{n}"' in sources for n in names):
            unused.append(str(f.relative_to(TESTDATA)))
    assert not unused, f"real test files no test reads: {unused}"
