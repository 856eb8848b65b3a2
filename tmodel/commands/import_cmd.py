"""``tmodel import ...``: the group, and ``import register REGISTER.xlsx MODEL``.

The importers of outside documents (OpenAPI, WSO2 projects, Threagile, Threat Dragon) live in
their own command modules (listed in ``register``) and write their model through ``emit_draft``.

``import register``: compliance's edits back into the model (``export.register_import`` plans,
this command writes). Decisions keep owner, approver (``decided_by``), decision date, expiry,
ticket and control as their own fields; a changed row without a decision date is dated the day
of the import, one without an approver is recorded as decided by 'compliance'. Audit answers
come back from the Audit sheet. Refused rows are reported with their cell
(``Risks!C14: 'acepted' is not a status; allowed: ...``) and exit 2; by default the other rows
still apply (``--all-or-nothing``: nothing is written). The model keeps its comments and key
order; it is written atomically, only if the result is a valid model, and never over a file
that changed on disk meanwhile. Never imports textual.
"""

from __future__ import annotations

import sys

import click

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
    @click.option("--all-or-nothing", is_flag=True,
                  help="Write nothing when any row is refused (default: refused rows are reported, the others apply).")
    @catalog_option
    def import_register(register_path: str, model_path: str, dry_run: bool, all_or_nothing: bool,
                        catalogs: tuple[str, ...]) -> None:
        """Record the register's edits as decisions and audit answers.

        Reads the blue columns of the Risks sheet (status, owner, approver, decision date, expiry,
        ticket, mitigating control, justification) and of the Audit sheet (answer, evidence, by,
        on), and writes the rows that changed since the export into MODEL. A row that cannot be
        applied (invalid cell, conflict with a model change, row added by hand) is refused with its
        cell; the other rows still apply (each row is one independent decision) and the exit code
        is 2. With --all-or-nothing nothing is written when any row is refused. Comments and key
        order are kept; nothing is written if the result would not validate.
        """
        run_import(register_path, model_path, dry_run, catalogs, all_or_nothing=all_or_nothing)


def run_import(register_path: str, model_path: str, dry_run: bool, catalogs: tuple[str, ...], *,
               all_or_nothing: bool = False) -> None:
    from tmodel.analysis.engine import analyze
    from tmodel.analysis.references import with_catalog_references
    from tmodel.cli import EXIT_INVALID, fail, get_catalog
    from tmodel.config import load_config
    from tmodel.export.register_import import RegisterError, plan_import, read_register
    import os

    from tmodel.fsutil import problem as write_problem
    from tmodel.model.load import load_model
    from tmodel.model.save import ChangedOnDisk, EditError, ModelDocument, today
    from tmodel.problems import Problem, ProblemError

    cat = get_catalog(catalogs)
    try:
        cfg = load_config()
    except ProblemError as exc:
        fail(exc.problems)
    if not os.path.exists(model_path):
        fail([Problem(model_path, 0, 0, "no such file", "pass the model YAML the register was exported from")])
    lm = load_model(model_path)  # the reader every command uses: located problems for any mistake
    if lm.ok:
        with_catalog_references(lm, cat)
    if not lm.ok:
        fail(lm.errors)

    assert lm.model is not None  # fail() above exits when the model has errors
    try:
        wb = read_register(register_path)
        day = today()
        live = {t.id: t.residual_level for t in analyze(lm.model, cat, path=model_path, located=lm.located, as_of=day).threats}
        plan = plan_import(wb, lm.model, live, day, max_acceptance_days=cfg.max_acceptance_days)
    except RegisterError as exc:
        fail([Problem(register_path, 0, 0, str(exc), "export a fresh register with 'tmodel export --format xlsx'")])

    for w in plan.warnings:
        click.echo(f"{register_path}: note: {w}", err=True)
    for e in plan.errors:
        click.echo(f"{register_path}: error: {e}", err=True)
    refused = len(plan.errors)
    if refused and (all_or_nothing or plan.empty):
        click.echo(f"{refused} row(s) refused; {model_path} was not changed"
                   + (" (--all-or-nothing)" if all_or_nothing and not plan.empty else ""), err=True)
        sys.exit(EXIT_INVALID)
    if plan.empty:
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
        if n.status == "open":
            try:
                doc.remove_item("decisions", ch.threat)
            except (EditError, KeyError, TypeError):
                pass
            continue
        doc.set_decision(ch.threat, n.status, owner=n.owner, reason=n.reason, control=n.control, expires=n.expires,
                         decided_by=n.approver, decided_on=n.decided_on, ticket=n.ticket)
    for ac in plan.answers:
        a = ac.new
        if a.answer is None:
            try:
                doc.remove_item("answers", ac.question)
            except (EditError, KeyError, TypeError):
                pass
            continue
        doc.set_answer(ac.question, a.answer, evidence=a.evidence, answered_by=a.answered_by, answered_on=a.answered_on)
    result = with_catalog_references(doc.validate(), cat)
    if not result.ok:
        click.echo(f"{register_path}: error: the imported decisions would make {model_path} invalid; nothing written", err=True)
        for p in result.errors:
            click.echo(p.format(), err=True)
        sys.exit(EXIT_INVALID)

    for ch in plan.changes:
        click.echo(ch.describe())
    for ac in plan.answers:
        click.echo(ac.describe())
    count = len(plan.changes) + len(plan.answers)
    if dry_run:
        click.echo(f"dry run: {count} change(s) would be recorded; {model_path} was not written")
        if refused:
            sys.exit(EXIT_INVALID)
        return
    try:
        doc.save()
    except ChangedOnDisk:
        fail([Problem(model_path, 0, 0, "the model changed on disk during the import; nothing written",
                      "run the import again on the current file")])
    except OSError as exc:
        fail([write_problem(model_path, exc)])
    click.echo(f"{model_path}: {len(plan.changes)} decision(s) and {len(plan.answers)} audit answer(s) recorded")
    if refused:
        click.echo(f"{refused} row(s) refused (listed above); the other rows were recorded. Fix the refused rows in the "
                   f"register and import it again (rows already recorded are skipped)", err=True)
        sys.exit(EXIT_INVALID)
