"""Generate docs/seed-traceability.md from the shipped catalogs and ../shared/seed/bullets.md.

    .venv/bin/python tools/gen_traceability.py          # rewrite the doc
    .venv/bin/python tools/gen_traceability.py --check  # exit 1 if the committed doc is stale
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmodel.catalog.load import load_catalogs  # noqa: E402

DOC = ROOT / "docs" / "seed-traceability.md"
BULLETS = ROOT.parent / "shared" / "seed" / "bullets.md"
ROW = re.compile(r"^\|\s*(S\d+[a-z]?)\s*\|\s*(.+?)\s*\|\s*(.+?)\s*\|\s*$")
SEED_ORDER = re.compile(r"S(\d+)([a-z]?)")

HEADER = """# Seed traceability

Each requirement of the seed document (`../shared/seed/bullets.md`, ids S1..S20c) traced to the
catalog controls that cite it (`seed:` field, any shipped catalog), the rules whose findings trace to
it (the rule cites `SEED-<id>`, or a control that checks the rule satisfies it: the same relation that
fills a threat's requirement list and the compliance view, `Catalog.traces`), and the audit questions
that cover the organizational part. Requirement ids
`SEED-<id>` live in `catalogs/wso2-baseline.yaml`. `tests/test_seed_coverage.py` enforces that every
id is cited and that every technical id is checked by a rule with a test case in `tests/rule_cases/`.

Generated from the catalogs by `tools/gen_traceability.py`; `tests/test_traceability_doc.py` fails
when it is stale.
"""


def seed_rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in BULLETS.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            rows.append(m.groups())
    return rows


def _key(seed: str) -> tuple[int, str]:
    m = SEED_ORDER.fullmatch(seed)
    return (int(m.group(1)), m.group(2)) if m else (999, seed)


def render() -> str:
    cat = load_catalogs()
    rows = seed_rows()
    out = [HEADER, "| Seed | Kind | Requirement | Controls | Rules (automatic checks) | Audit questions |", "|---|---|---|---|---|---|"]
    for sid, _text, kind in rows:
        req = cat.requirements.get(f"SEED-{sid}")
        title = req.title if req else _text
        ctrls = [c for c in cat.controls.values() if sid in c.seed]
        ctrls.sort(key=lambda c: (cat.catalog_of[c.id] != "wso2-baseline", cat.catalog_of[c.id], c.id))
        names = [c.id if cat.catalog_of[c.id] == "wso2-baseline" else f"{c.id} ({cat.catalog_of[c.id]})" for c in ctrls]
        rules = sorted(r for r, qs in cat.traces.items() if f"SEED-{sid}" in qs)
        questions = [c.id for c in ctrls if c.question]
        cell = lambda xs: "<br>".join(xs) or "—"  # noqa: E731
        out.append(f"| {sid} | {kind} | {title} | {cell(names)} | {cell(rules)} | {cell(questions)} |")
    out += ["", "## Audit questions of the baseline", "",
            "Organizational measures (and the organizational halves of S3d, S3e, S15, S16) are answered in the",
            "model's `answers:` with the evidence named here. A question with a condition applies only to models",
            "that meet it (shown after the seed ids).", ""]
    for cid in sorted(c for c in cat.controls if cat.catalog_of[c] == "wso2-baseline"):
        c = cat.controls[cid]
        if not c.question:
            continue
        cond = ""
        if c.question.applies_when is not None:
            cond = " *applies when " + _cond(c.question.applies_when) + "*"
        out += [f"### {c.id} ({', '.join(sorted(c.seed, key=_key))}){cond}", "",
                f"**{c.title}.** {c.question.text.strip()}", "", f"Evidence: {c.question.evidence.strip()}", ""]
    out += ["## Rules of the baseline", "", "| Rule | STRIDE | L x I | Title | Seed |", "|---|---|---|---|---|"]
    for rid in sorted(r for r in cat.rules if cat.rules[r].catalog == "wso2-baseline"):
        r = cat.rules[rid].rule
        seeds = sorted({q.removeprefix("SEED-") for q in r.references.requirements if q.startswith("SEED-")}, key=_key)
        out.append(f"| {rid} | {''.join(s.value for s in r.stride)} | {r.likelihood} x {r.impact} | {r.title} | {', '.join(seeds)} |")
    return "\n".join(out) + "\n"


def _cond(c: object) -> str:
    if isinstance(c, dict) and "fact" in c:
        op = next(k for k in c if k != "fact")
        return f"{c['fact']} {op} {c[op]}"
    if isinstance(c, dict):
        (k, v), = c.items()
        parts = v if isinstance(v, list) else [v]
        return f"{k}(" + ", ".join(_cond(p) for p in parts) + ")"
    return str(c)


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if DOC.read_text(encoding="utf-8") == text else 1)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
