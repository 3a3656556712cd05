"""The JSON writer's batch paths (long lists of same-keyed objects, big objects, strings
checked a batch at a time) write what masking the data, then ``json.dumps``, writes.

``test_export`` checks small containers; these are long enough for the batch paths, with
secrets, secret-shaped tokens, hidden characters and awkward keys scattered through them.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.core.errors import Cancelled, LeakPrevented
from inspector.core.export import json_text
from inspector.core.masked_writer import MaskedJsonWriter
from inspector.core.masking import MASK, SecretSet, json_for_display, mask_outgoing

SECRETS = ("secretvalue01", "tok-0123456789abc", "hunter2hunter2")


def expected(data: Any, secrets: tuple[str, ...] = SECRETS) -> str:
    dumped = json.dumps(mask_outgoing(data, secrets), ensure_ascii=False, indent=2)
    return json_for_display(dumped)


def assert_written_as_dumped(data: Any, secrets: tuple[str, ...] = SECRETS) -> str:
    written = json_text(data, secrets)
    assert written == expected(data, secrets)
    written.encode("utf-8")  # no lone surrogate: the command line writes it unchecked
    for secret in secrets:
        assert secret not in written
    return written


def settings_like(count: int) -> list[dict[str, Any]]:
    return [
        {"id": i, "code": f"key{i}", "name": f"Key number {i}", "type": "STRING", "value": MASK}
        for i in range(count)
    ]


def test_a_long_list_of_settings() -> None:
    assert_written_as_dumped({"settings": settings_like(1000)})


@pytest.mark.parametrize(
    "odd",
    [
        "has secretvalue01 inside",
        "https://x.bitrix24.ru/rest/1/abcdefgh12/profile",
        "a=1&auth=0123456789",
        '"auth": "zzzz"',
        "'access_token': 'zzzz'",
        "Authorization: Bearer abcdef",
        "right\u202eto left",
        "zero\u200bwidth",
        "lone \udc80 surrogate",
        "tab\tand\nnewline",
        "100% sure, %s and %(x)s",
        "",
        "tok-0123456789abc",
    ],
)
def test_one_odd_string_among_many(odd: str) -> None:
    rows = settings_like(600)
    rows[317]["name"] = odd
    rows[2]["code"] = odd
    labels = {f"key{i}": f"Declared name {i}" for i in range(600)}
    labels["key400"] = odd
    labels[odd] = "a key of its own"
    assert_written_as_dumped({"settings": rows, "labels": labels, "list": [odd] * 40})


def test_records_of_mixed_values_and_nested_ones() -> None:
    rows: list[dict[str, Any]] = [
        {"id": i, "v": [i, {"x": None}] if i % 7 == 0 else i * 0.5, "ok": i % 3 == 0}
        for i in range(100)
    ]
    rows[5]["v"] = float("nan")
    rows[6]["v"] = "secretvalue01"
    rows[8]["id"] = "9"
    rows[9]["id"] = True
    rows[10]["v"] = {}
    rows[11]["v"] = []
    assert_written_as_dumped(rows)


def test_records_that_differ_in_keys_or_order_are_written_one_by_one() -> None:
    rows = settings_like(80)
    rows[40] = {"code": "key40", "id": 40, "name": "n", "type": "STRING", "value": MASK}
    rows[41] = {"id": 41}
    assert_written_as_dumped(rows)
    assert_written_as_dumped([*settings_like(50), "a string", None, 3])


def test_keys_that_masking_makes_equal_stay_unique() -> None:
    # Both keys become "x •••": as a dict would, the first one's place, the last value.
    keys = ("x secretvalue01", "x hunter2hunter2")
    rows = [{keys[0]: i, "mid": "m", keys[1]: -i} for i in range(64)]
    written = assert_written_as_dumped(rows)
    assert json.loads(written)[3] == {"x •••": -3, "mid": "m"}
    big = {f"k{i}": i for i in range(50)} | {keys[0]: 1, keys[1]: 2}
    assert json.loads(assert_written_as_dumped(big))["x •••"] == 2


def test_big_containers_inside_small_and_big_ones() -> None:
    # A big container is kept as pieces until the end: inside small and big containers,
    # records and merged keys alike, the text must come out whole and in order.
    big_list = [f"item {i}" for i in range(40)]
    big_dict = {f"k{i}": big_list if i % 9 == 0 else i for i in range(40)}
    rows = settings_like(40)
    rows[7] = {**rows[7], "value": big_list}  # a nested value: one record at a time
    data = {
        "small": {"a": big_list, "b": (big_dict, "secretvalue01")},
        "lists": [big_list] * 35,
        "big": big_dict,
        "rows": rows,
        "merged": {"x secretvalue01": big_list, "x hunter2hunter2": [big_dict], "y": 1},
        "tuple": tuple(big_list),
    }
    assert_written_as_dumped(data)
    assert_written_as_dumped([big_list, [], {}, [[big_list]]])


def test_percent_signs_in_keys() -> None:
    rows = [{"%s": i, "100%": "%d", "%(name)s": None} for i in range(40)]
    assert_written_as_dumped(rows)


def test_no_secrets_at_all() -> None:
    assert_written_as_dumped({"settings": settings_like(300)}, ())


def test_short_secrets_are_found_in_long_texts() -> None:
    # The writer skips texts shorter than the shortest secret: mixed lengths must not
    # hide a long text that holds a short secret.
    secrets = ("abcd", "hunter2hunter2")
    rows = [{"a": f"x{i}", "b": f"a long text {i} with abcd in it"} for i in range(300)]
    written = assert_written_as_dumped(rows, secrets)
    assert "abcd" not in written


def test_a_masked_string_that_still_leaks_is_refused_in_a_batch() -> None:
    secrets = ("abcd•••", "•••abcd")
    rows = [{"a": f"row {i}", "b": "n"} for i in range(100)]
    rows[50]["b"] = "abcd•••abcd"
    with pytest.raises(LeakPrevented):
        json_text(rows, secrets)


def test_cancel_stops_a_batch() -> None:
    cancel = threading.Event()
    cancel.set()
    writer = MaskedJsonWriter(SecretSet(SECRETS), lambda text: None, cancel)
    with pytest.raises(Cancelled):
        writer.write({"settings": settings_like(100)})


_texts = st.text(max_size=20) | st.sampled_from(
    [*SECRETS, "x secretvalue01 y", "\u202e\u200b", "/rest/1/abcdef/", "a=b", MASK, 'q"\\', "%s"]
)
_scalars = st.none() | st.booleans() | st.integers(-(2**64), 2**64) | st.floats() | _texts


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(_texts, min_size=2, max_size=4, unique=True),
    values=st.lists(_scalars, min_size=4, max_size=12),
    count=st.integers(32, 90),
    extra=st.dictionaries(_texts, _scalars, max_size=4),
)
def test_long_containers_are_written_as_dumped(
    keys: list[str], values: list[Any], count: int, extra: dict[str, Any]
) -> None:
    rows = [
        {key: values[(i + j) % len(values)] for j, key in enumerate(keys)} for i in range(count)
    ]
    flat = {f"{keys[0]}{i}": values[i % len(values)] for i in range(count)} | extra
    assert_written_as_dumped({"rows": rows, "flat": flat, "list": values * 8})
