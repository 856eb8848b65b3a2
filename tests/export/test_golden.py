"""Byte-for-byte golden files of every export format (tests/golden/, read by reviewers).
Regenerate with ``TMODEL_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/export`` and review the diff."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from tests.export.conftest import check_golden
from tmodel.analysis.paths import attack_paths
from tmodel.export.diagram import data_dot, dataflow_dot
from tmodel.export.json_export import analysis_json
from tmodel.export.record import record_markdown
from tmodel.export.register import register_bytes


def register_dump(data: bytes) -> str:
    """Every sheet's cell values as text, one row per line (the xlsx itself is a zip of XML)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out: list[str] = []
    for ws in wb.worksheets:
        out.append(f"== {ws.title} ==")
        for row in ws.iter_rows():
            cells = []
            for c in row:
                v = c.value
                cells.append("" if v is None else v.date().isoformat() if isinstance(v, dt.datetime) else repr(v) if isinstance(v, str) else str(v))
            while cells and cells[-1] == "":
                cells.pop()
            out.append(" | ".join(cells))
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("which,name", [("demo", "export-demo"), ("hostile", "hostile")])
def test_golden(which, name, request, xcat):
    a, model = request.getfixturevalue(which)
    paths = attack_paths(model, a, xcat) if which == "demo" else None
    check_golden(f"{name}-record.md", record_markdown(a, model, svg=which == "demo", paths=paths))
    check_golden(f"{name}-dataflow.dot", dataflow_dot(a, model))
    check_golden(f"{name}-data.dot", data_dot(a, model))
    check_golden(f"{name}-analysis.json", analysis_json(a))
    check_golden(f"{name}-register.txt", register_dump(register_bytes(a, model)))


def test_same_model_same_bytes(demo, hostile):
    for a, model in (demo, hostile):
        assert record_markdown(a, model) == record_markdown(a, model)
        assert analysis_json(a) == analysis_json(a)
        assert register_bytes(a, model) == register_bytes(a, model)
