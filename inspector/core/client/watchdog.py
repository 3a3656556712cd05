"""End a whole exchange at its deadline, or at once when cancelled: the request watchdog.

httpx's timeouts bound each socket operation (connect, one read, one write), not the
whole exchange: a server that trickles its status line, headers or body a few bytes at a
time never trips the read timeout and keeps the request alive for as long as it likes.
httpx also has no documented way to abort a blocked synchronous read from another thread,
so a cancel could not interrupt it either. The watchdog closes both gaps: a thread per
exchange that, past the deadline or once ``cancel`` is set, shuts the connection's socket
down, which ends a blocked read at once. The exchange then tells from ``Watchdog.fired``
which of the two it was.

The sockets are learnt through httpcore's documented ``trace`` extension
(``SocketRegistry``), so nothing here reaches into httpx's private state.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from typing import Any, Literal

log = logging.getLogger(__name__)

WATCH_INTERVAL = 0.05  # how often a request's watchdog looks at the clock and cancel


class SocketRegistry:
    """The sockets of one client's connections, learnt from httpcore's ``trace`` extension.

    Every new TCP connection and TLS session is reported as ``*.connect_tcp.complete`` /
    ``*.start_tls.complete`` with the network stream, whose ``get_extra_info("socket")``
    is documented. (A TLS handshake needs no watching: CPython bounds the whole handshake
    by the socket's timeout, the connect timeout.)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event.endswith((".connect_tcp.complete", ".start_tls.complete")):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            with self._lock:
                self._sockets = [s for s in self._sockets if s.fileno() != -1]
                if isinstance(sock, socket.socket):
                    self._sockets.append(sock)

    def shut_down(self) -> None:
        """Shut every open connection down; a read blocked on one of them ends at once."""
        with self._lock:
            for sock in self._sockets:
                if sock.fileno() == -1:
                    continue
                # socket.socket.shutdown also works on an SSLSocket, without touching the
                # TLS state the reading thread may be using at this moment.
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def clear(self) -> None:
        with self._lock:
            self._sockets = []


class Watchdog:
    """Watches one exchange: past its deadline, or once cancelled, it shuts the sockets.

    ``fired`` is ``None``, ``"deadline"`` or ``"cancel"``. ``stop()`` ends the watch (and
    its thread) when the exchange is over.
    """

    def __init__(self, sockets: SocketRegistry, deadline: float, cancel: threading.Event) -> None:
        self.fired: Literal["deadline", "cancel"] | None = None
        self._sockets = sockets
        self._deadline = deadline
        self._cancel = cancel
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="request-watchdog", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while True:
            remaining = self._deadline - time.monotonic()
            if self._done.wait(min(WATCH_INTERVAL, max(remaining, 0.0))):
                return
            if self._cancel.is_set():
                self.fired = "cancel"
            elif time.monotonic() >= self._deadline:
                self.fired = "deadline"
            else:
                continue
            log.debug("request watchdog: %s; shutting the connection down", self.fired)
            self._sockets.shut_down()
            return

    def stop(self) -> None:
        self._done.set()
        self._thread.join()
