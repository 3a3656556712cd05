"""``get --json``'s one-pass reading of a source (``core.source_json``) says exactly what
``parse_source`` then ``Source.masked_dict`` say, and fails exactly where they fail."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from doc_example import source_get_example
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.core.connector import compare, compare_settings, parse_connector
from inspector.core.errors import BadResponse
from inspector.core.json_values import MAX_DEPTH
from inspector.core.masking import MASK
from inspector.core.model import Source, parse_source
from inspector.core.source_json import MaskedSource, masked_source
from inspector.demo.portal import DEMO_CONNECTORS, DEMO_SOURCES


def answer(item: Any, **top: Any) -> dict[str, Any]:
    return {"result": {"item": item}, **top}


def assert_same_as_the_model(payload: Any) -> MaskedSource:
    before = copy.deepcopy(payload)
    lean = masked_source(payload)
    source = parse_source(copy.deepcopy(before))
    assert payload == before  # the answer is not modified
    assert json.dumps(lean.data) == json.dumps(source.masked_dict())  # same keys, same order
    assert lean.connector_id == source.connector_id
    assert lean.secrets == source.secrets()
    assert lean.distinctive_secrets() == source.distinctive_secrets()
    assert lean.settings == tuple((s.code, s.type) for s in source.settings)
    return lean


@pytest.mark.parametrize("source_id", sorted(DEMO_SOURCES))
def test_every_demo_source_reads_as_the_model_does(source_id: int) -> None:
    item = copy.deepcopy(DEMO_SOURCES[source_id])
    lean = assert_same_as_the_model(answer(item, time={"start": 1.5, "duration": 0.2}))
    assert {row["value"] for row in lean.data["settings"]} <= {MASK}


def test_the_documented_example_reads_as_the_model_does() -> None:
    assert_same_as_the_model(source_get_example())


def test_odd_settings_read_as_the_model_does() -> None:
    settings_ = [
        {"id": "11", "code": 5, "name": None, "type": True, "value": 5432},
        {"id": " x ", "code": "p", "value": {"nested": [1, {"a": "b"}]}},
        {"id": 3.5, "code": "q", "name": "Q", "type": "STRING", "value": None, "hint": "tok"},
        {"value": "only a value here"},
        {"id": True, "code": "", "name": "", "type": "", "value": "", "id2": [1]},
        {},
    ]
    item = {
        "connection": {"id": "6", "title": "t", "extraField": {"k": 1}},
        "connectorId": "1",
        "settings": settings_,
        "unknownTop": [1, 2],
        "time": "an unknown key that the payload's time replaces",
    }
    lean = assert_same_as_the_model(answer(item, time={"duration": 1, "odd": "x"}))
    assert lean.data["settings"][2]["hint"] == MASK
    assert lean.data["settings"][4]["id2"] == MASK


def test_a_source_without_settings_reads_as_the_model_does() -> None:
    for item in ({"connection": {"id": 1}}, {"connection": {"id": 1}, "settings": None}):
        lean = assert_same_as_the_model(answer(item))
        assert lean.data["settings"] == []


_scalar = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=15)
)
_setting = st.dictionaries(
    st.sampled_from(["id", "code", "name", "type", "value", "extra", "Value"]),
    _scalar | st.lists(_scalar, max_size=2) | st.dictionaries(st.text(max_size=3), _scalar),
    max_size=7,
)


@settings(max_examples=200, deadline=None)
@given(settings_=st.lists(_setting, max_size=6), connector_id=_scalar)
def test_any_settings_read_as_the_model_does(settings_: list[Any], connector_id: Any) -> None:
    item = {"connection": {"id": 1}, "connectorId": connector_id, "settings": settings_}
    assert_same_as_the_model(answer(item))


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"result": []},
        {"result": {"item": "x"}},
        answer({"connection": {"id": 1}, "settings": "x"}),
        answer({"connection": "x", "settings": []}),
        answer({"connection": {"id": 1}, "settings": [{"id": 1}, "not an object"]}),
        answer({"connection": {"id": 1}, "settings": [{"value": [[[]]]}]}, deep=None),
    ],
)
def test_it_fails_where_the_model_fails(payload: Any) -> None:
    if "deep" in payload:  # nested deeper than any answer may be, inside a setting value
        value: Any = []
        for _ in range(MAX_DEPTH + 1):
            value = [value]
        payload["result"]["item"]["settings"][0]["value"] = value
    with pytest.raises(BadResponse) as expected:
        parse_source(payload)
    with pytest.raises(BadResponse) as got:
        masked_source(payload)
    assert got.value.message == expected.value.message


def nested(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize("levels", [MAX_DEPTH - 6, MAX_DEPTH - 5, MAX_DEPTH - 4, MAX_DEPTH - 3])
@pytest.mark.parametrize("where", ["value", "extra", "id"])
def test_deep_settings_are_refused_exactly_where_the_model_refuses_them(
    levels: int, where: str
) -> None:
    settings_ = [{"id": 1, "code": "a", "value": "plain"}, {"id": 2, "code": "b"}]
    settings_[1][where] = nested(levels)
    payload = answer({"connection": {"id": 1}, "settings": settings_})
    try:
        expected = assert_same_as_the_model(payload)
    except BadResponse as refused:
        with pytest.raises(BadResponse) as got:
            masked_source(payload)
        assert got.value.message == refused.message
    else:
        assert expected.data["settings"][0]["value"] == MASK


@pytest.mark.parametrize("source_id", sorted(DEMO_SOURCES))
def test_compare_settings_is_compare(source_id: int) -> None:
    source: Source = parse_source(answer(copy.deepcopy(DEMO_SOURCES[source_id])))
    lean = masked_source(answer(copy.deepcopy(DEMO_SOURCES[source_id])))
    for connector_id in DEMO_CONNECTORS:
        connector = parse_connector(answer(copy.deepcopy(DEMO_CONNECTORS[connector_id])))
        expected = compare(source, connector)
        got = compare_settings(lean.settings, lean.connector_id, connector, lambda: lean.secrets)
        assert got == expected
        assert got.warnings() == expected.warnings()


def test_compare_settings_finds_every_difference() -> None:
    connector = parse_connector(
        answer(
            {
                "id": 2,
                "title": "c",
                "urlData": "http://example.com/data?token=abc&p=hunter2hunter",
                "settings": [
                    {"code": "a", "name": "A", "type": "STRING"},
                    {"code": "b", "name": "B", "type": "INT"},
                    {"code": "gone", "name": "Gone", "type": "STRING"},
                    {"code": "", "name": "No code"},
                ],
            }
        )
    )
    pairs = (("a", "STRING"), ("b", "STRING"), ("b", "STRING"), ("new", "INT"), (None, "X"))
    report = compare_settings(pairs, 1, connector, lambda: ("hunter2hunter",))
    assert report.labels == {"a": "A", "b": "B", "gone": "Gone"}
    assert [s.code for s in report.missing] == ["gone"]
    assert report.undeclared == ("new",)
    assert report.type_mismatches == (("b", "INT", "STRING"), ("b", "INT", "STRING"))
    assert report.other_connector
    ((field, url),) = report.plain_http_endpoints
    assert field == "urlData" and "hunter2hunter" not in url
