"""Name resolution for the tests: loopback names only, so nothing leaves 127.0.0.0/8.

Every test process (``conftest.py``) and every CLI subprocess of the fault suite (through
``faults/offline_dns/sitecustomize.py``) resolves names with ``loopback_only``: a loopback
name or address resolves as usual, any other name fails at once with the resolver's own
``gaierror`` (as RFC 6761 says a ``.invalid`` name must), and no resolver is ever asked,
so a test run sends nothing beyond this machine, not even a DNS query.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def loopback_only(real: Callable[..., Any]) -> Callable[..., Any]:
    """A ``getaddrinfo`` that asks *real* about loopback names only."""

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in LOOPBACK_NAMES or name.startswith("127."):
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    return getaddrinfo
