"""``tmodel import openapi SPEC [-o MODEL] [--force]``: start a model from an OpenAPI / Swagger document."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    from tmodel.commands.import_cmd import output_options

    @group.command("openapi")
    @click.argument("spec", metavar="SPEC", type=click.Path(dir_okay=True))
    @output_options
    def import_openapi(spec: str, output: str | None, force: bool) -> None:
        """Draft a model from an OpenAPI 3.x or Swagger 2.0 file.

        Reads YAML or JSON (with or without a byte-order mark), follows the references inside the
        file (a reference to another file is refused: bundle the document first), and writes a
        model with the consumer, the WSO2 gateway, the backend and one pair of flows per tag and
        security requirement. Security schemes, servers, identifiers, files, 429 responses,
        schema strictness and personal data are derived from the document; each derived value
        records its JSON pointer in 'derived_from'. Findings and what was not converted are
        printed and written at the top of the model.
        """
        run(spec, output, force)


def run(spec_path: str, output: str | None, force: bool) -> None:
    from tmodel.cli import fail
    from tmodel.commands.import_cmd import emit_draft
    from tmodel.importers.openapi import build_draft, load_spec
    from tmodel.problems import ProblemError

    try:
        spec = load_spec(spec_path)
        draft = build_draft(spec)
    except ProblemError as exc:
        fail(exc.problems)
    emit_draft(draft, output, force)
