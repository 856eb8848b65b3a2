"""What happens when tmodel itself fails: a bug is never reported as the user's mistake.

Exit codes (every command): 0 ok; 1 findings or a failed gate (``check``, ``audit``);
2 the user's input is wrong (located ``file:line:col`` messages); ``EXIT_BUG`` (70, ``EX_SOFTWARE``
of sysexits.h) an internal error. CI can tell a crash from a failed gate.

``report_crash`` writes the traceback to a file (``$TMODEL_CRASH_DIR``, else the temp folder)
and prints one line that says it is a bug in tmodel and where the traceback is. With
``TMODEL_DEBUG=1`` the exception propagates instead (for developers).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import traceback
from typing import NoReturn

EXIT_BUG = 70


def write_traceback(exc: BaseException, argv: list[str] | None = None, *, notes: list[str] | None = None,
                    folders: list[str] | None = None) -> str | None:
    """Write the traceback of ``exc`` to a new file; its path, or None when nothing could be written.

    ``notes`` are lines written above the traceback (the app lists the unsaved models it kept);
    ``folders`` are tried in order before ``$TMODEL_CRASH_DIR`` / the temp folder."""
    from tmodel import __version__

    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    text = (f"tmodel {__version__} crashed at {stamp}\n"
            f"command: {' '.join(argv if argv is not None else sys.argv)}\n"
            f"python: {sys.version.split()[0]} on {sys.platform}\n"
            + "".join(f"{line}\n" for line in notes or []) + "\n"
            + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    for folder in [*(folders or []), os.environ.get("TMODEL_CRASH_DIR") or tempfile.gettempdir()]:
        try:
            os.makedirs(folder, exist_ok=True)
            fd, path = tempfile.mkstemp(prefix=f"tmodel-crash-{stamp}-", suffix=".txt", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as fh:
                fh.write(text)
            return path
        except OSError:
            continue
    return None


def crash_message(exc: BaseException, path: str | None) -> str:
    what = " ".join(str(exc).split())[:300]
    what = f"{type(exc).__name__}: {what}" if what else type(exc).__name__
    where = f"traceback written to {path}" if path else "the traceback could not be written"
    return (f"tmodel: error: this is a bug in tmodel: {what} ({where})\n"
            f"    hint: please report it with that file and the input that caused it; your files were not changed")


def report_crash(exc: BaseException) -> NoReturn:
    """Print the one-line bug report to stderr and exit ``EXIT_BUG``."""
    from tmodel.textsafe import neutralize

    path = write_traceback(exc)
    try:
        sys.stderr.write(neutralize(crash_message(exc, path)) + "\n")
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - stderr closed: the exit code still says it
        pass
    sys.exit(EXIT_BUG)


def debugging() -> bool:
    return os.environ.get("TMODEL_DEBUG", "") not in ("", "0")
