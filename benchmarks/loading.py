"""How long loading a model takes (read, YAML, validation, checks, positions), in fresh interpreters.

    .venv/bin/python benchmarks/loading.py [--runs 5] [--root CHECKOUT ...] [--only examples scale-1000 ...]

Each case runs in a new interpreter, ``--runs`` times, the cases interleaved run by run so that a
busy machine slows all of them alike; the table shows the median CPU time (user + system) of the
measured part, taken with ``time.process_time`` inside the child, and for ``check-200`` the whole
child's CPU from ``os.wait4``. ``--root`` measures another checkout's tmodel with the same models
(e.g. ``git worktree add /tmp/base main`` for the before-figures); given more than once, the
checkouts take turns run by run.

Cases:
- ``examples``: ``load_model`` of every bundled example (models/*.yaml), 20 passes after a warm-up pass,
  per pass;
- ``check-200``: ``tmodel check`` over 200 example-size models (tests/fixtures/base.yaml, each copy with
  its own title), the whole command: start-up, catalogs, loading and analysis;
- ``check-examples-200``: the same over 40 copies of each bundled example (with their gateway configs):
  models with decisions, linked configs and findings that name deeper positions;
- ``scale-1000``, ``scale-3000``: the generated models of benchmarks/pytm_compare.py (seed 16);
- ``warn-1000``: the model of benchmarks/run.py (``make bench``): 1,000 elements, 1.2 MB, about 1,170
  validation warnings, so every value's position is computed once to locate them.

For the single models the columns are: ``parse_yaml`` alone, ``load_model`` (what every command does;
it includes locating its problems), and every position of the document at once (``Located.values``
from a fresh parse: the whole-text pass). ``load_model`` is measured twice: with the garbage-collector
settings of the CLI commands (``batch_gc``) and with Python's defaults (what the app and library
callers get). Not a timed test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SINGLE = ("scale-1000", "scale-3000", "warn-1000")
CHECKS = ("check-200", "check-examples-200")
CASES = ("examples", *CHECKS, *SINGLE)

WORKER = r"""
import gc, json, sys, time
root, case, path, gcmode = sys.argv[1:5]
sys.path.insert(0, root)
from tmodel.model import yamlsafe
from tmodel.model.load import load_model
from tmodel.batchgc import batch_gc
yamlsafe.MAX_BYTES = yamlsafe.MAX_NODES = 1 << 30
from contextlib import nullcontext
ctx = batch_gc() if gcmode == "batch" else nullcontext()
out = {}
with ctx:
    if case == "examples":
        files = sorted(str(p) for p in __import__("pathlib").Path(path).glob("*.yaml"))
        for f in files:
            load_model(f)  # warm-up: imports, compiled patterns
        c0 = time.process_time()
        for _ in range(20):
            for f in files:
                lm = load_model(f)
                assert lm.model is not None
        out["load"] = (time.process_time() - c0) / 20
        text = [(yamlsafe.read_text(f), f) for f in files]
        c0 = time.process_time()
        for _ in range(20):
            for t, f in text:
                yamlsafe.parse_yaml(t, f)
        out["parse"] = (time.process_time() - c0) / 20
    else:
        text = yamlsafe.read_text(path)
        c0 = time.process_time()
        located, _ = yamlsafe.parse_yaml(text, path)
        out["parse"] = time.process_time() - c0
        del located
        c0 = time.process_time()
        lm = load_model(path)
        out["load"] = time.process_time() - c0
        out["problems"] = len(lm.problems)
        del lm
        located, _ = yamlsafe.parse_yaml(text, path)
        c0 = time.process_time()
        located.values
        out["positions"] = time.process_time() - c0
print(json.dumps(out))
"""


def run_child(argv: list[str]) -> tuple[float, str]:
    """(CPU seconds of the child alone, its stdout)."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, cwd=ROOT)
        _, status, ru = os.wait4(proc.pid, 0)
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(argv[:5])} ... failed ({code}):\n{err[-3000:]}")
        out.seek(0)
        return ru.ru_utime + ru.ru_stime, out.read().decode()


def prepare(tmp: Path, cases: list[str]) -> dict[str, Path]:
    paths: dict[str, Path] = {"examples": ROOT / "models"}
    if "check-200" in cases:
        models = tmp / "check-200"
        models.mkdir()
        text = (ROOT / "tests" / "fixtures" / "base.yaml").read_text(encoding="utf-8")
        head, sep, rest = text.partition("  title: ")
        for i in range(200):  # distinct files: a cache keyed by content must not make them one
            (models / f"model-{i:03d}.yaml").write_text(f"{head}{sep}Copy {i} of {rest}", encoding="utf-8")
        paths["check-200"] = models
    if "check-examples-200" in cases:
        models = tmp / "check-examples-200"
        shutil.copytree(ROOT / "models" / "configs", models / "configs")
        for src in sorted((ROOT / "models").glob("*.yaml")):
            text = src.read_text(encoding="utf-8")
            head, sep, rest = text.partition("\n  title: ")
            for i in range(40):
                (models / f"{src.stem}-{i:02d}.yaml").write_text(f"{head}{sep}Copy {i} of {rest}", encoding="utf-8")
        paths["check-examples-200"] = models
    for n in (1000, 3000):
        if f"scale-{n}" in cases:
            paths[f"scale-{n}"] = tmp / f"scale-{n}.yaml"
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "pytm_compare.py"), "--generate", str(n), "16",
                            str(tmp / f"spec-{n}.json"), str(paths[f"scale-{n}"])], check=True, cwd=ROOT)
    if "warn-1000" in cases:
        paths["warn-1000"] = tmp / "warn-1000.yaml"
        code = ("import sys, yaml; sys.path.insert(0, %r); from run import generate\n"
                "open(%r, 'w').write(yaml.safe_dump(generate(1000), sort_keys=False))" % (str(ROOT / "benchmarks"), str(paths["warn-1000"])))
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    return paths


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--root", action="append", help="a tmodel checkout to measure (default: this one); "
                    "given twice or more, the checkouts take turns run by run")
    ap.add_argument("--only", nargs="+", choices=CASES, default=list(CASES))
    args = ap.parse_args()
    roots = [str(Path(r).resolve()) for r in args.root or [str(ROOT)]]
    results: dict[str, dict[str, list[dict[str, float]]]] = {root: {} for root in roots}
    with tempfile.TemporaryDirectory(prefix="tmodel-loading-") as tmp:
        paths = prepare(Path(tmp), args.only)
        for _ in range(args.runs):
            for case in args.only:
                for root in roots:
                    if case in CHECKS:
                        code = (f"import sys; sys.path.insert(0, {root!r}); sys.argv = ['tmodel', 'check', {str(paths[case])!r}, "
                                "'--fail-on', 'critical']; from tmodel.cli import main; main()")
                        cpu, _ = run_child([sys.executable, "-c", code])
                        results[root].setdefault(case, []).append({"cpu": cpu})
                        continue
                    for gcmode in ("batch", "default") if case in SINGLE else ("batch",):
                        _, out = run_child([sys.executable, "-c", WORKER, root, case, str(paths[case]), gcmode])
                        results[root].setdefault(f"{case} ({gcmode} gc)" if case in SINGLE else case, []).append(
                            json.loads(out.strip().splitlines()[-1]))
            print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    for root in roots:
        print(f"tmodel at {root}: median CPU seconds of {args.runs} fresh runs")
        print(f"{'case':28} {'parse_yaml':>10} {'load_model':>10} {'all positions':>13} {'whole':>8} {'problems':>8}")
        for case, rows in results[root].items():
            def med(key: str, width: int = 10) -> str:
                vals = [r[key] for r in rows if key in r]
                return f"{statistics.median(vals):{width}.3f}" if vals else f"{'-':>{width}}"
            whole = f"{statistics.median(r['cpu'] for r in rows):8.2f}" if "cpu" in rows[0] else f"{'-':>8}"
            problems = f"{int(rows[0]['problems']):8d}" if "problems" in rows[0] else f"{'-':>8}"
            print(f"{case:28} {med('parse')} {med('load')} {med('positions', 13)} {whole} {problems}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
