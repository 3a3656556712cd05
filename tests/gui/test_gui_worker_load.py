"""Work a big source needs is done on the request's worker, not on the window's thread:
comparing the source with its connector, and keeping the parsed records out of the cyclic
collector's passes (each pass over 50,000 settings held the GIL for tens of ms); and the
workers let the window take the GIL promptly."""

from __future__ import annotations

import gc
import threading
from typing import Any

from gui.gui_helpers import fetch_and_wait, tree_of
from inspector.core import connector as connector_module
from inspector.demo.portal import DemoPortal


def test_the_connector_report_is_made_off_the_gui_thread(
    qtbot: Any, make_window: Any, portal: DemoPortal, monkeypatch: Any
) -> None:
    threads: list[threading.Thread] = []
    real_compare = connector_module.compare

    def watched_compare(*args: Any) -> Any:
        threads.append(threading.current_thread())
        return real_compare(*args)

    monkeypatch.setattr(connector_module, "compare", watched_compare)
    window = make_window(demo=portal)
    with qtbot.waitSignal(window.connector_done, timeout=10_000):
        fetch_and_wait(qtbot, window, 7)
    assert threads and all(t is not threading.main_thread() for t in threads)
    report = window.requests.record.report
    assert report is not None and report.title == "PostgreSQL warehouse"
    assert "sslmode" in {s.code for s in report.missing}


def test_a_fetched_source_is_left_out_of_collector_passes(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = make_window(demo=portal)
    with qtbot.waitSignal(window.connector_done, timeout=10_000):
        fetch_and_wait(qtbot, window, 7)
    source = tree_of(window).source_model.source
    assert source is not None and source.settings
    # gc.get_objects() lists the generations a collection walks, not the frozen objects.
    walked = {id(obj) for obj in gc.get_objects()}
    assert id(source.settings[0]) not in walked
    assert id(source) not in walked


def test_workers_hand_the_gil_back_promptly(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    # A repaint calls into Python once per visible cell; at Python's default 5 ms switch
    # interval, each call could wait that long for the GIL while a worker masks or parses.
    import sys

    from inspector.ui.threads import GIL_SWITCH_INTERVAL

    sys.setswitchinterval(0.005)
    try:
        window = make_window(demo=portal)
        fetch_and_wait(qtbot, window, 7)
        assert sys.getswitchinterval() <= GIL_SWITCH_INTERVAL
    finally:
        sys.setswitchinterval(0.005)


def test_the_connector_lookup_waits_for_the_source_to_be_drawn_and_can_be_cancelled(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    # The lookup starts on the next event-loop turn, so its download and parse do not
    # compete with the first paint of a big source; Esc in between still stops it.
    window = make_window(demo=portal)
    fetch_and_wait(qtbot, window, 7)
    requests = window.requests
    assert not requests.jobs.busy_with("fetch")  # not started within the fetch's turn
    with qtbot.waitSignal(window.connector_done, timeout=5000):
        assert requests.cancel()
    qtbot.wait(50)  # the turn the lookup was due on
    assert not requests.jobs.busy_with("fetch")
    assert requests.record is not None and requests.record.report is None
