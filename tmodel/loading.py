"""What every front end loads first, without Textual and without exiting: the catalogs and the models.

``load_catalog`` and ``load_models`` raise ``ProblemError`` (located problems) when the project
configuration, a catalog or a path is broken; the command line (``tmodel.cli``) maps that to exit
code 2 and the app is never opened. Nothing here prints or calls ``sys.exit``.
"""

from __future__ import annotations

from collections.abc import Iterable

from tmodel.catalog.load import Catalog, load_catalogs
from tmodel.config import load_config
from tmodel.model.load import Loaded, load_model, model_files
from tmodel.problems import ProblemError


def load_catalog(extra: Iterable[str] = ()) -> Catalog:
    """Shipped catalogs + the project's (tmodel.toml) + ``extra`` folders; ProblemError on any catalog error.

    The overrides (a project's record replacing a shipped one) are in ``Catalog.overrides`` for the
    caller to show."""
    cfg = load_config()
    cat = load_catalogs(cfg.catalog_dirs + list(extra))
    if any(p.is_error for p in cat.problems):
        raise ProblemError(cat.problems)
    return cat


def load_models(paths: Iterable[str], catalog: Catalog | None = None) -> list[Loaded]:
    """Every model under ``paths`` (files or folders), each with its own problems (errors and warnings, its
    catalog references checked against ``catalog``); ProblemError when a path is missing or holds no model."""
    from tmodel.analysis.references import with_catalog_references

    files, problems = model_files(list(paths))
    if problems:
        raise ProblemError(problems)
    out = []
    for f in files:
        lm = with_catalog_references(load_model(f), catalog)
        if lm.ok and lm.located is not None:
            lm.located.release_data()  # the validated model holds it; a third of a large model's memory otherwise
        out.append(lm)
    return out
