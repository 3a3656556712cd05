"""The core's texts in Russian: tables built at import time, errors, plurals, the browser page.

The language is chosen at start-up, after every module was imported, so these tests install
Russian only once the core is loaded, as the program does, and check that what the user
reads follows it (and goes back to English when English is installed again).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from servers import free_port

from inspector import i18n
from inspector.core.client.decoder import size_text
from inspector.core.client.envelope import interpret_answer
from inspector.core.errors import BadResponse, InvalidSourceId, NoRedirect, PortalError
from inspector.core.explanations import EMPTY_SOURCE_LIST, EXPLANATIONS, portal_error
from inspector.core.hosts import display_host
from inspector.core.inputs import parse_source_id
from inspector.core.signin import BrowserSignIn, sign_in_request
from inspector.core.signin_address import handler_url


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    i18n.install(i18n.SOURCE_LANGUAGE)


def test_explanation_tables_follow_a_language_chosen_after_import() -> None:
    not_found = EXPLANATIONS["SOURCE_NOT_FOUND"]
    assert not_found.message.startswith("Source not found")
    i18n.install("ru")
    assert not_found.message.startswith("Источник не найден")
    assert "токен приложения" in not_found.hint
    assert EXPLANATIONS["EXPIRED_TOKEN"].message.startswith("Срок действия токена доступа истёк")
    assert "Аналитическом центре" in EMPTY_SOURCE_LIST.message
    i18n.install("en")
    assert not_found.message.startswith("Source not found")


def test_portal_errors_read_in_russian_with_their_details_kept() -> None:
    i18n.install("ru")
    denied = portal_error("ACCESS_DENIED", "", 200, via_webhook=False)
    assert "«Доступ к BI-конструктору»" in denied.message
    assert denied.code == "ACCESS_DENIED"  # protocol words stay as the portal sent them
    odd = portal_error("SOMETHING_ODD", "Odd thing", 400, via_webhook=True)
    assert odd.message == "Портал ответил ошибкой SOMETHING_ODD («Odd thing»)."
    assert odd.hint.startswith("Повторите попытку")
    with pytest.raises(PortalError) as raised:
        interpret_answer(
            400,
            b'{"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}',
            via_webhook=True,
            secrets=(),
        )
    # The portal's own words are shown beside the explanation, untranslated.
    assert str(raised.value).startswith("Слишком много запросов")
    assert "(Ответ портала: «Too many requests»)" in str(raised.value)


def test_an_errors_str_is_russian() -> None:
    i18n.install("ru")
    with pytest.raises(InvalidSourceId) as raised:
        parse_source_id("abc")
    assert str(raised.value) == (
        "ID источника должен быть целым положительным числом (только цифры). Например: 6."
    )
    with pytest.raises(BadResponse) as bad:
        interpret_answer(200, b"<html>login</html>", via_webhook=True, secrets=())
    assert bad.value.message == "Портал прислал веб-страницу вместо JSON (HTTP 200)."


def test_warnings_are_whole_russian_sentences() -> None:
    i18n.install("ru")
    shown, warning = display_host("аррӏе.com")
    assert warning is not None
    assert warning.startswith("Осторожно: адрес портала написан кириллическими буквами")
    assert shown in warning


@pytest.mark.parametrize(
    ("size", "expected"),
    [(1, "1 байт"), (2, "2 байта"), (5, "5 байт"), (11, "11 байт"), (22, "22 байта")],
)
def test_russian_plural_forms_in_sizes(size: int, expected: str) -> None:
    i18n.install("ru")
    assert size_text(size) == expected


@pytest.mark.parametrize(("timeout", "within"), [(0, "за 0 секунд"), (1, "за 1 секунду")])
def test_russian_plural_forms_in_the_sign_in_wait(timeout: int, within: str) -> None:
    i18n.install("ru")
    port = free_port()
    request = sign_in_request("https://example.bitrix24.ru", "local.abc.123", "s3cr3t-value")
    with pytest.raises(NoRedirect) as raised:
        BrowserSignIn(request, port=port).wait(timeout)
    assert raised.value.message == f"Браузер не вернулся в инспектор {within}."
    assert handler_url(port) in raised.value.hint


def test_the_browser_page_is_served_in_the_chosen_language() -> None:
    port = free_port()
    request = sign_in_request("https://example.bitrix24.ru", "local.abc.123", "s3cr3t-value")
    with BrowserSignIn(request, port=port) as sign_in:
        i18n.install("ru")  # after the listener started: the page is translated as served
        page = httpx.get(sign_in.handler_url, timeout=5)
    assert page.status_code == 400
    assert page.text.startswith("В этом адресе нет кода входа.")


def test_pseudo_language_marks_every_part_of_a_core_message() -> None:
    i18n.install(i18n.PSEUDO_LANGUAGE)
    error = portal_error("", "", 500, via_webhook=True)
    assert error.message.startswith(i18n.PSEUDO_OPEN) and error.message.endswith(i18n.PSEUDO_CLOSE)
    assert error.hint.startswith(i18n.PSEUDO_OPEN)
