"""A fake Bitrix24 portal on 127.0.0.1 that answers ``biconnector.source.get`` like a real one.

``b24-inspector --demo`` starts it inside the app so a newcomer can watch the program work
without a Bitrix24 account; the end-to-end tests talk to the same server over a real socket.
Standard library only: no Qt, no httpx.

What it imitates (see the project's Bitrix24 REST facts sheet, §4, §8-§10):

* both credential forms: an inbound webhook ``/rest/<user>/<code>/<method>[.json]`` and an
  OAuth call ``/rest/<method>[.json]`` with ``auth`` in the JSON/form body (or, as real
  portals also allow, in the query string);
* ``biconnector.source.get`` (``{"id": N}`` as JSON or ``id=N`` as a form) and
  ``biconnector.source.list`` (bare array, pages of 50 via ``page``);
* ``biconnector.connector.get`` / ``.list`` for the connectors in ``DEMO_CONNECTORS``
  (one declares a setting its source lacks, one has plain ``http://`` endpoints, one does
  not declare a setting its source has);
* an OAuth token server at ``/oauth/token/`` (``oauth_server_url``): ``grant_type=
  refresh_token`` with ``client_id``/``client_secret``/``refresh_token`` in the query,
  answering like ``oauth.bitrix.info`` and rotating both tokens; ``expire_access_token()``
  makes the current access token answer ``expired_token``, for tests of the renewal;
* a renamed portal: with ``moved_to`` set, every REST request is answered with a 301 to
  the same path on that address;
* the biconnector validation errors in the newest shape (HTTP 200, inside ``result.error``,
  ``time`` still present) or, with ``legacy_errors=True``, the older root-level shape;
* the system errors with their HTTP statuses (401 credentials, 404 unknown method).

Unlike the newest documentation, the demo lets a webhook call ``biconnector.*``: the older
documentation's examples use one, and it is the simplest credential for a first try.

The server never writes to stderr and never prints its webhook code or access token; only
``main()`` prints them, because running it standalone is an explicit request for them.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import hmac
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Final
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = [
    "DEMO_CONNECTORS",
    "DEMO_SOURCES",
    "DEMO_USER_ID",
    "MAX_BODY_BYTES",
    "DemoPortal",
    "RecordedRequest",
    "main",
]

MAX_BODY_BYTES: Final = 64 * 1024
"""Request bodies above this size are refused (413) without being read."""

DEMO_USER_ID: Final = 1
"""The user the demo webhook belongs to (``/rest/1/<code>/``)."""

LIST_PAGE_SIZE: Final = 50
"""``*.list`` methods return fixed pages of 50 (spec §2)."""

HIDDEN: Final = "•••"
"""What replaces a secret in recorded requests."""

_OPERATING_WINDOW_S: Final = 600  # the resource counter spans 10 one-minute buckets (spec §11)
_IDLE_TIMEOUT_S: Final = 30  # a silent keep-alive connection is dropped after this
_DROPPED_HEADERS: Final = frozenset({"authorization", "proxy-authorization", "cookie"})

# Source id -> the ``result.item`` that ``biconnector.source.get`` returns for it.
# Every value that looks like a credential is fake.
DEMO_SOURCES: dict[int, dict[str, Any]] = {
    # Exactly the documentation's example (spec §4.1).
    6: {
        "connection": {
            "id": 6,
            "type": "rest",
            "code": "rest_1",
            "title": "Rest source SQL",
            "description": "Connection for working with mySql",
            "active": True,
            "dateCreate": "2025-03-20 14:50:06",
            "dateUpdate": "2025-03-20 14:50:06",
            "createdById": 1,
            "updatedById": 1,
        },
        "connectorId": 1,
        "settings": [
            {"code": "token", "name": "Token", "type": "STRING", "value": "a1b2c3d4e5", "id": 8},
        ],
    },
    # A PostgreSQL warehouse: several settings, one of type INT, edited by another user.
    7: {
        "connection": {
            "id": 7,
            "type": "rest",
            "code": "rest_2",
            "title": "Sales warehouse (PostgreSQL)",
            "description": "Nightly copy of orders and invoices for the BI Builder dashboards",
            "active": True,
            "dateCreate": "2025-04-02 09:15:41",
            "dateUpdate": "2025-06-18 17:03:12",
            "createdById": 1,
            "updatedById": 12,
        },
        "connectorId": 2,
        "settings": [
            {
                "code": "host",
                "name": "Host",
                "type": "STRING",
                "value": "warehouse.demo.invalid",
                "id": 21,
            },
            {"code": "port", "name": "Port", "type": "INT", "value": "5432", "id": 22},
            {
                "code": "database",
                "name": "Database",
                "type": "STRING",
                "value": "sales_dw",
                "id": 23,
            },
            {"code": "login", "name": "Login", "type": "STRING", "value": "bi_reader", "id": 24},
            {
                "code": "password",
                "name": "Password",
                "type": "STRING",
                "value": "pg-demo-P4ssw0rd!",
                "id": 25,
            },
        ],
    },
    # Switched off in Analytics hub and never edited since: active false, dateUpdate null.
    8: {
        "connection": {
            "id": 8,
            "type": "rest",
            "code": "rest_3",
            "title": "Legacy CRM export",
            "description": (
                "Old CSV bridge, switched off after the move to the sales warehouse. "
                "Kept for reference; it no longer returns data."
            ),
            "active": False,
            "dateCreate": "2024-11-05 08:30:00",
            "dateUpdate": None,
            "createdById": 3,
            "updatedById": 3,
        },
        "connectorId": 3,
        "settings": [
            {"code": "login", "name": "Login", "type": "STRING", "value": "crm-export", "id": 31},
            {
                "code": "password",
                "name": "Password",
                "type": "STRING",
                "value": "demo-Legacy#2024",
                "id": 32,
            },
        ],
    },
    # A portal of another version: the id comes as a string, and both the connection and
    # the item carry keys this program does not know (portals may add keys; spec §2).
    9: {
        "connection": {
            "id": "9",
            "type": "rest",
            "code": "rest_4",
            "title": "Marketing events (ClickHouse)",
            "description": "Web analytics events, refreshed every hour",
            "active": True,
            "dateCreate": "2025-05-11 12:00:27",
            "dateUpdate": "2025-07-01 08:45:10",
            "createdById": 5,
            "updatedById": 5,
            "syncMode": "incremental",
        },
        "connectorId": 4,
        "settings": [
            {
                "code": "url",
                "name": "Server URL",
                "type": "STRING",
                "value": "https://clickhouse.demo.invalid:8443",
                "id": 41,
            },
            {"code": "user", "name": "User", "type": "STRING", "value": "bi_demo", "id": 42},
            {
                "code": "apiKey",
                "name": "API key",
                "type": "STRING",
                "value": "demo-ck-7f3e9a1c0b5d",
                "id": 43,
            },
            {"code": "timeout", "name": "Timeout, s", "type": "INT", "value": "30", "id": 44},
        ],
        "tableCount": 4,
    },
    # Non-ASCII text, an empty description and a connector that declares no parameters.
    10: {
        "connection": {
            "id": 10,
            "type": "rest",
            "code": "rest_5",
            "title": "Отчёт по звонкам — телефония",
            "description": "",
            "active": True,
            "dateCreate": "2025-08-14 10:20:30",
            "dateUpdate": "2025-08-14 10:20:30",
            "createdById": 1,
            "updatedById": 1,
        },
        "connectorId": 5,
        "settings": [],
    },
}

# Connector id -> the ``result.item`` of ``biconnector.connector.get`` (spec §6.1, §6.2).
DEMO_CONNECTORS: dict[int, dict[str, Any]] = {
    # The shape of the documentation's example: one STRING parameter "token".
    1: {
        "id": 1,
        "title": "Rest connector SQL",
        "dateCreate": "2025-03-20 14:45:00",
        "logo": "data:image/svg+xml;base64,PHN2Zy8+",
        "description": "Connector for working with mySql",
        "sort": 100,
        "urlCheck": "https://connector.demo.invalid/check",
        "urlTableList": "https://connector.demo.invalid/table_list",
        "urlTableDescription": "https://connector.demo.invalid/table_description",
        "urlData": "https://connector.demo.invalid/data",
        "settings": [{"name": "Token", "type": "STRING", "code": "token"}],
    },
    # Declares "sslmode", which source 7 does not have.
    2: {
        "id": 2,
        "title": "PostgreSQL warehouse",
        "dateCreate": "2025-04-01 10:00:00",
        "logo": "data:image/svg+xml;base64,PHN2Zy8+",
        "description": "Reads tables of a PostgreSQL database",
        "sort": 200,
        "urlCheck": "https://pg-bridge.demo.invalid/check",
        "urlTableList": "https://pg-bridge.demo.invalid/tables",
        "urlTableDescription": "https://pg-bridge.demo.invalid/describe",
        "urlData": "https://pg-bridge.demo.invalid/data",
        "settings": [
            {"name": "Server host name", "type": "STRING", "code": "host"},
            {"name": "Server port", "type": "INT", "code": "port"},
            {"name": "Database name", "type": "STRING", "code": "database"},
            {"name": "User name", "type": "STRING", "code": "login"},
            {"name": "Password", "type": "STRING", "code": "password"},
            {"name": "SSL mode", "type": "STRING", "code": "sslmode"},
        ],
    },
    # An old bridge on plain http://: Bitrix24 would send the login and password unencrypted.
    3: {
        "id": 3,
        "title": "CSV bridge (legacy)",
        "dateCreate": "2024-11-01 08:00:00",
        "logo": "data:image/svg+xml;base64,PHN2Zy8+",
        "description": "",
        "sort": 300,
        "urlCheck": "http://csv-bridge.demo.invalid/check",
        "urlTableList": "http://csv-bridge.demo.invalid/tables",
        "urlTableDescription": "http://csv-bridge.demo.invalid/describe",
        "urlData": "http://csv-bridge.demo.invalid/data",
        "settings": [
            {"name": "Login", "type": "STRING", "code": "login"},
            {"name": "Password", "type": "STRING", "code": "password"},
        ],
    },
    # Does not declare "timeout", which source 9 has.
    4: {
        "id": 4,
        "title": "ClickHouse events",
        "dateCreate": "2025-05-10 09:00:00",
        "logo": "data:image/svg+xml;base64,PHN2Zy8+",
        "description": "Web analytics events from ClickHouse",
        "sort": 400,
        "urlCheck": "https://ch-bridge.demo.invalid/check",
        "urlTableList": "https://ch-bridge.demo.invalid/tables",
        "urlTableDescription": "https://ch-bridge.demo.invalid/describe",
        "urlData": "https://ch-bridge.demo.invalid/data",
        "settings": [
            {"name": "ClickHouse URL", "type": "STRING", "code": "url"},
            {"name": "User name", "type": "STRING", "code": "user"},
            {"name": "API key", "type": "STRING", "code": "apiKey"},
        ],
    },
    # Declares no parameters.
    5: {
        "id": 5,
        "title": "Telephony reports",
        "dateCreate": "2025-08-14 10:00:00",
        "logo": "data:image/svg+xml;base64,PHN2Zy8+",
        "description": "Call statistics",
        "sort": 500,
        "urlCheck": "https://tel-bridge.demo.invalid/check",
        "urlTableList": "https://tel-bridge.demo.invalid/tables",
        "urlTableDescription": "https://tel-bridge.demo.invalid/describe",
        "urlData": "https://tel-bridge.demo.invalid/data",
        "settings": [],
    },
}

DEMO_CLIENT_ID: Final = "local.demo0000000000001.00000001"
"""The demo application's client ID (not a secret, like a real one)."""

_TOKEN_PATH = re.compile(r"/oauth/token/?")
_TOKEN_LIFETIME_S: Final = 3600
_QUERY_SECRETS = re.compile(r"(?i)(^|&)(auth|client_secret|refresh_token|access_token)=[^&]*")

# Webhook form: /rest/<user>/<code>/<method>; OAuth form: /rest/<method>.
_WEBHOOK_PATH = re.compile(r"/rest/(?P<user>[^/]*)/(?P<code>[^/]*)/(?P<method>[^/]*)/?")
_OAUTH_PATH = re.compile(r"/rest/(?P<method>[^/]*)/?")
_POSITIVE_DIGITS = re.compile(r"[0-9]+")

_Json = dict[str, Any]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the demo portal received it, with every credential removed."""

    method: str
    """HTTP method, e.g. ``"POST"``."""
    path: str
    """Path and query; a webhook code and any ``auth`` query value are replaced by ``•••``."""
    headers: Mapping[str, str]
    """Header names in lower case, without ``Authorization``/``Cookie``."""
    body: Mapping[str, Any] | None
    """The parsed body without ``auth``; ``None`` when there was none or it was not parsed."""
    body_format: str
    """``"json"``, ``"form"``, ``"empty"``, ``"invalid"`` (400) or ``"ignored"`` (other type)."""
    api_method: str | None
    """The REST method named in the path (lower case, no ``.json``), if any."""
    status: int
    """The HTTP status the portal answered with."""
    received_at: float = field(default=0.0, compare=False)


@dataclass
class _Reply:
    status: int
    payload: _Json
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False


class _ClientError(Exception):
    """Ends a request early with a given reply."""

    def __init__(self, reply: _Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


def _system_error(status: int, code: str, description: str, *, close: bool = False) -> _Reply:
    return _Reply(status, {"error": code, "error_description": description}, close=close)


class DemoPortal:
    """A Bitrix24-like portal serving ``DEMO_SOURCES`` on ``127.0.0.1`` from a daemon thread.

    ``latency`` delays every answer by that many seconds; ``legacy_errors`` switches the
    biconnector validation and not-found errors to the older root-level shape. ``sources``
    and ``connectors`` replace ``DEMO_SOURCES`` / ``DEMO_CONNECTORS`` (e.g. 120 sources for
    a paging test). ``moved_to`` (a base URL) makes every REST request answer 301 there.

    OAuth: ``access_token`` is valid until ``expire_access_token()`` or a refresh;
    ``client_id``, ``client_secret`` and ``refresh_token`` renew it at
    ``oauth_server_url``; each refresh rotates both tokens (the old refresh token then gets
    ``invalid_grant``). ``token_refreshes`` counts the successful ones.
    """

    SOURCE_IDS: Final[tuple[int, ...]] = tuple(sorted(DEMO_SOURCES))

    def __init__(
        self,
        *,
        latency: float = 0.0,
        legacy_errors: bool = False,
        port: int = 0,
        sources: Mapping[int, dict[str, Any]] | None = None,
        connectors: Mapping[int, dict[str, Any]] | None = None,
        moved_to: str | None = None,
    ) -> None:
        if latency < 0:
            raise ValueError("latency must not be negative")
        self.latency = latency
        self.legacy_errors = legacy_errors
        self.moved_to = moved_to
        self._port = port
        self._sources = dict(DEMO_SOURCES if sources is None else sources)
        self._source_ids = tuple(sorted(self._sources))
        self._connectors = dict(DEMO_CONNECTORS if connectors is None else connectors)
        self._code = secrets.token_urlsafe(16)
        self._access_token = secrets.token_urlsafe(24)
        self.client_id: Final[str] = DEMO_CLIENT_ID
        self.client_secret: Final[str] = secrets.token_urlsafe(24)
        self._refresh_token = secrets.token_urlsafe(24)
        self._issued: set[str] = {self._access_token, self._refresh_token}
        self.token_refreshes = 0
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._operating: dict[str, list[tuple[float, float]]] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def __repr__(self) -> str:  # never show the code or the token
        state = f"url={self.base_url!r}" if self._server is not None else "stopped"
        return f"<DemoPortal {state}>"

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> DemoPortal:
        """Bind ``127.0.0.1`` (a free port unless one was given) and serve; idempotent."""
        with self._lock:
            if self._server is not None:
                return self
            self._stopping.clear()
            server = _Server(("127.0.0.1", self._port), _Handler, self)
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="b24-demo-portal",
                daemon=True,
            )
            thread.start()
            self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving, drop open connections and release the port; idempotent."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()  # requests still in progress end without an answer
        self._stopping.set()  # and those sleeping in the artificial latency wake up
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> DemoPortal:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        server = self._server
        if server is None:
            raise RuntimeError("the demo portal is not running; call start() first")
        return int(server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``; only while running."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        """The demo's webhook credential, ``<base_url>/rest/1/<code>/``. It holds a secret."""
        return f"{self.base_url}/rest/{DEMO_USER_ID}/{self._code}/"

    @property
    def oauth_endpoint(self) -> str:
        """The ``client_endpoint`` an OAuth app would use: ``<base_url>/rest/``."""
        return f"{self.base_url}/rest/"

    @property
    def oauth_server_url(self) -> str:
        """The demo's token server, ``<base_url>/oauth/token/``."""
        return f"{self.base_url}/oauth/token/"

    @property
    def access_token(self) -> str:
        """The access token that works now. It holds a secret."""
        with self._lock:
            return self._access_token

    @property
    def refresh_token(self) -> str:
        """The refresh token that works now (the last one issued). It holds a secret."""
        with self._lock:
            return self._refresh_token

    def expire_access_token(self) -> None:
        """Make the current access token answer ``expired_token`` from now on."""
        with self._lock:
            self._access_token = secrets.token_urlsafe(24)
            self._issued.add(self._access_token)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the requests received so far, oldest first, without credentials."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # ----------------------------------------------------------------- request handling

    def _handle(
        self, http_method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> _Reply:
        """Answer one request; called from a server thread. Records it before returning."""
        received = time.time()
        started = time.perf_counter()
        split = urlsplit(target)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        body_format, body_params = "empty", None
        api_method: str | None = None
        if self.latency:
            self._stopping.wait(self.latency)  # returns at once when stop() is called
        try:
            if http_method not in ("GET", "POST"):
                body_format = "ignored" if body else "empty"
                raise _ClientError(
                    _Reply(
                        HTTPStatus.METHOD_NOT_ALLOWED,
                        {
                            "error": "METHOD_NOT_ALLOWED",
                            "error_description": "Only GET and POST are supported.",
                        },
                        headers={"Allow": "GET, POST"},
                    )
                )
            body_format, body_params = _parse_body(headers.get("content-type", ""), body)
            if body_format == "invalid":
                raise _ClientError(
                    _system_error(400, "INVALID_JSON", "The request body is not a JSON object.")
                )
            params: dict[str, Any] = {**query, **(body_params or {})}
            if _TOKEN_PATH.fullmatch(split.path):
                raise _ClientError(self._token(params, received))
            if self.moved_to and split.path.startswith("/rest/"):
                # A renamed portal: the same path and query on the new address.
                raise _ClientError(
                    _Reply(
                        301,
                        {"error": "MOVED", "error_description": "The portal has moved."},
                        headers={"Location": self.moved_to.rstrip("/") + target},
                    )
                )
            api_method = self._authenticate(split.path, params)
            reply = self._call(api_method, params, received, started)
        except _ClientError as exc:
            reply = exc.reply
        self._record(
            RecordedRequest(
                method=http_method,
                path=self._scrub_target(split.path, split.query),
                headers={
                    name: self._scrub(value)
                    for name, value in headers.items()
                    if name not in _DROPPED_HEADERS
                },
                body=self._scrub_body(body_params),
                body_format=body_format,
                api_method=api_method,
                status=int(reply.status),
                received_at=received,
            )
        )
        return reply

    def _authenticate(self, path: str, params: Mapping[str, Any]) -> str:
        """Check the credential in the path or the params; return the REST method name."""
        if m := _WEBHOOK_PATH.fullmatch(path):
            user, code = unquote(m["user"]), unquote(m["code"])
            good = hmac.compare_digest(user.encode(), str(DEMO_USER_ID).encode())
            good &= hmac.compare_digest(code.encode(), self._code.encode())
            if not good:
                raise _ClientError(
                    _system_error(401, "INVALID_CREDENTIALS", "Invalid request credentials")
                )
            return _method_name(m["method"])
        if m := _OAUTH_PATH.fullmatch(path):
            token = params.get("auth")
            if token is None or token == "":
                raise _ClientError(_system_error(401, "NO_AUTH_FOUND", "Wrong authorization data"))
            if not isinstance(token, str) or not hmac.compare_digest(
                token.encode("utf-8", "replace"), self.access_token.encode()
            ):
                raise _ClientError(
                    _system_error(401, "expired_token", "The access token provided has expired.")
                )
            return _method_name(m["method"])
        if path.startswith("/rest/") or path == "/rest":
            raise _ClientError(_system_error(404, "ERROR_METHOD_NOT_FOUND", "Method not found!"))
        raise _ClientError(_system_error(404, "NOT_FOUND", "Not found"))

    def _call(
        self, api_method: str, params: Mapping[str, Any], received: float, started: float
    ) -> _Reply:
        result: _Json | list[_Json] | _BiconnectorError
        if api_method == "biconnector.source.get":
            result = self._source_get(params)
        elif api_method == "biconnector.source.list":
            result = self._source_list(params)
        elif api_method == "biconnector.connector.get":
            result = self._connector_get(params)
        elif api_method == "biconnector.connector.list":
            result = self._connector_list(params)
        else:
            raise _ClientError(_system_error(404, "ERROR_METHOD_NOT_FOUND", "Method not found!"))
        if isinstance(result, _BiconnectorError):
            if self.legacy_errors:
                return _system_error(200, result.code, result.description)
            result_value: Any = {
                "error": {"error": result.code, "error_description": result.description}
            }
        else:
            result_value = result
        return _Reply(
            200, {"result": result_value, "time": self._time_block(api_method, received, started)}
        )

    def _source_get(self, params: Mapping[str, Any]) -> _Json | _BiconnectorError:
        raw = params.get("id")
        if raw is None or raw == "":
            return _BiconnectorError("VALIDATION_ID_NOT_PROVIDED", "ID is missing.")
        source_id = _positive_int(raw)
        if source_id is None:
            return _BiconnectorError(
                "VALIDATION_INVALID_ID_FORMAT", "ID has to be a positive integer."
            )
        item = self._sources.get(source_id)
        if item is None:
            return _BiconnectorError("SOURCE_NOT_FOUND", "Source was not found.")
        return {"item": copy.deepcopy(item)}

    def _source_list(self, params: Mapping[str, Any]) -> list[_Json]:
        # Only ``page`` is honoured; ``select``/``filter``/``order`` are accepted and ignored.
        page = _positive_int(params.get("page", 1)) or 1  # junk, 0 or negative mean page 1
        flat = [_flatten(self._sources[i]) for i in self._source_ids]
        start = (page - 1) * LIST_PAGE_SIZE
        return flat[start : start + LIST_PAGE_SIZE]

    def _connector_get(self, params: Mapping[str, Any]) -> _Json | _BiconnectorError:
        raw = params.get("id")
        if raw is None or raw == "":
            return _BiconnectorError("VALIDATION_ID_NOT_PROVIDED", "ID is missing.")
        connector_id = _positive_int(raw)
        if connector_id is None:
            return _BiconnectorError(
                "VALIDATION_INVALID_ID_FORMAT", "ID has to be a positive integer."
            )
        item = self._connectors.get(connector_id)
        if item is None:
            return _BiconnectorError("CONNECTOR_NOT_FOUND", "Connector was not found.")
        return {"item": copy.deepcopy(item)}

    def _connector_list(self, params: Mapping[str, Any]) -> list[_Json]:
        page = _positive_int(params.get("page", 1)) or 1
        items = [copy.deepcopy(self._connectors[i]) for i in sorted(self._connectors)]
        start = (page - 1) * LIST_PAGE_SIZE
        return items[start : start + LIST_PAGE_SIZE]

    def _token(self, params: Mapping[str, Any], received: float) -> _Reply:
        """The OAuth server's ``refresh_token`` grant, as ``oauth.bitrix.info`` answers it."""
        if params.get("grant_type") != "refresh_token":
            return _system_error(400, "invalid_request", "Unsupported or missing grant_type.")
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        refresh = params.get("refresh_token")
        if not all(isinstance(v, str) and v for v in (client_id, client_secret, refresh)):
            return _system_error(400, "invalid_request", "Required parameters are missing.")
        assert isinstance(client_id, str) and isinstance(client_secret, str)
        assert isinstance(refresh, str)
        good_client = hmac.compare_digest(client_id.encode(), self.client_id.encode())
        good_client &= hmac.compare_digest(client_secret.encode(), self.client_secret.encode())
        if not good_client:
            return _system_error(401, "invalid_client", "Invalid client credentials.")
        with self._lock:
            if not hmac.compare_digest(refresh.encode(), self._refresh_token.encode()):
                return _system_error(400, "invalid_grant", "Invalid grant.")
            self._access_token = secrets.token_urlsafe(24)
            self._refresh_token = secrets.token_urlsafe(24)
            self._issued.update((self._access_token, self._refresh_token))
            self.token_refreshes += 1
            access, new_refresh = self._access_token, self._refresh_token
        base = self.base_url
        return _Reply(
            200,
            {
                "access_token": access,
                "expires": int(received) + _TOKEN_LIFETIME_S,
                "expires_in": _TOKEN_LIFETIME_S,
                "scope": "biconnector",
                "domain": "oauth.bitrix.info",
                "server_endpoint": f"{base}/rest/",
                "status": "L",
                "client_endpoint": f"{base}/rest/",
                "member_id": "0123456789abcdef0123456789abcdef",
                "user_id": DEMO_USER_ID,
                "refresh_token": new_refresh,
            },
        )

    def _time_block(self, api_method: str, received: float, started: float) -> _Json:
        processing = time.perf_counter() - started
        finish = max(time.time(), received + processing)
        with self._lock:
            calls = [
                c
                for c in self._operating.get(api_method, [])
                if c[0] > finish - _OPERATING_WINDOW_S
            ]
            calls.append((received, processing))
            self._operating[api_method] = calls
            operating = sum(p for _, p in calls)
            oldest = calls[0][0]
        return {
            "start": received,
            "finish": finish,
            "duration": finish - received,
            "processing": processing,
            "date_start": _iso(received),
            "date_finish": _iso(finish),
            "operating": operating,
            "operating_reset_at": int(oldest) + _OPERATING_WINDOW_S,
        }

    # ----------------------------------------------------------------- recording

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _scrub(self, text: str) -> str:
        with self._lock:
            known = (self._code, self.client_secret, *self._issued)
        for secret in known:
            text = text.replace(secret, HIDDEN)
        return text

    def _scrub_target(self, path: str, query: str) -> str:
        if m := _WEBHOOK_PATH.fullmatch(path):
            path = f"{path[: m.start('code')]}{HIDDEN}{path[m.end('code') :]}"
        if query:
            query = _QUERY_SECRETS.sub(rf"\g<1>\g<2>={HIDDEN}", query)
            path = f"{path}?{query}"
        return self._scrub(path)

    def _scrub_body(self, body: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        if body is None:
            return None

        def walk(value: Any) -> Any:
            if isinstance(value, str):
                return self._scrub(value)
            if isinstance(value, dict):
                return {self._scrub(str(k)): walk(v) for k, v in value.items()}
            if isinstance(value, list):
                return [walk(v) for v in value]
            return value

        hidden = {"auth", "client_secret", "refresh_token", "access_token"}
        return {k: walk(v) for k, v in body.items() if k not in hidden}


@dataclass(frozen=True)
class _BiconnectorError:
    code: str
    description: str


def _method_name(segment: str) -> str:
    name = unquote(segment).lower()
    return name.removesuffix(".json")


def _positive_int(value: Any) -> int | None:
    """The id as PHP's REST layer would accept it: a positive int or a string of digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _POSITIVE_DIGITS.fullmatch(value):
        try:
            number = int(value)
        except ValueError:  # more digits than int() accepts
            return None
    else:
        return None
    return number if number > 0 else None


def _flatten(item: Mapping[str, Any]) -> _Json:
    """The ``source.list`` shape: connection fields flat, plus the item's other keys."""
    flat = dict(copy.deepcopy(item["connection"]))
    flat.update(copy.deepcopy({k: v for k, v in item.items() if k != "connection"}))
    return flat


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def _parse_body(content_type: str, body: bytes) -> tuple[str, _Json | None]:
    """Parse a JSON or form body like PHP's REST layer; other types are not read.

    Returns the format (``json``, ``form``, ``empty``, ``ignored`` or ``invalid``) and the params.
    """
    if not body:
        return "empty", None
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/json":
        try:
            parsed = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            parsed = None
        if not isinstance(parsed, dict):
            return "invalid", None
        return "json", parsed
    if media_type == "application/x-www-form-urlencoded":
        text = body.decode("utf-8", errors="replace")
        return "form", dict(parse_qsl(text, keep_blank_values=True))
    return "ignored", None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], portal: DemoPortal
    ) -> None:
        self.portal = portal
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

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

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay silent: a client that hangs up mid-reply is not worth a traceback."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
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
        reply = self.server.portal._handle(self.command, self.path, headers, body)
        self._send(reply)

    def _read_body(self, headers: Mapping[str, str]) -> bytes | None:
        """Read the body within the cap; on a problem answer and return None."""
        if "transfer-encoding" in headers:
            self._send(
                _system_error(
                    411, "LENGTH_REQUIRED", "Send the body with a Content-Length.", close=True
                )
            )
            return None
        raw_length = headers.get("content-length", "0").strip() or "0"
        if not raw_length.isascii() or not raw_length.isdigit():
            self._send(_system_error(400, "BAD_REQUEST", "Invalid Content-Length.", close=True))
            return None
        length = int(raw_length)
        if length > MAX_BODY_BYTES:
            self._send(
                _system_error(
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
        self._send(_system_error(code, f"HTTP_{code}", phrase, close=True))

    def _send(self, reply: _Reply) -> None:
        data = json.dumps(reply.payload).encode("utf-8")
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
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


def main(argv: list[str] | None = None) -> int:
    """Run the demo portal in the foreground until Ctrl+C."""
    parser = argparse.ArgumentParser(
        prog="python -m inspector.demo.portal",
        description="Serve the built-in Bitrix24 demo portal on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument("--latency", type=float, default=0.0, help="delay per request, seconds")
    parser.add_argument(
        "--legacy-errors", action="store_true", help="answer errors in the older root-level shape"
    )
    args = parser.parse_args(argv)
    portal = DemoPortal(latency=args.latency, legacy_errors=args.legacy_errors, port=args.port)
    with portal:
        # Printing the demo credentials is deliberate and happens only here: whoever runs the
        # portal standalone asked for them, and they open nothing but this throw-away server.
        print(f"Demo portal:  {portal.base_url}")
        print(f"Webhook URL:  {portal.webhook_url}")
        print(f"OAuth token:  {portal.access_token}  (POST {portal.oauth_endpoint}<method>)")
        print(f"OAuth server: {portal.oauth_server_url}")
        print(f"Client ID:    {portal.client_id}")
        print(f"Client secret: {portal.client_secret}")
        print(f"Refresh token: {portal.refresh_token}")
        print(f"Source ids:   {', '.join(map(str, DemoPortal.SOURCE_IDS))}")
        print("Press Ctrl+C to stop.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
