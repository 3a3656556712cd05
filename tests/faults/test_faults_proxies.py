"""Proxy faults (issue 10, finding 3), through a real CLI subprocess and the real window.

Proxy variables that used to end every request in a traceback (``ALL_PROXY=socks://…``
as desktop settings export it, ``socks4://``, a malformed ``HTTPS_PROXY``) must be a
clear message naming the variable (exit 2), or work; a proxy that cannot be reached or
cannot reach the portal must be named as the proxy, never blamed on the portal; the demo
portal (loopback) must keep working whatever the variables say. The SOCKS5 proxy is a
real one on 127.0.0.1 that resolves the portal's made-up name itself.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import ScriptedServer, closed_port
from socks_server import SocksProxy

from faults.fault_kit import (
    CODE,
    REPO,
    SECRETS,
    TOKEN,
    Scan,
    Setup,
    cli_command,
    cli_environment,
    home_files,
    json_reply,
    ok_payload,
    route,
)
from faults.fault_window import (
    assert_usable,
    enter_credential,
    everything,
    fetch_and_wait,
    options_for,
    wait_connector,
    watch_failures,
)
from inspector.core import errors

NAME = "b24-portal.test"
PROXY_PASSWORD = "pr0xy-Pa55-4f7e"
ALL_SECRETS = (*SECRETS, PROXY_PASSWORD)
VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(scope="module")
def portal() -> Iterator[ScriptedServer]:
    with ScriptedServer(route(json_reply(ok_payload()))) as server:
        yield server


@pytest.fixture(scope="module")
def socks() -> Iterator[SocksProxy]:
    with SocksProxy({NAME: "127.0.0.1"}) as proxy:
        yield proxy


# name, variables, portal base ("named": through the SOCKS proxy), error, words
CASES: list[tuple[str, Any, str, type[errors.InspectorError] | None, tuple[str, ...]]] = [
    (
        "proxy-socks-without-version",
        lambda s, p: {"ALL_PROXY": f"socks://127.0.0.1:{s.port}/"},
        "named",
        None,
        (),
    ),
    (
        "proxy-socks4",
        lambda s, p: {"ALL_PROXY": f"socks4://bob:{PROXY_PASSWORD}@127.0.0.1:{s.port}"},
        "named",
        errors.BadProxy,
        ("ALL_PROXY", "SOCKS4"),
    ),
    (
        "proxy-malformed-variable",
        lambda s, p: {"HTTP_PROXY": f"http://bob:{PROXY_PASSWORD}@proxy.lan:notaport"},
        "named",
        errors.BadProxy,
        ("HTTP_PROXY", "not valid"),
    ),
    (
        "proxy-unreachable-from-environment",
        lambda s, p: {"HTTPS_PROXY": f"http://bob:{PROXY_PASSWORD}@127.0.0.1:{closed_port()}"},
        "named",
        errors.ConnectionRefused,
        ("proxy http://bob:", "Could not reach"),
    ),
    (
        "proxy-socks-cannot-reach-portal",
        lambda s, p: {"ALL_PROXY": s.url},
        "unknown",
        errors.NetworkError,
        ("proxy socks5://127.0.0.1:",),
    ),
    (
        "proxy-variables-broken-loopback-portal",
        lambda s, p: {"ALL_PROXY": "socks://127.0.0.1:1/", "HTTPS_PROXY": "http://x:bad"},
        "loopback",
        None,
        (),
    ),
]


PARAMETERS = ("name", "variables", "where", "error", "words")


def base_for(where: str, portal: ScriptedServer) -> str:
    # Plain http keeps the case about the proxy; HTTPS_PROXY cases use https names, so the
    # https variable is what a request uses.
    if where == "named":
        return f"http://{NAME}:{portal.port}"
    if where == "unknown":
        return "http://nowhere.test"
    return portal.url


def variables_for(case_vars: Any, socks: SocksProxy, portal: ScriptedServer) -> dict[str, str]:
    found: dict[str, str] = case_vars(socks, portal)
    # An https variable only applies to https: give http the same proxy.
    if "HTTPS_PROXY" in found:
        found.setdefault("HTTP_PROXY", found["HTTPS_PROXY"])
    return found


@pytest.mark.parametrize(
    ("name", "variables", "where", "error", "words"), CASES, ids=[c[0] for c in CASES]
)
def test_cli_with_proxy_variables(
    name: str,
    variables: Any,
    where: str,
    error: type[errors.InspectorError] | None,
    words: tuple[str, ...],
    socks: SocksProxy,
    portal: ScriptedServer,
    ledger: Any,
    tmp_path: Path,
) -> None:
    with ledger.case(f"cli/{name}") as record:
        env = cli_environment(
            tmp_path,
            B24_WEBHOOK_URL=f"{base_for(where, portal)}/rest/1/{CODE}/",
            **variables_for(variables, socks, portal),
        )
        done = subprocess.run(
            cli_command("get", "6", "--timeout", "3"),
            env=env,
            cwd=REPO,
            capture_output=True,
            timeout=60,
            check=False,
        )
        stderr = done.stderr.decode("utf-8")
        assert "Traceback" not in stderr, stderr
        assert done.returncode == (0 if error is None else error.exit_code), stderr
        for word in words:
            assert word in stderr, (word, stderr)
        if error is errors.BadProxy:
            assert "cannot be used" in stderr, stderr
        scan = Scan()
        scan.add("stderr", stderr)
        scan.add("stdout", done.stdout.decode("utf-8"))
        for place, text in home_files(tmp_path):
            scan.add(place, text)
        record.no_leaks(scan, secrets=ALL_SECRETS)


@pytest.mark.parametrize(
    ("name", "variables", "where", "error", "words"), CASES, ids=[c[0] for c in CASES]
)
def test_window_with_proxy_variables(
    name: str,
    variables: Any,
    where: str,
    error: type[errors.InspectorError] | None,
    words: tuple[str, ...],
    socks: SocksProxy,
    portal: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
    make_window: Any,
    qtbot: Any,
    app_logs: list[str],
    ledger: Any,
    home: Path,
) -> None:
    with ledger.case(f"window/{name}") as record:
        for variable, value in variables_for(variables, socks, portal).items():
            monkeypatch.setenv(variable, value)
        window = make_window()
        window.request_options = options_for(Setup(portal.url))
        enter_credential(window, "oauth", base_for(where, portal), TOKEN)
        failures = watch_failures(window)
        fetch_and_wait(qtbot, window, 6, 15)
        status = window.status_line.text()
        if error is None:
            wait_connector(qtbot, window)
            assert failures == [], status
            assert status.startswith("Source 6"), status
        else:
            assert [type(failure) for failure in failures] == [error], status
        for word in words:
            assert word in status, (word, status)
        assert "unexpectedly" not in status and "Traceback" not in status
        assert_usable(window)
        record.no_leaks(everything(window, app_logs, home), secrets=ALL_SECRETS)
