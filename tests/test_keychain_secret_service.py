"""The keychain store against the real Secret Service (gnome-keyring over D-Bus).

Runs on the session bus ``.ci/run`` starts, or on a private one started here (see
``keyring_session.py``). Skipped when gnome-keyring is not installed, unless
``B24_REQUIRE_SECRET_SERVICE=1``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
import keyring_session
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService

from inspector.core.keychain import CHUNK_CHARS, CredentialStore

pytestmark = pytest.mark.keychain

SECRET = "https://portal.example/rest/7/real-secret-service-code/"


@pytest.fixture(scope="session")
def secret_service_address() -> Iterator[str]:
    with keyring_session.secret_service_bus() as address:
        yield address


@pytest.fixture
def service() -> str:
    """A service name of its own, so nothing of the app's real entries is touched."""
    return f"b24-inspector-test-{uuid.uuid4().hex[:12]}"


@contextmanager
def using_secret_service(monkeypatch: pytest.MonkeyPatch, address: str) -> Iterator[None]:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    previous = keyring.get_keyring()
    backend: KeyringBackend = SecretService.Keyring()
    assert SecretService.Keyring.viable, "Secret Service not reachable on the test bus"
    keyring.set_keyring(backend)
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def real_keyring(secret_service_address: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with using_secret_service(monkeypatch, secret_service_address):
        yield


def _status_in_fresh_process(address: str) -> dict[str, object]:
    """keyring's own backend detection, in a process that has never seen another backend."""
    code = (
        "import json\n"
        "from inspector.core.keychain import CredentialStore\n"
        "s = CredentialStore().status(probe=True)\n"
        "print(json.dumps({'name': s.backend_name, 'usable': s.usable, 'reason': s.reason}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_detected_backend_is_secret_service(secret_service_address: str) -> None:
    status = _status_in_fresh_process(secret_service_address)
    assert status == {"name": "Secret Service", "usable": True, "reason": None}


def test_round_trip(real_keyring: None, service: str) -> None:
    store = CredentialStore(service)
    assert store.status(probe=True).backend_name == "Secret Service"
    saved = store.save("main", SECRET)
    assert saved.persisted, saved.message
    assert saved.message == "Saved in Secret Service."

    loaded = CredentialStore(service).load("main")
    assert loaded.secret == SECRET
    assert not loaded.from_session_only
    assert loaded.message is None

    assert CredentialStore(service).forget("main") == "Removed from Secret Service."
    assert CredentialStore(service).load("main").secret is None
    assert "already gone" in CredentialStore(service).forget("main")


def test_long_secret_round_trip(real_keyring: None, service: str) -> None:
    secret = ("é😀" + "k" * 97) * (CHUNK_CHARS // 10)
    assert len(secret) > 4 * CHUNK_CHARS
    assert CredentialStore(service).save("big", secret).persisted
    backend = keyring.get_keyring()
    assert backend.get_password(service, "big#a#1") is not None
    assert CredentialStore(service).load("big").secret == secret
    # A new generation goes to the other slot; the old one is deleted after the switch.
    assert CredentialStore(service).save("big", secret[::-1]).persisted
    assert backend.get_password(service, "big#a#1") is None
    assert backend.get_password(service, "big#b#1") is not None
    assert CredentialStore(service).load("big").secret == secret[::-1]
    CredentialStore(service).forget("big")
    assert backend.get_password(service, "big") is None
    assert backend.get_password(service, "big#b#1") is None


def test_saved_entry_survives_the_process(real_keyring: None, service: str) -> None:
    CredentialStore(service).save("main", SECRET)
    code = (
        "import sys\n"
        "from inspector.core.keychain import CredentialStore\n"
        "out = CredentialStore(sys.argv[1]).load('main')\n"
        "assert not out.from_session_only\n"
        "print(out.secret)\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, service],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == SECRET
    finally:
        CredentialStore(service).forget("main")


def test_never_unlocked_keyring_is_session_only(
    monkeypatch: pytest.MonkeyPatch, service: str
) -> None:
    """gnome-keyring running without --unlock and no keyring yet: "Prompt dismissed"."""
    with (
        keyring_session.private_secret_service(unlocked=False) as address,
        using_secret_service(monkeypatch, address),
    ):
        store = CredentialStore(service)
        status = store.status(probe=True)
        assert status.backend_name == "Secret Service"
        assert not status.usable
        assert status.reason is not None
        assert "prompt was dismissed" in status.reason
        assert "this session only" in status.reason

        saved = store.save("main", SECRET)
        assert not saved.persisted
        assert "this session only" in saved.message
        assert SECRET not in saved.message
        loaded = store.load("main")
        assert (loaded.secret, loaded.from_session_only) == (SECRET, True)


def test_locked_keyring_is_session_only(
    monkeypatch: pytest.MonkeyPatch, service: str, tmp_path: Path
) -> None:
    """A login keyring that exists but was not unlocked this time: KeyringLocked."""
    with (
        keyring_session.private_secret_service(unlocked=True, state_dir=tmp_path) as address,
        using_secret_service(monkeypatch, address),
    ):
        assert CredentialStore(service).save("main", SECRET).persisted
    with (
        keyring_session.private_secret_service(unlocked=False, state_dir=tmp_path) as address,
        using_secret_service(monkeypatch, address),
    ):
        store = CredentialStore(service)
        status = store.status(probe=True)
        assert not status.usable
        assert status.reason is not None and "locked" in status.reason

        loaded = store.load("main")
        assert loaded.secret is None
        assert loaded.message is not None and "locked" in loaded.message

        saved = store.save("main", "new-" + SECRET)
        assert not saved.persisted
        assert "locked" in saved.message
        assert store.load("main").secret == "new-" + SECRET
