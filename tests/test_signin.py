"""The browser sign-in over real sockets: the demo portal, a loopback listener, a scripted browser.

The scripted browser is an httpx client that opens the authorize address and follows the
portal's redirect to the inspector's listener, as a real browser would (spec §10.4). Every
case checks that no secret (client secret, code, tokens) shows in a page, a message, a
``repr`` or the log.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from servers import ScriptedServer, free_port, json_reply

from inspector.core.client import BitrixClient
from inspector.core.client.code_grant import (
    SignInResult,
    exchange_code,
    exchange_pasted_redirect,
    sign_in_with_browser,
)
from inspector.core.credentials import DEFAULT_OAUTH_SERVER
from inspector.core.errors import (
    AccessNotGranted,
    BadRedirect,
    Cancelled,
    CodeExchangeFailed,
    ConnectionRefused,
    InputError,
    InvalidCredential,
    NoRedirect,
    PortInUse,
    StateMismatch,
)
from inspector.core.options import RequestOptions
from inspector.core.signin import (
    PAGE_DENIED,
    PAGE_FINISHED,
    PAGE_NO_CODE,
    PAGE_RECEIVED,
    PAGE_WRONG_STATE,
    BrowserSignIn,
    Redirect,
    SignInRequest,
    authorize_url,
    parse_redirect,
    sign_in_request,
)
from inspector.core.signin_address import CALLBACK_PATH, handler_url
from inspector.demo.portal import DemoPortal

OPTIONS = RequestOptions(connect_timeout=5, read_timeout=5)


class ScriptedBrowser:
    """Opens an address and follows redirects like a browser; keeps every page it showed."""

    def __init__(self, *, follow: bool = True, replace_url: str | None = None) -> None:
        self.follow = follow
        self.replace_url = replace_url
        self.pages: list[httpx.Response] = []

    def __call__(self, url: str) -> None:
        with httpx.Client(follow_redirects=self.follow, timeout=5) as client:
            self.pages.append(client.get(self.replace_url or url))

    @property
    def last(self) -> httpx.Response:
        return self.pages[-1]


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def demo(port: int) -> Iterator[DemoPortal]:
    with DemoPortal(redirect_uri=handler_url(port)) as running:
        yield running


def request_for(demo: DemoPortal, **changes: str) -> SignInRequest:
    fields = {
        "portal": demo.base_url,
        "client_id": demo.client_id,
        "client_secret": demo.client_secret,
        "oauth_server": demo.oauth_server_url,
        **changes,
    }
    return sign_in_request(**fields)


def secrets_of(demo: DemoPortal, *extra: str) -> tuple[str, ...]:
    return (demo.client_secret, demo.access_token, demo.refresh_token, *extra)


def assert_no_secret(secrets: tuple[str, ...], *texts: Any) -> None:
    for text in texts:
        shown = str(text)
        for secret in secrets:
            assert secret not in shown


# --- the whole flow ---------------------------------------------------------------------------


def test_sign_in_with_the_browser_on_the_demo(
    demo: DemoPortal, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="inspector")
    browser = ScriptedBrowser()
    seen: list[BrowserSignIn] = []

    result = sign_in_with_browser(
        request_for(demo), browser, port=port, timeout=10, options=OPTIONS, on_listening=seen.append
    )

    [sign_in] = seen
    assert sign_in.handler_url == f"http://127.0.0.1:{port}{CALLBACK_PATH}"
    assert sign_in.authorize_url.startswith(f"{demo.base_url}/oauth/authorize/?client_id=")
    assert browser.last.status_code == 200
    assert browser.last.text.strip() == PAGE_RECEIVED
    assert browser.last.headers["content-type"].startswith("text/plain")
    assert demo.code_grants == 1
    cred = result.credential
    assert cred.portal.origin == demo.base_url
    assert cred.access_token == demo.access_token
    assert cred.refresh_token == demo.refresh_token
    assert cred.client_id == demo.client_id
    assert cred.client_secret == demo.client_secret
    assert cred.oauth_server == demo.oauth_server_url
    assert cred.can_refresh
    assert result.moved_to is None
    assert result.warnings == ()
    # The tokens work at once.
    with BitrixClient(cred, OPTIONS) as client:
        assert client.get_source(6).connection.id == 6
    # What the exchange sent, as the token server saw it (recorded without secrets).
    [exchange] = [r for r in demo.requests if r.path.startswith("/oauth/token/")]
    assert "grant_type=authorization_code" in exchange.path
    assert_no_secret(
        secrets_of(demo),
        browser.last.text,
        repr(result),
        repr(cred),
        repr(sign_in),
        caplog.text,
        exchange,
    )


def test_a_renewal_works_with_the_signed_in_tokens(demo: DemoPortal, port: int) -> None:
    result = sign_in_with_browser(
        request_for(demo), ScriptedBrowser(), port=port, timeout=10, options=OPTIONS
    )
    renewed: list[Any] = []
    demo.expire_access_token()
    with BitrixClient(result.credential, OPTIONS, on_credential_renewed=renewed.append) as c:
        assert c.get_source(6).connection.id == 6
    assert len(renewed) == 1
    assert demo.token_refreshes == 1


def test_a_wrong_state_is_refused_and_nothing_is_exchanged(demo: DemoPortal, port: int) -> None:
    forged = ScriptedBrowser(replace_url=demo.authorize_url("not-the-inspectors-state"))
    with pytest.raises(StateMismatch) as info:
        sign_in_with_browser(request_for(demo), forged, port=port, timeout=10, options=OPTIONS)
    assert info.value.exit_code == 2
    assert "state" in info.value.message
    assert forged.last.status_code == 400
    assert forged.last.text.strip() == PAGE_WRONG_STATE
    assert demo.code_grants == 0


def test_access_denied_in_the_browser(demo: DemoPortal, port: int) -> None:
    demo.authorize_outcome = "deny"
    browser = ScriptedBrowser()
    with pytest.raises(AccessNotGranted) as info:
        sign_in_with_browser(request_for(demo), browser, port=port, timeout=10, options=OPTIONS)
    exc = info.value
    assert exc.exit_code == 3
    assert exc.code == "access_denied"
    assert "not granted" in exc.message
    assert "The user denied access to the application." in exc.message  # the portal's words
    assert "Access to BI Builder" in exc.hint
    assert browser.last.text.strip() == PAGE_DENIED
    assert demo.code_grants == 0


def test_an_expired_code_is_refused_with_sign_in_wording(demo: DemoPortal, port: int) -> None:
    request = request_for(demo)
    browser = ScriptedBrowser()
    with BrowserSignIn(request, port=port) as sign_in:
        browser(sign_in.authorize_url)
        redirect = sign_in.wait(10)
    demo.expire_codes()  # as if the exchange came more than 30 s later
    with pytest.raises(CodeExchangeFailed) as info:
        exchange_code(request, redirect, OPTIONS)
    exc = info.value
    assert exc.exit_code == 3
    assert exc.code == "invalid_grant"
    assert "30 seconds" in exc.message
    assert "The authorization code has expired." in exc.message
    assert "Sign in again" in exc.hint
    assert_no_secret((*secrets_of(demo), *redirect.secrets()), str(exc), repr(exc), repr(redirect))


def test_a_code_works_only_once(demo: DemoPortal, port: int) -> None:
    request = request_for(demo)
    with BrowserSignIn(request, port=port) as sign_in:
        ScriptedBrowser()(sign_in.authorize_url)
        redirect = sign_in.wait(10)
    exchange_code(request, redirect, OPTIONS)
    with pytest.raises(CodeExchangeFailed, match="already used"):
        exchange_code(request, redirect, OPTIONS)
    assert demo.code_grants == 1


def test_a_wrong_client_secret_is_invalid_client(demo: DemoPortal, port: int) -> None:
    wrong = "not-the-demo-client-secret"
    request = request_for(demo, client_secret=wrong)
    with pytest.raises(CodeExchangeFailed) as info:
        sign_in_with_browser(request, ScriptedBrowser(), port=port, timeout=10, options=OPTIONS)
    assert info.value.code == "invalid_client"
    assert "client ID or client secret is wrong" in info.value.message
    assert_no_secret((wrong, *secrets_of(demo)), str(info.value), repr(info.value))


def test_a_busy_port_is_named(demo: DemoPortal, port: int) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        browser = ScriptedBrowser()
        with pytest.raises(PortInUse) as info:
            sign_in_with_browser(request_for(demo), browser, port=port, timeout=10)
    exc = info.value
    assert exc.exit_code == 2
    assert exc.port == port
    assert str(port) in exc.message
    assert "another port" in exc.hint
    assert browser.pages == []  # the browser never opened


def test_no_redirect_in_time(demo: DemoPortal, port: int) -> None:
    demo.authorize_outcome = "error_page"  # the portal shows its own page, sends no redirect
    browser = ScriptedBrowser()
    with pytest.raises(NoRedirect) as info:
        sign_in_with_browser(request_for(demo), browser, port=port, timeout=0.5)
    exc = info.value
    assert exc.exit_code == 4
    assert "did not come back" in exc.message
    assert handler_url(port) in exc.hint
    assert "paste" in exc.hint
    assert browser.last.status_code == 403


def test_an_unregistered_handler_gives_no_redirect(demo: DemoPortal, port: int) -> None:
    demo.redirect_uri = None
    with pytest.raises(NoRedirect):
        sign_in_with_browser(request_for(demo), ScriptedBrowser(), port=port, timeout=0.3)


def test_waiting_can_be_cancelled(demo: DemoPortal, port: int) -> None:
    with BrowserSignIn(request_for(demo), port=port) as sign_in:
        timer = threading.Timer(0.1, sign_in.cancel)
        timer.start()
        with pytest.raises(Cancelled):
            sign_in.wait(30)
        timer.join()
    event = threading.Event()
    event.set()
    with BrowserSignIn(request_for(demo), port=port) as sign_in, pytest.raises(Cancelled):
        sign_in.wait(30, event)


def test_the_port_is_free_again_after_a_sign_in(demo: DemoPortal, port: int) -> None:
    for _ in range(2):
        sign_in_with_browser(
            request_for(demo), ScriptedBrowser(), port=port, timeout=10, options=OPTIONS
        )
    assert demo.code_grants == 2


def test_an_unreachable_oauth_server(demo: DemoPortal, port: int) -> None:
    dead = f"http://127.0.0.1:{free_port()}/oauth/token/"
    request = request_for(demo, oauth_server=dead)
    with pytest.raises(ConnectionRefused) as info:
        sign_in_with_browser(request, ScriptedBrowser(), port=port, timeout=10, options=OPTIONS)
    assert info.value.exit_code == 4
    assert_no_secret(secrets_of(demo), str(info.value))


def test_a_scope_without_biconnector_is_a_warning(demo: DemoPortal, port: int) -> None:
    demo.scope = "crm,user"
    result = sign_in_with_browser(
        request_for(demo), ScriptedBrowser(), port=port, timeout=10, options=OPTIONS
    )
    [warning] = result.warnings
    assert "crm, user" in warning
    assert "biconnector" in warning


# --- the listener -----------------------------------------------------------------------------


def test_the_listener_keeps_waiting_past_stray_requests(demo: DemoPortal, port: int) -> None:
    with BrowserSignIn(request_for(demo), port=port) as sign_in, httpx.Client() as browser:
        base = f"http://127.0.0.1:{port}"
        assert browser.get(f"{base}/favicon.ico").status_code == 404
        stray = browser.get(f"{base}{CALLBACK_PATH}")
        assert (stray.status_code, stray.text.strip()) == (400, PAGE_NO_CODE)
        ScriptedBrowser()(sign_in.authorize_url)
        redirect = sign_in.wait(10)
        again = browser.get(f"{base}{CALLBACK_PATH}?code=x&state={sign_in.state}")
        assert again.text.strip() == PAGE_FINISHED
        assert again.headers["referrer-policy"] == "no-referrer"
    assert redirect.code
    assert redirect.domain == f"127.0.0.1:{demo.port}"
    assert redirect.scope == "biconnector"
    assert redirect.server_domain == "oauth.bitrix.info"
    assert redirect.member_id


def test_each_sign_in_has_its_own_state(demo: DemoPortal, port: int) -> None:
    request = request_for(demo)
    first, second = BrowserSignIn(request, port=port), BrowserSignIn(request, port=port)
    assert first.state != second.state
    assert len(first.state) >= 32


# --- the paste fallback -----------------------------------------------------------------------


@pytest.fixture
def remote_handler(demo: DemoPortal) -> str:
    """An application whose handler is its own server: the browser lands there, not here."""
    demo.redirect_uri = "https://app.example.com/bitrix/handler.php?from=portal"
    return demo.redirect_uri


def landed_address(demo: DemoPortal, state: str) -> str:
    browser = ScriptedBrowser(follow=False)
    browser(demo.authorize_url(state))
    assert browser.last.status_code == 302
    return browser.last.headers["location"]


def test_paste_the_address_the_browser_landed_on(demo: DemoPortal, remote_handler: str) -> None:
    address = landed_address(demo, "s1")
    assert address.startswith(remote_handler + "&")
    result = exchange_pasted_redirect(address, request_for(demo), state="s1", options=OPTIONS)
    assert isinstance(result, SignInResult)
    assert result.credential.access_token == demo.access_token
    with BitrixClient(result.credential, OPTIONS) as client:
        assert client.get_source(6).connection.id == 6


def test_paste_the_query_or_the_code_alone(demo: DemoPortal, remote_handler: str) -> None:
    query = landed_address(demo, "s2").split("?", 1)[1]
    exchange_pasted_redirect(query, request_for(demo), options=OPTIONS)
    code = parse_redirect(landed_address(demo, "s3")).code
    assert code is not None
    exchange_pasted_redirect(f"  {code}\n", request_for(demo), options=OPTIONS)
    assert demo.code_grants == 2


def test_a_pasted_address_with_another_state_is_refused(
    demo: DemoPortal, remote_handler: str
) -> None:
    address = landed_address(demo, "old-sign-in")
    with pytest.raises(StateMismatch):
        exchange_pasted_redirect(address, request_for(demo), state="this-sign-in")
    assert demo.code_grants == 0


def test_a_pasted_denial(demo: DemoPortal, remote_handler: str) -> None:
    demo.authorize_outcome = "deny"
    with pytest.raises(AccessNotGranted):
        exchange_pasted_redirect(landed_address(demo, "s"), request_for(demo), state="s")


@pytest.mark.parametrize(
    "text",
    ["", "   ", "https://app.example.com/handler?state=x", "https://app.example.com/handler"],
)
def test_a_paste_without_a_code(demo: DemoPortal, text: str) -> None:
    with pytest.raises(BadRedirect) as info:
        exchange_pasted_redirect(text, request_for(demo))
    assert info.value.exit_code == 2
    assert demo.requests == []


def test_a_paste_is_never_quoted(demo: DemoPortal) -> None:
    secret_code = "c0de-that-must-not-show"
    with pytest.raises(BadRedirect) as info:
        exchange_pasted_redirect(f"code={secret_code}&code=other", request_for(demo))
    assert secret_code not in str(info.value)


# --- addresses and requests -------------------------------------------------------------------


def test_authorize_url_of_a_bare_host_is_https() -> None:
    url = authorize_url("example.bitrix24.com", "local.abc.def", "st8")
    assert url == "https://example.bitrix24.com/oauth/authorize/?client_id=local.abc.def&state=st8"
    assert authorize_url("http://127.0.0.1:8080", "app.1", "s").startswith(
        "http://127.0.0.1:8080/oauth/authorize/?"
    )


def test_where_the_code_is_exchanged() -> None:
    named = sign_in_request("example.bitrix24.com", "id", "secret", "https://oauth.example/token/")
    bare = sign_in_request("example.bitrix24.com", "id", "secret")
    bitrix = Redirect(code="c", server_domain="oauth.bitrix24.tech")
    elsewhere = Redirect(code="c", server_domain="evil.example")
    assert named.token_url(bitrix) == "https://oauth.example/token/"
    assert bare.token_url(bitrix) == "https://oauth.bitrix24.tech/oauth/token/"
    # The client secret never goes where a browser redirect alone points.
    assert bare.token_url(elsewhere) == DEFAULT_OAUTH_SERVER
    assert bare.token_url() == DEFAULT_OAUTH_SERVER


@pytest.mark.parametrize(
    ("portal", "client_id", "secret", "server"),
    [
        ("", "id", "secret", ""),
        ("example.bitrix24.com", "", "secret", ""),
        ("example.bitrix24.com", "id with space", "secret", ""),
        ("example.bitrix24.com", "id", "", ""),
        ("example.bitrix24.com", "id", "secret", "http://oauth.example/token/"),
    ],
)
def test_sign_in_request_checks_its_input(
    portal: str, client_id: str, secret: str, server: str
) -> None:
    with pytest.raises(InvalidCredential) as info:
        sign_in_request(portal, client_id, secret, server)
    assert isinstance(info.value, InputError)


def test_reprs_hold_no_secret() -> None:
    request = sign_in_request("example.bitrix24.com", "local.1", "the-client-secret")
    redirect = Redirect(code="the-code-value", state="the-state-value", domain="x")
    assert "the-client-secret" not in repr(request)
    assert "the-code-value" not in repr(redirect)
    assert "the-state-value" not in repr(redirect)


def test_a_renamed_portal_is_reported_not_followed(demo: DemoPortal, port: int) -> None:
    # A token server that names the portal under its new address.
    grant = {
        "access_token": "access-token-value",
        "refresh_token": "refresh-token-value",
        "expires_in": 3600,
        "client_endpoint": "https://new-name.bitrix24.com/rest/",
        "domain": "oauth.bitrix.info",
        "scope": "biconnector",
    }
    with ScriptedServer(json_reply(grant)) as server:
        request = request_for(demo, oauth_server=f"{server.url}/oauth/token/")
        result = sign_in_with_browser(
            request, ScriptedBrowser(), port=port, timeout=10, options=OPTIONS
        )
        [sent] = server.requests
    assert sent.query["grant_type"] == "authorization_code"
    assert sent.query["client_id"] == demo.client_id
    assert result.credential.portal.origin == demo.base_url
    assert result.moved_to == "https://new-name.bitrix24.com"
    assert result.followed().portal.origin == "https://new-name.bitrix24.com"
    [warning] = result.warnings
    assert "new-name.bitrix24.com" in warning
    assert "renamed" in warning


def test_a_grant_without_refresh_token_is_not_renewable(demo: DemoPortal, port: int) -> None:
    grant = {"access_token": "access-token-value", "scope": "biconnector"}
    with ScriptedServer(json_reply(grant)) as server:
        request = request_for(demo, oauth_server=f"{server.url}/oauth/token/")
        result = sign_in_with_browser(
            request, ScriptedBrowser(), port=port, timeout=10, options=OPTIONS
        )
    assert not result.credential.can_refresh
    assert any("no refresh token" in w for w in result.warnings)
