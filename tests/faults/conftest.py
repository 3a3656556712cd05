"""Fixtures of the fault suite, and the one line it prints at the end of the session.

``ledger.case(label)`` wraps one fault tried on one surface (CLI, window, keychain…):
the fault counts as *handled* only if the whole block ran without a failed check, and
every secret a leak scan found is added to *secrets leaked* (and fails the test). The
summary line is built from those counts, never from constants::

    faults tried: N, handled: H, secrets leaked: L
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from keyring.backend import KeyringBackend

from faults.fault_keyrings import ScriptedKeyring
from faults.fault_kit import Scan
from inspector.core.masking import install_log_redaction


@dataclass
class CaseRecord:
    label: str
    leaks: list[str] = field(default_factory=list)

    def no_leaks(self, scan: Scan, allowed: tuple[str, ...] = (), **kwargs: Any) -> None:
        """Record and fail on every secret found in *scan* (outside *allowed* places)."""
        found = scan.leaks(allowed=allowed, **kwargs)
        self.leaks.extend(found)
        assert not found, "secrets leaked:\n" + "\n".join(found)


@dataclass
class Ledger:
    tried: int = 0
    handled: int = 0
    leaked: int = 0
    unhandled: list[str] = field(default_factory=list)

    @contextlib.contextmanager
    def case(self, label: str) -> Iterator[CaseRecord]:
        record = CaseRecord(label)
        self.tried += 1
        try:
            yield record
        except pytest.skip.Exception:
            self.tried -= 1  # not tried here at all
            raise
        except BaseException:
            self.unhandled.append(label)
            raise
        finally:
            self.leaked += len(record.leaks)
        self.handled += 1  # reached only when every check in the block passed


LEDGER = Ledger()


@pytest.fixture
def ledger() -> Ledger:
    return LEDGER


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not LEDGER.tried:
        return
    terminalreporter.write_sep("-", "fault suite")
    if LEDGER.unhandled:
        terminalreporter.write_line("not handled: " + ", ".join(LEDGER.unhandled))
    terminalreporter.write_line(
        f"faults tried: {LEDGER.tried}, handled: {LEDGER.handled}, secrets leaked: {LEDGER.leaked}"
    )


# --- the environment every fault test runs in ------------------------------------------------
# (HOME, loopback-only names and no proxy come from tests/conftest.py)


@pytest.fixture(autouse=True)
def test_keyring(set_backend: Callable[[KeyringBackend], KeyringBackend]) -> KeyringBackend:
    """An in-memory keychain unless a test sets another (never the user's own)."""
    return set_backend(ScriptedKeyring())


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def app_logs() -> Iterator[list[str]]:
    """Log output at DEBUG as the app writes it: its entry point installs the redaction
    on the root handlers and keeps httpx/httpcore at WARNING (``install_log_redaction``)."""
    root = logging.getLogger()
    names = ("httpx", "httpcore")
    saved = root.level, {n: logging.getLogger(n).level for n in names}
    handler = _Lines()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    redacting = install_log_redaction()
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        for other in root.handlers:
            other.removeFilter(redacting)
        root.setLevel(saved[0])
        for name, level in saved[1].items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
def make_window(make_window: Callable[..., Any]) -> Callable[..., Any]:
    """The shared window factory; a renamed portal's prompt is recorded in the window's
    ``moves_offered`` and declined (nothing follows a redirect)."""

    def make(**kwargs: Any) -> Any:
        window = make_window(**kwargs)
        offered: list[str] = []

        def decline_move(origin: str) -> bool:
            offered.append(origin)
            return False

        window.moves_offered = offered
        window.confirm_move = decline_move
        return window

    return make
