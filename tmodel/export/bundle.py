"""Write a model's exports into a folder: the one place that knows which files make an export.

Used by ``tmodel export``; tests call it directly. Files are written atomically, in a fixed order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tmodel.analysis.result import Analysis
from tmodel.export.common import file_names, write_atomic
from tmodel.model.types import Model

FORMATS = ("xlsx", "md", "dot", "svg", "png", "json", "fstec")
RENDERED = ("svg", "png")


def export_model(a: Analysis, model: Model, out_dir: Path, formats: list[str] | tuple[str, ...], *,
                 catalog: Any = None) -> list[Path]:
    """Write the requested formats for one model into ``out_dir``; returns the files written.
    svg/png need Graphviz ``dot`` (``diagram.render`` raises ``RenderError`` without it).
    ``catalog``: the loaded catalogs; with them the record shows the attack paths."""
    from tmodel.export import diagram

    wanted = [f for f in FORMATS if f in formats]
    names = file_names(a.model_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def put(name: str, data: bytes | str) -> None:
        path = out_dir / name
        write_atomic(str(path), data)
        written.append(path)

    if any(f in wanted for f in ("dot", *RENDERED)):
        sources = {"": diagram.dataflow_dot(a, model), "data-": diagram.data_dot(a, model)}
        rendered = {(prefix, fmt): diagram.render(src, fmt) for fmt in RENDERED if fmt in wanted
                    for prefix, src in sources.items()}  # render all before writing: no half export
        for prefix, src in sources.items():
            if "dot" in wanted:
                put(names[f"{prefix}dot"], src)
            for fmt in RENDERED:
                if (prefix, fmt) in rendered:
                    put(names[f"{prefix}{fmt}"], rendered[(prefix, fmt)])
    paths = None
    if catalog is not None and any(f in wanted for f in ("md", "fstec")):
        from tmodel.analysis.paths import attack_paths

        paths = attack_paths(model, a, catalog)
    if "md" in wanted:
        from tmodel.export.record import record_markdown

        put(names["md"], record_markdown(a, model, svg="svg" in wanted, paths=paths))
    if "xlsx" in wanted:
        from tmodel.export.register import register_bytes

        put(names["xlsx"], register_bytes(a, model))
    if "json" in wanted:
        from tmodel.export.json_export import analysis_json

        put(names["json"], analysis_json(a))
    if "fstec" in wanted:  # the threat model document by the FSTEC 2021 methodology, in Russian
        from tmodel.export.fstec import fstec_markdown
        from tmodel.export.fstec_docx import fstec_docx

        put(names["fstec-md"], fstec_markdown(a, model, paths))
        put(names["fstec-docx"], fstec_docx(a, model, paths))
    return written
