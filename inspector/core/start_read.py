"""What the window reads from the keychain at start, planned on the GUI thread and read on
another one.

The first keychain read is the slowest step of a start (``keyring`` loads, finds its
backend, the keychain answers), so the window runs it on a worker thread. The plan is made
by ``ProfileSession.start_plan`` from the session's state; ``StartPlan.read`` touches only
the store it is given, never the session, and ``ProfileSession.finish_start`` applies the
answer back on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .keychain import KeychainStatus, LoadOutcome
    from .profiles import SecretStore

__all__ = ["StartPlan", "StartRead"]


@dataclass(frozen=True)
class StartPlan:
    """What the first keychain read must fetch, decided on the GUI thread (``start_plan``).

    ``read`` runs on a worker thread: it touches only the store it is given, never the
    session, so the window stays responsive while ``keyring`` loads and answers.
    """

    profile: str | None
    """The profile in use when the read began (None: the demo entry)."""
    credential: bool
    """Read the profile's saved credential (not when the demo or the environment gave one)."""
    proxy_entry: str | None
    """The keychain entry of the profile's proxy password, if it has one."""

    def read(self, store: SecretStore) -> StartRead:
        """Ask *store* where credentials go and read what the plan names (any thread)."""
        status = store.status()
        credential = None
        if self.credential and self.profile is not None:
            credential = store.load(self.profile)
        proxy = store.load(self.proxy_entry).secret if self.proxy_entry else None
        return StartRead(self, status, credential, proxy)


@dataclass(frozen=True)
class StartRead:
    """What the keychain answered to a ``StartPlan``; applied by ``finish_start``."""

    plan: StartPlan
    status: KeychainStatus
    credential: LoadOutcome | None
    proxy_url: str | None = field(default=None, repr=False)
