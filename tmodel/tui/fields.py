"""Form field specifications derived from the model's pydantic types (no textual import).

The Structure screen builds its forms from these: enums become selects with each value's
description, booleans switches, references to other items selects of their ids, the rest text.
``coerce`` turns what the user typed into the value written to the YAML, or says what is wrong.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel

from tmodel.model.types import Boundary, DataAsset, Element, Flow, Metadata

SECTION_CLASSES: dict[str, type[BaseModel]] = {
    "metadata": Metadata, "boundaries": Boundary, "elements": Element, "flows": Flow, "data_assets": DataAsset,
}
# (section, field path) -> the section whose ids it refers to
REFS: dict[tuple[str, tuple[str, ...]], str] = {
    ("elements", ("boundary",)): "boundaries",
    ("boundaries", ("parent",)): "boundaries",
    ("flows", ("from",)): "elements",
    ("flows", ("to",)): "elements",
    ("flows", ("data",)): "data_assets",
}
LONG_TEXT = {"description"}
SKIP = {("metadata", ("format_version",))}
# fields worth asking for when an item is added (beyond id and title)
REQUIRED_ON_ADD: dict[str, tuple[str, ...]] = {
    "boundaries": ("zone",), "elements": ("kind", "technology", "boundary"), "flows": ("from", "to", "protocol"),
    "data_assets": ("classification",),
}


ACRONYMS = {"tls": "TLS", "pkce": "PKCE", "par": "PAR", "ip": "IP", "ciba": "CIBA", "mfa": "MFA", "pd": "PD",
            "rkn": "RKN", "id": "id", "byod": "BYOD", "url": "URL", "urls": "URLs", "gost": "GOST", "cert": "certificate"}


def pretty(key: str) -> str:
    """``admin_mfa`` -> ``Admin MFA``: a field key as a label."""
    words = [ACRONYMS.get(w, w) for w in key.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class FieldSpec:
    path: tuple[str, ...]  # YAML keys inside the item, e.g. ("tls", "min_version")
    label: str
    kind: str  # group | enum | bool | text | longtext | int | date | list | ref | refs
    help: str = ""
    enum: Any = None
    optional: bool = False
    default: Any = None
    ref: str | None = None
    depth: int = 0

    @property
    def key(self) -> str:
        return "-".join(self.path)


def _unwrap(tp: Any) -> tuple[Any, bool]:
    optional = False
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(tp))
            if len(args) != 1:
                return tp, optional
            tp = args[0]
        else:
            return tp, optional


def field_specs(section: str) -> list[FieldSpec]:
    """Every editable field of an item of ``section`` (ids are renamed, not edited)."""
    out: list[FieldSpec] = []
    _walk(section, SECTION_CLASSES[section], (), 0, out)
    return out


def _walk(section: str, cls: type[BaseModel], prefix: tuple[str, ...], depth: int, out: list[FieldSpec]) -> None:
    for name, f in cls.model_fields.items():
        key = f.alias or name
        path = prefix + (key,)
        if (section, path) in SKIP or (path == ("id",) and section != "metadata") or path == ("derived_from",):
            continue
        tp, optional = _unwrap(f.annotation)
        help_text = f.description or ""
        default = None if f.is_required() else f.get_default(call_default_factory=True)
        label = pretty(key)
        ref = REFS.get((section, path))
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            out.append(FieldSpec(path, label, "group", help_text, depth=depth, optional=optional))
            _walk(section, tp, path, depth + 1, out)
            continue
        origin = typing.get_origin(tp)
        if ref is not None:
            kind = "refs" if origin is list else "ref"
        elif isinstance(tp, type) and issubclass(tp, Enum):
            kind = "enum"
        elif tp is bool:
            kind = "bool"
        elif tp is int:
            kind = "int"
        elif tp is dt.date:
            kind = "date"
        elif origin is list:
            kind = "list"
        else:
            kind = "longtext" if key in LONG_TEXT else "text"
        out.append(FieldSpec(path, label, kind, help_text, tp if kind == "enum" else None, optional,
                             default.value if isinstance(default, Enum) else default, ref, depth))


def coerce(spec: FieldSpec, raw: Any) -> Any:
    """The value to write for what the user entered. Raises ValueError with a readable message."""
    if spec.kind in ("bool", "enum", "ref", "refs"):
        return raw
    text = "" if raw is None else str(raw)
    stripped = text.strip()
    if spec.kind == "int":
        if not stripped:
            if spec.optional:
                return None
            raise ValueError(f"{spec.label} needs a whole number")
        try:
            return int(stripped)
        except ValueError:
            raise ValueError(f"'{stripped}' is not a whole number") from None
    if spec.kind == "date":
        if not stripped:
            if spec.optional:
                return None
            raise ValueError(f"{spec.label} needs a date (YYYY-MM-DD)")
        try:
            return dt.date.fromisoformat(stripped)
        except ValueError:
            raise ValueError(f"'{stripped}' is not a date: write YYYY-MM-DD") from None
    if spec.kind == "list":
        items = [x.strip() for x in text.replace("\n", ",").split(",")]
        items = [x for x in items if x]
        if not items and spec.optional:
            return None
        return items
    if spec.kind == "longtext":
        return text.rstrip() or None
    if not stripped and (spec.optional or spec.default == ""):
        return None
    return stripped


def display(spec: FieldSpec, value: Any) -> str:
    """How a stored value is shown in a text box."""
    if value is None:
        return ""
    if spec.kind == "list":
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# protocols that carry TLS in the model (https needs a version); plaintext ones must not declare it
TLS_PROTOCOLS = {"https"}
PLAINTEXT_PROTOCOLS = {"http", "ftp"}
TLS_DEFAULT = "1.2"
TLS_FLAGS = ("mutual", "client_cert_verified", "forward_secrecy")


def linked_edits(section: str, path: tuple[str, ...], value: Any, get: Any) -> list[tuple[tuple[str, ...], Any, str]]:
    """The companion edits one field edit needs so that the model stays valid, as
    ``(path, value, note)``: http -> https sets a TLS version; https -> http clears TLS.
    ``get(path)`` reads the item's current value. Each half alone would be rejected."""
    if section != "flows" or path != ("protocol",):
        return []
    version = str(get(("tls", "min_version")) or "none")
    out: list[tuple[tuple[str, ...], Any, str]] = []
    if value in TLS_PROTOCOLS and version == "none":
        out.append((("tls", "min_version"), TLS_DEFAULT,
                    f"{value} needs TLS: TLS min version set to {TLS_DEFAULT}; set 1.3 if the server accepts only 1.3"))
    elif value in PLAINTEXT_PROTOCOLS and version != "none":
        out.append((("tls", "min_version"), "none", f"{value} has no TLS: TLS min version set to none"))
        for flag in TLS_FLAGS:
            if get(("tls", flag)):
                out.append((("tls", flag), None, f"{value} has no TLS: tls.{flag} removed"))
    return out
