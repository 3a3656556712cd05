"""What the keychain store answers (``KeychainStatus``, ``SaveOutcome``, ``LoadOutcome``).

Kept apart from the store (``keychain``), which imports ``keyring``: the window's process
rebuilds these answers from the start read's helper process (``start_read``) without
loading keyring at all.
"""

from __future__ import annotations

from typing import NamedTuple

from ..i18n import N_

__all__ = ["NO_KEYCHAIN", "KeychainStatus", "LoadOutcome", "SaveOutcome"]

NO_KEYCHAIN = N_("no keychain")  # a display name: translated where shown

# Named tuples rather than frozen dataclasses: the window makes these classes while it
# starts (the start's keychain answer), and a dataclass takes about five times as long.


class KeychainStatus(NamedTuple):
    """Where a saved credential would go, and whether saving is expected to work."""

    backend_name: str
    usable: bool
    reason: str | None = None


class SaveOutcome(NamedTuple):
    """Result of :meth:`CredentialStore.save`; ``message`` is a plain sentence for the user."""

    persisted: bool
    message: str
    backend_name: str = NO_KEYCHAIN


class LoadOutcome(NamedTuple):
    """Result of :meth:`CredentialStore.load`. ``secret`` is left out of ``repr``."""

    secret: str | None
    from_session_only: bool
    message: str | None

    def __repr__(self) -> str:
        return (
            f"LoadOutcome(from_session_only={self.from_session_only!r}, message={self.message!r})"
        )
