"""OAuth token renewal over real sockets: the demo portal's token server and scripted ones.

The contract (spec §10.2): on ``expired_token`` a renewable credential is refreshed once at
the OAuth server, the rotated credential is handed to the caller (who saves it in the
keychain), and the call is repeated once. Never ahead of a call, never without a way to
persist the new refresh token, never twice for one call.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from typing import Any

import keyring
import keyring.errors
import pytest
from memory_keyring import MemoryKeyring
from servers import ScriptedServer, json_reply, redirect, text_reply

from inspector.__main__ import build_parser
from inspector.cli import run_get
from inspector.core.client import BitrixClient
from inspector.core.credentials import (
    DEFAULT_OAUTH_SERVER,
    OAuthCredential,
    credential_from_storage,
    make_oauth_credential,
)
from inspector.core.errors import (
    BadResponse,
    Cancelled,
    InvalidCredential,
    MissingCredential,
    PortalError,
    Redirected,
    TokenRefreshFailed,
)
from inspector.core.keychain import CredentialStore
from inspector.core.masking import install_log_redaction
from inspector.core.options import RequestOptions
from inspector.demo.portal import DEMO_SOURCES, DemoPortal

OPTIONS = RequestOptions(connect_timeout=5, read_timeout=5)
GET = "biconnector.source.get"
SECRET_LIKE = "client-s3cret-unknown-to-the-portal"


@pytest.fixture(autouse=True)
def _no_proxy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def portal() -> Iterator[DemoPortal]:
    with DemoPortal() as p:
        yield p


def renewable(portal: DemoPortal, **changes: str) -> OAuthCredential:
    fields = {
        "client_id": portal.client_id,
        "client_secret": portal.client_secret,
        "refresh_token": portal.refresh_token,
        "oauth_server": portal.oauth_server_url,
    }
    fields.update(changes)
    return make_oauth_credential(portal.base_url, portal.access_token, **fields)


def token_requests(portal: DemoPortal) -> list[Any]:
    return [r for r in portal.requests if r.path.startswith("/oauth/token")]


# --- the credential ------------------------------------------------------------------------


def test_renewal_fields_are_secrets_and_survive_storage(portal: DemoPortal) -> None:
    cred = renewable(portal)
    assert cred.can_refresh
    assert set(cred.secrets()) == {portal.access_token, portal.client_secret, portal.refresh_token}
    shown = repr(cred) + cred.display() + str(cred)
    for secret in cred.secrets():
        assert secret not in shown
    assert "renewable" in cred.display()
    again = credential_from_storage(cred.to_storage())
    assert isinstance(again, OAuthCredential)
    assert again.client_id == portal.client_id
    assert again.client_secret == portal.client_secret
    assert again.refresh_token == portal.refresh_token
    assert again.oauth_server == portal.oauth_server_url


def test_default_oauth_server_and_plain_token_credential() -> None:
    cred = make_oauth_credential("example.bitrix24.com", "tok3n-value")
    assert cred.oauth_server == DEFAULT_OAUTH_SERVER == "https://oauth.bitrix.info/oauth/token/"
    assert not cred.can_refresh
    assert cred.secrets() == ("tok3n-value",)
    assert "oauth_server" not in cred.to_storage()


def test_partial_renewal_fields_are_refused() -> None:
    with pytest.raises(InvalidCredential, match="all three"):
        make_oauth_credential("example.bitrix24.com", "tok", client_id="app", client_secret="s")


def test_plain_http_oauth_server_elsewhere_is_refused() -> None:
    with pytest.raises(InvalidCredential, match="https://"):
        make_oauth_credential(
            "example.bitrix24.com",
            "tok",
            client_id="app",
            client_secret="sec",
            refresh_token="ref",
            oauth_server="http://oauth.example.com/oauth/token/",
        )


# --- renewal over the demo portal ------------------------------------------------------------


def test_expired_token_is_renewed_once_and_rotation_is_saved_in_the_keychain(
    portal: DemoPortal, memory_keyring: MemoryKeyring
) -> None:
    store = CredentialStore()
    first = renewable(portal)
    assert store.save("work", first.to_storage()).persisted
    loaded = credential_from_storage(store.load("work").secret or "")
    portal.expire_access_token()

    def persist(cred: OAuthCredential) -> None:
        assert store.save("work", cred.to_storage()).persisted

    with BitrixClient(loaded, OPTIONS, on_credential_renewed=persist) as client:
        source = client.get_source(6)
        assert source.connection.title == "Rest source SQL"
        assert client.credential.secrets()[0] == portal.access_token

    assert portal.token_refreshes == 1
    assert [(r.method, r.path.split("?")[0], r.status) for r in portal.requests] == [
        ("POST", f"/rest/{GET}", 401),
        ("GET", "/oauth/token/", 200),
        ("POST", f"/rest/{GET}", 200),
    ]
    saved = credential_from_storage(store.load("work").secret or "")
    assert isinstance(saved, OAuthCredential)
    assert saved.access_token == portal.access_token != first.access_token
    assert saved.refresh_token == portal.refresh_token != first.refresh_token
    assert saved.client_secret == first.client_secret

    # The next expiry renews from what the keychain holds now: rotation works twice.
    portal.expire_access_token()
    with BitrixClient(saved, OPTIONS, on_credential_renewed=persist) as client:
        assert client.get_source(7).connection.id == 7
    assert portal.token_refreshes == 2

    # The first refresh token was rotated away: the OAuth server refuses it.
    portal.expire_access_token()
    with (
        BitrixClient(first, OPTIONS, on_credential_renewed=persist) as client,
        pytest.raises(TokenRefreshFailed) as caught,
    ):
        client.get_source(6)
    assert caught.value.code == "invalid_grant"
    assert "180 days" in caught.value.message
    assert "refresh token" in caught.value.hint
    assert caught.value.exit_code == 3


def test_valid_token_is_never_refreshed(portal: DemoPortal) -> None:
    renewed: list[OAuthCredential] = []
    with BitrixClient(renewable(portal), OPTIONS, on_credential_renewed=renewed.append) as c:
        for source_id in (6, 7, 8):
            c.get_source(source_id)
        c.list_sources()
    assert renewed == [] and portal.token_refreshes == 0
    assert token_requests(portal) == []


def test_no_renewal_without_a_callback_to_persist_it(portal: DemoPortal) -> None:
    cred = renewable(portal)
    portal.expire_access_token()
    with BitrixClient(cred, OPTIONS) as client, pytest.raises(PortalError) as caught:
        client.get_source(6)
    assert caught.value.code == "expired_token"
    assert token_requests(portal) == []


def test_no_renewal_for_a_bare_access_token(portal: DemoPortal) -> None:
    cred = make_oauth_credential(portal.base_url, portal.access_token)
    portal.expire_access_token()
    renewed: list[OAuthCredential] = []
    with (
        BitrixClient(cred, OPTIONS, on_credential_renewed=renewed.append) as client,
        pytest.raises(PortalError) as caught,
    ):
        client.get_source(6)
    assert caught.value.code == "expired_token"
    assert "client ID, client secret and refresh token" in caught.value.hint
    assert renewed == [] and token_requests(portal) == []
    with pytest.raises(MissingCredential):
        BitrixClient(cred, OPTIONS).refresh()


def test_wrong_client_secret_is_explained(portal: DemoPortal) -> None:
    cred = renewable(portal, client_secret=SECRET_LIKE)
    portal.expire_access_token()
    with (
        BitrixClient(cred, OPTIONS, on_credential_renewed=lambda c: None) as client,
        pytest.raises(TokenRefreshFailed) as caught,
    ):
        client.get_source(6)
    error = caught.value
    assert error.code == "invalid_client"
    assert "client ID or client secret" in error.message
    assert "Copy the client ID and client secret again" in error.hint
    assert SECRET_LIKE not in str(error) + repr(error) + error.description


# --- the exact request, and odd token servers ------------------------------------------------


def test_refresh_request_is_a_get_with_the_documented_query(portal: DemoPortal) -> None:
    portal.expire_access_token()
    valid_now = portal.access_token  # what the "OAuth server" below hands out
    grant = {
        "access_token": valid_now,
        "expires": 1_900_000_000,
        "expires_in": 3600,
        "scope": "biconnector",
        "domain": "oauth.bitrix.info",
        "server_endpoint": "https://oauth.bitrix.info/rest/",
        "status": "L",
        "client_endpoint": f"{portal.base_url}/rest/",
        "member_id": "abc",
        "user_id": 1,
        "refresh_token": "rotated-refresh-token-0001",
    }
    with ScriptedServer(json_reply(grant)) as oauth:
        cred = make_oauth_credential(
            portal.base_url,
            "stale-access-token-0001",
            client_id="local.app.1",
            client_secret=SECRET_LIKE,
            refresh_token="old-refresh-token-0001",
            oauth_server=f"{oauth.url}/oauth/token/",
        )
        renewed: list[OAuthCredential] = []
        with BitrixClient(cred, OPTIONS, on_credential_renewed=renewed.append) as client:
            assert client.get_source(6).connection.id == 6
            assert client.last_token_grant is not None
            assert client.last_token_grant.expires_in == 3600
            assert client.last_token_grant.client_endpoint == f"{portal.base_url}/rest/"
        [request] = oauth.requests
    assert request.method == "GET"
    assert request.path == "/oauth/token/"
    assert request.body == b""
    assert request.query == {
        "grant_type": "refresh_token",
        "client_id": "local.app.1",
        "client_secret": SECRET_LIKE,
        "refresh_token": "old-refresh-token-0001",
    }
    assert [c.refresh_token for c in renewed] == ["rotated-refresh-token-0001"]
    assert renewed[0].access_token == valid_now
    # The client secret and refresh tokens went to the OAuth server only.
    seen_by_portal = repr(portal.requests)
    for secret in (SECRET_LIKE, "old-refresh-token-0001", "rotated-refresh-token-0001"):
        assert secret not in seen_by_portal


@pytest.mark.parametrize(
    "expired",
    [
        json_reply(
            {"error": "expired_token", "error_description": "The access token has expired."},
            status=401,
        ),
        json_reply({"result": {"error": {"error": "expired_token", "error_description": "x"}}}),
    ],
    ids=["http-401-root", "http-200-in-result"],
)
def test_both_expired_token_shapes_trigger_one_renewal(expired: Any) -> None:
    ok = json_reply({"result": {"item": DEMO_SOURCES[6]}, "time": {"start": 1.0}})
    grant = json_reply({"access_token": "fresh-access-0002", "refresh_token": "fresh-refresh-2"})
    with ScriptedServer([expired, ok]) as portal_srv, ScriptedServer(grant) as oauth:
        cred = make_oauth_credential(
            portal_srv.url,
            "stale-access-0002",
            client_id="app",
            client_secret=SECRET_LIKE,
            refresh_token="refresh-0002",
            oauth_server=oauth.url + "/oauth/token/",
        )
        with BitrixClient(cred, OPTIONS, on_credential_renewed=lambda c: None) as client:
            assert client.get_source(6).connection.title == "Rest source SQL"
        first, second = portal_srv.requests
        assert first.json()["auth"] == "stale-access-0002"
        assert second.json()["auth"] == "fresh-access-0002"
        assert len(oauth.requests) == 1


def test_renewal_happens_at_most_once_per_call() -> None:
    expired = json_reply({"error": "expired_token", "error_description": "expired"}, status=401)
    grant = json_reply({"access_token": "still-not-good-0003", "refresh_token": "r-0003"})
    with ScriptedServer(expired) as portal_srv, ScriptedServer(grant) as oauth:
        cred = make_oauth_credential(
            portal_srv.url,
            "stale-0003",
            client_id="app",
            client_secret=SECRET_LIKE,
            refresh_token="refresh-0003",
            oauth_server=oauth.url + "/oauth/token/",
        )
        renewed: list[OAuthCredential] = []
        with (
            BitrixClient(cred, OPTIONS, on_credential_renewed=renewed.append) as client,
            pytest.raises(PortalError) as caught,
        ):
            client.get_source(6)
        assert caught.value.code == "expired_token"
        assert len(portal_srv.requests) == 2
        assert len(oauth.requests) == 1
        assert len(renewed) == 1


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (text_reply("<html>login</html>", status=200), "web page"),
        (json_reply({"expires_in": 3600}), "without an access token"),
        (json_reply({"access_token": "has spaces in it"}), "cannot be used"),
        (json_reply({"error": "invalid_request", "error_description": "bad"}, 400), "malformed"),
        (json_reply({"error": "SOMETHING_NEW"}, 400), "SOMETHING_NEW"),
    ],
)
def test_unusable_token_answers_are_explained(reply: Any, expected: str) -> None:
    expired = json_reply({"error": "expired_token"}, status=401)
    with ScriptedServer(expired) as portal_srv, ScriptedServer(reply) as oauth:
        cred = make_oauth_credential(
            portal_srv.url,
            "stale-0004",
            client_id="app",
            client_secret=SECRET_LIKE,
            refresh_token="refresh-0004",
            oauth_server=oauth.url + "/oauth/token/",
        )
        with (
            BitrixClient(cred, OPTIONS, on_credential_renewed=lambda c: None) as client,
            pytest.raises((BadResponse, TokenRefreshFailed)) as caught,
        ):
            client.get_source(6)
        assert expected in caught.value.message
        for secret in (SECRET_LIKE, "refresh-0004", "stale-0004"):
            assert secret not in str(caught.value)
        assert len(portal_srv.requests) == 1  # no retry after a failed renewal


def test_token_server_redirect_is_not_followed() -> None:
    with ScriptedServer(json_reply({"access_token": "x"})) as elsewhere:
        with (
            ScriptedServer(json_reply({"error": "expired_token"}, status=401)) as portal_srv,
            ScriptedServer(redirect(elsewhere.url + "/oauth/token/")) as oauth,
        ):
            cred = make_oauth_credential(
                portal_srv.url,
                "stale-0005",
                client_id="app",
                client_secret=SECRET_LIKE,
                refresh_token="refresh-0005",
                oauth_server=oauth.url + "/oauth/token/",
            )
            with (
                BitrixClient(cred, OPTIONS, on_credential_renewed=lambda c: None) as client,
                pytest.raises(Redirected) as caught,
            ):
                client.get_source(6)
            assert "OAuth server" in caught.value.message
            assert caught.value.new_origin is None
        assert elsewhere.connections == 0


def test_the_refresh_url_is_redacted_in_logs(
    portal: DemoPortal, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    install_log_redaction(logging.getLogger())
    # Even if somebody turns httpx's URL logging back on, the secrets stay out.
    logging.getLogger("httpx").setLevel(logging.INFO)
    try:
        cred = renewable(portal)
        portal.expire_access_token()
        with BitrixClient(cred, OPTIONS, on_credential_renewed=lambda c: None) as client:
            client.get_source(6)
        assert "oauth/token" in caplog.text  # httpx did log the request
        for secret in (portal.client_secret, cred.refresh_token or "", portal.refresh_token):
            assert secret not in caplog.text
    finally:
        logging.getLogger("httpx").setLevel(logging.WARNING)


# --- the command line saves the renewed credential ----------------------------------------------


def test_cli_profile_is_renewed_and_saved_back(
    portal: DemoPortal, memory_keyring: MemoryKeyring
) -> None:
    store = CredentialStore()
    first = renewable(portal)
    store.save("prod", first.to_storage())
    portal.expire_access_token()
    out, err = io.StringIO(), io.StringIO()
    args = build_parser().parse_args(["get", "6", "--profile", "prod", "--no-connector"])
    assert run_get(args, out, err) == 0, err.getvalue()
    assert "Rest source SQL" in out.getvalue()
    assert "renewed and saved" in err.getvalue()
    saved = credential_from_storage(store.load("prod").secret or "")
    assert isinstance(saved, OAuthCredential)
    assert saved.refresh_token == portal.refresh_token != first.refresh_token
    for secret in (*first.secrets(), *saved.secrets()):
        assert secret not in out.getvalue() + err.getvalue()


def test_cli_token_from_environment_is_not_renewed(
    portal: DemoPortal, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = portal.access_token
    portal.expire_access_token()
    monkeypatch.setenv("B24_ACCESS_TOKEN", stale)
    out, err = io.StringIO(), io.StringIO()
    args = build_parser().parse_args(["get", "6", "--portal", portal.base_url])
    assert run_get(args, out, err) == 3
    assert "code: expired_token" in err.getvalue()
    assert token_requests(portal) == []


def test_the_demo_portal_records_no_token_or_secret(portal: DemoPortal) -> None:
    cred = renewable(portal)
    portal.expire_access_token()
    with BitrixClient(cred, OPTIONS, on_credential_renewed=lambda c: None) as client:
        client.get_source(6)
        renewed = client.credential
    recorded = repr(portal.requests)
    for secret in (*cred.secrets(), *renewed.secrets(), portal.client_secret):
        assert secret not in recorded
    assert "client_secret=•••" in recorded and "refresh_token=•••" in recorded


def test_cancel_during_renewal_still_delivers_the_rotated_tokens() -> None:
    """Once the OAuth server has rotated the refresh token, the old one is dead: a cancel
    that arrives while the renewal is in flight must not drop the new pair."""
    expired = json_reply({"error": "expired_token", "error_description": "expired"}, status=401)
    grant = json_reply(
        {"access_token": "rotated-access-0004", "refresh_token": "rotated-refresh-0004"},
        delay=1.0,
    )
    with ScriptedServer(expired) as portal_srv, ScriptedServer(grant) as oauth:
        cred = make_oauth_credential(
            portal_srv.url,
            "stale-0004",
            client_id="app",
            client_secret=SECRET_LIKE,
            refresh_token="refresh-0004",
            oauth_server=oauth.url + "/oauth/token/",
        )
        cancel = threading.Event()
        renewed: list[OAuthCredential] = []

        def cancel_once_the_renewal_is_in_flight() -> None:
            oauth.wait_for_requests(1, timeout=10)
            cancel.set()

        canceller = threading.Thread(target=cancel_once_the_renewal_is_in_flight)
        canceller.start()
        with (
            BitrixClient(
                cred, OPTIONS, cancel=cancel, on_credential_renewed=renewed.append
            ) as client,
            pytest.raises(Cancelled),
        ):
            client.get_source(6)
        canceller.join()
        assert cancel.is_set()
        assert [c.refresh_token for c in renewed] == ["rotated-refresh-0004"]
        assert len(portal_srv.requests) == 1  # the retry itself was cancelled


# --- limits: giant tokens, and a keychain that cannot take the new ones (issue 10) ----------


@pytest.mark.parametrize("field", ["access_token", "refresh_token"])
def test_a_giant_token_is_refused_before_anything_is_saved(
    field: str, memory_keyring: MemoryKeyring
) -> None:
    """A 3 MB refresh token used to keep the CLI busy for minutes writing keychain chunks."""
    grant = {"access_token": "fresh-0005", "refresh_token": "refresh-0006", "expires_in": 3600}
    grant[field] = "g" * (3 * 1024 * 1024)
    expired = json_reply({"error": "expired_token"}, status=401)
    with ScriptedServer(expired) as portal_srv, ScriptedServer(json_reply(grant)) as oauth:
        cred = make_oauth_credential(
            portal_srv.url,
            "stale-0005",
            client_id="app",
            client_secret=SECRET_LIKE,
            refresh_token="refresh-0005",
            oauth_server=oauth.url + "/oauth/token/",
        )
        renewed: list[OAuthCredential] = []
        with (
            BitrixClient(cred, OPTIONS, on_credential_renewed=renewed.append) as client,
            pytest.raises(BadResponse) as caught,
        ):
            client.get_source(6)
    assert "3,145,728 characters" in caught.value.message
    assert "at most 4,096" in caught.value.message
    assert "ggggggggggggggggggggggggggggggggggggggggggggggggggggggggg" not in str(caught.value)
    assert renewed == []
    assert memory_keyring.writes == 0


class ReadOnlyKeyring(MemoryKeyring):
    """Reads what it holds; refuses every write (a keychain that reads but cannot write)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"refused {password}")


def test_cli_keeps_the_refresh_token_when_the_keychain_cannot_write(
    portal: DemoPortal, memory_keyring: MemoryKeyring
) -> None:
    """The rotated refresh token used to be lost: spent, then not saved."""
    first = renewable(portal)
    CredentialStore().save("prod", first.to_storage())
    read_only = ReadOnlyKeyring()
    read_only.entries = dict(memory_keyring.entries)
    keyring.set_keyring(read_only)
    portal.expire_access_token()
    out, err = io.StringIO(), io.StringIO()
    args = build_parser().parse_args(["get", "6", "--profile", "prod", "--no-connector"])
    assert run_get(args, out, err) == 2, err.getvalue()
    text = err.getvalue()
    assert "keychain" in text and "refused to store" in text, text
    assert "still works" in text, text
    assert token_requests(portal) == []  # the refresh token was not spent
    assert portal.refresh_token == first.refresh_token
    saved = credential_from_storage(CredentialStore().load("prod").secret or "")
    assert isinstance(saved, OAuthCredential) and saved.refresh_token == first.refresh_token
    for secret in first.secrets():
        assert secret not in out.getvalue() + text
    # Once the keychain takes writes again, the same saved credential renews fine.
    memory_keyring.entries = dict(read_only.entries)
    keyring.set_keyring(memory_keyring)
    assert run_get(args, io.StringIO(), io.StringIO()) == 0
    assert len(token_requests(portal)) == 1
