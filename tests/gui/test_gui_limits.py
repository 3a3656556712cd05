"""Limits in the window: the 503 retry and the 429 wait show as a countdown in the status line
that Escape or Cancel ends (the retry is then never sent), and ``operating`` /
``operating_reset_at`` from the answer's time block are shown."""

from __future__ import annotations

import time
from typing import Any

from servers import ScriptedServer, json_reply

from gui.gui_helpers import fetch_and_wait, leak_walk
from inspector.core.client import WaitNotice
from inspector.core.options import RequestOptions
from inspector.demo.portal import DEMO_SOURCES, DemoPortal
from inspector.ui.source_requests import wait_text

LIMITED = json_reply(
    {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}, status=503
)
BLOCKED = json_reply(
    {"error": "OPERATION_TIME_LIMIT", "error_description": "Method is blocked"}, status=429
)
SOURCE_6 = json_reply({"result": {"item": DEMO_SOURCES[6]}, "time": {"start": 1.5}})


def statuses_until(qtbot: Any, window: Any, done: Any, timeout: int = 10_000) -> list[str]:
    seen: list[str] = []

    def check() -> bool:
        text = window.status_line.text()
        if not seen or seen[-1] != text:
            seen.append(text)
        return bool(done(text))

    qtbot.waitUntil(check, timeout=timeout)
    return seen


def test_the_rate_limit_countdown_ticks_and_escape_cancels_the_retry(
    qtbot: Any, make_window: Any
) -> None:
    with ScriptedServer([LIMITED, SOURCE_6]) as server:
        window = make_window()
        window.credentials_panel.webhook_radio.setChecked(True)
        window.credentials_panel.webhook_field.edit.setText(f"{server.url}/rest/1/limitc0de1/")
        window.request_options = RequestOptions(connect_timeout=5, read_timeout=5, retry_delay=3)
        asked = time.monotonic()
        window.fetch(6)
        seen = statuses_until(qtbot, window, lambda t: "in 2 s" in t)
        assert "Rate-limited: retry 1 of 2 in 3 s… (Esc to cancel)" in seen
        assert seen[-1] == "Rate-limited: retry 1 of 2 in 2 s… (Esc to cancel)"
        assert window.cancel_button.isEnabled()
        with qtbot.waitSignal(window.fetch_done, timeout=2000):
            window.source_id_edit.setFocus()
            qtbot.keyClick(window.source_id_edit, "\x1b")
        assert window.status_line.text() == "Cancelled the fetch of source 6."
        assert not window.countdown_timer.isActive()
        qtbot.waitUntil(lambda: window.requests.jobs.running_threads == 0, timeout=5000)
        # Waiting on purpose, for nothing to happen: the retry was due 3 s after the 503,
        # which came at once; well past that, still no second request may have arrived.
        qtbot.wait(max(0, round((asked + 3.5 - time.monotonic()) * 1000)))
        assert len(server.requests) == 1
        assert window.status_line.text() == "Cancelled the fetch of source 6."
        assert leak_walk(window, ["limitc0de1"]) == []


def test_the_retry_goes_ahead_when_not_cancelled(qtbot: Any, make_window: Any) -> None:
    with ScriptedServer([LIMITED, SOURCE_6]) as server:
        window = make_window()
        window.credentials_panel.webhook_radio.setChecked(True)
        window.credentials_panel.webhook_field.edit.setText(f"{server.url}/rest/1/limitc0de2/")
        window.request_options = RequestOptions(connect_timeout=5, read_timeout=5, retry_delay=1)
        with qtbot.waitSignal(window.fetch_done, timeout=10_000):
            window.fetch(6)
        assert window.status_line.text().startswith("Source 6")
        assert len([r for r in server.requests if r.path.endswith("source.get")]) == 2


def test_an_operating_limit_wait_is_a_cancellable_countdown(qtbot: Any, make_window: Any) -> None:
    with ScriptedServer(BLOCKED) as server:
        window = make_window()
        window.credentials_panel.webhook_radio.setChecked(True)
        window.credentials_panel.webhook_field.edit.setText(f"{server.url}/rest/1/limitc0de3/")
        window.request_options = RequestOptions(
            connect_timeout=5, read_timeout=5, operation_limit_wait=120
        )
        window.fetch(6)
        statuses_until(qtbot, window, lambda t: "operating limit" in t)
        assert window.status_line.text() == (
            "The portal's operating limit blocks biconnector.source.get for now: retrying in "
            "60 s… (Esc to cancel)"
        )
        with qtbot.waitSignal(window.fetch_done, timeout=2000):
            window.cancel_button.click()
        assert window.status_line.text() == "Cancelled the fetch of source 6."
        assert len(server.requests) == 1


def test_the_source_list_shows_the_countdown_in_the_picker(qtbot: Any, make_window: Any) -> None:
    page = json_reply({"result": [{"id": 5, "title": "Only one", "type": "rest"}], "time": {}})
    with ScriptedServer([LIMITED, page]) as server:
        window = make_window()
        window.credentials_panel.webhook_radio.setChecked(True)
        window.credentials_panel.webhook_field.edit.setText(f"{server.url}/rest/1/limitc0de4/")
        window.request_options = RequestOptions(connect_timeout=5, read_timeout=5, retry_delay=1)
        picker_texts: list[str] = []
        with qtbot.waitSignal(window.sources_listed, timeout=10_000):
            picker = window.browse_sources()
            assert picker is not None

            def rate_limit_shown() -> bool:
                picker_texts.append(picker.status_label.text())
                return "Rate-limited" in picker.status_label.text()

            qtbot.waitUntil(rate_limit_shown)
        assert picker.model.rowCount() == 1
        assert any(t.startswith("Rate-limited: retry 1 of 2 in 1 s") for t in picker_texts)
        picker.reject()


def test_operating_time_is_shown_from_the_time_block(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = make_window(demo=portal)
    assert not window.limits_label.isVisible()
    fetch_and_wait(qtbot, window, 7)
    text = window.limits_label.text()
    assert window.limits_label.isVisible()
    assert text.startswith("Operating limit: ") and " s used, resets at " in text
    with ScriptedServer(SOURCE_6) as server:  # no operating keys: nothing to show
        window.credentials_panel.profile_combo.setCurrentIndex(1)
        window.credentials_panel.webhook_radio.setChecked(True)
        window.credentials_panel.webhook_field.edit.setText(f"{server.url}/rest/1/limitc0de5/")
        fetch_and_wait(qtbot, window, 6)
        assert not window.limits_label.isVisible()


def test_wait_text_counts_down_to_now() -> None:
    notice = WaitNotice("rate_limit", "biconnector.source.get", 2, 4.0, until=100.0)
    assert wait_text(notice, 3, now=96.2) == "Rate-limited: retry 2 of 3 in 4 s… (Esc to cancel)"
    assert wait_text(notice, 3, now=99.5) == "Rate-limited: retry 2 of 3 in 1 s… (Esc to cancel)"
    assert wait_text(notice, 3, now=101.0) == "Rate-limited: retry 2 of 3 now… (Esc to cancel)"
    long = WaitNotice("operation_limit", "biconnector.source.list", 1, 300.0, until=time.time())
    assert "retrying in 5 min 00 s…" in wait_text(long, 2, now=long.until - 300)
