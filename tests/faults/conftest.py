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
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keyring
import pytest
from fault_keyrings import ScriptedKeyring
from fault_kit import Scan, resolve_offline
from PySide6.QtCore import QSettings

from inspector.core.keychain import CredentialStore
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


@pytest.fixture(autouse=True)
def _offline_and_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing leaves 127.0.0.0/8: names resolve offline, and no proxy is used."""
    monkeypatch.setattr(socket, "getaddrinfo", resolve_offline(socket.getaddrinfo))
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.lower(), raising=False)


@pytest.fixture(autouse=True)
def test_keyring() -> Iterator[ScriptedKeyring]:
    """An in-memory keychain unless a test sets another (never the user's own)."""
    previous = keyring.get_keyring()
    backend = ScriptedKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])  # the per-test HOME of tests/conftest.py


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
def make_window(qtbot: Any, home: Path) -> Iterator[Callable[..., Any]]:
    """A shown ``MainWindow`` whose settings live under the test's HOME."""
    from inspector.ui import MainWindow, fetch_worker

    windows: list[Any] = []

    def make(**kwargs: Any) -> Any:
        path = home / ".config" / "b24-inspector" / "settings.ini"
        kwargs.setdefault("settings", QSettings(str(path), QSettings.Format.IniFormat))
        kwargs.setdefault("store", CredentialStore())
        window = MainWindow(**kwargs)
        offered: list[str] = []

        def decline_move(origin: str) -> bool:
            # A renamed portal's prompt: record it and decline (nothing follows a redirect).
            offered.append(origin)
            return False

        window.moves_offered = offered
        window.confirm_move = decline_move
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.credentials_panel.started, timeout=5000)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
    assert fetch_worker.wait_for_orphans(10_000), "a request thread outlived its window"
