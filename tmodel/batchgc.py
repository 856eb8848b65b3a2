"""Garbage-collector settings for a batch run (a CLI command, a benchmark), never for the app.

A model is loaded, analysed and exported as millions of small, acyclic objects that live until the
command ends. CPython's cyclic collector scans the young ones every 700 allocations and, as they
pile up, the older generations again and again: on a 10,000-element model that was 40-50 % of the
CPU time and made the cost per element grow with the model. For the length of a command we
- freeze what is already loaded (modules, catalogs): never scanned again, and
- raise the young generation's threshold (700 -> 50,000) so collections are rare.
Reference counting still frees every acyclic object at once; the rare cycles are still collected.
The previous settings are restored afterwards (the tests run many commands in one process).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BATCH_THRESHOLD = (50_000, 20, 20)


@contextmanager
def batch_gc() -> Iterator[None]:
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*BATCH_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()
