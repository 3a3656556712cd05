"""Loaded by the CLI subprocesses of the fault suite (it is on their PYTHONPATH).

Name resolution answers loopback names only (``loopback_only``, the same rule the test
process follows), so a CLI run sends nothing beyond 127.0.0.0/8, not even a DNS query.
"""

from __future__ import annotations

import socket

from loopback_only import loopback_only

socket.getaddrinfo = loopback_only(socket.getaddrinfo)
