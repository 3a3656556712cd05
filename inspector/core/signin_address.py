"""The browser sign-in's address: the handler URL an admin registers, its port and path.

Split from ``signin`` because much only names the address (the command line's parser,
the demo's application, the connection help) and would otherwise import the listener's
HTTP server and ``hmac`` (about 25 ms of a command or a ``--demo`` start).
"""

from __future__ import annotations

from typing import Any, Final

from ..i18n import _
from .errors import InputError

LOOPBACK_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 51780
"""The sign-in's port unless the profile names another (registered with the handler)."""
CALLBACK_PATH: Final = "/b24-inspector/oauth/"
WAIT_TIMEOUT_S: Final = 300.0
"""How long ``BrowserSignIn.wait`` waits for the browser by default: five minutes."""


def check_port(port: Any) -> int:
    """A usable TCP port number (1-65535), or ``InputError``."""
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise InputError(
            _("The sign-in port must be a whole number from 1 to 65535."),
            _("Use the port registered in the application's handler address."),
        )
    return port


def handler_url(port: int = DEFAULT_PORT) -> str:
    """The handler address to register in the application's settings."""
    return f"http://{LOOPBACK_HOST}:{check_port(port)}{CALLBACK_PATH}"
