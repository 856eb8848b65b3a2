"""``tmodel new ID``: start a model from a shipped template (tmodel/templates/models)."""

from __future__ import annotations

import difflib
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


def write_new(ident: str, template_name: str, folder: str) -> str:
    """Write ``folder/ident.yaml`` from the template, refusing to overwrite. Raises click.UsageError-like
    ``ValueError(message, hint)`` on bad input; returns the path written."""
    from tmodel.templates import ID_HINT, find, id_problem, render, templates

    why = id_problem(ident)
    if why:
        raise ValueError(f"{ident or '(empty)'}: error: {why}", ID_HINT)
    template = find(template_name)
    if template is None:
        names = [t.name for t in templates()]
        close = difflib.get_close_matches(template_name, names, n=1)
        hint = (f"did you mean '{close[0]}'? " if close else "") + "templates: " + ", ".join(names) + " (tmodel new --list)"
        raise ValueError(f"{template_name}: error: no template named '{template_name}'", hint)
    path = os.path.join(folder, f"{ident}.yaml")
    if os.path.exists(path):
        raise ValueError(f"{path}: error: the file already exists; tmodel new never overwrites a model",
                         "choose another id, or remove or rename the existing file first")
    text = render(template, ident)
    os.makedirs(folder, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as fh:  # exclusive: never replaces a file created meanwhile
            fh.write(text)
    except FileExistsError:
        raise ValueError(f"{path}: error: the file already exists; tmodel new never overwrites a model",
                         "choose another id, or remove or rename the existing file first") from None
    return path


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
        try:
            path = write_new(ident, template, folder)
        except ValueError as exc:
            message, hint = exc.args
            click.echo(f"{message}\n    hint: {hint}", err=True)
            sys.exit(EXIT_INVALID)
        click.echo(f"wrote {path} from template {template}: {todo_count(path)} line(s) marked TODO for your team\n"
                   f"next: edit it (tmodel ui {path}), then tmodel analyze {path}")
