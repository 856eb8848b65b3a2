"""The language of everything tmodel writes for people: one word-table mechanism for the register,
the review record, the diagrams, the CLI's analysis table and the app.

- ``Words``: the words of one document in one language. ``w("Title")`` is the label of an English
  text, ``w("{n} threat(s)", n=3)`` a sentence with its fields filled, ``w.value(table, code)`` a
  value label (levels, statuses, kinds: ``tmodel.i18n.terms``), ``w.catalog_text(...)`` a catalog
  record's text from its ``ru:`` block. Each document subclasses it with its own ``TEXT`` table
  (English -> Russian), so a word missing from the table is a KeyError in tests, never silent English.
- ``Words.engine(text)``: a sentence the analysis engine wrote in English (control notes, decision
  issues, unknowns, the sources behind "why it fired") in this language: the engine's sentences and
  their Russian are listed together in ``tmodel.i18n.engine``.
- Model data (titles the user wrote) and identifiers are shown as written.

``Words("en")`` returns the English unchanged. Headless: imports no textual, no export module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tmodel.i18n import terms

LANGS = ("en", "ru")
DEFAULT_LANG = "en"


def normal(text: str) -> str:
    """A label as typed: case, spacing and ё do not matter."""
    return " ".join(str(text).lower().replace("ё", "е").split())


def code_of(labels: Mapping[str, str], text: str, extra: Mapping[str, str] | None = None) -> str | None:
    """The code whose Russian label (or one of ``extra``, label -> code) is ``text``; None if none."""
    want = normal(text)
    for code, label in labels.items():
        if normal(label) == want:
            return code
    return next((code for label, code in (extra or {}).items() if normal(label) == want), None)


class Words:
    """Words of one document in one language; ``TEXT`` (English -> Russian) is the document's table."""

    TEXT: Mapping[str, str] = {}

    def __init__(self, lang: str = DEFAULT_LANG, catalog: Any = None):
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}; choose from {', '.join(LANGS)}")
        self.lang = lang
        self.ru = lang == "ru"
        self.catalog = catalog

    def __call__(self, english: str, **fill: Any) -> str:
        text = self.TEXT[english] if self.ru else english
        return text.format(**fill) if fill else text

    def ctx(self, english: str, context: str) -> str:
        """A word whose Russian depends on where it stands: ``TEXT["<english> [<context>]"]``."""
        return self.TEXT[f"{english} [{context}]"] if self.ru else english

    def framework(self, fid: str, english: str) -> str:
        """A framework's title (``terms.FRAMEWORK``; the ones already named in Russian stay as they are)."""
        return terms.FRAMEWORK.get(fid, english) if self.ru else english

    def value(self, table: Mapping[Any, str], code: Any) -> Any:
        """The label of a code (a code missing from the table is shown as is)."""
        return table.get(code, code) if self.ru else code

    def labels(self, table: dict[str, str]) -> dict[str, str] | None:
        """The labels conditional formatting compares cells with (None: the codes themselves)."""
        return table if self.ru else None

    def level(self, code: str) -> str:
        return str(self.value(terms.LEVEL, code))

    def status(self, code: str) -> str:
        """A threat's effective status, or a control's or requirement's status."""
        return str(self.value(terms.THREAT_STATUS, code) if code in terms.THREAT_STATUS
                   else self.value(terms.CONTROL_STATUS, code))

    def yes_no(self, v: bool) -> str:
        return terms.yes_no(v) if self.ru else ("yes" if v else "no")

    def engine(self, text: str) -> str:
        """A sentence of the analysis engine in this language (see ``tmodel.i18n.engine``)."""
        if not self.ru:
            return text
        from tmodel.i18n.engine import to_russian

        return to_russian(text)

    def title(self, english: str, title_ru: str = "") -> str:
        """A threat's or control's catalog title as the analysis carries it (``title_ru``)."""
        return title_ru if self.ru and title_ru else english

    def catalog_text(self, kind: str, rid: str, field: str, english: str, known: str = "") -> str:
        """A catalog record's text (kind: rule, control, requirement, info) in this language; ``known``:
        its Russian as the analysis carries it (title_ru), for a record the catalog given does not hold;
        else the English marked as a fallback."""
        if not self.ru:
            return english
        from tmodel.catalog.types import text_in

        found = getattr(self.catalog, kind + "s", {}).get(rid) if self.catalog is not None else None
        if found is None and known:
            return known
        record = getattr(found, "rule", found) if kind == "rule" else found
        return text_in(record, field, self.lang, english=english)
