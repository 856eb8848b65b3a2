"""Write a model's exports into a folder: the one place that knows which files make an export.

``FORMATS`` is the registry of export formats (name -> what it is); ``WRITERS`` says which writer
makes which formats. ``tmodel export --format`` and the app's export screen read them, so a format
added here is offered everywhere. Used by ``tmodel export``; tests call it directly. Files are written
atomically, in a fixed order, and everything is rendered before the first file is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tmodel.analysis.result import Analysis
from tmodel.export.common import file_names, write_atomic
from tmodel.model.types import Model

FORMATS: dict[str, str] = {
    "xlsx": "Risk register (Excel)",
    "md": "Architecture record (Markdown)",
    "dot": "Data-flow and data-asset diagrams (DOT)",
    "svg": "Diagrams rendered as SVG (needs Graphviz dot)",
    "png": "Diagrams rendered as PNG (needs Graphviz dot)",
    "json": "Analysis JSON",
    "sarif": "Threats for code scanning (SARIF 2.1.0)",
}
RENDERED = ("svg", "png")


@dataclass(frozen=True)
class ExportJob:
    analysis: Analysis
    model: Model
    formats: tuple[str, ...]
    catalog: Any = None   # tmodel.catalog.load.Catalog: SARIF describes the rules
    source: Any = None    # tmodel.model.load.Loaded: SARIF locates each threat in the model file


Files = list[tuple[str, bytes | str]]  # (file name key of common.file_names, content)


def _diagrams(job: ExportJob) -> Files:
    from tmodel.export import diagram

    sources = {"": diagram.dataflow_dot(job.analysis, job.model), "data-": diagram.data_dot(job.analysis, job.model)}
    out: Files = []
    for prefix, src in sources.items():
        if "dot" in job.formats:
            out.append((f"{prefix}dot", src))
        for fmt in RENDERED:
            if fmt in job.formats:
                out.append((f"{prefix}{fmt}", diagram.render(src, fmt)))
    return out


def _record(job: ExportJob) -> Files:
    from tmodel.export.record import record_markdown

    return [("md", record_markdown(job.analysis, job.model, svg="svg" in job.formats))]


def _register(job: ExportJob) -> Files:
    from tmodel.export.register import register_bytes

    return [("xlsx", register_bytes(job.analysis, job.model))]


def _json(job: ExportJob) -> Files:
    from tmodel.export.json_export import analysis_json

    return [("json", analysis_json(job.analysis))]


def _sarif(job: ExportJob) -> Files:
    from tmodel.export.sarif import sarif_json

    if job.catalog is None or job.source is None:
        raise ValueError("the SARIF export needs the catalog and the loaded model (export_model(..., catalog=, source=))")
    return [("sarif", sarif_json([(job.source, job.analysis)], job.catalog))]


# which writer makes which formats, in the order the files are written
WRITERS: list[tuple[frozenset[str], Callable[[ExportJob], Files]]] = [
    (frozenset({"dot", *RENDERED}), _diagrams),
    (frozenset({"md"}), _record),
    (frozenset({"xlsx"}), _register),
    (frozenset({"json"}), _json),
    (frozenset({"sarif"}), _sarif),
]
assert {f for made, _ in WRITERS for f in made} == set(FORMATS)


def export_model(a: Analysis, model: Model, out_dir: Path, formats: list[str] | tuple[str, ...], *,
                 catalog: Any = None, source: Any = None) -> list[Path]:
    """Write the requested formats for one model into ``out_dir``; returns the files written.
    svg/png need Graphviz ``dot`` (``diagram.render`` raises ``RenderError`` without it); sarif needs
    ``catalog`` and ``source`` (the ``Loaded`` model)."""
    job = ExportJob(a, model, tuple(f for f in FORMATS if f in formats), catalog, source)
    names = file_names(a.model_id)
    files = [item for made, write in WRITERS if made & set(job.formats) for item in write(job)]  # all before writing
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for key, data in files:
        path = out_dir / names[key]
        write_atomic(str(path), data)
        written.append(path)
    return written
