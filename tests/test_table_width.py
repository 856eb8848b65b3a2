"""`tmodel analyze` fits its table to the terminal (or --width); a pipe gets unwrapped lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "card-issuing-partner.yaml"


def analyze(*args: str) -> str:
    run = subprocess.run([sys.executable, "-m", "tmodel", "analyze", str(MODEL), "--as-of", "2026-11-01", *args],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode in (0, 1), run.stderr
    return run.stdout


@pytest.mark.parametrize("width", [80, 120, 220])
def test_every_line_fits_the_width(width):
    out = analyze("--width", str(width))
    assert max(len(line) for line in out.splitlines()) <= width
    assert "PDN-CROSS-BORDER-UNNOTIFIED@issue-card" in out  # ids are never broken


def test_a_pipe_gets_whole_lines_and_the_same_words():
    whole = analyze()
    assert max(len(line) for line in whole.splitlines()) > 220
    assert whole.split() == analyze("--width", "0").split()
    assert whole.split() == analyze("--width", "80").split()
