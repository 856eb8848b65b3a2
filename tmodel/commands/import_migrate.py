"""``tmodel import threagile FILE`` and ``tmodel import threat-dragon FILE``: move a model to tmodel.

Both write a draft model through ``emit_draft`` (validated, never over an existing file without
--force). What has no tmodel equivalent is listed in the model's header and on stderr; the mapping
decisions are documented in ``tmodel.importers.threagile`` and ``tmodel.importers.threat_dragon``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from tmodel.commands.import_cmd import emit_draft, output_options


def register(group: click.Group) -> None:
    @group.command("threagile")
    @click.argument("file", metavar="FILE", type=click.Path(dir_okay=True))
    @output_options
    def import_threagile_cmd(file: str, output: str | None, force: bool) -> None:
        """Start a model from a Threagile YAML model.

        Technical assets become elements, communication links flows, trust boundaries
        boundaries and data assets data assets. Ratings, risk tracking, individual risks,
        abuse cases and the rest are listed as not converted, with their lines.
        """
        from tmodel.importers.threagile import import_threagile

        _run(import_threagile, file, output, force)

    @group.command("threat-dragon")
    @click.argument("file", metavar="FILE", type=click.Path(dir_okay=True))
    @output_options
    def import_threat_dragon_cmd(file: str, output: str | None, force: bool) -> None:
        """Start a model from a Threat Dragon v2 JSON model.

        Actors, processes and stores become elements, flows flows, trust boundary boxes
        boundaries (by what they enclose). Threats, curves and text blocks are listed as not
        converted. Version 1 files are refused: open and save them in Threat Dragon 2 first.
        """
        from tmodel.importers.threat_dragon import import_threat_dragon

        _run(import_threat_dragon, file, output, force)


def _run(importer: Callable[[str], Any], file: str, output: str | None, force: bool) -> None:
    from tmodel.cli import fail
    from tmodel.problems import ProblemError

    try:
        draft = importer(file)
    except ProblemError as exc:
        fail(exc.problems)
    emit_draft(draft, output, force)
