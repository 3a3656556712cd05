"""Check endpoints… in the window, against the demo connector over real sockets: the
question before anything is sent, passing and failing steps, Cancel, the data preview,
the support bundle, and no setting value in any widget text or tooltip."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu, QTableWidgetItem

from gui.gui_helpers import fetch_and_wait, leak_walk, window_secrets
from inspector.demo.portal import DEMO_SOURCES, DemoPortal
from inspector.ui.check_dialog import CheckDialog, forget_confirmations, open_check


@pytest.fixture(autouse=True)
def _ask_every_test() -> Iterator[None]:
    forget_confirmations()
    yield
    forget_confirmations()


def shown(qtbot: Any, make_window: Any, portal: DemoPortal, source_id: int) -> Any:
    window = make_window(demo=portal)
    with qtbot.waitSignal(window.connector_done, timeout=10_000):
        fetch_and_wait(qtbot, window, source_id)
    portal.connector.clear_requests()
    return window


def opened(window: Any, answers: list[bool] | None = None) -> tuple[CheckDialog, list[Any]]:
    dialog = open_check(window)
    assert dialog is not None
    asked: list[Any] = []
    replies = list(answers if answers is not None else [True])

    def confirm(text: str, strong: bool) -> bool:
        asked.append((text, strong))
        return replies.pop(0)

    dialog.confirm = confirm
    return dialog, asked


def run_to_end(qtbot: Any, dialog: CheckDialog) -> None:
    assert dialog.run_check()
    qtbot.waitUntil(lambda: not dialog.is_running, timeout=15_000)


def text_of(item: QTableWidgetItem | None) -> str:
    assert item is not None
    return item.text()


def cells(dialog: CheckDialog, row: int) -> list[str]:
    table = dialog.steps_table
    return [text_of(table.item(row, column)) for column in range(table.columnCount())]


def setting_values(source_id: int) -> list[str]:
    return [str(s["value"]) for s in DEMO_SOURCES[source_id]["settings"]]


def test_the_action_waits_for_a_source_with_a_connector(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = make_window(demo=portal)
    action = window.window_actions.check_endpoints
    assert not action.isEnabled()
    assert window.check_button.defaultAction() is action
    assert open_check(window) is None
    with qtbot.waitSignal(window.connector_done, timeout=10_000):
        fetch_and_wait(qtbot, window, 11)
    assert action.isEnabled() and window.check_button.isEnabled()
    [source_menu] = [m for m in window.menuBar().findChildren(QMenu) if m.title() == "&Source"]
    assert action in source_menu.actions()


def test_nothing_is_sent_until_the_user_agrees_and_then_every_step_passes(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = shown(qtbot, make_window, portal, 11)
    dialog, asked = opened(window, [False, True])
    assert not dialog.run_check()
    assert portal.connector.requests == []
    assert dialog.status_label.text() == "Nothing was sent."
    [(question, strong)] = asked
    assert portal.connector.base_url.removeprefix("http://") in question
    assert strong is False  # plain http, but on this machine

    run_to_end(qtbot, dialog)
    assert len(asked) == 2
    assert [r.endpoint for r in portal.connector.requests] == [
        "check",
        "tables",
        "describe",
        "data",
    ]
    for row in range(4):
        verdict, status, took, found = cells(dialog, row)[1:]
        assert verdict == "✔ passed" and status == "200" and took.endswith(" ms")
        assert found == "as required"
    assert dialog.status_label.text() == "Every step passed."

    # Asked once per source and session.
    run_to_end(qtbot, dialog)
    assert len(asked) == 2


def test_the_data_preview_shows_the_rows_with_their_types(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = shown(qtbot, make_window, portal, 11)
    dialog, _asked = opened(window)
    run_to_end(qtbot, dialog)
    preview = dialog.preview_table
    headers = [text_of(preview.horizontalHeaderItem(c)) for c in range(preview.columnCount())]
    assert headers == [
        "id (int)",
        "created (datetime)",
        "customer (string)",
        "region (string)",
        "total (money)",
    ]
    assert preview.rowCount() == 5
    assert text_of(preview.item(3, 2)) == "Ромашка ООО"
    total = preview.horizontalHeaderItem(4)
    assert total is not None and total.toolTip() == "Total: money"


def test_a_failed_step_says_what_was_required_and_the_rest_are_skipped(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = shown(qtbot, make_window, portal, 13)
    dialog, _asked = opened(window)
    run_to_end(qtbot, dialog)
    assert cells(dialog, 0)[1] == "✔ passed"
    assert cells(dialog, 1)[1:] == [
        "✘ failed",
        "200",
        cells(dialog, 1)[3],
        "a JSON object with the keys tables.",
    ]
    assert cells(dialog, 2)[1] == "– skipped"
    assert cells(dialog, 3)[4] == "Skipped: urlTableList failed."
    assert dialog.steps_table.currentRow() == 1
    details = dialog.details.toPlainText()
    assert "Required: HTTP 200 with a JSON array of tables" in details
    assert "Found instead: a JSON object with the keys tables." in details
    assert '{"tables": [{"code": "orders"' in details
    assert dialog.status_label.text().startswith("1 step failed")
    assert dialog.preview_table.rowCount() == 0


def test_a_redirect_shows_its_status_and_is_not_followed(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = shown(qtbot, make_window, portal, 17)
    dialog, _asked = opened(window)
    run_to_end(qtbot, dialog)
    assert cells(dialog, 0)[1:3] == ["✘ failed", "302"]
    assert "not followed" in cells(dialog, 0)[4]
    assert [r.endpoint for r in portal.connector.requests] == ["check"]


def test_cancel_stops_a_slow_endpoint_at_once(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = shown(qtbot, make_window, portal, 16)
    dialog, _asked = opened(window)
    assert dialog.run_check()
    qtbot.waitUntil(lambda: len(portal.connector.requests) == 1, timeout=10_000)
    assert dialog.cancel_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.run_button.isEnabled() and not dialog.cancel_button.isEnabled()
    assert dialog.status_label.text().startswith("Cancelled.")
    assert not dialog.is_running
    qtbot.waitUntil(lambda: dialog.threads_running == 0, timeout=5_000)
    assert cells(dialog, 0)[1] == ""  # the cancelled run's result is not shown
    assert dialog.report is None


def test_the_support_bundle_holds_the_masked_results(
    qtbot: Any, make_window: Any, portal: DemoPortal, tmp_path: Path
) -> None:
    window = shown(qtbot, make_window, portal, 18)
    dialog, _asked = opened(window)
    run_to_end(qtbot, dialog)
    path = window.export_support_bundle(str(tmp_path / "bundle.json"))
    text = Path(path).read_text(encoding="utf-8")
    check = json.loads(text)["endpointCheck"]
    assert check["passed"] is False
    assert [s["status"] for s in check["steps"]] == ["passed", "passed", "failed", "skipped"]
    assert check["steps"][2]["httpStatus"] == 502
    for value in setting_values(18):
        assert value not in text


def test_no_setting_value_shows_in_the_dialog(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = shown(qtbot, make_window, portal, 11)
    dialog, asked = opened(window)
    run_to_end(qtbot, dialog)
    for row in range(4):
        dialog.steps_table.selectRow(row)
        secrets = [*window_secrets(window), *setting_values(11)]
        assert leak_walk(window, secrets, clipboard=False) == []
    for value in setting_values(11):
        assert value not in asked[0][0]


def test_a_fetch_enables_the_action_without_loading_the_dialog(
    qtbot: Any, make_window: Any, portal: DemoPortal, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Asking check_dialog whether the action applies cost each fetch its import (many
    # widget classes, about 5 ms); the record answers now.
    monkeypatch.delitem(sys.modules, "inspector.ui.check_dialog")
    window = make_window(demo=portal)
    with qtbot.waitSignal(window.connector_done, timeout=10_000):
        fetch_and_wait(qtbot, window, 6)
    assert window.window_actions.check_endpoints.isEnabled()
    assert "inspector.ui.check_dialog" not in sys.modules


@pytest.mark.parametrize(
    ("urls", "checkable"),
    [({}, False), ({"urlData": "https://x.example/data"}, True), ({"urlCheck": ""}, False)],
)
def test_a_record_is_checkable_with_a_source_and_a_connector_url(
    urls: dict[str, str], checkable: bool
) -> None:
    from inspector.core.connector import compare, parse_connector
    from inspector.core.credentials import parse_webhook_url
    from inspector.core.model import parse_source
    from inspector.ui.request_record import RequestRecord

    item = {"connection": {"id": 1, "title": "t"}, "connectorId": 1, "settings": []}
    source = parse_source({"result": {"item": item}})
    connector = parse_connector({"result": {"item": {"id": 1, "title": "c", **urls}}})
    credential = parse_webhook_url("https://b24.example.com/rest/1/abcdefghijkl/")
    record = RequestRecord(credential, "biconnector.source.get", {"id": 1})
    assert record.checkable() is None  # no source yet
    record.source = source
    assert record.checkable() is None  # no connector yet
    record.report = compare(source, connector)
    assert (record.checkable() == (source, connector)) is checkable
