"""Property-based fuzzing of what enters from outside: the ID field, the webhook URL field
and the response parser. Only the program's own typed errors may come out (an
``InspectorError``), never an unhandled exception, and no input makes a secret visible.

The parser is fed whole HTTP answers (status, headers, body) through the real client on
an ``httpx.MockTransport``: arbitrary JSON, JSON shaped almost like a source, error
envelopes of every shape, and raw bytes. Whatever parses is then rendered every way the
program renders a source (masked JSON, the CLI tree, the window's tree model).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faults.fault_kit import CODE
from inspector.cli import render_tree
from inspector.core.client import BitrixClient
from inspector.core.credentials import Credential, make_oauth_credential, parse_webhook_url
from inspector.core.errors import InspectorError, InvalidCredential, InvalidSourceId
from inspector.core.export import masked_json
from inspector.core.inputs import parse_source_id
from inspector.core.masking import MASK
from inspector.core.model import CONNECTION_FIELDS, SETTING_FIELDS, TIME_FIELDS, Source
from inspector.core.options import RequestOptions
from inspector.ui.source_tree_model import SourceTreeModel

FUZZ = settings(max_examples=250, deadline=None, database=None)
WINDOW_FUZZ = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# --- the ID field ----------------------------------------------------------------------------

id_like = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\s*[+-]?0*[0-9]{1,25}\s*", fullmatch=True),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩０１２３¹²³ \t\n", max_size=20),  # other digits
)


@FUZZ
@given(st.one_of(id_like, st.integers(min_value=-(2**70), max_value=2**70)))
def fuzz_source_id_parser(text: Any) -> None:
    try:
        value = parse_source_id(text)
    except InvalidSourceId as exc:
        assert exc.message
    else:
        assert isinstance(value, int) and 0 < value <= 2**31 - 1


def test_fuzz_source_id_parser(ledger: Any) -> None:
    with ledger.case("fuzz/source-id-parser"):
        fuzz_source_id_parser()


@pytest.fixture
def fuzz_window(make_window: Any) -> Any:
    window = make_window()
    window.credentials_panel.webhook_field.set_text("")  # no credential: no request is sent
    return window


def test_fuzz_the_window_id_field(fuzz_window: Any, qtbot: Any, ledger: Any) -> None:
    with ledger.case("fuzz/window-id-field"):
        fuzz_id_field(fuzz_window, qtbot)


def fuzz_id_field(window: Any, qtbot: Any) -> None:
    @WINDOW_FUZZ
    @given(id_like)
    def run(text: str) -> None:
        edit = window.source_id_edit
        edit.clear()
        edit.insert(text)  # as typed: the validator decides what gets in
        assert edit.text() == "" or (edit.text().isdigit() and edit.text()[0] != "0")
        with qtbot.waitSignal(window.fetch_done, timeout=2000):
            window.fetch(text)  # as given programmatically: parsed, never trusted
        status = window.status_line.text()
        assert status and "\n" not in status and "Traceback" not in status
        assert not window.is_fetching

    run()


# --- the webhook URL field -------------------------------------------------------------------

codes = st.text(alphabet=st.characters(codec="utf-8"), min_size=12, max_size=40)
hosts = st.one_of(
    st.sampled_from(["portal.bitrix24.com", "127.0.0.1", "[::1]", "b24.example:8443", ""]),
    st.text(max_size=20),
)
webhook_like = st.one_of(
    st.text(max_size=120),
    st.builds(
        lambda scheme, host, user, code, tail: f"{scheme}{host}/rest/{user}/{code}/{tail}",
        st.sampled_from(["https://", "http://", "ftp://", "", "https:/", "HTTPS://"]),
        hosts,
        st.one_of(st.integers(-5, 10**12).map(str), st.text(max_size=5)),
        st.one_of(codes, st.from_regex(r"[a-z0-9]{12,20}", fullmatch=True)),
        st.one_of(st.just(""), st.text(max_size=30), st.just("biconnector.source.get.json")),
    ),
)


def _code_of(url: str) -> str | None:
    parts = url.split("/rest/", 1)
    if len(parts) < 2:
        return None
    segments = parts[1].split("/")
    return segments[1] if len(segments) > 1 and len(segments[1]) >= 12 else None


def test_fuzz_webhook_url_parser(ledger: Any) -> None:
    with ledger.case("fuzz/webhook-url-parser"):
        fuzz_webhook_url_parser()


@FUZZ
@given(webhook_like)
def fuzz_webhook_url_parser(text: str) -> None:
    code = _code_of(text)
    try:
        credential = parse_webhook_url(text)
    except InvalidCredential as exc:
        if code:
            assert code not in str(exc)  # messages never quote the URL
    else:
        assert credential.code and credential.code in text
        secret = credential.code
        if len(secret) >= 8 and secret not in credential.portal.origin:  # distinctive
            for shown in (repr(credential), credential.display(), credential.host):
                assert secret not in shown


def test_fuzz_oauth_fields(ledger: Any) -> None:
    with ledger.case("fuzz/oauth-fields"):
        fuzz_oauth_fields()


@FUZZ
@given(st.text(max_size=60), st.text(max_size=60))
def fuzz_oauth_fields(portal: str, token: str) -> None:
    try:
        credential = make_oauth_credential(portal, token)
    except InvalidCredential:
        return
    token = credential.access_token
    if len(token) >= 8 and token not in credential.portal.origin:  # distinctive
        for shown in (repr(credential), credential.display()):
            assert token not in shown


def test_fuzz_the_window_webhook_field(fuzz_window: Any, ledger: Any) -> None:
    with ledger.case("fuzz/window-webhook-field"):
        fuzz_webhook_field(fuzz_window)


def fuzz_webhook_field(window: Any) -> None:
    panel = window.credentials_panel

    @WINDOW_FUZZ
    @given(webhook_like)
    def run(text: str) -> None:
        panel.webhook_field.set_text(text)
        credential = panel.credential()
        shown = [
            panel.feedback_label.text(),
            window.windowTitle(),
            panel.http_warning.text(),
            panel.keychain_label.text(),
            panel.webhook_field.edit.displayText(),
        ]
        secret = credential.code if credential is not None else _code_of(text)
        host = credential.portal.origin if credential is not None else ""
        if secret and len(secret) >= 8 and secret not in host:
            for text_shown in shown:
                assert secret not in text_shown, text_shown
        assert "\n" not in panel.feedback_label.text()

    run()


# --- the response parser ---------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(),  # NaN and infinities too: Python's json reads them
    st.text(max_size=20),
    st.sampled_from(["", "Y", "N", "2025-03-20 14:50:06", "11", "-1", "1e400"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def keyed(keys: Any) -> Any:
    return st.dictionaries(
        st.one_of(st.sampled_from(list(keys)), st.text(max_size=6)), values, max_size=8
    )


settings_lists = st.one_of(st.lists(st.one_of(keyed(SETTING_FIELDS), values), max_size=5), values)
items = st.fixed_dictionaries(
    {},
    optional={
        "connection": st.one_of(keyed(CONNECTION_FIELDS), values),
        "connectorId": values,
        "settings": settings_lists,
        "extra": values,
    },
)
source_like = st.one_of(
    st.fixed_dictionaries(
        {"result": st.one_of(st.fixed_dictionaries({"item": st.one_of(items, values)}), values)},
        optional={"time": st.one_of(keyed(TIME_FIELDS), values)},
    ),
    st.fixed_dictionaries({"error": values}, optional={"error_description": values}),
    st.fixed_dictionaries({"result": st.fixed_dictionaries({"error": values})}),
    values,
)
bodies = st.one_of(
    source_like.map(lambda data: json.dumps(data).encode()),
    st.binary(max_size=200),
    st.sampled_from(
        [b"", b"[" * 5000, b'{"result": ' + b"1" * 5000 + b"}", b"\xef\xbb\xbf{}", b"{}" * 3]
    ),
)
# The right skeleton with arbitrary contents: these get through to rendering.
valid_ish: st.SearchStrategy[tuple[int, bytes, list[Any]]] = st.fixed_dictionaries(
    {
        "result": st.fixed_dictionaries(
            {
                "item": st.fixed_dictionaries(
                    {
                        "connection": keyed(CONNECTION_FIELDS),
                        "settings": st.lists(keyed(SETTING_FIELDS), max_size=6),
                    },
                    optional={"connectorId": values, "extra": values},
                )
            }
        )
    },
    optional={"time": st.one_of(keyed(TIME_FIELDS), values)},
).map(lambda data: (200, json.dumps(data).encode(), []))
hostile = st.tuples(
    st.sampled_from([200, 200, 200, 200, 201, 204, 302, 400, 401, 403, 404, 429, 500, 502, 503]),
    bodies,
    st.lists(
        st.tuples(
            st.sampled_from(["Content-Type", "Content-Encoding", "Location", "Retry-After"]),
            st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
        ),
        max_size=3,
    ),
)
answers = st.one_of(valid_ish, hostile)


class _Portal:
    """An httpx transport whose next answer the test sets."""

    def __init__(self) -> None:
        self.answer: tuple[int, bytes, list[tuple[str, str]]] = (200, b"{}", [])

    def __call__(self, request: httpx.Request) -> httpx.Response:
        status, body, headers = self.answer
        return httpx.Response(status, content=body, headers=headers)


@pytest.fixture(scope="module")
def fuzz_clients() -> Iterator[tuple[_Portal, list[tuple[Credential, BitrixClient]]]]:
    portal = _Portal()
    options = RequestOptions(retries=0, connect_timeout=1, read_timeout=1, max_bytes=64 * 1024)
    clients = []
    for credential in (
        parse_webhook_url(f"https://portal.example/rest/1/{CODE}/"),
        make_oauth_credential("portal.example", "oaFuzzToken0123456789"),
    ):
        clients.append(
            (credential, BitrixClient(credential, options, transport=httpx.MockTransport(portal)))
        )
    yield portal, clients
    for _credential, client in clients:
        client.close()


def render_every_way(source: Source, secrets: tuple[str, ...]) -> None:
    data = source.masked_dict()
    json.dumps(data, allow_nan=True)
    masked = masked_json(source)
    tree = render_tree(source)
    for value in source.secrets():
        if len(value) >= 6 and not any(value in s for s in _visible_fields(source)):
            assert value not in masked and value not in tree
    model = SourceTreeModel()
    model.load(source, secrets)
    assert model.rowCount() > 0
    for position in range(len(source.settings)):
        assert model.is_revealed(position) is False


def _visible_fields(source: Source) -> list[str]:
    """Text the portal sent outside setting values (a value may repeat one of these)."""
    other = json.dumps({**source.masked_dict(), "settings": None}, default=str, ensure_ascii=False)
    names = [f"{s.id} {s.code} {s.name} {s.type}" for s in source.settings]
    return [other, *names, *(json.dumps(s.extra, default=str) for s in source.settings)]


def test_fuzz_the_response_parser(
    fuzz_clients: tuple[_Portal, list[tuple[Credential, BitrixClient]]], qapp: Any, ledger: Any
) -> None:
    with ledger.case("fuzz/response-parser"):
        fuzz_response_parser(*fuzz_clients)


def fuzz_response_parser(portal: _Portal, clients: list[tuple[Credential, BitrixClient]]) -> None:
    @settings(max_examples=250, deadline=None, database=None)
    @given(answers, st.booleans())
    def run(answer: tuple[int, bytes, list[tuple[str, str]]], oauth: bool) -> None:
        parse_one(portal, clients[int(oauth)], answer)

    run()


def parse_one(
    portal: _Portal,
    used: tuple[Credential, BitrixClient],
    answer: tuple[int, bytes, list[tuple[str, str]]],
) -> None:
    credential, client = used
    portal.answer = answer
    try:
        source = client.get_source(6)
    except InspectorError as exc:
        text = str(exc)
        assert text and "Traceback" not in text
        for secret in credential.secrets():
            assert secret not in text
        return
    assert isinstance(source, Source)
    render_every_way(source, credential.secrets())
    for setting in source.settings:
        assert setting.value is None or isinstance(setting.value, str)
    if source.time is not None and source.time.start is not None:
        assert isinstance(source.time.start, int | float) or math.isnan(source.time.start)
    assert MASK not in (source.connection.title or "") or MASK in answer[1].decode(
        "utf-8", "replace"
    )
