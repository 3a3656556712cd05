"""The start's keychain read as the window runs it (``ui.keychain_reader``): the helper
process's answer is used when it gives one, and the window's own read when it does not.

The helper processes here are tiny scripts standing in for ``core.start_read_child``
(which ``tests/test_start_read_child.py`` runs against the real Secret Service); the store
is a fake that records whether the window read it itself."""

from __future__ import annotations

import sys
import time
from typing import Any

import pytest

from inspector.core.keychain_status import KeychainStatus, LoadOutcome, SaveOutcome
from inspector.core.start_read import StartPlan, StartRead, read_to_json
from inspector.ui.keychain_reader import KeychainReader

PLAN = StartPlan("work", credential=True, proxy_entry=None)


class CountingStore:
    """Answers a fixed credential, and counts the reads made in this process."""

    def __init__(self) -> None:
        self.loads = 0

    def status(self) -> KeychainStatus:
        return KeychainStatus("Fake keychain", True)

    def load(self, profile: str) -> LoadOutcome:
        self.loads += 1
        return LoadOutcome("in-process-secret", False, None)

    def save(self, profile: str, secret: str) -> SaveOutcome:
        raise AssertionError("the start never saves")

    def forget(self, profile: str) -> str:
        raise AssertionError("the start never forgets")


def helper_printing(text: str, status: int = 0) -> list[str]:
    """A stand-in helper: reads its stdin, prints *text*, exits with *status*."""
    code = f"import sys; sys.stdin.read(); sys.stdout.write({text!r}); sys.exit({status})"
    return [sys.executable, "-c", code]


def read_with(qtbot: Any, command: list[str] | None) -> tuple[StartRead, CountingStore]:
    store = CountingStore()
    reader = KeychainReader(lambda: store, child_command=command)
    with qtbot.waitSignal(reader.read, timeout=20000) as arrived:
        reader.begin(PLAN)
    read = arrived.args[0]
    assert isinstance(read, StartRead)
    return read, store


def test_the_helpers_answer_is_used(qtbot: Any) -> None:
    answer = StartRead(
        PLAN, KeychainStatus("Secret Service", True), LoadOutcome("helper-secret", False, None)
    )
    read, store = read_with(qtbot, helper_printing(read_to_json(answer)))
    assert read == answer
    assert store.loads == 0  # nothing was read in this process


@pytest.mark.parametrize(
    "command",
    [
        helper_printing("", status=1),  # the helper failed
        helper_printing("{not json", status=0),  # it answered garbage
        helper_printing('{"status": ["x", 1, null]}', status=0),  # or a wrong shape
        [sys.executable + "-missing", "-c", "pass"],  # it could not even start
    ],
    ids=["failed", "garbage", "wrong-shape", "not-started"],
)
def test_without_a_usable_answer_the_window_reads_itself(qtbot: Any, command: list[str]) -> None:
    read, store = read_with(qtbot, command)
    assert store.loads == 1
    assert read.credential is not None and read.credential.secret == "in-process-secret"


def test_without_a_helper_the_window_reads_itself(qtbot: Any) -> None:
    read, store = read_with(qtbot, None)
    assert store.loads == 1 and read.status.backend_name == "Fake keychain"


def finished(reader: KeychainReader) -> StartRead | None:
    """Poll ``take_finished`` without running the event loop (as the start does between
    ``show`` and its first paint), for up to 20 s."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        read = reader.take_finished()
        if read is not None:
            return read
        time.sleep(0.01)
    return None


def test_a_finished_read_is_taken_once_and_not_sent_again(qtbot: Any) -> None:
    store = CountingStore()
    reader = KeychainReader(lambda: store)
    sent: list[object] = []
    reader.read.connect(sent.append)
    reader.begin(PLAN)
    read = finished(reader)
    assert read is not None and read.credential is not None
    assert read.credential.secret == "in-process-secret"
    assert reader.take_finished() is None  # handed out once
    qtbot.wait(100)  # the queued answer arrives now, and is dropped
    assert sent == [] and not reader.busy


def test_a_failed_read_is_not_taken_but_reported(qtbot: Any) -> None:
    class BrokenStore(CountingStore):
        def load(self, profile: str) -> LoadOutcome:
            raise RuntimeError("backend broke")

    reader = KeychainReader(BrokenStore)
    with qtbot.waitSignal(reader.failed, timeout=20000) as failed:
        reader.begin(PLAN)
        assert reader.take_finished() is None  # running, or failed: never taken
    assert isinstance(failed.args[0], RuntimeError)
    assert reader.take_finished() is None
