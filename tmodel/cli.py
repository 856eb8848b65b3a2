"""The command line. Non-UI commands never import textual: the TUI is imported only when opened."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from tmodel import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_INVALID = 0, 1, 2


def fail(problems: list[Any]) -> NoReturn:
    for p in problems:
        click.echo(p.format(), err=True)
    sys.exit(EXIT_INVALID)


def get_catalog(extra: tuple[str, ...] = ()) -> Any:
    """Shipped catalogs + the project's (tmodel.toml) + --catalog folders; exits 2 on catalog errors."""
    from tmodel.catalog.load import load_catalogs
    from tmodel.config import load_config
    from tmodel.problems import ProblemError

    try:
        cfg = load_config()
    except ProblemError as exc:
        fail(exc.problems)
    cat = load_catalogs(cfg.catalog_dirs + list(extra))
    errors = [p for p in cat.problems if p.is_error]
    if errors:
        fail(cat.problems)
    for note in cat.overrides:
        click.echo(f"note: {note}", err=True)
    return cat


def parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date; write YYYY-MM-DD") from None


def load_valid(paths: tuple[str, ...] | list[str], catalog: Any = None, *, quiet_warnings: bool = False) -> list[Any]:
    """Load every model under ``paths``; print problems; exit 2 if any model is invalid."""
    from tmodel.analysis.references import with_catalog_references
    from tmodel.model.load import load_model, model_files

    files, problems = model_files(list(paths))
    if problems:
        fail(problems)
    loaded, bad = [], False
    for f in files:
        lm = with_catalog_references(load_model(f), catalog)
        for p in lm.problems:
            if p.is_error or not quiet_warnings:
                click.echo(p.format(), err=True)
        bad |= not lm.ok
        loaded.append(lm)
    if bad:
        sys.exit(EXIT_INVALID)
    return loaded


catalog_option = click.option("--catalog", "catalogs", multiple=True, type=click.Path(file_okay=False),
                              help="A folder of extra catalogs (repeatable); same ids replace shipped records.")
as_of_option = click.option("--as-of", default=None, metavar="YYYY-MM-DD",
                            help="Evaluate expiry dates as of this day (default: today).")


class _Main(click.Group):
    """``tmodel PATH`` (a folder or model file that is not a command name) opens the app on it."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands and Path(args[0]).exists():
            args = ["ui", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_Main, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="tmodel")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Threat modeling and security audit of fintech API integrations behind WSO2.

    With no command, opens the terminal app on ./models; `tmodel PATH` opens it on a folder or model file.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(ui, path="models")


@main.command()
@click.argument("path", default="models", required=False)
@catalog_option
@as_of_option
def ui(path: str, catalogs: tuple[str, ...] = (), as_of: str | None = None) -> None:
    """Open the terminal app (the default command)."""
    if not Path(path).exists():
        click.echo(f"{path}: no such file or folder\n    hint: pass a folder of models or a model file", err=True)
        sys.exit(EXIT_INVALID)
    from tmodel.tui.app import run_app

    run_app(path, catalogs, parse_date(as_of))


@main.command()
@click.argument("paths", nargs=-1, required=True)
@catalog_option
def validate(paths: tuple[str, ...], catalogs: tuple[str, ...]) -> None:
    """Check models: format, references, consistency."""
    cat = get_catalog(catalogs)
    loaded = load_valid(paths, cat)
    warnings = sum(1 for lm in loaded for p in lm.problems if not p.is_error)
    click.echo(f"{len(loaded)} model(s) valid" + (f", {warnings} warning(s)" if warnings else ""))


@main.command()
@click.option("--kind", type=click.Choice(["model", "catalog", "analysis"]), default="model", show_default=True)
@click.option("--write", is_flag=True, help="Write the committed copies under schemas/ instead of printing.")
def schema(kind: str, write: bool) -> None:
    """Print the JSON Schema of the model or catalog."""
    from tmodel.schema import SCHEMAS, dumps, schema_path

    if write:
        for name, make in SCHEMAS.items():
            p = schema_path(name)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(dumps(make()), encoding="utf-8")
            click.echo(f"wrote {p}")
        return
    click.echo(dumps(SCHEMAS[kind]()), nl=False)


@main.command()
@click.argument("model")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "sarif"]), default="table", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Table: show every requirement, not just the summary.")
@catalog_option
@as_of_option
def analyze(model: str, fmt: str, show_all: bool, catalogs: tuple[str, ...], as_of: str | None) -> None:
    """Threats, risks and compliance of one model."""
    from tmodel.analysis.engine import analyze as run

    cat = get_catalog(catalogs)
    loaded = load_valid([model], cat, quiet_warnings=fmt != "table")
    if len(loaded) != 1:
        click.echo(f"{model}: error: analyze takes one model, and this folder holds {len(loaded)}\n"
                   "    hint: pass one model file, or use 'tmodel check' or 'tmodel export' for a folder", err=True)
        sys.exit(EXIT_INVALID)
    (lm,) = loaded
    result = run(lm.model, cat, path=lm.path, located=lm.located, as_of=parse_date(as_of))
    if fmt == "json":
        from tmodel.export.json_export import analysis_json

        click.echo(analysis_json(result), nl=False)
    elif fmt == "sarif":
        from tmodel.export.sarif import sarif_json

        click.echo(sarif_json([(lm, result)], cat), nl=False)
    else:
        from tmodel.analysis.table import render_table

        click.echo(render_table(result, show_all=show_all, color=sys.stdout.isatty()))


def _register_optional_commands() -> None:
    """Commands living in their own modules register here, so this file stays a thin router."""
    import importlib

    for mod in ("tmodel.commands.export_cmd", "tmodel.commands.import_cmd", "tmodel.commands.check_cmd", "tmodel.commands.diff_cmd",
                "tmodel.commands.audit_cmd", "tmodel.commands.paths_cmd"):
        try:
            module = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise
            continue
        module.register(main)



@main.command()
@click.option("--for", "target", type=click.Choice(["element", "flow", "model"]), default=None,
              help="Only the facts a rule of this kind can use.")
def facts(target: str | None) -> None:
    """List the facts that catalog rules can match."""
    from tmodel.catalog.facts import describe_facts

    click.echo(describe_facts(target))


_register_optional_commands()
