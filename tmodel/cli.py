"""The command line. Non-UI commands never import textual: the TUI is imported only when opened."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any, Iterable, NoReturn

import click

from tmodel import __version__
from tmodel.crash import EXIT_BUG

# 0 ok; 1 findings or a failed gate; 2 the user's input is wrong; EXIT_BUG (70) a bug in tmodel
EXIT_OK, EXIT_FINDINGS, EXIT_INVALID = 0, 1, 2


def fail(problems: list[Any]) -> NoReturn:
    for p in problems:
        click.echo(p.format(), err=True)
    sys.exit(EXIT_INVALID)


def get_catalog(extra: tuple[str, ...] = ()) -> Any:
    """Shipped catalogs + the project's (tmodel.toml) + --catalog folders; exits 2 on catalog errors."""
    from tmodel.loading import load_catalog
    from tmodel.problems import ProblemError

    try:
        cat = load_catalog(extra)
    except ProblemError as exc:
        fail(exc.problems)
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


def _echo_pieces(pieces: Iterable[str], chunk: int = 1 << 20) -> None:
    """Write a long output as it is made, about a megabyte at a time (click.echo flushes on every call)."""
    buf: list[str] = []
    size = 0
    for p in pieces:
        buf.append(p)
        size += len(p)
        if size >= chunk:
            click.echo("".join(buf), nl=False)
            buf, size = [], 0
    click.echo("".join(buf), nl=False)


def load_valid(paths: tuple[str, ...] | list[str], catalog: Any = None, *, quiet_warnings: bool = False) -> list[Any]:
    """Load every model under ``paths``; print problems; exit 2 if any model is invalid."""
    from tmodel.loading import load_models
    from tmodel.problems import ProblemError

    try:
        loaded = load_models(paths, catalog)
    except ProblemError as exc:
        fail(exc.problems)
    bad = False
    for lm in loaded:
        for p in lm.problems:
            if p.is_error or not quiet_warnings:
                click.echo(p.format(), err=True)
        bad |= not lm.ok
    if bad:
        sys.exit(EXIT_INVALID)
    return loaded


catalog_option = click.option("--catalog", "catalogs", multiple=True, type=click.Path(file_okay=False),
                              help="A folder of extra catalogs (repeatable); same ids replace shipped records.")
as_of_option = click.option("--as-of", default=None, metavar="YYYY-MM-DD",
                            help="Evaluate expiry dates as of this day (default: today).")
lang_option = click.option("--lang", "lang", default=None, type=click.Choice(["en", "ru"]),
                           help="Language of the output: en or ru (default: [export] lang in tmodel.toml, else en).")


def resolve_lang(lang: str | None) -> str:
    """--lang, else the project's ``[export] lang`` (tmodel.toml), else English."""
    if lang:
        return lang
    from tmodel.config import load_config
    from tmodel.problems import ProblemError

    try:
        return load_config().lang
    except ProblemError as exc:
        fail(exc.problems)


class _Main(click.Group):
    """``tmodel PATH`` (a folder or model file that is not a command name) opens the app on it.

    Every command runs behind one guard: its standard output and error neutralize terminal
    control characters (``tmodel.textsafe``), and an unexpected exception is a bug report with
    exit code ``EXIT_BUG`` (``tmodel.crash``), never a traceback and never exit 1 or 2.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        i = 0
        while i < len(args):  # the group's own options come first
            if args[i] == "--allow-outside-configs" or args[i].startswith("--max-size="):
                i += 1
            elif args[i] == "--max-size":
                i += 2
            else:
                break
        if len(args) > i and not args[i].startswith("-") and args[i] not in self.commands and Path(args[i]).exists():
            args = [*args[:i], "ui", *args[i:]]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        from tmodel.crash import debugging, report_crash
        from tmodel.textsafe import SafeStream

        first = [*getattr(ctx, "_protected_args", []), *ctx.args][:1]
        app = first in ([], ["ui"])  # the app: Textual writes its own escape sequences
        saved = sys.stdout, sys.stderr
        if not app:
            sys.stdout = SafeStream(sys.stdout)
            sys.stderr = SafeStream(sys.stderr)
        try:
            if app:
                return super().invoke(ctx)
            from tmodel.batchgc import batch_gc

            with batch_gc():  # a command is a batch run: see tmodel.batchgc
                return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, EOFError, BrokenPipeError):
            raise
        except Exception as exc:  # noqa: BLE001 - the one place that turns a bug into a bug report
            if debugging():
                raise
            report_crash(exc)
        finally:
            sys.stdout, sys.stderr = saved


@click.group(cls=_Main, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="tmodel")
@click.option("--allow-outside-configs", is_flag=True,
              help="Read configs: links outside the model's repository (only for models you trust).")
@click.option("--max-size", metavar="SIZE", default=None,
              help="Read model files up to this size (e.g. 50MB; default 5MB, or [limits] max_size in tmodel.toml). "
                   "The value budget grows with it; nesting-depth and YAML alias-bomb protections stay.")
@click.pass_context
def main(ctx: click.Context, allow_outside_configs: bool = False, max_size: str | None = None) -> None:
    """Threat modeling and security audit of fintech API integrations behind WSO2.

    With no command, opens the terminal app on ./models; `tmodel PATH` opens it on a folder or model file.
    """
    from tmodel.config import load_config, parse_size
    from tmodel.linkpolicy import allow_outside
    from tmodel.model.yamlsafe import set_max_size
    from tmodel.problems import ProblemError

    allow_outside(allow_outside_configs)
    size = None
    if max_size is not None:
        size = parse_size(max_size.strip())
        if size is None:
            raise click.BadParameter("a size from 1KB to 4GB, e.g. 50MB or 50000000", param_hint="'--max-size'")
    else:
        try:
            size = load_config().max_size
        except ProblemError:  # reported by the command that reads the configuration
            size = None
    set_max_size(size)
    if ctx.invoked_subcommand is None:
        ctx.invoke(ui, path="models")


@main.command()
@click.argument("path", default="models", required=False)
@catalog_option
@as_of_option
def ui(path: str, catalogs: tuple[str, ...] = (), as_of: str | None = None) -> None:
    """Open the terminal app (the default command)."""
    if not Path(path).exists():
        click.echo(f"{path}: error: no such file or folder\n    hint: pass a folder of models or a model file, "
                   "or start one from a template: tmodel new ID (tmodel new --list)", err=True)
        sys.exit(EXIT_INVALID)
    from tmodel.tui.app import run_app

    run_app(path, get_catalog(catalogs), parse_date(as_of))


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
    from tmodel.fsutil import atomic_write_text
    from tmodel.schema import SCHEMAS, dumps, schema_path

    if write:
        for name, make in SCHEMAS.items():
            p = schema_path(name)
            p.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(str(p), dumps(make()))
            click.echo(f"wrote {p}")
        return
    click.echo(dumps(SCHEMAS[kind]()), nl=False)


@main.command()
@click.argument("model")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "sarif"]), default="table", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Table: show every requirement, not just the summary.")
@click.option("--width", type=click.IntRange(min=0), default=None,
              help="Table: wrap lines to this many columns (default: the terminal's width; 0 or a pipe: no wrapping).")
@catalog_option
@as_of_option
@lang_option
def analyze(model: str, fmt: str, show_all: bool, width: int | None, catalogs: tuple[str, ...], as_of: str | None,
            lang: str | None = None) -> None:
    """Threats, risks and compliance of one model.

    The table is in English, or in Russian with --lang ru (or [export] lang in tmodel.toml)."""
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
        from tmodel.export.json_export import iter_analysis_json

        _echo_pieces(iter_analysis_json(result))
    elif fmt == "sarif":
        from tmodel.export.sarif import sarif_json

        click.echo(sarif_json([(lm, result)], cat), nl=False)
    else:
        from tmodel.analysis.table import render_table

        if width is None and sys.stdout.isatty():
            import shutil

            width = shutil.get_terminal_size().columns
        click.echo(render_table(result, show_all=show_all, color=sys.stdout.isatty(), width=width,
                                lang=resolve_lang(lang), catalog=cat))


def _register_commands() -> None:
    """The commands living in their own modules, imported explicitly: a missing module is an error, never a
    command that silently disappears. This file stays a thin router."""
    from tmodel.commands import audit_cmd, check_cmd, diff_cmd, export_cmd, import_cmd, new_cmd, paths_cmd

    for module in (export_cmd, import_cmd, check_cmd, diff_cmd, audit_cmd, new_cmd, paths_cmd):
        module.register(main)


@main.command()
@click.option("--for", "target", type=click.Choice(["element", "flow", "model"]), default=None,
              help="Only the facts a rule of this kind can use.")
def facts(target: str | None) -> None:
    """List the facts that catalog rules can match."""
    from tmodel.catalog.facts import describe_facts

    click.echo(describe_facts(target))


_register_commands()
