"""``b24-inspector check`` end to end: a real process, the demo portal and its demo connector
on 127.0.0.1, real exit codes, and no setting value in any output."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from servers import ScriptedServer, closed_port, text_reply

from inspector.cli_check import confirmation_text, run_check
from inspector.core.connector import parse_connector
from inspector.core.model import parse_source
from inspector.demo.connector import DemoConnector
from inspector.demo.data import DEMO_CONNECTOR_ORIGIN
from inspector.demo.portal import DEMO_CONNECTORS, DEMO_SOURCES, DemoPortal

CHECK_SOURCES = range(11, 19)
SETTING_VALUES = [str(s["value"]) for sid in CHECK_SOURCES for s in DEMO_SOURCES[sid]["settings"]]


@pytest.fixture(scope="module")
def portal() -> Iterator[DemoPortal]:
    with DemoPortal() as p:
        yield p


@pytest.fixture
def connector(portal: DemoPortal) -> DemoConnector:
    portal.connector.clear_requests()
    return portal.connector


def run_cli(
    portal: DemoPortal, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("B24_")}
    env["B24_WEBHOOK_URL"] = portal.webhook_url
    proc = subprocess.run(
        [sys.executable, "-m", "inspector", "check", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        input=stdin,
        check=False,
    )
    code = portal.webhook_url.rstrip("/").rsplit("/", 1)[1]
    for secret in (*SETTING_VALUES, code):
        assert secret not in proc.stdout
        assert secret not in proc.stderr
    return proc


def steps(proc: subprocess.CompletedProcess[str]) -> dict[str, dict[str, Any]]:
    return {step["endpoint"]: step for step in json.loads(proc.stdout)["steps"]}


def test_a_correct_connector_passes_every_step(
    portal: DemoPortal, connector: DemoConnector
) -> None:
    proc = run_cli(portal, "11", "--yes")
    assert proc.returncode == 0, proc.stderr
    for key in ("urlCheck", "urlTableList", "urlTableDescription", "urlData"):
        assert f"PASS  {key}  HTTP 200" in proc.stdout
    assert "Every step passed." in proc.stdout
    assert "Northwind LLC" in proc.stdout  # the data preview, as it came
    assert "total (money)" in proc.stdout
    assert f"to 127.0.0.1:{connector.base_url.rsplit(':', 1)[1]}" in proc.stderr


def test_the_calls_are_the_ones_bitrix24_makes(
    portal: DemoPortal, connector: DemoConnector
) -> None:
    assert run_cli(portal, "11", "--yes").returncode == 0
    sent = connector.requests
    assert [r.endpoint for r in sent] == ["check", "tables", "describe", "data"]
    settings = {f"connection[{s['code']}]": s["value"] for s in DEMO_SOURCES[11]["settings"]}
    for request in sent:
        assert {k: v for k, v in request.form.items() if k.startswith("connection[")} == settings
    assert sent[1].form["searchString"] == ""
    assert sent[2].form["table"] == "orders"
    data = sent[3].form
    assert data["table"] == "orders" and data["limit"] == "20"
    assert [data[f"select[{i}]"] for i in range(5)] == [
        "id",
        "created",
        "customer",
        "region",
        "total",
    ]
    assert data["mapFields[total]"] == "total"


def test_json_holds_every_step_and_the_preview(portal: DemoPortal) -> None:
    proc = run_cli(portal, "11", "--yes", "--json")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["passed"] is True and data["table"] == "orders"
    assert [s["status"] for s in data["steps"]] == ["passed"] * 4
    assert all(s["httpStatus"] == 200 and s["seconds"] >= 0 for s in data["steps"])
    assert data["preview"]["columns"] == ["id", "created", "customer", "region", "total"]
    assert data["preview"]["rows"][0][2] == "Northwind LLC"
    assert len(data["preview"]["rows"]) == 5


def test_an_empty_check_answer_fails_and_skips_the_rest(portal: DemoPortal) -> None:
    proc = run_cli(portal, "12", "--yes", "--json")
    assert proc.returncode == 3
    result = steps(proc)
    assert result["urlCheck"]["status"] == "failed"
    assert result["urlCheck"]["found"] == "an empty body."
    assert result["urlCheck"]["required"] == "HTTP 200 with a non-empty body."
    for key in ("urlTableList", "urlTableDescription", "urlData"):
        assert result[key]["status"] == "skipped"
        assert result[key]["reason"] == "Skipped: urlCheck failed."


def test_a_table_list_in_the_wrong_shape_fails(portal: DemoPortal) -> None:
    proc = run_cli(portal, "13", "--yes")
    assert proc.returncode == 3
    assert "FAIL  urlTableList  HTTP 200" in proc.stdout
    assert "found: a JSON object with the keys tables." in proc.stdout
    assert "required: HTTP 200 with a JSON array of tables" in proc.stdout


def test_an_unknown_column_type_is_taken_as_string_and_said(portal: DemoPortal) -> None:
    proc = run_cli(portal, "14", "--yes", "--json")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    [note] = steps(proc)["urlTableDescription"]["notes"]
    assert "“paid”" in note and "“boolean”" in note and "string" in note
    paid = next(c for c in data["columns"] if c["code"] == "paid")
    assert paid == {"code": "paid", "name": "Paid", "type": "string", "declaredType": "boolean"}


def test_ragged_rows_fail_the_data_step(portal: DemoPortal) -> None:
    proc = run_cli(portal, "15", "--yes", "--json")
    assert proc.returncode == 3
    assert steps(proc)["urlData"]["found"] == "row 3 has 3 values, the first row 5."


def test_a_slow_endpoint_ends_at_the_timeout(portal: DemoPortal) -> None:
    proc = run_cli(portal, "16", "--yes", "--json", "--timeout", "1")
    assert proc.returncode == 4
    check = steps(proc)["urlCheck"]
    assert check["status"] == "failed" and check["httpStatus"] is None
    assert check["seconds"] < 5  # the demo endpoint takes 8 s


def test_a_redirect_is_reported_not_followed(portal: DemoPortal, connector: DemoConnector) -> None:
    proc = run_cli(portal, "17", "--yes", "--json")
    assert proc.returncode == 3
    check = steps(proc)["urlCheck"]
    assert check["httpStatus"] == 302
    assert check["found"] == (
        "a redirect to https://bi-connector.demo.invalid/v2/check; it was not followed."
    )
    assert [r.endpoint for r in connector.requests] == ["check"]


def test_an_html_error_page_is_named(portal: DemoPortal) -> None:
    proc = run_cli(portal, "18", "--yes", "--json")
    assert proc.returncode == 3
    described = steps(proc)["urlTableDescription"]
    assert described["httpStatus"] == 502
    assert described["found"] == "HTTP 502 with an HTML page titled “502 Bad Gateway”."
    assert "<title>502 Bad Gateway</title>" in described["excerpt"]


def test_table_option_picks_the_table(portal: DemoPortal, connector: DemoConnector) -> None:
    assert run_cli(portal, "11", "--yes", "--table", "customers").returncode == 0
    assert connector.requests[2].form["table"] == "customers"
    proc = run_cli(portal, "11", "--yes", "--json", "--table", "nope")
    assert proc.returncode == 3
    assert "without the table “nope”" in steps(proc)["urlTableList"]["found"]


def test_without_a_terminal_or_yes_nothing_is_sent(
    portal: DemoPortal, connector: DemoConnector
) -> None:
    proc = run_cli(portal, "11", stdin="y\n")
    assert proc.returncode == 2
    assert "Nothing was sent" in proc.stderr and "--yes" in proc.stderr
    assert connector.requests == []


def _args(**given: Any) -> argparse.Namespace:
    defaults: dict[str, Any] = {
        "id": "11",
        "table": None,
        "yes": False,
        "json": True,
        "timeout": 10.0,
        "webhook_url": None,
        "webhook_url_file": None,
        "portal": None,
        "profile": None,
        "demo": False,
        "proxy": None,
        "proxy_file": None,
        "access_token_file": None,
        "ca_file": None,
    }
    return argparse.Namespace(**{**defaults, **given})


@pytest.mark.parametrize("answer", [True, False])
def test_the_question_names_the_host_and_no_means_nothing_sent(
    portal: DemoPortal, connector: DemoConnector, answer: bool
) -> None:
    asked: list[str] = []

    def ask(text: str) -> bool:
        asked.append(text)
        return answer

    out, err = io.StringIO(), io.StringIO()
    code = run_check(_args(webhook_url=portal.webhook_url), out, err, ask=ask)
    [question] = asked
    assert connector.base_url.removeprefix("http://") in question
    assert "WARNING" not in question  # plain http, but to this machine
    if answer:
        assert code == 0 and len(connector.requests) == 4
    else:
        assert code == 2 and connector.requests == []
        assert "Nothing was sent." in err.getvalue()
    for secret in SETTING_VALUES:
        assert secret not in out.getvalue() + err.getvalue() + question


def test_plain_http_to_another_host_gets_the_stronger_warning() -> None:
    source = parse_source({"result": {"item": DEMO_SOURCES[8]}})
    connector = parse_connector({"result": {"item": DEMO_CONNECTORS[3]}}, 3)
    text = confirmation_text(source, connector)
    assert "csv-bridge.demo.invalid" in text
    assert "WARNING" in text and "unencrypted" in text


def test_an_unreachable_endpoint_exits_4() -> None:
    port = closed_port()
    connectors = {6: {**DEMO_CONNECTORS[6]}}
    for key in ("urlCheck", "urlTableList", "urlTableDescription", "urlData"):
        connectors[6][key] = f"http://127.0.0.1:{port}/{key}"
    with DemoPortal(connectors=connectors) as portal:
        proc = run_cli(portal, "11", "--yes", "--json")
    assert proc.returncode == 4
    assert steps(proc)["urlCheck"]["status"] == "failed"


def test_an_endpoint_echoing_the_settings_is_masked() -> None:
    def echo(request: Any) -> Any:
        return text_reply(request.body.decode())

    with ScriptedServer(echo) as server:
        connectors = {6: {**DEMO_CONNECTORS[6]}}
        for key in ("urlCheck", "urlTableList", "urlTableDescription", "urlData"):
            connectors[6][key] = connectors[6][key].replace(DEMO_CONNECTOR_ORIGIN, server.url)
        with DemoPortal(connectors=connectors) as portal:
            proc = run_cli(portal, "11", "--yes", "--json")  # run_cli checks every output
            [request] = server.requests[:1]
    assert "demo-key-ok-5f2c9e" in request.body.decode()  # it was sent, and echoed
    assert proc.returncode == 3  # the echo is not a table list
    assert "connection%5BapiKey%5D=" in steps(proc)["urlCheck"]["excerpt"]


@pytest.mark.parametrize(("args", "code"), [(["abc", "--yes"], 2), (["11", "--timeout", "0"], 2)])
def test_bad_input_exits_2(portal: DemoPortal, args: list[str], code: int) -> None:
    assert run_cli(portal, *args).returncode == code
