"""The network settings of the current profile: a proxy (its password in the keychain) and
an extra CA file, kept apart from the credential the profile session manages.

The profile list keeps the proxy in its display form (password replaced) and the CA file
path; a proxy that needs a password is kept whole in the keychain under
``"<profile>/proxy"`` and read back when the profile is chosen. The demo entry's settings
are kept for this session only. What a request uses is a ``RequestOptions`` with only
``proxy`` and ``extra_ca_file`` set (the request's own options supply the rest).
"""

from __future__ import annotations

from collections.abc import Callable

from ..i18n import _
from .masking import sanitize
from .options import RequestOptions
from .profiles import Profile, ProfileList, SecretStore


class ProfileNetwork:
    """Proxy and extra CA file of the profile named ``current`` (None: the demo entry)."""

    def __init__(
        self, profiles: ProfileList, store: Callable[[], SecretStore], current: str | None
    ) -> None:
        self._profiles = profiles
        self._store = store
        self.current = current
        self.demo_profile = Profile("")  # the demo entry's settings, for this session only
        self.proxy_url: str | None = None  # the current profile's proxy with its password

    def profile(self) -> Profile:
        """The current profile's non-secret facts (the demo entry's are session-only)."""
        if self.current is None:
            return self.demo_profile
        return self._profiles.get(self.current)

    def load_proxy_secret(self) -> None:
        """Read the proxy with its password from the keychain, if the profile has one."""
        profile = self.profile()
        if self.current is None or not profile.proxy_has_password:
            return
        self.proxy_url = self._store().load(profile.proxy_entry).secret

    def options(self) -> RequestOptions:
        """The proxy (with its password) and the extra CA file of the next request."""
        profile = self.profile()
        proxy = self.proxy_url if profile.proxy_has_password else profile.proxy
        return RequestOptions(proxy=proxy or None, extra_ca_file=profile.ca_file or None)

    def set(self, proxy: str | None, ca_file: str | None) -> str:
        """Keep a checked proxy URL and CA file path for this profile; return a sentence.

        A proxy password goes to the keychain (``"<profile>/proxy"``); the profile list
        gets the proxy with the password replaced.
        """
        # Imported here: the network dialog that calls this has loaded it already, and the
        # window's start-up never calls this (proxies and its dataclasses: about 1.5 ms).
        from .proxies import display_proxy, proxy_secrets

        shown = display_proxy(proxy) if proxy else ""
        has_password = bool(proxy and proxy_secrets(proxy))
        message = _("Network settings saved.")
        if self.current is None:
            self.demo_profile = Profile(
                "", proxy=shown, proxy_has_password=has_password, ca_file=ca_file or ""
            )
            message = _("Network settings kept for this session.")
        else:
            profile = self.profile()
            if has_password:
                assert proxy is not None
                outcome = self._store().save(profile.proxy_entry, proxy)
                message = _("Network settings saved; the proxy password: {outcome}").format(
                    outcome=outcome.message
                )
            elif profile.proxy_has_password:
                self._store().forget(profile.proxy_entry)
            self._profiles.update(
                self.current,
                proxy=shown,
                proxy_has_password=has_password,
                ca_file=ca_file or "",
            )
        self.proxy_url = proxy if has_password else None
        return message

    def summary(self, *, started: bool) -> str:
        """One line on the proxy and the trust (*started*: the keychain was read)."""
        profile = self.profile()
        proxy = (
            _("Network: proxy {proxy}").format(proxy=sanitize(profile.proxy, max_len=80))
            if profile.proxy
            else _("Network: system proxy")
        )
        if profile.proxy_has_password and started and self.proxy_url is None:
            proxy += " " + _("(its password is missing: enter it again)")
        trust = _("system CAs")
        if profile.ca_file:
            trust = _("system CAs + {file}").format(
                file=sanitize(profile.ca_file.replace("\\", "/").rsplit("/", 1)[-1], max_len=60)
            )
        return f"{proxy} · {trust}"
