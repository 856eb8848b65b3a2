"""The review record as Markdown: the blocks of ``review.review_blocks`` with every piece of model
or catalog text escaped (``safe.md`` / ``md_cell``), so nothing a model says becomes markup (no
stray backticks, no links, no HTML). Deterministic: same model, date and options, same bytes."""

from __future__ import annotations

from typing import Any

from tmodel.analysis.paths import AttackPath
from tmodel.analysis.result import Analysis
from tmodel.export.common import code_spans, file_names
from tmodel.export.review import Bullets, Heading, Image, PageBreak, Para, ReviewInfo, Table, review_blocks
from tmodel.export.safe import md, md_cell
from tmodel.model.types import Model


def md1(text: object, *, catalog: bool = False) -> str:
    """Escaped text on one line (list items, headings); a catalog's `code` stays code."""
    return _rich(str(text), cell=False, catalog=catalog)


def cell(text: object, *, catalog: bool = False) -> str:
    return _rich(str(text), cell=True, catalog=catalog) if text else " "


def _rich(text: str, *, cell: bool, catalog: bool, first: bool = True) -> str:
    """Escaped text on one line; the pieces the catalogs mark as `code` become code spans (a code
    span shows its content literally, so only a table's '|' needs escaping inside it). ``first``:
    the text starts a line, so list and heading markers at its start are escaped."""
    out = []
    one = " ".join(text.split())
    for i, (part, code) in enumerate(code_spans(one) if catalog else [(one, False)]):
        if code:
            inner = part.replace("|", "\\|") if cell else part
            out.append(f"`{inner}`" if inner.strip() == inner else f"` {inner} `")
        elif not part.strip():
            out.append(part)
        else:  # the first piece may start a line: list and heading markers are escaped there
            body = md_cell(part) if cell else " ".join(md(part, block=first and i == 0).split("\n"))
            out.append((" " if part[0] == " " else "") + body + (" " if part[-1] == " " else ""))
    return "".join(out).strip() or (" " if cell else "")


def render_markdown(blocks: list) -> str:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out += [f"{'#' * b.level} {_rich(b.text, cell=False, catalog=False, first=False)}", ""]
        elif isinstance(b, Para):
            out += [(f"**{md1(b.bold_lead.strip())}** " if b.bold_lead else "") + md1(b.text, catalog=b.catalog), ""]
        elif isinstance(b, Bullets):
            for item in b.items:
                indent = (len(item) - len(item.lstrip(" "))) // 4
                out.append(f"{'  ' * indent}- {md1(item.strip())}")
            out.append("")
        elif isinstance(b, Table):
            out.append("| " + " | ".join(cell(h) for h in b.headers) + " |")
            out.append("|" + "|".join("---" for _ in b.headers) + "|")
            out += ["| " + " | ".join(cell(c, catalog=j in b.catalog_cols) for j, c in enumerate(row)) + " |"
                    for row in b.rows]
            out.append("")
        elif isinstance(b, Image):
            out += [f"![{md1(b.caption)}]({b.name})", ""]
        elif isinstance(b, PageBreak):
            continue
    return "\n".join(out).rstrip() + "\n"


def record_markdown(a: Analysis, model: Model, *, svg: bool = False, classification: str = "",
                    revision: str | None = None, catalogs: list[tuple[str, str, str]] | None = None,
                    paths: list[AttackPath] | None = None, lang: str = "en", catalog: Any = None) -> str:
    """The record. ``svg``: the diagrams' SVG files are written next to it (embedded by name),
    else the text points to the DOT file. ``paths``: the attack paths, shown after the threats.
    ``lang``: en or ru (``record_ru``); ``catalog``: the catalogs, whose ``ru:`` blocks give the Russian."""
    names = file_names(a.model_id)
    info = ReviewInfo(classification=classification, revision=revision, catalogs=catalogs or [],
                      diagram=names["svg"] if svg else None, data_diagram=names["data-svg"] if svg else None,
                      dot_name=names["dot"], paths=paths, lang=lang, catalog=catalog)
    return render_markdown(review_blocks(a, model, info))
