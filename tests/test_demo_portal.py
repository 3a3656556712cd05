"""The built-in demo portal, exercised over a real socket."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from doc_example import source_get_example_item

from inspector.demo import DEMO_SOURCES, DemoPortal
from inspector.demo.http_server import MAX_BODY_BYTES, Reply, Server

GET = "biconnector.source.get"
LIST = "biconnector.source.list"

# The documentation's example (spec §4.1), kept apart from the portal's data in tests/data/.
DOC_EXAMPLE_ITEM: dict[str, Any] = source_get_example_item()

TIME_KEYS = {
    "start",
    "finish",
    "duration",
    "processing",
    "date_start",
    "date_finish",
    "operating",
    "operating_reset_at",
}


@pytest.fixture(scope="module")
def portal() -> Iterator[DemoPortal]:
    with DemoPortal() as p:
        yield p


@pytest.fixture(scope="module")
def legacy_portal() -> Iterator[DemoPortal]:
    with DemoPortal(legacy_errors=True) as p:
        yield p


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as c:
        yield c


def webhook_get(client: httpx.Client, portal: DemoPortal, body: Any, suffix: str = "") -> Any:
    response = client.post(f"{portal.webhook_url}{GET}{suffix}", json=body)
    assert response.status_code == 200
    return response.json()


def assert_time_block(payload: dict[str, Any]) -> None:
    t = payload["time"]
    assert set(t) == TIME_KEYS
    assert t["start"] <= t["finish"]
    assert t["duration"] == pytest.approx(t["finish"] - t["start"])
    assert 0 <= t["processing"] <= t["duration"] + 1e-6
    assert abs(t["start"] - time.time()) < 60
    iso = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"
    assert re.fullmatch(iso, t["date_start"]) and re.fullmatch(iso, t["date_finish"])
    assert t["operating"] >= t["processing"]
    assert isinstance(t["operating_reset_at"], int) and t["operating_reset_at"] > t["start"]


# ------------------------------------------------------------------ data


def test_source_6_is_the_documentation_example(portal: DemoPortal, client: httpx.Client) -> None:
    assert DEMO_SOURCES[6] == DOC_EXAMPLE_ITEM
    payload = webhook_get(client, portal, {"id": 6})
    assert payload["result"] == {"item": DOC_EXAMPLE_ITEM}
    assert_time_block(payload)


@pytest.mark.parametrize("source_id", DemoPortal.SOURCE_IDS)
def test_every_source(portal: DemoPortal, client: httpx.Client, source_id: int) -> None:
    payload = webhook_get(client, portal, {"id": source_id})
    assert payload["result"] == {"item": DEMO_SOURCES[source_id]}
    assert_time_block(payload)


def test_demo_data_covers_the_interesting_cases() -> None:
    assert tuple(sorted(DEMO_SOURCES)) == DemoPortal.SOURCE_IDS
    assert {6, 7, 8, 9} <= set(DEMO_SOURCES)
    pg = {s["code"]: s for s in DEMO_SOURCES[7]["settings"]}
    assert {"host", "port", "database", "login", "password"} <= set(pg)
    assert pg["port"]["type"] == "INT"
    inactive = DEMO_SOURCES[8]["connection"]
    assert inactive["active"] is False and inactive["dateUpdate"] is None
    assert inactive["description"]
    odd = DEMO_SOURCES[9]
    assert odd["connection"]["id"] == "9"
    assert set(odd) - {"connection", "connectorId", "settings"}
    assert set(odd["connection"]) - set(DOC_EXAMPLE_ITEM["connection"])
    for item in DEMO_SOURCES.values():
        for setting in item["settings"]:
            assert set(setting) == {"code", "name", "type", "value", "id"}
            assert setting["type"] in {"STRING", "INT"}
            assert isinstance(setting["value"], str)


def test_served_data_cannot_change_the_module_data(
    portal: DemoPortal, client: httpx.Client
) -> None:
    before = json.dumps(DEMO_SOURCES, sort_keys=True)
    for source_id in DemoPortal.SOURCE_IDS:
        webhook_get(client, portal, {"id": source_id})
    assert json.dumps(DEMO_SOURCES, sort_keys=True) == before


# ------------------------------------------------------------------ URL forms and credentials


@pytest.mark.parametrize("suffix", ["", ".json", ".JSON"])
def test_webhook_url_forms(portal: DemoPortal, client: httpx.Client, suffix: str) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/rest/1/[A-Za-z0-9_-]{16,}/", portal.webhook_url)
    payload = webhook_get(client, portal, {"id": 7}, suffix)
    assert payload["result"]["item"] == DEMO_SOURCES[7]


@pytest.mark.parametrize("suffix", ["", ".json"])
def test_oauth_token_in_json_body(portal: DemoPortal, client: httpx.Client, suffix: str) -> None:
    response = client.post(
        f"{portal.base_url}/rest/{GET}{suffix}", json={"id": 8, "auth": portal.access_token}
    )
    assert response.status_code == 200
    assert response.json()["result"]["item"] == DEMO_SOURCES[8]


def test_oauth_token_in_query_string(portal: DemoPortal, client: httpx.Client) -> None:
    response = client.post(
        f"{portal.base_url}/rest/{GET}", params={"auth": portal.access_token}, json={"id": 6}
    )
    assert response.json()["result"]["item"] == DOC_EXAMPLE_ITEM


def test_form_encoded_body_like_php(portal: DemoPortal, client: httpx.Client) -> None:
    response = client.post(f"{portal.webhook_url}{GET}", data={"id": "9"})
    assert response.json()["result"]["item"] == DEMO_SOURCES[9]
    response = client.post(
        f"{portal.base_url}/rest/{GET}", data={"id": "6", "auth": portal.access_token}
    )
    assert response.json()["result"]["item"] == DOC_EXAMPLE_ITEM


def test_get_with_query_parameters(portal: DemoPortal, client: httpx.Client) -> None:
    response = client.get(f"{portal.webhook_url}{GET}", params={"id": 6})
    assert response.json()["result"]["item"] == DOC_EXAMPLE_ITEM


def test_credentials_differ_per_instance() -> None:
    a, b = DemoPortal(), DemoPortal()
    assert a.access_token != b.access_token
    assert a._code != b._code
    with pytest.raises(RuntimeError):
        _ = a.webhook_url  # not running yet


@pytest.mark.parametrize(
    ("make_url", "body", "status", "code", "description"),
    [
        (
            lambda p: f"{p.base_url}/rest/1/wrong-code/{GET}",
            {"id": 6},
            401,
            "INVALID_CREDENTIALS",
            "Invalid request credentials",
        ),
        (
            lambda p: p.webhook_url.replace("/rest/1/", "/rest/2/") + GET,
            {"id": 6},
            401,
            "INVALID_CREDENTIALS",
            "Invalid request credentials",
        ),
        (
            lambda p: f"{p.base_url}/rest/{GET}",
            {"id": 6},
            401,
            "NO_AUTH_FOUND",
            "Wrong authorization data",
        ),
        (
            lambda p: f"{p.base_url}/rest/{GET}",
            {"id": 6, "auth": "not-the-token"},
            401,
            "expired_token",
            "The access token provided has expired.",
        ),
        (
            lambda p: f"{p.webhook_url}biconnector.source.fetch",
            {"id": 6},
            404,
            "ERROR_METHOD_NOT_FOUND",
            "Method not found!",
        ),
        (
            lambda p: f"{p.webhook_url}",
            {"id": 6},
            404,
            "ERROR_METHOD_NOT_FOUND",
            "Method not found!",
        ),
    ],
    ids=["wrong-code", "wrong-user", "oauth-no-auth", "oauth-wrong-token", "unknown", "empty"],
)
def test_system_errors(
    portal: DemoPortal,
    client: httpx.Client,
    make_url: Any,
    body: dict[str, Any],
    status: int,
    code: str,
    description: str,
) -> None:
    response = client.post(make_url(portal), json=body)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"error": code, "error_description": description}


def test_unknown_path_is_a_json_404(portal: DemoPortal, client: httpx.Client) -> None:
    response = client.get(f"{portal.base_url}/index.php")
    assert response.status_code == 404
    assert response.json()["error"] == "NOT_FOUND"


@pytest.mark.parametrize("verb", ["PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_verbs_get_405(portal: DemoPortal, client: httpx.Client, verb: str) -> None:
    response = client.request(verb, f"{portal.webhook_url}{GET}", json={"id": 6})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["error"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"6"', b"\xff\xfe", b"[" * 5000])
def test_bad_json_body_is_400(portal: DemoPortal, client: httpx.Client, body: bytes) -> None:
    response = client.post(
        f"{portal.webhook_url}{GET}", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "INVALID_JSON"


def test_oversized_body_is_refused(portal: DemoPortal) -> None:
    body = json.dumps({"id": 6, "pad": "x" * MAX_BODY_BYTES}).encode()
    with httpx.Client(timeout=5) as fresh:
        response = fresh.post(
            f"{portal.webhook_url}{GET}", content=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["error"] == "REQUEST_TOO_LARGE"


# ------------------------------------------------------------------ biconnector errors


ERROR_CASES = [
    ({}, "VALIDATION_ID_NOT_PROVIDED", "ID is missing."),
    ({"id": None}, "VALIDATION_ID_NOT_PROVIDED", "ID is missing."),
    ({"id": ""}, "VALIDATION_ID_NOT_PROVIDED", "ID is missing."),
    ({"id": "abc"}, "VALIDATION_INVALID_ID_FORMAT", "ID has to be a positive integer."),
    ({"id": 0}, "VALIDATION_INVALID_ID_FORMAT", "ID has to be a positive integer."),
    ({"id": -6}, "VALIDATION_INVALID_ID_FORMAT", "ID has to be a positive integer."),
    ({"id": 6.5}, "VALIDATION_INVALID_ID_FORMAT", "ID has to be a positive integer."),
    ({"id": True}, "VALIDATION_INVALID_ID_FORMAT", "ID has to be a positive integer."),
    ({"id": "６"}, "VALIDATION_INVALID_ID_FORMAT", "ID has to be a positive integer."),
    ({"id": [6]}, "VALIDATION_INVALID_ID_FORMAT", "ID has to be a positive integer."),
    ({"id": 999}, "SOURCE_NOT_FOUND", "Source was not found."),
    ({"id": "99999999999999999999999"}, "SOURCE_NOT_FOUND", "Source was not found."),
]


@pytest.mark.parametrize(("body", "code", "description"), ERROR_CASES)
def test_errors_in_newest_shape(
    portal: DemoPortal, client: httpx.Client, body: dict[str, Any], code: str, description: str
) -> None:
    payload = webhook_get(client, portal, body)
    assert set(payload) == {"result", "time"}
    assert payload["result"] == {"error": {"error": code, "error_description": description}}
    assert_time_block(payload)


@pytest.mark.parametrize(("body", "code", "description"), ERROR_CASES)
def test_errors_in_legacy_shape(
    legacy_portal: DemoPortal,
    client: httpx.Client,
    body: dict[str, Any],
    code: str,
    description: str,
) -> None:
    payload = webhook_get(client, legacy_portal, body)
    assert payload == {"error": code, "error_description": description}


def test_legacy_portal_still_serves_sources(
    legacy_portal: DemoPortal, client: httpx.Client
) -> None:
    payload = webhook_get(client, legacy_portal, {"id": 6})
    assert payload["result"] == {"item": DOC_EXAMPLE_ITEM}


def test_string_id_is_accepted(portal: DemoPortal, client: httpx.Client) -> None:
    assert webhook_get(client, portal, {"id": "7"})["result"]["item"] == DEMO_SOURCES[7]


# ------------------------------------------------------------------ source.list


def test_source_list_is_a_bare_array_of_flat_sources(
    portal: DemoPortal, client: httpx.Client
) -> None:
    response = client.post(f"{portal.webhook_url}{LIST}", json={})
    payload = response.json()
    assert_time_block(payload)
    items = payload["result"]
    assert isinstance(items, list)
    assert [int(i["id"]) for i in items] == list(DemoPortal.SOURCE_IDS)
    first = items[0]
    assert first == {
        **DOC_EXAMPLE_ITEM["connection"],
        "connectorId": 1,
        "settings": DOC_EXAMPLE_ITEM["settings"],
    }
    assert items[[int(i["id"]) for i in items].index(9)]["tableCount"] == 4


@pytest.mark.parametrize(
    ("page", "count"),
    [(1, len(DEMO_SOURCES)), (2, 0), ("x", len(DEMO_SOURCES)), (-1, len(DEMO_SOURCES))],
)
def test_source_list_pages(portal: DemoPortal, client: httpx.Client, page: Any, count: int) -> None:
    response = client.post(
        f"{portal.base_url}/rest/{LIST}.json", json={"page": page, "auth": portal.access_token}
    )
    assert len(response.json()["result"]) == min(count, len(DEMO_SOURCES))


# ------------------------------------------------------------------ recording


def test_recorded_request_shows_a_json_body_with_id(portal: DemoPortal) -> None:
    portal.clear_requests()
    with httpx.Client(timeout=5) as c:
        c.post(f"{portal.webhook_url}{GET}.json", json={"id": 6})
    (recorded,) = portal.requests
    assert recorded.method == "POST"
    assert recorded.path == f"/rest/1/•••/{GET}.json"
    assert recorded.body_format == "json"
    assert recorded.body == {"id": 6}
    assert recorded.api_method == GET
    assert recorded.status == 200
    assert recorded.headers["content-type"] == "application/json"


def test_recorded_requests_hold_no_code_or_token(portal: DemoPortal) -> None:
    portal.clear_requests()
    token, code = portal.access_token, portal.webhook_url.rstrip("/").rsplit("/", 1)[1]
    with httpx.Client(timeout=5) as c:
        c.post(f"{portal.webhook_url}{GET}", json={"id": 6, "note": f"copy of {code}"})
        c.get(f"{portal.webhook_url}{GET}", params={"id": 6, "auth": token})
        c.post(f"{portal.base_url}/rest/{GET}", json={"id": 6, "auth": token})
        c.post(f"{portal.base_url}/rest/{GET}", data={"id": "6", "auth": token})
        c.post(f"{portal.base_url}/rest/{GET}", params={"auth": token}, json={"id": 7})
        c.post(
            f"{portal.base_url}/rest/{GET}",
            json={"id": 6, "auth": token},
            headers={"Authorization": f"Bearer {token}", "X-Echo": code},
        )
        c.put(f"{portal.webhook_url}{GET}", content=token)
    recorded = portal.requests
    assert len(recorded) == 7
    assert all(r.status in (200, 405) for r in recorded)
    text = repr(recorded)
    assert token not in text and code not in text
    assert "•••" in text
    assert all("auth" not in (r.body or {}) for r in recorded)
    assert all("authorization" not in r.headers for r in recorded)


def test_server_writes_nothing_to_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    with DemoPortal() as p, httpx.Client(timeout=5) as c:
        c.post(f"{p.webhook_url}{GET}", json={"id": 6})
        c.post(f"{p.base_url}/rest/1/nope/{GET}", json={"id": 6})
        c.post(f"{p.webhook_url}{GET}", content=b"{", headers={"Content-Type": "application/json"})
        c.request("BREW", f"{p.webhook_url}{GET}")
        with socket.create_connection(("127.0.0.1", p.port)) as raw:
            raw.sendall(b"garbage\r\n\r\n")
            raw.recv(4096)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


# ------------------------------------------------------------------ lifecycle and concurrency


def test_parallel_requests_are_served_concurrently() -> None:
    latency = 0.3
    ids = list(DemoPortal.SOURCE_IDS) * 2
    with DemoPortal(latency=latency) as p, httpx.Client(timeout=5) as c:

        def fetch(source_id: int) -> Any:
            return c.post(f"{p.webhook_url}{GET}", json={"id": source_id}).json()

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=len(ids)) as pool:
            results = list(pool.map(fetch, ids))
        elapsed = time.monotonic() - started
    assert [r["result"]["item"] for r in results] == [DEMO_SOURCES[i] for i in ids]
    assert latency <= elapsed < latency * len(ids) / 2  # one at a time would take 10x latency
    assert all(r["time"]["duration"] >= latency for r in results)


def test_start_and_stop_are_idempotent_and_stop_releases_the_port() -> None:
    p = DemoPortal()
    assert p.start() is p
    port = p.port
    assert p.start() is p and p.port == port
    with httpx.Client(timeout=5) as c:  # leaves a keep-alive connection open
        assert c.post(f"{p.webhook_url}{GET}", json={"id": 6}).status_code == 200
        p.stop()
        p.stop()
        assert not p.running
        with pytest.raises(httpx.TransportError):
            c.post(f"http://127.0.0.1:{port}/rest/{GET}", json={"id": 6})
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))  # free again
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_stop_does_not_wait_for_a_slow_request() -> None:
    p = DemoPortal(latency=30).start()
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(httpx.post, f"{p.webhook_url}{GET}", json={"id": 6}, timeout=10)
        deadline = time.monotonic() + 5  # wait for the condition: the request is being served
        while not p._server or not p._server._connections:
            assert time.monotonic() < deadline, "the request never reached the portal"
            time.sleep(0.01)
        started = time.monotonic()
        p.stop()
        assert time.monotonic() - started < 2
        with pytest.raises(httpx.TransportError):
            future.result(timeout=5)


def test_server_stop_ends_its_loop_and_closes_every_socket() -> None:
    def answer(method: str, target: str, headers: object, body: bytes) -> Reply:
        return Reply(200, {"method": method, "target": target})

    server = Server(("127.0.0.1", 0), answer)
    server.serve_in_background("test-demo-server")
    serving = server._serving
    assert serving is not None
    port = server.server_address[1]
    with httpx.Client(timeout=5) as c:  # served, and left open as keep-alive
        assert c.get(f"http://127.0.0.1:{port}/x").json() == {"method": "GET", "target": "/x"}
        server.stop()
        assert not serving.is_alive()  # ended, not left behind by join's timeout
        with pytest.raises(httpx.TransportError):
            c.get(f"http://127.0.0.1:{port}/x")
    sockets = (server.socket, server._wake_reader, server._wake_writer)
    assert [s.fileno() for s in sockets] == [-1, -1, -1]  # nothing leaked
    server.stop()  # a second stop is harmless


def test_server_stopped_before_it_served_closes_its_sockets() -> None:
    server = Server(("127.0.0.1", 0), lambda *args: Reply(200, {}))
    server.stop()
    assert [s.fileno() for s in (server.socket, server._wake_reader)] == [-1, -1]


def test_restart_after_stop(client: httpx.Client) -> None:
    p = DemoPortal()
    p.start()
    p.stop()
    with p:
        assert webhook_get(client, p, {"id": 6})["result"]["item"] == DOC_EXAMPLE_ITEM


def test_repr_hides_credentials() -> None:
    with DemoPortal() as p:
        assert p.access_token not in repr(p)
        assert p.webhook_url.split("/")[-2] not in repr(p)


def test_module_runs_standalone() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "inspector.demo.portal"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            base = proc.stdout.readline().split()[-1]
            webhook = proc.stdout.readline().split()[-1]
            assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
            assert webhook.startswith(f"{base}/rest/1/")
            response = httpx.post(f"{webhook}{GET}", json={"id": 6}, timeout=5)
            assert response.json()["result"]["item"] == DOC_EXAMPLE_ITEM
        finally:
            proc.terminate()
            proc.wait(timeout=5)


# --- the browser sign-in's side of the demo (spec §10.2, §10.4) ------------------------------

HANDLER = "https://app.example.com/handler?from=portal"


def authorize(p: DemoPortal, client: httpx.Client, **params: str) -> httpx.Response:
    query = {"client_id": p.client_id, "state": "st", **params}
    return client.get(f"{p.base_url}/oauth/authorize/", params=query)


def exchange(p: DemoPortal, client: httpx.Client, code: str, **changes: str) -> httpx.Response:
    query = {
        "grant_type": "authorization_code",
        "client_id": p.client_id,
        "client_secret": p.client_secret,
        "code": code,
        **changes,
    }
    return client.get(p.oauth_server_url, params=query)


def code_of(reply: httpx.Response) -> str:
    location = httpx.URL(reply.headers["location"])
    return str(location.params["code"])


def test_authorize_redirects_to_the_registered_handler(client: httpx.Client) -> None:
    with DemoPortal(redirect_uri=HANDLER) as p:
        reply = authorize(p, client)
        assert reply.status_code == 302
        location = httpx.URL(reply.headers["location"])
        assert str(location).startswith(HANDLER + "&")
        params = location.params
        assert params["state"] == "st"
        assert params["domain"] == f"127.0.0.1:{p.port}"
        assert params["scope"] == "biconnector"
        assert params["server_domain"] == "oauth.bitrix.info"
        assert params["member_id"]
        answer = exchange(p, client, params["code"])
        assert answer.status_code == 200
        assert answer.json()["access_token"] == p.access_token
        assert answer.json()["client_endpoint"] == f"{p.base_url}/rest/"
        assert p.code_grants == 1
        recorded = json.dumps([r.path for r in p.requests])
        assert params["code"] not in recorded
        assert p.client_secret not in recorded


def test_authorize_without_a_handler_or_with_a_wrong_client_sends_no_redirect(
    client: httpx.Client,
) -> None:
    with DemoPortal() as p:
        assert authorize(p, client).status_code == 400
        assert "location" not in authorize(p, client).headers
        p.redirect_uri = HANDLER
        wrong = authorize(p, client, client_id="local.unknown")
        assert wrong.status_code == 400
        assert wrong.json()["error"] == "invalid_client"
        p.authorize_outcome = "error_page"
        assert authorize(p, client).status_code == 403


def test_authorize_denied(client: httpx.Client) -> None:
    with DemoPortal(redirect_uri=HANDLER) as p:
        p.authorize_outcome = "deny"
        params = httpx.URL(authorize(p, client).headers["location"]).params
        assert params["error"] == "access_denied"
        assert params["state"] == "st"
        assert "code" not in params


def test_a_code_works_once_and_only_for_its_lifetime(client: httpx.Client) -> None:
    with DemoPortal(redirect_uri=HANDLER) as p:
        code = code_of(authorize(p, client))
        wrong = exchange(p, client, code, client_secret="not-it")
        assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
        assert exchange(p, client, code).status_code == 200
        again = exchange(p, client, code)
        assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
        late = code_of(authorize(p, client))
        p.expire_codes()
        expired = exchange(p, client, late)
        assert expired.json() == {
            "error": "invalid_grant",
            "error_description": "The authorization code has expired.",
        }
    with DemoPortal(redirect_uri=HANDLER, code_lifetime=0.0) as p:
        code = code_of(authorize(p, client))  # the round trip alone outlives 0 s
        assert exchange(p, client, code).status_code == 400
