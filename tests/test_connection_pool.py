"""Clients that share a ``ConnectionPool`` reuse one open connection, over a real socket.

The window's requests (a source, then its connector, then the next fetch) borrow the pool
one after another. What must hold: one TCP connection for all of them, each request still
cancellable and bounded by its own deadline, no cookie carried from one borrower to the
next, other options or a changed CA file never served by the old trust, and ``close``
never pulling connections from under a request.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest
from servers import RecordedRequest, Reply, ScriptedServer, TestCA, hang, json_reply

from inspector.core.client import BitrixClient
from inspector.core.connection_pool import ConnectionPool
from inspector.core.credentials import parse_webhook_url
from inspector.core.errors import Cancelled
from inspector.core.options import RequestOptions
from inspector.demo import DEMO_SOURCES

CODE = "p00lc0de5ecret42"
OK = json_reply({"result": {"item": DEMO_SOURCES[6]}})
OPTIONS = RequestOptions(connect_timeout=5, read_timeout=10)


def fetch(server: ScriptedServer, pool: ConnectionPool | None, **kwargs: Any) -> None:
    credential = parse_webhook_url(f"{server.url}/rest/1/{CODE}/")
    with BitrixClient(credential, kwargs.pop("options", OPTIONS), pool=pool, **kwargs) as client:
        assert client.get_source(6).connection.id == 6


def test_clients_sharing_a_pool_use_one_connection() -> None:
    with ScriptedServer(OK) as server:
        pool = ConnectionPool()
        for _ in range(3):
            fetch(server, pool)
        assert len(server.requests) == 3
        assert server.connections == 1
        pool.close()
    with ScriptedServer(OK) as server:  # the difference it makes
        for _ in range(3):
            fetch(server, None)
        assert server.connections == 3


def test_a_cookie_does_not_reach_the_next_borrower() -> None:
    with ScriptedServer(OK) as server:
        server.set_handler(
            [json_reply({"result": {"item": DEMO_SOURCES[6]}}, headers=[("Set-Cookie", "S=x")]), OK]
        )
        pool = ConnectionPool()
        fetch(server, pool)
        fetch(server, pool)
        assert server.connections == 1
        assert [request.headers["cookie"] for request in server.requests] == [None, None]
        pool.close()


def test_cancel_ends_a_read_blocked_on_a_reused_connection() -> None:
    """The watchdog knows the connection an earlier borrower opened."""

    def answer(request: RecordedRequest) -> Reply:
        return hang() if len(server.requests) == 2 else OK

    with ScriptedServer(answer) as server:
        pool = ConnectionPool()
        fetch(server, pool)
        cancel = threading.Event()

        def cancel_once_asked() -> None:
            server.wait_for_requests(2)
            cancel.set()

        threading.Thread(target=cancel_once_asked, daemon=True).start()
        started = time.monotonic()
        with pytest.raises(Cancelled):
            fetch(server, pool, cancel=cancel)
        assert time.monotonic() - started < 3  # not the 10 s read timeout
        assert server.connections == 1
        fetch(server, pool)  # the pool is usable again: a new connection for a new request
        assert server.connections == 2
        pool.close()


def test_other_options_get_a_new_exchanger_and_the_old_one_is_closed() -> None:
    pool = ConnectionPool()
    first = pool.borrow(OPTIONS, None)
    pool.give_back(first)
    assert pool.borrow(OPTIONS, None) is first
    pool.give_back(first)
    with ScriptedServer(OK) as server:
        fetch(server, pool)  # the kept exchanger now holds an open connection
        other = pool.borrow(RequestOptions(connect_timeout=5, read_timeout=11), None)
        assert other is not first
        assert first.closed
        pool.give_back(other)
    pool.close()
    assert other.closed


def test_a_changed_ca_file_gets_a_new_exchanger(tmp_path: Any) -> None:
    ca_file = tmp_path / "private-ca.pem"
    ca_file.write_bytes(TestCA().ca.cert_pem.bytes())
    options = RequestOptions(extra_ca_file=str(ca_file))
    pool = ConnectionPool()
    first = pool.borrow(options, None)
    pool.give_back(first)
    ca_file.write_bytes(TestCA().ca.cert_pem.bytes() + b"\n")  # another CA, the same path
    later = time.time() + 5
    os.utime(ca_file, (later, later))
    renewed = pool.borrow(options, None)
    assert renewed is not first and first.closed
    pool.give_back(renewed)
    pool.close()


def test_one_borrower_at_a_time_and_close_waits_for_the_borrower() -> None:
    pool = ConnectionPool()
    lent = pool.borrow(OPTIONS, None)
    with pytest.raises(RuntimeError):
        pool.borrow(OPTIONS, None)
    pool.close()  # another profile while a request runs: not closed under it
    assert not lent.closed
    pool.give_back(lent)
    assert lent.closed  # closed once given back
    assert pool.borrow(OPTIONS, None) is not lent  # and the pool is still usable
