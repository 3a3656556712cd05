"""The typed view of a biconnector.source.get answer: lenient parsing, strict shape, masking."""

from __future__ import annotations

import contextlib
import copy
import json
import sys
from typing import Any

import pytest
from doc_example import source_get_example
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.core.connector import parse_connector
from inspector.core.errors import BadResponse
from inspector.core.masking import MASK
from inspector.core.model import Source, detached, parse_source, parse_source_list_page

SECRET_VALUES = ("a1b2c3d4e5", "hunter2-password", "tok_9f8e7d6c5b4a")

# The documentation's example (spec §4.1), kept once in tests/data/.
DOC_EXAMPLE: dict[str, Any] = source_get_example()


def payload(**item_changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(DOC_EXAMPLE)
    data["result"]["item"].update(item_changes)
    return data


def three_settings() -> Source:
    return parse_source(
        payload(
            settings=[
                {"id": 1, "code": "login", "name": "Login", "type": "STRING", "value": "admin"},
                {
                    "id": 2,
                    "code": "password",
                    "name": "Password",
                    "type": "STRING",
                    "value": "hunter2-password",
                },
                {
                    "id": 3,
                    "code": "token",
                    "name": "Token",
                    "type": "STRING",
                    "value": "tok_9f8e7d6c5b4a",
                },
            ]
        )
    )


# --- the documented example ----------------------------------------------------------------


def test_the_documented_example_parses() -> None:
    source = parse_source(DOC_EXAMPLE)
    c = source.connection
    assert (c.id, c.type, c.code, c.title) == (6, "rest", "rest_1", "Rest source SQL")
    assert c.description == "Connection for working with mySql"
    assert c.active is True
    assert c.date_create == "2025-03-20 14:50:06"  # as sent: no time zone invented
    assert c.date_update == "2025-03-20 14:50:06"
    assert (c.created_by_id, c.updated_by_id) == (1, 1)
    assert c.extra == {}
    assert source.connector_id == 1
    [setting] = source.settings
    assert (setting.id, setting.code, setting.name, setting.type) == (8, "token", "Token", "STRING")
    assert setting.value == "a1b2c3d4e5"
    assert setting.label == "Token (token)"
    assert source.secrets() == ("a1b2c3d4e5",)
    assert source.time is not None
    assert source.time.start == 1742929480.368097
    assert source.time.date_start == "2025-03-25T19:04:40+00:00"
    assert source.time.operating is None
    assert source.time.operating_reset_at is None
    assert [key for key, _value in c.documented_fields()] == list(
        DOC_EXAMPLE["result"]["item"]["connection"]
    )


def test_the_input_is_not_modified() -> None:
    data = copy.deepcopy(DOC_EXAMPLE)
    parse_source(data)
    assert data == DOC_EXAMPLE


# --- leniency ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        (6, 6),
        ("6", 6),
        (" 11 ", 11),
        ("0011", 11),
        ("abc", "abc"),
        ("-1", "-1"),
        ("٣", "٣"),
        (None, None),
        (True, None),
        ([], None),
        ("9" * 5000, "9" * 5000),
    ],
)
def test_ids_as_numbers_or_strings(sent: Any, kept: Any) -> None:
    source = parse_source(
        payload(
            connection={"id": sent, "createdById": sent},
            connectorId=sent,
            settings=[{"id": sent, "code": "x", "value": "v"}],
        )
    )
    assert source.connection.id == kept
    assert source.connection.created_by_id == kept
    assert source.connector_id == kept
    assert source.settings[0].id == kept


def test_missing_optional_fields() -> None:
    source = parse_source({"result": {"item": {"connection": {}}}})
    c = source.connection
    assert (c.id, c.title, c.type, c.date_create, c.active) == (None, None, None, None, None)
    assert source.connector_id is None
    assert source.settings == ()
    assert source.time is None
    assert source.masked_dict()["settings"] == []


def test_settings_null_means_none() -> None:
    assert parse_source(payload(settings=None)).settings == ()


def test_a_setting_with_only_a_value() -> None:
    [setting] = parse_source(payload(settings=[{"value": "x"}])).settings
    assert setting.code is setting.name is setting.type is setting.id is None
    assert setting.label == "setting None"


def test_null_dates_stay_none() -> None:
    source = parse_source(payload(connection={"id": 6, "dateCreate": None, "dateUpdate": None}))
    assert source.connection.date_create is None
    assert source.connection.date_update is None
    masked = source.masked_dict()
    assert masked["connection"]["dateCreate"] is None


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        (True, True),
        (False, False),
        ("Y", True),
        ("N", False),
        (1, True),
        (0, False),
        ("maybe", None),
    ],
)
def test_active_flag(sent: Any, kept: bool | None) -> None:
    assert parse_source(payload(connection={"active": sent})).connection.active is kept


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("plain", "plain"),
        (12345, "12345"),
        (1.5, "1.5"),
        (None, None),
        (True, "true"),
        ({"user": "u", "password": "p"}, '{"user": "u", "password": "p"}'),
        (["a", 1], '["a", 1]'),
        ("", ""),
    ],
)
def test_setting_value_types(sent: Any, kept: str | None) -> None:
    [setting] = parse_source(payload(settings=[{"code": "c", "value": sent}])).settings
    assert setting.value == kept


def test_unknown_keys_are_kept_everywhere() -> None:
    data = payload(
        connection={"id": 6, "newField": {"a": 1}},
        settings=[{"code": "c", "value": "v", "isSecret": "Y", "hint": "xyz"}],
        newItemKey=[1, 2],
    )
    data["result"]["item"]["connection"]["newField"] = {"a": 1}
    data["time"]["operating"] = 0.5
    data["time"]["newTimeKey"] = "t"
    source = parse_source(data)
    assert source.connection.extra == {"newField": {"a": 1}}
    assert source.settings[0].extra == {"isSecret": "Y", "hint": "xyz"}
    assert source.extra == {"newItemKey": [1, 2]}
    assert source.time is not None
    assert source.time.extra == {"newTimeKey": "t"}
    masked = source.masked_dict()
    assert masked["connection"]["newField"] == {"a": 1}
    assert masked["newItemKey"] == [1, 2]
    assert masked["time"]["newTimeKey"] == "t"
    # Unknown keys of a setting are treated as secret, like its value.
    assert masked["settings"][0]["isSecret"] == MASK
    assert masked["settings"][0]["hint"] == MASK


# --- masking -------------------------------------------------------------------------------


def test_masked_dict_masks_every_value() -> None:
    source = three_settings()
    masked = source.masked_dict()
    assert [s["value"] for s in masked["settings"]] == [MASK, MASK, MASK]
    assert [s["code"] for s in masked["settings"]] == ["login", "password", "token"]
    text = json.dumps(masked, ensure_ascii=False)
    for value in ("admin", *SECRET_VALUES[1:]):
        assert value not in text


def test_masked_dict_reveals_only_requested_indexes() -> None:
    source = three_settings()
    masked = source.masked_dict(reveal=frozenset({1}))
    assert [s["value"] for s in masked["settings"]] == [MASK, "hunter2-password", MASK]
    assert "tok_9f8e7d6c5b4a" not in json.dumps(masked)
    assert source.masked_dict(reveal=frozenset({7, -1}))["settings"][2]["value"] == MASK


def test_masked_dict_mask_does_not_reveal_length_or_emptiness_pattern() -> None:
    source = parse_source(
        payload(
            settings=[
                {"code": "a", "value": "x"},
                {"code": "b", "value": "x" * 500},
                {"code": "c", "value": ""},
            ]
        )
    )
    values = [s["value"] for s in source.masked_dict()["settings"]]
    assert values == [MASK, MASK, MASK]


def test_masked_dict_is_json_and_keeps_the_documented_layout() -> None:
    masked = parse_source(DOC_EXAMPLE).masked_dict()
    assert list(masked) == ["connection", "connectorId", "settings", "time"]
    assert masked["connection"] == DOC_EXAMPLE["result"]["item"]["connection"]
    assert masked["time"] == DOC_EXAMPLE["time"]
    assert masked["settings"] == [
        {"id": 8, "code": "token", "name": "Token", "type": "STRING", "value": MASK}
    ]
    json.dumps(masked)


def test_repr_never_contains_a_setting_value() -> None:
    source = parse_source(
        payload(
            settings=[
                {
                    "code": "password",
                    "value": "hunter2-password",
                    "extraSecret": "tok_9f8e7d6c5b4a",
                },
                {"code": "token", "value": {"nested": "a1b2c3d4e5"}},
            ]
        )
    )
    for text in (repr(source), str(source), repr(source.settings), str(source.settings[0])):
        for value in SECRET_VALUES:
            assert value not in text


# --- wrong shapes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param([], id="payload-list"),
        pytest.param("text", id="payload-string"),
        pytest.param(None, id="payload-null"),
        pytest.param({}, id="no-result"),
        pytest.param({"result": None}, id="result-null"),
        pytest.param({"result": []}, id="result-list"),
        pytest.param({"result": [DOC_EXAMPLE["result"]["item"]]}, id="result-list-of-items"),
        pytest.param({"result": True}, id="result-true"),
        pytest.param({"result": {}}, id="item-missing"),
        pytest.param({"result": {"item": None}}, id="item-null"),
        pytest.param({"result": {"item": []}}, id="item-list"),
        pytest.param({"result": {"item": "x"}}, id="item-string"),
        pytest.param({"result": {"item": {}}}, id="connection-missing"),
        pytest.param({"result": {"item": {"connection": []}}}, id="connection-list"),
        pytest.param(payload(settings={"token": "a1b2c3d4e5"}), id="settings-object"),
        pytest.param(payload(settings="a1b2c3d4e5"), id="settings-string"),
        pytest.param(payload(settings=["a1b2c3d4e5"]), id="setting-string"),
        pytest.param(payload(settings=[None]), id="setting-null"),
        pytest.param(payload(settings=[["a1b2c3d4e5"]]), id="setting-list"),
    ],
)
def test_wrong_shapes_raise_bad_response(data: Any) -> None:
    with pytest.raises(BadResponse) as info:
        parse_source(data)
    exc = info.value
    assert exc.exit_code == 4
    assert "not a data source" in exc.message
    assert "a1b2c3d4e5" not in str(exc)


def test_a_bad_setting_is_named_by_position() -> None:
    with pytest.raises(BadResponse, match="setting #2"):
        parse_source(payload(settings=[{"value": "x"}, "oops"]))


# --- time ----------------------------------------------------------------------------------


def test_time_with_operating() -> None:
    data = copy.deepcopy(DOC_EXAMPLE)
    data["time"].update(operating=12.5, operating_reset_at=1742930080)
    time_info = parse_source(data).time
    assert time_info is not None
    assert time_info.operating == 12.5
    assert time_info.operating_reset_at == 1742930080
    keys = [key for key, _value in time_info.sent_fields()]
    assert keys == [*DOC_EXAMPLE["time"], "operating", "operating_reset_at"]


def test_time_operating_zero_is_present() -> None:
    data = copy.deepcopy(DOC_EXAMPLE)
    data["time"]["operating"] = 0
    time_info = parse_source(data).time
    assert time_info is not None
    assert ("operating", 0) in time_info.sent_fields()


def test_time_without_operating() -> None:
    time_info = parse_source(DOC_EXAMPLE).time
    assert time_info is not None
    keys = [key for key, _value in time_info.sent_fields()]
    assert "operating" not in keys
    assert "operating_reset_at" not in keys


@pytest.mark.parametrize("sent", [None, [], "x", 5])
def test_time_that_is_not_an_object_is_ignored(sent: Any) -> None:
    data = copy.deepcopy(DOC_EXAMPLE)
    data["time"] = sent
    source = parse_source(data)
    assert source.time is None
    assert "time" not in source.masked_dict()


def test_time_numbers_as_strings() -> None:
    data = copy.deepcopy(DOC_EXAMPLE)
    data["time"] = {"start": "1742929480.5", "duration": "fast", "operating_reset_at": True}
    time_info = parse_source(data).time
    assert time_info is not None
    assert time_info.start == 1742929480.5
    assert time_info.duration is None
    assert time_info.operating_reset_at is None


# --- hostile depth and random input --------------------------------------------------------


def nested(depth: int) -> Any:
    value: Any = "a1b2c3d4e5"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("depth", [10, 500, sys.getrecursionlimit() - 50, 20_000])
@pytest.mark.parametrize("where", ["setting-value", "setting-extra", "title", "item-extra", "time"])
def test_deeply_nested_values_give_bad_response_not_recursion_error(depth: int, where: str) -> None:
    data = {
        "setting-value": payload(settings=[{"code": "c", "value": nested(depth)}]),
        "setting-extra": payload(settings=[{"code": "c", "value": "v", "x": nested(depth)}]),
        "title": payload(connection={"id": 6, "title": nested(depth)}),
        "item-extra": payload(newKey=nested(depth)),
        "time": {**DOC_EXAMPLE, "time": {"x": nested(depth)}},
    }[where]
    try:
        source = parse_source(data)
    except BadResponse as exc:
        assert "nested" in exc.message
        return
    # Whatever is accepted can be shown and exported without RecursionError.
    assert "a1b2c3d4e5" not in repr(source.settings)
    json.dumps(source.masked_dict())
    repr(source)


def test_nesting_just_below_the_json_parser_limit() -> None:
    # The depth json.loads still accepts may be too deep for the model's own json.dumps.
    for depth in range(sys.getrecursionlimit() - 120, sys.getrecursionlimit() + 5, 5):
        text = '{"result": {"item": {"connection": {}, "settings": [{"value": %s}]}}}' % (
            "[" * depth + "1" + "]" * depth
        )
        try:
            data = json.loads(text)
        except RecursionError:
            continue
        with contextlib.suppress(BadResponse):
            parse_source(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=120, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "connection": st.dictionaries(
                st.sampled_from(["id", "title", "active", "dateCreate", "x"]), json_values
            )
            | json_values,
            "connectorId": json_values,
            "settings": st.lists(
                st.fixed_dictionaries(
                    {"value": st.just("SECRET-VALUE-42")}, optional={"code": json_values}
                )
                | json_values,
                max_size=3,
            )
            | json_values,
        },
    ),
    json_values,
)
def test_random_items_parse_or_raise_bad_response(item: dict[str, Any], time_block: Any) -> None:
    try:
        source = parse_source({"result": {"item": item}, "time": time_block})
    except BadResponse:
        return
    assert "SECRET-VALUE-42" not in repr(source)
    assert "SECRET-VALUE-42" not in json.dumps(source.masked_dict(), default=str)


def test_list_and_connector_parsers_refuse_deep_answers_too() -> None:
    deep = {"result": [{"id": 1, "title": nested(5000)}]}
    with pytest.raises(BadResponse, match="nested"):
        parse_source_list_page(deep)
    with pytest.raises(BadResponse, match="nested"):
        parse_connector({"result": {"item": {"id": 1, "logo": nested(5000)}}})
    assert parse_source_list_page({"result": [{"id": "7", "title": "ok"}]})[0].id == 7


# --- what real list answers look like (spec §17) -------------------------------------------


@pytest.mark.parametrize("empty", [{}, [], "", None, "   "])
def test_list_dates_that_were_not_sent_are_none(empty: Any) -> None:
    page = {"result": [{"id": "11", "title": "A", "dateCreate": empty, "dateUpdate": empty}]}
    [row] = parse_source_list_page(page)
    assert row.date_create is None
    assert row.date_update is None
    assert row.to_dict()["dateCreate"] is None


def test_list_rows_keep_their_authors() -> None:
    page = {
        "result": [
            {"id": "11", "title": "A", "createdById": "3", "updatedById": 7, "dateCreate": {}},
            {"id": 9, "title": "B"},
        ]
    }
    first, second = parse_source_list_page(page)
    assert (first.created_by_id, first.updated_by_id) == (3, 7)
    assert (second.created_by_id, second.updated_by_id) == (None, None)
    data = first.to_dict()
    assert (data["createdById"], data["updatedById"]) == (3, 7)
    assert "createdById" not in first.extra


def test_source_dates_sent_as_objects_are_not_sent() -> None:
    item = {"connection": {"id": 1, "dateCreate": {}, "dateUpdate": ""}, "settings": []}
    source = parse_source({"result": {"item": item}})
    assert source.connection.date_create is None
    assert source.connection.date_update is None


@pytest.mark.parametrize(
    "value", ["secret-token-1", "ab", "Ключ ⚠", "\udc80lone", 10**6 + 7, 2**70]
)
def test_detached_is_an_equal_new_object(value: str | int) -> None:
    copied = detached(value)
    assert copied == value
    assert type(copied) is type(value)
    assert copied is not value


@pytest.mark.parametrize("value", [None, "", "x", 5, "Ж"])
def test_detached_leaves_what_cannot_or_need_not_be_copied(value: str | int | None) -> None:
    assert detached(value) == value


def test_settings_keep_their_own_copies_of_the_parsed_texts() -> None:
    # What a setting keeps is not the parsed answer's objects (see ``detached``): the
    # answer can then be freed whole. The values themselves are unchanged.
    raw = {"id": 123456, "code": "api_key_code", "name": "API key", "value": "s3cr3t-value"}
    [setting] = parse_source({"result": {"item": {"connection": {}, "settings": [raw]}}}).settings
    assert (setting.id, setting.code, setting.name, setting.value) == (
        123456,
        "api_key_code",
        "API key",
        "s3cr3t-value",
    )
    assert setting.id is not raw["id"]
    assert setting.name is not raw["name"]
    assert setting.value is not raw["value"]


def test_the_source_secret_set_is_ready_before_the_window_uses_it() -> None:
    # parse_source runs on the fetch's worker: the set the window redacts every text with
    # comes with its filters made, so the window's thread never spends the time.
    settings = [
        {"id": i, "code": f"k{i}", "name": f"K{i}", "type": "STRING", "value": f"value-{i:08d}"}
        for i in range(50)
    ]
    settings.append({"id": 99, "code": "long", "type": "STRING", "value": "a-longer-value-0001"})
    source = parse_source({"result": {"item": {"connection": {"id": 1}, "settings": settings}}})
    prepared = source.distinctive_set()
    assert prepared._runs is not None and prepared._sieve is not None
    assert prepared.replace("see value-00000007.") == "see •••."
