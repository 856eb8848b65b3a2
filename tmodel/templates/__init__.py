"""Shipped starting points: model templates (``tmodel new``) and component snippets (Structure screen).

Templates (``models/*.yaml``) are complete, commented models of the common integration shapes;
snippets (``snippets/*.yaml``) are small models of reusable components whose boundaries, elements,
flows and data assets are merged into an open model (``tmodel.templates.merge``). Both are plain
files in the package, valid models in their own right, and the test suite validates and analyses
each of them. This module imports no textual.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tmodel.fsutil import atomic_write_text
from tmodel.model.save import ModelDocument

HERE = Path(__file__).parent
MODEL_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")  # the model format's id pattern (tmodel/model/types.py)
DEFAULT_TEMPLATE = "partner-b2b-mtls"


@dataclass(frozen=True)
class Template:
    name: str
    kind: str  # "model" or "snippet"
    path: Path
    title: str
    summary: str  # the first line of the file's leading comment, without its "Template:" prefix

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def data(self) -> dict[str, Any]:
        return yaml.safe_load(self.text()) or {}


def _summary(text: str) -> str:
    lines: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line.lstrip("#").strip()
        if body.startswith("yaml-language-server"):
            continue
        if not body:
            if lines:
                break
            continue
        lines.append(body)
    s = " ".join(lines)
    s = re.sub(r"^(Template|Snippet):\s*", "", s)
    return s.split(". ")[0].rstrip(".")


def _load(kind: str) -> list[Template]:
    out = []
    for p in sorted((HERE / ("models" if kind == "model" else "snippets")).glob("*.yaml")):
        text = p.read_text(encoding="utf-8")
        meta = (yaml.safe_load(text) or {}).get("metadata") or {}
        out.append(Template(p.stem, kind, p, str(meta.get("title", p.stem)), _summary(text)))
    return out


def templates() -> list[Template]:
    return _load("model")


def snippets() -> list[Template]:
    return _load("snippet")


def find(name: str, kind: str = "model") -> Template | None:
    return next((t for t in (templates() if kind == "model" else snippets()) if t.name == name), None)


def id_problem(ident: str) -> str | None:
    """Why ``ident`` cannot be a model id, or None when it can."""
    if not ident:
        return "the model id is empty"
    if ident == "model":
        return "'model' is reserved (it names model-wide threats)"
    if not MODEL_ID.match(ident):
        return f"'{ident}' is not a valid model id"
    return None


ID_HINT = "use lowercase letters, digits, '.', '_' or '-', starting with a letter or digit, up to 64 characters (e.g. sbp-payments)"


def render(template: Template, ident: str) -> str:
    """The template's text with ``metadata.id`` set to ``ident``; comments and layout are kept."""
    doc = ModelDocument(template.text(), str(template.path))
    doc.set(("metadata", "id"), ident)
    return doc.text()


class NewModelError(ValueError):
    """Why a model cannot be created: ``where: error: message`` with a hint."""

    def __init__(self, where: str, message: str, hint: str):
        super().__init__(message)
        self.where, self.message, self.hint = where, message, hint

    def format(self) -> str:
        return f"{self.where}: error: {self.message}\n    hint: {self.hint}"


def create(ident: str, template_name: str, folder: str) -> str:
    """Write ``folder/ident.yaml`` from the named template and return its path. Never overwrites:
    an existing file (even one created meanwhile) raises NewModelError, as do a bad id and an
    unknown template."""
    why = id_problem(ident)
    if why:
        raise NewModelError(ident or "(empty id)", why, ID_HINT)
    template = find(template_name)
    if template is None:
        names = [t.name for t in templates()]
        close = difflib.get_close_matches(template_name, names, n=1)
        hint = (f"did you mean '{close[0]}'? " if close else "") + "templates: " + ", ".join(names) + " (tmodel new --list)"
        raise NewModelError(template_name, f"no template named '{template_name}'", hint)
    path = os.path.join(folder, f"{ident}.yaml")
    exists = NewModelError(path, "the file already exists; a new model never overwrites one",
                           "choose another id, or remove or rename the existing file first")
    if os.path.exists(path):
        raise exists
    text = render(template, ident)
    os.makedirs(folder, exist_ok=True)
    try:
        atomic_write_text(path, text, exclusive=True)  # never replaces a file, even one created meanwhile
    except FileExistsError:
        raise exists from None
    return path
