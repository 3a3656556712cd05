"""``get --json`` is made straight from the answers (``core.source_json``): it must print
what the records' path prints (``Source.masked_dict`` with the connector's summary, every
secret masked), over a real socket to the demo portal."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator

import pytest

from inspector.__main__ import build_parser
from inspector.cli import run_get
from inspector.core.client import BitrixClient
from inspector.core.connector import compare
from inspector.core.credentials import parse_webhook_url
from inspector.core.errors import InspectorError
from inspector.core.export import connector_summary, json_text, outgoing_secrets
from inspector.core.masking import MASK
from inspector.demo.portal import DEMO_SOURCES, DemoPortal


@pytest.fixture(scope="module")
def portal() -> Iterator[DemoPortal]:
    with DemoPortal() as p:
        yield p


@pytest.fixture(autouse=True)
def _webhook_only(monkeypatch: pytest.MonkeyPatch, portal: DemoPortal) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("B24_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("B24_WEBHOOK_URL", portal.webhook_url)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_get(build_parser().parse_args(["get", *argv]), out, err)
    return code, out.getvalue(), err.getvalue()


def through_the_records(portal: DemoPortal, source_id: int, connector: bool) -> str:
    """What the records' path writes: the source parsed, compared, masked_dict, json_text."""
    credential = parse_webhook_url(portal.webhook_url)
    with BitrixClient(credential) as client:
        source = client.get_source(source_id)
        data = source.masked_dict()
        if connector and source.connector_id is not None:
            try:
                report = compare(source, client.get_connector(source.connector_id))
            except InspectorError:
                pass
            else:
                data["connector"] = connector_summary(report)
    return json_text(data, outgoing_secrets(credential.secrets(), source)) + "\n"


def without_time(text: str) -> str:
    """*text* without its ``time`` block: the demo portal times every answer anew."""
    return re.sub(r'\n  "time": \{.*?\n  \},?', "", text, flags=re.DOTALL)


@pytest.mark.parametrize("source_id", sorted(DEMO_SOURCES))
def test_get_json_prints_what_the_records_print(portal: DemoPortal, source_id: int) -> None:
    code, out, err = run(str(source_id), "--json")
    assert code == 0, err
    expected = through_the_records(portal, source_id, connector=True)
    assert '"time": {' in out and without_time(out) == without_time(expected)
    assert {s["value"] for s in json.loads(out)["settings"]} <= {MASK}
    code, out, _err = run(str(source_id), "--json", "--no-connector")
    assert code == 0
    assert without_time(out) == without_time(through_the_records(portal, source_id, False))


def test_get_json_warns_as_the_tree_does(portal: DemoPortal) -> None:
    # The connector's warnings go to stderr whichever way the source is printed.
    for source_id in sorted(DEMO_SOURCES):
        _code, _out, tree_err = run(str(source_id))
        _code, _out, json_err = run(str(source_id), "--json")
        assert json_err == tree_err


def test_get_json_reveal_still_reveals(portal: DemoPortal) -> None:
    code, out, err = run("7", "--json", "--reveal")
    assert code == 0
    shown = {s["value"] for s in json.loads(out)["settings"]}
    assert shown == {
        None if s["value"] is None else str(s["value"]) for s in DEMO_SOURCES[7]["settings"]
    }
    assert "--reveal" in err


def test_get_json_of_a_missing_source_fails_cleanly() -> None:
    code, out, err = run("999999", "--json")
    assert code == 3
    assert out == ""
    assert "error" in err
