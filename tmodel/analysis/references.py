"""Model-to-catalog references: control ids, audit question ids and decision rule ids must exist."""

from __future__ import annotations

import difflib
from typing import Any

from tmodel.catalog.load import Catalog
from tmodel.model.types import Model
from tmodel.model.yamlsafe import Located
from tmodel.problems import Problem


def check_catalog_references(model: Model, catalog: Catalog, located: Located | None, path: str) -> list[Problem]:
    out: list[Problem] = []

    def at(loc: tuple[Any, ...], msg: str, hint: str, severity: str = "error") -> None:
        line, col = located.where(loc) if located else (0, 0)
        out.append(Problem(path, line, col, msg, hint, severity, "unknown-ref"))

    def suggest(value: str, known: list[str]) -> str:
        close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
        return f"did you mean '{close[0]}'?" if close else "run 'tmodel analyze' to see the ids in use"

    controls = list(catalog.controls)
    for i, cs in enumerate(model.controls):
        if cs.control not in catalog.controls:
            at(("controls", i, "control"), f"unknown control '{cs.control}'", suggest(cs.control, controls))
    for i, a in enumerate(model.answers):
        c = catalog.controls.get(a.question)
        if c is None:
            at(("answers", i, "question"), f"unknown audit question '{a.question}'", suggest(a.question, controls))
        elif c.question is None:
            at(("answers", i, "question"), f"control '{a.question}' has no audit question: it is checked from the model",
               "remove this answer, or record the control's status under 'controls:'", "warning")
    for i, d in enumerate(model.decisions):
        rule = d.threat.split("@", 1)[0]
        if rule not in catalog.rules:
            at(("decisions", i, "threat"), f"decision refers to unknown rule '{rule}'", suggest(rule, list(catalog.rules)), "warning")
        if d.control and d.control not in catalog.controls:
            at(("decisions", i, "control"), f"unknown control '{d.control}'", suggest(d.control, controls))
    if model.metadata.catalogs is not None:
        for j, cid in enumerate(model.metadata.catalogs):
            if cid not in catalog.infos:
                at(("metadata", "catalogs", j), f"unknown catalog '{cid}'", suggest(cid, sorted(catalog.infos)))
    return out


def with_catalog_references(lm: Any, catalog: Catalog | None, path: str | None = None, *,
                            reader: Any = None) -> Any:
    """Add the problems of what a loaded model (``Loaded``) refers to outside its file: catalog ids,
    and linked configuration files (missing, unreadable, invalid). Returns it.

    ``reader`` reads linked files relative to the model (from a git revision, say); by default
    they are read from disk next to the model."""
    if lm.model is not None and catalog is not None:
        found = check_catalog_references(lm.model, catalog, lm.located, path or lm.path)
        if lm.model.configs:
            from tmodel.analysis.config_facts import audit_linked

            found += audit_linked(lm.model, path or lm.path, reader, lm.located)[1]
        lm.problems = sorted(set(lm.problems) | set(found))
    return lm
