"""Redaction of secrets, sanitising of server text, and log redaction on real handlers."""

from __future__ import annotations

import io
import logging
import random
import string
import time
import tracemalloc
import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.core.masking import (
    DEFAULT_MAX_LEN,
    MASK,
    SECRET_PLACEHOLDER,
    RedactingFilter,
    SecretSet,
    install_log_redaction,
    mask_outgoing,
    redact,
    safe_text,
    sanitize,
)

CODE = "k7q2x9m4p1w8z5n3"
TOKEN = "a3f9c1e7b2d84f6a9c0e5b7d1f3a8c2e00000071000002a1b2c3d4e5f6a7b8c9d0"

# --- redact --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"https://portal.example.com/rest/1/{CODE}/biconnector.source.get",
            "https://portal.example.com/rest/1/•••/biconnector.source.get",
        ),
        (
            f"POST https://portal.example.com/rest/12/{CODE} failed",
            "POST https://portal.example.com/rest/12/••• failed",
        ),
        (f"/rest/1/{CODE}?x=1", "/rest/1/•••?x=1"),
        (f"url='https://h/rest/1/{CODE}/'", "url='https://h/rest/1/•••/'"),
        (f'"https://h/rest/1/{CODE}/"', '"https://h/rest/1/•••/"'),
        (f"<https://h/rest/1/{CODE}/>", "<https://h/rest/1/•••/>"),
        (f"https://h/bitrix/rest/1/{CODE}/profile", "https://h/bitrix/rest/1/•••/profile"),
        (
            f"https://h/rest/biconnector.source.get?auth={TOKEN}",
            "https://h/rest/biconnector.source.get?auth=•••",
        ),
        (f"auth={TOKEN}&id=6", "auth=•••&id=6"),
        (f"id=6&AUTH={TOKEN}", "id=6&AUTH=•••"),
        (f"access_token={TOKEN}", "access_token=•••"),
        (f"refresh_token={TOKEN}&client_secret={CODE}", "refresh_token=•••&client_secret=•••"),
        (f'{{"id": 6, "auth": "{TOKEN}"}}', '{"id": 6, "auth": "•••"}'),
        (f'{{"auth":"{TOKEN}"}}', '{"auth":"•••"}'),
        ('{"auth": "tok\\"en"}', '{"auth": "•••"}'),
        (f'{{"access_token": "{TOKEN}", "x": 1}}', '{"access_token": "•••", "x": 1}'),
        (f'{{"refresh_token": "{TOKEN}"}}', '{"refresh_token": "•••"}'),
        (f"Authorization: Bearer {TOKEN}", "Authorization: Bearer •••"),
    ],
)
def test_redact_secret_shapes(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_python_reprs_of_request_bodies() -> None:
    # A debug log of a dict uses single quotes: log.debug("body %s", body).
    text = redact(f"body {{'id': 6, 'auth': '{TOKEN}'}}")
    assert TOKEN not in text
    assert "'id': 6" in text


@pytest.mark.parametrize(
    "text",
    [
        "Source 6 fetched from https://portal.example.com/rest/biconnector.source.get",
        "The portal answered HTTP 200 in 0.08 s",
        "author=Jane authority=x oauth_state=1",
        "rest/1 is a path without a code; /rest/ alone too",
        "Привет, мир! 你好 🌍",
        '{"id": 6, "title": "Rest source SQL"}',
        "",
    ],
)
def test_redact_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text


def test_redact_explicit_secrets_longest_first() -> None:
    text = f"a {TOKEN} b {TOKEN[:10]} c"
    assert redact(text, [TOKEN[:10], TOKEN]) == f"a {SECRET_PLACEHOLDER} b {SECRET_PLACEHOLDER} c"


def test_redact_explicit_secrets_ignores_empty_and_tiny() -> None:
    assert redact("a b c", ["", "b"]) == "a b c"


def test_redact_a_secret_anywhere() -> None:
    for text in (TOKEN, f"x{TOKEN}y", f"{TOKEN}\n{TOKEN}"):
        assert TOKEN not in redact(text, [TOKEN])


@settings(max_examples=100, deadline=None)
@given(
    st.from_regex(r"[a-z0-9]{8,32}", fullmatch=True),
    st.text(max_size=30),
    st.text(max_size=30),
)
def test_webhook_code_is_always_redacted_from_a_url(code: str, before: str, after: str) -> None:
    text = f"{before} https://portal.example.com/rest/1/{code}/profile {after}"
    assert f"/rest/1/{code}/" not in redact(text)


def test_redact_is_fast_on_big_and_pathological_text() -> None:
    started = time.perf_counter()
    redact("x" * 1_000_000, [TOKEN])
    redact('"auth": "' * 20_000)
    redact("auth=" * 50_000)
    redact("/rest/1/" * 50_000)
    assert time.perf_counter() - started < 2.0


# --- sanitize ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b[2J\x1b[Hclear", "clear"),
        ("\x1b]0;title\x07after", "after"),
        ("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("\x1bcreset", "creset"),  # ESC is gone; a lone "c" is harmless
        ("\x9b31mC1", "31mC1"),  # the C1 CSI is removed; the rest is harmless text
        ("abc\u202edcba", "abcdcba"),
        ("\u202a\u202b\u202c\u202d\u202e", ""),
        ("\u2066a\u2067b\u2068c\u2069", "abc"),
        ("\u200e\u200f\u061c", ""),
        ("zero\u200bwidth\u200c\u200d\u2060\ufeff", "zerowidth"),
        ("soft\u00adhyphen", "softhyphen"),
        ("nul\x00bell\x07del\x7f", "nulbelldel"),
        ("tab\there", "tab here"),
        ("line\nbreak", "line break"),
        ("cr\rlf", "cr lf"),
        ("lone \ud800 high", "lone \ufffd high"),
        ("lone \udfff low", "lone \ufffd low"),
        ("Привет 你好 🌍 café", "Привет 你好 🌍 café"),
    ],
)
def test_sanitize(text: str, expected: str) -> None:
    assert sanitize(text) == expected


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c"])
def test_sanitize_single_line_has_no_line_separators(separator: str) -> None:
    # Qt and many terminals break lines at U+2028/U+2029 too.
    result = sanitize(f"one{separator}two")
    assert separator not in result
    assert "one" in result and "two" in result


def test_sanitize_multi_line_keeps_newlines() -> None:
    assert sanitize("a\nb\tc\rd", single_line=False) == "a\nb\tc\nd"


def test_sanitize_cuts_long_text_with_an_ellipsis() -> None:
    result = sanitize("x" * 100_000)
    assert len(result) == DEFAULT_MAX_LEN
    assert result.endswith("…")
    assert len(sanitize("y" * 100_000, max_len=50)) == 50
    assert sanitize("short", max_len=50) == "short"
    assert sanitize("x" * 50, max_len=50) == "x" * 50


def test_sanitize_is_fast_on_huge_text() -> None:
    started = time.perf_counter()
    sanitize("\x1b[31m" * 200_000 + "x" * 1_000_000)
    sanitize("\u202e" * 1_000_000)
    assert time.perf_counter() - started < 3.0


@settings(max_examples=120, deadline=None)
@given(st.text(), st.integers(min_value=2, max_value=200))
def test_sanitize_output_is_always_safe(text: str, max_len: int) -> None:
    result = sanitize(text, max_len=max_len)
    assert len(result) <= max_len
    result.encode("utf-8")  # no lone surrogates
    assert "\x1b" not in result
    for ch in result:
        assert unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"), repr(ch)


def test_safe_text_redacts_and_sanitises() -> None:
    text = f"\x1b[31mhttps://h/rest/1/{CODE}/x\x1b[0m token {TOKEN}"
    result = safe_text(text, [TOKEN])
    assert CODE not in result
    assert TOKEN not in result
    assert "\x1b" not in result


@pytest.mark.parametrize("splitter", ["\u200b", "\x1b[0m", "\u202e", "\x00", "\u00ad"])
def test_safe_text_catches_a_secret_split_by_invisible_characters(splitter: str) -> None:
    # Sanitising removes the splitter; a secret must not reappear joined together.
    hidden = TOKEN[:10] + splitter + TOKEN[10:]
    assert TOKEN not in safe_text(f"echo: {hidden}", [TOKEN])
    code = CODE[:5] + splitter + CODE[5:]
    assert CODE not in safe_text(f"https://h/rest/1/{code}/x")


# --- MASK ----------------------------------------------------------------------------------


def test_mask_is_one_fixed_placeholder() -> None:
    assert MASK == "••••••••"
    assert SECRET_PLACEHOLDER not in ("", MASK)
    # Nothing in the placeholders depends on the value they hide.
    assert MASK.strip("•") == ""


# --- logging -------------------------------------------------------------------------------


@pytest.fixture
def logger_with_buffer() -> Iterator[tuple[logging.Logger, io.StringIO, logging.Handler]]:
    """An isolated logger with a real StreamHandler writing to a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger(f"test-masking-{id(buffer)}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield logger, buffer, handler
    finally:
        logger.removeHandler(handler)
        handler.close()


@pytest.fixture
def restore_library_log_levels() -> Iterator[None]:
    saved = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def test_filter_redacts_the_final_message(
    logger_with_buffer: tuple[logging.Logger, io.StringIO, logging.Handler],
) -> None:
    logger, buffer, handler = logger_with_buffer
    handler.addFilter(RedactingFilter())
    url = f"https://portal.example.com/rest/1/{CODE}/biconnector.source.get"
    logger.info('HTTP Request: POST %s "HTTP/1.1 200 OK"', url)
    logger.debug("body %s", f'{{"id": 6, "auth": "{TOKEN}"}}')
    logger.warning("query auth=%s", TOKEN)
    out = buffer.getvalue()
    assert CODE not in out
    assert TOKEN not in out
    assert "/rest/1/•••/biconnector.source.get" in out
    assert out.count("\n") == 3


def test_filter_with_explicit_secrets(
    logger_with_buffer: tuple[logging.Logger, io.StringIO, logging.Handler],
) -> None:
    logger, buffer, handler = logger_with_buffer
    handler.addFilter(RedactingFilter([TOKEN]))
    logger.info("echoed %s back", TOKEN)
    assert TOKEN not in buffer.getvalue()
    assert "echoed ••• back" in buffer.getvalue()


def test_filter_survives_a_broken_format_string(
    logger_with_buffer: tuple[logging.Logger, io.StringIO, logging.Handler],
) -> None:
    logger, buffer, handler = logger_with_buffer
    handler.addFilter(RedactingFilter())
    logger.info("two %s %s but one arg", f"https://h/rest/1/{CODE}/")
    out = buffer.getvalue()
    assert "two" in out
    assert CODE not in out


def test_filter_redacts_tracebacks(
    logger_with_buffer: tuple[logging.Logger, io.StringIO, logging.Handler],
) -> None:
    logger, buffer, handler = logger_with_buffer
    handler.addFilter(RedactingFilter([TOKEN]))
    try:
        raise RuntimeError(f"cannot reach https://h/rest/1/{CODE}/x with {TOKEN}")
    except RuntimeError:
        logger.exception("fetch failed")
    out = buffer.getvalue()
    assert "Traceback" in out
    assert "RuntimeError" in out
    assert CODE not in out
    assert TOKEN not in out


def test_filter_redacts_stack_info(
    logger_with_buffer: tuple[logging.Logger, io.StringIO, logging.Handler],
) -> None:
    logger, buffer, handler = logger_with_buffer
    handler.addFilter(RedactingFilter([TOKEN]))
    logger.info("where", stack_info=True)
    assert "Stack (most recent call last)" in buffer.getvalue()


def test_install_log_redaction_on_real_handlers(
    logger_with_buffer: tuple[logging.Logger, io.StringIO, logging.Handler],
    restore_library_log_levels: None,
) -> None:
    logger, buffer, handler = logger_with_buffer
    other = logging.StreamHandler(io.StringIO())
    logger.addHandler(other)
    try:
        logging.getLogger("httpx").setLevel(logging.DEBUG)
        logging.getLogger("httpcore").setLevel(logging.NOTSET)
        first = install_log_redaction(logger)
        again = install_log_redaction(logger)
        assert first is again  # idempotent: one filter, once per handler
        assert handler.filters.count(first) == 1
        assert other.filters.count(first) == 1
        assert logging.getLogger("httpx").level == logging.WARNING
        assert logging.getLogger("httpcore").level == logging.WARNING
        logger.info("GET https://h/rest/1/%s/profile", CODE)
        assert CODE not in buffer.getvalue()
        assert CODE not in other.stream.getvalue()
    finally:
        logger.removeHandler(other)


def test_install_log_redaction_on_the_root_logger(restore_library_log_levels: None) -> None:
    root = logging.getLogger()
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    root.addHandler(handler)
    saved_level = root.level
    try:
        root.setLevel(logging.DEBUG)
        redacting = install_log_redaction()
        logging.getLogger("inspector.anything").info("url /rest/7/%s/x", CODE)
        logging.getLogger("httpx").info("HTTP Request: POST /rest/1/%s/x", CODE)  # below WARNING
        assert CODE not in buffer.getvalue()
        assert "/rest/7/•••/x" in buffer.getvalue()
        assert "HTTP Request" not in buffer.getvalue()
    finally:
        root.removeHandler(handler)
        root.setLevel(saved_level)
        for h in root.handlers:
            if redacting in h.filters:
                h.removeFilter(redacting)


# --- the one rule for every output, and narrow terminals (issue 10) ---------------------------


def test_mask_outgoing_masks_every_known_secret_in_text_and_data() -> None:
    from inspector.core.masking import mask_outgoing

    secrets = ["tok3nSecretValue", 'quo"teSecret']
    assert mask_outgoing("title tok3nSecretValue here", secrets) == "title ••• here"
    data = {
        "title": "Replica tok3nSecretValue",
        "tok3nSecretValue": ['a quo"teSecret b', 7, 2.5, True, None],
        "nan": float("nan"),
        "inf": float("inf"),
        "-inf": float("-inf"),
    }
    masked = mask_outgoing(data, secrets)
    assert masked == {
        "title": "Replica •••",
        "•••": ["a ••• b", 7, 2.5, True, None],
        "nan": "NaN",
        "inf": "Infinity",
        "-inf": "-Infinity",
    }
    # Secret shapes too (a webhook path in a description), unless told not to (cURL).
    assert mask_outgoing("see /rest/1/abcdef/x", ()) == "see /rest/1/•••/x"
    assert mask_outgoing("/rest/1/${B24_WEBHOOK_CODE}/", (), shapes=False).endswith("CODE}/")


@pytest.mark.parametrize("encoding", ["latin-1", "koi8-r", "ascii", "cp1252", "no-such-codec"])
def test_for_encoding_never_fails_and_falls_back_to_an_ascii_mask(encoding: str) -> None:
    from inspector.core.masking import ASCII_MASK, for_encoding

    text = f"Title: “Склад” é ⚠ …\nPassword: {MASK}\nURL: /rest/1/{SECRET_PLACEHOLDER}/\n"
    fitted = for_encoding(text, encoding)
    fitted.encode(encoding if encoding != "no-such-codec" else "ascii")  # does not raise
    if "•".encode(encoding if encoding != "no-such-codec" else "ascii", "replace") == b"?":
        assert f"Password: {ASCII_MASK}" in fitted
        assert "/rest/1/***/" in fitted
    json_text = '{"title": "Склад ⚠", "value": "' + MASK + '"}'
    import json

    assert json.loads(for_encoding(json_text, encoding, json_text=True))["title"] == "Склад ⚠"
    assert for_encoding(text, "utf-8") is text


def test_overlapping_secrets_mask_the_longest_first() -> None:
    P = SECRET_PLACEHOLDER
    secrets = ["abcdef", "abcdefghij", "defghi"]
    assert mask_outgoing("x abcdefghij y", secrets, shapes=False) == f"x {P} y"
    assert mask_outgoing("x abcdefXYZ y", secrets, shapes=False) == f"x {P}XYZ y"
    # Overlapping at the edge: the leftmost secret wins, what is left of the other stays.
    assert mask_outgoing("zzdefghiab", secrets, shapes=False) == f"zz{P}ab"


def test_a_secret_inside_another_and_repeated_strings() -> None:
    P = SECRET_PLACEHOLDER
    data = {"outer": "keep-secretvalue-x", "inner": "secretvalue", "again": "secretvalue"}
    masked = mask_outgoing(data, ["secretvalue", "keep-secretvalue"])
    assert masked == {"outer": f"{P}-x", "inner": P, "again": P}


def test_fifty_thousand_values_are_all_masked() -> None:
    rnd = random.Random(50_000)
    values = ["".join(rnd.choice(string.ascii_letters) for _ in range(13)) for _ in range(50_000)]
    data = [{"code": f"k{i}", "note": f"copy of {v}", "value": v} for i, v in enumerate(values)]
    masked = mask_outgoing(data, values)
    for i in rnd.sample(range(len(values)), 200):
        assert masked[i]["value"] == "•••"
        assert masked[i]["note"] == "copy of •••"
        assert masked[i]["code"] == f"k{i}"


def _brute_force_replace(text: str, secrets: set[str]) -> str:
    """What ``SecretSet.replace`` must do, the slow obvious way: at each position the
    longest secret starting there is replaced, then the scan goes on after it."""
    usable = sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True)
    out, i = [], 0
    while i < len(text):
        hit = next((s for s in usable if text.startswith(s, i)), None)
        if hit is None:
            out.append(text[i])
            i += 1
        else:
            out.append(SECRET_PLACEHOLDER)
            i += len(hit)
    return "".join(out)


_SMALL_ALPHABET = st.text(alphabet="abcx", min_size=0, max_size=40)


@settings(max_examples=400, deadline=None)
@given(
    secrets=st.sets(st.text(alphabet="abcx", min_size=1, max_size=14), max_size=8),
    text=_SMALL_ALPHABET,
    compact=st.booleans(),
)
def test_the_sieve_never_lets_a_secret_through(secrets: set[str], text: str, compact: bool) -> None:
    # A tiny alphabet makes secrets overlap and recur, where the q-gram sieve (pieces at
    # every stride-th position) could be wrong if its arithmetic were off by one.
    hidden = SecretSet(secrets, compact=compact)
    assert hidden.replace(text) == _brute_force_replace(text, secrets)
    planted = "x" + "".join(sorted(secrets)) + "a"
    assert hidden.replace(planted) == _brute_force_replace(planted, secrets)


@settings(max_examples=400, deadline=None)
@given(
    secrets=st.sets(st.text(alphabet="ab]^\\-é", min_size=4, max_size=9), max_size=6),
    text=st.text(alphabet="ab]^\\-é x/.", min_size=0, max_size=60),
    compact=st.booleans(),
)
def test_texts_with_other_characters_are_ruled_out_exactly(
    secrets: set[str], text: str, compact: bool
) -> None:
    # The first filter looks for a run of the secrets' own characters (some of them special
    # in a regular expression's class) as long as the shortest secret; the text's other
    # characters (" ", "x", "/", ".") break runs. It must never rule out a text that holds
    # a secret, wherever that secret sits.
    hidden = SecretSet(secrets, compact=compact)
    assert hidden.replace(text) == _brute_force_replace(text, secrets)
    for secret in secrets:
        planted = f"{text[: len(text) // 2]}{secret}{text[len(text) // 2 :]}"
        assert hidden.replace(planted) == _brute_force_replace(planted, secrets)


def test_the_sieve_is_made_only_once_the_runs_have_paid_for_it() -> None:
    # Labels and sentences split into words shorter than any token: nothing to look at.
    # A few runs are looked up position by position; the sieve (four pieces per secret)
    # is made once the runs looked at would have cost about as much, and used after.
    P = SECRET_PLACEHOLDER
    tokens = [f"Tok{i:010d}" for i in range(2_000)]
    hidden = SecretSet(tokens)
    labels = " ".join(f"Declared key number {i}" for i in range(2_000))
    assert hidden.replace(labels) is labels
    assert hidden.replace(f"key {tokens[7]}.") == f"key {P}."
    assert hidden._sieve is None
    many = " ".join(tokens[:800])  # 800 runs of 13: more than 4 pieces of 2,000 secrets
    assert hidden.replace(many) == " ".join([P] * 800)
    assert hidden._sieve is not None
    assert hidden.replace(f"oo{tokens[9]}1x{tokens[1999]}") == f"oo{P}1x{P}"  # inside runs
    assert hidden.replace("Tok00000019990") == f"{P}0"
    assert hidden.replace("Tok000000199") == "Tok000000199"  # a run too short


@pytest.mark.parametrize("compact", [False, True])
def test_secrets_of_one_length_and_of_many(compact: bool) -> None:
    P = SECRET_PLACEHOLDER
    same = SecretSet(["tok-0000001", "tok-0000002"], compact=compact)
    assert same.replace("a tok-0000002 b tok-0000001") == f"a {P} b {P}"
    assert same.replace("a tok-0000003 b") == "a tok-0000003 b"
    mixed = SecretSet(["short1", "a-much-longer-secret"], compact=compact)
    assert mixed.replace("[a-much-longer-secret|short1]") == f"[{P}|{P}]"
    assert mixed.replace("a-much-longer-secreT short") == "a-much-longer-secreT short"
    assert sorted(mixed) == ["a-much-longer-secret", "short1"]


def test_a_compact_set_holds_little_beside_the_secrets() -> None:
    # A source's set is kept while it is shown: with 50,000 settings, four new sieve
    # pieces per value cost ~450 bytes per setting. The compact set keeps the caller's
    # strings and a hash table over them.
    rnd = random.Random(7)
    values = ["".join(rnd.choice(string.ascii_letters) for _ in range(13)) for _ in range(20_000)]
    mixed = [v + "x" * (i % 5) for i, v in enumerate(values)]

    letters = "Q" * 100_000  # a run of the secrets' letters long enough to make the sieve

    def bytes_per_secret(secrets: list[str], compact: bool) -> float:
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            hidden = SecretSet(secrets, compact=compact)
            assert not hidden.found_in(letters)
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert len(hidden) == len(secrets)
        return grown / len(secrets)

    assert bytes_per_secret(values, compact=True) < 60  # one hash table, no new strings
    assert bytes_per_secret(mixed, compact=True) < 200  # + one piece per longer secret
    assert bytes_per_secret(values, compact=False) > 3 * bytes_per_secret(values, compact=True)


def test_an_unchanged_text_is_returned_as_is() -> None:
    hidden = SecretSet(["secretvalue01", "another-secret-0002"])
    text = "Declared key number 12345, nothing secret here"
    assert hidden.replace(text) is text
    assert not hidden.found_in(text)
    assert hidden.found_in("x another-secret-0002 y")
