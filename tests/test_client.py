"""The HTTP client over a real socket: what it sends, and how every failure is reported.

Every test talks to a ``ScriptedServer`` on 127.0.0.1. Every failure is checked for the
right exception class, a message naming the problem, and the absence of the webhook code
and the token from the exception and from every log record (root and the httpx/httpcore
loggers at DEBUG, as seen through a ``RedactingFilter``).
"""

from __future__ import annotations

import copy
import gzip
import json
import logging
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from servers import (
    Reply,
    ScriptedServer,
    TestCA,
    closed_port,
    full_backlog,
    hang,
    json_reply,
    redirect,
    self_signed_server_context,
    text_reply,
)

from inspector import APP_NAME, __version__
from inspector.core.client import BitrixClient, WaitNotice
from inspector.core.credentials import Credential, make_oauth_credential, parse_webhook_url
from inspector.core.errors import (
    BadResponse,
    Cancelled,
    ConnectionRefused,
    HostNotFound,
    InspectorError,
    NetworkError,
    PortalError,
    Redirected,
    RequestTimeout,
    TLSFailure,
)
from inspector.core.masking import RedactingFilter, install_log_redaction
from inspector.core.model import Source
from inspector.core.options import RequestOptions

CODE = "k7q2x9m4p1w8z5n3"
TOKEN = "a3f9c1e7b2d84f6a9c0e5b7d1f3a8c2e00000071000002a1b2c3d4e5f6a7b8c9d0"
SECRETS = (CODE, TOKEN)
GET = "biconnector.source.get"

FAST = RequestOptions(connect_timeout=2.0, read_timeout=2.0, retries=0, retry_delay=0.01)

OK: dict[str, Any] = {
    "result": {
        "item": {
            "connection": {"id": 6, "type": "rest", "title": "Rest source SQL", "active": True},
            "connectorId": 1,
            "settings": [
                {"id": 8, "code": "token", "name": "Token", "type": "STRING", "value": "a1b2c3d4e5"}
            ],
        }
    },
    "time": {"start": 1742929480.368097, "finish": 1742929480.449558},
}


OK_BYTES = json.dumps(OK).encode()


def error_body(code: str, description: str = "") -> dict[str, Any]:
    return {"error": code, "error_description": description}


def error_in_result(code: str, description: str = "") -> dict[str, Any]:
    return {"result": {"error": error_body(code, description)}, "time": OK["time"]}


QUERY_LIMIT = json_reply(error_body("QUERY_LIMIT_EXCEEDED", "Too many requests"), 503)


# --- helpers -------------------------------------------------------------------------------


def credential_for(kind: str, base_url: str) -> Credential:
    if kind == "webhook":
        return parse_webhook_url(f"{base_url}/rest/1/{CODE}/")
    return make_oauth_credential(base_url, TOKEN)


def fetch(cred: Credential, **changes: Any) -> Source:
    """Source 6, fetched with ``FAST`` changed by *changes* (``cancel`` and ``on_wait`` too)."""
    callbacks = {k: changes.pop(k) for k in ("cancel", "on_wait") if k in changes}
    with BitrixClient(cred, replace(FAST, **changes), **callbacks) as client:
        return client.get_source(6)


def assert_secret_free(exc: BaseException, secrets: tuple[str, ...] = SECRETS) -> None:
    texts = [
        str(exc),
        repr(exc),
        getattr(exc, "message", ""),
        getattr(exc, "hint", ""),
        getattr(exc, "description", ""),
        getattr(exc, "location", "") or "",
        getattr(exc, "new_origin", "") or "",
    ]
    for secret in secrets:
        for text in texts:
            assert secret not in text, f"secret in {text!r}"


def fails(cls: type[InspectorError], cred: Credential, **changes: Any) -> InspectorError:
    with pytest.raises(cls) as info:
        fetch(cred, **changes)
    exc = info.value
    assert type(exc) is cls or cls is InspectorError
    assert exc.message.strip()
    assert_secret_free(exc)
    return exc


@pytest.fixture(params=["webhook", "oauth"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class _LogCollector(logging.Handler):
    """Keeps every record twice: as formatted raw, and after a RedactingFilter."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.raw: list[str] = []
        self.redacted: list[str] = []
        self._redacting = RedactingFilter()
        self._format = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        self.raw.append(self._format.format(copy.copy(record)))
        clone = copy.copy(record)
        self._redacting.filter(clone)
        self.redacted.append(self._format.format(clone))


@pytest.fixture(autouse=True)
def debug_logs() -> Iterator[_LogCollector]:
    """Root and httpx/httpcore at DEBUG; afterwards, no secret may survive redaction."""
    root = logging.getLogger()
    names = ("httpx", "httpcore", "inspector")
    saved = (root.level, {n: logging.getLogger(n).level for n in names})
    collector = _LogCollector()
    root.addHandler(collector)
    root.setLevel(logging.DEBUG)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield collector
    finally:
        root.removeHandler(collector)
        root.setLevel(saved[0])
        for name, level in saved[1].items():
            logging.getLogger(name).setLevel(level)
    for line in collector.redacted:
        for secret in SECRETS:
            assert secret not in line, f"secret in a redacted log line: {line!r}"


# --- success -------------------------------------------------------------------------------


def test_webhook_request_on_the_wire() -> None:
    with ScriptedServer(json_reply(OK)) as srv:
        source = fetch(credential_for("webhook", srv.url))
        [req] = srv.requests
    assert source.connection.id == 6
    assert source.settings[0].value == "a1b2c3d4e5"
    assert req.method == "POST"
    assert req.path == f"/rest/1/{CODE}/{GET}"
    assert req.query == {}
    assert req.json() == {"id": 6}
    assert req.headers["Accept"] == "application/json"
    assert req.headers["Content-Type"] == "application/json"
    assert req.headers["User-Agent"].startswith(f"{APP_NAME}/{__version__} ")
    assert req.headers.get("Authorization") is None
    assert req.headers.get("Cookie") is None


def test_oauth_token_goes_in_the_body_not_the_url() -> None:
    with ScriptedServer(json_reply(OK)) as srv:
        fetch(credential_for("oauth", srv.url))
        [req] = srv.requests
    assert req.method == "POST"
    assert req.path == f"/rest/{GET}"
    assert req.query == {}
    assert TOKEN not in req.target
    assert all(TOKEN not in value for value in req.headers.values())
    assert req.json() == {"id": 6, "auth": TOKEN}
    assert req.headers["User-Agent"].startswith(f"{APP_NAME}/{__version__} ")


def test_on_premise_path_prefix_and_port() -> None:
    with ScriptedServer(json_reply(OK)) as srv:
        fetch(parse_webhook_url(f"{srv.url}/bitrix/rest/3/{CODE}/profile"))
        fetch(make_oauth_credential(f"{srv.url}/bitrix/rest/", TOKEN))
        paths = [r.path for r in srv.requests]
    assert paths == [f"/bitrix/rest/3/{CODE}/{GET}", f"/bitrix/rest/{GET}"]


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(json_reply(OK, gzip=True), id="gzip"),
        pytest.param(json_reply(OK, chunked=True, chunk_size=7), id="chunked"),
        pytest.param(json_reply(OK, chunk_size=64, chunk_delay=0.01), id="trickle-in-time"),
        pytest.param(json_reply(OK, content_length=None), id="close-delimited"),
        pytest.param(json_reply(OK, keep_alive=False), id="connection-close"),
        pytest.param(json_reply(OK, gzip=True, chunked=True, chunk_size=5), id="gzip-chunked"),
    ],
)
def test_success_over_various_framings(reply: Reply, kind: str) -> None:
    with ScriptedServer(reply) as srv:
        source = fetch(credential_for(kind, srv.url))
    assert source.connection.title == "Rest source SQL"


def test_a_transport_that_hands_over_a_read_body() -> None:
    """httpx.MockTransport returns responses already read; the cap still applies."""
    import httpx

    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=OK_BYTES))
    cred = credential_for("webhook", "https://portal.example")
    with BitrixClient(cred, FAST, transport=transport) as client:
        assert client.get_source(6).connection.id == 6
    capped = BitrixClient(cred, replace(FAST, max_bytes=10), transport=transport)
    with capped, pytest.raises(BadResponse, match="larger than 10 bytes"):
        capped.get_source(6)


def test_success_over_tls_with_a_trusted_ca(kind: str) -> None:
    ca = TestCA()
    with ScriptedServer(json_reply(OK), tls=ca.server_context()) as srv:
        source = fetch(credential_for(kind, srv.url), verify=ca.client_context())
        [req] = srv.requests
    assert source.connection.id == 6
    assert req.tls


# --- portal errors -------------------------------------------------------------------------


E, R = error_body, error_in_result
NOT_FOUND = "Source was not found."


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        pytest.param(200, E("SOURCE_NOT_FOUND", NOT_FOUND), "SOURCE_NOT_FOUND", id="top-200"),
        pytest.param(200, R("SOURCE_NOT_FOUND", NOT_FOUND), "SOURCE_NOT_FOUND", id="in-result"),
        pytest.param(200, R("VALIDATION_INVALID_ID_FORMAT"), "VALIDATION_INVALID_ID_FORMAT"),
        pytest.param(
            200,
            {"result": {"error": "CONNECTOR_NOT_FOUND", "error_description": "x"}},
            "CONNECTOR_NOT_FOUND",
            id="in-result-string",
        ),
        pytest.param(200, {"error": E("ACCESS_DENIED")}, "ACCESS_DENIED", id="nested-dict"),
        pytest.param(200, R("", "All the fields are required."), "", id="empty-code"),
        pytest.param(
            401, E("expired_token", "The access token provided has expired."), "expired_token"
        ),
        pytest.param(401, E("NO_AUTH_FOUND", "Wrong authorization data"), "NO_AUTH_FOUND"),
        pytest.param(401, E("INVALID_CREDENTIALS"), "INVALID_CREDENTIALS"),
        pytest.param(403, E("ACCESS_DENIED", "Access denied."), "ACCESS_DENIED"),
        pytest.param(403, E("insufficient_scope"), "insufficient_scope"),
        pytest.param(
            404, E("ERROR_METHOD_NOT_FOUND", "Method not found!"), "ERROR_METHOD_NOT_FOUND"
        ),
        pytest.param(400, E("ERROR_ARGUMENT", 'Invalid order "UPWARDS"'), "ERROR_ARGUMENT"),
        pytest.param(500, E("INTERNAL_SERVER_ERROR"), "INTERNAL_SERVER_ERROR"),
        pytest.param(503, E("OVERLOAD_LIMIT"), "OVERLOAD_LIMIT"),
        pytest.param(429, E("OPERATION_TIME_LIMIT"), "OPERATION_TIME_LIMIT"),
    ],
)
def test_portal_error_shapes(status: int, body: dict[str, Any], code: str, kind: str) -> None:
    with ScriptedServer(json_reply(body, status)) as srv:
        exc = fails(PortalError, credential_for(kind, srv.url), retries=2)
        assert len(srv.requests) == 1  # none of these is retried
    assert isinstance(exc, PortalError)
    assert exc.code == code
    assert exc.http_status == status
    assert exc.exit_code == 3


def test_access_denied_message_depends_on_the_credential() -> None:
    reply = json_reply(error_in_result("ACCESS_DENIED", "Access denied."))
    with ScriptedServer(reply) as srv:
        webhook = fails(PortalError, credential_for("webhook", srv.url))
        oauth = fails(PortalError, credential_for("oauth", srv.url))
    assert webhook.message != oauth.message
    assert "OAuth" in webhook.message


def test_secrets_echoed_by_the_portal_are_redacted(kind: str) -> None:
    echo = (
        f"Bad call to https://portal/rest/1/{CODE}/{GET} with auth={TOKEN} "
        f"(token {TOKEN}, code {CODE})"
    )
    for reply in (
        json_reply(error_body("SOMETHING_NEW", echo), 400),
        json_reply(error_in_result("", echo)),
        json_reply(error_body("X" + TOKEN, echo)),
    ):
        with ScriptedServer(reply) as srv:
            cred = credential_for(kind, srv.url)
            with pytest.raises(PortalError) as info:
                fetch(cred)
        # The client can only know its own secret; the other one is just text to it.
        assert_secret_free(info.value, cred.secrets())
        assert f"/rest/1/{CODE}/" not in str(info.value)  # a webhook path is always hidden
        assert f"auth={TOKEN}" not in str(info.value)  # and so is an auth= parameter


def test_hostile_description_is_sanitised() -> None:
    hostile = "\x1b[2J\x1b[31mFAKE\x1b[0m \u202eevil\u2066 \u200b\x00 " + "x" * 100_000
    with ScriptedServer(json_reply(error_body("WEIRD", hostile))) as srv:
        exc = fails(PortalError, credential_for("oauth", srv.url))
    for ch in ("\x1b", "\u202e", "\u2066", "\u200b", "\x00"):
        assert ch not in exc.message
    assert len(exc.message) < 1000


# --- answers that are not usable JSON ------------------------------------------------------

BAD_JSON = "not valid JSON"
HTML = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
LOGIN_PAGE = f"<html><body>Please log in. Back to /rest/1/{CODE}/{GET}?auth={TOKEN}</body></html>"


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        pytest.param(text_reply(HTML, 500), ["500", "web page"], id="html-500"),
        pytest.param(text_reply(HTML, 502), ["502", "web page"], id="html-502"),
        pytest.param(text_reply(LOGIN_PAGE, 200), ["web page", "200"], id="login-page-200"),
        pytest.param(text_reply("garbage{", 200, "application/json"), [BAD_JSON], id="garbage"),
        pytest.param(Reply(body=b"\xff\xfe\x00garbage"), [BAD_JSON], id="binary"),
        pytest.param(Reply(body=b""), ["empty"], id="empty-200"),
        pytest.param(Reply(body=b"   \r\n"), ["empty"], id="blank-200"),
        pytest.param(Reply(status=204), ["empty"], id="204"),
        pytest.param(Reply(body=json.dumps(OK).encode()[:40]), [BAD_JSON], id="truncated"),
        pytest.param(json_reply([OK]), ["not an object"], id="json-list"),
        pytest.param(json_reply("OK"), ["not an object"], id="json-string"),
        pytest.param(json_reply(None), ["not an object"], id="json-null"),
        pytest.param(json_reply({"result": []}), ["not a data source"], id="result-list"),
        pytest.param(json_reply({"result": {"items": []}}), ["not a data source"], id="no-item"),
        pytest.param(json_reply({"unexpected": 1}, 500), ["500"], id="json-500-no-code"),
        pytest.param(text_reply("Not Found", 404, "text/plain"), ["404"], id="plain-404"),
        pytest.param(Reply(body=b"[" * 100_000 + b"]" * 100_000), ["nested"], id="nested-100k"),
        pytest.param(
            Reply(body=b'{"result": {"item": {"connection": {}, "settings": [{"value": '
                  + b"[" * 900 + b"1" + b"]" * 900 + b"}]}}}"),
            ["nested"],
            id="nested-900-inside-item",
        ),
        pytest.param(
            Reply(body=b'{"result": {"item": {"connection": {"x": ' + b"[" * 100 + b"]" * 100
                  + b"}, \"settings\": []}}}"),
            ["nested"],
            id="nested-100-in-extra",
        ),
    ],
)  # fmt: skip
def test_unusable_answers(reply: Reply, words: list[str], kind: str) -> None:
    with ScriptedServer(reply) as srv:
        exc = fails(BadResponse, credential_for(kind, srv.url))
    for word in words:
        assert word in str(exc)
    assert exc.exit_code == 4


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_body_that_lies_about_its_compression(encoding: str) -> None:
    reply = Reply(body=b"this is not compressed", headers=[("Content-Encoding", encoding)])
    with ScriptedServer(reply) as srv:
        exc = fails(BadResponse, credential_for("webhook", srv.url))
    assert "could not be decoded" in exc.message


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
def test_deflate_is_read_zlib_wrapped_or_raw(wbits: int) -> None:
    packer = zlib.compressobj(wbits=wbits)
    wire = packer.compress(OK_BYTES) + packer.flush()
    reply = Reply(body=wire, headers=[("Content-Encoding", "deflate")], chunked=True, chunk_size=1)
    with ScriptedServer(reply) as srv:
        assert fetch(credential_for("webhook", srv.url)).connection.id == 6


def test_several_gzip_members_are_read() -> None:
    half = len(OK_BYTES) // 2
    wire = gzip.compress(OK_BYTES[:half], mtime=0) + gzip.compress(OK_BYTES[half:], mtime=0)
    with ScriptedServer(Reply(body=wire, headers=[("Content-Encoding", "gzip")])) as srv:
        assert fetch(credential_for("webhook", srv.url)).connection.id == 6


def test_only_decodable_encodings_are_asked_for() -> None:
    with ScriptedServer(json_reply(OK)) as srv:
        fetch(credential_for("webhook", srv.url))
        [req] = srv.requests
    assert req.headers["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, gzip", "compress"])
def test_an_encoding_that_cannot_be_read_is_reported(encoding: str) -> None:
    reply = Reply(body=b"\x00" * 32, headers=[("Content-Encoding", encoding)])
    with ScriptedServer(reply) as srv:
        exc = fails(BadResponse, credential_for("webhook", srv.url))
    assert f"compressed as “{encoding}”" in exc.message


def test_a_deflate_bomb_is_cut_off_too() -> None:
    cap = 256 * 1024
    packer = zlib.compressobj(level=9, wbits=-zlib.MAX_WBITS)
    wire = packer.compress(b"{" * (200 * cap)) + packer.flush()
    reply = Reply(body=wire, headers=[("Content-Encoding", "deflate")])
    with ScriptedServer(reply) as srv:
        exc = fails(BadResponse, credential_for("webhook", srv.url), max_bytes=cap)
    assert "larger than 256 KiB" in exc.message


def test_a_truncated_gzip_body() -> None:
    wire = gzip.compress(OK_BYTES, mtime=0)[:-12]  # no trailer: decodes to a JSON prefix
    reply = Reply(body=wire, headers=[("Content-Encoding", "gzip")])
    with ScriptedServer(reply) as srv:
        fails(BadResponse, credential_for("webhook", srv.url))


def test_a_body_over_max_bytes_is_cut_off() -> None:
    big = json.dumps({**OK, "pad": "x" * 5000}).encode()
    with ScriptedServer(Reply(body=big)) as srv:
        exc = fails(BadResponse, credential_for("webhook", srv.url), max_bytes=1000)
    assert "larger than" in exc.message
    assert "0 MiB" not in exc.message  # the cap must be stated in a useful unit
    assert "1000 bytes" in exc.message


def test_a_gzip_bomb_is_cut_off_by_its_decompressed_size() -> None:
    cap = 1024 * 1024
    body = b'{"result": {"item": {"connection": {}, "pad": "' + b"0" * (40 * cap) + b'"}}}'
    wire = gzip.compress(body, mtime=0)
    assert len(wire) < cap // 4  # small on the wire...
    with ScriptedServer(Reply(body=body, gzip=True)) as srv:
        started = time.monotonic()
        exc = fails(BadResponse, credential_for("webhook", srv.url), max_bytes=cap)
    assert "larger than 1 MiB" in exc.message  # ...but refused by what it inflates to
    assert time.monotonic() - started < 5


def test_a_gzip_bomb_does_not_inflate_far_past_the_cap_in_memory() -> None:
    """The client inflates in bounded steps: memory stays near the cap, not ~1000x a read."""
    cap = 1024 * 1024
    wire = gzip.compress(b"0" * (100 * cap), compresslevel=1, mtime=0)
    reply = Reply(body=wire, headers=[("Content-Encoding", "gzip")])
    with ScriptedServer(reply) as srv:
        cred = credential_for("webhook", srv.url)
        tracemalloc.start()
        try:
            with pytest.raises(BadResponse):
                fetch(cred, max_bytes=cap)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 16 * cap, f"peak {peak / cap:.0f} MiB for a {cap // 1024} KiB cap"


@pytest.mark.parametrize("chunked", [False, True])
def test_a_big_body_at_exactly_the_cap_is_accepted(chunked: bool) -> None:
    body = json.dumps(OK).encode()
    with ScriptedServer(Reply(body=body, chunked=chunked, chunk_size=10)) as srv:
        fetch(credential_for("webhook", srv.url), max_bytes=len(body))


# --- redirects -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_the_same_rest_path_elsewhere_is_not_followed(status: int, kind: str) -> None:
    with ScriptedServer() as target:
        path = f"/rest/1/{CODE}/{GET}" if kind == "webhook" else f"/rest/{GET}"
        with ScriptedServer(redirect(f"{target.url}{path}", status)) as srv:
            exc = fails(Redirected, credential_for(kind, srv.url))
            assert len(srv.requests) == 1
        assert target.requests == []
        assert target.connections == 0
    assert isinstance(exc, Redirected)
    assert str(status) in exc.message
    assert f"127.0.0.1:{target.port}" in exc.message
    assert exc.new_origin == target.url  # a moved portal: offered, never followed


@pytest.mark.parametrize("status", [301, 302, 307])
def test_redirect_elsewhere_names_the_target_redacted(status: int, kind: str) -> None:
    with ScriptedServer() as target:
        location = f"{target.url}/login/rest/9/{CODE}/x?auth={TOKEN}&back=1#frag"
        with ScriptedServer(redirect(location, status)) as srv:
            exc = fails(Redirected, credential_for(kind, srv.url))
        assert target.requests == []
        assert target.connections == 0
    assert isinstance(exc, Redirected)
    assert f"127.0.0.1:{target.port}/login" in exc.message
    assert "not followed" in exc.message
    assert exc.new_origin is None


def test_relative_redirect_on_the_same_host() -> None:
    with ScriptedServer(redirect("/auth/?backurl=/rest/", 302)) as srv:
        exc = fails(Redirected, credential_for("webhook", srv.url))
        assert len(srv.requests) == 1
    assert "not sent to another address on the same server." in exc.message


def test_redirect_to_another_port_is_another_server() -> None:
    """Another port of the same host name is another server, not "the same host"."""
    with ScriptedServer(json_reply(OK)) as target:
        with ScriptedServer(redirect(f"http://127.0.0.1:{target.port}/login/", 302)) as srv:
            exc = fails(Redirected, credential_for("webhook", srv.url))
        assert target.requests == []
    assert "not sent to another server (another port of the same host name)." in exc.message
    assert "same host." not in exc.message
    assert "same server" not in exc.message


def test_tls_messages_end_with_one_full_stop() -> None:
    """A reason that ends with its own full stop (a host name mismatch) is not doubled."""
    ca = TestCA()
    with ScriptedServer(json_reply(OK), tls=ca.server_context("other-portal.example")) as srv:
        exc = fails(TLSFailure, credential_for("webhook", srv.url), verify=ca.client_context())
    assert "mismatch" in exc.message
    assert exc.message.endswith("is not valid for '127.0.0.1'.")
    assert ".." not in exc.message


def test_deadline_message_says_what_happened() -> None:
    """The watchdog's deadline is worded by what the exchange ended with: a connection
    never made, no answer at all, or an answer still arriving."""
    import httpx

    from inspector.core.client.transport_errors import deadline_passed

    def raised(exc: Exception) -> Exception:
        try:
            raise exc
        except Exception as caught:
            return caught

    never = deadline_passed("portal.example", 0.002, raised(httpx.ConnectTimeout("timed out")))
    silent = deadline_passed("portal.example", 0.002, raised(httpx.ReadTimeout("timed out")))
    trickle = deadline_passed("portal.example", 0.7, raised(httpx.ReadError("closed")))
    assert never.message == "Could not connect to portal.example within the time limit of 0.002 s."
    assert silent.message == "portal.example did not answer within the time limit of 0.002 s."
    assert "still sending" in trickle.message
    assert all("still sending" not in e.message for e in (never, silent))


def test_redirect_with_a_hostile_location() -> None:
    # Raw control characters cannot pass HTTP parsing; UTF-8 bidi marks and escapes can.
    location = "https://evil.example/%1B[2J\u202eexe.txt/\u200b"
    with ScriptedServer(redirect(location, 302)) as srv:
        exc = fails(Redirected, credential_for("webhook", srv.url))
        assert srv.errors == []
    assert isinstance(exc, Redirected)
    for text in (exc.message, exc.location):
        assert "\x1b" not in text
        assert "\u202e" not in text
        assert "\u200b" not in text
    assert "evil.example" in exc.message


def test_a_raw_control_character_in_a_header_is_a_broken_answer() -> None:
    with ScriptedServer(redirect("https://evil.example/\x1b[31m", 302)) as srv:
        fails(NetworkError, credential_for("webhook", srv.url))


# --- transport failures --------------------------------------------------------------------


def test_connection_refused(kind: str) -> None:
    port = closed_port()
    exc = fails(ConnectionRefused, credential_for(kind, f"http://127.0.0.1:{port}"))
    assert f"127.0.0.1:{port}" in exc.message
    assert "refused" in exc.message


def test_host_that_does_not_resolve(kind: str) -> None:
    exc = fails(HostNotFound, credential_for(kind, "https://nonexistent.invalid"))
    assert "nonexistent.invalid" in exc.message
    assert "could not be found" in exc.message


def test_connect_timeout(kind: str) -> None:
    try:
        backlog = full_backlog()
        host, port = backlog.__enter__()
    except RuntimeError as unavailable:
        pytest.skip(f"cannot make a connect timeout on loopback here: {unavailable}")
    try:
        started = time.monotonic()
        exc = fails(
            RequestTimeout, credential_for(kind, f"http://{host}:{port}"), connect_timeout=0.3
        )
        assert time.monotonic() - started < 3
    finally:
        backlog.__exit__(None, None, None)
    assert "connect" in exc.message.lower()
    assert "0.3 s" in exc.message


def test_read_timeout_when_the_server_never_answers(kind: str) -> None:
    with ScriptedServer(hang()) as srv:
        started = time.monotonic()
        exc = fails(RequestTimeout, credential_for(kind, srv.url), read_timeout=0.4)
        elapsed = time.monotonic() - started
        assert len(srv.requests) == 1
    assert 0.3 < elapsed < 3
    assert "did not answer within 0.4 s" in exc.message


def test_a_trickling_body_runs_into_the_overall_deadline(kind: str) -> None:
    body = json.dumps(OK).encode()  # ~300 bytes at 10 bytes / 0.1 s: about 3 s in all
    reply = Reply(body=body, chunk_size=10, chunk_delay=0.1)
    with ScriptedServer(reply) as srv:
        started = time.monotonic()
        exc = fails(
            RequestTimeout, credential_for(kind, srv.url), connect_timeout=0.3, read_timeout=0.4
        )
        elapsed = time.monotonic() - started
    assert elapsed < 1.8
    assert "still sending" in exc.message


def test_trickling_headers_also_run_into_the_overall_deadline() -> None:
    """Each header byte comes inside the read timeout; the whole exchange still ends."""
    padding = [("X-Padding", "p" * 400)]
    reply = json_reply(OK, headers=padding, trickle_head=True, chunk_size=2, chunk_delay=0.05)
    outcome: list[BaseException | Source] = []
    with ScriptedServer(reply) as srv:
        cred = credential_for("webhook", srv.url)

        def run() -> None:
            try:
                outcome.append(fetch(cred, connect_timeout=0.3, read_timeout=0.4))
            except BaseException as exc:
                outcome.append(exc)

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        worker.join(1.5)  # the deadline is 0.7 s
        finished_in_time = not worker.is_alive()
    worker.join(5)
    assert finished_in_time
    assert isinstance(outcome[0], RequestTimeout)
    assert "still sending" in outcome[0].message
    assert "0.7 s" in outcome[0].message


def test_a_trickling_tls_handshake_is_bounded_by_the_connect_timeout() -> None:
    """A 'server' that answers the TLS hello one byte per 0.1 s, each inside the timeout:
    CPython bounds the whole handshake by the socket timeout (the connect timeout)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            # A handshake record header announcing 16 KiB, then its body byte by byte.
            for byte in b"\x16\x03\x03\x40\x00" + b"\x00" * 1000:
                if stop.wait(0.1):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    port = listener.getsockname()[1]
    try:
        started = time.monotonic()
        exc = fails(
            RequestTimeout,
            credential_for("webhook", f"https://127.0.0.1:{port}"),
            connect_timeout=0.3,
            read_timeout=0.4,
        )
        assert time.monotonic() - started < 2
    finally:
        stop.set()
        listener.close()
        server.join(5)
    assert "connect" in exc.message and "0.3 s" in exc.message


def test_cancel_interrupts_a_server_that_never_answers() -> None:
    """A cancel ends even a read that is blocked waiting for the first byte."""
    cancel = threading.Event()
    with ScriptedServer(hang()) as srv:
        threading.Timer(0.2, cancel.set).start()
        started = time.monotonic()
        fails(Cancelled, credential_for("webhook", srv.url), cancel=cancel, read_timeout=10)
        assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(Reply(body=OK_BYTES, close_after=20), id="fin-mid-body"),
        pytest.param(Reply(body=OK_BYTES, close_after=20, reset=True), id="rst-mid-body"),
        pytest.param(Reply(body=b"x" * 10, content_length=1000, close_after=10), id="short-body"),
        pytest.param(Reply(body=OK_BYTES, chunked=True, chunk_size=16, close_after=30), id="cut"),
        pytest.param(Reply(raw=b""), id="no-answer-at-all"),
        pytest.param(Reply(raw=b"", reset=True), id="reset-before-answer"),
        pytest.param(Reply(raw=b"SPDY/9 what\r\n\r\n"), id="not-http"),
        pytest.param(Reply(raw=b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n{}"), id="bad-length"),
    ],
)  # fmt: skip
def test_broken_connections(reply: Reply, kind: str) -> None:
    with ScriptedServer(reply) as srv:
        exc = fails(NetworkError, credential_for(kind, srv.url))
    assert "127.0.0.1" in exc.message


def test_the_mapping_asks_about_an_explicit_proxy_first() -> None:
    """One ConnectError from a refused socket: blamed on the proxy when one is set (named
    without its password), on the portal otherwise."""
    import httpx

    from inspector.core.client.transport_errors import map_transport_error

    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except ConnectionRefusedError as refused:
            raise httpx.ConnectError("All connection attempts failed") from refused
    except httpx.ConnectError as caught:
        error = caught
    proxy = "http://proxyuser:proxypass1@proxy.example:3128"
    via_proxy = map_transport_error(
        error, host="portal.example", proxy=proxy, options=FAST, secrets=("proxypass1",)
    )
    direct = map_transport_error(error, host="portal.example", proxy=None, options=FAST, secrets=())
    assert isinstance(via_proxy, ConnectionRefused)
    assert "proxy.example:3128" in via_proxy.message
    assert "proxypass1" not in str(via_proxy)
    assert isinstance(direct, ConnectionRefused)
    assert direct.message == "portal.example refused the connection."


# --- TLS -----------------------------------------------------------------------------------


def test_tls_certificate_from_an_unknown_ca(kind: str) -> None:
    with ScriptedServer(json_reply(OK), tls=TestCA().server_context()) as srv:
        exc = fails(TLSFailure, credential_for(kind, srv.url))
        assert srv.requests == []
    assert "not trusted" in exc.message
    assert "local issuer" in exc.message  # what is wrong: nobody we trust signed it


def test_tls_self_signed_certificate(kind: str) -> None:
    with ScriptedServer(json_reply(OK), tls=self_signed_server_context()) as srv:
        exc = fails(TLSFailure, credential_for(kind, srv.url))
        assert srv.requests == []
    assert "self-signed" in exc.message


def test_tls_expired_certificate(kind: str) -> None:
    ca = TestCA()
    with ScriptedServer(json_reply(OK), tls=ca.expired_server_context()) as srv:
        exc = fails(TLSFailure, credential_for(kind, srv.url), verify=ca.client_context())
        assert srv.requests == []
    assert "expired" in exc.message


def test_tls_hostname_mismatch(kind: str) -> None:
    ca = TestCA()
    with ScriptedServer(json_reply(OK), tls=ca.server_context("other.example")) as srv:
        exc = fails(TLSFailure, credential_for(kind, srv.url), verify=ca.client_context())
        assert srv.requests == []
    assert "mismatch" in exc.message


def test_https_to_a_plain_http_server(kind: str) -> None:
    with ScriptedServer(json_reply(OK)) as srv:
        exc = fails(TLSFailure, credential_for(kind, srv.url.replace("http://", "https://")))
        assert srv.requests == []
    assert "TLS" in exc.message


def test_verification_cannot_be_turned_off() -> None:
    with pytest.raises(ValueError):
        fetch(credential_for("webhook", "https://127.0.0.1:1"), verify=False)


# --- rate limits, retries, cancel ----------------------------------------------------------


def test_query_limit_is_retried_then_succeeds() -> None:
    calls: list[tuple[int, float]] = []
    with ScriptedServer([QUERY_LIMIT, QUERY_LIMIT, json_reply(OK)]) as srv:
        source = fetch(
            credential_for("webhook", srv.url),
            retries=2,
            retry_delay=0.01,
            on_wait=lambda notice: calls.append((notice.attempt, notice.seconds)),
        )
        assert len(srv.requests) == 3
    assert source.connection.id == 6
    assert calls == [(1, 0.01), (2, 0.02)]


def test_query_limit_is_retried_with_growing_delays_then_reported(kind: str) -> None:
    notices: list[WaitNotice] = []
    with ScriptedServer(QUERY_LIMIT) as srv:
        exc = fails(
            PortalError,
            credential_for(kind, srv.url),
            retries=3,
            retry_delay=0.02,
            on_wait=notices.append,
        )
        requests = srv.requests
    assert len(requests) == 4
    assert [n.attempt for n in notices] == [1, 2, 3]
    delays = [n.seconds for n in notices]
    assert delays == sorted(delays) and delays[0] < delays[-1]
    assert [n.reason for n in notices] == ["rate_limit"] * 3
    assert isinstance(exc, PortalError)
    assert exc.code == "QUERY_LIMIT_EXCEEDED"
    assert exc.http_status == 503
    # Every attempt carried the same credential and body.
    assert len({r.body for r in requests}) == 1


def test_cancel_stops_the_retry_wait() -> None:
    cancel = threading.Event()
    with ScriptedServer(QUERY_LIMIT) as srv:
        started = time.monotonic()
        fails(
            Cancelled,
            credential_for("webhook", srv.url),
            retries=5,
            retry_delay=30.0,
            cancel=cancel,
            on_wait=lambda notice: threading.Timer(0.1, cancel.set).start(),
        )
        assert time.monotonic() - started < 3
        assert len(srv.requests) == 1


def test_cancel_set_before_the_call_sends_nothing() -> None:
    cancel = threading.Event()
    cancel.set()
    with ScriptedServer(json_reply(OK)) as srv:
        fails(Cancelled, credential_for("webhook", srv.url), cancel=cancel)
        assert srv.requests == []


def test_cancel_during_a_trickling_body() -> None:
    cancel = threading.Event()
    reply = Reply(body=json.dumps(OK).encode(), chunk_size=5, chunk_delay=0.05)
    with ScriptedServer(reply) as srv:
        threading.Timer(0.2, cancel.set).start()
        fails(Cancelled, credential_for("webhook", srv.url), cancel=cancel, read_timeout=5)


def test_operation_time_limit_is_not_retried() -> None:
    calls: list[WaitNotice] = []
    reply = json_reply(error_body("OPERATION_TIME_LIMIT", "Method is blocked"), 429)
    with ScriptedServer(reply) as srv:
        exc = fails(
            PortalError,
            credential_for("oauth", srv.url),
            retries=3,
            retry_delay=0.01,
            on_wait=calls.append,
        )
        assert len(srv.requests) == 1
    assert calls == []
    assert isinstance(exc, PortalError)
    assert exc.code == "OPERATION_TIME_LIMIT"
    assert exc.http_status == 429


def test_a_503_without_the_rate_limit_code_is_not_retried() -> None:
    with ScriptedServer(text_reply(HTML, 503)) as srv:
        fails(BadResponse, credential_for("webhook", srv.url), retries=3)
        assert len(srv.requests) == 1


# --- logs ----------------------------------------------------------------------------------


def test_production_log_setup_writes_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    """As the app runs: install_log_redaction on the root handlers, root at DEBUG.

    caplog's handler for this phase is on the root logger only now, so redaction is
    installed here, inside the test, where it reaches that handler too.
    """
    caplog.set_level(logging.DEBUG)
    redacting = install_log_redaction()
    try:
        with ScriptedServer(
            [
                json_reply(OK),
                json_reply(error_body("X", f"/rest/1/{CODE}/ auth={TOKEN}"), 400),
                redirect(f"http://elsewhere.invalid/rest/1/{CODE}/{GET}?auth={TOKEN}"),
            ]
        ) as srv:
            for kind in ("webhook", "oauth"):
                cred = credential_for(kind, srv.url)
                for _ in range(3):
                    try:
                        fetch(cred)
                    except InspectorError as exc:
                        logging.getLogger("inspector.test").exception("failed: %s", exc)
            logging.getLogger("inspector.test").debug("cred %r", cred)
    finally:
        for handler in logging.getLogger().handlers:
            handler.removeFilter(redacting)
    assert caplog.records
    for secret in SECRETS:
        assert secret not in caplog.text
        for record in caplog.records:
            assert secret not in record.getMessage()
            assert secret not in (record.exc_text or "")


def test_library_debug_logs_are_redacted(debug_logs: _LogCollector) -> None:
    """Even with httpx/httpcore forced to DEBUG, the redacted output holds no secret."""
    with ScriptedServer(
        [redirect(f"https://moved.example/rest/1/{CODE}/{GET}", 302), json_reply(OK)]
    ) as srv:
        with pytest.raises(Redirected):
            fetch(credential_for("webhook", srv.url))
        fetch(credential_for("oauth", srv.url))
    assert any(line.startswith("httpx ") for line in debug_logs.redacted)
    assert any(line.startswith("httpcore") for line in debug_logs.redacted)
    # The OAuth token travels in the body, which neither library logs.
    assert not any(TOKEN in line for line in debug_logs.raw)
