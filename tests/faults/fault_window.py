"""Driving the real window through a fault, and collecting everything it could show.

``visible_texts`` runs the one leak walker (``tests/leaks.py``) over every top-level widget
(the window, dialogs, menus): every text, tooltip and accessible name of every widget and
action, and every role of every index of every model. ``exercise_clipboard`` triggers each
copy action and keeps what reached the clipboard.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from leaks import indexes
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from faults.fault_kit import CODE, MASK, SETTING_COUNT, TOKEN, Scan, Setup, home_files
from inspector.core.options import RequestOptions

FAST = RequestOptions(
    connect_timeout=0.5, read_timeout=0.5, retries=2, retry_delay=0.05, max_bytes=256 * 1024
)


def options_for(setup: Setup, **changes: Any) -> RequestOptions:
    return replace(FAST, extra_ca_file=setup.ca_file, **changes)


def enter_credential(window: Any, kind: str, base: str, token: str = TOKEN) -> None:
    """Type a credential into the panel, as a person would (webhook URL or OAuth)."""
    panel = window.credentials_panel
    if kind == "webhook":
        panel.webhook_radio.setChecked(True)
        panel.webhook_field.set_text(f"{base}/rest/1/{CODE}/")
    else:
        panel.oauth_radio.setChecked(True)
        panel.portal_edit.setText(base)
        panel.token_field.set_text(token)
    assert panel.credential() is not None, panel.problem


def watch_failures(window: Any) -> list[Any]:
    """The errors the window is told about (the class the status line describes)."""
    failures: list[Any] = []
    window.requests.jobs.failed.connect(lambda _job, error: failures.append(error))
    return failures


def fetch_and_wait(qtbot: Any, window: Any, source_id: int, timeout_s: float) -> float:
    """Fetch, wait for ``fetch_done``; the seconds it took."""
    started = time.monotonic()
    with qtbot.waitSignal(window.fetch_done, timeout=round(timeout_s * 1000)):
        window.fetch(source_id)
    return time.monotonic() - started


def wait_connector(qtbot: Any, window: Any) -> None:
    """Right after a source was shown the window looks its connector up: let that end.

    The lookup's answer is queued to the GUI thread, so it cannot have arrived before this
    waits (the event loop has not run since ``fetch_done``).
    """
    with qtbot.waitSignal(window.connector_done, timeout=5000):
        pass


def assert_usable(window: Any) -> None:
    """Nothing left running, and every control a person needs is there."""
    assert not window.is_fetching
    assert window.fetch_button.isEnabled()
    assert window.source_id_edit.isEnabled()
    assert not window.cancel_button.isEnabled()
    assert not window.busy_indicator.isVisible()


def shown_settings(window: Any) -> list[tuple[str, str]]:
    """(label, value cell) of each setting row of the tree."""
    model = window.source_tree.source_model
    rows = []
    for index in walk(model):
        position = model.setting_of_row(index)
        if position is not None and index.column() == 0:
            value = model.index(index.row(), 1, index.parent())
            rows.append((model.data(index), model.data(value)))
    return rows


def recover(qtbot: Any, window: Any, good_base: str, kind: str) -> None:
    """The window still works: a good portal's source is fetched and shown, masked."""
    enter_credential(window, kind, good_base)
    fetch_and_wait(qtbot, window, 6, 10)
    wait_connector(qtbot, window)
    assert window.status_line.text().startswith("Source 6"), window.status_line.text()
    settings = shown_settings(window)
    assert len(settings) == SETTING_COUNT
    assert all(value == MASK for _label, value in settings), settings
    assert not window.stale_banner.isVisible()
    assert_usable(window)


# --- collecting what can be seen -------------------------------------------------------------

walk = indexes  # every index of a model, at every depth


def visible_texts(scan: Scan, skip: tuple[QWidget, ...] = ()) -> None:
    """Every top-level widget's texts; the item views in *skip* without their models."""
    scan.add_windows(skip)


def exercise_clipboard(window: Any, scan: Scan) -> None:
    """Every copy action, on every row: what reaches the clipboard is scanned."""
    clipboard = QGuiApplication.clipboard()
    tree = window.source_tree
    clipboard.clear()
    tree.copy_json()
    scan.add_clipboard("clipboard after Copy as JSON")
    window.copy_curl()
    scan.add_clipboard("clipboard after Copy as cURL")
    for index in walk(tree.model()):
        if index.column() != 0:
            continue
        tree.setCurrentIndex(index)
        clipboard.clear()  # a refused copy must not show what an earlier one left
        tree.copy_value()
        scan.add_clipboard(f"clipboard after Copy value of row {index.row()}")


def everything(window: Any, logs: list[str], home: Path, *, clipboard: bool = True) -> Scan:
    """Every text the window shows, its DEBUG log, the files under HOME, the clipboard."""
    scan = Scan()
    visible_texts(scan)  # first: the copy actions below replace the status line
    if clipboard:
        exercise_clipboard(window, scan)
        visible_texts(scan)
    scan.add_all("DEBUG log", logs)
    for where, text in home_files(home):
        scan.add(where, text)
    scan.add_clipboard()
    return scan
