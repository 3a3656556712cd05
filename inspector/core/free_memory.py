"""Give the memory that parsing a big answer used back to the system.

Parsing a source of 50,000 settings makes and frees hundreds of thousands of objects.
glibc's ``malloc`` keeps what is freed for later use rather than returning it, unless it
lies at the very end of the heap: after the window showed such a source and its connector,
about 180 bytes per setting stayed resident though nothing used them (``uv run python
benchmarks/bench_window.py`` shows the growth per setting). ``malloc_trim(0)`` hands the
free pages back. Other C libraries (musl, macOS, Windows) have no such call and return
memory in their own way; there this does nothing.

A small answer leaves too little behind to be worth it: below ``WORTH_TRIMMING`` bytes of
answer nothing is asked (the first ask also loads ``ctypes``, about 3 ms on the way to a
fetch's result).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

WORTH_TRIMMING = 1 << 20
"""Bytes of answer (about 10,000 settings) from which a request's parse is worth trimming."""

_trim: Callable[[int], int] | None = None
_looked_up = False


def release_free_memory() -> bool:
    """Return the C allocator's free pages to the system; False where it cannot be asked.

    Call it on a worker thread once a big answer's objects are freed: it walks the heap
    (a millisecond or two after a 50,000-setting source)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def _malloc_trim() -> Callable[[int], int] | None:
    global _trim, _looked_up
    if not _looked_up:
        _looked_up = True
        if sys.platform.startswith("linux"):
            import ctypes  # here: only a process that parsed an answer needs it

            try:
                function = ctypes.CDLL(None).malloc_trim  # the process's own C library
            except (OSError, AttributeError):  # not glibc
                return None
            function.argtypes = [ctypes.c_size_t]
            function.restype = ctypes.c_int
            _trim = function
    return _trim
