"""Project configuration: ``tmodel.toml`` in the current folder or any parent.

    [catalogs]
    paths = ["security/catalogs"]   # folders of the project's own catalogs, relative to the file
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tmodel.problems import Problem, ProblemError

CONFIG_NAME = "tmodel.toml"


@dataclass
class Config:
    path: Path | None = None
    catalog_dirs: list[str] = field(default_factory=list)


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
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProblemError([Problem(str(path), getattr(exc, "lineno", 0) or 0, getattr(exc, "colno", 0) or 0,
                                    f"invalid TOML: {exc}", "fix the project configuration")]) from None
    cats = data.get("catalogs", {})
    paths = cats.get("paths", []) if isinstance(cats, dict) else []
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ProblemError([Problem(str(path), 0, 0, "[catalogs] paths must be a list of folder names", 'e.g. paths = ["catalogs"]')])
    return Config(path, [str((path.parent / p).resolve()) for p in paths])
