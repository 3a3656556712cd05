"""biconnector.source.list paging over real sockets (spec §2, §5.1).

Pages of 50, ``page`` from 1, no total: the short page is the last one. Ids may be
strings. The picker never asks for (or keeps) setting values.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from servers import RecordedRequest, Reply, ScriptedServer, json_reply

from inspector.core.client import BitrixClient
from inspector.core.client import bitrix_client as client_module
from inspector.core.credentials import OAuthCredential, make_oauth_credential, parse_webhook_url
from inspector.core.errors import BadResponse, PortalError
from inspector.core.model import LIST_SELECT, SourceSummary, parse_source_list_page
from inspector.core.options import RequestOptions
from inspector.demo.portal import DEMO_SOURCES, DemoPortal

OPTIONS = RequestOptions(connect_timeout=5, read_timeout=5)
LIST = "biconnector.source.list"


@pytest.fixture(autouse=True)
def _no_proxy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)


def many_sources(count: int, *, string_ids: bool = False) -> dict[int, dict[str, Any]]:
    """*count* sources built from the demo's source 7, ids 1001…, each with a secret."""
    out: dict[int, dict[str, Any]] = {}
    for n in range(count):
        source_id = 1001 + n
        item = copy.deepcopy(DEMO_SOURCES[7])
        item["connection"]["id"] = str(source_id) if string_ids else source_id
        item["connection"]["title"] = f"Source number {n + 1}"
        item["settings"][-1]["value"] = f"list-secret-password-{n}"
        out[source_id] = item
    return out


@pytest.fixture
def big_portal() -> Iterator[DemoPortal]:
    with DemoPortal(sources=many_sources(120)) as p:
        yield p


def list_requests(portal: DemoPortal) -> list[Any]:
    return [r for r in portal.requests if LIST in r.path]


def test_three_pages_are_fetched_until_the_short_one(big_portal: DemoPortal) -> None:
    progress: list[tuple[int, int]] = []
    cred = parse_webhook_url(big_portal.webhook_url)
    with BitrixClient(cred, OPTIONS) as client:
        sources = client.list_sources(on_page=lambda page, total: progress.append((page, total)))
    assert [s.id for s in sources] == list(range(1001, 1121))
    assert sources[0].title == "Source number 1"
    assert sources.stopped_early is None
    assert progress == [(1, 50), (2, 100), (3, 120)]
    pages = list_requests(big_portal)
    assert [r.body["page"] for r in pages] == [1, 2, 3]
    for request in pages:
        assert "settings" not in request.body["select"]
        assert request.body["select"] == list(LIST_SELECT)
        assert request.body["order"] == {"id": "ASC"}


def test_a_full_last_page_costs_one_empty_page() -> None:
    with DemoPortal(sources=many_sources(100)) as portal:
        cred = make_oauth_credential(portal.base_url, portal.access_token)
        with BitrixClient(cred, OPTIONS) as client:
            sources = client.list_sources()
        assert len(sources) == 100
        assert [r.body["page"] for r in list_requests(portal)] == [1, 2, 3]


def test_string_ids_become_numbers_and_odd_ones_stay_strings() -> None:
    with (
        DemoPortal(sources=many_sources(3, string_ids=True)) as portal,
        BitrixClient(parse_webhook_url(portal.webhook_url), OPTIONS) as client,
    ):
        sources = client.list_sources()
    assert [s.id for s in sources] == [1001, 1002, 1003]
    [odd] = parse_source_list_page({"result": [{"id": "ext-7", "title": "x", "active": "Y"}]})
    assert odd.id == "ext-7" and odd.active is True


def test_setting_values_are_not_kept_even_if_the_portal_sends_them(
    big_portal: DemoPortal,
) -> None:
    # The demo ignores "select" and sends settings anyway, like a portal might.
    with BitrixClient(parse_webhook_url(big_portal.webhook_url), OPTIONS) as client:
        sources = client.list_sources()
    text = repr(sources) + repr([s.to_dict() for s in sources])
    assert "list-secret-password-" not in text
    assert "warehouse.demo.invalid" not in text
    assert all("settings" not in s.extra for s in sources)


def test_the_demo_sources_as_the_picker_sees_them() -> None:
    with (
        DemoPortal() as portal,
        BitrixClient(parse_webhook_url(portal.webhook_url), OPTIONS) as client,
    ):
        sources = client.list_sources()
    by_id = {s.id: s for s in sources}
    assert list(by_id) == [6, 7, 8, 9, 10, *range(11, 19)]  # 11-18: the demo connector
    assert by_id[8].active is False
    assert by_id[9].id == 9  # "9" on the wire
    assert by_id[9].extra == {"syncMode": "incremental", "tableCount": 4}
    assert by_id[7].connector_id == 2 and by_id[7].type == "rest"


def test_search_matches_every_word_anywhere() -> None:
    row = SourceSummary(
        id=7, title="Sales warehouse (PostgreSQL)", type="rest", active=True, connector_id=2
    )
    assert row.matches("")
    assert row.matches("sales postgres")
    assert row.matches("7")
    assert row.matches("REST")
    assert not row.matches("sales clickhouse")


def test_token_expiring_between_pages_is_renewed_and_paging_goes_on(
    big_portal: DemoPortal,
) -> None:
    cred = big_portal.oauth_credential()
    renewed: list[OAuthCredential] = []

    def after_page(page: int, total: int) -> None:
        if page == 1:
            big_portal.expire_access_token()

    with BitrixClient(cred, OPTIONS, on_credential_renewed=renewed.append) as client:
        sources = client.list_sources(on_page=after_page)
    assert len(sources) == 120
    assert len(renewed) == 1 and big_portal.token_refreshes == 1
    assert [(r.body["page"], r.status) for r in list_requests(big_portal)] == [
        (1, 200),
        (2, 401),
        (2, 200),
        (3, 200),
    ]


# --- portals that misbehave --------------------------------------------------------------------


def page_of(start: int, count: int = 50) -> list[dict[str, Any]]:
    return [{"id": start + i, "title": f"t{start + i}", "connectorId": 1} for i in range(count)]


def webhook_for(server: ScriptedServer) -> Any:
    return parse_webhook_url(f"{server.url}/rest/1/listcode0123/")


def test_a_portal_that_ignores_page_is_stopped_at_the_repeat() -> None:
    with ScriptedServer(json_reply({"result": page_of(1), "time": {}})) as server:
        with BitrixClient(webhook_for(server), OPTIONS) as client:
            sources = client.list_sources()
        assert len(server.requests) == 2
    assert len(sources) == 50
    assert sources.stopped_early is not None and "ignore paging" in sources.stopped_early


def test_endless_pages_stop_at_the_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "MAX_LIST_PAGES", 4)

    def endless(request: RecordedRequest) -> Reply:
        page = request.json()["page"]
        return json_reply({"result": page_of(page * 1000)})

    with ScriptedServer(endless) as server:
        with BitrixClient(webhook_for(server), OPTIONS) as client:
            sources = client.list_sources()
        assert len(server.requests) == 4
    assert len(sources) == 200
    assert sources.stopped_early is not None and "more than 4 pages" in sources.stopped_early


def test_an_error_on_a_later_page_is_raised() -> None:
    replies = [
        json_reply({"result": page_of(1)}),
        json_reply({"result": {"error": {"error": "ACCESS_DENIED", "error_description": "no"}}}),
    ]
    with (
        ScriptedServer(replies) as server,
        BitrixClient(webhook_for(server), OPTIONS) as client,
        pytest.raises(PortalError) as e,
    ):
        client.list_sources()
    assert e.value.code == "ACCESS_DENIED"
    assert "webhook" in e.value.message


@pytest.mark.parametrize(
    "payload",
    [{"result": {"item": {}}}, {"result": "nope"}, {"result": [1, 2]}, {"time": {}}],
    ids=["object", "string", "not-objects", "missing"],
)
def test_a_result_that_is_not_a_list_is_a_bad_response(payload: Any) -> None:
    with (
        ScriptedServer(json_reply(payload)) as server,
        BitrixClient(webhook_for(server), OPTIONS) as client,
        pytest.raises(BadResponse),
    ):
        client.list_sources()


def test_a_sparse_array_sent_as_an_object_is_accepted() -> None:
    payload = {"result": {"0": {"id": 1, "title": "a"}, "2": {"id": 3, "title": "c"}}}
    with (
        ScriptedServer(json_reply(payload)) as server,
        BitrixClient(webhook_for(server), OPTIONS) as client,
    ):
        assert [s.id for s in client.list_sources()] == [1, 3]
