"""The window's demo portal in a process of its own (``demo.portal_process``): it serves the
same portal over a real socket, ends when the window closes its pipe or goes away, and a
helper that does not answer leaves the window to serve one itself."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from typing import Any

import pytest

from inspector.core.child_process import spawn
from inspector.core.client import BitrixClient
from inspector.core.credentials import parse_webhook_url
from inspector.core.options import RequestOptions
from inspector.demo import portal_process
from inspector.demo.portal_process import IN_PROCESS_ENV, PortalProcess

FAST = RequestOptions(connect_timeout=5.0, read_timeout=5.0, retries=0)


def refused(base_url: str) -> bool:
    port = int(base_url.rsplit(":", 1)[1])
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture
def portal(monkeypatch: pytest.MonkeyPatch) -> Iterator[PortalProcess]:
    monkeypatch.delenv(IN_PROCESS_ENV, raising=False)
    portal_process.prestart()
    started = portal_process.take_prestarted()
    assert started is not None
    yield started
    started.stop()


def test_it_serves_the_demo_portal_to_both_credentials(portal: PortalProcess) -> None:
    oauth = portal.oauth_credential()
    with BitrixClient(oauth, FAST) as client:
        assert client.get_source(6).connection.id == 6
    with BitrixClient(parse_webhook_url(portal.webhook_url), FAST) as client:
        assert client.get_source(6).connection.id == 6
    assert portal.redirect_uri.startswith("http://127.0.0.1:")
    # Its secrets stay out of its representation.
    shown = repr(portal)
    assert portal.base_url in shown
    for secret in (oauth.access_token, oauth.refresh_token, oauth.client_secret):
        assert secret and secret not in shown
    assert portal.webhook_url.split("/")[-2] not in shown


def test_stop_ends_the_process_and_frees_the_port(portal: PortalProcess) -> None:
    assert portal.running and not refused(portal.base_url)
    portal.stop()
    assert not portal.running
    assert refused(portal.base_url)
    portal.stop()  # again: nothing to do


def test_the_portal_ends_when_the_window_does(tmp_path: Any) -> None:
    # A window killed outright never calls stop(): the portal sees its pipe end and stops.
    script = textwrap.dedent(
        """
        import os, sys
        from inspector.demo import portal_process
        portal_process.prestart()
        portal = portal_process.take_prestarted()
        print(portal.base_url, flush=True)
        os._exit(0)  # no atexit, no stop()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    base_url = done.stdout.strip()
    deadline = time.monotonic() + 10
    while not refused(base_url) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert refused(base_url)  # it stopped serving (and exited: see serve())


@pytest.mark.parametrize(
    "code",
    [
        "import sys; sys.stdin.read()",  # never answers: the wait times out
        "print('not json')",
        "print('[1, 2]')",
        "print('{\"base_url\": 1}')",
        "import sys; sys.exit(1)",
    ],
    ids=["silent", "garbage", "not-an-object", "wrong-fields", "failed"],
)
def test_a_helper_that_does_not_answer_is_ended_and_not_used(code: str) -> None:
    child = spawn([sys.executable, "-c", code])
    portal = PortalProcess(child)
    assert not portal.wait_until_serving(1.0)
    portal.stop()
    assert child.poll() is not None
    assert repr(portal) == "<PortalProcess not serving>"


def test_nothing_is_started_in_process_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(IN_PROCESS_ENV, "1")
    portal_process.prestart()
    assert portal_process.take_prestarted() is None
