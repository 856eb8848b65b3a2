"""Signal benchmark: does the analysis say what matters, on the examples and on real inputs?

    make bench                      # or: .venv/bin/python benchmarks/signal.py

For every example model in models/ and every real file in ../shared/testdata (resolved from the
repository root, as CI lays it out) that imports, prints one row:

- findings: threats after grouping (one per rule and element, or per rule and source->destination);
- rules: distinct rules among them;
- members/finding: mean and maximum number of affected items a finding lists;
- open by residual level: unresolved (open or expired) findings per residual level, the level
  `tmodel check --fail-on` reads (low/medium/high/critical);
- unknowns: facts the model leaves unstated that decide whether a rule fires (questions to confirm);
- n/a frameworks: frameworks reported as not applicable to the model.

Inputs are imported the way `tmodel import ... -o FILE` does it (the same importer, rendered and
written to a temporary folder), then loaded and analysed the way `tmodel analyze FILE` does. What
does not import is listed under the table with the reason. Timing is wall-clock for the whole run.
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TESTDATA = ROOT.parent / "shared" / "testdata"
LEVELS = ("low", "medium", "high", "critical")


@dataclass
class Row:
    source: str
    findings: int
    rules: int
    members: int
    members_max: int
    open_levels: dict[str, int]
    unknowns: int
    not_applicable: list[str]


def _importers() -> dict[str, Callable[[str], Any]]:
    """Importer kind (testdata's top folder) -> the function `tmodel import KIND` calls."""
    from tmodel.importers import threagile, threat_dragon
    from tmodel.importers.openapi import build_draft, load_spec
    from tmodel.importers.wso2_project import build as wso2_build

    return {
        "openapi": lambda p: build_draft(load_spec(p)),
        "wso2-apictl": wso2_build,
        "threagile": threagile.import_threagile,
        "threat-dragon": threat_dragon.import_threat_dragon,
    }


def inputs(testdata: Path) -> tuple[list[tuple[str, str, Path]], list[tuple[str, str]]]:
    """(kind, label, path) of every importable input, and (label, why) of the files that are not.

    An apictl project folder (api.yaml beside Definitions/) is one input; the files in it are not
    imported separately.
    """
    known = set(_importers())
    todo: list[tuple[str, str, Path]] = []
    skipped: list[tuple[str, str]] = []
    projects = {p.parent for p in testdata.glob("wso2-apictl/**/api.yaml") if (p.parent / "Definitions").is_dir()}
    for p in sorted(testdata.rglob("*")):
        if not p.is_file() or p.name == "README.md":
            continue
        rel = p.relative_to(testdata)
        kind = rel.parts[0]
        if any(proj in p.parents for proj in projects):
            continue
        if kind == "wso2-config":
            skipped.append((_label(rel), "a gateway deployment.toml: audited through a model's configs:, not imported"))
        elif kind in known:
            todo.append((kind, _label(rel), p))
        else:
            skipped.append((_label(rel), f"no importer for '{kind}'"))
    todo += [("wso2-apictl", _label(proj.relative_to(testdata)) + "/", proj) for proj in sorted(projects)]
    return sorted(todo, key=lambda x: x[1]), skipped


def _label(rel: Path) -> str:
    """'openapi/OpenBankingUK-read-write-api-specs/vrp-openapi.yaml' -> 'openapi/vrp-openapi.yaml' (kind/file)."""
    parts = rel.parts
    return "/".join((parts[0], *parts[2:])) if len(parts) > 2 else str(rel)


def row(label: str, path: str, cat: Any) -> Row:
    """Load and analyse one model file as `tmodel analyze` does."""
    from tmodel.analysis.engine import analyze
    from tmodel.analysis.references import with_catalog_references
    from tmodel.model.load import load_model

    lm = with_catalog_references(load_model(path), cat)
    if not lm.ok:
        raise ValueError("; ".join(p.format() for p in lm.errors[:3]))
    a = analyze(lm.model, cat, path=lm.path, located=lm.located)
    sizes = [len(t.members) for t in a.threats] or [0]  # an ungrouped finding lists itself as its one member
    levels = {lv: 0 for lv in LEVELS}
    for t in a.threats:
        if t.unresolved:
            levels[t.residual_level] += 1
    return Row(label, len(a.threats), len({t.rule for t in a.threats}), sum(sizes), max(sizes),
               levels, len(a.unknowns), sorted(a.frameworks_not_applicable))


def imported_row(kind: str, label: str, path: Path, folder: Path, cat: Any) -> Row:
    """Import like `tmodel import KIND PATH -o FILE`, then analyse FILE."""
    from tmodel.importers.common import render

    draft = _importers()[kind](str(path))
    out = folder / (label.strip("/").replace("/", "__") + ".yaml")
    out.write_text(render(draft, output=str(out)), encoding="utf-8")
    return row(label, str(out), cat)


def table(rows: list[Row]) -> str:
    head = ["source", "findings", "rules", "members/finding", "open low/med/high/crit", "unknowns", "n/a frameworks"]
    body = [[r.source, str(r.findings), str(r.rules), f"{r.members / max(r.findings, 1):.1f} / {r.members_max}",
             "/".join(str(r.open_levels[lv]) for lv in LEVELS), str(r.unknowns),
             ", ".join(r.not_applicable) or "-"] for r in rows]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    right = {1, 2, 3, 4, 5}

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, body)])


def main() -> int:
    from tmodel.catalog.load import load_catalogs
    from tmodel.problems import ProblemError

    started = time.perf_counter()
    cat = load_catalogs()
    rows: list[Row] = []
    notes: list[str] = []
    for p in sorted((ROOT / "models").glob("*.yaml")):
        rows.append(row(f"models/{p.name}", str(p), cat))
    if TESTDATA.is_dir():
        todo, skipped = inputs(TESTDATA)
        with tempfile.TemporaryDirectory(prefix="tmodel-signal-") as tmp:
            for kind, label, path in todo:
                try:
                    rows.append(imported_row(kind, f"testdata/{label}", path, Path(tmp), cat))
                except ProblemError as exc:
                    notes.append(f"testdata/{label}: does not import: {exc.problems[0].format().splitlines()[0]}")
                except ValueError as exc:
                    notes.append(f"testdata/{label}: the imported model does not validate: {exc}")
        notes += [f"testdata/{label}: skipped: {why}" for label, why in skipped]
    else:
        notes.append(f"{TESTDATA} not found: only the example models were measured")
    print(table(rows))
    for n in notes:
        print(n)
    total = sum(r.findings for r in rows)
    members = sum(r.members for r in rows)
    print(f"{len(rows)} models, {total} findings covering {members} items, "
          f"{sum(r.unknowns for r in rows)} unknowns; total time {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
