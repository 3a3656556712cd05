"""Scripted HTTP(S) servers on 127.0.0.1, for tests that must go over a real socket.

The client under test talks to a real ``http.server.ThreadingHTTPServer`` bound to
``127.0.0.1:0`` and running in a daemon thread. What the server does for each request is
scripted by the test with a ``Reply``; every request that reached it is recorded, so a test
can prove what was (or was not) sent.

Quick start::

    from servers import ScriptedServer, json_reply

    with ScriptedServer(json_reply({"result": {"item": ...}})) as srv:
        fetch(srv.url + "/rest/1/code/biconnector.source.get")
        [req] = srv.requests
        assert req.method == "POST" and req.json() == {"id": 6}

The script (``handler``) is one of:

* a ``Reply``: every request gets it;
* a sequence of ``Reply``: the n-th request gets the n-th reply, and the last one repeats
  (``[json_reply(limit, status=503), json_reply(ok)]`` = "rate-limited once, then OK");
* a callable ``(RecordedRequest) -> Reply``, for replies that depend on the request.
  If it raises, the server answers 500 and keeps the exception in ``srv.errors``.

``srv.set_handler(...)`` swaps the script while the server runs.

What a ``Reply`` can do (fields may be combined):

* ``status``, ``reason``, ``headers`` (a list of pairs, repeats allowed; sent as UTF-8
  without any checking, so a test can send what a hostile server would) and ``body`` bytes.
  ``Content-Length`` is added automatically unless ``chunked`` is set or
  ``content_length`` is given: an int sends that value (it may lie), ``None`` sends no
  length and closes the connection after the body (the HTTP/1.0 way to end a body).
* ``gzip=True``: the body is gzip-compressed on the wire with ``Content-Encoding: gzip``
  (``Content-Length`` is the compressed size), so a small wire body may inflate past a cap.
* ``chunked=True``: ``Transfer-Encoding: chunked``; one chunk per ``chunk_size`` piece.
* trickle: ``chunk_size=N, chunk_delay=S`` writes the body N bytes at a time with S seconds
  between writes; ``trickle_head=True`` also trickles the status line and headers.
* ``delay=S``: wait S seconds after reading the request before answering anything.
* ``hang=True``: read the request and never answer (the connection stays open until the
  client gives up or the server stops): a read timeout.
* ``close_after=N``: send only the first N bytes of the body (as it is framed on the wire),
  then close the connection; ``reset=True`` closes with a TCP RST instead of a FIN.
* ``raw=b"..."``: send these bytes verbatim instead of a response (a malformed status line,
  HTTP/0.9 garbage, ...); the connection is then closed.
* ``keep_alive=False``: send ``Connection: close`` and close after the response.

Helpers: ``json_reply`` (JSON body, content type set), ``redirect`` (3xx + ``Location``),
``hang()``, ``text_reply``.

Recording: ``srv.requests`` is a snapshot list of ``RecordedRequest`` (``method``,
``target`` = the raw request target, ``path`` without the query, ``query`` dict,
``headers`` (``email.message.Message``: case-insensitive ``headers["user-agent"]``),
``body`` bytes, ``.json()``), in arrival order. ``srv.connections`` counts accepted TCP
connections (TLS handshakes included, even failed ones), so a test can prove that a
redirect target was never even contacted. ``srv.wait_for_requests(n)`` blocks until n
requests arrived, and ``srv.wait_for_answers(n)`` until n answers have begun (their status
line and headers are out; a trickled body is then under way), so a test orders events by
what the server saw instead of by sleeping. ``srv.tls_errors`` keeps server-side TLS
handshake failures (a client that rejects the certificate shows up here).

TLS: pass a server-side ``ssl.SSLContext`` as ``tls=``; ``srv.url`` then starts with
``https://``. The handshake runs in the connection's own thread, so a client that stalls
or rejects the handshake cannot block other connections. ``TestCA`` (backed by
``trustme``) makes a CA and its contexts: ``ca.server_context()`` for a valid certificate
for 127.0.0.1/localhost, ``ca.server_context(not_after=<past>)`` for an expired one,
``ca.server_context("other.example")`` for a hostname mismatch, and
``ca.client_context()`` to give the client (``RequestOptions(verify=ctx)``) so that only
the fault under test remains. ``self_signed_server_context()`` serves a self-signed
leaf certificate that no CA vouches for.

Shutdown is quick and safe to call twice: ``stop()`` sets a stop event that wakes every
delayed, trickling or hanging reply, shuts down every open connection (unblocking threads
waiting for the next keep-alive request), closes the listening socket, and joins the
handler threads with a bound. Nothing is printed: handler exceptions go to ``srv.errors``.

Other network helpers: ``closed_port()`` (a port that refuses connections) and
``full_backlog()`` (a listening socket whose accept queue is full, so a new connect hangs
until the client's connect timeout; loopback-only, Linux behaviour).
"""

from __future__ import annotations

import contextlib
import datetime
import email.message
import gzip as gzip_module
import json
import random
import select
import socket
import ssl
import struct
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import trustme

__all__ = [
    "RecordedRequest",
    "Reply",
    "ScriptedServer",
    "TestCA",
    "closed_port",
    "free_port",
    "full_backlog",
    "hang",
    "json_reply",
    "redirect",
    "self_signed_server_context",
    "text_reply",
]

# Below every system's ephemeral range (Linux 32768-60999, macOS and Windows 49152-65535).
_LISTEN_PORTS = range(20000, 32768)
_PICK = random.SystemRandom()  # not the test's seeded random: two tests, two ports


def free_port() -> int:
    """A port on 127.0.0.1 that a listener the test starts next can bind.

    Not one from ``bind(("127.0.0.1", 0))``: that comes from the ephemeral range, and once
    it is released the system may give it to the next outgoing connection as its local
    port, after which the listener's bind fails (seen in CI: ``PortInUse``). A port below
    that range is taken only by a listener, which the probe's bind finds.
    """
    for _attempt in range(100):
        port = _PICK.choice(_LISTEN_PORTS)
        with socket.socket() as probe:
            if sys.platform != "win32":  # as the program's listeners bind: TIME_WAIT is fine
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port on 127.0.0.1 below the ephemeral range")


HOST = "127.0.0.1"
MAX_REQUEST_BODY = 16 * 1024 * 1024
JOIN_TIMEOUT = 2.0


# --- scripting ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One scripted answer. See the module docstring for what each field does."""

    status: int = 200
    body: bytes = b""
    headers: Sequence[tuple[str, str]] = ()
    reason: str | None = None
    content_length: int | str | None = "auto"
    chunked: bool = False
    gzip: bool = False
    chunk_size: int = 0
    chunk_delay: float = 0.0
    trickle_head: bool = False
    delay: float = 0.0
    hang: bool = False
    close_after: int | None = None
    reset: bool = False
    raw: bytes | None = None
    keep_alive: bool = True


def json_reply(payload: Any, status: int = 200, **kwargs: Any) -> Reply:
    """A JSON answer; extra keyword arguments go to ``Reply`` (headers are appended)."""
    headers = [("Content-Type", "application/json; charset=utf-8"), *kwargs.pop("headers", ())]
    body = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
    return Reply(status=status, body=body, headers=headers, **kwargs)


def text_reply(
    text: str, status: int = 200, content_type: str = "text/html", **kwargs: Any
) -> Reply:
    headers = [("Content-Type", f"{content_type}; charset=utf-8"), *kwargs.pop("headers", ())]
    return Reply(status=status, body=text.encode(), headers=headers, **kwargs)


def redirect(location: str, status: int = 302, **kwargs: Any) -> Reply:
    headers = [("Location", location), *kwargs.pop("headers", ())]
    return Reply(status=status, headers=headers, **kwargs)


def hang() -> Reply:
    """Read the request, never answer."""
    return Reply(hang=True)


Handler = Reply | Sequence[Reply] | Callable[["RecordedRequest"], Reply]


@dataclass(frozen=True)
class RecordedRequest:
    """What reached the server: request line, headers and body, exactly as received."""

    method: str
    target: str
    headers: email.message.Message
    body: bytes
    client_address: tuple[str, int]
    tls: bool = False
    query: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    def json(self) -> Any:
        return json.loads(self.body)

    def raw_text(self) -> str:
        """Request line, headers and body as one text: handy for 'the secret is not here'."""
        head = "".join(f"{k}: {v}\n" for k, v in self.headers.items())
        body = self.body.decode("utf-8", "replace")
        return f"{self.method} {self.target}\n{head}\n{body}"


# --- the server --------------------------------------------------------------------------


class _StopNow(Exception):
    """Raised inside a handler thread when the server is stopping."""


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # an idle keep-alive connection is dropped after this; stop() is faster
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle_one_request(self) -> None:
        owner = self.server.owner
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except (OSError, ValueError):
            self.close_connection = True
            return
        if not self.raw_requestline or owner.stopping:
            self.close_connection = True
            return
        if not self.parse_request():  # it has already sent an error response
            return
        try:
            body = self._read_body()
        except (OSError, ValueError):
            self.close_connection = True
            return
        request = RecordedRequest(
            method=self.command,
            target=self.path,
            headers=self.headers,
            body=body,
            client_address=self.client_address,
            tls=isinstance(self.connection, ssl.SSLSocket),
            query=dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True)),
        )
        reply = owner._record_and_script(request)
        try:
            self._send(reply)
        except (_StopNow, OSError):
            self.close_connection = True

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts: list[bytes] = []
            total = 0
            while True:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                total += size
                if total > MAX_REQUEST_BODY:
                    raise ValueError("request body too large")
                parts.append(self.rfile.read(size))
                self.rfile.readline(3)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BODY:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length > 0 else b""

    # -- answering --

    def _pause(self, seconds: float) -> None:
        if seconds > 0 and self.server.owner._stop.wait(seconds):
            raise _StopNow

    def _write(self, data: bytes, *, trickle: bool, reply: Reply) -> None:
        if not data:
            return
        if not trickle or reply.chunk_size <= 0:
            self.wfile.write(data)
            self.wfile.flush()
            return
        for start in range(0, len(data), reply.chunk_size):
            if start:
                self._pause(reply.chunk_delay)
            self.wfile.write(data[start : start + reply.chunk_size])
            self.wfile.flush()

    def _abort(self, reset: bool) -> None:
        self.close_connection = True
        if reset:  # SO_LINGER 0: close() sends RST instead of FIN
            with contextlib.suppress(OSError):
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )

    def _send(self, reply: Reply) -> None:
        self._pause(reply.delay)
        if reply.hang:
            self.server.owner._stop.wait()
            raise _StopNow
        if reply.raw is not None:
            self._write(reply.raw, trickle=reply.trickle_head, reply=reply)
            self._abort(reply.reset)
            return

        body = gzip_module.compress(reply.body, mtime=0) if reply.gzip else reply.body
        headers = list(reply.headers)
        if reply.gzip:
            headers.append(("Content-Encoding", "gzip"))
        if reply.chunked:
            headers.append(("Transfer-Encoding", "chunked"))
            step = reply.chunk_size if reply.chunk_size > 0 else max(len(body), 1)
            pieces = [body[i : i + step] for i in range(0, len(body), step)]
            wire = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        else:
            wire = body
            if reply.content_length == "auto":
                headers.append(("Content-Length", str(len(body))))
            elif reply.content_length is not None:
                headers.append(("Content-Length", str(reply.content_length)))
        delimited_by_close = not reply.chunked and reply.content_length is None
        closing = not reply.keep_alive or delimited_by_close or reply.close_after is not None
        if closing:
            headers.append(("Connection", "close"))

        try:
            reason = reply.reason if reply.reason is not None else HTTPStatus(reply.status).phrase
        except ValueError:
            reason = "Whatever"
        head = f"HTTP/1.1 {reply.status} {reason}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
        self._write(head.encode("utf-8"), trickle=reply.trickle_head, reply=reply)
        self.server.owner._note_answer_begun()

        if reply.close_after is not None:
            # With a trickle, the chunk delay also applies before the cut.
            self._write(wire[: reply.close_after], trickle=True, reply=reply)
            self._abort(reply.reset)
            return
        self._write(wire, trickle=True, reply=reply)
        if closing:
            self._abort(reply.reset)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() joins the threads itself, with a bound
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, owner: ScriptedServer) -> None:
        self.owner = owner
        super().__init__((HOST, 0), _RequestHandler)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        owner = self.owner
        conn: socket.socket = request
        owner._track(conn, new_connection=True)
        try:
            if owner.tls is not None:
                conn.settimeout(5)
                try:
                    conn = owner.tls.wrap_socket(conn, server_side=True)
                except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
                    owner._note_tls_error(exc)
                    return
                finally:
                    owner._track(conn)
            self.finish_request(conn, client_address)
        except Exception as exc:  # never print; keep for the test to inspect
            if not owner.stopping:
                owner._note_error(exc)
        finally:
            owner._untrack(request, conn)
            with contextlib.suppress(OSError):
                conn.close()
            with contextlib.suppress(OSError):
                request.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # errors are collected in process_request_thread


class ScriptedServer:
    """A real HTTP(S) server on 127.0.0.1 that answers as the test scripts it.

    See the module docstring for the scripting, recording and TLS options.
    """

    def __init__(self, handler: Handler | None = None, *, tls: ssl.SSLContext | None = None):
        self.tls = tls
        self._handler: Handler = handler if handler is not None else Reply()
        self._lock = threading.Condition()
        self._requests: list[RecordedRequest] = []
        self._answers_begun = 0
        self._open: set[socket.socket] = set()
        self._threads: set[threading.Thread] = set()
        self._stop = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._serve_thread: threading.Thread | None = None
        self._port: int | None = None
        self.connections = 0
        self.errors: list[BaseException] = []
        self.tls_errors: list[BaseException] = []

    # -- life cycle --

    def start(self) -> ScriptedServer:
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer(self)
        self._port = int(self._httpd.server_address[1])
        self._serve_thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"scripted-server-{self.port}",
            daemon=True,
        )
        self._serve_thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stop.set()
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            open_now, threads = list(self._open), list(self._threads)
        for conn in open_now:
            with contextlib.suppress(OSError):
                # socket.socket.shutdown also works on an SSLSocket without touching its
                # TLS state, which the handler thread may be using at this moment.
                socket.socket.shutdown(conn, socket.SHUT_RDWR)
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
        if self._serve_thread is not None:
            self._serve_thread.join(JOIN_TIMEOUT)

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses --

    @property
    def port(self) -> int:
        """The bound port; still readable after ``stop()`` (for messages in assertions)."""
        if self._port is None:
            raise RuntimeError("the server was never started")
        return self._port

    @property
    def host(self) -> str:
        return HOST

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (``https://`` with TLS), no trailing slash."""
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{HOST}:{self.port}"

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    # -- scripting and recording --

    def set_handler(self, handler: Handler) -> None:
        with self._lock:
            self._handler = handler

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._requests) >= count, timeout):
                raise TimeoutError(f"{len(self._requests)} of {count} requests arrived")
            return list(self._requests)

    @property
    def answers_begun(self) -> int:
        """How many answers have begun (status line and headers written)."""
        with self._lock:
            return self._answers_begun

    def wait_for_answers(self, count: int, timeout: float = 5.0) -> None:
        """Block until *count* answers have begun: status line and headers written."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._answers_begun >= count, timeout):
                raise TimeoutError(f"{self._answers_begun} of {count} answers began")

    def _note_answer_begun(self) -> None:
        with self._lock:
            self._answers_begun += 1
            self._lock.notify_all()

    def _record_and_script(self, request: RecordedRequest) -> Reply:
        with self._lock:
            index = len(self._requests)
            self._requests.append(request)
            self._lock.notify_all()
            handler = self._handler
        if isinstance(handler, Reply):
            return handler
        if callable(handler):
            try:
                return handler(request)
            except Exception as exc:
                self._note_error(exc)
                return text_reply(f"scripted handler failed: {exc!r}", 500, "text/plain")
        replies = list(handler)
        return replies[min(index, len(replies) - 1)]

    def _track(self, conn: socket.socket, *, new_connection: bool = False) -> None:
        with self._lock:
            self.connections += int(new_connection)
            self._open.add(conn)
            self._threads.add(threading.current_thread())

    def _untrack(self, *conns: socket.socket) -> None:
        with self._lock:
            for conn in conns:
                self._open.discard(conn)
            self._threads.discard(threading.current_thread())

    def _note_error(self, exc: BaseException) -> None:
        with self._lock:
            self.errors.append(exc)

    def _note_tls_error(self, exc: BaseException) -> None:
        with self._lock:
            self.tls_errors.append(exc)


# --- TLS material ------------------------------------------------------------------------


def _server_context(cert_chain_pem: bytes, key_pem: bytes) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:  # load_cert_chain wants files
        cert_file, key_file = Path(tmp, "cert.pem"), Path(tmp, "key.pem")
        cert_file.write_bytes(cert_chain_pem)
        key_file.write_bytes(key_pem)
        ctx.load_cert_chain(cert_file, key_file)
    return ctx


class TestCA:
    """A throw-away certificate authority (trustme) and the contexts built from it."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self.ca = trustme.CA()

    def server_context(
        self,
        *identities: str,
        not_before: datetime.datetime | None = None,
        not_after: datetime.datetime | None = None,
    ) -> ssl.SSLContext:
        """A server context with a leaf for *identities* (default 127.0.0.1 and localhost)."""
        leaf = self.ca.issue_cert(
            *(identities or (HOST, "localhost")), not_before=not_before, not_after=not_after
        )
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        leaf.configure_cert(ctx)
        return ctx

    def expired_server_context(self) -> ssl.SSLContext:
        now = datetime.datetime.now(datetime.UTC)
        return self.server_context(
            not_before=now - datetime.timedelta(days=30), not_after=now - datetime.timedelta(days=1)
        )

    def client_context(self) -> ssl.SSLContext:
        """A default (verifying) client context that trusts this CA and nothing else."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies chain and host name
        ctx.load_verify_locations(cadata=self.ca.cert_pem.bytes().decode())
        return ctx


def self_signed_server_context(identity: str = HOST) -> ssl.SSLContext:
    """A server context whose leaf certificate signs itself (no CA anywhere)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, identity)])
    now = datetime.datetime.now(datetime.UTC)
    try:
        san: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(identity))
    except ValueError:
        san = x509.DNSName(identity)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([san]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _server_context(
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


# --- other network situations ------------------------------------------------------------


def closed_port() -> int:
    """A loopback port that was just bound and released: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def full_backlog(max_fillers: int = 64) -> Iterator[tuple[str, int]]:
    """A listening socket that never accepts, with its accept queue full.

    Yields ``(host, port)``. A new connect to it gets no SYN-ACK (Linux drops SYNs while
    the accept queue is full), so the client runs into its *connect* timeout. Raises
    ``RuntimeError`` if the queue could not be filled (then the platform differs: skip).
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    fillers: list[socket.socket] = []
    try:
        listener.bind((HOST, 0))
        listener.listen(0)
        address = listener.getsockname()
        for _ in range(max_fillers):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            fillers.append(filler)
            filler.connect_ex(address)
            _, writable, _ = select.select([], [filler], [], 0.2)
            err = filler.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) if writable else -1
            if err != 0:  # this one is stuck in SYN-SENT: the queue is full
                break
        else:
            raise RuntimeError("could not fill the accept queue on this platform")
        yield HOST, int(address[1])
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
