"""Write a model's exports into a folder: the one place that knows which files make an export.

Used by ``tmodel export``; tests call it directly. Files are written atomically, in a fixed order.
No file names the exporting machine's folders: the analysis goes through
``common.strip_machine_paths`` first (paths relative to the model's folder or repository).
"""

from __future__ import annotations

from pathlib import Path

from tmodel.analysis.result import Analysis
from tmodel.export.common import file_names, strip_machine_paths, write_atomic
from tmodel.model.types import Model

FORMATS = ("xlsx", "md", "docx", "dot", "svg", "png", "json")
RENDERED = ("svg", "png")


def export_model(a: Analysis, model: Model, out_dir: Path, formats: list[str] | tuple[str, ...], *,
                 classification: str | None = None, revision: str | None = None,
                 catalogs: list[tuple[str, str, str]] | None = None) -> list[Path]:
    """Write the requested formats for one model into ``out_dir``; returns the files written.
    svg/png need Graphviz ``dot`` (``diagram.render`` raises ``RenderError`` without it).
    ``classification``: the marking on every page (default: the project's setting's default);
    ``revision``: the model's git revision and ``catalogs`` (id, title, version), named in the record."""
    from tmodel.config import DEFAULT_CLASSIFICATION
    from tmodel.export import diagram

    marking = DEFAULT_CLASSIFICATION if classification is None else classification
    a = strip_machine_paths(a)

    wanted = [f for f in FORMATS if f in formats]
    names = file_names(a.model_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def put(name: str, data: bytes | str) -> None:
        path = out_dir / name
        write_atomic(str(path), data)
        written.append(path)

    if any(f in wanted for f in ("dot", *RENDERED)):
        sources = sources_for(a, model)
        rendered = {(prefix, fmt): diagram.render(src, fmt) for fmt in RENDERED if fmt in wanted
                    for prefix, src in sources.items()}  # render all before writing: no half export
        for prefix, src in sources.items():
            if "dot" in wanted:
                put(names[f"{prefix}dot"], src)
            for fmt in RENDERED:
                if (prefix, fmt) in rendered:
                    put(names[f"{prefix}{fmt}"], rendered[(prefix, fmt)])
    if "md" in wanted:
        from tmodel.export.record import record_markdown

        put(names["md"], record_markdown(a, model, svg="svg" in wanted, classification=marking, revision=revision,
                                         catalogs=catalogs))
    if "docx" in wanted:
        from tmodel.export.record_docx import record_docx

        pngs = {k: diagram.render(v, "png") for k, v in sources_for(a, model).items()} if diagram.dot_available() else {}
        put(names["docx"], record_docx(a, model, diagram_png=pngs.get(""), data_png=pngs.get("data-"),
                                       classification=marking, revision=revision, catalogs=catalogs))
    if "xlsx" in wanted:
        from tmodel.export.register import RegisterOptions, register_bytes

        put(names["xlsx"], register_bytes(a, model, RegisterOptions(classification=marking)))
    if "json" in wanted:
        from tmodel.export.json_export import analysis_json

        put(names["json"], analysis_json(a))
    return written


def sources_for(a: Analysis, model: Model) -> dict[str, str]:
    """The DOT source of each diagram, by file-name prefix ('' data flow, 'data-' data assets)."""
    from tmodel.export import diagram

    return {"": diagram.dataflow_dot(a, model), "data-": diagram.data_dot(a, model)}
