"""Chunked secrets survive a kill at any point, and the keychain takes no giant secret.

A save writes the new chunks to the slot the manifest does not name, switches the manifest,
then deletes the old generation (issue 10, finding 5). ``KilledKeyring`` stops the save at
each of its writes and deletes in turn, as a kill would (an exception that ``except
Exception`` does not catch); afterwards a fresh store must load the old secret or the new
one, whole, never "incomplete", and the next save must leave no piece behind. The layout of
older versions ("<profile>#<n>" chunks, manifest v1) is still read, and replaced on save.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from memory_keyring import MemoryKeyring

from inspector.core.keychain import CHUNK_CHARS, MAX_SECRET_CHARS, SERVICE, CredentialStore

OLD = "old-" + "o" * (CHUNK_CHARS * 3)
NEW = "new-" + "n" * (CHUNK_CHARS * 4 + 9)
SHORT = "short-secret-value"


class Killed(BaseException):
    """The process died here."""


class KilledKeyring(MemoryKeyring):
    """Counts every write and delete; the one numbered ``kill_at`` never happens."""

    def __init__(self, entries: dict[tuple[str, str], str], kill_at: int | None) -> None:
        super().__init__()
        self.entries = dict(entries)
        self.kill_at = kill_at
        self.changes = 0

    def _change(self) -> None:
        self.changes += 1
        if self.changes == self.kill_at:
            raise Killed()

    def set_password(self, service: str, username: str, password: str) -> None:
        self._change()
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._change()
        super().delete_password(service, username)


def v1_layout(profile: str, secret: str) -> dict[tuple[str, str], str]:
    """What an older version saved for a chunked secret."""
    chunks = [secret[i : i + CHUNK_CHARS] for i in range(0, len(secret), CHUNK_CHARS)]
    digest = hashlib.sha256(secret.encode()).hexdigest()
    entries = {(SERVICE, f"{profile}#{n}"): c for n, c in enumerate(chunks, start=1)}
    entries[(SERVICE, profile)] = f"b24-inspector-chunked:v1:{len(chunks)}:{digest}"
    return entries


def saved_with(old: str) -> dict[tuple[str, str], str]:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    assert CredentialStore().save("main", old).persisted
    return backend.entries


STARTS: dict[str, Callable[[], dict[tuple[str, str], str]]] = {
    "v1-chunked": lambda: v1_layout("main", OLD),
    "v2-chunked": lambda: saved_with(OLD),
    "v2-chunked-twice": lambda: saved_with(OLD) and _saved_twice(),
    "plain": lambda: {(SERVICE, "main"): SHORT},
}


def _saved_twice() -> dict[tuple[str, str], str]:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    CredentialStore().save("main", "x" * (CHUNK_CHARS * 2))
    CredentialStore().save("main", OLD)  # now in slot b
    return backend.entries


def old_value(start: str) -> str:
    return SHORT if start == "plain" else OLD


@pytest.mark.parametrize("new", [NEW, SHORT + "-2"], ids=["to-chunked", "to-plain"])
@pytest.mark.parametrize("start", list(STARTS))
def test_a_kill_at_any_point_leaves_one_whole_credential(
    start: str, new: str, set_backend: Callable[[KeyringBackend], KeyringBackend]
) -> None:
    entries = STARTS[start]()
    clean = set_backend(KilledKeyring(entries, kill_at=None))
    assert isinstance(clean, KilledKeyring)
    assert CredentialStore().load("main").secret == old_value(start)
    assert CredentialStore().save("main", new).persisted
    total = clean.changes
    assert total >= 1
    for kill_at in range(1, total + 1):
        backend = set_backend(KilledKeyring(entries, kill_at))
        with pytest.raises(Killed):
            CredentialStore().save("main", new)
        loaded = CredentialStore().load("main")
        assert loaded.message is None, (kill_at, loaded.message)
        assert loaded.secret in (old_value(start), new), kill_at
        # The next save (another run) finishes the job and leaves no piece behind.
        assert isinstance(backend, KilledKeyring)
        backend.kill_at = None
        assert CredentialStore().save("main", new).persisted
        assert CredentialStore().load("main").secret == new
        assert len(backend.entries) == max(1, 1 + -(-len(new) // CHUNK_CHARS) * (new == NEW))
        CredentialStore().forget("main")
        assert backend.entries == {}, kill_at


def test_the_older_layout_is_read_and_replaced(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.entries.update(v1_layout("main", OLD))
    assert CredentialStore().load("main").secret == OLD
    assert CredentialStore().save("main", NEW).persisted
    assert not any(
        user.startswith("main#") and user[5:].isdigit() for _, user in memory_keyring.entries
    )
    assert CredentialStore().load("main").secret == NEW


def test_a_giant_secret_is_refused_at_once(memory_keyring: MemoryKeyring) -> None:
    """A 3 MB "refresh token" used to take thousands of keychain writes."""
    outcome = CredentialStore().save("main", "t" * (3 * 1024 * 1024))
    assert not outcome.persisted
    assert "too large" in outcome.message and "32 KiB" in outcome.message
    assert "session" in outcome.message
    assert memory_keyring.writes == 0
    assert CredentialStore().save("main", "t" * MAX_SECRET_CHARS).persisted


class ReadOnlyKeyring(MemoryKeyring):
    """Reads work; every write is refused (a keychain that reads but cannot write)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("refused")


def test_check_writable_finds_a_keychain_that_cannot_write(
    set_backend: Callable[[KeyringBackend], KeyringBackend],
) -> None:
    backend = set_backend(MemoryKeyring())
    status = CredentialStore().check_writable()
    assert status.usable and status.reason is None
    assert isinstance(backend, MemoryKeyring) and backend.entries == {}
    set_backend(ReadOnlyKeyring())
    status = CredentialStore().check_writable()
    assert not status.usable
    assert status.reason is not None and "refused to store" in status.reason
