"""Python's cyclic collector, kept out of the way of work that makes many lasting objects.

Two kinds of work make tens of thousands of objects that live on and form no cycles worth
collecting: the window's start (modules, classes, PySide's wrappers and enums) and the
parse of a big answer (a source's records). While they are made, the collector's passes
walk them again and again with the GIL held; afterwards every full pass walks them once
more. So for both the collector is switched off while they are made, and what is alive at
the end is frozen (``gc.freeze``): left out of all later passes.

The cost: cyclic garbage alive at the moment of a freeze is never collected, a few objects
each time (at the start's freeze, none: ``gc.collect()`` there found nothing to free).
Reference counting still frees everything that is not in a cycle, records and replaced
windows' objects included.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def pause_for_start() -> None:
    """The window's start begins: no collector passes until ``resume_after_start``.

    Measured: a ``--demo --fetch 6 --screenshot`` run spent 10-17 ms in 85 passes (3-5% of
    it), and a plain start about 5 ms of the 146 ms to ready."""
    gc.disable()


def resume_after_start() -> None:
    """The start's work is done: what it made is frozen, and the collector runs again."""
    gc.freeze()
    gc.enable()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Build records from a big answer with the collector off, then freeze what is alive.

    Building 50,000 settings set off full collections, and the records (~100,000 objects)
    were then walked again by the young and full passes that followed: 10-80 ms each with
    the GIL held, which stalled the window whichever thread ran them. The collector is
    switched back on only if it was on: a parse during the start leaves it paused.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
