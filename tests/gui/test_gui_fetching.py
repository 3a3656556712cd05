"""Fetching from the window: input checks, errors, slow portals, Cancel, close mid-request."""

from __future__ import annotations

import threading
import time
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit
from servers import RecordedRequest, Reply, ScriptedServer, hang, json_reply

from gui.gui_helpers import fetch_and_wait, tree_of, type_id_and_enter, webhook_code, widget_texts
from inspector.core.options import RequestOptions
from inspector.demo.portal import DEMO_CONNECTORS, DEMO_SOURCES
from inspector.ui import MainWindow, fetch_worker


def id_edit(window: MainWindow) -> QLineEdit:
    edit = window.findChild(QLineEdit, "sourceIdEdit")
    assert edit is not None
    return edit


def test_unknown_id_is_explained_and_marks_the_last_result_stale(
    qtbot: Any, make_window: Any, portal: Any
) -> None:
    window = make_window(demo=portal)
    type_id_and_enter(qtbot, window, "6")
    model = tree_of(window).source_model
    assert model.source is not None and not model.is_stale
    assert not window.stale_banner.isVisible()

    type_id_and_enter(qtbot, window, "4242")
    status = window.status_line.text()
    assert status.startswith("Source not found")
    assert "another application" in status
    assert "Traceback" not in status
    assert model.is_stale
    assert window.stale_banner.isVisible()
    assert window.stale_banner.text().startswith("Stale:")
    # The earlier result stays visible, greyed.
    assert model.rowCount() > 0
    assert webhook_code(portal.webhook_url) not in status

    type_id_and_enter(qtbot, window, "7")
    assert not model.is_stale
    assert not window.stale_banner.isVisible()


def test_invalid_ids_are_rejected_without_a_request(
    qtbot: Any, make_window: Any, portal: Any
) -> None:
    window = make_window(demo=portal)
    edit = id_edit(window)
    before = len(portal.requests)

    type_id_and_enter(qtbot, window, "abc")  # the validator lets no letter in
    assert edit.text() == ""
    assert window.status_line.text().startswith("Enter a source ID.")

    type_id_and_enter(qtbot, window, "0")  # no leading zero either
    assert edit.text() == ""

    type_id_and_enter(qtbot, window, "99999999999")  # cut at 10 digits, still too large
    assert edit.text() == "9999999999"
    assert "no larger than 2147483647" in window.status_line.text()

    with qtbot.waitSignal(window.fetch_done, timeout=2000):
        window.fetch(-5)
    assert "positive whole number" in window.status_line.text()

    assert len(portal.requests) == before
    assert not window.is_fetching


def test_malformed_webhook_shows_feedback_without_the_code(
    qtbot: Any, make_window: Any, portal: Any
) -> None:
    window = make_window()
    panel = window.credentials_panel
    panel.webhook_radio.setChecked(True)
    field = panel.webhook_field.edit
    field.setFocus()
    qtbot.keyClicks(field, "https://portal.example.com/rest/abc/S3CR3T-CODE-123/")
    feedback = panel.feedback_label.text()
    assert feedback.startswith("✗ ")
    assert "user id" in feedback
    assert "S3CR3T-CODE-123" not in "".join(widget_texts(window))
    assert window.windowTitle() == "Bitrix24 BI Source Inspector"

    before = len(portal.requests)
    type_id_and_enter(qtbot, window, "6")
    assert window.status_line.text().startswith("No usable credential:")
    assert "S3CR3T-CODE-123" not in window.status_line.text()
    assert len(portal.requests) == before


def test_valid_webhook_feedback_title_and_plain_http_warning(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    panel = window.credentials_panel
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText("https://portal.example.com/rest/1/abcdef123456/")
    assert panel.feedback_label.text() == "✓ Webhook for portal.example.com, user 1"
    assert window.windowTitle() == "Bitrix24 BI Source Inspector — portal.example.com"
    assert not panel.http_warning.isVisible()

    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText("http://portal.example.com/rest/1/abcdef123456/")
    assert panel.http_warning.isVisible()
    assert "unencrypted" in panel.http_warning.text()
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText("http://127.0.0.1:8080/rest/1/abcdef123456/")
    assert not panel.http_warning.isVisible()

    panel.oauth_radio.setChecked(True)
    panel.portal_edit.setText("portal.example.com")
    panel.token_field.edit.setText("tok-123456789")
    assert panel.feedback_label.text() == "✓ OAuth access token for portal.example.com"
    assert "tok-123456789" not in "".join(widget_texts(window))
    assert panel.token_field.edit.echoMode() == QLineEdit.EchoMode.Password
    panel.token_field.show_action.trigger()
    assert panel.token_field.edit.echoMode() == QLineEdit.EchoMode.Normal
    assert panel.token_field.show_button.accessibleName() == "Hide the OAuth access token"


def test_oauth_credential_fetches_from_the_demo(qtbot: Any, make_window: Any, portal: Any) -> None:
    window = make_window()
    panel = window.credentials_panel
    panel.oauth_radio.setChecked(True)
    panel.portal_edit.setText(portal.base_url)
    panel.token_field.edit.setText(portal.access_token)
    type_id_and_enter(qtbot, window, "6")
    assert window.status_line.text().startswith("Source 6 “Rest source SQL”")
    assert portal.access_token not in "".join(widget_texts(window))


def test_window_stays_responsive_during_a_slow_request(
    qtbot: Any, make_window: Any, slow_portal: Any
) -> None:
    window = make_window(demo=slow_portal)
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    with qtbot.waitSignal(window.fetch_done, timeout=10_000):
        window.fetch(6)
        assert window.is_fetching
        assert window.busy_indicator.isVisible()
        assert window.cancel_button.isEnabled()
    timer.stop()
    assert len(ticks) >= 10  # about 50 expected in one second
    assert not window.busy_indicator.isVisible()
    assert tree_of(window).source_model.source is not None


def test_cancel_discards_the_result(qtbot: Any, make_window: Any, slow_portal: Any) -> None:
    window = make_window(demo=slow_portal)
    done: list[int] = []
    window.fetch_done.connect(lambda: done.append(1))
    window.fetch(6)
    qtbot.waitUntil(lambda: len(slow_portal.requests) == 0 and window.is_fetching)
    with qtbot.waitSignal(window.fetch_done, timeout=2000):
        window.cancel_button.click()
    assert window.status_line.text() == "Cancelled the fetch of source 6."
    assert not window.is_fetching
    # The portal answers later; the answer is dropped.
    qtbot.waitUntil(lambda: window.requests.jobs.running_threads == 0, timeout=10_000)
    qtbot.wait(50)  # waiting on purpose: a late result queued by the thread must not show
    assert tree_of(window).source_model.source is None
    assert window.status_line.text() == "Cancelled the fetch of source 6."
    assert done == [1]


def test_escape_cancels(qtbot: Any, make_window: Any, slow_portal: Any) -> None:
    window = make_window(demo=slow_portal)
    edit = id_edit(window)
    edit.setFocus()
    qtbot.keyClicks(edit, "7")
    with qtbot.waitSignal(window.fetch_done, timeout=2000):
        qtbot.keyClick(edit, "\r")
        assert window.is_fetching
        qtbot.keyClick(edit, "\x1b")
    assert window.status_line.text() == "Cancelled the fetch of source 7."
    qtbot.waitUntil(lambda: window.requests.jobs.running_threads == 0, timeout=10_000)


def slow_sources(request: RecordedRequest) -> Reply:
    """A portal answering each source (demo data) a second after it was asked."""
    if request.path.endswith("biconnector.connector.get"):
        return json_reply({"result": {"item": DEMO_CONNECTORS[1]}})
    item = DEMO_SOURCES[int(request.json()["id"])]
    return json_reply({"result": {"item": item}, "time": {"start": 1.0}}, delay=1.0)


def test_newer_fetch_wins_over_an_older_slower_one(qtbot: Any, make_window: Any) -> None:
    with ScriptedServer(slow_sources) as server:
        window = make_window()
        window.credentials_panel.webhook_radio.setChecked(True)
        window.credentials_panel.webhook_field.edit.setText(f"{server.url}/rest/1/n3wer-c0de-7/")
        done: list[int] = []
        window.fetch_done.connect(lambda: done.append(1))
        window.fetch(7)  # answered first ...
        qtbot.waitUntil(lambda: len(server.requests) == 1)  # at the portal before 6 is asked
        with qtbot.waitSignal(window.fetch_done, timeout=10_000):
            window.fetch(6)  # ... but this one was asked last
        qtbot.waitUntil(lambda: window.requests.jobs.running_threads == 0, timeout=10_000)
        qtbot.wait(50)  # waiting on purpose: the older result, queued, must not show
        source = tree_of(window).source_model.source
        assert source is not None and source.connection.title == "Rest source SQL"
        assert done == [1]
        gets = [r for r in server.requests if r.path.endswith("biconnector.source.get")]
        assert [r.json()["id"] for r in gets] == [7, 6]


def test_closing_mid_request_exits_cleanly(qtbot: Any, qtlog: Any, settings: Any) -> None:
    from inspector.core.keychain import CredentialStore
    from inspector.demo.portal import DemoPortal
    from inspector.ui import MainWindow

    with DemoPortal(latency=0.5) as portal:
        window = MainWindow(demo=portal, settings=settings, store=CredentialStore())
        qtbot.addWidget(window)
        window.show()
        window.fetch(6)
        qtbot.waitUntil(lambda: window.is_fetching)
        window.close()
        assert window.requests.jobs.running_threads == 0
        assert fetch_worker.orphan_count() == 0
    assert not [r for r in qtlog.records if "QThread" in r.message]


def test_closing_while_the_portal_hangs_ends_the_request_at_once(
    qtbot: Any, qtlog: Any, settings: Any
) -> None:
    from inspector.core.keychain import CredentialStore
    from inspector.ui import MainWindow

    with ScriptedServer(hang()) as server:
        window = MainWindow(settings=settings, store=CredentialStore())
        qtbot.addWidget(window)
        window.credentials_panel.webhook_radio.setChecked(True)
        window.credentials_panel.webhook_field.edit.setText(f"{server.url}/rest/1/hangcode123/")
        window.fetch(6)
        server.wait_for_requests(1)
        started = time.monotonic()
        window.close()  # the cancel shuts the connection down; the thread ends
        assert time.monotonic() - started < 2.5
        assert window.requests.jobs.running_threads == 0
        assert fetch_worker.orphan_count() == 0
    assert not [r for r in qtlog.records if "QThread" in r.message]


def test_a_request_that_ignores_the_cancel_is_handed_over_at_close(
    qtbot: Any, qtlog: Any, settings: Any, monkeypatch: Any
) -> None:
    """A request stuck where a cancel cannot reach (a slow name lookup, say): closing the
    window returns after ``close_wait_ms`` and the thread is kept until it ends."""
    import inspector.core.client
    from inspector.core.errors import Cancelled
    from inspector.core.keychain import CredentialStore
    from inspector.ui import MainWindow

    release, entered = threading.Event(), threading.Event()

    def stuck(self: Any, source_id: int) -> Any:
        entered.set()
        release.wait(10)
        raise Cancelled()

    monkeypatch.setattr(inspector.core.client.BitrixClient, "get_source", stuck)
    window = MainWindow(settings=settings, store=CredentialStore())
    qtbot.addWidget(window)
    window.credentials_panel.webhook_radio.setChecked(True)
    window.credentials_panel.webhook_field.edit.setText(
        "https://portal.example.com/rest/1/stuck12/"
    )
    window.close_wait_ms = 100
    window.fetch(6)
    assert entered.wait(5)
    window.close()
    assert fetch_worker.orphan_count() == 1
    release.set()
    assert fetch_worker.wait_for_orphans(10_000)
    assert fetch_worker.orphan_count() == 0
    assert not [r for r in qtlog.records if "QThread" in r.message]


def test_rate_limit_retries_show_in_the_status_line(qtbot: Any, make_window: Any) -> None:
    limited = json_reply(
        {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}, status=503
    )
    ok = json_reply({"result": {"item": DEMO_SOURCES[6]}, "time": {"start": 1.5}}, delay=0.3)
    with ScriptedServer([limited, ok]) as server:
        window = make_window()
        window.credentials_panel.webhook_radio.setChecked(True)
        window.credentials_panel.webhook_field.edit.setText(f"{server.url}/rest/1/ratecode123/")
        window.request_options = RequestOptions(retry_delay=0.2)
        seen: list[str] = []
        window.fetch(6)

        def fetch_ended() -> bool:
            seen.append(window.status_line.text())
            return not window.is_fetching

        qtbot.waitUntil(fetch_ended, timeout=10_000)
        assert "Rate-limited: retry 1 of 2 in 1 s… (Esc to cancel)" in seen
        assert window.status_line.text().startswith("Source 6")


def test_html_and_control_characters_from_the_portal_are_shown_as_plain_text(
    qtbot: Any, make_window: Any
) -> None:
    item = {
        "connection": {
            "id": 3,
            "title": "<b>bold</b>\u202eevil\x1b[31m v@lue-9",
            "description": "line1\nline2 (password v@lue-9)",
            "active": "Y",
        },
        "connectorId": 1,
        "settings": [
            {
                "id": 1,
                "code": "pw",
                "name": "<i>PW</i>",
                "type": "STRING",
                "value": "v@lue-9",
                "hint": "extra-secret-1",
            },
        ],
    }
    with ScriptedServer(json_reply({"result": {"item": item}})) as server:
        window = make_window()
        window.credentials_panel.webhook_radio.setChecked(True)
        window.credentials_panel.webhook_field.edit.setText(f"{server.url}/rest/1/plaincode1/")
        fetch_and_wait(qtbot, window, 3)
    from gui.gui_helpers import model_texts

    texts = [t for _p, _c, _r, t in model_texts(tree_of(window).source_model)]
    assert "<b>bold</b>evil •••" in texts
    assert window.status_line.text().startswith("Source 3 “<b>bold</b>evil •••”")
    assert "line1 line2 (password •••)" in texts  # a value repeated elsewhere is hidden
    assert "<i>PW</i> (pw)" in texts
    assert not [t for t in texts if "\u202e" in t or "\x1b" in t]
    assert not [t for t in texts if "v@lue-9" in t or "extra-secret-1" in t]
    # An unknown key of a setting: named in the setting's tooltip, its value never shown.
    assert [t for t in texts if "Other keys (values hidden): hint" in t]
    tree = tree_of(window)
    tree.copy_json_action.trigger()
    copied = QGuiApplication.clipboard().text()
    assert "v@lue-9" not in copied and "extra-secret-1" not in copied


def test_an_unexpected_failure_in_the_worker_is_one_sentence_without_secrets(
    qtbot: Any, make_window: Any, portal: Any, monkeypatch: Any
) -> None:
    import inspector.core.client

    def broken(self: Any, source_id: int) -> Any:
        raise RuntimeError(f"cannot handle {self.credential.endpoint('x')}")

    monkeypatch.setattr(inspector.core.client.BitrixClient, "get_source", broken)
    window = make_window(demo=portal)
    type_id_and_enter(qtbot, window, "6")
    status = window.status_line.text()
    assert status.startswith("The request failed unexpectedly (RuntimeError: cannot handle")
    assert webhook_code(portal.webhook_url) not in status
    assert "Traceback" not in status
