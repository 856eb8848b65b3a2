"""Project configuration: ``tmodel.toml`` in the current folder or any parent.

    [catalogs]
    paths = ["security/catalogs"]   # folders of the project's own catalogs, relative to the file

    [export]
    classification = "Internal"     # the marking printed on every page of the register and record
    lang = "ru"                     # the language of what tmodel writes for people: "en" (default) or "ru"

    [decisions]
    max_acceptance_days = 365       # longest acceptance 'tmodel import register' records

    [limits]
    max_size = "50MB"               # largest model file read (default 5MB; --max-size on the command line)
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tmodel.problems import Problem, ProblemError

CONFIG_NAME = "tmodel.toml"


DEFAULT_CLASSIFICATION = "Internal"
DEFAULT_MAX_ACCEPTANCE_DAYS = 365
DEFAULT_LANG = "en"
LANGS = ("en", "ru")  # the languages of the register, the record, the diagrams, the CLI and the app


@dataclass
class Config:
    path: Path | None = None
    catalog_dirs: list[str] = field(default_factory=list)
    classification: str = DEFAULT_CLASSIFICATION
    max_acceptance_days: int = DEFAULT_MAX_ACCEPTANCE_DAYS
    lang: str = DEFAULT_LANG
    max_size: int | None = None  # [limits] max_size in bytes; None: the default (tmodel.model.yamlsafe)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?\s*$", re.IGNORECASE)
_UNIT = {"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
         "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30}
MIN_SIZE, MAX_SIZE = 1 << 10, 1 << 32


def parse_size(value: object) -> int | None:
    """Bytes from ``50000000``, ``"50MB"``, ``"1.5GiB"`` (K/M/G are powers of 1024); None when unreadable or
    outside 1 KiB..4 GiB."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        n = value
    elif isinstance(value, str) and (m := _SIZE.match(value)):
        n = int(float(m.group(1)) * _UNIT[(m.group(2) or "").lower()])
    else:
        return None
    return n if MIN_SIZE <= n <= MAX_SIZE else None


def find_config(start: Path | None = None) -> Path | None:
    cur = (start or Path.cwd()).resolve()
    for d in (cur, *cur.parents):
        cand = d / CONFIG_NAME
        if cand.is_file():
            return cand
    return None


def load_config(start: Path | None = None) -> Config:
    path = find_config(start)
    if path is None:
        return Config()
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProblemError([Problem(str(path), getattr(exc, "lineno", 0) or 0, getattr(exc, "colno", 0) or 0,
                                    f"invalid TOML: {exc}", "fix the project configuration")]) from None
    cats = data.get("catalogs", {})
    paths = cats.get("paths", []) if isinstance(cats, dict) else []
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ProblemError([Problem(str(path), 0, 0, "[catalogs] paths must be a list of folder names", 'e.g. paths = ["catalogs"]')])
    export = data.get("export", {})
    classification = export.get("classification", DEFAULT_CLASSIFICATION) if isinstance(export, dict) else None
    if not isinstance(classification, str) or len(classification) > 80 or "\n" in classification:
        raise ProblemError([Problem(str(path), _line_of(text, "classification"), 1, "[export] classification must be one line of text (at most 80 characters)",
                                    'e.g. classification = "Internal", or "" for no marking')])
    lang = export.get("lang", DEFAULT_LANG) if isinstance(export, dict) else None
    if lang not in LANGS:
        raise ProblemError([Problem(str(path), _line_of(text, "lang"), 1, f"[export] lang must be one of {', '.join(LANGS)}",
                                    'e.g. lang = "ru" for the risk register in Russian')])
    decisions = data.get("decisions", {})
    days = decisions.get("max_acceptance_days", DEFAULT_MAX_ACCEPTANCE_DAYS) if isinstance(decisions, dict) else None
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
        raise ProblemError([Problem(str(path), _line_of(text, "max_acceptance_days"), 1, "[decisions] max_acceptance_days must be a whole number of days from 1 to 3650",
                                    "e.g. max_acceptance_days = 365 (one year)")])
    limits = data.get("limits", {})
    raw_size = limits.get("max_size") if isinstance(limits, dict) else "?"
    max_size = parse_size(raw_size) if raw_size is not None else None
    if raw_size is not None and max_size is None:
        raise ProblemError([Problem(str(path), _line_of(text, "max_size"), 1, "[limits] max_size must be a size from 1KB to 4GB",
                                    'e.g. max_size = "50MB" to read models larger than the default 5MB')])
    return Config(path, [str((path.parent / p).resolve()) for p in paths], classification.strip(), days, str(lang), max_size)


def _line_of(text: str, key: str) -> int:
    """The line where ``key =`` is set (tomllib reports no position for a wrong value)."""
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(key) and "=" in line:
            return n
    return 0
