"""The fuzz harness: mutations of real inputs, run through the real command line in-process.

Every command family gets inputs that started as a real file (the example models, the real
documents in ../shared/testdata, a register exported by tmodel) and were mutated the way files
really break: a line duplicated, swapped or cut, a tab, an unclosed bracket, a YAML alias, a git
conflict, an impossible date, a 5,000-digit number, a control character, a byte flipped in a zip.
The outcome must be exit 0, 1 or 2, never a traceback and never ``EXIT_BUG``; an exit 2 must say
where (``: error:``), and each input must finish within ``TIMEOUT`` seconds.

Counts: ``TMODEL_FUZZ_EXAMPLES`` inputs per family (default ``DEFAULT_EXAMPLES``, CI-sized); the
long run sets it to 3000 (see docs/security.md). ``TMODEL_FUZZ_STATS=FILE`` appends one JSON line
per family run with the counts of each exit code.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
from collections import Counter
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, SHARED

DEFAULT_EXAMPLES = 12
EXAMPLES = int(os.environ.get("TMODEL_FUZZ_EXAMPLES", "0") or 0) or DEFAULT_EXAMPLES
LONG_RUN = EXAMPLES > DEFAULT_EXAMPLES
TIMEOUT = 20  # seconds per input: far above any legitimate input of these sizes

MODELS = sorted((ROOT / "models").glob("*.yaml"))
TESTDATA = SHARED / "testdata"


def fuzz_settings(examples: int = EXAMPLES) -> settings:
    # the long run reports a failing input as found (shrinking a slow command can take many minutes)
    phases = [Phase.explicit, Phase.reuse, Phase.generate] if LONG_RUN else list(Phase)
    return settings(max_examples=examples, deadline=None, database=None, derandomize=not LONG_RUN,
                    suppress_health_check=list(HealthCheck), print_blob=True, phases=phases)


# --- mutations ------------------------------------------------------------------------------

TOKENS = [
    "\t", "  ", "- ", ": ", "{", "}", "[", "]", "'", '"', "&a ", "*a", "<<: *a\n", "!!python/object/apply:os.system ['id']",
    '"\\e]0;owned\\a\\e[2J"', "\x1b[2J", "\x00", "2027-02-30", "2026-02-29", "2026-13-01", "9" * 5000, "A" * 5000,
    "<<<<<<< HEAD\n", "=======\n", ">>>>>>> branch\n", "~", "null", "yes", "NO", "1e999", "-1", "0x10", "1.2", "\u202e",
    "Ω", "\r\n", "# ", "%TAG ! tag:x:\n", "@", "`", "|\n", ">-\n", "---\n", "...\n", "=cmd|' /C calc'!A0",
    "$ref", "{\"$ref\": \"#/\"}", "$ref{a.b}", "../../../../etc/passwd", "https://[bank]/api", "\ufeff", "\\", "[[[[[[[[[[",
    "{{{{{{{{", "]]]]", "}}}}", "0" * 40, "inf", "nan", "true", "[]", "{}", "''", "\u0085", "\u2028",
]

OPS = ("delete", "duplicate_line", "swap_lines", "insert", "replace", "truncate", "flip", "repeat_block", "indent")


@st.composite
def text_mutations(draw: st.DrawFn) -> list[tuple]:
    n = draw(st.integers(1, 4))
    return [(draw(st.sampled_from(OPS)), draw(st.floats(0, 1)), draw(st.floats(0, 1)), draw(st.sampled_from(TOKENS)),
             draw(st.integers(0, 255))) for _ in range(n)]


def mutate_text(text: str, ops: list[tuple]) -> str:
    for op, a, b, token, byte in ops:
        n = len(text)
        i, j = sorted((int(a * n), int(b * n)))
        lines = text.split("\n")
        li, lj = int(a * (len(lines) - 1)), int(b * (len(lines) - 1))
        if op == "delete":
            text = text[:i] + text[min(j, i + 400):]
        elif op == "duplicate_line":
            lines.insert(li, lines[li])
            text = "\n".join(lines)
        elif op == "swap_lines":
            lines[li], lines[lj] = lines[lj], lines[li]
            text = "\n".join(lines)
        elif op == "insert":
            text = text[:i] + token + text[i:]
        elif op == "replace":
            text = text[:i] + token + text[min(j, i + 40):]
        elif op == "truncate":
            text = text[:i]
        elif op == "flip":
            text = text[:i] + chr(byte) + text[i + 1:]
        elif op == "repeat_block":
            lo, hi = min(li, lj), max(li, lj)
            block = lines[lo:hi + 1][:30]
            lines[hi + 1:hi + 1] = block * (1 + byte % 3)
            text = "\n".join(lines)
        elif op == "indent":
            lines[li] = (" " * (byte % 5)) + lines[li].lstrip(" ")
            text = "\n".join(lines)
    return text


@st.composite
def byte_mutations(draw: st.DrawFn) -> list[tuple]:
    n = draw(st.integers(1, 3))
    return [(draw(st.sampled_from(("flip", "truncate", "delete", "insert", "zero"))), draw(st.floats(0, 1)),
             draw(st.integers(1, 64)), draw(st.binary(min_size=1, max_size=16))) for _ in range(n)]


def mutate_bytes(data: bytes, ops: list[tuple]) -> bytes:
    for op, at, size, payload in ops:
        i = int(at * len(data))
        if op == "flip":
            data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:] if i < len(data) else data
        elif op == "truncate":
            data = data[:i]
        elif op == "delete":
            data = data[:i] + data[i + size:]
        elif op == "insert":
            data = data[:i] + payload + data[i:]
        elif op == "zero":
            data = data[:i] + b"\x00" * size + data[i + size:]
    return data


# --- running a command ----------------------------------------------------------------------

class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int):
    def on_alarm(signum, frame):  # noqa: ANN001
        raise Hang(f"no answer within {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


_LOCATED = re.compile(r"(^|\n)[^\n]*: error: |(^|\n)Error: ")  # ours, or click's usage errors


class Tally:
    """Exit codes seen by one family, written to TMODEL_FUZZ_STATS at the end."""

    def __init__(self, family: str):
        self.family = family
        self.codes: Counter[int] = Counter()

    @property
    def inputs(self) -> int:
        return sum(self.codes.values())

    def line(self) -> str:
        return json.dumps({"family": self.family, "inputs": self.inputs, "exits": dict(sorted(self.codes.items()))})

    def progress(self) -> None:
        """Every 50 inputs, the counts so far in STATS.<family> (a long run can be followed, or stopped)."""
        out = os.environ.get("TMODEL_FUZZ_STATS")
        if out and self.inputs % 50 == 0:
            Path(f"{out}.{self.family}").write_text(self.line() + "\n", encoding="utf-8")

    def write(self) -> None:
        out = os.environ.get("TMODEL_FUZZ_STATS")
        if out:
            with open(out, "a", encoding="utf-8") as fh:
                fh.write(self.line() + "\n")


def run_clean(args: list[str], tally: Tally | None = None, cwd: str | None = None) -> int:
    """Run ``tmodel ARGS`` in-process; assert the outcome is clean (see the module's docstring)."""
    from tmodel.cli import main

    runner = CliRunner()
    old = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        with time_limit(TIMEOUT):
            result = runner.invoke(main, args, catch_exceptions=True)
    finally:
        os.chdir(old)
    out = result.output
    if tally is not None:
        tally.codes[result.exit_code] += 1
        tally.progress()
    shown = out[-3000:]
    assert result.exit_code in (0, 1, 2), f"tmodel {' '.join(args[:2])}: exit {result.exit_code}\n{shown}\n{result.exception!r}"
    assert "Traceback (most recent call last)" not in out, shown
    if result.exit_code == 2:
        assert _LOCATED.search(out), f"exit 2 without a located error:\n{shown}"
    return result.exit_code
