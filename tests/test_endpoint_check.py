"""The endpoint check's rules without a network: request bodies, each step's validation,
skipping after a failure, exit codes, and masking of everything shown."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from inspector.core.connector import parse_connector
from inspector.core.endpoint_answers import COLUMN_TYPES, EndpointAnswer
from inspector.core.endpoint_check import (
    EndpointCheck,
    StepStatus,
    confirmation_text,
    remote_plain_http,
    request_form,
)
from inspector.core.errors import Cancelled, ConnectionRefused
from inspector.core.masking import MASK
from inspector.core.model import parse_source
from inspector.demo.portal import DEMO_CONNECTORS, DEMO_SOURCES

SOURCE = parse_source({"result": {"item": DEMO_SOURCES[11]}})
CONNECTOR = parse_connector({"result": {"item": DEMO_CONNECTORS[6]}}, 6)
API_KEY = "demo-key-ok-5f2c9e"
TABLES = [{"code": "orders", "title": "Orders"}]
COLUMNS = [
    {"code": "id", "name": "ID", "type": "int"},
    {"code": "note", "name": "N", "type": "string"},
]
ROWS = [["id", "note"], [1, "a"], [2, "b"]]


def answer(value: Any, status: int = 200, *, raw: bytes | None = None) -> EndpointAnswer:
    body = raw if raw is not None else json.dumps(value).encode()
    return EndpointAnswer(status, body, 0.01)


def script(*answers: EndpointAnswer | Exception) -> tuple[Any, list[tuple[str, dict[str, str]]]]:
    sent: list[tuple[str, dict[str, str]]] = []
    queue = list(answers)

    def send(url: str, form: Mapping[str, str]) -> EndpointAnswer:
        sent.append((url, dict(form)))
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return send, sent


def run(*answers: EndpointAnswer | Exception, table: str | None = None) -> Any:
    send, sent = script(*answers)
    return EndpointCheck(SOURCE, CONNECTOR, table=table).run(send), sent


GOOD = (answer({"ok": True}), answer(TABLES), answer(COLUMNS), answer(ROWS))


def test_every_step_passes_and_the_preview_holds_the_rows() -> None:
    report, sent = run(*GOOD)
    assert report.passed and report.exit_code == 0
    assert [s.status for s in report.steps] == [StepStatus.PASSED] * 4
    assert report.table == "orders"
    assert report.preview.rows == ((1, "a"), (2, "b"))
    assert [c.type for c in report.preview.columns] == ["int", "string"]
    assert [url.rsplit("/", 1)[1] for url, _form in sent] == ["check", "tables", "describe", "data"]


def test_the_forms_carry_the_settings_and_each_endpoints_parameters() -> None:
    _report, sent = run(*GOOD)
    for _url, form in sent:
        assert form["connection[apiKey]"] == API_KEY
        assert form["connection[account]"] == "shop-11-acct"
    assert sent[1][1]["searchString"] == ""
    assert sent[2][1]["table"] == "orders"
    data = sent[3][1]
    assert (data["select[0]"], data["select[1]"]) == ("id", "note")
    assert data["mapFields[note]"] == "note" and data["limit"] == "20"
    assert "searchString" not in request_form("urlCheck", SOURCE)


@pytest.mark.parametrize(
    ("position", "bad", "found"),
    [
        (0, answer(None, raw=b"  "), "an empty body."),
        (0, answer(None, 500, raw=b"oops"), "HTTP 500."),
        (1, answer({"tables": []}), "a JSON object with the keys tables."),
        (1, answer([{"title": "x"}]), "item 1 has no “code” string"),
        (1, answer([{"code": "x"}]), "item 1 has no “title”."),
        (1, answer([]), "an empty list"),
        (1, answer(None, raw=b"<!DOCTYPE html><p>hi"), "an HTML page instead of JSON."),
        (2, answer([]), "a JSON array of 0 items."),
        (2, answer([{"code": "id", "name": "ID"}]), "column 1 lacks type"),
        (2, answer(None, raw=b"{not json"), "an answer that is not JSON."),
        (3, answer([["id", "note"], [1]]), "row 2 has 1 values, the first row 2."),
        (3, answer([["id", "other"]]), "columns the description does not have: other."),
        (3, answer([[1, 2]]), "a first row that is not the column codes."),
        (3, answer({"rows": []}), "a JSON object with the keys rows."),
    ],
)
def test_each_failure_says_what_came_back_and_skips_the_rest(
    position: int, bad: EndpointAnswer, found: str
) -> None:
    report, sent = run(*GOOD[:position], bad)
    step = report.steps[position]
    assert step.status is StepStatus.FAILED and found in step.found
    assert step.required.startswith("HTTP 200")
    assert report.exit_code == 3 and len(sent) == position + 1
    for later in report.steps[position + 1 :]:
        assert later.status is StepStatus.SKIPPED
        assert later.reason == f"Skipped: {step.key} failed."


def test_unknown_column_types_pass_as_string_with_a_note() -> None:
    columns = [
        {"code": "id", "name": "ID", "type": "int"},
        {"code": "note", "name": "N", "type": "TEXT"},
    ]
    report, _sent = run(GOOD[0], GOOD[1], answer(columns), GOOD[3])
    assert report.passed
    assert report.steps[2].notes == (
        "Column “note” has the unknown type “TEXT”: Bitrix24 takes it as string.",
    )
    assert report.preview.columns[1].type == "string"
    assert report.to_json()["columns"][1]["declaredType"] == "TEXT"
    assert set(COLUMN_TYPES) >= {"money", "timezone"}


def test_a_missing_table_fails_the_list() -> None:
    report, _sent = run(GOOD[0], GOOD[1], table="nope")
    assert "without the table “nope”" in report.steps[1].found


def test_no_answer_is_exit_4_and_cancel_passes_through() -> None:
    report, _sent = run(ConnectionRefused("Could not connect to 127.0.0.1:9."))
    assert report.exit_code == 4 and report.unreachable
    with pytest.raises(Cancelled):
        run(GOOD[0], Cancelled())


def test_an_echoed_setting_is_masked_in_every_text() -> None:
    echo = answer(None, 500, raw=f"bad key {API_KEY} for shop-11-acct".encode())
    report, _sent = run(echo)
    text = json.dumps(report.to_json(), ensure_ascii=False)
    assert API_KEY not in text and "shop-11-acct" not in text
    assert "•••" in report.steps[0].excerpt


def test_setting_values_in_the_address_are_hidden() -> None:
    item = {**DEMO_CONNECTORS[6], "urlCheck": f"https://c.example/check?key={API_KEY}"}
    connector = parse_connector({"result": {"item": item}}, 6)
    send, _sent = script(answer(None, raw=b""))
    report = EndpointCheck(SOURCE, connector).run(send)
    assert API_KEY not in report.steps[0].url and MASK not in report.steps[0].url
    assert report.steps[0].url.startswith("https://c.example/check?key=")


def test_json_form_leaves_the_rows_out() -> None:
    report, _sent = run(*GOOD)
    data = report.to_json()
    assert data["rowCount"] == 2 and "rows" not in data and "preview" not in data


def test_the_question_names_the_hosts_and_warns_on_remote_http() -> None:
    text = confirmation_text(SOURCE, CONNECTOR)
    assert "2 settings" in text and "demo-connector.invalid" in text
    assert API_KEY not in text
    assert remote_plain_http(CONNECTOR)  # demo-connector.invalid is not loopback unresolved
    item = {
        k: (
            v.replace("http://demo-connector.invalid", "http://127.0.0.1:9")
            if k.startswith("url")
            else v
        )
        for k, v in DEMO_CONNECTORS[6].items()
    }
    assert not remote_plain_http(parse_connector({"result": {"item": item}}, 6))


def test_the_steps_are_the_connector_endpoint_fields() -> None:
    # RequestRecord.checkable takes a connector with any URL as one to check: its ``urls``
    # holds only these fields.
    from inspector.core.connector import CONNECTOR_URL_FIELDS
    from inspector.core.endpoint_check import STEP_KEYS

    assert tuple(CONNECTOR_URL_FIELDS) == STEP_KEYS
