"""The profile list in ``QSettings``: the non-secret half of every profile.

What a profile is, and which names it may have, is ``core.profiles``; this module only
reads and writes the list (and the last used profile) in the settings file. The secrets
live in the keychain (``core.keychain.CredentialStore``), never here. Every write goes
through ``settings_file.save_settings``: a failure is told, the file is kept private.

The profile that existed before profiles did is called ``default``; with nothing listed in
the settings, it is the only profile, so an older settings file needs no migration.

Profiles that the command line's ``login`` saved (``core.profile_index``) are listed too,
after the window's own, and the port ``login --port`` last saved is the profile's; ports,
renames and deletions made here are passed back, so both sides agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from ..core import profile_index
from ..core.profiles import DEFAULT_PROFILE, Profile, check_profile_name
from .settings_file import save_settings

_LIST_KEY = "profiles"
_LAST_KEY = "session/lastProfile"  # outside the "profiles" array, which _write replaces


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _flag(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _port(value: object) -> int:
    """A sign-in port from the settings file; 0 (the default) for anything else."""
    text = value if isinstance(value, str | int) and not isinstance(value, bool) else ""
    try:
        port = int(text)
    except ValueError:
        return 0
    return port if 1024 <= port <= 65535 else 0


class ProfileStore:
    """Reads and writes the profile list in ``QSettings`` (never a secret).

    The window's ``core.profiles.ProfileList``.
    """

    def __init__(self, settings: QSettings, index_path: Path | None = None) -> None:
        self._settings = settings
        self._index_path = index_path  # None: the command line's own file

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
                        signin_port=_port(settings.value("signinPort")),
                    )
                )
        finally:
            settings.endArray()
        return self._with_cli_profiles(found or [Profile(DEFAULT_PROFILE)])

    def _with_cli_profiles(self, found: list[Profile]) -> list[Profile]:
        """*found* plus the profiles only the command line knows; its ports fill gaps."""
        indexed = profile_index.read_index(self._index_path)
        if not indexed:
            return found
        by_name = {p.name: p for p in indexed}
        merged = [self._filled(p, by_name[p.name]) if p.name in by_name else p for p in found]
        known = {p.name.casefold() for p in found}
        for cli in indexed:
            if cli.name.casefold() not in known:
                known.add(cli.name.casefold())
                merged.append(Profile(cli.name, cli.kind, cli.host, signin_port=cli.signin_port))
        return merged

    @staticmethod
    def _filled(profile: Profile, cli: profile_index.IndexedProfile) -> Profile:
        """*profile* with what only the CLI knows. The port the CLI last used wins: the
        window passes its own port changes on, so the two never disagree for long."""
        return profile._replace(
            kind=profile.kind or cli.kind,
            host=profile.host or cli.host,
            signin_port=cli.signin_port or profile.signin_port,
        )

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
                if profile.signin_port:
                    settings.setValue("signinPort", profile.signin_port)
        finally:
            settings.endArray()
        save_settings(settings)

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
        profile = self.get(name)._replace(**changes)
        self.put(profile)
        if "signin_port" in changes and profile_index.find(name, self._index_path) is not None:
            profile_index.record(name, signin_port=profile.signin_port, path=self._index_path)
        return profile

    def rename(self, old: str, new: str) -> None:
        self._write([p._replace(name=new) if p.name == old else p for p in self.all()])
        profile_index.rename(old, new, self._index_path)
        if self.last_used == old:
            self.last_used = new

    def remove(self, name: str) -> None:
        """Drop *name*; with none left, ``default`` (empty) is the only profile again."""
        self._write([p for p in self.all() if p.name != name])
        profile_index.forget(name, self._index_path)

    @property
    def last_used(self) -> str:
        names = self.names()
        last = _text(self._settings.value(_LAST_KEY))
        return last if last in names else names[0]

    @last_used.setter
    def last_used(self, name: str) -> None:
        self._settings.setValue(_LAST_KEY, name)
        save_settings(self._settings)
