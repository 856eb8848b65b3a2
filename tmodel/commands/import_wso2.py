"""``tmodel import wso2 PROJECT``: an apictl API project (4.x or legacy 3.x) as a draft model."""

from __future__ import annotations

import click

from tmodel.commands.import_cmd import emit_draft, output_options


def register(group: click.Group) -> None:
    @group.command("wso2")
    @click.argument("project", metavar="PROJECT", type=click.Path())
    @output_options
    def import_wso2(project: str, output: str | None, force: bool) -> None:
        """Start a model from an apictl API project (api.yaml + swagger).

        PROJECT is the project folder (api.yaml or api.json with Definitions/swagger.yaml, or the
        3.x Meta-information/ layout) or an api.yaml file. Security schemes, auth types,
        throttling tiers, transports, endpoints, CORS and clear-text secrets become facts with
        their source; where api.yaml and the definition disagree, the import says so.
        """
        from tmodel.cli import fail
        from tmodel.importers.wso2_project import build
        from tmodel.problems import ProblemError

        try:
            draft = build(project)
        except ProblemError as exc:
            fail(exc.problems)
        emit_draft(draft, output, force)
