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
from pydantic_core import ErrorDetails

from tmodel import FORMAT_VERSION
from tmodel.model.checks import check_model
from tmodel.model.types import Model
from tmodel.model.yamlsafe import Located, parse_yaml, read_text
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
    yaml_clean: bool = True  # the YAML read without a problem (duplicate keys, tags, unreadable values)

    @property
    def ok(self) -> bool:
        return self.model is not None and not any(p.is_error for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def load_model(path: str) -> Loaded:
    """Load and check one model file. Never raises for bad input: problems are in the result."""
    try:
        text = read_text(path)
        mtime = os.stat(path).st_mtime_ns
    except ProblemError as exc:
        return Loaded(path, "", None, None, exc.problems)
    except OSError as exc:  # removed between the read and the stat
        return Loaded(path, "", None, None, [Problem(path, 0, 0, f"cannot read the file: {exc.strerror or exc}", "check the path")])
    return load_model_text(text, path, mtime)


def load_model_text(text: str, path: str, mtime_ns: int = 0) -> Loaded:
    """Check model text: YAML, format version, schema, then the semantic checks.

    Every problem that can be found in one pass is reported: YAML problems that do not stop
    reading (duplicate keys, unreadable values) are reported together with the schema errors;
    the semantic checks run once the schema is satisfied.
    """
    located, yaml_problems = parse_yaml(text, path)
    if located is None:
        return Loaded(path, text, None, None, sorted(yaml_problems), mtime_ns, yaml_clean=False)
    return load_located(located, text, path, mtime_ns, yaml_problems)


def load_located(located: Located, text: str, path: str, mtime_ns: int = 0, yaml_problems: list[Problem] | None = None,
                 *, previous: Loaded | None = None) -> Loaded:
    """Check model data already read from ``text`` (``located``, with the problems reading it found): format
    version, schema, semantic checks. The app's editor reads an edit's text piece by piece and comes in here,
    with the ``previous`` state: the items read from the same data as before are its validated items (the
    same objects: what did not change is not validated again, and is seen not to have changed)."""
    yaml_problems = yaml_problems or []
    data = located.data
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else ("text" if isinstance(data, str) else f"a {type(data).__name__}")
        problem = Problem(
            path, 1, 1, f"the model must be a mapping of keys, but this file holds {kind}",
            "start the file with 'format_version: 1' and 'metadata:'", code="type",
        )
        return Loaded(path, text, None, located, sorted(yaml_problems + [problem]), mtime_ns, yaml_clean=not yaml_problems)
    problems = list(yaml_problems)
    if "format_version" in data:
        version = data["format_version"]
        if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
            line, col = located.where(("format_version",))  # positions are recomputed only for a problem
            problem = Problem(
                path, line, col,
                f"format_version {version} is newer than this tmodel understands (version {FORMAT_VERSION})",
                "upgrade tmodel (pip install -U tmodel) to read this model", code="format-version",
            )
            return Loaded(path, text, None, located, [problem], mtime_ns, yaml_clean=not yaml_problems)
        if not (isinstance(version, int) and not isinstance(version, bool) and version == FORMAT_VERSION):
            line, col = located.where(("format_version",))
            raw = located.raw_at(("format_version",))
            shown = "empty" if version is None else f"'{raw if raw is not None else version}'"
            problems.append(Problem(path, line, col, f"format_version must be {FORMAT_VERSION}, not {shown}",
                                    f"write 'format_version: {FORMAT_VERSION}' (a number, no quotes)", code="format-version"))
        data = {k: v for k, v in data.items() if k != "format_version"}
    model = None
    if previous is not None and not problems:
        try:
            model = _revalidated(previous, data)
        except ValidationError:  # an edited item is invalid: validating the whole says where, as always
            model = None
    try:
        if model is None:
            model = Model.model_validate(data, by_alias=True, by_name=False)
    except ValidationError as exc:
        errors = [e for e in _relevant(exc.errors()) if tuple(e["loc"]) not in located.unreadable]
        problems += {_locate_error(err, located, path) for err in errors}
        return Loaded(path, text, None, located, sorted(set(problems)), mtime_ns, yaml_clean=not yaml_problems)
    problems += check_model(model, located, path)
    return Loaded(path, text, model, located, sorted(set(problems)), mtime_ns, yaml_clean=not yaml_problems)


_ITEM_TYPES: dict[str, Any] = {name: typing.get_args(f.annotation)[0] for name, f in Model.model_fields.items()
                               if typing.get_origin(f.annotation) is list}


def _revalidated(previous: Loaded, data: dict[str, Any]) -> Model | None:
    """``data``'s model from ``previous``'s: the list items that are the same plain objects as before keep their
    validated objects, the others are validated one by one. None when that cannot give what validating the
    whole gives (a section came or went, or anything but list items changed): validate the whole then."""
    old_model, old_located = previous.model, previous.located
    old_data = old_located.data if old_located is not None else None
    if old_model is None or not isinstance(old_data, dict):
        return None
    old_data = {k: v for k, v in old_data.items() if k != "format_version"}
    if data.keys() != old_data.keys():
        return None
    values: dict[str, Any] = {}
    for key, value in data.items():
        old = old_data[key]
        if key not in Model.model_fields:
            return None
        if value is old:
            values[key] = getattr(old_model, key)
            continue
        item_type = _ITEM_TYPES.get(key)
        old_items = getattr(old_model, key)
        if item_type is None or not isinstance(value, list) or not isinstance(old, list) or len(old) != len(old_items):
            return None
        known = {id(x): obj for x, obj in zip(old, old_items)}
        values[key] = [known[id(x)] if id(x) in known else item_type.model_validate(x, by_alias=True, by_name=False)
                       for x in value]
    return Model.model_construct(set(old_model.model_fields_set), **values)


# field names that are spelled differently in the file (the file's spelling is the alias)
_FILE_SPELLING = {"source": "from", "target": "to"}


def _relevant(errors: list[Any]) -> list[Any]:
    """Drop the 'missing from' error that only echoes an unknown 'source' key next to it."""
    extra = {tuple(e["loc"]) for e in errors if e["type"] == "extra_forbidden"}
    out = []
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "missing" and loc and any(
            loc[:-1] + (name,) in extra for name, alias in _FILE_SPELLING.items() if alias == loc[-1]
        ):
            continue
        out.append(e)
    return out


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


def _locate_error(err: ErrorDetails, located: Located, path: str) -> Problem:
    return _locate_error_generic(err, located, path, Model)


def _where(loc: tuple[Any, ...], data: Any) -> str:
    """A readable path: ``flows[tpp-gw].tls.min_version`` (list items named by their id)."""
    out = ""
    node = data
    for step in loc:
        if isinstance(step, int):
            item = node[step] if isinstance(node, list) and 0 <= step < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            out += f"[{ident}]" if isinstance(ident, str) and ident else f"[{step}]"
            node = item
        else:
            out += ("." if out else "") + str(step)
            node = node.get(step) if isinstance(node, dict) else None
    return out


def _yaml_reading(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    if hasattr(value, "isoformat"):
        return "a date"
    return type(value).__name__


def _locate_error_generic(err: ErrorDetails, located: Located, path: str, root: Any) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    data = located.data
    where = _where(loc, data) or "(top level)"
    value = err.get("input")
    raw = located.raw_at(loc)
    docs = "see docs/model-format.md" if root is Model else "see docs/catalog-format.md"
    if kind == "extra_forbidden":
        parent = _field_type(root, loc[:-1])
        allowed = _allowed_keys(parent)
        name = str(loc[-1])
        spelled = _FILE_SPELLING.get(name) if root is Model else None
        if spelled in allowed:
            hint = f"did you mean '{spelled}'? flows name their ends 'from' and 'to'"
        else:
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"allowed keys here: {', '.join(allowed)}"
        line, col = located.where(loc, key=True)
        return Problem(path, line, col, f"unknown field '{name}' in {_where(loc[:-1], data) or 'the model'}", hint, code="unknown-field")
    line, col = located.where(loc)
    if kind == "missing":
        parent = loc[:-1]
        line, col = located.where(parent, key=True)
        return Problem(path, line, col, f"missing required field '{loc[-1]}' in {_where(parent, data) or 'the model'}",
                       f"add '{loc[-1]}:' here", code="missing")
    if kind == "enum":
        tp = _field_type(root, loc)
        allowed = [m.value for m in tp] if isinstance(tp, type) and issubclass(tp, Enum) else []
        allowed_text = f"allowed values: {', '.join(allowed)}"
        if raw is not None and raw in allowed:
            return Problem(path, line, col, f"'{raw}' in {where} is read by YAML as {_yaml_reading(value)}, not as text",
                           f'write it in quotes: "{raw}"', code="enum")
        shown = raw if raw is not None else value
        close = difflib.get_close_matches(str(shown), allowed, n=1, cutoff=0.5)
        hint = (f"did you mean '{close[0]}'? " if close else "") + allowed_text
        return Problem(path, line, col, f"'{shown}' is not an allowed value of {where}", hint, code="enum")
    if kind in ("model_type", "dict_type") or kind.endswith("model_attributes_type"):
        got = "empty" if value is None else _kind_of(value)
        return Problem(path, line, col, f"{where} must be a mapping of keys, not {got}",
                       "write it as 'key: value' lines indented under it", code="type")
    if kind == "list_type":
        got = "empty" if value is None else _kind_of(value)
        return Problem(path, line, col, f"{where} must be a list, not {got}",
                       "write each item on its own line starting with '- ', or [a, b] on one line", code="type")
    if kind == "string_type":
        if value is None:
            return Problem(path, line, col, f"{where} is empty", "write a value, or remove the key", code="type")
        if raw is not None:
            return Problem(path, line, col, f"{where} must be text, but YAML reads '{raw}' as {_yaml_reading(value)}",
                           f'write it in quotes: "{raw}"', code="type")
        return Problem(path, line, col, f"{where} must be text, not {_kind_of(value)}",
                       "write a single value (quote it if it contains ': ' or starts with a special character)", code="type")
    if kind == "string_pattern_mismatch" and len(loc) >= 2 and loc[-2] == "bdu":
        return Problem(path, line, col, f"'{value}' is not an FSTEC threat id at {where}",
                       "write it as in the FSTEC threat list, e.g. УБИ.008 (Cyrillic УБИ, three digits)", code="id")
    if kind == "string_pattern_mismatch" and loc and loc[-1] != "threat":
        return Problem(path, line, col, f"'{value}' is not a valid id at {where}",
                       "ids use lowercase letters, digits, '.', '_' and '-', and start with a letter or digit", code="id")
    if kind == "string_pattern_mismatch":
        return Problem(path, line, col, f"'{value}' is not a threat id at {where}",
                       "threat ids look like RULE-ID@target-id, as printed by 'tmodel analyze'", code="id")
    if kind == "string_too_short":
        return Problem(path, line, col, f"{where} must not be empty", "write a value, or remove the key", code="type")
    if kind == "string_too_long":
        limit = (err.get("ctx") or {}).get("max_length")
        return Problem(path, line, col, f"{where} is longer than {limit} characters",
                       "shorten it; put long explanations in 'description'", code="type")
    if kind.startswith("bool"):
        return Problem(path, line, col, f"{where} must be true or false, not '{raw if raw is not None else value}'",
                       "write true or false", code="type")
    if kind.startswith("date"):
        return Problem(path, line, col, f"{where} must be a date, not '{raw if raw is not None else value}'",
                       "write dates as YYYY-MM-DD", code="type")
    if kind.startswith("int") or kind.startswith("float"):
        return Problem(path, line, col, f"{where} must be a whole number, not '{raw if raw is not None else value}'",
                       "write a number without quotes or units", code="type")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        ctx = err.get("ctx") or {}
        bound = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in ctx.items())
        return Problem(path, line, col, f"{where} is {value}, out of range ({bound})", docs, code="range")
    if kind == "too_short":
        return Problem(path, line, col, f"{where} needs at least {(err.get('ctx') or {}).get('min_length')} item(s)", docs, code="type")
    msg = err.get("msg", "invalid value")
    return Problem(path, line, col, f"{where}: {msg}", docs, code=kind)


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text '{value}'" if len(value) <= 40 else "a text"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"a {type(value).__name__}"
