"""Work a big source needs is done on the request's worker, not on the window's thread:
comparing the source with its connector, and keeping the parsed records out of the cyclic
collector's passes (each pass over 50,000 settings held the GIL for tens of ms); and the
workers let the window take the GIL promptly."""

from __future__ import annotations

import gc
import json
import threading
from typing import Any

from servers import ScriptedServer, json_reply

from gui.gui_helpers import fetch_and_wait, tree_of
from inspector.core import connector as connector_module
from inspector.core.credentials import parse_webhook_url
from inspector.core.free_memory import WORTH_TRIMMING
from inspector.demo.portal import DemoPortal
from inspector.ui import fetch_worker


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


def test_only_a_big_answer_is_followed_by_a_heap_trim(monkeypatch: Any) -> None:
    # Trimming walks the heap and first loads ctypes (about 3 ms on the way to the first
    # result): worth it after a big answer's parse, not after a handful of settings.
    trims: list[str] = []
    monkeypatch.setattr(fetch_worker, "release_free_memory", lambda: trims.append("trim"))
    settings = [
        {"id": i, "code": f"key{i}", "name": f"Key {i}", "type": "STRING", "value": f"v{i:012}"}
        for i in range(12_000)
    ]
    big = {"connection": {"id": 6, "type": "rest", "title": "Big"}, "settings": settings}
    small = {**big, "settings": settings[:3]}
    assert len(json.dumps(big)) > WORTH_TRIMMING > 100 * len(json.dumps(small))

    def answers(request: Any) -> Any:
        return json_reply({"result": {"item": big if request.json()["id"] == 2 else small}})

    with ScriptedServer(answers) as server:
        credential = parse_webhook_url(f"{server.url}/rest/1/trimc0de01/")
        outcomes: list[Any] = []
        for source_id, trimmed in ((1, []), (2, ["trim"]), (1, ["trim"])):
            worker = fetch_worker.FetchWorker(fetch_worker.Job("source", credential, source_id))
            worker.succeeded.connect(lambda _number, outcome: outcomes.append(outcome))
            worker.run()  # here, on this thread: the trim decision is all that is looked at
            assert trims == trimmed
        assert [len(outcome.result.settings) for outcome in outcomes] == [3, 12_000, 3]
