"""The schema of the facts that rules may name: path -> type.

Built from the model's pydantic types (every field of an element, a flow, the metadata) plus the
derived facts that ``tmodel.graph`` declares. The catalog loader checks every path and value
against it, so a typo in a rule is an error, never a rule that silently cannot fire.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel

from tmodel.graph import DERIVED, END_KEYS
from tmodel.model.load import _unwrap
from tmodel.model.types import Element, Flow, Metadata
from tmodel.sources.wso2_config import FACT_TYPES as WSO2_CONFIG_FACTS

FactType = Any  # "bool" | "int" | "str" | "date" | ("enum", E) | ("list", E|"str")



# model fields that are bookkeeping, not facts a rule could test
NOT_FACTS = {"derived_from"}


def _walk(cls: type[BaseModel], prefix: str, out: dict[str, FactType]) -> None:
    for name, f in cls.model_fields.items():
        if name in NOT_FACTS:
            continue
        tp = _unwrap(f.annotation)
        path = f"{prefix}{name}"
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            out[path] = "object"
            _walk(tp, path + ".", out)
        elif origin is list:
            (arg,) = typing.get_args(tp)
            arg = _unwrap(arg)
            out[path] = ("list", arg if isinstance(arg, type) and issubclass(arg, Enum) else "str")
        elif isinstance(tp, type) and issubclass(tp, Enum):
            out[path] = ("enum", tp)
        elif tp is bool:
            out[path] = "bool"
        elif tp is int:
            out[path] = "int"
        elif tp is dt.date:
            out[path] = "date"
        else:
            out[path] = "str"


@functools.lru_cache(maxsize=1)
def fact_schema() -> dict[str, dict[str, FactType]]:
    element: dict[str, FactType] = {}
    _walk(Element, "element.", element)
    element.update({f"element.{k}": v for k, v in DERIVED["element"].items()})
    element["element.config"] = "object"  # the linked configuration file's settings (tmodel.sources)
    element.update({f"element.config.{k}": v for k, v in WSO2_CONFIG_FACTS.items()})
    flow: dict[str, FactType] = {}
    _walk(Flow, "flow.", flow)
    flow.update({f"flow.{k}": v for k, v in DERIVED["flow"].items()})
    for end in ("source", "target"):
        flow[f"flow.{end}"] = "object"
        for k in END_KEYS:
            flow[f"flow.{end}.{k}"] = element[f"element.{k}"]
    model: dict[str, FactType] = {"model.metadata": "object"}
    _walk(Metadata, "model.metadata.", model)
    model.update({f"model.{k}": v for k, v in DERIVED["model"].items()})
    return {"element": {**element, **model}, "flow": {**flow, **model}, "model": model}


def describe_facts(target: str | None = None) -> str:
    """Human listing of the fact schema, for rule writers and docs/catalog-format.md."""
    schema = fact_schema()
    lines: list[str] = []
    for kind in ([target] if target else ["element", "flow", "model"]):
        lines.append(f"# facts for '{kind}' rules")
        for path, ftype in sorted(schema[kind].items()):
            if kind != "model" and path.startswith("model.") and target is None:
                continue
            if ftype == "object":
                continue
            if isinstance(ftype, tuple):
                inner = ftype[1]
                vals = " | ".join(m.value for m in inner) if isinstance(inner, type) and issubclass(inner, Enum) else "str"
                desc = f"list of {vals}" if ftype[0] == "list" else vals
            else:
                desc = ftype
            lines.append(f"{path}: {desc}")
        lines.append("")
    return "\n".join(lines)
