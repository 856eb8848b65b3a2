"""``tmodel paths``: the ways an intruder gets from its entry point to the sensitive processes and
stores of one model, weakest first, with the controls met, partial or missing on each hop.

    tmodel paths models/x.yaml
    tmodel paths models/x.yaml --to core-db --format json
    tmodel paths models/x.yaml --lang ru

Informational: exit 0 with or without paths; 2 on a bad model, catalog or --to id.
"""

from __future__ import annotations

import sys

import click


def register(main: click.Group) -> None:
    from tmodel.cli import as_of_option, catalog_option

    @main.command("paths")
    @click.argument("model")
    @click.option("--to", "to", default=None, metavar="ID", help="Only the paths to this element.")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @click.option("--lang", type=click.Choice(["en", "ru"]), default=None,
                  help="Language of the text output (default: [export] lang in tmodel.toml, else en; model data as written).")
    @catalog_option
    @as_of_option
    def paths(model: str, to: str | None, fmt: str, lang: str | None, catalogs: tuple[str, ...], as_of: str | None) -> None:
        """Attack paths from each intruder's entry point to each sensitive process or store."""
        from tmodel.analysis.engine import analyze
        from tmodel.analysis.paths import attack_paths
        from tmodel.cli import EXIT_INVALID, get_catalog, load_valid, parse_date, resolve_lang
        from tmodel.export.paths_report import paths_json, paths_text

        cat = get_catalog(catalogs)
        loaded = load_valid([model], cat, quiet_warnings=fmt != "text")
        if len(loaded) != 1:
            click.echo(f"{model}: error: paths takes one model, and this folder holds {len(loaded)}\n"
                       "    hint: pass one model file", err=True)
            sys.exit(EXIT_INVALID)
        (lm,) = loaded
        ids = sorted(e.id for e in lm.model.elements)
        if to is not None and to not in ids:
            import difflib

            close = difflib.get_close_matches(to, ids, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "elements: " + ", ".join(ids)
            click.echo(f"{lm.path}: error: --to '{to}' is not an element of this model\n    hint: {hint}", err=True)
            sys.exit(EXIT_INVALID)
        result = analyze(lm.model, cat, path=lm.path, located=lm.located, as_of=parse_date(as_of))
        found = attack_paths(lm.model, result, cat, to=to, path=lm.path)
        if fmt == "json":
            click.echo(paths_json(found, lm.model.metadata.id), nl=False)
        else:
            click.echo(paths_text(found, lm.model.metadata.title, lang=resolve_lang(lang), target=to, catalog=cat), nl=False)
