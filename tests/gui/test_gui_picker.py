"""The source picker over a real socket: ``biconnector.source.list`` read page by page (three
pages for 120 sources) with progress, searched, and a chosen row fetched. The table never
shows a setting value, even though the demo portal sends them in the list."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QTableView
from servers import ScriptedServer, json_reply

from gui.gui_helpers import leak_walk, webhook_code
from inspector.demo.portal import DEMO_SOURCES, DemoPortal

LIST = "biconnector.source.list"


def many_sources(count: int) -> dict[int, dict[str, Any]]:
    """*count* sources built from the demo's source 7, ids 1001…, each with its own secret."""
    out: dict[int, dict[str, Any]] = {}
    for n in range(count):
        source_id = 1001 + n
        item = copy.deepcopy(DEMO_SOURCES[7])
        item["connection"]["id"] = source_id
        item["connection"]["title"] = f"Warehouse copy {n + 1}" if n % 10 == 0 else f"Feed {n + 1}"
        item["connectorId"] = 2
        item["settings"][-1]["value"] = f"list-secret-password-{n}"
        out[source_id] = item
    return out


@pytest.fixture
def big_portal() -> Iterator[DemoPortal]:
    with DemoPortal(sources=many_sources(120)) as running:
        yield running


def open_picker(qtbot: Any, window: Any) -> Any:
    with qtbot.waitSignal(window.sources_listed, timeout=10_000):
        picker = window.browse_sources()
        assert picker is not None
    return picker


def test_the_list_is_read_in_three_pages_searched_and_a_choice_fetched(
    qtbot: Any, make_window: Any, big_portal: DemoPortal
) -> None:
    window = make_window(demo=big_portal)
    progress: list[str] = []
    window.status_line.setText("")
    timer_texts = window.status_line
    window.requests.jobs.progressed.connect(
        lambda job, page, count: progress.append(f"{page}:{count}")
    )
    picker = open_picker(qtbot, window)
    table = picker.findChild(QTableView, "sourceTable")
    assert table is not None and picker.isVisible()
    assert picker.model.rowCount() == 120
    assert progress == ["1:50", "2:100", "3:120"]
    pages = [(r.body or {})["page"] for r in big_portal.requests if r.api_method == LIST.lower()]
    assert pages == [1, 2, 3]
    # Setting values were neither asked for nor kept.
    for request in big_portal.requests:
        if request.api_method == LIST.lower():
            assert "settings" not in (request.body or {})["select"]
    assert timer_texts.text() == "The portal lists 120 sources."
    assert picker.status_label.text().startswith("120 sources.")
    headers = [picker.model.headerData(i, Qt.Orientation.Horizontal) for i in range(5)]
    assert headers == ["ID", "Title", "Type", "Active", "Connector"]
    assert [picker.filter.index(0, c).data() for c in range(5)] == [
        "1001",
        "Warehouse copy 1",
        "rest",
        "yes",
        "2",
    ]
    secrets = [f"list-secret-password-{n}" for n in range(120)]
    secrets += [webhook_code(big_portal.webhook_url), "pg-demo-P4ssw0rd!", "bi_reader"]
    assert leak_walk(window, secrets) == []

    # Search: every word must match somewhere (id, title, type, code, connector).
    search = picker.findChild(QLineEdit, "sourceSearchEdit")
    assert search is not None
    qtbot.keyClicks(search, "warehouse")
    assert picker.filter.rowCount() == 12
    assert picker.status_label.text() == "12 of 120 sources match."
    search.setText("warehouse 11")
    rows = range(picker.filter.rowCount())
    assert [picker.filter.index(r, 0).data() for r in rows] == ["1011", "1101", "1111"]
    search.setText("1111")
    assert picker.filter.rowCount() == 1

    # Enter in the search field fetches the one left; the picker closes.
    with qtbot.waitSignal(window.fetch_done, timeout=10_000):
        qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.source_picker is None)  # closed (and deleted)
    assert window.status_line.text().startswith("Source 1111 “Warehouse copy 111”")
    assert window.source_id_edit.text() == "1111"
    assert leak_walk(window, secrets) == []


def test_ctrl_l_opens_the_picker_and_the_list_is_kept_for_the_session(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = make_window(demo=portal)
    window.source_id_edit.setFocus()
    with qtbot.waitSignal(window.sources_listed, timeout=10_000):
        qtbot.keyClick(window.source_id_edit, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    picker = window.source_picker
    assert picker is not None and picker.model.rowCount() == len(DEMO_SOURCES)
    # Double-click (or Enter) on a row fetches it.
    table = picker.table
    row = next(
        r for r in range(picker.filter.rowCount()) if picker.filter.index(r, 0).data() == "7"
    )
    with qtbot.waitSignal(window.fetch_done, timeout=10_000):
        table.setCurrentIndex(picker.filter.index(row, 1))
        table.activated.emit(picker.filter.index(row, 1))
    assert window.status_line.text().startswith("Source 7 “Sales warehouse (PostgreSQL)”")
    qtbot.waitUntil(lambda: window.source_picker is None)

    listed = len([r for r in portal.requests if r.api_method == LIST.lower()])
    again = window.browse_sources()
    assert again is not None and again.model.rowCount() == len(DEMO_SOURCES)
    assert len([r for r in portal.requests if r.api_method == LIST.lower()]) == listed
    with qtbot.waitSignal(window.sources_listed, timeout=10_000):
        again.reload_button.click()
    assert len([r for r in portal.requests if r.api_method == LIST.lower()]) == listed + 1
    again.reject()


def test_closing_the_picker_cancels_loading(qtbot: Any, make_window: Any) -> None:
    with DemoPortal(latency=1.0) as slow:
        window = make_window(demo=slow)
        picker = window.browse_sources()
        assert picker is not None
        assert picker.status_label.text() == "Loading the list of sources…"
        with qtbot.waitSignal(window.sources_listed, timeout=2000):
            qtbot.keyClick(picker.search_edit, Qt.Key.Key_Escape)
        assert window.status_line.text() == "Closed the source list before it was loaded."
        qtbot.waitUntil(lambda: window.requests.jobs.running_threads == 0, timeout=5000)


def test_a_list_error_is_shown_in_the_picker(qtbot: Any, make_window: Any) -> None:
    denied = json_reply(
        {"error": "ACCESS_DENIED", "error_description": "Access denied."}, status=403
    )
    with ScriptedServer(denied) as server:
        window = make_window()
        window.credentials_panel.webhook_radio.setChecked(True)
        window.credentials_panel.webhook_field.edit.setText(f"{server.url}/rest/1/listc0de12/")
        picker = open_picker(qtbot, window)
        assert "Access denied" in picker.status_label.text()
        assert "webhook" in picker.status_label.text()
        assert picker.reload_button.isEnabled()
        assert leak_walk(window, ["listc0de12"]) == []
        picker.reject()


def test_without_a_credential_the_picker_does_not_open(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    assert window.browse_sources() is None
    assert window.status_line.text().startswith("No usable credential")
