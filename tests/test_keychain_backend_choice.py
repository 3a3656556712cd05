"""Which keyring backend the keychain store uses: the platform's own keychain chosen
directly (keyring's discovery loads every backend's entry point and asks each, ~50 ms at
start-up), unless keyring was told otherwise (``PYTHON_KEYRING_BACKEND``, ``keyringrc.cfg``,
``keyring.set_keyring``) or the platform's keychain is not reachable. Against the real
Secret Service (see ``keyring_session.py``)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.core
import keyring_session
import pytest
from keyring.backends import SecretService, null

from inspector.core.keychain import NO_KEYCHAIN, CredentialStore

pytestmark = [
    pytest.mark.keychain,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Secret Service is Linux's"),
]


@pytest.fixture(scope="module")
def secret_service_address() -> Iterator[str]:
    with keyring_session.secret_service_bus() as address:
        yield address


@pytest.fixture
def discovery(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, secret_service_address: str
) -> list[bool]:
    """keyring as a fresh process finds it, on the Secret Service's bus; the list records
    each time keyring's own discovery ran."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service_address)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.delenv("XDG_CURRENT_DESKTOP", raising=False)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # restored afterwards
    calls: list[bool] = []
    real = keyring.backend.get_all_keyring

    def counted() -> list[keyring.backend.KeyringBackend]:
        calls.append(True)
        return list(real())

    monkeypatch.setattr(keyring.backend, "get_all_keyring", counted)
    return calls


def store() -> CredentialStore:
    return CredentialStore(service=f"b24-inspector-test-{uuid.uuid4().hex[:12]}")


def test_the_secret_service_is_chosen_without_keyring_discovery(discovery: list[bool]) -> None:
    status = store().status()
    assert status.usable and status.backend_name == "Secret Service"
    assert isinstance(keyring.get_keyring(), SecretService.Keyring)
    assert discovery == []


def test_python_keyring_backend_is_honoured(
    discovery: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    status = store().status()
    assert not status.usable and status.backend_name == NO_KEYCHAIN
    assert isinstance(keyring.get_keyring(), null.Keyring)


def test_keyringrc_is_honoured(discovery: list[bool], tmp_path: Path) -> None:
    config = tmp_path / "config" / "python_keyring" / "keyringrc.cfg"
    config.parent.mkdir(parents=True)
    config.write_text("[backend]\ndefault-keyring=keyring.backends.null.Keyring\n")
    status = store().status()
    assert not status.usable and status.backend_name == NO_KEYCHAIN
    assert isinstance(keyring.get_keyring(), null.Keyring)


def test_a_backend_set_in_keyring_is_kept(discovery: list[bool]) -> None:
    keyring.set_keyring(null.Keyring())
    assert not store().status().usable
    assert isinstance(keyring.get_keyring(), null.Keyring)


def test_an_unreachable_secret_service_leaves_the_choice_to_keyring(
    discovery: list[bool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    status = store().status()
    assert discovery  # keyring (and its chainer) looked the backends up
    assert not status.usable


def test_a_kde_session_leaves_the_choice_to_keyring(
    discovery: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "KDE")
    store().status()
    assert discovery  # keyring (and its chainer) looked the backends up
