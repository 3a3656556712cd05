"""A renamed portal answers with a redirect to its new address (spec §13). The redirect is
never followed; ``Redirected.new_origin`` names the new address so the window can offer
to update the profile, and ``with_origin`` moves the credential once the user agreed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from servers import ScriptedServer, TestCA, json_reply, redirect

from inspector.core.client import BitrixClient
from inspector.core.credentials import (
    OAuthCredential,
    WebhookCredential,
    make_oauth_credential,
    parse_webhook_url,
)
from inspector.core.errors import Redirected
from inspector.core.options import RequestOptions
from inspector.demo.portal import DEMO_SOURCES, DemoPortal

OPTIONS = RequestOptions(connect_timeout=5, read_timeout=5)
SOURCE_6 = {"result": {"item": DEMO_SOURCES[6]}, "time": {"start": 1.0}}
CODE = "movedc0de123"


@pytest.fixture(autouse=True)
def _no_proxy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)


@pytest.fixture
def new_home() -> Iterator[ScriptedServer]:
    with ScriptedServer(json_reply(SOURCE_6)) as server:
        yield server


def moved(
    cred: WebhookCredential | OAuthCredential, options: RequestOptions = OPTIONS
) -> Redirected:
    with BitrixClient(cred, options) as client, pytest.raises(Redirected) as caught:
        client.get_source(6)
    return caught.value


def test_a_renamed_portal_is_recognised_and_the_profile_can_follow(
    new_home: ScriptedServer,
) -> None:
    with DemoPortal(moved_to=new_home.url) as old:
        cred = parse_webhook_url(f"{old.base_url}/rest/1/{CODE}/")
        error = moved(cred)
    assert error.new_origin == new_home.url
    assert new_home.connections == 0  # nothing, the code least of all, went there
    assert "moved to" in error.message and new_home.url in error.hint
    assert CODE not in error.message + error.hint + error.location

    # The user confirmed the new host: the same webhook, on the new address.
    moved_cred = cred.with_origin(error.new_origin or "")
    assert moved_cred.host == f"127.0.0.1:{new_home.port}"
    assert moved_cred.code == CODE and moved_cred.user_id == 1
    with BitrixClient(moved_cred, OPTIONS) as client:
        assert client.get_source(6).connection.title == "Rest source SQL"
    [request] = new_home.requests
    assert request.path == f"/rest/1/{CODE}/biconnector.source.get"


def test_an_oauth_profile_moves_with_its_renewal_fields(new_home: ScriptedServer) -> None:
    with DemoPortal(moved_to=new_home.url) as old:
        cred = make_oauth_credential(
            old.base_url,
            "moved-token-0001",
            client_id="app",
            client_secret="moved-secret-0001",
            refresh_token="moved-refresh-0001",
            oauth_server=old.oauth_server_url,
        )
        error = moved(cred)
    assert error.new_origin == new_home.url
    moved_cred = cred.with_origin(new_home.url)
    assert moved_cred.portal.origin == new_home.url
    assert moved_cred.secrets() == cred.secrets()
    assert moved_cred.oauth_server == cred.oauth_server
    with BitrixClient(moved_cred, OPTIONS) as client:
        client.get_source(6)
    assert new_home.requests[0].json() == {"id": 6, "auth": "moved-token-0001"}


def test_a_new_address_with_a_path_prefix(new_home: ScriptedServer) -> None:
    target = f"{new_home.url}/b24/rest/1/{CODE}/biconnector.source.get"
    with ScriptedServer(redirect(target, status=301)) as old:
        error = moved(parse_webhook_url(f"{old.url}/rest/1/{CODE}/"))
    assert error.new_origin == f"{new_home.url}/b24"
    assert CODE not in error.location


@pytest.mark.parametrize(
    "location",
    ["/auth/?backurl=/rest/", "https://login.example/sso", "/rest/1/othercode/x"],
    ids=["login-page", "other-host-other-path", "other-rest-path"],
)
def test_other_redirects_are_not_a_move(location: str) -> None:
    with ScriptedServer(redirect(location)) as old:
        error = moved(parse_webhook_url(f"{old.url}/rest/1/{CODE}/"))
    assert error.new_origin is None
    assert "was not followed" in error.message


def test_no_move_is_suggested_from_https_to_http(new_home: ScriptedServer) -> None:
    ca = TestCA()
    path = f"/rest/1/{CODE}/biconnector.source.get"
    with ScriptedServer(redirect(new_home.url + path), tls=ca.server_context()) as old:
        options = RequestOptions(connect_timeout=5, read_timeout=5, verify=ca.client_context())
        error = moved(parse_webhook_url(f"{old.url}/rest/1/{CODE}/"), options)
    assert error.new_origin is None
    assert new_home.connections == 0
