"""Proxy settings as the user gives them: checked, shown without a password, redacted.

Without a proxy setting, the usual environment variables apply (``https_proxy``,
``http_proxy``, ``all_proxy`` and their upper-case forms, ``no_proxy``), read and checked
here rather than by httpx, so that a malformed or unsupported one is a clear message naming
the variable instead of a traceback (``environment_proxies``, ``EnvironmentProxies.route``).
Loopback hosts (``localhost``, 127.0.0.0/8, ``::1``, such as the demo portal) never go
through a proxy from the environment. A proxy setting (``http://host:port``, optionally with
``user:password@``) is used for every request instead. Apart from ``network`` (TLS trust)
because the window checks and shows proxies at start-up, where loading ``ssl`` would cost
time for nothing.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..i18n import _
from .errors import BadProxy
from .masking import SECRET_PLACEHOLDER

# "socks://" has no version; desktop proxy settings (GNOME, KDE) export it for a SOCKS host,
# and those clients try SOCKS5 first. httpx only speaks SOCKS5, so it means SOCKS5 here.
_SCHEME_ALIASES = {"socks": "socks5"}
_SOCKS = ("socks5", "socks5h")


def check_proxy(text: str | None) -> str | None:
    """Normalise a proxy setting; None or empty means "use the environment".

    Accepted: ``http://host:port`` and ``https://host:port`` (with an optional
    ``user:password@``), and ``socks5://`` / ``socks5h://`` / ``socks://`` (taken as
    SOCKS5) when httpx's SOCKS support (``socksio``) is installed. Raises ``BadProxy``
    otherwise; the message never quotes a password.
    """
    if text is None or not text.strip():
        return None
    text = text.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise BadProxy(_("The proxy address is not valid."), _proxy_hint()) from None
    scheme = parts.scheme.lower()
    scheme = _SCHEME_ALIASES.get(scheme, scheme)
    if scheme in _SOCKS:
        if importlib.util.find_spec("socksio") is None:
            raise BadProxy(_("SOCKS proxies are not supported by this build."), _proxy_hint())
    elif scheme in ("socks4", "socks4a"):
        raise BadProxy(
            _("SOCKS4 proxies are not supported; use a SOCKS5 or HTTP proxy."), _proxy_hint()
        )
    elif scheme not in ("http", "https"):
        raise BadProxy(
            _("The proxy address must start with http://, https:// or socks5://."), _proxy_hint()
        )
    if not parts.hostname:
        raise BadProxy(_("The proxy address has no host name."), _proxy_hint())
    if port == 0:
        raise BadProxy(_("The proxy address has port 0."), _proxy_hint())
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise BadProxy(_("The proxy address must not have a path."), _proxy_hint())
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in parts.netloc):
        raise BadProxy(_("The proxy address contains spaces or control characters."), _proxy_hint())
    return f"{scheme}://{parts.netloc}"


def _proxy_hint() -> str:
    return _(
        "Use the form http://proxy.example.com:3128 (user:password@ before the host if needed)."
    )


# --- the environment ---------------------------------------------------------------------

SYSTEM_SETTINGS = "the system proxy settings"  # stands for a variable name; never shown as is


@dataclass(frozen=True)
class Route:
    """How one request goes out: ``proxy`` (checked URL) or None for a direct connection;
    ``source`` names where the proxy came from (a variable name), None when direct."""

    proxy: str | None
    source: str | None = None


@dataclass(frozen=True)
class EnvironmentProxies:
    """The proxy variables of the environment, checked (see ``environment_proxies``).

    ``by_scheme`` maps ``"http"`` / ``"https"`` / ``"all"`` to (variable name, checked
    proxy URL or the ``BadProxy`` it caused); ``no_proxy`` holds the ``no_proxy`` entries
    (lower case); ``bypass_all`` is ``no_proxy=*``. An unusable variable is reported by
    ``route`` when a request would use it, so the demo portal (loopback) still works.
    """

    by_scheme: Mapping[str, tuple[str, str | BadProxy]]
    no_proxy: tuple[str, ...] = ()
    bypass_all: bool = False

    def route(self, url: str) -> Route:
        """The proxy for a request to *url*, following ``no_proxy`` and loopback."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower().rstrip(".")
        if self.bypass_all or not host or _is_loopback(host):
            return Route(None)
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            port = 0
        if any(_no_proxy_matches(entry, scheme, host, port) for entry in self.no_proxy):
            return Route(None)
        chosen = self.by_scheme.get(scheme) or self.by_scheme.get("all")
        if chosen is None:
            return Route(None)
        name, checked = chosen
        if isinstance(checked, BadProxy):
            raise BadProxy(checked.message, checked.hint)
        return Route(checked, name)


def environment_proxies(environ: Mapping[str, str] | None = None) -> EnvironmentProxies:
    """Read and check the proxy variables (``route`` raises ``BadProxy`` for a bad one).

    Lower-case names win over upper-case ones, as in curl and Python's ``urllib``;
    ``http_proxy`` is ignored in a CGI request (``REQUEST_METHOD`` set, "httpoxy"). When no
    variable is set on macOS or Windows, the system's own proxy settings apply.
    """
    env = os.environ if environ is None else environ
    found: dict[str, tuple[str, str | BadProxy]] = {}
    for scheme in ("https", "http", "all"):
        if scheme == "http" and "REQUEST_METHOD" in env:
            continue
        for name in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY"):
            value = env.get(name, "")
            if value.strip():
                found[scheme] = (name, _check_variable(name, value))
                break
    no_proxy_name = next((n for n in ("no_proxy", "NO_PROXY") if env.get(n, "").strip()), "")
    no_proxy_text = env.get(no_proxy_name, "") if no_proxy_name else ""
    if not found and not no_proxy_name and environ is None and sys.platform in ("darwin", "win32"):
        # urllib.request loads ssl: imported only here (see the module docstring).
        import urllib.request

        system = urllib.request.getproxies()
        for scheme in ("https", "http", "all"):
            if system.get(scheme):
                found[scheme] = (SYSTEM_SETTINGS, _check_variable(SYSTEM_SETTINGS, system[scheme]))
        no_proxy_text = system.get("no", "")
    entries = tuple(e.strip().lower() for e in no_proxy_text.split(",") if e.strip())
    return EnvironmentProxies(found, tuple(e for e in entries if e != "*"), "*" in entries)


def _check_variable(name: str, value: str) -> str | BadProxy:
    try:
        checked = check_proxy(value)
    except BadProxy as exc:
        if name == SYSTEM_SETTINGS:
            return BadProxy(
                _("The proxy set in the system proxy settings cannot be used. {reason}").format(
                    reason=exc.message
                ),
                _("Correct the system proxy, or set a proxy explicitly. {hint}").format(
                    hint=_proxy_hint()
                ),
            )
        return BadProxy(
            _("The proxy set in the environment variable {name} cannot be used. {reason}").format(
                name=name, reason=exc.message
            ),
            _("Correct or unset {name}, or set a proxy explicitly. {hint}").format(
                name=name, hint=_proxy_hint()
            ),
        )
    assert checked is not None
    return checked


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _no_proxy_matches(entry: str, scheme: str, host: str, port: int) -> bool:
    """One ``no_proxy`` entry (``example.com``, ``.example.com``, ``*.example.com``,
    ``10.0.0.1``, ``[::1]``, optionally with ``scheme://`` and ``:port``) against a URL."""
    if "://" in entry:
        entry_scheme, _, entry = entry.partition("://")
        if entry_scheme not in ("all", scheme):
            return False
    entry = entry.rstrip("/")
    entry_port: int | None = None
    if entry.startswith("["):
        bracketed, _, rest = entry[1:].partition("]")
        entry, port_text = bracketed, rest.lstrip(":")
        entry_port = int(port_text) if port_text.isdigit() else None
    elif entry.count(":") == 1:
        entry, _, port_text = entry.partition(":")
        entry_port = int(port_text) if port_text.isdigit() else None
    if entry_port is not None and entry_port != port:
        return False
    entry = entry.rstrip(".")
    if entry.startswith("*."):
        return host.endswith(entry[1:])
    if entry.startswith("."):
        return host.endswith(entry)
    return host == entry.lstrip("*") or host.endswith("." + entry.lstrip("*"))


# --- display ------------------------------------------------------------------------------


def proxy_secrets(proxy: str | None) -> tuple[str, ...]:
    """The password (and the user info) in a proxy URL, for redaction."""
    if not proxy:
        return ()
    parts = urlsplit(proxy)
    found = [parts.password or "", parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""]
    return tuple(s for s in found if s)


def display_proxy(proxy: str | None) -> str:
    """The proxy for display: the password replaced, or "from the environment"."""
    if not proxy:
        return _("from the environment (HTTPS_PROXY / HTTP_PROXY / NO_PROXY), if set")
    parts = urlsplit(proxy)
    if parts.password is None:
        return proxy
    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{parts.username}:{SECRET_PLACEHOLDER}@{host}"
