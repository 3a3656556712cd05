"""Importing tokens an admin already has, in each shape Bitrix24 hands them to an application.

The imported credential is used against the demo portal over a real socket, and no
message or ``repr`` may show any part of the pasted text's secrets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from inspector.core.client import BitrixClient
from inspector.core.errors import InvalidCredential
from inspector.core.options import RequestOptions
from inspector.core.token_import import (
    FRAME_FIELDS,
    GET_AUTH,
    INSTALL_CALLBACK,
    OAUTH_ANSWER,
    import_tokens,
)
from inspector.demo.portal import DemoPortal

OPTIONS = RequestOptions(connect_timeout=5, read_timeout=5)
ACCESS = "access-0123456789abcdef"
REFRESH = "refresh-0123456789abcdef"
APP_TOKEN = "application-token-0123456789"


@pytest.fixture
def portal() -> Iterator[DemoPortal]:
    with DemoPortal() as running:
        yield running


def host_of(portal: DemoPortal) -> str:
    return f"127.0.0.1:{portal.port}"


def install_callback(portal: DemoPortal) -> str:
    return urlencode(
        {
            "event": "ONAPPINSTALL",
            "data[VERSION]": "1",
            "auth[access_token]": portal.access_token,
            "auth[expires]": "1767225600",
            "auth[expires_in]": "3600",
            "auth[scope]": "biconnector",
            "auth[domain]": host_of(portal),
            "auth[server_endpoint]": "https://oauth.bitrix.info/rest/",
            "auth[status]": "L",
            "auth[client_endpoint]": f"{portal.base_url}/rest/",
            "auth[member_id]": "0123456789abcdef0123456789abcdef",
            "auth[user_id]": "1",
            "auth[refresh_token]": portal.refresh_token,
            "auth[application_token]": APP_TOKEN,
        }
    )


def oauth_answer(portal: DemoPortal) -> str:
    return json.dumps(
        {
            "access_token": portal.access_token,
            "expires": 1767225600,
            "expires_in": 3600,
            "scope": "biconnector",
            "domain": "oauth.bitrix.info",
            "server_endpoint": "https://oauth.bitrix.info/rest/",
            "status": "L",
            "client_endpoint": f"{portal.base_url}/rest/",
            "member_id": "0123456789abcdef0123456789abcdef",
            "user_id": 1,
            "refresh_token": portal.refresh_token,
        }
    )


def frame_lines(portal: DemoPortal) -> str:
    # As a browser's developer tools list the frame's form data and query.
    return (
        f"AUTH_ID: {portal.access_token}\n"
        "AUTH_EXPIRES: 3600\n"
        f"REFRESH_ID: {portal.refresh_token}\n"
        "SERVER_ENDPOINT: https://oauth.bitrix.info/rest/\n"
        "member_id: 0123456789abcdef0123456789abcdef\n"
        "status: L\n"
        f"DOMAIN: {host_of(portal)}\n"
        "PROTOCOL: 0\n"
        "LANG: en\n"
    )


def frame_form(portal: DemoPortal) -> str:
    query = urlencode({"DOMAIN": host_of(portal), "PROTOCOL": "0", "LANG": "en", "APP_SID": "x"})
    body = urlencode(
        {
            "AUTH_ID": portal.access_token,
            "AUTH_EXPIRES": "3600",
            "REFRESH_ID": portal.refresh_token,
            "member_id": "0123456789abcdef0123456789abcdef",
        }
    )
    return f"https://app.example.com/index.php?{query}\n{body}"


def get_auth(portal: DemoPortal) -> str:
    return json.dumps(
        {
            "access_token": portal.access_token,
            "refresh_token": portal.refresh_token,
            "expires_in": 3600,
            "domain": host_of(portal),
            "member_id": "0123456789abcdef0123456789abcdef",
        }
    )


SHAPES = [
    (install_callback, INSTALL_CALLBACK, None),
    (oauth_answer, OAUTH_ANSWER, None),
    (frame_lines, FRAME_FIELDS, None),
    (frame_form, FRAME_FIELDS, None),
    (get_auth, GET_AUTH, "http://"),  # BX24.getAuth() names no scheme: the portal gives it
]


@pytest.mark.parametrize(
    ("paste", "shape", "scheme"), SHAPES, ids=lambda v: getattr(v, "__name__", v)
)
def test_each_shape_gives_a_working_renewable_credential(
    portal: DemoPortal, paste: object, shape: str, scheme: str | None
) -> None:
    assert callable(paste)
    text = paste(portal)
    expected = f"{scheme}{host_of(portal)}" if scheme else None
    imported = import_tokens(
        text,
        portal=expected,
        client_id=portal.client_id,
        client_secret=portal.client_secret,
        oauth_server=portal.oauth_server_url,
    )
    assert imported.shape == shape
    cred = imported.credential
    assert cred.portal.origin == portal.base_url
    assert cred.access_token == portal.access_token
    assert cred.refresh_token == portal.refresh_token
    assert cred.can_refresh
    assert imported.warnings == ()
    assert imported.expires_in == 3600
    with BitrixClient(cred, OPTIONS) as client:
        assert client.get_source(6).connection.id == 6
    for secret in (portal.access_token, portal.refresh_token, portal.client_secret, APP_TOKEN):
        assert secret not in repr(imported)


def test_a_renewal_works_with_imported_tokens(portal: DemoPortal) -> None:
    imported = import_tokens(
        oauth_answer(portal),
        client_id=portal.client_id,
        client_secret=portal.client_secret,
        oauth_server=portal.oauth_server_url,
    )
    portal.expire_access_token()
    renewed: list[object] = []
    with BitrixClient(imported.credential, OPTIONS, on_credential_renewed=renewed.append) as c:
        assert c.get_source(6).connection.id == 6
    assert len(renewed) == 1


def test_without_client_id_and_secret_the_token_is_not_renewable(portal: DemoPortal) -> None:
    imported = import_tokens(install_callback(portal))
    assert not imported.credential.can_refresh
    [warning] = imported.warnings
    assert "client ID and client secret" in warning


def test_a_token_without_refresh_lasts_an_hour() -> None:
    imported = import_tokens(json.dumps({"access_token": ACCESS, "domain": "a.bitrix24.com"}))
    assert imported.credential.portal.origin == "https://a.bitrix24.com"
    [warning] = imported.warnings
    assert "cannot be renewed" in warning


def test_the_oauth_servers_domain_is_not_the_portal() -> None:
    answer = json.dumps({"access_token": ACCESS, "domain": "oauth.bitrix.info"})
    with pytest.raises(InvalidCredential, match="which portal"):
        import_tokens(answer)
    imported = import_tokens(answer, portal="a.bitrix24.com")
    assert imported.credential.portal.origin == "https://a.bitrix24.com"


def test_tokens_of_another_portal_are_refused() -> None:
    text = json.dumps({"access_token": ACCESS, "domain": "b.bitrix24.com"})
    with pytest.raises(InvalidCredential) as info:
        import_tokens(text, portal="a.bitrix24.com")
    assert "b.bitrix24.com" in info.value.message
    assert ACCESS not in str(info.value)


def test_a_scope_without_biconnector_is_a_warning() -> None:
    text = urlencode(
        {"auth[access_token]": ACCESS, "auth[domain]": "a.bitrix24.com", "auth[scope]": "crm,user"}
    )
    imported = import_tokens(text)
    assert imported.shape == INSTALL_CALLBACK
    assert any("biconnector" in w for w in imported.warnings)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n",
        f"{{not json {ACCESS}",
        f'["{ACCESS}"]',
        f"refresh_token={REFRESH}&domain=a.bitrix24.com",
        f"just some text with {ACCESS} inside",
        f'{{"access_token": "{ACCESS} with space", "domain": "a.bitrix24.com"}}',
        f'{{"access_token": "{ACCESS}", "domain": "bad host!"}}',
        "x" * 70_000,
    ],
    ids=[
        "empty",
        "blank",
        "broken-json",
        "json-list",
        "no-access-token",
        "prose",
        "token-with-space",
        "bad-domain",
        "huge",
    ],
)
def test_unusable_pastes_are_refused_without_quoting_them(text: str) -> None:
    with pytest.raises(InvalidCredential) as info:
        import_tokens(text)
    exc = info.value
    assert exc.exit_code == 2
    for shown in (str(exc), repr(exc), exc.hint):
        assert ACCESS not in shown
        assert REFRESH not in shown
