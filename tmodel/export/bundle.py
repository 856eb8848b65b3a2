"""Write a model's exports into a folder: the one place that knows which files make an export.

``FORMATS`` is the registry of export formats (name -> what it is); ``WRITERS`` says which writer
makes which formats. ``tmodel export --format`` and the app's export screen read them, so a format
added here is offered everywhere. Used by ``tmodel export``; tests call it directly. Files are written
atomically, in a fixed order, and everything is rendered before the first file is written.
No file names the exporting machine's folders: the analysis goes through
``common.strip_machine_paths`` first (paths relative to the model's folder or repository).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tmodel import i18n
from tmodel.analysis.result import Analysis
from tmodel.export.common import file_names, shown_path, strip_machine_paths, write_atomic
from tmodel.model.types import Model

FORMATS: dict[str, str] = {
    "xlsx": "Risk register (Excel)",
    "md": "Review record (Markdown)",
    "docx": "Review record (Word)",
    "dot": "Data-flow and data-asset diagrams (DOT)",
    "svg": "Diagrams rendered as SVG (needs Graphviz dot)",
    "png": "Diagrams rendered as PNG (needs Graphviz dot)",
    "json": "Analysis JSON",
    "sarif": "Threats for code scanning (SARIF 2.1.0)",
    "fstec": "Threat model by the FSTEC 2021 methodology, in Russian (Markdown and Word)",
}
RENDERED = ("svg", "png")


class ExportWords(i18n.Words):
    """What ``tmodel export`` (and the app's export) tells the user: the files written and what the export did
    instead of failing, in the language of the export (``--lang`` / ``[export] lang``)."""

    TEXT = {
        "wrote {path}": "записан файл {path}",
        "{path}: note: {note}": "{path}: примечание: {note}",
        "no {fmt} diagram: {reason}": "схема потоков данных в {fmt} не построена: {reason}",
        "no {fmt} data-asset diagram: {reason}": "схема информационных активов в {fmt} не построена: {reason}",
        "the Word record has no diagrams: {reason}": "протокол рассмотрения в формате Word сформирован без схем: {reason}",
        "note: Graphviz 'dot' was not found, so no SVG/PNG diagrams (the DOT files are written); {hint}":
            "примечание: программа Graphviz dot не найдена, поэтому схемы в SVG/PNG не построены (файлы DOT записаны); {hint}",
        "error: {formats} requested, but Graphviz 'dot' was not found on PATH\n    hint: {hint}":
            "ошибка: запрошены форматы {formats}, но программа Graphviz dot не найдена в PATH\n    подсказка: {hint}",
        "{path}: error: model id '{id}' is also the id of {other}; their exports would overwrite each other\n"
        "    hint: give each model its own metadata.id":
            "{path}: ошибка: идентификатор модели «{id}» совпадает с идентификатором {other}; выгрузки перезаписали бы "
            "друг друга\n    подсказка: задайте каждой модели собственный metadata.id",
    }

    # the reasons of ``tmodel.export.diagram`` (English template, Russian template)
    REASONS: tuple[tuple[str, str], ...] = (
        ("{n} elements are more than Graphviz lays out in reasonable time ({max}); the diagram is written as DOT: "
         "render a part of it, or open it in a DOT viewer",
         "число элементов модели ({n}) больше, чем Graphviz раскладывает за разумное время (предел — {max}); схема "
         "записана в формате DOT: постройте её часть или откройте файл в программе просмотра DOT"),
        ("dot -T{fmt} took longer than {seconds} s to lay out the diagram",
         "dot -T{fmt} раскладывал схему дольше {seconds} с"),
        ("install Graphviz to render SVG/PNG: 'apt-get install graphviz' (Debian/Ubuntu) or 'brew install graphviz' (macOS)",
         "для построения схем в SVG/PNG установите Graphviz: «apt-get install graphviz» (Debian/Ubuntu) или "
         "«brew install graphviz» (macOS)"),
    )

    def reason(self, text: str) -> str:
        """A reason ``tmodel.export.diagram`` gave in English, in this language (unknown ones marked ``[en]``)."""
        if not self.ru:
            return text
        import re

        for en, ru in self.REASONS:
            parts = re.split(r"\{(\w+)\}", en)
            rx = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
            m = re.fullmatch(rx, text, re.S)
            if m:
                return ru.format(**{k: v.replace(",", "\u00a0") for k, v in m.groupdict().items()})
        from tmodel.i18n.engine import FALLBACK

        return FALLBACK + text


@dataclass(frozen=True)
class ExportJob:
    analysis: Analysis
    model: Model
    formats: tuple[str, ...]
    catalog: Any = None   # tmodel.catalog.load.Catalog: SARIF describes the rules
    source: Any = None    # tmodel.model.load.Loaded: SARIF locates each threat in the model file
    classification: str = ""  # the marking on every page
    revision: str | None = None  # the model's git revision, named in the record
    catalogs: list[tuple[str, str, str]] | None = None  # (id, title, version) of the catalogs used
    paths: Any = None  # the attack paths (tmodel.analysis.paths) when the catalog was given
    lang: str = "en"  # the language of the register, the record and the diagrams (en | ru)
    notes: list[str] = dataclasses.field(default_factory=list)  # what the export did instead (told to the user)


Files = list[tuple[str, bytes | str]]  # (file name key of common.file_names, content)


def sources_for(a: Analysis, model: Model, lang: str = "en") -> dict[str, str]:
    """The DOT source of each diagram, by file-name prefix ('' data flow, 'data-' data assets)."""
    from tmodel.export import diagram

    return {"": diagram.dataflow_dot(a, model, lang), "data-": diagram.data_dot(a, model, lang)}


def _diagrams(job: ExportJob) -> Files:
    from tmodel.export import diagram

    out: Files = []
    w = ExportWords(job.lang)
    too_large = diagram.too_large_to_lay_out(job.model)
    for prefix, src in sources_for(job.analysis, job.model, job.lang).items():
        dot_written = "dot" in job.formats
        if dot_written:
            out.append((f"{prefix}dot", src))
        for fmt in RENDERED:
            if fmt not in job.formats:
                continue
            try:
                if too_large:
                    raise diagram.LayoutTooLarge(too_large)
                out.append((f"{prefix}{fmt}", diagram.render(src, fmt)))
            except diagram.LayoutTooLarge as exc:  # never fails the whole export: the DOT source instead
                if not dot_written:
                    out.append((f"{prefix}dot", src))
                    dot_written = True
                which = "no {fmt} data-asset diagram: {reason}" if prefix else "no {fmt} diagram: {reason}"
                job.notes.append(w(which, fmt=fmt.upper(), reason=w.reason(str(exc))))
    return out


def _record(job: ExportJob) -> Files:
    from tmodel.export.record import record_markdown

    from tmodel.export.diagram import too_large_to_lay_out

    svg = "svg" in job.formats and too_large_to_lay_out(job.model) is None  # else no SVG is written to link to
    return [("md", record_markdown(job.analysis, job.model, svg=svg, classification=job.classification,
                                   revision=job.revision, catalogs=job.catalogs, paths=job.paths, lang=job.lang,
                                   catalog=job.catalog))]


def _record_docx(job: ExportJob) -> Files:
    from tmodel.export import diagram
    from tmodel.export.record_docx import record_docx

    w = ExportWords(job.lang)
    pngs: dict[str, bytes] = {}
    too_large = diagram.too_large_to_lay_out(job.model)
    if diagram.dot_available() and too_large:
        job.notes.append(w("the Word record has no diagrams: {reason}", reason=w.reason(too_large)))
    elif diagram.dot_available():
        try:
            pngs = {k: diagram.render(v, "png") for k, v in sources_for(job.analysis, job.model, job.lang).items()}
        except diagram.LayoutTooLarge as exc:
            job.notes.append(w("the Word record has no diagrams: {reason}", reason=w.reason(str(exc))))
    return [("docx", record_docx(job.analysis, job.model, diagram_png=pngs.get(""), data_png=pngs.get("data-"),
                                 classification=job.classification, revision=job.revision, catalogs=job.catalogs,
                                 paths=job.paths, lang=job.lang, catalog=job.catalog))]


def _register(job: ExportJob) -> Files:
    from tmodel.export.register import RegisterOptions, register_bytes

    options = RegisterOptions(classification=job.classification, lang=job.lang, catalog=job.catalog)
    return [("xlsx", register_bytes(job.analysis, job.model, options))]


def _json(job: ExportJob) -> Files:
    from tmodel.export.json_export import analysis_json

    return [("json", analysis_json(job.analysis))]


def _sarif(job: ExportJob) -> Files:
    from tmodel.export.sarif import sarif_json

    if job.catalog is None or job.source is None:
        raise ValueError("the SARIF export needs the catalog and the loaded model (export_model(..., catalog=, source=))")
    source = dataclasses.replace(job.source, path=shown_path(job.source.path))  # no machine folders in the file
    return [("sarif", sarif_json([(source, job.analysis)], job.catalog))]


def _fstec(job: ExportJob) -> Files:
    """The threat model document by the FSTEC 2021 methodology, in Russian."""
    from tmodel.export.fstec import fstec_markdown
    from tmodel.export.fstec_docx import fstec_docx

    return [("fstec-md", fstec_markdown(job.analysis, job.model, job.paths)),
            ("fstec-docx", fstec_docx(job.analysis, job.model, job.paths))]


# which writer makes which formats, in the order the files are written
WRITERS: list[tuple[frozenset[str], Callable[[ExportJob], Files]]] = [
    (frozenset({"dot", *RENDERED}), _diagrams),
    (frozenset({"md"}), _record),
    (frozenset({"docx"}), _record_docx),
    (frozenset({"xlsx"}), _register),
    (frozenset({"json"}), _json),
    (frozenset({"sarif"}), _sarif),
    (frozenset({"fstec"}), _fstec),
]
assert {f for made, _ in WRITERS for f in made} == set(FORMATS)


def export_model(a: Analysis, model: Model, out_dir: Path, formats: list[str] | tuple[str, ...], *,
                 catalog: Any = None, source: Any = None, classification: str | None = None,
                 revision: str | None = None, catalogs: list[tuple[str, str, str]] | None = None,
                 lang: str = "en", notes: list[str] | None = None) -> list[Path]:
    """Write the requested formats for one model into ``out_dir``; returns the files written.

    svg/png need Graphviz ``dot`` (``diagram.render`` raises ``RenderError`` without it); sarif needs
    ``catalog`` and ``source`` (the ``Loaded`` model). ``classification``: the marking on every page
    (default: the project setting's default); ``revision``: the model's git revision and ``catalogs``
    (id, title, version), named in the record; ``lang``: the language of the risk register (en, ru); ``notes``
    receives what the export did instead of failing (a diagram too large to lay out is written as DOT)."""
    from tmodel.config import DEFAULT_CLASSIFICATION

    marking = DEFAULT_CLASSIFICATION if classification is None else classification
    wanted = tuple(f for f in FORMATS if f in formats)
    a = strip_machine_paths(a)
    paths = None
    if catalog is not None and any(f in wanted for f in ("md", "docx", "fstec")):
        from tmodel.analysis.paths import attack_paths

        paths = attack_paths(model, a, catalog)
    job = ExportJob(a, model, wanted, catalog, source, marking, revision, catalogs, paths, lang)
    names = file_names(job.analysis.model_id)
    files = [item for made, write in WRITERS if made & set(job.formats) for item in write(job)]  # all before writing
    if notes is not None:
        notes.extend(job.notes)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for key, data in files:
        path = out_dir / names[key]
        write_atomic(str(path), data)
        written.append(path)
    return written
