"""``tmodel import ...``: the group, and ``import register REGISTER.xlsx MODEL``.

The importers of outside documents (OpenAPI, WSO2 projects, Threagile, Threat Dragon) live in
their own command modules (listed in ``register``) and write their model through ``emit_draft``.

``import register``: compliance's edits back into the model.

Reads the Risks sheet's Status, Owner, Expiry and Justification columns and records the rows
that changed as decisions (``ModelDocument.set_decision``), with ``decided_on`` = the day of the
import and ``decided_by`` = the row's owner, or 'compliance' when the row names none. The
model keeps its comments and key order; it is written atomically, only if the result is a
valid model, and never over a file that changed on disk meanwhile. Invalid cells are reported
with their reference (``Risks!O14: 'acepted' is not a status; allowed: ...``), exit 2, nothing
written. Never imports textual.
"""

from __future__ import annotations

import sys

import click

DECIDED_BY_DEFAULT = "compliance"

# command modules that add an importer to the group: each has register(group)


def output_options(f):  # noqa: ANN001, ANN201 - click decorator
    """-o/--output and --force, shared by every importer."""
    f = click.option("--force", is_flag=True, help="Replace OUTPUT if it exists (it is never replaced otherwise).")(f)
    return click.option("-o", "--output", type=click.Path(dir_okay=False),
                        help="Write the model here (default: print it to standard output).")(f)


def emit_draft(draft, output: str | None, force: bool) -> None:  # noqa: ANN001
    """Render, validate and write an importer's draft; print what the user must read to stderr.

    The model is written only if it validates (an invalid one is an importer bug, reported as
    such), atomically, and never over an existing file without --force.
    """
    import os

    from tmodel.cli import EXIT_INVALID, fail
    from tmodel.fsutil import atomic_write_text, problem as write_problem
    from tmodel.importers.common import render
    from tmodel.model.load import load_model_text
    from tmodel.problems import Problem

    text = render(draft, output=output)
    label = output or f"<model imported from {draft.source}>"
    lm = load_model_text(text, label)
    if not lm.ok:
        for p in lm.errors:
            click.echo(p.format(), err=True)
        click.echo(f"{draft.source}: error: the imported model does not validate; this is a bug in the "
                   f"{draft.kind} importer, please report it with the input file", err=True)
        sys.exit(EXIT_INVALID)
    if output is None:
        click.echo(text, nl=False)
    else:
        if os.path.exists(output) and not force:
            fail([Problem(output, 0, 0, "the file exists; nothing was written",
                          "choose another -o file, or pass --force to replace it")])
        try:
            atomic_write_text(output, text)
        except OSError as exc:
            fail([write_problem(output, exc)])
    counts = ", ".join(f"{len(getattr(draft, s))} {s.replace('_', ' ')}" for s in ("elements", "flows", "data_assets", "boundaries"))
    where = output or "standard output"
    click.echo(f"{draft.source}: imported ({draft.kind}) to {where}: {counts}", err=True)
    for x in draft.findings:
        click.echo(f"  finding: {x}", err=True)
    for x in draft.unmapped:
        click.echo(f"  not converted: {x}", err=True)
    if draft.unmapped or draft.findings:
        click.echo(f"  {len(draft.findings)} finding(s), {len(draft.unmapped)} item(s) not converted; "
                   "both lists are also in the model's header", err=True)
    for p in lm.problems:  # warnings of the imported model: worth a look, not a failure
        click.echo(p.format(), err=True)


def register(main: click.Group) -> None:
    from tmodel.cli import catalog_option
    from tmodel.commands import import_migrate, import_openapi, import_wso2

    @main.group("import")
    def import_group() -> None:
        """Start a model from OpenAPI, WSO2, Threagile, Threat Dragon."""

    for module in (import_openapi, import_wso2, import_migrate):  # explicit: a missing importer is an error
        module.register(import_group)

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
    import os

    from tmodel.fsutil import problem as write_problem
    from tmodel.model.load import load_model
    from tmodel.model.save import ChangedOnDisk, ModelDocument, today
    from tmodel.problems import Problem, ProblemError

    cat = get_catalog(catalogs)
    if not os.path.exists(model_path):
        fail([Problem(model_path, 0, 0, "no such file", "pass the model YAML the register was exported from")])
    lm = load_model(model_path)  # the reader every command uses: located problems for any mistake
    if lm.ok:
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

    # the editable document (a ruamel.yaml round trip, the slow part) only once there is something to write
    try:
        doc = ModelDocument.open(model_path)
    except ProblemError as exc:
        fail(exc.problems)
    if doc.original_text != lm.text:
        fail([Problem(model_path, 0, 0, "the model changed on disk during the import; nothing written",
                      "run the import again on the current file")])
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
        fail([write_problem(model_path, exc)])
    click.echo(f"{model_path}: {len(plan.changes)} decision(s) recorded (decided on {day.isoformat()})")
