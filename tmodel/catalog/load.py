"""Load catalogs (shipped and the user's), check every reference, compile every rule once."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tmodel.catalog import bdu
from tmodel.catalog.facts import fact_schema
from tmodel.catalog.matcher import Compiler, Explain, Pins, Pred, Tri, compile_tri, fact_paths, pinned_only, pins
from tmodel.catalog.types import AppliesTo, CatalogFile, CatalogInfo, Control, Requirement, Rule
from tmodel.model.load import _locate_error_generic
from tmodel.model.yamlsafe import load_yaml, read_text
from tmodel.problems import Problem, ProblemError


def shipped_catalog_dir() -> Path:
    env = os.environ.get("TMODEL_CATALOGS")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parent.parent.parent / "catalogs"  # a source checkout / editable install
    if repo.is_dir():
        return repo
    import sys  # an installed wheel puts them in <prefix>/share/tmodel/catalogs (pyproject data-files)

    for prefix in (sys.prefix, sys.base_prefix):
        installed = Path(prefix) / "share" / "tmodel" / "catalogs"
        if installed.is_dir():
            return installed
    return repo


@dataclass
class CompiledRule:
    rule: Rule
    catalog: str
    file: str
    when: Pred
    explain: Explain
    scope: Pred | None
    line: int = 0
    tri: Tri | None = None  # three-valued 'when': does it hold on stated facts, or only on unstated ones?
    reads: frozenset[str] = frozenset()  # the fact paths 'when' reads, relative to the target
    scope_pins: Pins = ()  # facts the scope / 'when' pin to some values (tmodel.analysis.matching indexes them)
    when_pins: Pins = ()
    scope_pinned_only: bool = False  # the scope is its pins: no need to evaluate it where they hold


@dataclass
class Catalog:
    infos: dict[str, CatalogInfo] = field(default_factory=dict)
    requirements: dict[str, Requirement] = field(default_factory=dict)
    controls: dict[str, Control] = field(default_factory=dict)
    rules: dict[str, CompiledRule] = field(default_factory=dict)
    catalog_of: dict[str, str] = field(default_factory=dict)  # record id -> catalog id
    control_applies: dict[str, tuple[Pred, Explain]] = field(default_factory=dict)
    catalog_applies: dict[str, Pred] = field(default_factory=dict)  # catalog id -> model-level applicability
    shipped: set[str] = field(default_factory=set)  # catalog ids that ship with tmodel
    overrides: list[str] = field(default_factory=list)  # human notes: user records replacing shipped ones
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @cached_property
    def traces(self) -> dict[str, frozenset[str]]:
        """Rule id -> the requirements its findings trace to: the ones the rule cites and the ones met by
        every control that checks it. The one relation behind a threat's requirement list, the compliance
        view (a control whose check rule fires is a gap for what it satisfies) and docs/seed-traceability.md."""
        out: dict[str, set[str]] = {rid: {q for q in cr.rule.references.requirements if q in self.requirements}
                                    for rid, cr in self.rules.items()}
        for c in self.controls.values():
            for rid in (c.check.rules if c.check else []):
                if rid in out:
                    out[rid].update(q for q in c.satisfies if q in self.requirements)
        return {rid: frozenset(qs) for rid, qs in out.items()}

    def framework_of(self, req_id: str) -> str:
        r = self.requirements[req_id]
        return r.framework or self.infos[self.catalog_of[req_id]].framework or self.catalog_of[req_id]

    def frameworks(self) -> list[tuple[str, str]]:
        """(framework id, title) of every framework that has requirements, in load order."""
        seen: dict[str, str] = {}
        for rid in self.requirements:
            fw = self.framework_of(rid)
            seen.setdefault(fw, self.framework_title(fw, self.catalog_of[rid]))
        return list(seen.items())

    def framework_title(self, framework: str, catalog_id: str) -> str:
        info = self.infos[catalog_id]
        if framework in info.framework_titles:
            return info.framework_titles[framework]
        return (info.framework_title if framework == info.framework else None) or info.framework_title or info.title


def _chain(first: Explain, second: Explain) -> Explain:
    return lambda ctx: first(ctx) + second(ctx)


def catalog_files(dirs: list[Path]) -> list[Path]:
    out: list[Path] = []
    for d in dirs:
        if d.is_file():
            out.append(d)
        elif d.is_dir():
            out += sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))
    return out


def load_catalogs(extra_dirs: list[str] | None = None, *, shipped: bool = True) -> Catalog:
    dirs = ([shipped_catalog_dir()] if shipped else []) + [Path(d) for d in extra_dirs or []]
    return _load(tuple(str(d) for d in dirs), tuple(bool(i == 0 and shipped) for i in range(len(dirs))), _signature(dirs))


def _signature(dirs: list[Path]) -> tuple[object, ...]:
    """What the cache must notice: the folder a relative path means, and each file's size and mtime."""
    out: list[object] = [os.getcwd()]
    for f in catalog_files([d for d in dirs if d.exists()]):
        try:
            st = f.stat()
        except OSError:
            continue
        out.append((str(f), st.st_mtime_ns, st.st_size))
    return tuple(out)


@functools.lru_cache(maxsize=8)
def _load(dirs: tuple[str, ...], is_shipped: tuple[bool, ...], signature: tuple[object, ...] = ()) -> Catalog:
    cat = Catalog()
    schema = fact_schema()
    origin: dict[str, str] = {}  # record id -> file that defined it
    pending: list[tuple[str, Any, CatalogFile, bool]] = []
    for d, shipped in zip(dirs, is_shipped):
        p = Path(d)
        if not p.exists():
            cat.problems.append(Problem(d, 0, 0, "catalog folder does not exist", "check --catalog or the project configuration"))
            continue
        for f in catalog_files([p]):
            fn = str(f)
            cat.files.append(fn)
            try:
                located = load_yaml(read_text(fn), fn)
            except ProblemError as exc:
                cat.problems += exc.problems
                continue
            if not isinstance(located.data, dict):
                cat.problems.append(Problem(fn, 1, 1, "a catalog must be a mapping with 'catalog:' and records", ""))
                continue
            try:
                cf = CatalogFile.model_validate(located.data)
            except ValidationError as exc:
                cat.problems += sorted({_locate_error_generic(e, located, fn, CatalogFile) for e in exc.errors()})
                continue
            pending.append((fn, located, cf, shipped))

    for fn, located, cf, shipped in pending:
        cid = cf.catalog.id
        cat.infos.setdefault(cid, cf.catalog)
        if cf.catalog.applies_when is not None and cid not in cat.catalog_applies:
            comp = Compiler(schema["model"])
            cat.catalog_applies[cid] = comp.compile(cf.catalog.applies_when, ("catalog", "applies_when"))[0]
            for loc, msg, hint in comp.errors:
                l2, c2 = located.where(loc)
                cat.problems.append(Problem(fn, l2, c2, f"catalog {cid}: {msg}", hint))
        if shipped:
            cat.shipped.add(cid)
        records: list[tuple[str, int, Requirement | Control | Rule]] = [
            *(("requirements", i, r) for i, r in enumerate(cf.requirements)),
            *(("controls", i, c) for i, c in enumerate(cf.controls)),
            *(("rules", i, r) for i, r in enumerate(cf.rules)),
        ]
        for kind, i, item in records:
            line, col = located.where((kind, i, "id"))
            if item.id in origin:
                if origin[item.id] == fn or shipped:
                    cat.problems.append(Problem(fn, line, col, f"duplicate {kind[:-1]} id '{item.id}' (also in {origin[item.id]})",
                                                "ids are global across catalogs; rename one"))
                    continue
                cat.overrides.append(f"{fn}:{line}:{col}: {kind[:-1]} '{item.id}' replaces the one in {origin[item.id]}")
            origin[item.id] = fn
            cat.catalog_of[item.id] = cid
            if isinstance(item, Requirement):
                cat.requirements[item.id] = item
            elif isinstance(item, Control):
                cat.controls[item.id] = item
            else:
                comp = Compiler(schema[item.applies.to.value])
                when, explain = comp.compile(item.when, (kind, i, "when"))
                scope, scope_explain = comp.compile(item.scope, (kind, i, "scope")) if item.scope is not None else (None, None)
                for loc, msg, hint in comp.errors:
                    l2, c2 = located.where(loc)
                    cat.problems.append(Problem(fn, l2, c2, f"rule {item.id}: {msg}", hint))
                if scope_explain is not None:  # why it fired = where it applies + what is wrong there
                    explain = _chain(scope_explain, explain)
                tri = compile_tri(item.when) if not comp.errors else None
                ok = not comp.errors
                cat.rules[item.id] = CompiledRule(item, cid, fn, when, explain, scope, line, tri, fact_paths(item.when),
                                                  pins(item.scope) if ok and item.scope is not None else (),
                                                  pins(item.when) if ok else (),
                                                  ok and item.scope is not None and pinned_only(item.scope))
        for i, c in enumerate(cf.controls):
            if c.question and c.question.applies_when is not None:
                comp = Compiler(schema["model"])
                cat.control_applies[c.id] = comp.compile(c.question.applies_when, ("controls", i, "question", "applies_when"))
                for loc, msg, hint in comp.errors:
                    l2, c2 = located.where(loc)
                    cat.problems.append(Problem(fn, l2, c2, f"control {c.id}: {msg}", hint))
    # references resolve across every loaded catalog, so they are checked once all are in
    for fn, located, cf, _shipped in pending:
        _check_refs(cat, cf, located, fn)
    bdu.remember(cat)
    return cat


def _check_refs(cat: Catalog, cf: CatalogFile, located: Any, fn: str) -> None:
    def bad(loc: tuple[Any, ...], what: str, value: str, known: dict[str, Any]) -> None:
        import difflib

        close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.7)
        line, col = located.where(loc)
        cat.problems.append(Problem(fn, line, col, f"unknown {what} '{value}'", f"did you mean '{close[0]}'?" if close else f"define the {what} in a catalog"))

    for i, c in enumerate(cf.controls):
        for j, req in enumerate(c.satisfies):
            if req not in cat.requirements:
                bad(("controls", i, "satisfies", j), "requirement", req, cat.requirements)
        if c.check:
            for j, rid in enumerate(c.check.rules):
                if rid not in cat.rules:
                    bad(("controls", i, "check", "rules", j), "rule", rid, cat.rules)
        if not c.check and not c.question:
            line, col = located.where(("controls", i, "id"))
            cat.problems.append(Problem(fn, line, col, f"control {c.id} has neither an automatic check nor an audit question",
                                        "add check.rules or a question, so its status can be derived", "warning"))
    for i, r in enumerate(cf.rules):
        for j, cid in enumerate(r.controls):
            if cid not in cat.controls:
                bad(("rules", i, "controls", j), "control", cid, cat.controls)
        for j, q in enumerate(r.references.requirements):
            if q not in cat.requirements:
                bad(("rules", i, "references", "requirements", j), "requirement", q, cat.requirements)
        if r.applies.to != AppliesTo.ELEMENT and (r.applies.kinds or r.applies.technologies):
            line, col = located.where(("rules", i, "applies"))
            cat.problems.append(Problem(fn, line, col, f"rule {r.id}: kinds/technologies only apply to element rules",
                                        "use a condition on flow.source.technology / flow.target.technology instead"))
