"""The program's files: 0600, folders 0700, written atomically (issue 10, finding 9)."""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import signal
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.core.files import make_private_folder, restrict, write_private


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextlib.contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """Writes past *limit* bytes fail with EFBIG, as the kernel does on a quota or a full
    disk mid-way (SIGXFSZ ignored, so the write returns an error instead of a kill)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_a_file_is_written_0600_in_a_0700_folder_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        folder = tmp_path / "made" / "here"
        make_private_folder(folder)
        write_private(folder / "out.json", b"{}\n")
    finally:
        os.umask(old)
    assert mode(folder) == 0o700
    assert mode(folder / "out.json") == 0o600
    assert (folder / "out.json").read_bytes() == b"{}\n"
    assert os.listdir(folder) == ["out.json"]  # no temporary file left


def test_replacing_a_0644_file_leaves_a_0600_one(tmp_path: Path) -> None:
    target = tmp_path / "bundle.json"
    target.write_text("old")
    target.chmod(0o644)
    write_private(target, b"new")
    assert target.read_bytes() == b"new" and mode(target) == 0o600


def test_a_write_that_fails_mid_way_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "bundle.json"
    with file_size_limit(4096), pytest.raises(OSError) as failure:
        write_private(target, b"x" * 100_000)
    assert failure.value.errno == errno.EFBIG
    assert os.listdir(tmp_path) == []  # neither a 0-byte, a partial nor a temporary file


def test_a_full_disk_keeps_the_previous_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "bundle.json"
    target.write_bytes(b"previous")

    def no_space(fd: int) -> None:  # delayed allocation: the disk fills when flushed
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError) as failure:
        write_private(target, b"new content")
    assert failure.value.errno == errno.ENOSPC
    assert target.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["bundle.json"]


def test_restrict_tightens_only_what_needs_it_and_never_follows_a_link(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.write_text("")
    loose.chmod(0o644)
    other = tmp_path / "other"
    other.write_text("")
    other.chmod(0o644)
    link = tmp_path / "link"
    link.symlink_to(other)
    restrict(loose, 0o600)
    restrict(link, 0o600)
    restrict(tmp_path / "missing", 0o600)  # nothing to do, no error
    assert mode(loose) == 0o600
    assert mode(other) == 0o644
