"""Keychain backends that fail the way real ones do, for the fault suite.

Subclasses of the tests' one in-memory backend (``memory_keyring.MemoryKeyring``), usable
in-process (``keyring.set_keyring``) and in a CLI subprocess
(``PYTHON_KEYRING_BACKEND=fault_keyrings.FailsOnLoad``). Their exceptions quote the secret
they were given, as a careless backend might, so a test proves that the inspector never
repeats a backend's exception text.

keyring's own detection considers every imported backend class, so each one is viable
only where the suite asked for it (``FAULT_KEYRING_ENV=1``); elsewhere its ``priority``
raises and keyring skips it.
"""

from __future__ import annotations

import json
import os
from typing import ClassVar

from keyring.compat import properties
from keyring.errors import KeyringError, PasswordSetError
from memory_keyring import MemoryKeyring

FAULT_KEYRING_ENV = "B24_FAULT_KEYRING"
WINDOWS_BLOB_LIMIT = 2560  # bytes: CRED_MAX_CREDENTIAL_BLOB_SIZE (UTF-16 password)


class ScriptedKeyring(MemoryKeyring):
    """Keeps entries in memory; fails the operations named in ``fail_on``."""

    name = "Test keychain"
    fail_on: ClassVar[frozenset[str]] = frozenset()

    @properties.classproperty
    def priority(cls) -> float:
        if os.environ.get(FAULT_KEYRING_ENV) != "1":
            raise RuntimeError("a fault-suite backend, not for keyring's own detection")
        return 1

    def get_password(self, service: str, username: str) -> str | None:
        if "load" in self.fail_on:
            raise KeyringError(f"backend failed reading {service}/{username}: {self.entries}")
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        if "save" in self.fail_on:
            raise PasswordSetError(f"backend refused to store {password!r}")
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        if "delete" in self.fail_on:
            raise KeyringError(f"backend failed deleting {username}: {self.entries}")
        super().delete_password(service, username)


class FailsOnSave(ScriptedKeyring):
    name = "Test keychain (save fails)"
    fail_on = frozenset({"save"})


class FailsOnLoad(ScriptedKeyring):
    name = "Test keychain (load fails)"
    fail_on = frozenset({"load"})


class FailsOnDelete(ScriptedKeyring):
    name = "Test keychain (delete fails)"
    fail_on = frozenset({"delete"})


class CrashesOnLoad(ScriptedKeyring):
    """Not even a KeyringError: a D-Bus library blowing up."""

    name = "Test keychain (crashes)"

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError(f"dbus exploded while reading {username}")


class WindowsSizeLimit(ScriptedKeyring):
    """Refuses a secret over Windows Credential Manager's 2,560-byte blob, as CredWrite does."""

    name = "Windows Credential Manager (size-limited test double)"

    def set_password(self, service: str, username: str, password: str) -> None:
        if len(password.encode("utf-16-le")) > WINDOWS_BLOB_LIMIT:
            raise PasswordSetError(f"(1783, 'CredWrite', 'The stub received bad data.') {password}")
        super().set_password(service, username, password)


FAULT_KEYRING_FILE_ENV = "B24_FAULT_KEYRING_FILE"


class FileBacked(ScriptedKeyring):
    """Entries in a JSON file (``B24_FAULT_KEYRING_FILE``), so that a test can give a CLI
    subprocess a saved credential and read what it saved. Test-only, never a real store."""

    name = "Test keychain (file)"

    def __init__(self) -> None:
        super().__init__()
        self._path = os.environ.get(FAULT_KEYRING_FILE_ENV, "")
        if self._path and os.path.exists(self._path):
            with open(self._path, encoding="utf-8") as stream:
                self.entries = {(s, u): p for s, u, p in json.load(stream)}

    def _flush(self) -> None:
        if self._path:
            with open(self._path, "w", encoding="utf-8") as stream:
                json.dump([[s, u, p] for (s, u), p in self.entries.items()], stream)

    def set_password(self, service: str, username: str, password: str) -> None:
        super().set_password(service, username, password)
        self._flush()

    def delete_password(self, service: str, username: str) -> None:
        super().delete_password(service, username)
        self._flush()


class ReadOnlyFile(FileBacked):
    """Reads its file; refuses every write (a keychain that reads but cannot write)."""

    name = "Test keychain (read-only)"
    fail_on = frozenset({"save"})
