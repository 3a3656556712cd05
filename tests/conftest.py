"""Shared test set-up, and the fixtures more than one suite uses.

Every test runs offscreen, with a fresh temporary HOME and XDG directories (settings,
caches and any keychain files the app might write land where the test can inspect them),
no proxy or credential from the developer's environment, and name resolution limited to
loopback names. The fixtures below are defined here once for the unit tests, the window
tests (``gui/``) and the fault suite (``faults/``): keyring backends, a throw-away
QSettings file under HOME, demo portals, and a factory of shown windows.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from loopback_only import loopback_only
from memory_keyring import MemoryKeyring

from inspector.core.keychain import CredentialStore
from inspector.demo.portal import DemoPortal

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

# pytest-qt has no option for the platform plugin; it must be set before Qt starts.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The tests read the English texts whatever the machine's locale is (the translation tests
# choose their language explicitly); the CLI processes they start inherit this.
os.environ["LANGUAGE"] = "en"

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
SETTINGS_FILE = Path(".config", "b24-inspector", "settings.ini")


# --- what every test runs in -----------------------------------------------------------------


@pytest.fixture(autouse=True)
def home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's own HOME (with XDG directories), in place of the user's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(path))
    # Neither a developer's credentials nor their proxy settings may leak into a test.
    for var in ("B24_WEBHOOK_URL", "B24_ACCESS_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    for var in PROXY_VARIABLES:
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.lower(), raising=False)
    return home


@pytest.fixture(autouse=True)
def _no_traffic_beyond_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to 127.0.0.0/8 only: any other name fails as unresolvable, offline."""
    monkeypatch.setattr(socket, "getaddrinfo", loopback_only(socket.getaddrinfo))


# --- keychains -------------------------------------------------------------------------------


@pytest.fixture
def set_backend() -> Iterator[Callable[[KeyringBackend], KeyringBackend]]:
    """Use a keyring backend for this test (the previous one comes back afterwards)."""
    previous = keyring.get_keyring()

    def use(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(set_backend: Callable[[KeyringBackend], KeyringBackend]) -> MemoryKeyring:
    """The tests' in-memory keychain, in use for this test."""
    backend = MemoryKeyring()
    set_backend(backend)
    return backend


@pytest.fixture
def no_keyring(set_backend: Callable[[KeyringBackend], KeyringBackend]) -> KeyringBackend:
    """No keychain at all (keyring's ``fail`` backend)."""
    return set_backend(fail.Keyring())


# --- settings, portals, windows --------------------------------------------------------------


@pytest.fixture
def settings_path(home: Path) -> Path:
    """Where the window's settings live: under the test's HOME, so leak scans see them."""
    return home / SETTINGS_FILE


@pytest.fixture
def settings(settings_path: Path) -> QSettings:
    from PySide6.QtCore import QSettings  # Qt only for the tests that ask for settings

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
def make_window(
    qtbot: Any, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Any]]:
    """Build a shown ``MainWindow`` with the test's settings and a store on the test's
    keyring; every window is closed afterwards and every request thread must have ended.
    Closing one with unsaved credential edits answers "Discard" to the modal question
    unless the test scripts the panel's questions itself."""
    # The window parts are imported only when a test asks for a window, so the Qt-free
    # tests do not depend on them.
    from inspector.core.profile_session import KeepChoice
    from inspector.ui import MainWindow, fetch_worker
    from inspector.ui.profile_questions import DialogQuestions

    monkeypatch.setattr(
        DialogQuestions, "ask_quit_changes", lambda self, *args, **kwargs: KeepChoice.DISCARD
    )

    windows: list[Any] = []

    def make(**kwargs: Any) -> Any:
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
    for window in windows:
        window.close()
    # closeEvent waits for the window's threads; none may outlive it.
    assert fetch_worker.wait_for_orphans(10_000), "a request thread outlived its window"
