"""``core.free_memory``: the pages a parse freed really go back to the system."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from inspector.core import free_memory

# 30,000 blocks of 2,000 bytes come from the heap (too big for Python's own allocator, too
# small for their own mapping); one kept above them stops the heap shrinking from its end,
# as a parsed answer's records do.
PROBE = """\
import os
def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
blocks = [bytes(2000) for _ in range(30_000)]
kept = bytes(2000)
del blocks
before = rss()
from inspector.core.free_memory import release_free_memory
print(release_free_memory(), (before - rss()) // 2**20)
"""


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="malloc_trim is glibc's",
)
def test_freed_heap_pages_go_back_to_the_system() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    asked, released_mib = done.stdout.split()
    assert asked == "True"
    assert int(released_mib) >= 40  # of the 57 MiB freed


def test_without_glibc_nothing_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(free_memory, "_looked_up", False)
    monkeypatch.setattr(free_memory, "_trim", None)
    assert free_memory.release_free_memory() is False
