"""Proxies from the environment and SOCKS: read and checked by the inspector, not by httpx.

A malformed or unsupported variable is a ``BadProxy`` naming it (never a traceback), a
``socks://`` proxy (what desktop settings export) is SOCKS5, loopback hosts such as the demo
portal go direct, and a failure at the proxy names the proxy, without its password. The
SOCKS5 proxy is a real one on 127.0.0.1 (``tests/socks_server.py``) that resolves the
portal's name itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from servers import ScriptedServer, closed_port, json_reply
from socks_server import SocksProxy

from inspector.core.client import BitrixClient
from inspector.core.credentials import make_oauth_credential
from inspector.core.errors import BadProxy, ConnectionRefused, NetworkError
from inspector.core.options import RequestOptions
from inspector.core.proxies import Route, check_proxy, environment_proxies
from inspector.demo.portal import DEMO_SOURCES, DemoPortal

OPTIONS = RequestOptions(connect_timeout=5, read_timeout=5)
SOURCE_6 = {"result": {"item": DEMO_SOURCES[6]}, "time": {"start": 1.0}}
NAME = "b24-portal.test"
PASSWORD = "s0cks-pa55word"
VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def _no_proxy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in VARIABLES:
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.lower(), raising=False)
    monkeypatch.delenv("REQUEST_METHOD", raising=False)


@pytest.fixture
def portal() -> Iterator[ScriptedServer]:
    with ScriptedServer(lambda _request: json_reply(SOURCE_6)) as server:
        yield server


# --- reading the variables -----------------------------------------------------------------


def test_socks_without_a_version_means_socks5() -> None:
    assert check_proxy("socks://127.0.0.1:1080/") == "socks5://127.0.0.1:1080"
    env = environment_proxies({"ALL_PROXY": "socks://proxy.lan:1080/"})
    assert env.route("https://portal.example/") == Route("socks5://proxy.lan:1080", "ALL_PROXY")


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("HTTPS_PROXY", f"http://bob:{PASSWORD}@proxy.lan:notaport", "not valid"),
        ("ALL_PROXY", f"socks4://bob:{PASSWORD}@proxy.lan:1080", "SOCKS4"),
        ("https_proxy", "ftp://proxy.lan:21", "must start with"),
        ("HTTP_PROXY", "http://:3128", "no host name"),
        ("ALL_PROXY", f"http://bob:{PASSWORD}@proxy.lan:3128/some/path", "path"),
        ("HTTPS_PROXY", "http://proxy lan:3128", "spaces"),
    ],
)
def test_a_bad_variable_is_named_when_a_request_would_use_it(
    variable: str, value: str, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    scheme = "http" if variable.lower() == "http_proxy" else "https"
    cred = make_oauth_credential(f"{scheme}://portal.example", "tok3n-abcdef")
    with BitrixClient(cred, OPTIONS) as client, pytest.raises(BadProxy) as caught:
        client.get_source(6)
    assert variable in str(caught.value)
    assert words in caught.value.message
    assert caught.value.exit_code == 2
    assert PASSWORD not in str(caught.value)


def test_lower_case_wins_and_no_proxy_is_honoured() -> None:
    env = environment_proxies(
        {
            "https_proxy": "http://lower:3128",
            "HTTPS_PROXY": "http://upper:3128",
            "HTTP_PROXY": "http://plain:3128",
            "NO_PROXY": "intranet.example, .corp.example, 10.0.0.7, [2001:db8::1]:8443, x:99",
        }
    )
    assert env.route("https://portal.example/").proxy == "http://lower:3128"
    assert env.route("http://portal.example/").proxy == "http://plain:3128"
    for direct in (
        "https://intranet.example/",
        "https://a.intranet.example/",
        "https://b.corp.example/",
        "http://10.0.0.7:8080/",
        "https://[2001:db8::1]:8443/",
        "http://x:99/",
    ):
        assert env.route(direct) == Route(None), direct
    for proxied in ("https://corp.example/", "https://[2001:db8::1]/", "http://x/"):
        assert env.route(proxied).proxy is not None, proxied
    assert environment_proxies({"ALL_PROXY": "http://p:1", "no_proxy": "*"}).route(
        "https://portal.example/"
    ) == Route(None)


def test_loopback_and_cgi_never_use_the_environment_proxy() -> None:
    env = environment_proxies({"ALL_PROXY": "http://proxy.lan:3128"})
    for url in (
        "http://127.0.0.1:8080/",
        "http://127.5.5.5/",
        "http://[::1]:80/",
        "http://localhost/",
    ):
        assert env.route(url) == Route(None), url
    cgi = environment_proxies({"HTTP_PROXY": "http://evil:1", "REQUEST_METHOD": "GET"})
    assert cgi.route("http://portal.example/") == Route(None)


def test_the_demo_portal_works_with_broken_proxy_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks://127.0.0.1:1/")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.lan:notaport")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    with DemoPortal() as demo:
        cred = make_oauth_credential(demo.base_url, demo.access_token)
        with BitrixClient(cred, OPTIONS) as client:
            assert client.get_source(6).settings


# --- SOCKS5 end to end ---------------------------------------------------------------------


def test_all_proxy_socks_carries_the_request(
    portal: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SocksProxy({NAME: "127.0.0.1"}) as socks:
        monkeypatch.setenv("ALL_PROXY", f"socks://127.0.0.1:{socks.port}/")
        cred = make_oauth_credential(f"http://{NAME}:{portal.port}", "tok3n-abcdef")
        with BitrixClient(cred, OPTIONS) as client:
            assert client.get_source(6).settings
        # The name went to the proxy: this process resolves no name but loopback.
        assert socks.targets == [f"{NAME}:{portal.port}"]


def test_a_set_socks_proxy_with_a_password(portal: ScriptedServer) -> None:
    with SocksProxy({NAME: "127.0.0.1"}, credentials=("bob", PASSWORD)) as socks:
        proxy = f"socks5://bob:{PASSWORD}@127.0.0.1:{socks.port}"
        cred = make_oauth_credential(f"http://{NAME}:{portal.port}", "tok3n-abcdef")
        with BitrixClient(cred, RequestOptions(5, 5, proxy=proxy)) as client:
            assert client.get_source(6).settings
        assert socks.targets == [f"{NAME}:{portal.port}"]
        wrong = f"socks5://bob:wr0ng-{PASSWORD}@127.0.0.1:{socks.port}"
        with (
            BitrixClient(cred, RequestOptions(5, 5, proxy=wrong)) as client,
            pytest.raises(NetworkError) as caught,
        ):
            client.get_source(6)
        assert "proxy socks5://bob:" in caught.value.message
        assert PASSWORD not in str(caught.value)


def test_a_socks_proxy_that_cannot_reach_the_host_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    with SocksProxy() as socks:
        monkeypatch.setenv("ALL_PROXY", socks.url)
        cred = make_oauth_credential("https://nowhere.test", "tok3n-abcdef")
        with BitrixClient(cred, OPTIONS) as client, pytest.raises(NetworkError) as caught:
            client.get_source(6)
    assert f"127.0.0.1:{socks.port}" in caught.value.message
    assert "proxy" in caught.value.message


def test_an_unreachable_environment_proxy_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """It used to be reported as the portal refusing the connection."""
    port = closed_port()
    monkeypatch.setenv("HTTPS_PROXY", f"http://bob:{PASSWORD}@127.0.0.1:{port}")
    cred = make_oauth_credential("https://portal.example", "tok3n-abcdef")
    with BitrixClient(cred, OPTIONS) as client, pytest.raises(ConnectionRefused) as caught:
        client.get_source(6)
    assert "proxy http://bob:" in caught.value.message
    assert f"127.0.0.1:{port}" in caught.value.message
    assert "portal.example refused" not in caught.value.message
    assert PASSWORD not in str(caught.value)
