"""Load a model file: safe YAML, schema validation and semantic checks, all problems located."""

from __future__ import annotations

import difflib
import os
import types
import typing
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError

from tmodel import FORMAT_VERSION
from tmodel.model.checks import check_model
from tmodel.model.types import Model
from tmodel.model.yamlsafe import Located, load_yaml, read_text
from tmodel.problems import Problem, ProblemError

MODEL_SUFFIXES = (".yaml", ".yml")


@dataclass
class Loaded:
    path: str
    text: str
    model: Model | None
    located: Located | None
    problems: list[Problem] = field(default_factory=list)
    mtime_ns: int = 0

    @property
    def ok(self) -> bool:
        return self.model is not None and not any(p.is_error for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def load_model(path: str) -> Loaded:
    """Load and check one model file. Never raises for bad input: problems are in the result."""
    try:
        mtime = os.stat(path).st_mtime_ns
        text = read_text(path)
    except ProblemError as exc:
        return Loaded(path, "", None, None, exc.problems)
    return load_model_text(text, path, mtime)


def load_model_text(text: str, path: str, mtime_ns: int = 0) -> Loaded:
    try:
        located = load_yaml(text, path)
    except ProblemError as exc:
        return Loaded(path, text, None, None, sorted(exc.problems), mtime_ns)
    data = located.data
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
        problem = Problem(
            path, 1, 1, f"the model must be a mapping of keys, but this file holds {kind}",
            "start the file with 'format_version: 1' and 'metadata:'",
        )
        return Loaded(path, text, None, located, [problem], mtime_ns)
    version = data.get("format_version", FORMAT_VERSION)
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        line, col = located.where(("format_version",))
        problem = Problem(
            path, line, col,
            f"format_version {version} is newer than this tmodel understands (version {FORMAT_VERSION})",
            "upgrade tmodel (pip install -U tmodel) to read this model",
        )
        return Loaded(path, text, None, located, [problem], mtime_ns)
    try:
        model = Model.model_validate(data)
    except ValidationError as exc:
        problems = sorted({_locate_error(err, located, path) for err in exc.errors()})
        return Loaded(path, text, None, located, problems, mtime_ns)
    problems = check_model(model, located, path)
    return Loaded(path, text, model, located, problems, mtime_ns)


def model_files(paths: list[str]) -> tuple[list[str], list[Problem]]:
    """Expand files and folders into model files, sorted; report missing paths and empty folders."""
    files: list[str] = []
    problems: list[Problem] = []
    for p in paths:
        if os.path.isdir(p):
            found = []
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found += [os.path.join(root, n) for n in names if n.endswith(MODEL_SUFFIXES)]
            if not found:
                problems.append(Problem(p, 0, 0, "no model files (*.yaml, *.yml) in this folder", "pass a folder holding models, or a model file"))
            files += sorted(found)
        elif os.path.exists(p):
            files.append(p)
        else:
            problems.append(Problem(p, 0, 0, "no such file or folder", "check the path"))
    return files, problems


# --- turning pydantic errors into located problems ----------------------------------------

def _field_type(cls: Any, loc: tuple[Any, ...]) -> Any:
    """The annotation reached by following ``loc`` from ``cls`` (None when lost)."""
    tp: Any = cls
    for step in loc:
        tp = _unwrap(tp)
        if isinstance(step, int):
            args = typing.get_args(tp)
            tp = args[0] if args else None
        elif isinstance(tp, type) and issubclass(tp, BaseModel):
            f = _model_field(tp, step)
            tp = f.annotation if f else None
        else:
            return None
        if tp is None:
            return None
    return _unwrap(tp)


def _unwrap(tp: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else tp
    return tp


def _model_field(cls: type[BaseModel], name: str) -> Any:
    for fname, f in cls.model_fields.items():
        if (f.alias or fname) == name or fname == name:
            return f
    return None


def _allowed_keys(cls: Any) -> list[str]:
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return [f.alias or n for n, f in cls.model_fields.items()]
    return []


def _locate_error(err: dict[str, Any], located: Located, path: str) -> Problem:
    return _locate_error_generic(err, located, path, Model)


def _locate_error_generic(err: dict[str, Any], located: Located, path: str, root: Any) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    where = ".".join(str(x) for x in loc) or "(top level)"
    if kind == "extra_forbidden":
        parent = _field_type(root, loc[:-1])
        allowed = _allowed_keys(parent)
        name = str(loc[-1])
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed keys here: {', '.join(allowed)}"
        line, col = located.where(loc, key=True)
        return Problem(path, line, col, f"unknown field '{name}' in {'.'.join(map(str, loc[:-1])) or 'the model'}", hint, code="unknown-field")
    line, col = located.where(loc)
    if kind == "missing":
        parent = loc[:-1]
        line, col = located.where(parent, key=True)
        return Problem(path, line, col, f"missing required field '{loc[-1]}' in {'.'.join(map(str, parent)) or 'the model'}",
                       f"add '{loc[-1]}:' here", code="missing")
    if kind == "enum":
        tp = _field_type(root, loc)
        value = err.get("input")
        allowed = [m.value for m in tp] if isinstance(tp, type) and issubclass(tp, Enum) else []
        close = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.5)
        hint = (f"did you mean '{close[0]}'? " if close else "") + f"allowed values: {', '.join(allowed)}"
        return Problem(path, line, col, f"'{value}' is not an allowed value of {where}", hint, code="enum")
    if kind in ("model_type", "dict_type") or kind.endswith("model_attributes_type"):
        return Problem(path, line, col, f"{where} must be a mapping of keys, not {type(err.get('input')).__name__}",
                       "write it as 'key: value' lines indented under it", code="type")
    if kind == "list_type":
        return Problem(path, line, col, f"{where} must be a list", "write each item on its own line starting with '- '", code="type")
    if kind == "string_pattern_mismatch" and loc and loc[-1] != "threat":
        return Problem(path, line, col, f"'{err.get('input')}' is not a valid id at {where}",
                       "ids use lowercase letters, digits, '.', '_' and '-', and start with a letter or digit", code="id")
    if kind == "string_pattern_mismatch":
        return Problem(path, line, col, f"'{err.get('input')}' is not a threat id at {where}",
                       "threat ids look like RULE-ID@target-id, as printed by 'tmodel analyze'", code="id")
    if kind.startswith("bool"):
        return Problem(path, line, col, f"{where} must be true or false, not '{err.get('input')}'", "write true or false", code="type")
    if kind.startswith("date"):
        return Problem(path, line, col, f"{where} must be a date, not '{err.get('input')}'", "write dates as YYYY-MM-DD", code="type")
    msg = err.get("msg", "invalid value")
    return Problem(path, line, col, f"{where}: {msg}", "see docs/model-format.md" if root is Model else "see docs/catalog-format.md", code=kind)
