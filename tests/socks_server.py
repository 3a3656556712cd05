"""A tiny SOCKS5 proxy on 127.0.0.1 (RFC 1928, CONNECT only), for proxy tests.

It resolves host names itself from ``names`` (a name -> "127.0.0.1" map; any other name
is refused with "host unreachable"), so a test can reach a portal called
``b24-portal.test`` through it while the test process resolves no name at all: that proves
the name went to the proxy. ``targets`` records each ``host:port`` asked for. Optional
username/password authentication (RFC 1929) when ``credentials`` is given.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from types import TracebackType


class SocksProxy:
    def __init__(
        self, names: dict[str, str] | None = None, credentials: tuple[str, str] | None = None
    ) -> None:
        self.names = dict(names or {})
        self.credentials = credentials
        self.targets: list[str] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []

    @property
    def url(self) -> str:
        return f"socks5://127.0.0.1:{self.port}"

    def __enter__(self) -> SocksProxy:
        self._spawn(self._accept_loop)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        for sock in [self._listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._sockets.append(client)
            self._spawn(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        try:
            client.settimeout(10)
            upstream = self._handshake(client)
        except (OSError, ValueError, struct.error):
            with contextlib.suppress(OSError):
                client.close()
            return
        if upstream is None:
            client.close()
            return
        self._sockets.append(upstream)
        self._spawn(_pipe, client, upstream)
        _pipe(upstream, client)

    def _handshake(self, client: socket.socket) -> socket.socket | None:
        version, count = _read(client, 2)
        methods = _read(client, count)
        if version != 5:
            return None
        wanted = 2 if self.credentials else 0
        if wanted not in methods:
            client.sendall(b"\x05\xff")
            return None
        client.sendall(bytes([5, wanted]))
        if self.credentials:
            _, user_len = _read(client, 2)
            user = _read(client, user_len).decode()
            (password_len,) = _read(client, 1)
            password = _read(client, password_len).decode()
            ok = (user, password) == self.credentials
            client.sendall(b"\x01\x00" if ok else b"\x01\x01")
            if not ok:
                return None
        _, command, _, kind = _read(client, 4)
        if kind == 1:
            host = socket.inet_ntoa(_read(client, 4))
        elif kind == 3:
            (length,) = _read(client, 1)
            host = _read(client, length).decode("ascii")
        else:
            host = socket.inet_ntop(socket.AF_INET6, _read(client, 16))
        (port,) = struct.unpack("!H", _read(client, 2))
        self.targets.append(f"{host}:{port}")
        address = self.names.get(host, host if host.startswith("127.") else None)
        if command != 1 or address is None:
            client.sendall(b"\x05\x04\x00\x01" + bytes(6))  # host unreachable
            return None
        try:
            upstream = socket.create_connection((address, port), timeout=5)
        except OSError:
            client.sendall(b"\x05\x05\x00\x01" + bytes(6))  # connection refused
            return None
        client.sendall(b"\x05\x00\x00\x01" + bytes(6))
        client.settimeout(None)
        upstream.settimeout(None)
        return upstream


def _read(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ValueError("the client went away")
        data += chunk
    return data


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
