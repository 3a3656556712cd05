"""How a portal's host is shown: a look-alike in its ASCII form with a warning (issue 10, 8)."""

from __future__ import annotations

import pytest

from inspector.core.hosts import display_host, shown_host


@pytest.mark.parametrize(
    "host",
    [
        "example.bitrix24.ru",
        "пример.рф",  # pure Cyrillic under a Cyrillic TLD: readable, like in a browser
        "портал.пример.рф",
        "müller.de",  # Latin with accents only
        "例え.jp",
        "127.0.0.1:8080",
        "[::1]:8443",
        "xn--e1afmkfd.xn--p1ai",  # already ASCII
    ],
)
def test_an_honest_host_is_shown_as_typed(host: str) -> None:
    assert display_host(host) == (host, None)


@pytest.mark.parametrize(
    ("host", "shown"),
    [
        ("bitrix24.cоm", "bitrix24.xn--cm-fmc"),  # Cyrillic "о" in "com"
        ("exаmple.bitrix24.ru", "xn--exmple-4nf.bitrix24.ru"),  # Cyrillic "а"
        ("exаmple.bitrix24.ru:8443", "xn--exmple-4nf.bitrix24.ru:8443"),
        ("аррӏе.com", "xn--80ak6aa92e.com"),  # all Cyrillic, all look-alikes, Latin TLD
        ("pαypal.com", "xn--pypal-d9d.com"),  # Greek alpha among Latin letters (as IDNA sends it)
        ("ｅxample.com", "xn--xample-hy68a.com"),  # a fullwidth e
        ("gıthub.com", "xn--gthub-n4a.com"),  # a dotless i
    ],
)
def test_a_look_alike_host_is_shown_in_ascii_with_a_warning(host: str, shown: str) -> None:
    text, warning = display_host(host)
    assert text == shown
    assert text.isascii()
    assert warning is not None
    assert shown in warning and "could pass for another site" in warning
    assert shown_host(host) == shown


def test_the_warning_names_the_reason() -> None:
    assert "different alphabets" in (display_host("bitrix24.cоm")[1] or "")
    assert "look like Latin" in (display_host("аррӏе.com")[1] or "")
    assert "made to look like another" in (display_host("ｅxample.com")[1] or "")


def test_bidi_and_invisible_characters_never_reach_the_text() -> None:
    text, warning = display_host("exa\u200dmple.com")
    assert text.isascii() and "\u200d" not in text and warning is not None


def test_a_request_error_names_a_look_alike_host_in_ascii() -> None:
    """The client's own messages (here: the name does not resolve) show the ASCII form too."""
    from inspector.core.client import BitrixClient
    from inspector.core.credentials import parse_webhook_url
    from inspector.core.errors import NoUsableAnswer
    from inspector.core.options import RequestOptions

    look_alike = "bitrix24-ex\u0430mple.invalid"  # a Cyrillic "а" among Latin letters
    credential = parse_webhook_url(f"https://{look_alike}/rest/1/abcdef123456/")
    options = RequestOptions(connect_timeout=2, read_timeout=2, retries=0)
    with pytest.raises(NoUsableAnswer) as caught, BitrixClient(credential, options) as client:
        client.get_source(6)
    assert look_alike not in str(caught.value)
    assert shown_host(look_alike) in str(caught.value)
    assert shown_host(look_alike).startswith("xn--")
