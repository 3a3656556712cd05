"""Named portal profiles: the non-secret half, kept in ``QSettings``.

A profile is a name plus what may be written to a settings file: the credential's kind and
portal host (shown before the keychain is read), the proxy in its display form (a proxy
password replaced by a placeholder) and the path of an extra CA file. The secrets live in
the keychain (``core.keychain.CredentialStore``): the credential under the profile's name,
and a proxy URL that holds a password under ``"<name>/proxy"`` (a name no profile can
have, since profile names may not contain "/").

The profile that existed before profiles did is called ``default``; with nothing listed in
the settings, it is the only profile, so an older settings file needs no migration.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from PySide6.QtCore import QSettings

DEFAULT_PROFILE = "default"
MAX_NAME_CHARS = 64
_LIST_KEY = "profiles"
_LAST_KEY = "session/lastProfile"  # outside the "profiles" array, which _write replaces
_FORBIDDEN = frozenset("#/\\")  # "#" is the keychain's chunk separator, "/" the proxy entry's


class NetworkSettings:
    """A profile's proxy and extra CA file; None means the defaults (see core.network)."""

    __slots__ = ("extra_ca_file", "proxy")

    def __init__(self, proxy: str | None = None, extra_ca_file: str | None = None) -> None:
        self.proxy = proxy  # may hold a proxy password: never shown, never in repr
        self.extra_ca_file = extra_ca_file

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NetworkSettings) and (self.proxy, self.extra_ca_file) == (
            other.proxy,
            other.extra_ca_file,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        proxy = "set" if self.proxy else "default"
        return f"NetworkSettings(proxy={proxy}, extra_ca_file={self.extra_ca_file!r})"


class Profile:
    """One profile's non-secret facts. ``proxy`` never holds a password.

    A plain class rather than a dataclass: this module is imported at start-up, and
    ``dataclasses`` is not otherwise needed before the first request.
    """

    __slots__ = ("ca_file", "host", "kind", "name", "proxy", "proxy_has_password")

    def __init__(
        self,
        name: str,
        kind: str = "",
        host: str = "",
        proxy: str = "",
        proxy_has_password: bool = False,
        ca_file: str = "",
    ) -> None:
        self.name = name
        self.kind = kind  # "webhook", "oauth", or "" when nothing was saved yet
        self.host = host
        self.proxy = proxy  # display form; empty: from the environment / system
        self.proxy_has_password = proxy_has_password  # the URL is in the keychain
        self.ca_file = ca_file

    def replace(self, **changes: Any) -> Profile:
        values = {key: getattr(self, key) for key in self.__slots__}
        values.update(changes)
        return Profile(**values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Profile) and all(
            getattr(self, key) == getattr(other, key) for key in self.__slots__
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Profile({self.name!r}, kind={self.kind!r}, host={self.host!r})"

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
        raise ValueError("A profile needs a name.")
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(f"A profile name can have at most {MAX_NAME_CHARS} characters.")
    if any(ch in _FORBIDDEN for ch in name) or any(
        unicodedata.category(ch)[0] == "C" for ch in name
    ):
        raise ValueError("A profile name cannot contain #, / or \\ or control characters.")
    folded = name.casefold()
    for other in existing:
        if other.casefold() == folded and other != current:
            raise ValueError(f"There is already a profile called “{other}”.")
    return name


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _flag(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


class ProfileStore:
    """Reads and writes the profile list in ``QSettings`` (never a secret)."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def all(self) -> list[Profile]:
        """Every profile, in the order they were created; at least ``default``."""
        settings = self._settings
        count = settings.beginReadArray(_LIST_KEY)
        found: list[Profile] = []
        try:
            for i in range(count):
                settings.setArrayIndex(i)
                name = _text(settings.value("name"))
                try:
                    name = check_profile_name(name, [p.name for p in found])
                except ValueError:
                    continue  # an edited or damaged settings file: skip, never crash
                found.append(
                    Profile(
                        name=name,
                        kind=_text(settings.value("kind")),
                        host=_text(settings.value("host")),
                        proxy=_text(settings.value("proxy")),
                        proxy_has_password=_flag(settings.value("proxyHasPassword")),
                        ca_file=_text(settings.value("caFile")),
                    )
                )
        finally:
            settings.endArray()
        return found or [Profile(DEFAULT_PROFILE)]

    def names(self) -> list[str]:
        return [p.name for p in self.all()]

    def get(self, name: str) -> Profile:
        for profile in self.all():
            if profile.name == name:
                return profile
        return Profile(name)

    def _write(self, profiles: list[Profile]) -> None:
        settings = self._settings
        settings.remove(_LIST_KEY)
        settings.beginWriteArray(_LIST_KEY, len(profiles))
        try:
            for i, profile in enumerate(profiles):
                settings.setArrayIndex(i)
                settings.setValue("name", profile.name)
                settings.setValue("kind", profile.kind)
                settings.setValue("host", profile.host)
                settings.setValue("proxy", profile.proxy)
                settings.setValue("proxyHasPassword", profile.proxy_has_password)
                settings.setValue("caFile", profile.ca_file)
        finally:
            settings.endArray()
        settings.sync()

    def put(self, profile: Profile) -> None:
        """Add *profile*, or replace the one with its name."""
        profiles = self.all()
        for i, existing in enumerate(profiles):
            if existing.name == profile.name:
                profiles[i] = profile
                break
        else:
            profiles.append(profile)
        self._write(profiles)

    def update(self, name: str, **changes: Any) -> Profile:
        profile = self.get(name).replace(**changes)
        self.put(profile)
        return profile

    def rename(self, old: str, new: str) -> None:
        self._write([p.replace(name=new) if p.name == old else p for p in self.all()])
        if self.last_used == old:
            self.last_used = new

    def remove(self, name: str) -> None:
        """Drop *name*; with none left, ``default`` (empty) is the only profile again."""
        self._write([p for p in self.all() if p.name != name])

    @property
    def last_used(self) -> str:
        names = self.names()
        last = _text(self._settings.value(_LAST_KEY))
        return last if last in names else names[0]

    @last_used.setter
    def last_used(self, name: str) -> None:
        self._settings.setValue(_LAST_KEY, name)
        self._settings.sync()
