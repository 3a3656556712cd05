"""Fixtures for the window tests: real widgets, a real demo portal over a socket, an
in-memory keyring backend and a throw-away QSettings file.

No test here may reach the user's keychain or settings: every test runs with the in-memory
keyring unless it asks for another backend, and windows get an INI file in ``tmp_path``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from gui_helpers import leak_walk, window_secrets
from keyring.backend import KeyringBackend
from keyring.backends import fail
from memory_keyring import MemoryKeyring
from PySide6.QtCore import QSettings

from inspector.core.keychain import CredentialStore
from inspector.demo.portal import DemoPortal
from inspector.ui import MainWindow, fetch_worker


@pytest.fixture
def set_backend() -> Iterator[Callable[[KeyringBackend], KeyringBackend]]:
    previous = keyring.get_keyring()

    def use(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def memory_keyring(set_backend: Callable[[KeyringBackend], KeyringBackend]) -> MemoryKeyring:
    backend = MemoryKeyring()
    set_backend(backend)
    return backend


@pytest.fixture
def no_keyring(set_backend: Callable[[KeyringBackend], KeyringBackend]) -> KeyringBackend:
    return set_backend(fail.Keyring())


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def settings(settings_path: Path) -> QSettings:
    return QSettings(str(settings_path), QSettings.Format.IniFormat)


@pytest.fixture
def portal() -> Iterator[DemoPortal]:
    with DemoPortal() as running:
        yield running


@pytest.fixture
def slow_portal() -> Iterator[DemoPortal]:
    with DemoPortal(latency=1.0) as running:
        yield running


@pytest.fixture
def make_window(qtbot: Any, settings: QSettings) -> Iterator[Callable[..., MainWindow]]:
    """Build a shown window with the test's settings and a store on the test keyring."""
    windows: list[MainWindow] = []

    def make(**kwargs: Any) -> MainWindow:
        kwargs.setdefault("settings", settings)
        kwargs.setdefault("store", CredentialStore())
        window = MainWindow(**kwargs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.credentials_panel.started, timeout=5000)
        windows.append(window)
        return window

    yield make
    # Every window test ends with the leak walk: whatever it did, no secret shows anywhere
    # (every role of every item view, every widget and dialog text) unless revealed.
    for window in windows:
        assert leak_walk(window, window_secrets(window), clipboard=False) == []
    for window in windows:
        window.close()
    # Every worker thread of these windows has ended (closeEvent waits for them).
    assert fetch_worker.wait_for_orphans(10_000)
