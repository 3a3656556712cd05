"""A demo BI connector on 127.0.0.1: the four endpoints Bitrix24 calls, right and wrong.

The endpoint check (``core.endpoint_check``) needs something to check on the demo, and a
newcomer should see both outcomes. This server answers ``urlCheck``, ``urlTableList``,
``urlTableDescription`` and ``urlData`` (spec §6.3) under one path per scenario:

    /ok/...            every endpoint answers as the documentation requires
    /empty-check/...   urlCheck answers HTTP 200 with an empty body
    /wrong-shape/...   urlTableList answers {"tables": [...]} instead of an array
    /unknown-type/...  urlTableDescription declares a "boolean" column (taken as string)
    /ragged/...        urlData has a row shorter than the header
    /slow/...          urlCheck takes ``slow_seconds`` to answer
    /redirect/...      urlCheck answers 302 to another host
    /html-error/...    urlTableDescription answers 502 with a proxy's HTML error page

Every endpoint wants the source's settings as ``connection[<code>]`` form fields and
answers 401 when ``connection[apiKey]`` is missing, as a real connector would. The demo
sources (``data``) point at ``DEMO_CONNECTOR_ORIGIN``, which the portal replaces with this
server's address when both start. Standard library only; it never logs (the forms carry
the settings). ``requests`` keeps what was received, for the tests.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

from .data import DEMO_CONNECTOR_ORIGIN
from .http_server import Reply, Server

SCENARIOS: Final = (
    "ok",
    "empty-check",
    "wrong-shape",
    "unknown-type",
    "ragged",
    "slow",
    "redirect",
    "html-error",
)

_TABLES: Final = [
    {"code": "orders", "title": "Orders", "id": 1},
    {"code": "customers", "title": "Customers", "id": 2},
]
_COLUMNS: Final = [
    {"code": "id", "name": "Order ID", "type": "int"},
    {"code": "created", "name": "Created", "type": "datetime"},
    {"code": "customer", "name": "Customer", "type": "string"},
    {"code": "region", "name": "Region", "type": "string"},
    {"code": "total", "name": "Total", "type": "money"},
]
_ROWS: Final[list[list[Any]]] = [
    ["id", "created", "customer", "region", "total"],
    [1001, "2025-09-01 10:15:00", "Northwind LLC", "North", "1250.00"],
    [1002, "2025-09-01 11:40:00", "Contoso Retail", "West", "89.90"],
    [1003, "2025-09-02 09:05:00", "Fabrikam Ltd", "South", "4300.50"],
    [1004, "2025-09-03 16:20:00", "Ромашка ООО", "East", "560.00"],
    [1005, "2025-09-04 08:00:00", "Tailspin Toys", "North", "77.25"],
]
_HTML_ERROR: Final = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


@dataclass(frozen=True)
class ConnectorRequest:
    """One request the demo connector received: scenario, endpoint and form (in memory)."""

    scenario: str
    endpoint: str
    form: dict[str, str]


class DemoConnector:
    """The demo connector's HTTP server on ``127.0.0.1`` (a free port), on daemon threads."""

    def __init__(self, *, slow_seconds: float = 8.0) -> None:
        self.slow_seconds = slow_seconds
        self._server: Server | None = None
        self._lock = threading.Lock()
        self._requests: list[ConnectorRequest] = []
        self._stopping = threading.Event()

    def __repr__(self) -> str:
        return "<DemoConnector running>" if self._server else "<DemoConnector stopped>"

    def start(self) -> DemoConnector:
        with self._lock:
            if self._server is None:
                self._stopping.clear()
                self._server = Server(("127.0.0.1", 0), self._handle)
                self._server.serve_in_background("b24-demo-connector")
        return self

    def stop(self) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # a slow answer in progress ends now
        server.stop()

    def __enter__(self) -> DemoConnector:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        server = self._server
        if server is None:
            raise RuntimeError("the demo connector is not running; call start() first")
        return f"http://127.0.0.1:{server.server_address[1]}"

    @property
    def requests(self) -> list[ConnectorRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def resolve(self, connectors: Mapping[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
        """*connectors* with ``DEMO_CONNECTOR_ORIGIN`` in their URLs replaced by this server."""
        base = self.base_url
        return {
            key: {
                name: value.replace(DEMO_CONNECTOR_ORIGIN, base)
                if isinstance(value, str) and name.startswith("url")
                else value
                for name, value in item.items()
            }
            for key, item in connectors.items()
        }

    def _handle(
        self, http_method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Reply:
        path = urlsplit(target).path.strip("/").split("/")
        scenario, endpoint = [*path, "", ""][:2]
        form = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        with self._lock:
            self._requests.append(ConnectorRequest(scenario, endpoint, form))
        if http_method != "POST" or scenario not in SCENARIOS:
            return Reply(404, {"error": "NOT_FOUND"})
        if not form.get("connection[apiKey]"):
            return Reply(401, {"error": "connection[apiKey] is missing or empty"})
        return _answer(scenario, endpoint, form, self._stopping, self.slow_seconds)


def _json(value: Any) -> Reply:
    """A JSON reply whose body is any JSON value (``Reply.payload`` is an object)."""
    return Reply(200, {}, raw=json.dumps(value, ensure_ascii=False).encode("utf-8"))


def _answer(
    scenario: str,
    endpoint: str,
    form: Mapping[str, str],
    stopping: threading.Event,
    slow_seconds: float,
) -> Reply:
    if endpoint == "check":
        if scenario == "empty-check":
            return Reply(200, {}, raw=b"", content_type="text/plain")
        if scenario == "redirect":
            return Reply(
                302,
                {},
                headers={"Location": "https://bi-connector.demo.invalid/v2/check"},
                raw=b"",
                content_type="text/plain",
            )
        if scenario == "slow":
            stopping.wait(slow_seconds)
        return _json({"status": "ok", "version": "1.4.2"})
    if endpoint == "tables":
        if scenario == "wrong-shape":
            return _json({"tables": _TABLES})
        return _json(_TABLES)
    if endpoint == "describe":
        if scenario == "html-error":
            return Reply(502, {}, raw=_HTML_ERROR, content_type="text/html")
        if scenario == "unknown-type":
            return _json([*_COLUMNS, {"code": "paid", "name": "Paid", "type": "boolean"}])
        return _json(_COLUMNS)
    if endpoint == "data":
        limit = int(form.get("limit", "0") or 0) or len(_ROWS)
        rows = [list(row) for row in _ROWS[: limit + 1]]
        if scenario == "ragged":
            rows[2] = rows[2][:3]
        if scenario == "unknown-type":
            rows = [[*row, "paid" if i == 0 else "Y"] for i, row in enumerate(rows)]
        return _json(rows)
    return Reply(404, {"error": "NOT_FOUND"})
