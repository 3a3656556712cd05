"""Writing the program's files privately and atomically. No Qt here.

Everything the program writes (the support bundle, the settings file) is readable by its
owner only: files 0600, folders the program makes 0700. A file is written to a temporary
file beside it and renamed over the target only once every byte is on disk, so a full disk,
a kill or a crash leaves the previous file (or none), never a 0-byte or half-written one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def make_private_folder(folder: str | os.PathLike[str]) -> None:
    """Create *folder* (and missing parents) readable by its owner only, if missing."""
    os.makedirs(folder, mode=FOLDER_MODE, exist_ok=True)


def write_private(path: str | os.PathLike[str], data: bytes) -> None:
    """Write *data* to *path* atomically, as a 0600 file. Raises ``OSError`` on failure,
    after removing the temporary file: the old file at *path*, if any, is untouched."""
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    name = os.path.basename(target)
    # mkstemp creates the file 0600 whatever the umask.
    fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)


def write_private_text(path: str | os.PathLike[str], text: str) -> None:
    """``write_private`` of *text* in UTF-8."""
    write_private(path, text.encode("utf-8"))


def restrict(path: str | os.PathLike[str], mode: int) -> None:
    """Set *path*'s permission bits to *mode* if it exists and is a file or folder we own."""
    with contextlib.suppress(OSError):
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode) or (info.st_mode & 0o777) == mode:
            return
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return
        os.chmod(path, mode)


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
