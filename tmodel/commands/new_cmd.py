"""``tmodel new ID``: start a model from a shipped template (tmodel/templates/models)."""

from __future__ import annotations

import os
import sys

import click


def list_text() -> str:
    from tmodel.templates import DEFAULT_TEMPLATE, snippets, templates

    width = max(len(t.name) for t in templates() + snippets())
    lines = ["Templates (tmodel new ID --template NAME):"]
    for t in templates():
        mark = " (default)" if t.name == DEFAULT_TEMPLATE else ""
        lines.append(f"  {t.name:<{width}}  {t.title}{mark}")
        lines.append(f"  {'':<{width}}  {t.summary}")
    lines.append("Snippets (inserted into an open model on the app's Structure screen, key i):")
    for t in snippets():
        title = t.title.removeprefix('Snippet: ')
        lines.append(f"  {t.name:<{width}}  {title[:1].upper()}{title[1:]}")
    return "\n".join(lines)


def todo_count(path: str) -> int:
    with open(path, encoding="utf-8") as fh:
        return sum("TODO" in line for line in fh)


def register(main: click.Group) -> None:
    from tmodel.cli import EXIT_INVALID
    from tmodel.templates import DEFAULT_TEMPLATE

    @main.command(short_help="Start a model from a template.")
    @click.argument("ident", metavar="ID", required=False)
    @click.option("--template", "-t", "template", default=DEFAULT_TEMPLATE, show_default=True, metavar="NAME",
                  help="The template to start from (see --list).")
    @click.option("--dir", "folder", default="models", show_default=True, type=click.Path(file_okay=False),
                  help="The folder to write ID.yaml into (created if missing).")
    @click.option("--list", "show_list", is_flag=True, help="List the templates and snippets, then exit.")
    def new(ident: str | None, template: str, folder: str, show_list: bool) -> None:
        """Write DIR/ID.yaml from a shipped template: a hardened starting point of a common
        integration shape whose TODO(team) lines are the questions only your team can answer.
        Never overwrites an existing file."""
        if show_list:
            click.echo(list_text())
            return
        if ident is None:
            click.echo("tmodel new: error: missing the model id\n    hint: tmodel new ID [--template NAME]; "
                       "tmodel new --list shows the templates", err=True)
            sys.exit(EXIT_INVALID)
        from tmodel.templates import NewModelError, create

        try:
            path = create(ident, template, folder)
        except NewModelError as exc:
            click.echo(exc.format(), err=True)
            sys.exit(EXIT_INVALID)
        except OSError as exc:  # the folder cannot be created or written: nothing was written
            from tmodel.fsutil import problem

            click.echo(problem(os.path.join(folder, f"{ident}.yaml"), exc).format(), err=True)
            sys.exit(EXIT_INVALID)
        click.echo(f"wrote {path} from template {template}: {todo_count(path)} line(s) marked TODO for your team\n"
                   f"next: edit it (tmodel ui {path}), then tmodel analyze {path}")
