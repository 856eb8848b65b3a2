"""Garbage-collector settings for a batch run (a CLI command, a benchmark), never for the app.

A model is loaded, analysed and exported as millions of small, acyclic objects that live until the
command ends. CPython's cyclic collector scans the young ones every 700 allocations and, as they
pile up, the older generations again and again: on a 10,000-element model that was 40-50 % of the
CPU time, and raising the thresholds still left a fifth (full collections of a growing heap). For
the length of a command we
- freeze what is already loaded (modules, catalogs): never scanned again, and
- switch the automatic collector off. Reference counting still frees every acyclic object at once;
  the rare cycles (an exception's traceback, a closure) wait for ``collect_young``, which a command
  calls after each model it finishes, so memory stays bounded over hundreds of models.
The previous settings are restored afterwards (the tests run many commands in one process).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_depth = 0


@contextmanager
def batch_gc() -> Iterator[None]:
    global _depth
    was_enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if was_enabled:
            gc.enable()
        gc.unfreeze()


def collect_young() -> None:
    """In a batch run, collect the cycles among the objects made since the last call (what one model left
    behind). The survivors move to an older generation, which is never scanned again: each call costs what
    one model allocated, not the whole heap. Outside a batch run the automatic collector does this."""
    if _depth:
        gc.collect(0)
