"""``tmodel import register REGISTER.xlsx MODEL``: compliance's edits back into the model.

Reads the Risks sheet's Status, Owner, Expiry and Justification columns and records the rows
that changed as decisions (``ModelDocument.set_decision``), with ``decided_on`` = the day of the
import and ``decided_by`` = the row's owner, or 'compliance' when the row names none. The
model keeps its comments and key order; it is written atomically, only if the result is a
valid model, and never over a file that changed on disk meanwhile. Invalid cells are reported
with their reference (``Risks!N14: 'acepted' is not a status; allowed: ...``), exit 2, nothing
written. Never imports textual.
"""

from __future__ import annotations

import sys

import click

DECIDED_BY_DEFAULT = "compliance"


def register(main: click.Group) -> None:
    from tmodel.cli import catalog_option

    @main.group("import")
    def import_group() -> None:
        """Bring outside edits back into a model."""

    @import_group.command("register")
    @click.argument("register_path", metavar="REGISTER.xlsx", type=click.Path(dir_okay=False))
    @click.argument("model_path", metavar="MODEL", type=click.Path(dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
    @catalog_option
    def import_register(register_path: str, model_path: str, dry_run: bool, catalogs: tuple[str, ...]) -> None:
        """Record the register's edits as decisions.

        Reads Status, Owner, Expiry / due date and Justification from the Risks sheet and writes
        the rows that changed since the export into MODEL's decisions (decided_on: today;
        decided_by: the owner, or 'compliance'). Comments and key order are kept; nothing is
        written if any cell is invalid or the result would not validate.
        """
        run_import(register_path, model_path, dry_run, catalogs)


def run_import(register_path: str, model_path: str, dry_run: bool, catalogs: tuple[str, ...]) -> None:
    from tmodel.analysis.engine import analyze
    from tmodel.analysis.references import with_catalog_references
    from tmodel.cli import EXIT_INVALID, fail, get_catalog
    from tmodel.export.register_import import RegisterError, plan_import, read_register
    from tmodel.model.load import load_model_text
    from tmodel.model.save import ChangedOnDisk, ModelDocument, today
    from tmodel.problems import Problem

    cat = get_catalog(catalogs)
    try:
        doc = ModelDocument.open(model_path)
    except FileNotFoundError:
        fail([Problem(model_path, 0, 0, "no such file", "pass the model YAML the register was exported from")])
    except (OSError, UnicodeDecodeError) as exc:
        fail([Problem(model_path, 0, 0, f"cannot read the model: {exc}", "")])
    lm = load_model_text(doc.original_text, model_path, doc.mtime_ns)
    with_catalog_references(lm, cat)
    if not lm.ok:
        fail(lm.errors)

    try:
        wb = read_register(register_path)
        day = today()
        live = {t.id for t in analyze(lm.model, cat, path=model_path, located=lm.located, as_of=day).threats}
        plan = plan_import(wb, lm.model, live, day)
    except RegisterError as exc:
        fail([Problem(register_path, 0, 0, str(exc), "export a fresh register with 'tmodel export --format xlsx'")])

    for w in plan.warnings:
        click.echo(f"{register_path}: warning: {w}", err=True)
    if plan.errors:
        for e in plan.errors:
            click.echo(f"{register_path}: error: {e}", err=True)
        click.echo(f"{len(plan.errors)} error(s); {model_path} was not changed", err=True)
        sys.exit(EXIT_INVALID)
    if not plan.changes:
        click.echo(f"{register_path}: no changes to import ({plan.rows} row(s) read)")
        return

    for ch in plan.changes:
        n = ch.new
        doc.set_decision(ch.threat, n.status, owner=n.owner, reason=n.reason, expires=n.expires,
                         decided_by=n.owner or DECIDED_BY_DEFAULT, decided_on=day)
    result = with_catalog_references(doc.validate(), cat)
    if not result.ok:
        click.echo(f"{register_path}: error: the imported decisions would make {model_path} invalid; nothing written", err=True)
        for p in result.errors:
            click.echo(p.format(), err=True)
        sys.exit(EXIT_INVALID)

    for ch in plan.changes:
        click.echo(ch.describe())
    if dry_run:
        click.echo(f"dry run: {len(plan.changes)} decision(s) would change; {model_path} was not written")
        return
    try:
        doc.save()
    except ChangedOnDisk:
        fail([Problem(model_path, 0, 0, "the model changed on disk during the import; nothing written",
                      "run the import again on the current file")])
    except OSError as exc:
        fail([Problem(model_path, 0, 0, f"cannot write the model: {exc.strerror or exc}", "")])
    click.echo(f"{model_path}: {len(plan.changes)} decision(s) recorded (decided on {day.isoformat()})")
