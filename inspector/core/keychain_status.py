"""What the keychain store answers (``KeychainStatus``, ``SaveOutcome``, ``LoadOutcome``).

Kept apart from the store (``keychain``), which imports ``keyring``: the window's process
rebuilds these answers from the start read's helper process (``start_read``) without
loading keyring at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import N_

__all__ = ["NO_KEYCHAIN", "KeychainStatus", "LoadOutcome", "SaveOutcome"]

NO_KEYCHAIN = N_("no keychain")  # a display name: translated where shown


@dataclass(frozen=True)
class KeychainStatus:
    """Where a saved credential would go, and whether saving is expected to work."""

    backend_name: str
    usable: bool
    reason: str | None = None


@dataclass(frozen=True)
class SaveOutcome:
    """Result of :meth:`CredentialStore.save`; ``message`` is a plain sentence for the user."""

    persisted: bool
    message: str
    backend_name: str = NO_KEYCHAIN


@dataclass(frozen=True)
class LoadOutcome:
    """Result of :meth:`CredentialStore.load`. ``secret`` is left out of ``repr``."""

    secret: str | None = field(repr=False)
    from_session_only: bool
    message: str | None
