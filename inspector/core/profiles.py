"""Named portal profiles: the non-secret record of one portal, and the rules for its name.

A profile is a name plus what may be written to a settings file: the credential's kind and
portal host (shown before the keychain is read), the proxy in its display form (a proxy
password replaced by a placeholder) and the path of an extra CA file. The secrets live in
the keychain: the credential under the profile's name, and a proxy URL that holds a
password under ``"<name>/proxy"`` (a name no profile can have: names may not contain "/").

``SecretStore`` is how the Qt-free profile code reaches those secrets (the keychain's
``CredentialStore``, handed in, so that ``keyring`` is imported only where it is needed).

Kept apart from where the list is stored (the window keeps it in ``QSettings``, see
``ui.profiles.ProfileStore``) so that the profile session (``profile_session``) can work
on any list, and be tested without Qt.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from ..i18n import _, ngettext

if TYPE_CHECKING:
    from .keychain import KeychainStatus, LoadOutcome, SaveOutcome

DEFAULT_PROFILE = "default"
MAX_NAME_CHARS = 64
_FORBIDDEN = frozenset("#/\\")  # "#" is the keychain's chunk separator, "/" the proxy entry's


class Profile(NamedTuple):
    """One profile's non-secret facts. ``proxy`` never holds a password."""

    name: str
    kind: str = ""  # "webhook", "oauth", or "" when nothing was saved yet
    host: str = ""
    proxy: str = ""  # display form; empty: from the environment / system
    proxy_has_password: bool = False  # the URL with its password is in the keychain
    ca_file: str = ""
    signin_port: int = 0  # the browser sign-in's port; 0: ``signin.DEFAULT_PORT``

    @property
    def proxy_entry(self) -> str:
        """The keychain entry that holds a proxy URL with its password."""
        return proxy_entry(self.name)


def proxy_entry(name: str) -> str:
    return f"{name}/proxy"


def check_profile_name(text: str, existing: list[str], *, current: str | None = None) -> str:
    """The trimmed name, or ``ValueError`` with a sentence saying what is wrong with it."""
    name = text.strip()
    if not name:
        raise ValueError(_("A profile needs a name."))
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(
            ngettext(
                "A profile name can have at most {n} character.",
                "A profile name can have at most {n} characters.",
                MAX_NAME_CHARS,
            ).format(n=MAX_NAME_CHARS)
        )
    if any(ch in _FORBIDDEN for ch in name) or any(
        unicodedata.category(ch)[0] == "C" for ch in name
    ):
        raise ValueError(_("A profile name cannot contain #, / or \\ or control characters."))
    folded = name.casefold()
    for other in existing:
        if other.casefold() == folded and other != current:
            raise ValueError(_("There is already a profile called “{name}”.").format(name=other))
    return name


class ProfileList(Protocol):
    """Where the profiles are listed (never a secret): ``ui.profiles.ProfileStore``."""

    last_used: str
    """The profile to open at start; always one of ``names()``."""

    def names(self) -> list[str]:
        """Every profile's name, in the order they were created; at least one."""
        ...

    def get(self, name: str) -> Profile:
        """The profile called *name* (an empty one if there is none)."""
        ...

    def put(self, profile: Profile) -> None:
        """Add *profile*, or replace the one with its name."""
        ...

    def update(self, name: str, **changes: Any) -> Profile:
        """Change some facts of profile *name*; returns the profile as now stored."""
        ...

    def rename(self, old: str, new: str) -> None: ...

    def remove(self, name: str) -> None: ...


class SecretStore(Protocol):
    """The keychain, one secret per entry name (``core.keychain.CredentialStore``)."""

    def status(self) -> KeychainStatus: ...
    def save(self, profile: str, secret: str) -> SaveOutcome: ...
    def load(self, profile: str) -> LoadOutcome: ...
    def forget(self, profile: str) -> str: ...
