"""The fault suite's kit: distinctive secrets, good portal answers, THE table of fault
cases, the servers each case needs, and the leak scanner.

Every case in ``FAULTS`` is run through the command line (a real ``python -m inspector``
subprocess) and through the window (a real ``MainWindow``); see ``test_faults_matrix.py``.
A case names its server script, the error class the core must raise (which decides the
CLI's exit code), the fragments the message must contain, how many ``source.get``
requests may reach the portal, and how long the failure may take.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leaks import Scan as WalkerScan
from leaks import contains
from servers import (
    RecordedRequest,
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

from inspector.core import errors
from inspector.core.masking import MASK

# --- secrets: distinctive, long enough for a substring scan to mean something -------------

CODE = "wbhkC0de4q7z2m9x"  # the webhook's secret code
TOKEN = "oaTkn8f3a9c1e7b2d84f6a9c0e5b7d1f3a8"  # the OAuth access token
PASSWORD = "pw-S3cr3tValue-91"
API_KEY = "ak_live_7Qz2Xm9Pw4rT"
NUMBER = 4815162342108  # an INT setting that arrives as a JSON number
NESTED = "objS3cretInside99"  # inside a setting value that is an object
SETTING_VALUES = (PASSWORD, API_KEY, str(NUMBER), NESTED)
SECRETS = (CODE, TOKEN, *SETTING_VALUES)

SOURCE_GET = "biconnector.source.get"
CONNECTOR_GET = "biconnector.connector.get"
TITLE = "Warehouse replica"

TIME = {"start": 1742929480.368097, "finish": 1742929480.449558, "duration": 0.081}


def source_item(title: str = TITLE, source_id: int = 6, **extra: Any) -> dict[str, Any]:
    return {
        "connection": {
            "id": source_id,
            "type": "rest",
            "code": "rest_1",
            "title": title,
            "description": "MySQL replica for BI",
            "active": True,
            "dateCreate": "2025-03-20 14:50:06",
            "dateUpdate": "2025-03-20 14:50:06",
            "createdById": 1,
            "updatedById": 1,
        },
        "connectorId": 1,
        "settings": [
            {"id": 8, "code": "password", "name": "Password", "type": "STRING", "value": PASSWORD},
            {"id": 9, "code": "token", "name": "API key", "type": "STRING", "value": API_KEY},
            {"id": 10, "code": "port", "name": "Port", "type": "INT", "value": NUMBER},
            {"id": 11, "code": "extra", "name": "Extra", "type": "STRING", "value": {"k": NESTED}},
            {"id": 12, "code": "empty", "name": "Empty", "type": "STRING", "value": None},
        ],
        **extra,
    }


def ok_payload(title: str = TITLE, source_id: int = 6) -> dict[str, Any]:
    return {"result": {"item": source_item(title, source_id)}, "time": TIME}


OK = ok_payload()
OK_BYTES = json.dumps(OK).encode()
SETTING_COUNT = len(source_item()["settings"])
CONNECTOR = {
    "result": {
        "item": {
            "id": 1,
            "title": "MySQL connector",
            "settings": [
                {"code": "password", "name": "Password", "type": "STRING"},
                {"code": "token", "name": "API key", "type": "STRING"},
            ],
            "urlCheck": "https://connector.example/check",
            "urlData": "https://connector.example/data",
            "urlTableList": "https://connector.example/tables",
            "urlTableDescription": "https://connector.example/describe",
        }
    },
    "time": TIME,
}


def error_body(code: str, description: str = "") -> dict[str, Any]:
    return {"error": code, "error_description": description}


def in_result(code: str, description: str = "") -> dict[str, Any]:
    return {"result": {"error": error_body(code, description)}, "time": TIME}


Script = Reply | list[Reply] | Callable[[RecordedRequest], Reply]


def route(get: Script, connector: Reply | None = None) -> Callable[..., Reply]:
    """A portal: *get* answers source.get (a list: one per call, the last repeats; a
    function: per request), and a good connector answers connector.get."""
    replies = get if isinstance(get, list) else [get]
    calls = {"n": 0}

    def handle(request: RecordedRequest) -> Reply:
        if request.path.endswith(CONNECTOR_GET):
            return connector or json_reply(CONNECTOR)
        calls["n"] += 1
        reply = replies[min(calls["n"], len(replies)) - 1]
        return reply if isinstance(reply, Reply) else reply(request)

    return handle


def source_gets(server: ScriptedServer | None) -> int:
    if server is None:
        return 0
    return sum(1 for r in server.requests if r.path.endswith(SOURCE_GET))


# --- the servers a case needs ----------------------------------------------------------------


@dataclass
class Setup:
    """Where the credential points, and what was started for it."""

    base: str  # the portal's origin for the credential: scheme://host:port
    portal: ScriptedServer | None = None
    target: ScriptedServer | None = None  # a redirect's target: must see nothing
    ca_file: str | None = None  # a private CA the client is told to trust (TLS cases)


Serve = Callable[[contextlib.ExitStack, Path], Setup]


def serve(get: Script) -> Serve:
    """A plain-http portal answering source.get with *get*."""

    def start(stack: contextlib.ExitStack, tmp: Path) -> Setup:
        server = stack.enter_context(ScriptedServer(route(get)))
        return Setup(server.url, portal=server)

    return start


def serve_redirect(same_rest_path: bool) -> Serve:
    """A portal that redirects to a recording server on another address."""

    def start(stack: contextlib.ExitStack, tmp: Path) -> Setup:
        target = stack.enter_context(ScriptedServer(json_reply(OK)))

        def moved(request: RecordedRequest) -> Reply:
            if same_rest_path:  # a renamed portal: the very same /rest/... path elsewhere
                return redirect(f"{target.url}{request.path}", 302)
            # A login page elsewhere, carrying the request's own path and secrets along.
            return redirect(f"{target.url}/login/?back={request.path}&auth={TOKEN}", 302)

        portal = stack.enter_context(ScriptedServer(route(moved)))
        return Setup(portal.url, portal=portal, target=target)

    return start


def serve_tls(problem: str) -> Serve:
    """An https portal whose certificate has *problem*; the CA is trusted where it exists."""

    def start(stack: contextlib.ExitStack, tmp: Path) -> Setup:
        ca_file = None
        if problem == "self-signed":
            context = self_signed_server_context()
        else:
            ca = TestCA()
            ca_file = str(tmp / "private-ca.pem")
            Path(ca_file).write_bytes(ca.ca.cert_pem.bytes())
            if problem == "expired":
                context = ca.expired_server_context()
            else:  # a certificate for another host name
                context = ca.server_context("other-portal.example")
        server = stack.enter_context(ScriptedServer(route(json_reply(OK)), tls=context))
        return Setup(server.url, portal=server, ca_file=ca_file)

    return start


def serve_refused(stack: contextlib.ExitStack, tmp: Path) -> Setup:
    return Setup(f"http://127.0.0.1:{closed_port()}")


def serve_unresolvable(stack: contextlib.ExitStack, tmp: Path) -> Setup:
    return Setup("https://b24-fault-portal.invalid")


def serve_full_backlog(stack: contextlib.ExitStack, tmp: Path) -> Setup:
    host, port = stack.enter_context(full_backlog())  # RuntimeError: cannot here (skip)
    return Setup(f"http://{host}:{port}")


# --- the table -------------------------------------------------------------------------------

HTML_ERROR = "<!DOCTYPE html><html><body><h1>{} Server Error</h1><p>nginx</p></body></html>"
LIMIT_RESET_IN = 95  # seconds: when the portal says the blocked method frees up


def _echo_the_request(request: RecordedRequest) -> Reply:
    """A careless portal that quotes the request it got (path and body) in its error."""
    quoted = f"bad call {request.target} with {request.body.decode()} ({request.target})"
    return json_reply(error_body("WEIRD_FAILURE", quoted), 400)


def _limited_with_reset(request: RecordedRequest) -> Reply:
    body = {
        **error_body("OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit."),
        "time": {**TIME, "operating_reset_at": time.time() + LIMIT_RESET_IN},
    }
    return json_reply(body, 429)


@functools.cache
def _gzip_bomb() -> Reply:
    """40 MiB of JSON in ~40 KiB of gzip."""
    inflated = b'{"result": {"item": {"pad": "' + b"0" * (40 * 1024 * 1024) + b'"}}}'
    wire = gzip.compress(inflated, compresslevel=9, mtime=0)
    return Reply(body=wire, headers=[("Content-Encoding", "gzip")])


def serve_gzip_bomb(stack: contextlib.ExitStack, tmp: Path) -> Setup:
    return serve(_gzip_bomb())(stack, tmp)  # made before the server starts, once


def _repeating_values() -> dict[str, Any]:
    """A portal that repeats setting values in the title and the description."""
    payload = ok_payload(f"Replica {PASSWORD}")
    payload["result"]["item"]["connection"]["description"] = f"uses {API_KEY}"
    return payload


def _request_secret(request: RecordedRequest) -> str:
    """The secret a request carried: the webhook code in its path, or the OAuth token."""
    if request.path.startswith("/rest/") and request.path.count("/") >= 4:
        return request.path.split("/")[3]
    body = request.json() if request.body else {}
    return str(body.get("auth", "")) if isinstance(body, dict) else ""


def _echoing_portal(request: RecordedRequest) -> Reply:
    """A portal that repeats the caller's own secret in the title, the description and
    the connector's title, and a setting value in a plain-http endpoint's path."""
    secret = _request_secret(request)
    if request.path.endswith(CONNECTOR_GET):
        connector = json.loads(json.dumps(CONNECTOR))
        item = connector["result"]["item"]
        item["title"] = f"Connector of {secret}"
        item["urlData"] = f"http://connector.example/{PASSWORD}/data"
        return json_reply(connector)
    payload = ok_payload(f"Replica {secret}")
    payload["result"]["item"]["connection"]["description"] = f"uses {secret}"
    return json_reply(payload)


def serve_echoing_portal(stack: contextlib.ExitStack, tmp: Path) -> Setup:
    server = stack.enter_context(ScriptedServer(_echoing_portal))
    return Setup(server.url, portal=server)


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One row of the table, written with keywords. ``error`` None: the answer must be
    shown (a success)."""

    name: str
    serve: Serve
    error: type[errors.InspectorError] | None
    words: tuple[str, ...]  # all must be in the message (window status line, CLI stderr)
    source_gets: int | None = None  # requests that may reach source.get (None: not checked)
    seconds: float = 1.5  # how long the window's fetch may take (timeouts are 0.5 s)
    absent: tuple[str, ...] = ()  # must NOT be in the message
    cli_seconds: float = 0.0  # extra time the CLI may take (its retries wait 1 s, 2 s)
    cli_words: tuple[str, ...] = ()  # more fragments in the CLI's output

    @property
    def exit_code(self) -> int:
        return 0 if self.error is None else self.error.exit_code

    def __str__(self) -> str:
        return self.name


E = errors
FAULTS: tuple[Fault, ...] = (
    # --- the network -----------------------------------------------------------------------
    Fault(
        name="connection-refused",
        serve=serve_refused,
        error=E.ConnectionRefused,
        words=("refused the connection",),
    ),
    Fault(
        name="host-not-found",
        serve=serve_unresolvable,
        error=E.HostNotFound,
        words=("could not be found",),
    ),
    Fault(
        name="connect-timeout",
        serve=serve_full_backlog,
        error=E.RequestTimeout,
        words=("Could not connect",),
    ),
    Fault(
        name="never-answers",
        serve=serve(hang()),
        error=E.RequestTimeout,
        words=("did not answer within 0.5 s",),
        source_gets=1,
    ),
    Fault(
        name="body-trickles",
        serve=serve(Reply(body=OK_BYTES, chunk_size=16, chunk_delay=0.2)),
        error=E.RequestTimeout,
        words=("still sending", "time limit of 1 s"),
        source_gets=1,
    ),
    Fault(
        name="headers-trickle",
        serve=serve(
            json_reply(
                OK, headers=[("X-Pad", "p" * 300)], trickle_head=True, chunk_size=4, chunk_delay=0.2
            )
        ),
        error=E.RequestTimeout,
        words=("still sending", "time limit of 1 s"),
        source_gets=1,
    ),
    # --- TLS (verification stays on) ----------------------------------------------------
    Fault(
        name="tls-self-signed",
        serve=serve_tls("self-signed"),
        error=E.TLSFailure,
        words=("not trusted", "self-signed"),
    ),
    Fault(
        name="tls-expired",
        serve=serve_tls("expired"),
        error=E.TLSFailure,
        words=("not trusted", "expired"),
    ),
    Fault(
        name="tls-wrong-host",
        serve=serve_tls("mismatch"),
        error=E.TLSFailure,
        words=("not trusted", "mismatch"),
    ),
    # --- HTTP errors -------------------------------------------------------------------------
    Fault(
        name="http-500-html",
        serve=serve(text_reply(HTML_ERROR.format(500), 500)),
        error=E.BadResponse,
        words=("HTTP 500", "web page"),
        source_gets=1,
    ),
    Fault(
        name="http-502-html",
        serve=serve(text_reply(HTML_ERROR.format(502), 502)),
        error=E.BadResponse,
        words=("HTTP 502", "web page"),
        source_gets=1,
    ),
    Fault(
        name="503-query-limit",
        serve=serve(json_reply(error_body("QUERY_LIMIT_EXCEEDED", "Too many requests"), 503)),
        error=E.PortalError,
        words=("Too many requests",),
        source_gets=3,  # the first try and two retries, then it is reported
        cli_seconds=3.0,  # the CLI waits 1 s, then 2 s
        cli_words=("retry 1 in 1 s", "retry 2 in 2 s", "QUERY_LIMIT_EXCEEDED"),
    ),
    Fault(
        name="429-with-reset-time",
        serve=serve(_limited_with_reset),
        error=E.PortalError,
        words=("time limit", "frees up at", "in about 95 s"),
        source_gets=1,  # not hammered
    ),
    Fault(
        name="429-retry-after",
        serve=serve(
            json_reply(
                error_body("OPERATION_TIME_LIMIT", "Method is blocked"),
                429,
                headers=[("Retry-After", "300")],
            )
        ),
        error=E.PortalError,
        words=("time limit", "frees up at", "in about 5 min"),
        source_gets=1,
    ),
    Fault(
        name="429-no-hint",
        serve=serve(json_reply(error_body("OPERATION_TIME_LIMIT", "Method is blocked"), 429)),
        error=E.PortalError,
        words=("time limit",),
        source_gets=1,
        absent=("frees up",),
    ),
    Fault(
        name="401-expired-token",
        serve=serve(
            json_reply(error_body("expired_token", "The access token provided has expired."), 401)
        ),
        error=E.PortalError,
        words=("access token has expired",),
        source_gets=1,
    ),
    Fault(
        name="401-no-auth-found",
        serve=serve(json_reply(error_body("NO_AUTH_FOUND", "Wrong authorization data"), 401)),
        error=E.PortalError,
        words=("no usable authorization data",),
        source_gets=1,
    ),
    Fault(
        name="401-invalid-credentials",
        serve=serve(
            json_reply(error_body("INVALID_CREDENTIALS", "Invalid request credentials"), 401)
        ),
        error=E.PortalError,
        words=("rejected the credentials",),
        source_gets=1,
    ),
    Fault(
        name="access-denied-top-level",
        serve=serve(json_reply(error_body("ACCESS_DENIED", "Access denied!"), 403)),
        error=E.PortalError,
        words=("Access denied",),
        source_gets=1,
    ),
    Fault(
        name="access-denied-in-result",
        serve=serve(json_reply(in_result("ACCESS_DENIED", "Access denied."))),
        error=E.PortalError,
        words=("Access denied",),
        source_gets=1,
    ),
    Fault(
        name="insufficient-scope-top-level",
        serve=serve(json_reply(error_body("insufficient_scope", "higher privileges"), 401)),
        error=E.PortalError,
        words=("biconnector", "scope"),
        source_gets=1,
    ),
    Fault(
        name="insufficient-scope-in-result",
        serve=serve(json_reply(in_result("insufficient_scope", "higher privileges"))),
        error=E.PortalError,
        words=("biconnector", "scope"),
        source_gets=1,
    ),
    Fault(
        name="404-method-not-found",
        serve=serve(json_reply(error_body("ERROR_METHOD_NOT_FOUND", "Method not found!"), 404)),
        error=E.PortalError,
        words=("does not offer this method", "on-premise"),
        source_gets=1,
    ),
    Fault(
        name="empty-error-code",
        serve=serve(json_reply(in_result("", "All the fields are required."))),
        error=E.PortalError,
        words=("without a code", "All the fields are required."),
        source_gets=1,
    ),
    Fault(
        name="error-echoes-the-secrets",
        serve=serve(_echo_the_request),
        error=E.PortalError,
        words=("WEIRD_FAILURE",),
        source_gets=1,
    ),
    # --- redirects: never followed ------------------------------------------------------
    Fault(
        name="redirect-to-another-host",
        serve=serve_redirect(same_rest_path=False),
        error=E.Redirected,
        words=("redirected", "not followed", "/login/"),
        source_gets=1,
    ),
    Fault(
        name="redirect-portal-moved",
        serve=serve_redirect(same_rest_path=True),
        error=E.Redirected,
        words=("moved", "not sent to the new address"),
        source_gets=1,
    ),
    # --- HTTP 200 with an unusable body -------------------------------------------------
    Fault(
        name="empty-body",
        serve=serve(Reply(body=b"")),
        error=E.BadResponse,
        words=("empty answer",),
        source_gets=1,
    ),
    Fault(
        name="not-json",
        serve=serve(text_reply("OK, done.", 200, "text/plain")),
        error=E.BadResponse,
        words=("not valid JSON",),
        source_gets=1,
    ),
    Fault(
        name="truncated-json",
        serve=serve(Reply(body=OK_BYTES[: len(OK_BYTES) // 2])),
        error=E.BadResponse,
        words=("not valid JSON",),
        source_gets=1,
    ),
    Fault(
        name="result-is-a-list",
        serve=serve(json_reply({"result": [source_item()], "time": TIME})),
        error=E.BadResponse,
        words=("not a data source", "“result”"),
        source_gets=1,
    ),
    Fault(
        name="item-missing",
        serve=serve(json_reply({"result": {"items": [source_item()]}, "time": TIME})),
        error=E.BadResponse,
        words=("not a data source", "result.item"),
        source_gets=1,
    ),
    Fault(
        name="settings-not-a-list",
        serve=serve(json_reply({"result": {"item": {**source_item(), "settings": {"a": 1}}}})),
        error=E.BadResponse,
        words=("“settings” is not a list",),
        source_gets=1,
    ),
    Fault(
        name="error-inside-result",
        serve=serve(json_reply(in_result("SOURCE_NOT_FOUND", "Source was not found."))),
        error=E.PortalError,
        words=("Source not found",),
        source_gets=1,
    ),
    Fault(
        name="nested-100k-deep",
        serve=serve(Reply(body=b'{"result": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")),
        error=E.BadResponse,
        words=("nested too deeply",),
        source_gets=1,
    ),
    Fault(
        name="nested-500-deep-in-a-value",
        serve=serve(
            Reply(
                body=json.dumps(ok_payload())
                .replace('"value": null', '"value": ' + "[" * 500 + "]" * 500)
                .encode()
            )
        ),
        error=E.BadResponse,
        words=("nested more than 64 levels",),
        source_gets=1,
    ),
    Fault(
        name="body-over-the-cap",
        serve=serve(Reply(body=b'{"result": {"pad": "' + b"x" * (17 * 1024 * 1024) + b'"}}')),
        error=E.BadResponse,
        words=("larger than", "reading stopped"),
        source_gets=1,
        seconds=3.0,
    ),
    Fault(
        name="gzip-bomb",
        serve=serve_gzip_bomb,
        error=E.BadResponse,
        words=("larger than", "reading stopped"),
        source_gets=1,
    ),
    Fault(
        name="setting-values-number-null-object",
        serve=serve(json_reply(OK)),
        error=None,
        words=("Source 6", TITLE, f"{SETTING_COUNT} settings, values hidden"),
        source_gets=1,
        cli_words=(f"Source 6: {TITLE}",),
    ),
    Fault(
        name="setting-value-repeated-in-other-fields",
        serve=serve(json_reply(_repeating_values())),
        error=None,
        words=("Source 6 “Replica •••”",),
        source_gets=1,
        cli_words=("Source 6: Replica •••", "Description: uses •••"),
    ),
    # --- issue 10, findings 1 and 7: every output masks every known secret ---------------
    Fault(
        name="portal-echoes-the-credential",
        serve=serve_echoing_portal,
        error=None,
        words=("Source 6 “Replica •••”",),
        source_gets=1,
        cli_words=(
            "Source 6: Replica •••",
            "Description: uses •••",
            "Connector: Connector of ••• (ID 1)",
        ),
    ),
    Fault(
        name="setting-value-in-a-plain-http-endpoint",
        serve=serve_echoing_portal,
        error=None,
        words=("Source 6",),
        source_gets=1,
        cli_words=(
            "warning: The connector's endpoints use plain http:// (Data URL "
            "http://connector.example/•••/data)",
        ),
    ),
    Fault(
        name="non-finite-numbers-in-the-answer",
        serve=serve(Reply(body=OK_BYTES.replace(b'"duration": 0.081', b'"duration": NaN'))),
        error=None,
        words=("Source 6",),
        source_gets=1,
        cli_words=("Duration: nan",),
    ),
)

FAULT_NAMES = tuple(f.name for f in FAULTS)
assert len(set(FAULT_NAMES)) == len(FAULT_NAMES)


def fault(name: str) -> Fault:
    return next(f for f in FAULTS if f.name == name)


# --- leak scanning ---------------------------------------------------------------------------


class Scan(WalkerScan):
    """The leak walker's scan, looking for the fault suite's secrets unless told others."""

    def leaks(
        self,
        secrets: Iterable[str] = SECRETS,
        allowed: Iterable[str] = (),
        match: Callable[[str, str], bool] = contains,
    ) -> list[str]:
        return super().leaks(secrets, allowed, match)


def home_files(home: Path) -> Iterator[tuple[str, str]]:
    """Every file under *home*, as text (UTF-8 and UTF-16 views, so nothing hides)."""
    for path in sorted(home.rglob("*")):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            name = f"file {path.relative_to(home)}"
            yield name, data.decode("utf-8", "replace")
            yield name + " (utf-16)", data.decode("utf-16-le", "replace")


# --- running the CLI -------------------------------------------------------------------------

FAULTS_DIR = Path(__file__).resolve().parent
TESTS_DIR = FAULTS_DIR.parent
REPO = TESTS_DIR.parent
OFFLINE_DNS = FAULTS_DIR / "offline_dns"


def cli_environment(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment: the test's HOME, no proxies, no keychain, offline DNS."""
    keep = ("PATH", "SYSTEMROOT", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        # The resolver hook, the fault keyrings and what they build on (tests/).
        PYTHONPATH=os.pathsep.join(str(path) for path in (OFFLINE_DNS, FAULTS_DIR, TESTS_DIR)),
        PYTHONIOENCODING="utf-8",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    env.update(extra)
    return env


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "inspector", "--debug", *args]


# Re-exported for the fault tests, which take their server parts from here.
__all__ = ["MASK", "RecordedRequest", "Reply", "hang", "json_reply"]
