"""Rate limits as the window needs them (spec §11): each wait is announced (for a
countdown) and can be cancelled; a 429 is waited out only when the caller allows it."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from servers import Reply, ScriptedServer, json_reply

from inspector.core.client import BitrixClient, WaitNotice
from inspector.core.credentials import parse_webhook_url
from inspector.core.errors import Cancelled, PortalError
from inspector.core.options import RequestOptions
from inspector.demo.portal import DEMO_SOURCES

METHOD = "biconnector.source.get"
LIMITED = json_reply(
    {"error": "OPERATION_TIME_LIMIT", "error_description": "Method is blocked"}, status=429
)
BUSY = json_reply({"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many"}, status=503)


@pytest.fixture(autouse=True)
def _no_proxy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)


def ok(reset_at: float | None = None) -> Reply:
    time_block: dict[str, Any] = {"start": time.time(), "operating": 412.5}
    if reset_at is not None:
        time_block["operating_reset_at"] = reset_at
    return json_reply({"result": {"item": DEMO_SOURCES[6]}, "time": time_block})


def client_for(server: ScriptedServer, **options: Any) -> tuple[BitrixClient, list[WaitNotice]]:
    notices: list[WaitNotice] = []
    opts = RequestOptions(connect_timeout=5, read_timeout=5, **options)
    cred = parse_webhook_url(f"{server.url}/rest/1/limitcode01/")
    return BitrixClient(cred, opts, on_wait=notices.append), notices


def test_503_retries_are_announced_with_growing_waits() -> None:
    with ScriptedServer([BUSY, BUSY, ok()]) as server:
        client, notices = client_for(server, retry_delay=0.05)
        with client:
            source = client.get_source(6)
    assert source.time is not None and source.time.operating == 412.5
    assert [(n.reason, n.attempt, n.seconds) for n in notices] == [
        ("rate_limit", 1, 0.05),
        ("rate_limit", 2, 0.1),
    ]
    assert all(n.method == METHOD and n.until > time.time() - 5 for n in notices)
    assert [(n.attempt, n.seconds) for n in notices] == [(1, 0.05), (2, 0.1)]


def test_429_is_not_waited_for_by_default() -> None:
    with ScriptedServer(LIMITED) as server:
        client, notices = client_for(server)
        with client, pytest.raises(PortalError) as caught:
            client.get_source(6)
        assert len(server.requests) == 1
    assert caught.value.code == "OPERATION_TIME_LIMIT"
    assert notices == []


def test_429_is_waited_out_until_operating_reset_at() -> None:
    with ScriptedServer([ok(reset_at=time.time() + 0.2), LIMITED, ok()]) as server:
        client, notices = client_for(server, operation_limit_wait=30)
        with client:
            client.get_source(6)  # learns operating_reset_at
            started = time.monotonic()
            client.get_source(6)  # 429, wait, retry
            waited = time.monotonic() - started
        assert len(server.requests) == 3
    [notice] = notices
    assert notice.reason == "operation_limit"
    assert 0.5 <= notice.seconds <= 1.5  # until the reset, plus a second of margin
    assert waited >= notice.seconds * 0.9


def test_429_wait_longer_than_allowed_is_not_made() -> None:
    with ScriptedServer([ok(reset_at=time.time() + 500), LIMITED]) as server:
        client, notices = client_for(server, operation_limit_wait=60)
        with client:
            client.get_source(6)
            with pytest.raises(PortalError):
                client.get_source(6)
    assert notices == []


def test_a_wait_can_be_cancelled() -> None:
    cancel = threading.Event()
    with ScriptedServer(LIMITED) as server:
        opts = RequestOptions(connect_timeout=5, read_timeout=5, operation_limit_wait=120)
        cred = parse_webhook_url(f"{server.url}/rest/1/limitcode01/")
        notices: list[WaitNotice] = []

        def on_wait(notice: WaitNotice) -> None:
            notices.append(notice)
            threading.Timer(0.1, cancel.set).start()  # the user presses Cancel

        started = time.monotonic()
        with (
            BitrixClient(cred, opts, cancel=cancel, on_wait=on_wait) as client,
            pytest.raises(Cancelled),
        ):
            client.get_source(6)
        assert time.monotonic() - started < 5
        assert len(server.requests) == 1
    assert notices[0].seconds == 60.0  # no reset time known yet: one minute bucket
