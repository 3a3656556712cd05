"""The outline (what a person sees of a source) and its formatters, without Qt: one text per
value, the masking of every setting value, redaction of repeated secrets, and the CLI's
indented rendering of the same rows."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import UTC, timedelta, timezone
from typing import Any

import pytest

from inspector.cli import render_tree, row_line
from inspector.core import formatting
from inspector.core.connector import compare, parse_connector
from inspector.core.masking import MASK, SECRET_PLACEHOLDER
from inspector.core.model import CONNECTION_FIELDS, TIME_FIELDS, Source, parse_source
from inspector.core.outline import (
    CONNECTION_LABELS,
    LOOKUP_FAILED,
    TIME_LABELS,
    ConnectorState,
    Row,
    SettingRows,
    source_outline,
)
from inspector.demo.portal import DEMO_CONNECTORS, DEMO_SOURCES

TIME = {
    "start": 1742929480.5,
    "finish": 1742929480.5071,
    "duration": 9.94000018104911e-05,
    "processing": 0.006555080413818359,
    "date_start": "2025-03-25T22:04:40+03:00",
    "operating": 12,
    "operating_reset_at": 1742930080,
    "queue_wait": 0.000123,
}


def demo_source(source_id: int, time: dict[str, Any] | None = None) -> Source:
    item = copy.deepcopy(DEMO_SOURCES[source_id])
    return parse_source({"result": {"item": item}, "time": time or TIME})


MOSCOW = timezone(timedelta(hours=3))


def rows_by_label(rows: Sequence[Row]) -> dict[str, Row]:
    return {row.label: row for row in rows}


# --- formatters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (9.94000018104911e-05, "0.0000994 s"),
        (0.006555080413818359, "0.00656 s"),
        (0.08146095275878906, "0.0815 s"),
        (0.1 + 0.2, "0.3 s"),
        (0.001, "0.001 s"),
        (1.0, "1 s"),
        (12.5, "12.5 s"),
        (12, "12 s"),
        (1234.56, "1235 s"),
        (0, "0 s"),
        (-0.25, "-0.25 s"),
        (4e-7, "< 0.000001 s"),
        (float("inf"), "inf"),
    ],
)
def test_durations_are_plain_seconds(seconds: float, shown: str) -> None:
    assert formatting.seconds(seconds) == shown


@pytest.mark.parametrize(
    ("timestamp", "zone", "shown"),
    [
        (1742930080, UTC, "2025-03-25 19:14:40 UTC"),
        (1742929480.5, MOSCOW, "2025-03-25 22:04:40 UTC+03:00"),
        (1742929480, timezone(timedelta(hours=-5, minutes=-30)), "2025-03-25 13:34:40 UTC-05:30"),
        (1e300, UTC, "out of range"),
        (float("nan"), MOSCOW, "out of range"),
    ],
)
def test_unix_times_read_as_local_times_with_their_zone(
    timestamp: float, zone: Any, shown: str
) -> None:
    assert formatting.local_time(timestamp, zone) == shown


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("2025-03-25T22:04:40+03:00", "2025-03-25 19:04:40 UTC"),
        ("2025-03-25T19:04:40Z", "2025-03-25 19:04:40 UTC"),
        ("2025-03-20 14:50:06", "2025-03-20 14:50:06"),  # no zone sent: none guessed
        ("yesterday", "yesterday"),
    ],
)
def test_portal_dates_with_a_zone_read_as_local_times(sent: str, shown: str) -> None:
    assert formatting.date_time(sent, UTC) == shown


@pytest.mark.parametrize(
    ("value", "text", "kind"),
    [
        (None, "—", "null"),
        (True, "yes", "boolean"),
        (False, "no", "boolean"),
        (7, "7", "integer"),
        (0.000123, "0.000123", "number"),
        ("2025-03-20 14:50:06", "2025-03-20 14:50:06", "string"),
        ([1, "a"], '[1, "a"]', "array"),
        ({"k": "ü"}, '{"k": "ü"}', "object"),
    ],
)
def test_values_and_their_kinds(value: Any, text: str, kind: str) -> None:
    assert formatting.value_text(value) == text
    assert formatting.value_kind(value) == kind


def test_plurals_ids_and_revealed_values() -> None:
    assert [formatting.byte_size(n) for n in (0, 1, 2)] == ["0 bytes", "1 byte", "2 bytes"]
    assert formatting.identifier(None) == "—"
    assert formatting.identifier("abc") == "abc"
    assert formatting.revealed_value(None) == "(no value)"
    assert formatting.revealed_value("") == "(empty)"
    assert formatting.revealed_value("p\u202ew") == "pw"  # only made safe to display


def test_every_documented_key_has_a_label() -> None:
    assert list(CONNECTION_LABELS) == list(CONNECTION_FIELDS)
    assert sorted(TIME_LABELS) == sorted(TIME_FIELDS)
    # Readable moments first; the durations after them.
    assert list(TIME_LABELS)[:2] == ["date_start", "date_finish"]


# --- the outline ---------------------------------------------------------------------------


def test_the_outline_of_a_source() -> None:
    outline = source_outline(demo_source(8))
    assert outline.heading == "Source 8: Legacy CRM export"
    top = rows_by_label(outline.rows)
    assert list(top) == ["Connection", "Settings (2)", "Connector", "Time"]
    connection = rows_by_label(top["Connection"].children)
    assert top["Connection"].text == "10 fields" and top["Connection"].section
    assert (connection["Active"].text, connection["Active"].kind) == ("no", "boolean")
    assert (connection["Updated"].text, connection["Updated"].kind) == ("not sent", "null")
    assert (connection["Created"].text, connection["Created"].kind) == (
        "2024-11-05 08:30:00",
        "datetime",
    )
    settings = top["Settings (2)"]
    assert settings.text == "2 settings, values hidden"
    login = settings.children[0]
    assert (login.label, login.text, login.kind) == ("Login (login)", MASK, "STRING")
    assert login.secret and login.setting == 0 and login.typed
    # One row per setting; what it is (never its value) is in its tooltip.
    assert not login.children
    assert [line.split(": ")[0] for line in login.tooltip.splitlines()] == [
        "ID",
        "Code",
        "Name",
        "Type",
    ]
    assert "Code: login" in login.tooltip.splitlines()
    assert (top["Connector"].text, top["Connector"].kind) == ("ID 3", "connector")
    time = rows_by_label(top["Time"].children)
    assert list(time)[:3] == ["Started", "Start", "Finish"]
    assert time["Duration"].text == "0.0000994 s"
    assert time["Operating (time used of this method's limit)"].text == "12 s"
    assert time["Start"].kind == time["Started"].kind == "datetime"
    assert time["Start"].text == formatting.local_time(1742929480.5)
    assert time["Started"].text == formatting.date_time("2025-03-25T22:04:40+03:00")
    assert time["Start"].text == time["Started"].text  # the same moment, written alike
    assert (time["queue_wait"].text, time["queue_wait"].kind) == ("0.000123", "number")


def test_setting_rows_are_made_only_when_read() -> None:
    item = copy.deepcopy(DEMO_SOURCES[6])
    template = item["settings"][0]
    item["settings"] = [
        {**template, "id": n, "code": f"c{n}", "value": f"v-{n:08d}"} for n in range(50_000)
    ]
    source = parse_source({"result": {"item": item}})
    settings = source_outline(source).rows[1]
    rows = settings.children
    assert isinstance(rows, SettingRows) and len(rows) == 50_000
    assert settings.text == "50000 settings, values hidden"
    last = rows[-1]
    assert (last.label, last.text, last.setting) == (rows[49_999].label, MASK, 49_999)
    assert "v-00049999" not in last.tooltip
    with pytest.raises(IndexError):
        rows[50_000]
    assert [row.setting for row in rows[10:13]] == [10, 11, 12]


def test_a_setting_s_unknown_keys_are_named_but_never_shown() -> None:
    item = copy.deepcopy(DEMO_SOURCES[6])
    item["settings"][0]["futureSecret"] = "hush-hush-value"
    source = parse_source({"result": {"item": item}})
    row = source_outline(source).rows[1].children[0]
    assert "Other keys (values hidden): futureSecret" in row.tooltip
    assert "hush-hush-value" not in row.tooltip


def test_no_row_holds_a_setting_value_unless_revealed() -> None:
    source = demo_source(7)
    values = [s.value for s in source.settings if s.value]
    texts = [
        text
        for row in source_outline(source).rows
        for node in row.walk()
        for text in (node.label, node.text, node.kind, node.tooltip)
    ]
    assert not [t for t in texts for v in values if v == t or (len(v) >= 6 and v in t)]
    revealed = source_outline(source, revealed=frozenset({4}))
    password = next(r for r in revealed.rows[1].children if r.setting == 4)
    assert (password.text, password.secret) == ("pg-demo-P4ssw0rd!", False)


def test_secrets_are_redacted_from_every_text() -> None:
    secret = "c0nnection-title-secret"
    item = copy.deepcopy(DEMO_SOURCES[6])
    item["connection"]["title"] = f"Title with {secret}"
    source = parse_source({"result": {"item": item}})
    outline = source_outline(source, secrets=[secret])
    assert secret not in outline.heading
    texts = [node.text for row in outline.rows for node in row.walk()]
    assert f"Title with {SECRET_PLACEHOLDER}" in texts
    assert not [t for t in texts if secret in t]


def test_the_connector_section_once_looked_up() -> None:
    source = demo_source(7)
    report = compare(source, parse_connector({"result": {"item": DEMO_CONNECTORS[2]}}, 2))
    outline = source_outline(source, ConnectorState(report))
    top = rows_by_label(outline.rows)
    assert top["Connector"].text == "PostgreSQL warehouse (ID 2)"
    connector = rows_by_label(top["Connector"].children)
    missing = connector["Declared but missing (1)"].children
    assert [(r.label, r.text, r.kind) for r in missing] == [
        ("SSL mode (sslmode)", "missing", "STRING")
    ]
    labels = [row.label for row in top["Settings (5)"].children]
    assert labels[0] == "Server host name (host)"
    failed = source_outline(source, ConnectorState(note=LOOKUP_FAILED))
    assert rows_by_label(failed.rows)["Connector"].text == "ID 2 (could not be looked up)"


# --- the CLI's rendering -------------------------------------------------------------------


def test_the_cli_prints_every_row_of_the_outline() -> None:
    source = demo_source(7)
    report = compare(source, parse_connector({"result": {"item": DEMO_CONNECTORS[2]}}, 2))
    outline = source_outline(source, ConnectorState(report))
    text = render_tree(source, connector=ConnectorState(report))
    lines = text.splitlines()
    assert lines[0] == outline.heading

    def expected(rows: Sequence[Row], depth: int) -> list[str]:
        out = []
        for row in rows:
            out.append("  " * depth + row_line(row))
            out += expected(row.children, depth + 1)
        return out

    assert lines[1:] == expected(outline.rows, 0)
    assert "  Server host name (host) [STRING]: ••••••••" in lines
    assert "  Duration: 0.0000994 s" in lines
    assert "e-05" not in text


def test_the_cli_reveals_on_request_and_hides_repeated_values() -> None:
    item = copy.deepcopy(DEMO_SOURCES[7])
    item["connection"]["description"] = "password is pg-demo-P4ssw0rd!"
    source = parse_source({"result": {"item": item}})
    masked = render_tree(source)
    assert "pg-demo-P4ssw0rd!" not in masked
    assert f"Description: password is {SECRET_PLACEHOLDER}" in masked
    shown = render_tree(source, frozenset(range(len(source.settings))))
    assert "  Password (password) [STRING]: pg-demo-P4ssw0rd!" in shown.splitlines()
    assert "Settings (5): 5 settings, values shown" in shown


def test_rows_are_records() -> None:
    row = Row("Title", "t", "string")
    assert row == Row("Title", "t", "string")
    with pytest.raises(AttributeError):
        row.text = "other"  # type: ignore[misc]


# --- the connector's other fields, and dates not sent (spec §17) ------------------------------


def connector_rows(item: dict[str, Any]) -> dict[str, Row]:
    source = demo_source(6)
    report = compare(source, parse_connector({"result": {"item": item}}))
    outline = source_outline(source, ConnectorState(report), source.secrets())
    return rows_by_label(rows_by_label(outline.rows)["Connector"].children)


def test_the_connector_shows_its_other_fields() -> None:
    logo = "data:image/png;base64," + "A" * 4000
    rows = connector_rows(
        {
            "id": 1,
            "title": "SQL",
            "sort": 100,
            "dateCreate": "2025-03-20 14:45:00",
            "logo": logo,
            "supportMapping": False,
            "sourceCode": "mysql",
            "urlCheck": "https://bi.example.com/c.php?connection_type=mysql&action=check",
            "urlData": "https://bi.example.com/c.php?connection_type=mysql&action=data",
            "futureField": "kept",
        }
    )
    assert rows["Sort order"].text == "100"
    assert (rows["Created"].text, rows["Created"].kind) == ("2025-03-20 14:45:00", "datetime")
    assert rows["Logo"].text == "PNG image, 2.9 KB (embedded)"
    assert "AAAA" not in rows["Logo"].text
    assert rows["Supports field mapping"].text == "no"
    assert rows["Source code (built-in tile it replaces)"].text == "mysql"
    assert rows["Check URL"].text.endswith("?connection_type=mysql&action=check")
    assert rows["Data URL"].text.endswith("&action=data")
    assert rows["futureField"].text == "kept"


def test_fields_the_connector_did_not_send_are_not_rows() -> None:
    rows = connector_rows({"id": 1, "title": "SQL"})
    for label in ("Sort order", "Created", "Logo", "Supports field mapping"):
        assert label not in rows


@pytest.mark.parametrize(
    ("logo", "shown", "kind"),
    [
        ("", "none", "string"),
        ("https://cdn.example/logo.svg", "https://cdn.example/logo.svg", "url"),
        (
            "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
            "SVG image, 11 bytes (embedded)",
            "data URI",
        ),
        ("data:image/jpeg;base64,!!!", "JPEG image, 2 bytes (embedded)", "data URI"),
    ],
)
def test_a_logo_is_its_size_and_type(logo: str, shown: str, kind: str) -> None:
    assert formatting.logo(logo) == (shown, kind)


def test_a_setting_value_in_an_endpoint_is_masked_in_the_outline() -> None:
    # Source 6's setting "token" has the value "a1b2c3d4e5".
    rows = connector_rows({"id": 1, "urlData": "https://h.example/d?x=a1b2c3d4e5&mode=full"})
    assert rows["Data URL"].text == "https://h.example/d?x=•••&mode=full"


def test_dates_not_sent_read_not_sent() -> None:
    item = copy.deepcopy(DEMO_SOURCES[6])
    item["connection"]["dateCreate"] = {}
    source = parse_source({"result": {"item": item}})
    connection = rows_by_label(rows_by_label(source_outline(source).rows)["Connection"].children)
    assert connection["Created"].text == formatting.NOT_SENT
    assert formatting.date_text(None) == "not sent"
