"""Unit tests of the keychain store against real, in-memory keyring backends (no mocks)."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import keyring
import keyring.errors
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from memory_keyring import MemoryKeyring

from inspector.core import keychain, keychain_backend
from inspector.core.keychain import (
    CHUNK_CHARS,
    NO_KEYCHAIN,
    SERVICE,
    CredentialStore,
    KeychainStatus,
    LoadOutcome,
)

SECRET = "https://portal.example/rest/1/s3cr3t-c0de-XYZ/"
WINDOWS_BLOB_LIMIT = 2560  # bytes, Windows Credential Manager's CRED_MAX_CREDENTIAL_BLOB_SIZE


class WindowsLikeKeyring(MemoryKeyring):
    """Refuses a password over Windows Credential Manager's blob limit (UTF-16 stored)."""

    name = "Windows-like keychain"

    def set_password(self, service: str, username: str, password: str) -> None:
        if len(password.encode("utf-16-le", "surrogatepass")) > WINDOWS_BLOB_LIMIT:
            raise keyring.errors.PasswordSetError("blob too large")
        super().set_password(service, username, password)


class DBusError(Exception):
    """Stands for an unexpected error from a broken backend (e.g. a D-Bus failure)."""


class SetFails(MemoryKeyring):
    """Echoes the secret in its exception text, as a careless backend might."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"cannot store {password!r}")


class GetFails(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise DBusError("org.freedesktop.DBus.Error.NoReply: Did not receive a reply")


class DeleteFails(MemoryKeyring):
    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringError("delete went wrong")


class LockedKeyring(MemoryKeyring):
    """Every call fails the way a locked gnome-keyring does."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


class PlaintextKeyring(MemoryKeyring):
    """Named like keyrings.alt's file backend; must never receive a secret."""


class AltFileKeyring(MemoryKeyring):
    pass


AltFileKeyring.__module__ = "keyrings.alt.file"


class EmptyChainer(chainer.ChainerBackend):
    # ChainerBackend declares itself viable; undo that so detection never picks this one.
    viable = False
    priority = -10
    backends: list[KeyringBackend] = []  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring leaves it unannotated


def assert_no_secret(secret: str, *texts: object) -> None:
    for text in texts:
        assert secret not in str(text)
        assert secret not in repr(text)


# -- a working keychain -----------------------------------------------------------------


def test_round_trip_in_a_fresh_store(memory_keyring: MemoryKeyring) -> None:
    saved = CredentialStore().save("main", SECRET)
    assert saved.persisted
    assert saved.message == "Saved in Memory keychain."
    assert saved.backend_name == "Memory keychain"
    assert memory_keyring.entries == {(SERVICE, "main"): SECRET}

    loaded = CredentialStore().load("main")
    assert loaded.secret == SECRET
    assert not loaded.from_session_only
    assert loaded.message is None

    store = CredentialStore()
    assert store.forget("main") == "Removed from Memory keychain."
    assert memory_keyring.entries == {}
    assert store.load("main") == LoadOutcome(None, False, None)
    assert "already gone" in store.forget("main")
    assert_no_secret(SECRET, saved, loaded)


def test_status_of_a_working_keychain(memory_keyring: MemoryKeyring) -> None:
    assert CredentialStore().status() == KeychainStatus("Memory keychain", True, None)
    assert CredentialStore().status(probe=True).usable


def test_status_looks_the_backend_up_at_each_call(
    set_backend: Callable[[KeyringBackend], KeyringBackend],
) -> None:
    store = CredentialStore()
    set_backend(fail.Keyring())
    assert not store.status().usable
    set_backend(MemoryKeyring())
    assert store.status().usable
    assert store.save("main", SECRET).persisted


def test_service_name_is_used(memory_keyring: MemoryKeyring) -> None:
    CredentialStore(service="other-service").save("main", SECRET)
    assert memory_keyring.entries == {("other-service", "main"): SECRET}
    assert CredentialStore().load("main").secret is None


def test_profiles_are_separate(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    store.save("a", "secret-a")
    store.save("b", "secret-b")
    store.forget("a")
    assert store.load("a").secret is None
    assert store.load("b").secret == "secret-b"


@pytest.mark.parametrize("profile", ["", "main#1", "#"])
def test_profile_names_that_would_clash_with_chunks_are_refused(
    memory_keyring: MemoryKeyring, profile: str
) -> None:
    store = CredentialStore()
    for call in (
        lambda: store.save(profile, SECRET),
        lambda: store.load(profile),
        lambda: store.forget(profile),
    ):
        with pytest.raises(ValueError, match="profile") as error:
            call()
        assert_no_secret(SECRET, error.value)
    assert memory_keyring.entries == {}


def test_known_backends_get_friendly_names() -> None:
    assert keychain_backend.backend_display_name(fail.Keyring()) == NO_KEYCHAIN
    assert keychain_backend.backend_display_name(MemoryKeyring()) == "Memory keychain"
    # The real classes, where they can be constructed on this platform.
    from keyring.backends import SecretService

    assert keychain_backend.backend_display_name(SecretService.Keyring()) == "Secret Service"


# -- long secrets: chunks ---------------------------------------------------------------


LONG_SECRET = ("token-" + "é" * 700 + "😀" * 700 + "x" * 3000)[:4000]


def test_long_secret_is_chunked_under_the_windows_limit(
    set_backend: Callable[[KeyringBackend], KeyringBackend],
) -> None:
    backend = WindowsLikeKeyring()
    set_backend(backend)
    # Without chunks this backend refuses it.
    with pytest.raises(keyring.errors.PasswordSetError):
        backend.set_password("x", "y", LONG_SECRET)

    saved = CredentialStore().save("main", LONG_SECRET)
    assert saved.persisted, saved.message
    chunk_names = sorted(user for (_, user) in backend.entries if user != "main")
    count = -(-len(LONG_SECRET) // CHUNK_CHARS)
    assert chunk_names == sorted(f"main#a#{n}" for n in range(1, count + 1))
    for value in backend.entries.values():
        assert len(value.encode("utf-16-le", "surrogatepass")) <= WINDOWS_BLOB_LIMIT
        assert len(value.encode("utf-8")) <= WINDOWS_BLOB_LIMIT
    assert LONG_SECRET not in backend.entries[(SERVICE, "main")]

    loaded = CredentialStore().load("main")
    assert loaded.secret == LONG_SECRET
    assert not loaded.from_session_only

    assert CredentialStore().forget("main") == "Removed from Windows-like keychain."
    assert backend.entries == {}


def test_overwriting_a_long_secret_removes_its_old_chunks(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    store.save("main", "a" * (CHUNK_CHARS * 4))
    store.save("main", "b" * (CHUNK_CHARS * 2 + 1))
    assert len(memory_keyring.entries) == 1 + 3
    assert store.load("main").secret == "b" * (CHUNK_CHARS * 2 + 1)
    store.save("main", SECRET)
    assert memory_keyring.entries == {(SERVICE, "main"): SECRET}
    assert store.load("main").secret == SECRET


def test_exactly_one_chunk_is_stored_plainly(memory_keyring: MemoryKeyring) -> None:
    CredentialStore().save("main", "z" * CHUNK_CHARS)
    assert memory_keyring.entries == {(SERVICE, "main"): "z" * CHUNK_CHARS}
    CredentialStore().save("main", "z" * (CHUNK_CHARS + 1))
    assert len(memory_keyring.entries) == 3


@pytest.mark.parametrize("damage", ["drop", "change"])
def test_damaged_chunks_are_reported_not_returned(
    memory_keyring: MemoryKeyring, damage: str
) -> None:
    CredentialStore().save("main", LONG_SECRET)
    if damage == "drop":
        del memory_keyring.entries[(SERVICE, "main#a#2")]
    else:
        memory_keyring.entries[(SERVICE, "main#a#2")] = "x" * CHUNK_CHARS
    loaded = CredentialStore().load("main")
    assert loaded.secret is None
    assert loaded.message is not None and "incomplete" in loaded.message
    # forget still cleans every piece, including those after the gap
    CredentialStore().forget("main")
    assert memory_keyring.entries == {}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(secret=st.text(max_size=CHUNK_CHARS * 3 + 7))
def test_any_text_round_trips(secret: str) -> None:
    backend = WindowsLikeKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        assert CredentialStore().save("p", secret).persisted
        assert CredentialStore().load("p").secret == secret
        CredentialStore().forget("p")
        assert backend.entries == {}
    finally:
        keyring.set_keyring(previous)


# -- no usable keychain: session only ---------------------------------------------------


def test_no_keychain_keeps_the_secret_for_this_session(
    set_backend: Callable[[KeyringBackend], KeyringBackend],
) -> None:
    set_backend(fail.Keyring())
    store = CredentialStore()
    status = store.status()
    assert status.backend_name == NO_KEYCHAIN
    assert not status.usable
    assert status.reason is not None
    assert "No system keychain" in status.reason
    assert "this session only" in status.reason

    saved = store.save("main", SECRET)
    assert not saved.persisted
    assert "No system keychain" in saved.message
    assert "this session only" in saved.message

    loaded = store.load("main")
    assert loaded.secret == SECRET
    assert loaded.from_session_only
    assert loaded.message is not None and "session" in loaded.message

    fresh = CredentialStore().load("main")
    assert fresh.secret is None
    assert fresh.message is not None and "No system keychain" in fresh.message

    message = store.forget("main")
    assert "this session" in message
    assert store.load("main").secret is None
    assert_no_secret(SECRET, status, saved, loaded, fresh, message, store)


def test_null_backend_is_reported_as_turned_off(
    set_backend: Callable[[KeyringBackend], KeyringBackend],
) -> None:
    set_backend(null.Keyring())
    store = CredentialStore()
    status = store.status()
    assert not status.usable
    assert status.reason is not None and "turned off" in status.reason
    assert not store.save("main", SECRET).persisted
    assert store.load("main").from_session_only


@pytest.mark.parametrize("backend_class", [PlaintextKeyring, AltFileKeyring])
def test_file_backends_are_never_used(
    set_backend: Callable[[KeyringBackend], KeyringBackend],
    backend_class: type[MemoryKeyring],
) -> None:
    backend = set_backend(backend_class())
    assert isinstance(backend, MemoryKeyring)
    store = CredentialStore()
    status = store.status(probe=True)
    assert not status.usable
    assert status.reason is not None and "file on disk" in status.reason
    saved = store.save("main", SECRET)
    assert not saved.persisted
    assert "file on disk" in saved.message
    assert store.load("main").from_session_only
    store.forget("main")
    assert backend.writes == 0
    assert backend.entries == {}


def test_chainer_with_no_backends_is_no_keychain(
    set_backend: Callable[[KeyringBackend], KeyringBackend],
) -> None:
    set_backend(EmptyChainer())
    status = CredentialStore().status()
    assert status == KeychainStatus(NO_KEYCHAIN, False, status.reason)
    assert not CredentialStore().save("main", SECRET).persisted


def test_chainer_uses_the_backend_it_would_write_to(
    set_backend: Callable[[KeyringBackend], KeyringBackend],
) -> None:
    first, second = MemoryKeyring(), MemoryKeyring()

    class TwoChainer(EmptyChainer):
        backends = [first, second]  # noqa: RUF012

    set_backend(TwoChainer())
    store = CredentialStore()
    assert store.status() == KeychainStatus("Memory keychain", True, None)
    assert store.save("main", SECRET).persisted
    assert first.entries == {(SERVICE, "main"): SECRET}
    assert second.entries == {}

    class PlaintextFirst(EmptyChainer):
        backends = [PlaintextKeyring(), first]  # noqa: RUF012

    set_backend(PlaintextFirst())
    assert not CredentialStore().status().usable


# -- a keychain that fails --------------------------------------------------------------


def test_save_failure_keeps_the_secret_for_this_session(
    set_backend: Callable[[KeyringBackend], KeyringBackend],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    set_backend(SetFails())
    store = CredentialStore()
    assert store.status().usable  # expected to work until it fails

    saved = store.save("main", SECRET)
    assert not saved.persisted
    assert saved.message.startswith("Not saved in Memory keychain:")
    assert "refused" in saved.message
    assert "this session only" in saved.message

    status = store.status()
    assert not status.usable
    assert status.reason is not None and "refused" in status.reason

    loaded = store.load("main")
    assert (loaded.secret, loaded.from_session_only) == (SECRET, True)
    assert CredentialStore().load("main").secret is None
    assert_no_secret(SECRET, saved, status, loaded, store, *caplog.messages)
    assert any("outcome=failed" in m and "PasswordSetError" in m for m in caplog.messages)


def test_a_later_success_clears_the_failure(
    set_backend: Callable[[KeyringBackend], KeyringBackend],
) -> None:
    store = CredentialStore()
    set_backend(SetFails())
    store.save("main", SECRET)
    working = set_backend(MemoryKeyring())
    store.save("main", SECRET)  # a different backend object: fine again
    assert store.status().usable
    assert store.load("main") == LoadOutcome(SECRET, False, None)
    assert isinstance(working, MemoryKeyring)
    assert working.entries == {(SERVICE, "main"): SECRET}


def test_unexpected_error_on_load(
    set_backend: Callable[[KeyringBackend], KeyringBackend],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    set_backend(GetFails())
    store = CredentialStore()
    loaded = store.load("main")
    assert loaded.secret is None
    assert not loaded.from_session_only
    assert loaded.message == (
        "Could not read the saved credential from Memory keychain: "
        "The keychain failed unexpectedly."
    )
    assert "NoReply" not in loaded.message
    assert not store.status().usable
    assert not store.status(probe=True).usable
    assert any("DBusError" in m for m in caplog.messages)


def test_error_on_delete(
    set_backend: Callable[[KeyringBackend], KeyringBackend],
) -> None:
    backend = set_backend(DeleteFails())
    assert isinstance(backend, MemoryKeyring)
    store = CredentialStore()
    assert store.save("main", SECRET).persisted
    message = store.forget("main")
    assert message == "Could not remove it from Memory keychain: The keychain reported an error."
    assert backend.entries == {(SERVICE, "main"): SECRET}


def test_forget_drops_the_session_copy_even_when_delete_fails(
    set_backend: Callable[[KeyringBackend], KeyringBackend],
) -> None:
    store = CredentialStore()
    set_backend(fail.Keyring())
    store.save("main", SECRET)
    set_backend(DeleteFails())
    message = store.forget("main")
    assert "Could not remove" in message
    assert "session was dropped" in message
    assert store.load("main").secret is None


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (keyring.errors.KeyringLocked("Failed to unlock the collection!"), "locked"),
        (
            keyring.errors.InitError("Failed to create the collection: Prompt dismissed.."),
            "unlock prompt was dismissed",
        ),
        (keyring.errors.NoKeyringError("nothing here"), "No system keychain"),
    ],
)
def test_locked_keychain(
    set_backend: Callable[[KeyringBackend], KeyringBackend],
    error: Exception,
    words: str,
) -> None:
    set_backend(LockedKeyring(error))
    store = CredentialStore()
    status = store.status(probe=True)
    assert status.backend_name == keychain_backend.backend_display_name(LockedKeyring(error))
    assert not status.usable
    assert status.reason is not None and words in status.reason

    saved = store.save("main", SECRET)
    assert not saved.persisted
    assert words in saved.message
    assert "this session only" in saved.message
    assert store.load("main").secret == SECRET

    assert "Could not remove" in store.forget("main")
    fresh = CredentialStore().load("main")
    assert fresh.secret is None
    assert fresh.message is not None and words in fresh.message
    assert_no_secret(SECRET, status, saved, fresh)


def test_password_delete_error_means_already_gone(memory_keyring: MemoryKeyring) -> None:
    message = CredentialStore().forget("never-saved")
    assert message == "Nothing was saved in Memory keychain; it is already gone."


def test_reprs_hide_the_secret(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    store.save("main", SECRET)
    loaded = store.load("main")
    assert loaded.secret == SECRET
    assert_no_secret(SECRET, loaded, store)
    keep = CredentialStore()
    keyring.set_keyring(fail.Keyring())
    keep.save("main", SECRET)
    assert_no_secret(SECRET, keep, keep.load("main"))
    assert "session_only_profiles=1" in repr(keep)


# -- module boundaries ------------------------------------------------------------------


def test_keychain_imports_no_qt() -> None:
    code = (
        "import sys, inspector.core.keychain\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_only_the_keychain_modules_import_keyring() -> None:
    package = Path(keychain.__file__).resolve().parents[1]
    users = sorted(
        str(path.relative_to(package.parent))
        for path in package.rglob("*.py")
        if any(
            line.strip().startswith(("import keyring", "from keyring"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    )
    assert users == [
        str(Path("inspector/core/keychain.py")),
        str(Path("inspector/core/keychain_backend.py")),
    ]
