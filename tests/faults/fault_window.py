"""Driving the real window through a fault, and collecting everything it could show.

``visible_texts`` walks every top-level widget (the window, dialogs, menus): every label,
button, line edit as displayed, combo item, action, tooltip, status/what's-this tip,
accessible name and description, window title, text edit, and every role of every index
of every item view's model. ``exercise_clipboard`` triggers each copy action and keeps
what reached the clipboard.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fault_kit import CODE, MASK, SETTING_COUNT, TOKEN, Scan, Setup, home_files
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from inspector.core.options import RequestOptions

# first 50 user roles; 32-255 are reserved by Qt and never hold data.
ALL_ROLES = (*range(32), *range(int(Qt.ItemDataRole.UserRole), int(Qt.ItemDataRole.UserRole) + 51))
FAST = RequestOptions(
    connect_timeout=0.5, read_timeout=0.5, retries=2, retry_delay=0.05, max_bytes=256 * 1024
)


def options_for(setup: Setup, **changes: Any) -> RequestOptions:
    from dataclasses import replace

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


def walk(model: Any, parent: QModelIndex | None = None) -> Iterator[QModelIndex]:
    parent = parent if parent is not None else QModelIndex()
    for row in range(model.rowCount(parent)):
        for column in range(model.columnCount(parent)):
            yield model.index(row, column, parent)
        first = model.index(row, 0, parent)
        if model.hasChildren(first):
            yield from walk(model, first)


def model_texts(scan: Scan, model: Any, where: str) -> None:
    for index in walk(model):
        for role in ALL_ROLES:
            value = model.data(index, role)
            if value is not None:
                scan.add(f"{where} ({index.row()},{index.column()}) role {role}", _text(value))
    for section in range(model.columnCount()):
        for role in ALL_ROLES:
            value = model.headerData(section, Qt.Orientation.Horizontal, role)
            if value is not None:
                scan.add(f"{where} header {section} role {role}", _text(value))


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return f"{value} {value!r}"
    except Exception:
        return repr(type(value))


def widget_texts(scan: Scan, top: QWidget, walked: set[int]) -> None:
    """Texts of *top* and its children; each model once (a view's header shares its model)."""
    name = top.objectName() or type(top).__name__
    for widget in [top, *top.findChildren(QWidget)]:
        where = f"{name}/{widget.objectName() or type(widget).__name__}"
        scan.add_all(
            where,
            (
                widget.windowTitle(),
                widget.toolTip(),
                widget.statusTip(),
                widget.whatsThis(),
                widget.accessibleName(),
                widget.accessibleDescription(),
            ),
        )
        if isinstance(widget, QLabel):
            scan.add(where + " text", widget.text())
        if isinstance(widget, QAbstractButton):
            scan.add(where + " text", widget.text())
        if isinstance(widget, QLineEdit):  # as displayed: password fields show bullets
            scan.add(where + " shown", widget.displayText())
            scan.add(where + " placeholder", widget.placeholderText())
        if isinstance(widget, QComboBox):
            scan.add_all(where + " item", (widget.itemText(i) for i in range(widget.count())))
        if isinstance(widget, QTextEdit | QPlainTextEdit):
            scan.add(where + " text", widget.toPlainText())
        model = widget.model() if isinstance(widget, QAbstractItemView) else None
        if model is not None and id(model) not in walked:
            walked.add(id(model))
            model_texts(scan, model, where + " model")
        if isinstance(widget, QMainWindow) and widget.statusBar() is not None:
            scan.add(where + " status bar", widget.statusBar().currentMessage())
    for action in top.findChildren(QAction):
        scan.add_all(
            f"{name}/action",
            (action.text(), action.toolTip(), action.statusTip(), action.whatsThis()),
        )


def visible_texts(scan: Scan, skip: tuple[QWidget, ...] = ()) -> None:
    """Every top-level widget's texts; the item views in *skip* without their models."""
    walked = {id(view.model()) for view in skip if isinstance(view, QAbstractItemView)}
    for top in QApplication.topLevelWidgets():
        widget_texts(scan, top, walked)


def exercise_clipboard(window: Any, scan: Scan) -> None:
    """Every copy action, on every row: what reaches the clipboard is scanned."""
    clipboard = QGuiApplication.clipboard()
    tree = window.source_tree
    clipboard.clear()
    tree.copy_json()
    scan.add("clipboard after Copy as JSON", clipboard.text())
    window.copy_curl()
    scan.add("clipboard after Copy as cURL", clipboard.text())
    for index in walk(tree.model()):
        if index.column() != 0:
            continue
        tree.setCurrentIndex(index)
        clipboard.clear()  # a refused copy must not show what an earlier one left
        tree.copy_value()
        scan.add(f"clipboard after Copy value of row {index.row()}", clipboard.text())


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
    scan.add("clipboard", QGuiApplication.clipboard().text())
    return scan
