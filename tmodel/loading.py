"""What every front end loads first, without Textual and without exiting: the catalogs.

``load_catalog`` raises ``ProblemError`` (located problems) when the project configuration or a
catalog is broken; the command line (``tmodel.cli``) maps that to exit code 2 and the app is never
opened. Nothing here prints or calls ``sys.exit``.
"""

from __future__ import annotations

from collections.abc import Iterable

from tmodel.catalog.load import Catalog, load_catalogs
from tmodel.config import load_config
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
