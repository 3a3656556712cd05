"""The demo portal's HTTP layer: sockets, keep-alive, the body cap, JSON replies.

It knows nothing of Bitrix24: each request's method, target, headers and body go to an
``Answer`` callable, whose ``Reply`` is sent back as JSON. What it does itself is what a
web server in front of a portal does: refuse bodies over ``MAX_BODY_BYTES`` or without a
``Content-Length``, answer protocol errors as JSON instead of HTML, keep connections alive
like nginx, and drop every open connection when the portal stops. Stopping is immediate:
the serving loop waits on the listening socket and a wake-up socket, never on a poll timer
(``socketserver``'s loop notices a shutdown only at its next poll, and the snapshot run's
exit paid up to that poll interval).

It logs nothing: request lines carry the webhook code.
"""

from __future__ import annotations

import contextlib
import json
import selectors
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, Final

from ..core.loopback import QuietHTTPServer

MAX_BODY_BYTES: Final = 64 * 1024
"""Request bodies above this size are refused (413) without being read."""

_IDLE_TIMEOUT_S: Final = 30  # a silent keep-alive connection is dropped after this

Json = dict[str, Any]


@dataclass
class Reply:
    """One answer: the HTTP status, the JSON body, extra headers, and whether to hang up.

    ``raw`` replaces the JSON body with these bytes, of ``content_type`` (the demo
    connector's empty, HTML and plain answers)."""

    status: int
    payload: Json
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"


def system_error(status: int, code: str, description: str, *, close: bool = False) -> Reply:
    """A Bitrix24 system error: ``{"error": code, "error_description": ...}``."""
    return Reply(status, {"error": code, "error_description": description}, close=close)


Answer = Callable[[str, str, Mapping[str, str], bytes], Reply]
"""``answer(http_method, target, headers, body)``: headers have lower-case names."""


class Server(QuietHTTPServer):
    """Serves each connection on its own thread and can drop them all at once."""

    # socketserver's backlog of 5 overflows when a dozen clients connect at once: Linux
    # then drops their handshakes (retried after 1 s, 3 s) or resets them.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], answer: Answer) -> None:
        self.answer = answer
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._serving: threading.Thread | None = None
        self._stop_requested = threading.Event()
        # stop() writes a byte here to end the serving loop's wait at once.
        self._wake_reader, self._wake_writer = socket.socketpair()
        super().__init__(address, _Handler)

    def serve_in_background(self, name: str) -> None:
        """Serve on a daemon thread of that name until ``stop``."""
        self._serving = threading.Thread(target=self._serve_until_stopped, name=name, daemon=True)
        self._serving.start()

    def _serve_until_stopped(self) -> None:
        """``serve_forever`` without its poll timer: each wait ends on a connection or on
        ``stop``'s wake-up byte."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while not self._stop_requested.is_set():
                ready = selector.select()
                if self._stop_requested.is_set():
                    break
                if any(key.fileobj is self.socket for key, _ in ready):
                    self._accept_one()

    def _accept_one(self) -> None:
        """Accept one connection and hand it to its thread (``socketserver``'s own steps)."""
        try:
            request, client_address = self.get_request()
        except OSError:  # the client gave up before it was accepted
            return
        try:
            self.process_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
            self.shutdown_request(request)

    def shutdown(self) -> None:
        """End the serving loop and wait for it (``serve_forever``'s shutdown would wait
        for a loop that is not running)."""
        self._stop_requested.set()
        with contextlib.suppress(OSError):  # already closed: the loop has ended
            self._wake_writer.send(b"\0")
        if self._serving is not None:
            self._serving.join(timeout=5)

    def stop(self) -> None:
        """Stop serving, release the port and end the connections still open (requests in
        progress end without an answer)."""
        self.shutdown()
        self.server_close()
        self.close_connections()

    def server_close(self) -> None:
        super().server_close()
        self._wake_reader.close()
        self._wake_writer.close()

    def track(self, conn: socket.socket, *, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections, self._connections = self._connections, set()
        for conn in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"  # keep-alive, like a real portal behind nginx
    disable_nagle_algorithm = True  # headers and body go out in two writes
    server_version = "b24-inspector-demo"
    sys_version = ""
    timeout = _IDLE_TIMEOUT_S

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, open_=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing: request lines carry the webhook code."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    do_HEAD = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_TRACE = do_POST

    def _serve(self) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        body = self._read_body(headers)
        if body is None:
            return
        reply = self.server.answer(self.command, self.path, headers, body)
        self._send(reply)

    def _read_body(self, headers: Mapping[str, str]) -> bytes | None:
        """Read the body within the cap; on a problem answer and return None."""
        if "transfer-encoding" in headers:
            self._send(
                system_error(
                    411, "LENGTH_REQUIRED", "Send the body with a Content-Length.", close=True
                )
            )
            return None
        raw_length = headers.get("content-length", "0").strip() or "0"
        if not raw_length.isascii() or not raw_length.isdigit():
            self._send(system_error(400, "BAD_REQUEST", "Invalid Content-Length.", close=True))
            return None
        length = int(raw_length)
        if length > MAX_BODY_BYTES:
            self._send(
                system_error(
                    413,
                    "REQUEST_TOO_LARGE",
                    f"The request body is larger than {MAX_BODY_BYTES} bytes.",
                    close=True,
                )
            )
            return None
        body = self.rfile.read(length) if length else b""
        if len(body) != length:  # the client went away
            self.close_connection = True
            return None
        return body

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol errors (bad request line, unknown verb...) as JSON instead of HTML."""
        phrase = message or HTTPStatus(code).phrase
        self._send(system_error(code, f"HTTP_{code}", phrase, close=True))

    def _send(self, reply: Reply) -> None:
        data = json.dumps(reply.payload).encode("utf-8") if reply.raw is None else reply.raw
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.close:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
