"""The error tree: source id parsing, every documented Bitrix24 code explained, exit codes."""

from __future__ import annotations

import json
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.core import errors
from inspector.core.client.envelope import interpret_answer
from inspector.core.errors import (
    BadResponse,
    Cancelled,
    ConnectionRefused,
    HostNotFound,
    InputError,
    InspectorError,
    InvalidCredential,
    InvalidSourceId,
    MissingCredential,
    NetworkError,
    NoUsableAnswer,
    PortalError,
    Redirected,
    RequestTimeout,
    TLSFailure,
)
from inspector.core.explanations import (
    code_grant_error,
    explain_status,
    portal_error,
    sign_in_refused,
)
from inspector.core.inputs import parse_source_id

CODE = "k7q2x9m4p1w8z5n3"
TOKEN = "a3f9c1e7b2d84f6a9c0e5b7d1f3a8c2e00000071000002a1b2c3d4e5f6a7b8c9d0"

# --- parse_source_id ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_id", "expected"),
    [
        ("6", 6),
        (" 6 ", 6),
        ("\t6\n", 6),
        (6, 6),
        ("007", 7),
        ("0" * 5000 + "6", 6),
        ("2147483647", 2147483647),
        (2147483647, 2147483647),
    ],
)
def test_source_id_accepted(given_id: str | int, expected: int) -> None:
    assert parse_source_id(given_id) == expected


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("0", id="zero"),
        pytest.param("000", id="zeros"),
        pytest.param(0, id="int-zero"),
        pytest.param("-1", id="negative"),
        pytest.param(-1, id="int-negative"),
        pytest.param("+6", id="plus"),
        pytest.param("1.5", id="decimal"),
        pytest.param("6.0", id="decimal-zero"),
        pytest.param("1e3", id="exponent"),
        pytest.param("6a", id="suffix"),
        pytest.param("0x6", id="hex"),
        pytest.param("6 6", id="two-numbers"),
        pytest.param("1_000", id="underscore"),
        pytest.param("٣", id="arabic-indic-digit"),
        pytest.param("６", id="fullwidth-digit"),
        pytest.param("²", id="superscript"),
        pytest.param("2147483648", id="above-int32"),
        pytest.param(2**31, id="int-above-int32"),
        pytest.param("9" * 30, id="huge"),
        pytest.param("9" * 5000, id="5000-digits"),
        pytest.param("0" * 5000, id="5000-zeros"),
        pytest.param(10**5000, id="int-5000-digits"),
        pytest.param("6\x00", id="nul"),
    ],
)
def test_source_id_rejected(bad: str | int) -> None:
    with pytest.raises(InvalidSourceId) as info:
        parse_source_id(bad)
    assert info.value.exit_code == 2
    assert info.value.message
    assert len(str(info.value)) < 300  # a huge input is not echoed back


@settings(max_examples=120, deadline=None)
@given(st.one_of(st.text(max_size=40), st.integers()))
def test_source_id_only_ever_raises_invalid_source_id(value: str | int) -> None:
    try:
        result = parse_source_id(value)
    except InvalidSourceId:
        return
    assert 1 <= result <= 2**31 - 1


# --- portal_error: every documented code ---------------------------------------------------

# (code, the documentation's message text): spec §4.2, §8.1 and §8.2.
SOURCE_GET_CODES = [
    ("ACCESS_DENIED", "Access denied."),
    ("VALIDATION_ID_NOT_PROVIDED", "ID is missing."),
    ("VALIDATION_INVALID_ID_FORMAT", "ID has to be a positive integer."),
    ("SOURCE_NOT_FOUND", "Source was not found."),
    ("CONNECTOR_NOT_FOUND", "Connector was not found."),
]
SYSTEM_CODES_OLDER = [
    ("INTERNAL_SERVER_ERROR", "Internal server error", 500),
    ("ERROR_UNEXPECTED_ANSWER", "Server returned an unexpected response", 500),
    ("QUERY_LIMIT_EXCEEDED", "Too many requests", 503),
    ("ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage", 405),
    ("ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded", 400),
    ("NO_AUTH_FOUND", "Wrong authorization data", 401),
    ("INVALID_REQUEST", "Https required", 400),
    ("OVERLOAD_LIMIT", "REST API is blocked due to overload", 503),
    ("ACCESS_DENIED", "REST API is available only on commercial plans", 403),
    ("INVALID_CREDENTIALS", "Invalid request credentials", 403),
    ("ERROR_MANIFEST_IS_NOT_AVAILABLE", "Manifest is not available", 404),
    (
        "insufficient_scope",
        "The request requires higher privileges than provided by the webhook token",
        403,
    ),
    ("expired_token", "The access token provided has expired", 401),
    ("user_access_error", "The user does not have access to the application", 403),
    ("PORTAL_DELETED", "Portal was deleted", 500),
    ("OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit", 429),
]
SYSTEM_CODES_NEWEST = [
    ("INTERNAL_SERVER_ERROR", "Internal server error", 500),
    ("ERROR_UNEXPECTED_ANSWER", "Server returned an unexpected response", 500),
    ("QUERY_LIMIT_EXCEEDED", "Too many requests", 503),
    ("OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit", 429),
    ("NO_AUTH_FOUND", "Wrong authorization data", 401),
    ("INVALID_REQUEST", "Https required", 401),
    ("OVERLOAD_LIMIT", "REST API is blocked due to overload", 401),
    ("ACCESS_DENIED", "REST is available only on commercial plans", 401),
    ("INVALID_CREDENTIALS", "Invalid request credentials", 401),
    ("ERROR_METHOD_NOT_FOUND", "Method not found!", 404),
    (
        "insufficient_scope",
        "The request requires higher privileges than provided by the access token",
        401,
    ),
    ("expired_token", "The access token provided has expired", 401),
    ("user_access_error", "The user does not have access to the application", 401),
    ("PORTAL_DELETED", "Portal was deleted", 403),
]
ALL_DOCUMENTED = (
    [(code, text, 200) for code, text in SOURCE_GET_CODES]
    + SYSTEM_CODES_OLDER
    + SYSTEM_CODES_NEWEST
)


@pytest.mark.parametrize("via_webhook", [True, False], ids=["webhook", "oauth"])
@pytest.mark.parametrize(("code", "text", "status"), ALL_DOCUMENTED)
def test_every_documented_code_is_explained(
    code: str, text: str, status: int, via_webhook: bool
) -> None:
    exc = portal_error(code, text, status, via_webhook=via_webhook)
    assert isinstance(exc, PortalError)
    assert exc.exit_code == 3
    assert exc.code == code
    assert exc.description == text
    assert exc.http_status == status
    # A sentence written for this code, not the generic fallback that just names it.
    assert "answered with error" not in exc.message
    assert code not in exc.message
    assert len(exc.message.split()) >= 5
    assert exc.message.endswith((".", ")"))
    assert len(exc.hint.split()) >= 4
    assert str(exc) == f"{exc.message} {exc.hint}"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("VALIDATION_ID_NOT_PROVIDED", ["id"]),
        ("VALIDATION_INVALID_ID_FORMAT", ["positive whole number"]),
        ("SOURCE_NOT_FOUND", ["not found", "another application"]),
        ("CONNECTOR_NOT_FOUND", ["connector"]),
        ("QUERY_LIMIT_EXCEEDED", ["too many requests"]),
        ("OPERATION_TIME_LIMIT", ["blocked", "time limit"]),
        ("NO_AUTH_FOUND", ["authorization"]),
        ("INVALID_REQUEST", ["https"]),
        ("OVERLOAD_LIMIT", ["overload"]),
        ("INVALID_CREDENTIALS", ["credentials", "access token"]),
        ("ERROR_METHOD_NOT_FOUND", ["biconnector"]),
        ("insufficient_scope", ["scope"]),
        ("expired_token", ["expired"]),
        ("user_access_error", ["access to the application"]),
        ("PORTAL_DELETED", ["deleted"]),
        ("INTERNAL_SERVER_ERROR", ["internal error"]),
    ],
)
def test_explanations_say_what_the_code_means(code: str, words: list[str]) -> None:
    exc = portal_error(code, "", 200, via_webhook=False)
    text = str(exc).lower()
    for word in words:
        assert word in text


@pytest.mark.parametrize("code", ["expired_token", "EXPIRED_TOKEN", "Expired_Token"])
def test_codes_match_whatever_their_case(code: str) -> None:
    assert "expired" in portal_error(code, "", 401, via_webhook=False).message


def test_access_denied_differs_for_webhook_and_oauth() -> None:
    webhook = portal_error("ACCESS_DENIED", "Access denied.", 200, via_webhook=True)
    oauth = portal_error("ACCESS_DENIED", "Access denied.", 200, via_webhook=False)
    assert webhook.message != oauth.message
    text = str(webhook).lower()
    # biconnector refuses webhooks: the user must switch to an application's OAuth token.
    assert "webhook" in text
    assert "oauth" in text
    assert "application" in text
    assert "biconnector" in text
    oauth_text = str(oauth).lower()
    assert "bi builder" in oauth_text
    assert "analytics hub" in oauth_text


def test_source_not_found_may_belong_to_another_application() -> None:
    exc = portal_error("SOURCE_NOT_FOUND", "Source was not found.", 200, via_webhook=False)
    assert "another application" in exc.message
    assert "application" in exc.hint


def test_unknown_code_keeps_code_and_sanitised_description() -> None:
    exc = portal_error(
        "BRAND_NEW_CODE", "Something \x1b[31mnew\x1b[0m\u202e happened.", 418, via_webhook=False
    )
    assert exc.code == "BRAND_NEW_CODE"
    assert "BRAND_NEW_CODE" in exc.message
    assert "Something new happened." in exc.message
    assert exc.description == "Something new happened."
    assert exc.hint
    assert exc.http_status == 418


def test_empty_code_with_description() -> None:
    # The newest docs: an error with an empty code, explained only by its description.
    exc = portal_error("", "All the fields are required.", 200, via_webhook=False)
    assert exc.code == ""
    assert "All the fields are required." in exc.message
    assert "without a code" in exc.message
    assert exc.hint


@pytest.mark.parametrize(("code", "description"), [(None, None), ("", ""), (None, "")])
def test_no_code_and_no_description_still_says_something(code: object, description: object) -> None:
    exc = portal_error(code, description, 500, via_webhook=False)
    assert exc.message.startswith("The portal reported an error")
    assert exc.hint


@pytest.mark.parametrize(
    ("code", "description"),
    [
        (123, ["not", "text"]),
        ({"nested": "dict"}, 4.5),
        (True, None),
    ],
)
def test_odd_json_types_do_not_crash(code: object, description: object) -> None:
    exc = portal_error(code, description, 200, via_webhook=True)
    assert isinstance(exc, PortalError)
    assert exc.message


@pytest.mark.parametrize("via_webhook", [True, False])
def test_secrets_in_descriptions_are_redacted(via_webhook: bool) -> None:
    description = (
        f"Webhook https://portal.example.com/rest/1/{CODE}/profile is gone; "
        f'auth={TOKEN}; token {TOKEN}; {{\'x\': 1, "auth": "{TOKEN}"}}'
    )
    for code in ("SOME_UNKNOWN_CODE", "", "SOURCE_NOT_FOUND"):
        exc = portal_error(code, description, 200, via_webhook=via_webhook, secrets=(CODE, TOKEN))
        for text in (exc.message, exc.hint, exc.description, str(exc), repr(exc)):
            assert CODE not in text
            assert TOKEN not in text


def test_secret_shapes_are_redacted_even_without_the_secret_list() -> None:
    description = f"call https://p.example/rest/1/{CODE}/x failed, auth={TOKEN}"
    exc = portal_error("WHATEVER", description, 200, via_webhook=True)
    assert CODE not in str(exc)
    assert TOKEN not in str(exc)


def test_secret_in_the_code_itself_is_redacted() -> None:
    exc = portal_error(f"BAD_{TOKEN}", "", 200, via_webhook=False, secrets=(TOKEN,))
    assert TOKEN not in str(exc)
    assert TOKEN not in exc.code


@pytest.mark.parametrize(
    "hostile",
    [
        "\x1b[2J\x1b[31mfake prompt\x1b[0m",
        "\x1b]0;window title\x07",
        "abc\u202edcba",
        "\u2066isolated\u2069 text",
        "zero\u200bwidth\u200d",
        "nul\x00byte\x07bell",
        "lone \ud800 surrogate",
        "line\nbreak\rreturn",
    ],
)
def test_hostile_descriptions_are_sanitised(hostile: str) -> None:
    exc = portal_error("WEIRD", hostile, 200, via_webhook=False)
    for text in (exc.message, exc.description):
        assert "\x1b" not in text
        assert not any(ch in text for ch in "\u202e\u2066\u2069\u200b\u200d\x00\x07\n\r")
        text.encode("utf-8")  # no lone surrogate left


def test_long_descriptions_and_codes_are_cut() -> None:
    exc = portal_error("X" * 10_000, "y" * 100_000, 200, via_webhook=False)
    assert len(exc.code) <= 100
    assert len(exc.description) <= 500
    assert len(exc.message) < 1000


# --- HTTP statuses without a code ----------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 418, 429, 500, 502, 503, 504, 599])
def test_explain_status(status: int) -> None:
    explanation = explain_status(status)
    assert explanation.message
    assert explanation.hint
    if status not in (429,):
        assert str(status) in explanation.message


# --- the tree and exit codes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "exit_code"),
    [
        (InvalidSourceId, 2),
        (InvalidCredential, 2),
        (MissingCredential, 2),
        (ConnectionRefused, 4),
        (HostNotFound, 4),
        (TLSFailure, 4),
        (RequestTimeout, 4),
        (NetworkError, 4),
        (BadResponse, 4),
    ],
)
def test_exit_codes(cls: type[InspectorError], exit_code: int) -> None:
    exc = cls("Something happened.", "Do something.")
    assert exc.exit_code == exit_code
    assert isinstance(exc, InspectorError)
    assert isinstance(exc, InputError if exit_code == 2 else NoUsableAnswer)
    assert str(exc) == "Something happened. Do something."


def test_exit_codes_of_the_other_branches() -> None:
    assert portal_error("X", "", 200, via_webhook=False).exit_code == 3
    assert Redirected("m", "h", "https://x/").exit_code == 4
    assert BadResponse("m", http_status=502).http_status == 502
    assert isinstance(Cancelled(), InspectorError)
    assert not isinstance(Cancelled(), InputError | NoUsableAnswer | PortalError)
    assert str(Cancelled()) == "Cancelled."


def test_message_without_hint_has_no_trailing_space() -> None:
    assert str(NetworkError("Broken.")) == "Broken."


def test_module_docstring_draws_every_public_error_class() -> None:
    doc = errors.__doc__ or ""
    for name in dir(errors):
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, InspectorError):
            assert name in doc, name


# --- what real portals say (spec §17) ------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("via_webhook", [True, False], ids=["webhook", "oauth"])
def test_plan_level_access_denied_is_a_plan_problem(status: int, via_webhook: bool) -> None:
    description = "REST is available only on commercial plans."
    exc = portal_error("ACCESS_DENIED", description, status, via_webhook=via_webhook)
    text = str(exc).lower()
    assert "plan" in text
    assert "switch to oauth" not in text
    assert "use oauth" not in text
    assert "will not help" in exc.hint
    assert f"“{description}”" in exc.message  # the portal's own words, beside the explanation


@pytest.mark.parametrize(
    "description",
    ["REST is available only by subscription", "Access denied! Available only on extended plans"],
)
def test_plan_words_inside_result_are_a_plan_problem_too(description: str) -> None:
    exc = portal_error("ACCESS_DENIED", description, 200, via_webhook=True)
    assert "plan" in exc.message
    assert "webhook" not in exc.message.lower()


def test_permission_access_denied_keeps_its_wording_and_shows_the_portals_words() -> None:
    exc = portal_error("ACCESS_DENIED", "Access denied.", 200, via_webhook=False)
    assert "Analytics Hub" in exc.message
    assert "The portal said" not in exc.message  # its words open the explanation already
    words = "Current user can't be authorized in this context"
    exc = portal_error("ACCESS_DENIED", words, 200, via_webhook=False)
    assert "Analytics Hub" in exc.message
    assert exc.message.endswith(f"(The portal said: “{words}”)")


@pytest.mark.parametrize(
    ("code", "description"),
    [
        (
            "insufficient_scope",
            "The request requires higher privileges than provided by the webhook token",
        ),
        ("VALIDATION_SELECT_TYPE", 'Parameter "select" must be array.'),
        ("ERROR_ARGUMENT", 'Invalid order "UPWARDS"'),
        ("expired_token", "The access token provided has expired."),
    ],
)
def test_the_portals_description_is_shown(code: str, description: str) -> None:
    exc = portal_error(code, description, 400, via_webhook=False, method="biconnector.source.list")
    assert description in exc.message


def test_the_portals_words_are_sanitised_bounded_and_redacted() -> None:
    token = "tok-0123456789abcdef"
    exc = portal_error(
        "ACCESS_DENIED",
        f"Denied\x1b[31m for {token} " + "x" * 1000,
        200,
        via_webhook=False,
        secrets=(token,),
    )
    assert "\x1b" not in exc.message
    assert token not in exc.message
    assert len(exc.message) < 600
    assert "…”" in exc.message


def test_a_description_that_repeats_the_code_is_not_shown_twice() -> None:
    exc = portal_error("INVALID_REQUEST", "invalid_request", 400, via_webhook=False)
    assert "The portal said" not in exc.message


@pytest.mark.parametrize(
    ("method", "must", "must_not"),
    [
        ("biconnector.source.get", "no source ID", "connector"),
        ("", "no source ID", "connector"),
        ("biconnector.connector.get", "no connector ID", "no source ID"),
        ("biconnector.source.list", "source list", "no source ID"),
    ],
)
def test_validation_errors_are_worded_for_the_method(method: str, must: str, must_not: str) -> None:
    exc = portal_error(
        "VALIDATION_ID_NOT_PROVIDED", "ID is missing.", 200, via_webhook=False, method=method
    )
    assert must in exc.message
    assert must_not not in exc.message


def test_connector_id_format_is_the_connectors() -> None:
    exc = portal_error(
        "VALIDATION_INVALID_ID_FORMAT",
        "ID has to be a positive integer.",
        200,
        via_webhook=False,
        method="biconnector.connector.get",
    )
    assert "connector ID" in exc.message


def test_list_validation_errors_name_the_list() -> None:
    exc = portal_error(
        "VALIDATION_SELECT_TYPE",
        'Parameter "select" must be array.',
        200,
        via_webhook=False,
        method="biconnector.source.list",
    )
    assert "source list" in exc.message
    assert "biconnector.source.list" in exc.message
    assert "report" in exc.hint


def test_invalid_credentials_over_oauth_speaks_of_tokens() -> None:
    oauth = portal_error(
        "INVALID_CREDENTIALS", "Invalid request credentials", 401, via_webhook=False
    )
    webhook = portal_error(
        "INVALID_CREDENTIALS", "Invalid request credentials", 401, via_webhook=True
    )
    assert "webhook" not in str(oauth).lower()
    assert "access token" in oauth.message
    assert "Sign in" in oauth.hint
    assert "webhook" in str(webhook).lower()


def test_the_method_reaches_the_wording_through_the_envelope() -> None:
    body = json.dumps(
        {"result": {"error": {"error": "VALIDATION_ID_NOT_PROVIDED", "error_description": "x"}}}
    ).encode()
    with pytest.raises(PortalError) as info:
        interpret_answer(
            200, body, via_webhook=False, secrets=(), method="biconnector.connector.get"
        )
    assert "no connector ID" in info.value.message
    with pytest.raises(PortalError) as info:
        interpret_answer(200, body, via_webhook=False, secrets=())
    assert "no source ID" in info.value.message


def test_sign_in_errors_have_their_exit_codes() -> None:
    assert code_grant_error("invalid_grant", "", 400).exit_code == 3
    assert "30 seconds" in code_grant_error("invalid_grant", "", 400).message
    assert "client secret" in code_grant_error("INVALID_CLIENT", "", 401).message
    assert "BRAND_NEW" in code_grant_error("BRAND_NEW", "", 400).message
    denied = sign_in_refused("access_denied", "The user denied access.")
    assert denied.exit_code == 3
    assert "The user denied access." in denied.message
    other = sign_in_refused("server_error", "")
    assert "server_error" in other.message
    assert errors.NoRedirect("m").exit_code == 4
    assert errors.PortInUse("m", "h", 5).exit_code == 2
    assert errors.StateMismatch("m").exit_code == 2
    assert errors.BadRedirect("m").exit_code == 2


def test_a_worker_thread_decodes_in_turns_and_the_main_thread_at_full_speed() -> None:
    # Off the main thread the decoder runs Python once per object, so that the window's
    # thread can take the GIL during a 5 MB answer; the command line's main thread need not.
    from inspector.core.client import envelope

    seen: list[object] = []
    worker = threading.Thread(target=lambda: seen.append(envelope._decoder_hook()))
    worker.start()
    worker.join()
    assert seen == [envelope._let_other_threads_run]
    assert envelope._decoder_hook() is None
    body = b'{"result": {"a": {"b": [1, {"c": 2}]}}}'
    decoded: list[object] = []
    worker = threading.Thread(
        target=lambda: decoded.append(interpret_answer(200, body, via_webhook=True, secrets=()))
    )
    worker.start()
    worker.join()
    assert decoded == [interpret_answer(200, body, via_webhook=True, secrets=())]
    assert decoded == [json.loads(body)]
