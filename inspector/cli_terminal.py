"""The command line's conversations with a terminal: is there one, a yes/no question, a line
read without holding ``sys.stdin``, and echo turned off while a secret is pasted.

Shared by ``login`` (client secret, pasted address, a renamed portal) and ``check`` (the
question before settings are sent), so both accept the same answers in either language.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import TextIO

from .i18n import _


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def ask_yes_no(question: str, stdin: TextIO, err: TextIO) -> bool:
    """Ask *question* on *err*; True only for "y"/"yes" (or their translation)."""
    err.write(question)
    err.flush()
    answer = stdin.readline(64).strip().lower()
    return answer in ("y", "yes", _("y"), _("yes"))


def read_line(stdin: TextIO, limit: int) -> str | None:
    """One line of at most *limit* characters (None at the end), read from the descriptor
    when there is one.

    Unbuffered reads leave no lock held on ``sys.stdin`` by a thread still waiting when
    the command ends (which would stop the interpreter's shutdown).
    """
    try:
        fd = stdin.fileno()
    except (AttributeError, ValueError, OSError):
        line = stdin.readline(limit)
        return line or None
    data = bytearray()
    while len(data) < limit:
        byte = os.read(fd, 1)
        if not byte:
            return data.decode("utf-8", "replace") if data else None
        if byte == b"\n":
            break
        data += byte
    return data.decode("utf-8", "replace")


@contextlib.contextmanager
def no_echo(stdin: TextIO, err: TextIO) -> Iterator[None]:
    """Turn the terminal's echo off while a secret is pasted (restored on any exit)."""
    if not is_terminal(stdin):
        yield
        return
    try:
        import termios
    except ImportError:  # Windows: the paste is shown as typed
        yield
        return
    fd = stdin.fileno()
    before = termios.tcgetattr(fd)
    quiet = termios.tcgetattr(fd)
    quiet[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSADRAIN, quiet)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, before)
        err.write("\n")  # the Enter that was not echoed
