"""``tmodel export``: the files the compliance team receives.

Per model, every format of ``tmodel.export.bundle.FORMATS``: the risk register (xlsx), the
review record (Markdown and DOCX), the data-flow and data-asset diagrams (DOT; SVG/PNG where
Graphviz ``dot`` is installed), the analysis JSON and the SARIF threats.
Default folder ``exports/<model-id>/``; ``--to DIR`` puts every model's files in DIR (their
names start with the model id, so models can share it). Bad models or catalogs: located
problems, exit 2, nothing written. Never imports textual.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from tmodel.batchgc import collect_young
from tmodel.export.bundle import FORMATS, RENDERED


def parse_formats(value: str | None) -> tuple[list[str], bool]:
    """(formats, explicit). Without --format: every format."""
    if value is None:
        return list(FORMATS), False
    wanted = [x.strip().lower() for x in value.split(",") if x.strip()]
    unknown = [x for x in wanted if x not in FORMATS]
    if unknown or not wanted:
        raise click.BadParameter(f"unknown format(s) {', '.join(repr(x) for x in unknown) or '(none given)'}; "
                                 f"choose from {','.join(FORMATS)}", param_hint="--format")
    return [f for f in FORMATS if f in wanted], True


def register(main: click.Group) -> None:
    from tmodel.cli import as_of_option, catalog_option

    @main.command("export")
    @click.argument("models", nargs=-1, required=True)
    @click.option("--to", "to", default=None, type=click.Path(file_okay=False),
                  help="Folder for every model's files; their names start with the model id (default: exports/<model-id>/).")
    @click.option("--format", "formats", default=None, metavar="LIST",
                  help=f"Comma-separated subset of {','.join(FORMATS)} (default: all; svg/png where Graphviz is installed).")
    @click.option("--lang", "lang", default=None, type=click.Choice(["en", "ru"]),
                  help="Language of the register, the record and the diagrams: en or ru (default: [export] lang in tmodel.toml, else en).")
    @catalog_option
    @as_of_option
    def export(models: tuple[str, ...], to: str | None, formats: str | None, catalogs: tuple[str, ...],
               as_of: str | None, lang: str | None) -> None:
        """Write the register, record, diagrams, JSON and SARIF.

        For each MODEL (file or folder): <id>-register.xlsx, <id>-record.md and .docx, <id>-dataflow.dot and
        <id>-data.dot (plus .svg/.png where Graphviz 'dot' is installed), <id>-analysis.json,
        <id>-threats.sarif, and the threat model document by the FSTEC 2021 methodology in Russian,
        <id>-fstec.md and <id>-fstec.docx.
        The same model and --as-of date give the same files. --lang ru writes the register, the record and
        the diagrams in Russian (the register imports back like the English one).
        """
        run_export(models, to, formats, catalogs, as_of, lang)


def run_export(models: tuple[str, ...], to: str | None, formats: str | None, catalogs: tuple[str, ...],
               as_of: str | None, lang: str | None = None) -> None:
    from tmodel.analysis.engine import analyze
    from tmodel.cli import EXIT_INVALID, get_catalog, load_valid, parse_date
    from tmodel.export.bundle import export_model
    from tmodel.export.diagram import INSTALL_HINT, RenderError, dot_available

    from tmodel.config import load_config
    from tmodel.export.bundle import ExportWords
    from tmodel.export.common import catalog_versions, git_revision
    from tmodel.problems import ProblemError

    wanted, explicit = parse_formats(formats)
    day = parse_date(as_of)
    try:
        cfg = load_config()
    except ProblemError as exc:
        from tmodel.cli import fail

        fail(exc.problems)
    w = ExportWords(lang or cfg.lang)
    if any(f in wanted for f in RENDERED) and not dot_available():
        missing = [f for f in wanted if f in RENDERED]
        if explicit:
            click.echo(w("error: {formats} requested, but Graphviz 'dot' was not found on PATH\n    hint: {hint}",
                         formats="/".join(missing), hint=w.reason(INSTALL_HINT)), err=True)
            sys.exit(EXIT_INVALID)
        click.echo(w("note: Graphviz 'dot' was not found, so no SVG/PNG diagrams (the DOT files are written); {hint}",
                     hint=w.reason(INSTALL_HINT)), err=True)
        wanted = [f for f in wanted if f not in RENDERED]

    cat = get_catalog(catalogs)
    loaded = load_valid(models, cat, quiet_warnings=True)
    targets: dict[Path, Any] = {}
    for lm in loaded:
        out = Path(to) if to else Path("exports") / lm.model.metadata.id
        key = out / lm.model.metadata.id
        if key in targets:
            click.echo(w("{path}: error: model id '{id}' is also the id of {other}; their exports would overwrite each other\n"
                         "    hint: give each model its own metadata.id", path=lm.path, id=lm.model.metadata.id,
                         other=targets[key].path), err=True)
            sys.exit(EXIT_INVALID)
        targets[key] = lm
    for key, lm in targets.items():
        result = analyze(lm.model, cat, path=lm.path, located=lm.located, as_of=day)
        notes: list[str] = []
        try:
            written = export_model(result, lm.model, key.parent, wanted, catalog=cat, source=lm,
                                   classification=cfg.classification, revision=git_revision(lm.path),
                                   catalogs=catalog_versions(cat, lm.model), lang=w.lang, notes=notes)
        except RenderError as exc:
            click.echo(f"{lm.path}: error: {exc}", err=True)
            sys.exit(EXIT_INVALID)
        except OSError as exc:
            from tmodel.fsutil import problem as write_problem

            click.echo(write_problem(getattr(exc, "path", None) or str(key.parent), exc).format(), err=True)
            sys.exit(EXIT_INVALID)
        for note in notes:
            click.echo(w("{path}: note: {note}", path=lm.path, note=note), err=True)
        for path in written:
            click.echo(w("wrote {path}", path=path))
        collect_young()
