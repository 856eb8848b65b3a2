"""The shape of the code is enforced, not hoped for: the import contracts in pyproject.toml
([tool.importlinter]: a headless core, the layers, no cli <-> tui cycle) and mypy ([tool.mypy]).
Both tools run from the environment of the interpreter running the tests (``sys.executable``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_import_contracts_hold():
    proc = subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout
