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


RATCHET = ROOT / "tests" / "mypy-ratchet.txt"  # while it exists: the most errors mypy may report; the goal is none


def test_mypy_passes():
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    allowed = int(RATCHET.read_text(encoding="utf-8").split()[0]) if RATCHET.exists() else 0
    assert len(errors) <= allowed, f"{len(errors)} mypy errors (allowed {allowed}):\n" + "\n".join(errors[:60])
    if RATCHET.exists() and len(errors) < allowed:
        raise AssertionError(f"mypy reports {len(errors)} errors, fewer than the ratchet's {allowed}: "
                             f"lower tests/mypy-ratchet.txt to {len(errors)} (or delete it at 0)")


def test_loading_raises_located_problems_and_never_exits(tmp_path, monkeypatch):
    """tmodel.loading is what the CLI and the app share: it raises ProblemError (the CLI maps it to exit 2)
    instead of printing and exiting, so the app needs nothing from tmodel.cli."""
    import pytest

    from tmodel.loading import load_catalog, load_models
    from tmodel.problems import ProblemError

    monkeypatch.chdir(tmp_path)
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "broken.yaml").write_text("catalog: {id: bank, title: Bank}\nrules:\n  - id: X\n", encoding="utf-8")
    with pytest.raises(ProblemError) as exc:
        load_catalog(["bank"])
    assert any("broken.yaml" in p.format() for p in exc.value.problems)
    with pytest.raises(ProblemError) as exc:
        load_models([str(tmp_path / "no-such-folder")])
    assert exc.value.problems
    assert load_models([str(ROOT / "models" / "loan-marketplace.yaml")], load_catalog())[0].ok
