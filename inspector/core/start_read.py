"""What the window reads from the keychain at start, planned on the GUI thread and read on
another one.

The first keychain read is the slowest step of a start (``keyring`` loads, finds its
backend, the keychain answers), so the window runs it on a worker thread. The plan is made
by ``ProfileSession.start_plan`` from the session's state; ``StartPlan.read`` touches only
the store it is given, never the session, and ``ProfileSession.finish_start`` applies the
answer back on the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .keychain_status import KeychainStatus, LoadOutcome
    from .profiles import SecretStore

__all__ = ["StartPlan", "StartRead"]


class StartPlan(NamedTuple):
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


class StartRead(NamedTuple):
    """What the keychain answered to a ``StartPlan``; applied by ``finish_start``."""

    plan: StartPlan
    status: KeychainStatus
    credential: LoadOutcome | None
    proxy_url: str | None = None

    def __repr__(self) -> str:  # the proxy URL may carry its password
        return (
            f"StartRead(plan={self.plan!r}, status={self.status!r}, credential={self.credential!r})"
        )


# --- across a process boundary (``start_read_child``) -----------------------------------


def plan_to_json(plan: StartPlan) -> str:
    """*plan* as one line of JSON, for the process that reads it."""
    import json

    return json.dumps(
        {"profile": plan.profile, "credential": plan.credential, "proxy_entry": plan.proxy_entry}
    )


def plan_from_json(text: str) -> StartPlan:
    import json

    data = json.loads(text)
    profile, proxy_entry = data["profile"], data["proxy_entry"]
    if not (profile is None or isinstance(profile, str)) or not (
        proxy_entry is None or isinstance(proxy_entry, str)
    ):
        raise ValueError("not a start plan")
    return StartPlan(profile, bool(data["credential"]), proxy_entry)


def read_to_json(read: StartRead) -> str:
    """What the keychain answered, as JSON: it carries the secret, so it goes only down
    the pipe to the window's process, never to a file or a log."""
    import json

    status, credential = read.status, read.credential
    return json.dumps(
        {
            "status": [status.backend_name, status.usable, status.reason],
            "credential": None
            if credential is None
            else [credential.secret, credential.from_session_only, credential.message],
            "proxy_url": read.proxy_url,
        }
    )


def read_from_json(plan: StartPlan, text: str) -> StartRead:
    """The ``StartRead`` that ``read_to_json`` wrote for *plan* (ValueError if it is not)."""
    import json

    from .keychain_status import KeychainStatus, LoadOutcome

    try:
        data = json.loads(text)
        name, usable, reason = data["status"]
        credential = data["credential"]
        proxy_url = data["proxy_url"]
        texts: tuple[object, ...] = (name, reason, proxy_url)
        flags: tuple[object, ...] = (usable,)
        if credential is not None:
            secret, session_only, message = credential
            texts += (secret, message)
            flags += (session_only,)
        if not isinstance(name, str) or not all(
            value is None or isinstance(value, str) for value in texts
        ):
            raise ValueError
        if not all(isinstance(flag, bool) for flag in flags):
            raise ValueError
        status = KeychainStatus(name, usable, reason)
        loaded = None if credential is None else LoadOutcome(secret, session_only, message)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("not a keychain answer") from exc  # never the text: it has secrets
    return StartRead(plan, status, loaded, proxy_url)
