"""Webhook URLs and OAuth credentials: every accepted form, every rejection, no secret shown."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.core.credentials import (
    OAuthCredential,
    WebhookCredential,
    credential_from_storage,
    make_oauth_credential,
    parse_portal,
    parse_webhook_url,
)
from inspector.core.errors import InputError, InvalidCredential

CODE = "k7q2x9m4p1w8z5n3"  # the shape Bitrix24 generates: 16 lower-case letters and digits
TOKEN = "a3f9c1e7b2d84f6a9c0e5b7d1f3a8c2e00000071000002a1b2c3d4e5f6a7b8c9d0"
METHOD = "biconnector.source.get"


def shown_forms(cred: WebhookCredential | OAuthCredential) -> list[str]:
    """Every way a credential can end up in front of a person or in a log."""
    return [repr(cred), str(cred), cred.display(), f"{cred!r}", repr(cred.portal), cred.host]


def assert_secret_free(exc: BaseException, *secrets: str) -> None:
    texts = [str(exc), repr(exc), getattr(exc, "message", ""), getattr(exc, "hint", "")]
    for secret in secrets:
        for text in texts:
            assert secret not in text


# --- webhook: accepted forms ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "origin", "user_id"),
    [
        (f"https://portal.example.com/rest/1/{CODE}", "https://portal.example.com", 1),
        (f"https://portal.example.com/rest/1/{CODE}/", "https://portal.example.com", 1),
        (f"https://portal.example.com/rest/1/{CODE}//", "https://portal.example.com", 1),
        (f"https://portal.example.com/rest/1/{CODE}/profile", "https://portal.example.com", 1),
        (f"https://portal.example.com/rest/1/{CODE}/profile.json", "https://portal.example.com", 1),
        (f"https://portal.example.com/rest/1/{CODE}/{METHOD}", "https://portal.example.com", 1),
        (
            f"https://portal.example.com/rest/1/{CODE}/{METHOD}.json",
            "https://portal.example.com",
            1,
        ),
        (f"http://onprem.local/rest/12/{CODE}/", "http://onprem.local", 12),
        (f"https://portal.example.com:8443/rest/1/{CODE}/", "https://portal.example.com:8443", 1),
        (f"http://10.0.0.5:8080/rest/7/{CODE}/", "http://10.0.0.5:8080", 7),
        (f"https://intranet.corp/bitrix/rest/3/{CODE}/", "https://intranet.corp/bitrix", 3),
        (f"https://corp.example/a/b/rest/3/{CODE}/", "https://corp.example/a/b", 3),
        (f"HTTPS://Portal.Example.COM/rest/1/{CODE}/", "https://portal.example.com", 1),
        (f"  https://portal.example.com/rest/1/{CODE}/\n", "https://portal.example.com", 1),
        (f"http://[::1]:8080/rest/1/{CODE}/", "http://[::1]:8080", 1),
        (
            f"https://b24-abc123.bitrix24.de/rest/1024/{CODE}/",
            "https://b24-abc123.bitrix24.de",
            1024,
        ),
    ],
)
def test_webhook_forms_are_accepted(text: str, origin: str, user_id: int) -> None:
    cred = parse_webhook_url(text)
    assert cred.kind == "webhook"
    assert cred.user_id == user_id
    assert cred.code == CODE
    assert cred.portal.origin == origin
    # Whatever was pasted after the code, the call goes to the method asked for.
    assert cred.endpoint(METHOD) == f"{origin}/rest/{user_id}/{CODE}/{METHOD}"
    assert cred.display() == f"{origin}/rest/{user_id}/•••/"
    assert cred.request_body({"id": 6}) == {"id": 6}
    assert cred.secrets() == (CODE,)
    for form in shown_forms(cred):
        assert CODE not in form


def test_webhook_request_body_is_a_copy() -> None:
    cred = parse_webhook_url(f"https://portal.example.com/rest/1/{CODE}/")
    params = {"id": 6}
    body = cred.request_body(params)
    body["x"] = 1
    assert params == {"id": 6}


# --- webhook: rejections -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("   \n", id="blank"),
        pytest.param(f"portal.example.com/rest/1/{CODE}/", id="no-scheme"),
        pytest.param(f"//portal.example.com/rest/1/{CODE}/", id="scheme-relative"),
        pytest.param(f"ftp://portal.example.com/rest/1/{CODE}/", id="ftp"),
        pytest.param(f"file:///rest/1/{CODE}/", id="file"),
        pytest.param(f"javascript://portal/rest/1/{CODE}/", id="javascript"),
        pytest.param(f"https:///rest/1/{CODE}/", id="no-host"),
        pytest.param(f"https://:443/rest/1/{CODE}/", id="port-no-host"),
        pytest.param(f"https://user:pass@portal.example.com/rest/1/{CODE}/", id="user-pass"),
        pytest.param(f"https://user@portal.example.com/rest/1/{CODE}/", id="user"),
        pytest.param(f"https://{CODE}@portal.example.com/rest/1/{CODE}/", id="code-as-user"),
        pytest.param(f"https://portal.example.com/rest/abc/{CODE}/", id="user-id-letters"),
        pytest.param(f"https://portal.example.com/rest/0/{CODE}/", id="user-id-zero"),
        pytest.param(f"https://portal.example.com/rest/00/{CODE}/", id="user-id-zeros"),
        pytest.param(f"https://portal.example.com/rest/-1/{CODE}/", id="user-id-negative"),
        pytest.param(f"https://portal.example.com/rest/1.5/{CODE}/", id="user-id-decimal"),
        pytest.param(f"https://portal.example.com/rest/٣/{CODE}/", id="user-id-arabic-digit"),
        pytest.param(f"https://portal.example.com/rest/１/{CODE}/", id="user-id-fullwidth"),
        pytest.param(f"https://portal.example.com/rest/{'9' * 5000}/{CODE}/", id="user-id-huge"),
        pytest.param("https://portal.example.com/rest/1/", id="no-code"),
        pytest.param("https://portal.example.com/rest/1", id="no-code-no-slash"),
        pytest.param(f"https://portal.example.com/rest//{CODE}/", id="no-user-id"),
        pytest.param("https://portal.example.com/rest/", id="rest-only"),
        pytest.param("https://portal.example.com/", id="no-rest"),
        pytest.param(f"https://portal.example.com/1/{CODE}/", id="no-rest-segment"),
        pytest.param(f"https://portal.example.com/rest/1/{CODE[:8]} {CODE[8:]}/", id="space"),
        pytest.param(f"https://portal.example.com/rest/1/{CODE}\t/", id="tab"),
        pytest.param(f"https://portal.example.com/rest/1/{CODE}\u00a0/", id="nbsp"),
        pytest.param(f"https://portal .example.com/rest/1/{CODE}/", id="space-in-host"),
        pytest.param(f"https://portal.example.com/rest/1/{CODE}/profile/extra", id="two-extra"),
        pytest.param(f"https://portal.example.com/rest/1/{CODE}/../../etc", id="dotdot"),
        pytest.param(f"https://portal.example.com/rest/1/{CODE}/1profile", id="bad-method"),
        pytest.param(f"https://portal.example.com/rest/1/{CODE}/<script>", id="junk-method"),
        pytest.param(f"https://portal.example.com/rest/1/{CODE}<b>/", id="angle-in-code"),
        pytest.param(f'https://portal.example.com/rest/1/{CODE}"/', id="quote-in-code"),
        pytest.param(f"https://portal.example.com/rest/1/{CODE}'/", id="apostrophe-in-code"),
        pytest.param(f"https://portal.example.com/rest/1/{CODE}%2F..%2F/", id="escape-in-code"),
        pytest.param(f"https://portal.example.com/rest/1/{CODE}\\x/", id="backslash-in-code"),
        pytest.param(f"https://portal.example.com/rest/1/кодкод{CODE}/", id="non-ascii-code"),
        pytest.param(f"https://portal.example.com/rest/1/{CODE}\x00/", id="nul-in-code"),
        pytest.param(f"https://portal\x00.example.com/rest/1/{CODE}/", id="nul-in-host"),
        pytest.param(f"https://portal<x>.example.com/rest/1/{CODE}/", id="angle-in-host"),
        pytest.param(f"https://portal.example.com:99999/rest/1/{CODE}/", id="port-too-big"),
        pytest.param(f"https://portal.example.com:0/rest/1/{CODE}/", id="port-zero"),
        pytest.param(f"https://portal.example.com:http/rest/1/{CODE}/", id="port-letters"),
        pytest.param(f"https://[::1/rest/1/{CODE}/", id="broken-ipv6"),
    ],
)
def test_webhook_rejections(text: str) -> None:
    with pytest.raises(InvalidCredential) as info:
        parse_webhook_url(text)
    exc = info.value
    assert exc.exit_code == 2
    assert isinstance(exc, InputError)
    assert exc.message.strip()
    # The message explains; it never quotes what was pasted (that holds the code).
    assert_secret_free(exc, CODE, text.strip() or "\x00never")


def test_webhook_rejection_messages_say_what_is_wrong() -> None:
    def message(text: str) -> str:
        with pytest.raises(InvalidCredential) as info:
            parse_webhook_url(text)
        return info.value.message.lower()

    assert "https://" in message(f"ftp://portal.example.com/rest/1/{CODE}/")
    assert "user name or password" in message(f"https://u:p@portal.example.com/rest/1/{CODE}/")
    assert "user id" in message(f"https://portal.example.com/rest/x/{CODE}/")
    assert "user id" in message(f"https://portal.example.com/rest/0/{CODE}/")
    assert "code" in message("https://portal.example.com/rest/1/")
    assert "spaces" in message(f"https://portal.example.com/rest/1/{CODE} x/")
    assert "after the secret code" in message(f"https://portal.example.com/rest/1/{CODE}/a/b")
    assert "/rest/" in message("https://portal.example.com/")


@settings(max_examples=120, deadline=None)
@given(st.text(max_size=80))
def test_webhook_parser_only_ever_raises_invalid_credential(text: str) -> None:
    try:
        cred = parse_webhook_url(text)
    except InvalidCredential:
        return
    assert cred.code and cred.code not in cred.display()


@settings(max_examples=120, deadline=None)
@given(
    st.from_regex(r"[a-z0-9]{8,32}", fullmatch=True),
    st.integers(min_value=1, max_value=10**6),
    st.sampled_from(["", "/", "/profile", f"/{METHOD}.json"]),
)
def test_webhook_round_trip_and_no_code_shown(code: str, user: int, tail: str) -> None:
    cred = parse_webhook_url(f"https://portal.example.com/rest/{user}/{code}{tail}")
    assert (cred.user_id, cred.code) == (user, code)
    for form in shown_forms(cred):
        assert code not in form
    assert credential_from_storage(cred.to_storage()) == cred


# --- OAuth ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("portal.example.com", "https://portal.example.com"),
        ("portal.example.com/", "https://portal.example.com"),
        ("  Portal.Example.com  ", "https://portal.example.com"),
        ("portal.example.com:8443", "https://portal.example.com:8443"),
        ("https://portal.example.com", "https://portal.example.com"),
        ("https://portal.example.com/", "https://portal.example.com"),
        ("https://portal.example.com/rest/", "https://portal.example.com"),
        ("https://portal.example.com/rest", "https://portal.example.com"),
        ("portal.example.com/rest/", "https://portal.example.com"),
        ("http://onprem.local", "http://onprem.local"),
        ("http://onprem.local:8080/rest/", "http://onprem.local:8080"),
        ("https://intranet.corp/bitrix/rest/", "https://intranet.corp/bitrix"),
        ("HTTPS://PORTAL.EXAMPLE.COM/REST/", "https://portal.example.com/REST"),
    ],
)
def test_oauth_portal_is_normalised(text: str, origin: str) -> None:
    cred = make_oauth_credential(text, TOKEN)
    assert cred.kind == "oauth"
    assert cred.portal.origin == origin
    assert cred.endpoint(METHOD) == f"{origin}/rest/{METHOD}"


def test_oauth_token_travels_in_the_body_never_in_the_url() -> None:
    cred = make_oauth_credential("portal.example.com", f"  {TOKEN}\n")
    assert cred.access_token == TOKEN
    assert TOKEN not in cred.endpoint(METHOD)
    assert "?" not in cred.endpoint(METHOD)
    assert cred.request_body({"id": 6}) == {"id": 6, "auth": TOKEN}
    assert cred.secrets() == (TOKEN,)
    for form in shown_forms(cred):
        assert TOKEN not in form
    assert cred.display() == "https://portal.example.com (OAuth token •••)"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param(f"{TOKEN[:20]} {TOKEN[20:]}", id="space"),
        pytest.param(f"{TOKEN[:20]}\n{TOKEN[20:]}", id="newline"),
        pytest.param(f"{TOKEN}\x00", id="nul"),
        pytest.param(f"{TOKEN}\x1b[0m", id="ansi"),
        pytest.param(f"токен{TOKEN}", id="non-ascii"),
        pytest.param(f"{TOKEN}\u200b", id="zero-width"),
    ],
)
def test_oauth_token_rejections(token: str) -> None:
    with pytest.raises(InvalidCredential) as info:
        make_oauth_credential("portal.example.com", token)
    assert info.value.message
    assert_secret_free(info.value, TOKEN)


@pytest.mark.parametrize(
    "portal",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("ftp://portal.example.com", id="ftp"),
        pytest.param("https://", id="no-host"),
        pytest.param("https:///rest/", id="no-host-rest"),
        pytest.param("user:pass@portal.example.com", id="user-pass"),
        pytest.param("https://user:pass@portal.example.com", id="user-pass-scheme"),
        pytest.param("portal example.com", id="space"),
        pytest.param("portal.example.com:99999", id="bad-port"),
        # A webhook URL pasted into the portal field must not become the "portal address":
        # its code would then be shown by display() as part of the address.
        pytest.param(f"https://portal.example.com/rest/1/{CODE}/", id="webhook-pasted"),
        pytest.param(f"portal.example.com/rest/1/{CODE}", id="webhook-pasted-no-scheme"),
    ],
)
def test_oauth_portal_rejections(portal: str) -> None:
    with pytest.raises(InvalidCredential) as info:
        make_oauth_credential(portal, TOKEN)
    assert info.value.message
    assert_secret_free(info.value, TOKEN, CODE)


def test_parse_portal_keeps_no_query_or_fragment() -> None:
    portal = parse_portal("https://portal.example.com/?auth=xyz#frag")
    assert portal.origin == "https://portal.example.com"


# --- storage -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cred",
    [
        parse_webhook_url(f"https://portal.example.com/rest/1/{CODE}/"),
        parse_webhook_url(f"http://intranet.corp:8080/bitrix/rest/42/{CODE}/profile"),
        make_oauth_credential("portal.example.com", TOKEN),
        make_oauth_credential("http://intranet.corp:8080/bitrix/rest/", TOKEN),
    ],
    ids=["webhook", "webhook-prefix-port", "oauth", "oauth-prefix-port"],
)
def test_storage_round_trip(cred: WebhookCredential | OAuthCredential) -> None:
    blob = cred.to_storage()
    assert cred.secrets()[0] in blob  # the keychain must get the secret
    again = credential_from_storage(blob)
    assert again == cred
    assert type(again) is type(cred)
    assert again.endpoint(METHOD) == cred.endpoint(METHOD)


@pytest.mark.parametrize(
    "blob",
    [
        "",
        "not json",
        "[]",
        "null",
        "42",
        '"webhook"',
        "{}",
        '{"kind": "other"}',
        '{"kind": "webhook"}',
        '{"kind": "oauth", "portal": "portal.example.com"}',
        json.dumps({"kind": "webhook", "url": f"ftp://x/rest/1/{CODE}/"}),
        json.dumps({"kind": "oauth", "portal": "portal.example.com", "token": f"a b{TOKEN}"}),
        '{"kind": ["webhook"], "url": 1}',
    ],
)
def test_storage_garbage_is_refused_without_echo(blob: str) -> None:
    with pytest.raises(InvalidCredential) as info:
        credential_from_storage(blob)
    assert_secret_free(info.value, CODE, TOKEN)


# --- plain HTTP to a remote host -----------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "remote_plain"),
    [
        ("https://portal.example.com", False),
        ("http://portal.example.com", True),
        ("http://10.0.0.5:8080", True),
        ("http://localhost:8080", False),
        ("http://LOCALHOST", False),
        ("http://127.0.0.1:8080", False),
        ("http://127.8.9.10", False),
        ("http://[::1]:8080", False),
        ("https://127.0.0.1", False),
    ],
)
def test_is_plain_http_remote(origin: str, remote_plain: bool) -> None:
    webhook = parse_webhook_url(f"{origin}/rest/1/{CODE}/")
    oauth = make_oauth_credential(origin, TOKEN)
    assert webhook.is_plain_http_remote is remote_plain
    assert oauth.is_plain_http_remote is remote_plain


def test_credentials_are_immutable_and_comparable() -> None:
    a = parse_webhook_url(f"https://portal.example.com/rest/1/{CODE}/")
    b = parse_webhook_url(f"https://portal.example.com/rest/1/{CODE}/profile.json")
    assert a == b
    assert hash(a) == hash(b)
    with pytest.raises(AttributeError):
        a.code = "x"  # type: ignore[misc]


@pytest.mark.parametrize("alphabet", [string.ascii_letters + string.digits + "_-"])
def test_codes_with_url_safe_characters_are_kept_exactly(alphabet: str) -> None:
    code = alphabet[:40]
    cred = parse_webhook_url(f"https://portal.example.com/rest/1/{code}/")
    assert cred.code == code
