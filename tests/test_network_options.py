"""Corporate networks: an extra CA for an on-premise portal, and proxies (set or from the
environment), for portal calls and the OAuth refresh alike, over real sockets on 127.0.0.1.

``RecordingProxy`` is a tiny HTTP proxy: ``CONNECT host:port`` opens a tunnel (for https),
an absolute-form request (``POST http://host:port/path``) is forwarded (for plain http).
It records each request line, so a test can prove that the proxy was (or was not) used.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from servers import ScriptedServer, TestCA, closed_port, json_reply

from inspector.core.client import BitrixClient
from inspector.core.credentials import make_oauth_credential, parse_webhook_url
from inspector.core.errors import (
    BadCAFile,
    BadProxy,
    ConnectionRefused,
    HostNotFound,
    InputError,
    NetworkError,
    TLSFailure,
)
from inspector.core.network import build_ssl_context, describe_trust
from inspector.core.options import RequestOptions
from inspector.core.proxies import check_proxy, display_proxy, proxy_secrets
from inspector.demo.portal import DEMO_SOURCES, DemoPortal

OPTIONS = RequestOptions(connect_timeout=5, read_timeout=5)
SOURCE_6 = {"result": {"item": DEMO_SOURCES[6]}, "time": {"start": 1.0}}
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def _no_proxy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.lower(), raising=False)


class RecordingProxy:
    """A forward (absolute-form) and CONNECT proxy on 127.0.0.1 that records request lines."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines: list[str] = []
        self.names: dict[str, str] = {}  # host names this proxy resolves (to 127.0.0.1)
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._stop = threading.Event()
        self._listener.settimeout(0.05)  # accept() wakes up to notice close()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def __enter__(self) -> RecordingProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _keep(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock)
        return sock

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            self._keep(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _read_head(reader: Any) -> list[bytes] | None:
        lines: list[bytes] = []
        while True:
            line = reader.readline(65537)
            if not line:
                return None
            if line in (b"\r\n", b"\n"):
                return lines
            lines.append(line)

    def _serve(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        try:
            while True:
                head = self._read_head(reader)
                if not head:
                    return
                method, target, _version = head[0].decode("latin-1").split(" ", 2)
                with self._lock:
                    self.lines.append(f"{method} {target}")
                if method == "CONNECT":
                    host, port = target.rsplit(":", 1)
                    address = (self.names.get(host, host), int(port))
                    upstream = self._keep(socket.create_connection(address, timeout=5))
                    conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    self._tunnel(conn, upstream)
                    return
                self._forward(conn, reader, method, target, head[1:])
        except OSError:
            return
        finally:
            conn.close()

    def _forward(
        self, conn: socket.socket, reader: Any, method: str, target: str, headers: list[bytes]
    ) -> None:
        parts = urlsplit(target)
        length = 0
        out = [f"{method} {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1"]
        for raw in headers:
            name, _, value = raw.decode("latin-1").partition(":")
            if name.lower().startswith("proxy-") or name.lower() == "connection":
                continue
            if name.lower() == "content-length":
                length = int(value.strip())
            out.append(f"{name}:{value.rstrip()}")
        out.append("Connection: close")
        body = reader.read(length) if length else b""
        host = parts.hostname or ""
        with socket.create_connection((self.names.get(host, host), parts.port or 80), 5) as up:
            up.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
            while chunk := up.recv(65536):
                conn.sendall(chunk)

    @staticmethod
    def _tunnel(a: socket.socket, b: socket.socket) -> None:
        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                with contextlib.suppress(OSError):
                    dst.shutdown(socket.SHUT_WR)

        other = threading.Thread(target=pump, args=(b, a), daemon=True)
        other.start()
        pump(a, b)
        other.join(timeout=5)
        b.close()


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    with RecordingProxy() as p:
        yield p


@pytest.fixture(scope="module")
def ca() -> TestCA:
    return TestCA()


@pytest.fixture
def ca_file(ca: TestCA, tmp_path: Path) -> str:
    path = tmp_path / "private-ca.pem"
    ca.ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def tls_portal(ca: TestCA) -> Iterator[ScriptedServer]:
    with ScriptedServer(json_reply(SOURCE_6), tls=ca.server_context()) as server:
        yield server


def webhook_on(server: ScriptedServer) -> Any:
    return parse_webhook_url(f"{server.url}/rest/1/netcode0123/")


# --- TLS trust ---------------------------------------------------------------------------------


def test_the_extra_ca_file_makes_a_private_portal_trusted(
    tls_portal: ScriptedServer, ca_file: str
) -> None:
    assert tls_portal.url.startswith("https://127.0.0.1:")
    options = RequestOptions(connect_timeout=5, read_timeout=5, extra_ca_file=ca_file)
    with BitrixClient(webhook_on(tls_portal), options) as client:
        assert client.get_source(6).connection.title == "Rest source SQL"


def test_without_the_extra_ca_the_private_portal_is_refused(tls_portal: ScriptedServer) -> None:
    with BitrixClient(webhook_on(tls_portal), OPTIONS) as client, pytest.raises(TLSFailure) as e:
        client.get_source(6)
    assert "not trusted" in e.value.message
    assert "Verification stays on" in e.value.hint
    assert tls_portal.requests == []


def test_the_context_always_verifies(ca_file: str) -> None:
    for ctx in (build_ssl_context(), build_ssl_context(ca_file)):
        assert ctx.verify_mode == ssl.CERT_REQUIRED
        assert ctx.check_hostname is True


def test_verification_cannot_be_turned_off() -> None:
    with pytest.raises(ValueError, match="cannot be turned off"):
        BitrixClient(
            parse_webhook_url("https://example.bitrix24.com/rest/1/abc123/"),
            RequestOptions(verify=False),
        )


def test_a_test_context_is_still_accepted(tls_portal: ScriptedServer, ca: TestCA) -> None:
    options = RequestOptions(connect_timeout=5, read_timeout=5, verify=ca.client_context())
    with BitrixClient(webhook_on(tls_portal), options) as client:
        assert client.get_source(6).connection.id == 6


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "does not exist"),
        (b"not a certificate", "no PEM certificate"),
        (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "not a valid PEM"),
    ],
    ids=["missing", "not-pem", "broken-pem"],
)
def test_a_bad_ca_file_is_a_clear_input_error(
    tmp_path: Path, content: bytes | None, expected: str
) -> None:
    path = tmp_path / "corp-ca.pem"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BadCAFile) as caught:
        BitrixClient(
            parse_webhook_url("https://example.bitrix24.com/rest/1/abc123/"),
            RequestOptions(extra_ca_file=str(path)),
        )
    assert isinstance(caught.value, InputError) and caught.value.exit_code == 2
    assert expected in caught.value.message
    assert "corp-ca.pem" in caught.value.message
    assert str(tmp_path) not in caught.value.message  # the file name, not the full path


def test_describe_trust(ca_file: str) -> None:
    text = describe_trust()
    assert "verification is always on" in text
    assert "truststore" in text or "certifi" in text
    assert "extra CA file" in describe_trust(ca_file)


# --- proxies -----------------------------------------------------------------------------------


def test_a_set_proxy_forwards_plain_http(proxy: RecordingProxy) -> None:
    with DemoPortal() as portal:
        cred = make_oauth_credential(portal.base_url, portal.access_token)
        options = RequestOptions(connect_timeout=5, read_timeout=5, proxy=proxy.url)
        with BitrixClient(cred, options) as client:
            assert client.get_source(7).connection.id == 7
            assert len(client.list_sources()) == len(DEMO_SOURCES)
        base = portal.base_url
    assert proxy.lines == [
        f"POST {base}/rest/biconnector.source.get",
        f"POST {base}/rest/biconnector.source.list",
    ]


def test_a_set_proxy_tunnels_https_to_a_private_ca_portal(
    proxy: RecordingProxy, tls_portal: ScriptedServer, ca_file: str
) -> None:
    options = RequestOptions(
        connect_timeout=5, read_timeout=5, proxy=proxy.url, extra_ca_file=ca_file
    )
    with BitrixClient(webhook_on(tls_portal), options) as client:
        assert client.get_source(6).connection.id == 6
    assert proxy.lines == [f"CONNECT 127.0.0.1:{tls_portal.port}"]
    [request] = tls_portal.requests
    assert request.tls and request.path.endswith("/biconnector.source.get")


def test_the_oauth_refresh_goes_through_the_same_proxy(proxy: RecordingProxy) -> None:
    with DemoPortal() as portal:
        cred = portal.oauth_credential()
        portal.expire_access_token()
        options = RequestOptions(connect_timeout=5, read_timeout=5, proxy=proxy.url)
        with BitrixClient(cred, options, on_credential_renewed=lambda c: None) as client:
            client.get_source(6)
        assert portal.token_refreshes == 1
        base = portal.base_url
    targets = [line.split("?")[0] for line in proxy.lines]
    assert targets == [
        f"POST {base}/rest/biconnector.source.get",
        f"GET {base}/oauth/token/",
        f"POST {base}/rest/biconnector.source.get",
    ]


def test_the_environment_proxy_is_used_by_default(
    proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY carries a request to a named portal; NO_PROXY and loopback go direct."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with ScriptedServer(lambda _request: json_reply(SOURCE_6)) as portal:
        proxy.names["b24-portal.test"] = "127.0.0.1"
        named = f"http://b24-portal.test:{portal.port}"
        cred = make_oauth_credential(named, "tok3n-abcdef")
        with BitrixClient(cred, OPTIONS) as client:
            client.get_source(6)
        assert proxy.lines == [f"POST {named}/rest/biconnector.source.get"]
        # Loopback (the demo portal) never goes through a proxy from the environment.
        with BitrixClient(make_oauth_credential(portal.url, "tok3n-abcdef"), OPTIONS) as client:
            client.get_source(6)
        assert len(proxy.lines) == 1
        monkeypatch.setenv("NO_PROXY", "localhost, .test")
        with BitrixClient(cred, OPTIONS) as client, pytest.raises(HostNotFound):
            client.get_source(6)  # direct: the name does not resolve here
        assert len(proxy.lines) == 1  # NO_PROXY is honoured


def test_a_set_proxy_wins_over_the_environment(
    proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    with DemoPortal() as portal:
        cred = make_oauth_credential(portal.base_url, portal.access_token)
        options = RequestOptions(connect_timeout=5, read_timeout=5, proxy=proxy.url)
        with BitrixClient(cred, options) as client:
            client.get_source(6)
    assert len(proxy.lines) == 1


def test_an_unreachable_proxy_is_named_without_its_password() -> None:
    proxy = f"http://alice:pr0xy-pa55word@127.0.0.1:{closed_port()}"
    cred = make_oauth_credential("https://example.bitrix24.com", "tok3n-abcdef")
    options = RequestOptions(connect_timeout=5, read_timeout=5, proxy=proxy)
    with BitrixClient(cred, options) as client, pytest.raises(ConnectionRefused) as caught:
        client.get_source(6)
    assert "proxy" in caught.value.message
    assert "pr0xy-pa55word" not in str(caught.value)


def test_a_proxy_that_refuses_the_tunnel(ca_file: str) -> None:
    refuse = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def answer() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(refuse)

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        cred = make_oauth_credential("https://example.bitrix24.com", "tok3n-abcdef")
        options = RequestOptions(
            connect_timeout=5, read_timeout=5, proxy=f"http://127.0.0.1:{port}"
        )
        with BitrixClient(cred, options) as client, pytest.raises(NetworkError) as caught:
            client.get_source(6)
        thread.join(timeout=5)
    assert "proxy" in caught.value.message
    assert "example.bitrix24.com" in caught.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("proxy.corp:3128", "http://proxy.corp:3128"),
        ("http://proxy.corp:3128/", "http://proxy.corp:3128"),
        ("https://u:p@proxy.corp", "https://u:p@proxy.corp"),
    ],
)
def test_check_proxy_accepts(text: str | None, expected: str | None) -> None:
    assert check_proxy(text) == expected


@pytest.mark.parametrize(
    "text",
    ["ftp://proxy:21", "http://", "http://proxy:port", "http://proxy:3128/path", "http://p:0"],
)
def test_check_proxy_refuses(text: str) -> None:
    with pytest.raises(BadProxy):
        check_proxy(text)


def test_proxy_passwords_are_never_shown() -> None:
    proxy = "http://alice:s3cret-pw@proxy.corp:3128"
    assert "s3cret-pw" not in display_proxy(proxy)
    assert "alice" in display_proxy(proxy)
    assert "s3cret-pw" in proxy_secrets(proxy)
    assert "environment" in display_proxy(None)
    with pytest.raises(BadProxy) as caught:
        check_proxy("gopher://alice:s3cret-pw@proxy.corp:70")
    assert "s3cret-pw" not in str(caught.value)


def test_json_payload_through_proxy_is_intact(proxy: RecordingProxy) -> None:
    # The forwarded body arrives byte for byte (the JSON body carries the token).
    with DemoPortal() as portal:
        cred = make_oauth_credential(portal.base_url, portal.access_token)
        options = RequestOptions(connect_timeout=5, read_timeout=5, proxy=proxy.url)
        with BitrixClient(cred, options) as client:
            client.call("biconnector.source.get", {"id": 9, "note": "ünïcødé"})
        [request] = portal.requests
    assert json.loads(json.dumps(request.body)) == {"id": 9, "note": "ünïcødé"}
