"""Threads and time: rapid fetch/cancel, a new fetch over a trickling one, closing the
window mid-request, rate-limit retries that are visible and cancellable (window and CLI),
and 10,000 settings filling the tree while the window stays responsive.

The last request always wins, no Qt warning is printed, no thread outlives its window.
"""

from __future__ import annotations

import itertools
import json
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QElapsedTimer, QTimer, QtMsgType
from servers import ScriptedServer

from faults.fault_kit import (
    CODE,
    MASK,
    REPO,
    TIME,
    TOKEN,
    RecordedRequest,
    Reply,
    Scan,
    Setup,
    cli_command,
    cli_environment,
    error_body,
    hang,
    json_reply,
    ok_payload,
    route,
    source_gets,
)
from faults.fault_window import (
    assert_usable,
    enter_credential,
    fetch_and_wait,
    options_for,
    visible_texts,
    wait_connector,
)
from inspector.core.options import RequestOptions
from inspector.ui import fetch_worker


def qt_warnings(qtlog: Any) -> list[str]:
    """Qt's warnings, but the offscreen platform's note that it cannot resize windows."""
    serious = {QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg}
    return [
        record.message
        for record in qtlog.records
        if record.type in serious and "does not support propagateSizeHints" not in record.message
    ]


def by_id(delay: float = 0.0, trickle_id: int | None = None) -> Any:
    """A portal answering source.get with the requested ID in the title."""

    def answer(request: RecordedRequest) -> Reply:
        source_id = int(request.json()["id"])
        body = json.dumps(ok_payload(f"source {source_id}", source_id)).encode()
        if source_id == trickle_id:
            return Reply(body=body, chunk_size=16, chunk_delay=0.1)  # ~8 s in all
        return Reply(body=body, delay=delay, headers=[("Content-Type", "application/json")])

    return route(answer)


def test_fifty_rapid_fetch_cancel_cycles_then_the_last_request_wins(
    make_window: Any, qtbot: Any, qtlog: Any, ledger: Any
) -> None:
    with ledger.case("threads/50-fetch-cancel-cycles"), ScriptedServer(by_id(0.2)) as server:
        window = make_window()
        window.request_options = options_for(Setup(""), read_timeout=5)
        enter_credential(window, "webhook", server.url)
        shown: list[str] = []
        model = window.source_tree.source_model
        model.modelReset.connect(
            lambda: shown.append(model.source.connection.title if model.source else "")
        )
        started = time.monotonic()
        for cycle in range(50):
            sent = source_gets(server)
            window.fetch(100 + cycle)
            if cycle % 3:  # two in three are cancelled once the portal has the request
                qtbot.waitUntil(lambda sent=sent: source_gets(server) > sent, timeout=5000)
            window.cancel()
        fetch_and_wait(qtbot, window, 7, 15)
        wait_connector(qtbot, window)
        assert time.monotonic() - started < 12
        assert window.status_line.text().startswith("Source 7 “source 7”")
        assert set(shown) == {"source 7"}  # no cancelled answer was ever shown
        qtbot.waitUntil(lambda: window.requests.jobs.running_threads == 0, timeout=5000)
        assert_usable(window)
        assert qt_warnings(qtlog) == []


def test_a_new_fetch_while_the_previous_answer_still_trickles_in(
    make_window: Any, qtbot: Any, qtlog: Any, ledger: Any
) -> None:
    with ledger.case("threads/fetch-over-a-trickle"), ScriptedServer(by_id(trickle_id=6)) as server:
        window = make_window()
        window.request_options = options_for(Setup(""), read_timeout=10)
        enter_credential(window, "oauth", server.url)
        shown: list[str] = []
        model = window.source_tree.source_model
        model.modelReset.connect(
            lambda: shown.append(model.source.connection.title if model.source else "")
        )
        window.fetch(6)
        # The first answer's headers are out: its body is trickling in now.
        qtbot.waitUntil(lambda: server.answers_begun == 1, timeout=5000)
        elapsed = fetch_and_wait(qtbot, window, 7, 5)
        wait_connector(qtbot, window)
        assert elapsed < 2, "the new fetch waited for the trickling one"
        # Waiting on purpose: the older answer, still trickling, must not replace the
        # source shown in the next moments either.
        qtbot.wait(300)
        assert window.status_line.text().startswith("Source 7 “source 7”")
        assert set(shown) == {"source 7"}
        assert_usable(window)
        assert qt_warnings(qtlog) == []


def test_closing_the_window_mid_request_ends_its_thread(
    make_window: Any, qtbot: Any, qtlog: Any, ledger: Any
) -> None:
    with ledger.case("threads/close-mid-request"), ScriptedServer(route(hang())) as server:
        window = make_window()
        window.request_options = RequestOptions()  # the real timeouts: 10 s + 30 s
        enter_credential(window, "webhook", server.url)
        window.fetch(6)
        qtbot.waitUntil(lambda: source_gets(server) == 1, timeout=5000)
        started = time.monotonic()
        window.close()
        assert time.monotonic() - started < 1.0, "closing waited for the portal"
        qtbot.waitUntil(lambda: fetch_worker.orphan_count() == 0, timeout=2000)
        assert qt_warnings(qtlog) == []


BUSY = json_reply(error_body("QUERY_LIMIT_EXCEEDED", "Too many requests"), 503)


def test_rate_limit_retries_are_shown_and_cancellable_in_the_window(
    make_window: Any, qtbot: Any, ledger: Any
) -> None:
    with ledger.case("threads/window-cancels-a-retry-wait"), ScriptedServer(route(BUSY)) as server:
        window = make_window()
        window.request_options = options_for(Setup(""), retries=3, retry_delay=30)
        enter_credential(window, "webhook", server.url)
        window.fetch(6)
        qtbot.waitUntil(lambda: "retry 1 of 3 in 30 s" in window.status_line.text(), timeout=5000)
        assert window.cancel_button.isEnabled()
        started = time.monotonic()
        with qtbot.waitSignal(window.fetch_done, timeout=2000):
            window.cancel_button.click()
        assert time.monotonic() - started < 0.5
        assert window.status_line.text().startswith("Cancelled")
        qtbot.wait(200)  # waiting on purpose: nothing may be sent after a cancel
        assert source_gets(server) == 1  # the retry was never sent
        assert_usable(window)


def interruptible() -> None:
    """In the child, before exec: Ctrl+C as a terminal delivers it. A shell that started
    the tests in the background left SIGINT ignored, and exec keeps "ignored"."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("stage", ["retry-wait", "waiting-for-answer"])
def test_ctrl_c_cancels_the_cli_cleanly(stage: str, ledger: Any, tmp_path: Path) -> None:
    reply = BUSY if stage == "retry-wait" else hang()
    with ledger.case(f"threads/cli-ctrl-c-{stage}") as record, ScriptedServer(route(reply)) as srv:
        env = cli_environment(tmp_path, B24_ACCESS_TOKEN=TOKEN)
        process = subprocess.Popen(
            cli_command("get", "6", "--portal", srv.url, "--timeout", "20"),
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,  # unbuffered: reading a line takes no more, communicate() gets the rest
            preexec_fn=interruptible,
        )
        try:
            srv.wait_for_requests(1, timeout=20)  # the CLI is now waiting for the answer
            seen = b""
            if stage == "retry-wait":  # ... which comes at once: wait for the retry wait
                assert process.stderr is not None
                while b"retry 1 in 1 s" not in seen and (line := process.stderr.readline()):
                    seen += line
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=10)
            err = seen + err
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        stderr = err.decode("utf-8")
        assert process.returncode == 130, stderr
        assert "cancelled." in stderr and "Traceback" not in stderr
        if stage == "retry-wait":
            assert "retry 1 in 1 s (Ctrl+C cancels)" in stderr
        assert source_gets(srv) == 1
        scan = Scan()
        scan.add("stderr", stderr)
        scan.add("stdout", out.decode("utf-8"))
        record.no_leaks(scan)


# --- 10,000 settings ------------------------------------------------------------------------

MANY = 10_000
VALUE = re.compile(r"v\d+-S3cret-\d+")


def many_settings() -> dict[str, Any]:
    payload = ok_payload("many settings")
    payload["result"]["item"]["settings"] = [
        {
            "id": i,
            "code": f"c{i}",
            "name": f"Setting {i}",
            "type": "STRING",
            "value": f"v{i}-S3cret-{i}",
        }
        for i in range(MANY)
    ]
    payload["time"] = TIME
    return payload


def test_ten_thousand_settings_fill_the_tree_while_the_window_responds(
    make_window: Any, qtbot: Any, app_logs: list[str], ledger: Any
) -> None:
    with (
        ledger.case("threads/10000-settings") as record,
        ScriptedServer(route(json_reply(many_settings()))) as server,
    ):
        window = make_window()
        window.request_options = options_for(Setup(""), read_timeout=10, max_bytes=16 << 20)
        enter_credential(window, "webhook", server.url)
        ticks: list[int] = []
        clock = QElapsedTimer()
        clock.start()
        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(lambda: ticks.append(clock.elapsed()))
        timer.start()
        fetch_and_wait(qtbot, window, 6, 30)
        wait_connector(qtbot, window)
        qtbot.wait(50)  # not ordering: the ticks go on a moment, so a last pause is measured
        timer.stop()
        longest = max(b - a for a, b in itertools.pairwise(ticks))
        print(f"10,000 settings: the event loop's longest pause was {longest} ms")
        assert longest < 1500, f"the window did not respond for {longest} ms"

        model = window.source_tree.source_model
        settings = next(
            model.index(r, 0)
            for r in range(model.rowCount())
            if model.setting_of_row(model.index(0, 0, model.index(r, 0))) is not None
        )
        # The view is given the settings in batches as it scrolls; all of them are walked.
        assert 0 < model.rowCount(settings) <= MANY
        model.load_all_settings()
        assert model.rowCount(settings) == MANY
        values = {model.data(model.index(r, 1, settings)) for r in range(model.rowCount(settings))}
        assert values == {MASK}
        assert window.status_line.text().startswith(
            f"Source 6 “many settings”: {MANY:,}".replace(",", "")
        )

        scan = Scan()
        visible_texts_without_models(window, scan)
        for r in range(model.rowCount(settings)):
            for c in range(3):
                for role in (0, 3):  # display and tooltip of every setting row
                    scan.add(
                        f"setting row {r} col {c} role {role}",
                        model.data(model.index(r, c, settings), role),
                    )
        scan.add_all("DEBUG log", app_logs)
        record.leaks.extend(f"a setting value in {w}" for w, t in scan.texts if VALUE.search(t))
        record.no_leaks(scan, secrets=(CODE, TOKEN))
        assert_usable(window)


def visible_texts_without_models(window: Any, scan: Scan) -> None:
    """Widget texts, but the 10,000-row model is walked separately (two roles)."""
    visible_texts(scan, skip=(window.source_tree,))
