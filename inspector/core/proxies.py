"""Proxy settings as the user gives them: checked, shown without a password, redacted.

Without a proxy setting, the usual environment variables apply (``HTTPS_PROXY``,
``HTTP_PROXY``, ``ALL_PROXY``, ``NO_PROXY``), as httpx reads them. A proxy setting
(``http://host:port``, optionally with ``user:password@``) is used for every request
instead. Apart from ``network`` (TLS trust) because the window checks and shows proxies at
start-up, where loading ``ssl`` would cost time for nothing.
"""

from __future__ import annotations

import importlib.util
from urllib.parse import urlsplit

from .errors import BadProxy
from .masking import SECRET_PLACEHOLDER


def check_proxy(text: str | None) -> str | None:
    """Normalise a proxy setting; None or empty means "use the environment".

    Accepted: ``http://host:port`` and ``https://host:port`` (with an optional
    ``user:password@``), and ``socks5://`` / ``socks5h://`` when httpx's SOCKS support
    (``socksio``) is installed. Raises ``BadProxy`` otherwise; the message never quotes
    a password.
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
        raise BadProxy("The proxy address is not valid.", _PROXY_HINT) from None
    scheme = parts.scheme.lower()
    if scheme in ("socks5", "socks5h"):
        if importlib.util.find_spec("socksio") is None:
            raise BadProxy("SOCKS proxies are not supported by this build.", _PROXY_HINT)
    elif scheme not in ("http", "https"):
        raise BadProxy("The proxy address must start with http://.", _PROXY_HINT)
    if not parts.hostname:
        raise BadProxy("The proxy address has no host name.", _PROXY_HINT)
    if port == 0:
        raise BadProxy("The proxy address has port 0.", _PROXY_HINT)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise BadProxy("The proxy address must not have a path.", _PROXY_HINT)
    return f"{scheme}://{parts.netloc}"


_PROXY_HINT = (
    "Use the form http://proxy.example.com:3128 (user:password@ before the host if needed)."
)


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
        return "from the environment (HTTPS_PROXY / HTTP_PROXY / NO_PROXY), if set"
    parts = urlsplit(proxy)
    if parts.password is None:
        return proxy
    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{parts.username}:{SECRET_PLACEHOLDER}@{host}"
