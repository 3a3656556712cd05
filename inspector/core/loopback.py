"""A one-page HTTP listener on 127.0.0.1 that receives the browser's sign-in redirect.

Bitrix24 sends the browser, not its servers, to the application's handler address after
``/oauth/authorize/`` (spec §10.4), so a listener on the admin's own machine can receive
the code. The portal takes that address from the application's settings, not from the
request: the port is fixed in advance, and one already taken is a clear error naming it
(``PortInUse``), never a silent move to another port the portal does not know.

The listener knows nothing of OAuth: each GET of its path goes to *on_request* with the
query string, and the ``Page`` it returns is what the browser shows, as short plain text.
Other paths (the browser's favicon) get a 404. It logs nothing: the query holds the code.
Standard library only.
"""

from __future__ import annotations

import errno
import socketserver
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from ..i18n import _
from .errors import InputError, PortInUse
from .signin_address import LOOPBACK_HOST, check_port


@dataclass(frozen=True)
class Page:
    """What the browser is shown: an HTTP status and a few lines of plain text."""

    status: int
    text: str


OnRequest = Callable[[str], Page]
"""``on_request(query)``: called on a server thread for each GET of the listener's path."""


class QuietHTTPServer(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 for this program's own listeners (the sign-in's, the
    demo portal's): a daemon thread per connection, no traceback when a client hangs up,
    and no reverse lookup of its address when it binds."""

    daemon_threads = True

    def server_bind(self) -> None:
        """Bind without ``HTTPServer``'s ``getfqdn`` of the address (a resolver call on
        every start); nothing here reads the server's name."""
        socketserver.TCPServer.server_bind(self)
        host, self.server_port = self.socket.getsockname()[:2]
        self.server_name = str(host)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay silent: a client that hangs up is not worth a traceback."""


class _Server(QuietHTTPServer):
    # On Windows SO_REUSEADDR lets a second program bind a port in use; elsewhere it only
    # allows rebinding a port whose old connections linger in TIME_WAIT.
    allow_reuse_address = sys.platform != "win32"

    def __init__(self, port: int, path: str, on_request: OnRequest) -> None:
        self.path = path
        self.on_request = on_request
        super().__init__((LOOPBACK_HOST, port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers at close
    server_version = "b24-inspector-sign-in"
    sys_version = ""
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing: the request line carries the authorization code."""

    def do_GET(self) -> None:
        target = urlsplit(self.path)
        if target.path.rstrip("/") != self.server.path.rstrip("/"):
            self._send(Page(404, _("Not found.")))
            return
        self._send(self.server.on_request(target.query))

    def do_POST(self) -> None:
        self._send(Page(405, _("The sign-in answer arrives as a GET request.")))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        self._send(Page(code, _("Bad request.")))

    def _send(self, page: Page) -> None:
        data = (page.text.rstrip("\n") + "\n").encode("utf-8")
        self.send_response(page.status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        # The address bar holds the code: no page it links to may see it.
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(data)


class LoopbackListener:
    """Serves *path* on ``127.0.0.1:port`` from a daemon thread until ``close()``.

    ``start()`` raises ``PortInUse`` when another program holds the port.
    """

    def __init__(self, port: int, path: str, on_request: OnRequest) -> None:
        self.port = check_port(port)
        self.path = path
        self._on_request = on_request
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        state = "listening" if self._server is not None else "closed"
        return f"<LoopbackListener {LOOPBACK_HOST}:{self.port} {state}>"

    def start(self) -> LoopbackListener:
        if self._server is not None:
            return self
        try:
            server = _Server(self.port, self.path, self._on_request)
        except OSError as exc:
            raise _bind_error(exc, self.port) from exc
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="b24-sign-in-listener",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def close(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> LoopbackListener:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _bind_error(exc: OSError, port: int) -> InputError:
    where = f"{LOOPBACK_HOST}:{port}"
    if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
        return PortInUse(
            _(
                "Port {port} is in use by another program, so the sign-in cannot listen on {where}."
            ).format(port=port, where=where),
            _(
                "Close the program using port {port} (another sign-in may still be waiting), or "
                "choose another port and register the new handler address in the application's "
                "settings."
            ).format(port=port),
            port,
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return PortInUse(
            _("This computer does not allow the inspector to listen on port {port}.").format(
                port=port
            ),
            _(
                "Choose a port above 1024 and register the new handler address in the "
                "application's settings."
            ),
            port,
        )
    reason = exc.strerror or type(exc).__name__
    return PortInUse(
        _("The sign-in cannot listen on {where}: {reason}.").format(where=where, reason=reason),
        _(
            "Choose another port and register the new handler address in the application's "
            "settings."
        ),
        port,
    )
