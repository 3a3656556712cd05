"""Loaded by the CLI subprocesses of the fault suite (it is on their PYTHONPATH).

Name resolution answers loopback names only: a ``.invalid`` host fails with the resolver's
own ``gaierror`` (as RFC 6761 says every resolver must), and no other name is looked up, so
a test run sends nothing beyond 127.0.0.0/8, not even a DNS query.
"""

from __future__ import annotations

import socket
from typing import Any

_real_getaddrinfo = socket.getaddrinfo
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name in _LOOPBACK or name.startswith("127."):
        return _real_getaddrinfo(host, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


socket.getaddrinfo = _getaddrinfo
