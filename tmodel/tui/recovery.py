"""Crash recovery (no textual): an unexpected exception never loses unsaved work.

When the app fails, every model with unsaved changes is written to a recovery file next to it,
``.<name>.recover`` (never over the user's file), and the traceback to a crash report (``tmodel.crash``, the same report as the CLI's); one line says
where both are and the app exits with ``EXIT_INTERNAL``. The next time the model is opened the
app offers to restore the recovered text (it then shows as unsaved changes) or to discard it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any

from tmodel.crash import EXIT_BUG, write_traceback
from tmodel.fsutil import atomic_write

EXIT_INTERNAL = EXIT_BUG  # the project's exit code for internal errors (EX_SOFTWARE)


def recovery_path(model_path: str) -> str:
    folder, name = os.path.split(os.path.abspath(model_path))
    return os.path.join(folder, f".{name}.recover")


def log_dir() -> str:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "tmodel")


@dataclass
class Crash:
    log: str | None
    recovered: list[str]  # recovery files written
    failed: list[str]  # models whose unsaved text could not be written anywhere

    def line(self) -> str:
        """The one line printed when the app stops."""
        parts = ["tmodel stopped on an internal error"]
        if self.recovered:
            parts.append("unsaved changes kept in " + ", ".join(self.recovered) + " (the next start offers to restore them)")
        if self.failed:
            parts.append("could not keep the unsaved changes of " + ", ".join(self.failed))
        parts.append(f"traceback in {self.log}" if self.log else "the traceback could not be written")
        return "; ".join(parts) + "."


def record_crash(error: BaseException, unsaved: list[tuple[str, str]]) -> Crash:
    """Write ``unsaved`` ((model path, text) pairs) to recovery files and ``error``'s traceback to a log."""
    recovered: list[str] = []
    failed: list[str] = []
    for path, text in unsaved:
        written = None
        for target in (recovery_path(path), os.path.join(tempfile.gettempdir(), os.path.basename(recovery_path(path)))):
            try:
                atomic_write(target, text)
                written = target
                break
            except OSError:
                continue
        (recovered if written else failed).append(written or path)
    log = write_traceback(error, notes=[f"unsaved model: {path}" for path, _ in unsaved], folders=[log_dir()])
    return Crash(log, recovered, failed)


def pending_recovery(model_path: str, current_text: str | None = None) -> str | None:
    """The recovered text waiting for ``model_path``, if any and if it differs from ``current_text``."""
    try:
        with open(recovery_path(model_path), encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return None
    return None if current_text is not None and text == current_text else text


def discard_recovery(model_path: str) -> None:
    try:
        os.remove(recovery_path(model_path))
    except FileNotFoundError:
        pass


def unsaved_texts(entries: Any) -> list[tuple[str, str]]:
    """(path, text) of every entry with unsaved changes, skipping any whose text cannot be made."""
    out = []
    for e in entries:
        try:
            out.append((e.path, e.doc.text()))
        except Exception:  # the crash may have left a document that cannot be dumped
            continue
    return out
