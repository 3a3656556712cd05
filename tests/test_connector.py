"""biconnector.connector.get and compare(): labels, missing and undeclared settings, and
plain-http endpoints (spec §6), over a real socket to the demo portal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from servers import ScriptedServer, json_reply

from inspector.core.client import BitrixClient
from inspector.core.connector import (
    Connector,
    ConnectorSetting,
    compare,
    display_url,
    parse_connector,
)
from inspector.core.credentials import parse_webhook_url
from inspector.core.errors import BadResponse, PortalError
from inspector.core.model import Setting, parse_source
from inspector.core.options import RequestOptions
from inspector.demo.portal import DEMO_CONNECTORS, DEMO_SOURCES, DemoPortal

OPTIONS = RequestOptions(connect_timeout=5, read_timeout=5)


@pytest.fixture(autouse=True)
def _no_proxy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)


@pytest.fixture(scope="module")
def client() -> Iterator[BitrixClient]:
    with DemoPortal() as portal, BitrixClient(parse_webhook_url(portal.webhook_url)) as c:
        yield c


def fetched(client: BitrixClient, source_id: int) -> tuple[Any, Connector]:
    source = client.get_source(source_id)
    assert source.connector_id is not None
    return source, client.get_connector(source.connector_id)


def test_connector_is_parsed(client: BitrixClient) -> None:
    connector = client.get_connector(2)
    assert connector.id == 2
    assert connector.title == "PostgreSQL warehouse"
    assert ConnectorSetting("port", "Server port", "INT") in connector.settings
    assert set(connector.urls) == {"urlCheck", "urlTableList", "urlTableDescription", "urlData"}
    assert connector.logo is not None and "logo" not in repr(connector)


def test_labels_come_from_the_connector_and_missing_ones_are_flagged(
    client: BitrixClient,
) -> None:
    source, connector = fetched(client, 7)
    report = compare(source, connector)
    assert report.title == "PostgreSQL warehouse"
    assert [report.label_for(s) for s in source.settings] == [
        "Server host name (host)",
        "Server port (port)",
        "Database name (database)",
        "User name (login)",
        "Password (password)",
    ]
    assert [s.code for s in report.missing] == ["sslmode"]
    assert report.undeclared == ()
    assert report.plain_http_endpoints == ()
    assert report.warnings() == ["The connector declares settings the source lacks: SSL mode."]


def test_plain_http_endpoints_are_warned_about(client: BitrixClient) -> None:
    report = compare(*fetched(client, 8))
    assert {key for key, _url in report.plain_http_endpoints} == {
        "urlCheck",
        "urlTableList",
        "urlTableDescription",
        "urlData",
    }
    assert dict(report.plain_http_endpoints)["urlData"] == "http://csv-bridge.demo.invalid/data"
    [warning] = report.warnings()
    assert "plain http://" in warning and "unencrypted" in warning


def test_undeclared_settings_are_listed(client: BitrixClient) -> None:
    source, connector = fetched(client, 9)
    report = compare(source, connector)
    assert report.undeclared == ("timeout",)
    timeout = next(s for s in source.settings if s.code == "timeout")
    assert report.label_for(timeout) == "Timeout, s (timeout)"  # the source's own name
    assert "timeout" in report.warnings()[0]


def test_a_connector_without_parameters_and_the_doc_example(client: BitrixClient) -> None:
    assert compare(*fetched(client, 10)).warnings() == []
    report = compare(*fetched(client, 6))
    assert report.label_for(client.get_source(6).settings[0]) == "Token (token)"
    assert report.warnings() == []


def test_every_demo_source_has_its_connector(client: BitrixClient) -> None:
    for source_id, item in DEMO_SOURCES.items():
        source, connector = fetched(client, source_id)
        assert connector.id == item["connectorId"]
        assert not compare(source, connector).other_connector


def test_unknown_connector_is_a_portal_error(client: BitrixClient) -> None:
    with pytest.raises(PortalError) as caught:
        client.get_connector(999)
    assert caught.value.code == "CONNECTOR_NOT_FOUND"


def test_the_documentation_example_without_an_id() -> None:
    item = {k: v for k, v in DEMO_CONNECTORS[1].items() if k != "id"}
    payload = {"result": {"item": item}, "time": {"start": 1.0}}
    with (
        ScriptedServer(json_reply(payload)) as server,
        BitrixClient(parse_webhook_url(f"{server.url}/rest/1/conn0code/"), OPTIONS) as c,
    ):
        connector = c.get_connector(1)
        [request] = server.requests
    assert request.path.endswith("/biconnector.connector.get")
    assert request.json() == {"id": 1}
    assert connector.id == 1
    assert connector.settings == (ConnectorSetting("token", "Token", "STRING"),)


def make_source(*settings: tuple[str, str, str], connector_id: int = 1) -> Any:
    return parse_source(
        {
            "result": {
                "item": {
                    "connection": {"id": 1, "title": "t"},
                    "connectorId": connector_id,
                    "settings": [
                        {"id": i, "code": c, "name": n, "type": t, "value": f"value-{i}"}
                        for i, (c, n, t) in enumerate(settings)
                    ],
                }
            }
        }
    )


def test_type_mismatch_other_connector_and_hostile_names() -> None:
    connector = parse_connector(
        {
            "result": {
                "item": {
                    "id": 2,
                    "title": "Evil\u202econnector\x1b[31m",
                    "settings": [
                        {"code": "port", "name": "Port", "type": "STRING"},
                        {"code": "x", "name": "Ex\u200btra\x07", "type": "STRING"},
                    ],
                    "urlData": "HTTP://user:pw@bridge.example:8080/data?key=abc#frag",
                }
            }
        }
    )
    source = make_source(("port", "Port", "INT"), connector_id=1)
    report = compare(source, connector)
    assert report.other_connector
    assert report.type_mismatches == (("port", "STRING", "INT"),)
    assert report.plain_http_endpoints == (("urlData", "http://bridge.example:8080/data?key=•••"),)
    text = "\n".join(report.warnings())
    for bad in ("\u202e", "\x1b", "\x07", "\u200b", "pw", "key=abc", "value-0"):
        assert bad not in text
    assert "Extra" in text


def test_plain_declarations_read_as_the_unusual_ones_do() -> None:
    # Declarations of three texts each are read column by column; one unusual entry sends
    # the whole list through the reader of each entry. Both must give the same records,
    # with the code and type shared (interned) and the name a copy of its own.
    plain = [
        {"code": "host", "name": "Host name", "type": "STRING"},
        {"type": "INT", "name": "Port", "code": "port"},
        {"code": "", "name": "", "type": ""},
    ]
    unusual = [*plain, {"code": "extra", "name": "Extra", "type": "STRING", "hint": "x"}]

    def read(declared: list[Any]) -> tuple[ConnectorSetting, ...]:
        return parse_connector({"result": {"item": {"id": 1, "settings": declared}}}).settings

    fast, slow = read(plain), read(unusual)
    assert (
        fast
        == slow[:3]
        == (
            ConnectorSetting("host", "Host name", "STRING"),
            ConnectorSetting("port", "Port", "INT"),
            ConnectorSetting("", "", ""),
        )
    )
    assert slow[3] == ConnectorSetting("extra", "Extra", "STRING")
    for first, second, given in zip(fast, slow, plain, strict=False):
        assert first.code is second.code and first.type is second.type  # shared
        assert first.name is not given["name"] or not first.name  # a copy ("" is one object)


def test_label_without_a_declared_name_falls_back() -> None:
    connector = Connector(id=1, title=None, description=None, settings=(), urls={})
    report = compare(make_source(("token", "Token", "STRING")), connector)
    setting = Setting(id=1, code="token", name="Token", type="STRING", value="v")
    assert report.label_for(setting) == "Token (token)"
    assert report.title == "connector 1"


def test_display_url_keeps_the_query_but_not_user_info_or_fragment() -> None:
    assert display_url("http://u:p@h.example:81/a/b?c=d#e") == "http://h.example:81/a/b?c=d"
    assert display_url("https://[::1]/x") == "https://[::1]/x"


# --- endpoints shown whole, and the connector's other fields (spec §17) ----------------------

OFFICIAL_APP = "https://bi.example.com/connector.php?connection_type=mysql&action="


def test_endpoints_that_differ_only_by_query_stay_distinct() -> None:
    shown = {
        display_url(OFFICIAL_APP + action)
        for action in ("check", "table_list", "table_description", "data")
    }
    assert len(shown) == 4
    assert OFFICIAL_APP + "table_list" in shown


def test_a_setting_value_inside_an_endpoint_is_still_masked() -> None:
    url = "http://bridge.example/data?db=sales&user=ann&password=hunter2&k=xyz&token=abcdef"
    shown = display_url(url, secrets=("xyz",), setting_codes=("user",))
    assert shown == ("http://bridge.example/data?db=sales&user=•••&password=•••&k=•••&token=•••")
    for secret in ("ann", "hunter2", "xyz", "abcdef"):
        assert f"={secret}" not in shown


def test_plain_http_warning_masks_setting_values_in_the_query() -> None:
    connector = parse_connector(
        {"result": {"item": {"id": 1, "urlData": "http://h.example/d?t=value-0&mode=x"}}}
    )
    report = compare(make_source(("t", "T", "STRING")), connector)
    assert report.plain_http_endpoints == (("urlData", "http://h.example/d?t=•••&mode=x"),)
    assert "value-0" not in " ".join(report.warnings())


def test_the_connectors_other_fields_are_read() -> None:
    connector = parse_connector(
        {
            "result": {
                "item": {
                    "id": "4",
                    "sort": "100",
                    "dateCreate": "2025-03-20 14:45:00",
                    "logo": "data:image/png;base64,iVBORw0KGgo=",
                    "supportMapping": "Y",
                    "sourceCode": "mysql",
                }
            }
        }
    )
    assert connector.sort == 100
    assert connector.date_create == "2025-03-20 14:45:00"
    assert connector.support_mapping is True
    assert connector.source_code == "mysql"
    assert connector.logo is not None and "base64" not in repr(connector)


def _nested(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize("levels", range(56, 63))
@pytest.mark.parametrize("where", ["name", "extra", "entry", "head"])
@pytest.mark.parametrize("under_item", [True, False])
def test_deep_declarations_are_refused_exactly_at_the_limit(
    levels: int, where: str, under_item: bool
) -> None:
    # Only unusual declarations are looked through for depth (plain ones cannot nest):
    # the answer is refused exactly when the whole of it is too deep.
    from inspector.core.json_values import too_deep

    declarations: list[Any] = [{"code": "a", "name": "A", "type": "STRING"} for _ in range(3)]
    item: dict[str, Any] = {"id": 1, "title": "t", "settings": declarations}
    if where == "entry":
        declarations.append(_nested(levels))
    elif where == "head":
        item["logo"] = _nested(levels)
    else:
        declarations[1][where] = _nested(levels)
    payload = {"result": {"item": item} if under_item else item}
    if too_deep(payload):
        with pytest.raises(BadResponse, match="nested"):
            parse_connector(payload)
    else:
        connector = parse_connector(payload)
        assert [s.code for s in connector.settings] == ["a", "a", "a"]
