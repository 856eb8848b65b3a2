"""How long `tmodel check` takes on many models: N copies of one model in a temporary folder.

    .venv/bin/python benchmarks/check_many.py [--copies 300] [--model tests/fixtures/base.yaml]

Runs the real command in a fresh interpreter (start-up and catalog loading included) and prints the
wall time, total and per model. Uses the shipped catalogs when they load without errors, otherwise
the self-contained test catalog (tests/fixtures/catalog-mini), and says which.
Not a timed test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def catalogs_env() -> tuple[dict[str, str], str]:
    sys.path.insert(0, str(ROOT))
    from tmodel.catalog.load import load_catalogs

    cat = load_catalogs()
    if cat.rules and not any(p.is_error for p in cat.problems):
        return dict(os.environ), f"shipped catalogs ({len(cat.rules)} rules)"
    mini = ROOT / "tests" / "fixtures" / "catalog-mini"
    return {**os.environ, "TMODEL_CATALOGS": str(mini)}, "tests/fixtures/catalog-mini (shipped catalogs not loadable)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=300)
    ap.add_argument("--model", default=str(ROOT / "tests" / "fixtures" / "base.yaml"))
    ap.add_argument("--format", default="text", choices=["text", "json", "sarif"])
    args = ap.parse_args()
    env, which = catalogs_env()
    with tempfile.TemporaryDirectory(prefix="tmodel-bench-") as tmp:
        models = Path(tmp) / "models"
        models.mkdir()
        text = Path(args.model).read_text(encoding="utf-8")
        for i in range(args.copies):
            (models / f"model-{i:04d}.yaml").write_text(text, encoding="utf-8")
        cmd = [sys.executable, "-m", "tmodel", "check", str(models), "--format", args.format, "--fail-on", "critical"]
        t0 = time.perf_counter()
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp)
        elapsed = time.perf_counter() - t0
        t1 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tmodel", "--version"], env=env, capture_output=True, cwd=tmp)
        startup = time.perf_counter() - t1
    if r.returncode == 2:
        print(r.stderr[-2000:], file=sys.stderr)
        return 2
    last = r.stdout.strip().splitlines()[-1] if args.format == "text" and r.stdout.strip() else ""
    print(f"catalogs: {which}")
    print(f"model: {args.model}")
    print(f"tmodel check on {args.copies} models ({args.format}): {elapsed:.2f} s wall "
          f"({1000 * elapsed / args.copies:.1f} ms per model; interpreter start-up alone {startup:.2f} s), exit {r.returncode}")
    if last:
        print(last)
    shutil.rmtree(models, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
