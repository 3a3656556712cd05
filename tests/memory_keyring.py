"""One in-memory keyring backend for the tests: a real ``KeyringBackend``, not a mock.

``entries`` holds what is stored, ``seen`` every value ever written (leak checks look at
it); keyring's own detection can never pick it (its ``priority`` raises). Backends that
fail on purpose (``test_keychain.py``, ``faults/fault_keyrings.py``) subclass it.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError

from inspector.core.keychain import SERVICE


class MemoryKeyring(KeyringBackend):
    name = "Memory keychain"

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test-only backend")

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring leaves it unannotated
        self.entries: dict[tuple[str, str], str] = {}
        self.seen: list[str] = []

    @property
    def writes(self) -> int:
        """How many times a value was stored."""
        return len(self.seen)

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.seen.append(password)
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")

    def saved(self, profile: str = "default") -> str | None:
        return self.entries.get((SERVICE, profile))
