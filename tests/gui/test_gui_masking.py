"""What a person sees after a fetch from the demo portal: no secret anywhere unless revealed.

Every role of every index of the tree model, every widget text, every action text and the
window title are searched for the setting values and the webhook code.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QTreeView

from gui.gui_helpers import (
    ALL_ROLES,
    model_texts,
    tree_of,
    type_id_and_enter,
    webhook_code,
    widget_texts,
)
from inspector.core.masking import MASK
from inspector.demo.portal import DEMO_SOURCES
from inspector.ui import MainWindow
from inspector.ui.source_tree_model import VALUE_COLUMN


def setting_values(source_id: int) -> list[str]:
    return [s["value"] for s in DEMO_SOURCES[source_id]["settings"]]


def shows(text: str, secret: str) -> bool:
    # Short values ("30", "5432") also occur inside timestamps: for them, a whole cell.
    return secret in text if len(secret) >= 6 else text == secret


def leaks(window: MainWindow, secrets: list[str]) -> list[str]:
    """Every place a secret shows up: model cells (path, column, role) and widget texts."""
    found = []
    for path, column, role, text in model_texts(tree_of(window).model()):
        for secret in secrets:
            if shows(text, secret):
                found.append(f"model {path} col {column} role {role}: {secret}")
    for text in widget_texts(window):
        for secret in secrets:
            if secret and shows(text, secret):
                found.append(f"widget text: {secret}")
    return found


def find_row(
    model: QAbstractItemModel, field: str, parent: QModelIndex | None = None
) -> QModelIndex:
    parent = parent if parent is not None else QModelIndex()
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        if model.data(index) == field:
            return index
        found = find_row(model, field, index)
        if found.isValid():
            return found
    return QModelIndex()


def test_automation_contract(qtbot: Any) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    assert isinstance(window.findChild(QLineEdit, "sourceIdEdit"), QLineEdit)
    assert isinstance(window.findChild(QPushButton, "fetchButton"), QPushButton)
    assert isinstance(window.findChild(QTreeView, "sourceTree"), QTreeView)
    from inspector.core.options import RequestOptions

    assert isinstance(window.request_options, RequestOptions)
    window.request_options = RequestOptions(read_timeout=5)
    assert window.request_options.read_timeout == 5
    for label in window.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()


@pytest.mark.parametrize("source_id", [6, 7, 9])
def test_no_secret_anywhere_after_fetch(
    qtbot: Any, make_window: Any, portal: Any, source_id: int
) -> None:
    window = make_window(demo=portal)
    type_id_and_enter(qtbot, window, str(source_id))
    model = tree_of(window).model()
    assert model.rowCount() > 0
    secrets = [*setting_values(source_id), webhook_code(portal.webhook_url), portal.access_token]
    assert leaks(window, secrets) == []
    # The values are there, masked, and the title is the demo's, not its address.
    texts = [t for _p, _c, _r, t in model_texts(model)]
    assert texts.count(MASK) >= len(setting_values(source_id))
    assert window.windowTitle() == "Bitrix24 BI Source Inspector — Demo portal"


def test_reveal_shows_only_that_value_in_its_own_cell(
    qtbot: Any, make_window: Any, portal: Any
) -> None:
    window = make_window(demo=portal)
    type_id_and_enter(qtbot, window, "7")
    tree = tree_of(window)
    model = tree.model()
    password_row = find_row(model, "Password (password)")
    assert password_row.isValid()
    tree.setFocus()
    tree.setCurrentIndex(password_row)
    qtbot.keyClick(tree, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)

    revealed = "pg-demo-P4ssw0rd!"
    value_cell = model.index(password_row.row(), VALUE_COLUMN, password_row.parent())
    assert model.data(value_cell) == revealed
    places = [(p, c) for p, c, _r, t in model_texts(model) if revealed in t]
    expected_path = (password_row.parent().row(), password_row.row())
    assert set(places) == {(expected_path, VALUE_COLUMN)}
    others = [v for v in setting_values(7) if v != revealed]
    assert leaks(window, [*others, webhook_code(portal.webhook_url)]) == []
    assert [t for t in widget_texts(window) if revealed in t] == []

    # Space toggles it back.
    qtbot.keyClick(tree, Qt.Key.Key_Space)
    assert model.data(value_cell) == MASK
    assert leaks(window, setting_values(7)) == []


def test_revealed_value_is_masked_again_by_the_next_fetch(
    qtbot: Any, make_window: Any, portal: Any
) -> None:
    window = make_window(demo=portal)
    type_id_and_enter(qtbot, window, "6")
    tree = tree_of(window)
    tree.setCurrentIndex(find_row(tree.model(), "Token (token)"))
    tree.reveal_action.trigger()
    assert leaks(window, ["a1b2c3d4e5"]) != []
    type_id_and_enter(qtbot, window, "6")
    assert leaks(window, ["a1b2c3d4e5"]) == []


def test_tree_shape_labels_and_time_block(qtbot: Any, make_window: Any, portal: Any) -> None:
    window = make_window(demo=portal)
    type_id_and_enter(qtbot, window, "8")
    model = tree_of(window).model()
    top = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert top == ["Connection", "Settings (2)", "Connector", "Time"]
    connection = model.index(0, 0)
    rows = {
        model.data(model.index(r, 0, connection)): (
            model.data(model.index(r, 1, connection)),
            model.data(model.index(r, 2, connection)),
        )
        for r in range(model.rowCount(connection))
    }
    assert rows["Title"] == ("Legacy CRM export", "string")
    assert rows["Active"] == ("no", "boolean")
    assert rows["Updated"] == ("not sent", "null")  # null date: said so, not invented
    assert rows["Created"] == ("2024-11-05 08:30:00", "datetime")
    settings = model.index(1, 0)
    login = model.index(0, 0, settings)
    assert model.data(login) == "Login (login)"
    value = model.index(0, 1, settings)
    assert model.data(value) == MASK
    # One row per setting: its details are in its tooltip (never its value), and a screen
    # reader hears "hidden value" rather than the bullets.
    assert model.rowCount(login) == 0
    details = model.data(login, Qt.ItemDataRole.ToolTipRole).splitlines()
    assert [line.split(":")[0] for line in details] == ["ID", "Code", "Name", "Type"]
    assert "Code: login" in details
    assert model.data(value, Qt.ItemDataRole.AccessibleTextRole) == "hidden value"
    assert model.data(login, Qt.ItemDataRole.AccessibleTextRole) is None
    time_node = model.index(3, 0)
    time_fields = [
        model.data(model.index(r, 0, time_node)) for r in range(model.rowCount(time_node))
    ]
    assert "Operating (time used of this method's limit)" in time_fields
    assert "Operating limit resets at" in time_fields
    # Expanded by default.
    assert tree_of(window).isExpanded(settings)


def test_unknown_keys_are_shown(qtbot: Any, make_window: Any, portal: Any) -> None:
    window = make_window(demo=portal)
    type_id_and_enter(qtbot, window, "9")
    model = tree_of(window).model()
    assert find_row(model, "syncMode").isValid()
    table_count = find_row(model, "tableCount")
    assert model.data(model.index(table_count.row(), 1, table_count.parent())) == "4"


def test_model_passes_qt_model_tester(
    qtbot: Any, qtmodeltester: Any, make_window: Any, portal: Any
) -> None:
    window = make_window(demo=portal)
    type_id_and_enter(qtbot, window, "7")
    qtmodeltester.check(tree_of(window).model())
    type_id_and_enter(qtbot, window, "9")
    qtmodeltester.check(tree_of(window).model())


def test_walking_every_role_many_times_keeps_none_alive(
    qtbot: Any, make_window: Any, portal: Any
) -> None:
    """PySide6 6.12.0 on Python 3.11 dropped a reference to None on each empty data() call
    and aborted with none_dealloc after a few thousand; this walk would crash there."""
    window = make_window(demo=portal)
    type_id_and_enter(qtbot, window, "7")
    model = tree_of(window).model()
    indexes = []

    def collect(parent: QModelIndex) -> None:
        for row in range(model.rowCount(parent)):
            for column in range(model.columnCount(parent)):
                indexes.append(model.index(row, column, parent))
            collect(model.index(row, 0, parent))

    collect(QModelIndex())
    before = sys.getrefcount(None)
    calls = 0
    while calls < 30_000:
        for index in indexes:
            for role in ALL_ROLES:
                model.data(index, role)
                calls += 1
    after = sys.getrefcount(None)
    assert after >= before - 1000, (before, after)


def test_copy_json_and_copy_value_keep_secrets_off_the_clipboard(
    qtbot: Any, make_window: Any, portal: Any
) -> None:
    window = make_window(demo=portal)
    type_id_and_enter(qtbot, window, "6")
    tree = tree_of(window)
    clipboard = QGuiApplication.clipboard()

    tree.setFocus()
    qtbot.keyClick(
        tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    data = json.loads(clipboard.text())
    assert data["settings"][0]["value"] == MASK
    assert "a1b2c3d4e5" not in clipboard.text()
    assert "masked" in window.status_line.text()

    clipboard.setText("before")
    token = find_row(tree.model(), "Token (token)")
    tree.setCurrentIndex(token)
    qtbot.keyClick(tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == "before"
    assert "hidden" in window.status_line.text()

    tree.reveal_action.trigger()
    tree.copy_value_action.trigger()
    assert clipboard.text() == "a1b2c3d4e5"
    assert "real (unmasked) value" in window.status_line.text()
    assert "a1b2c3d4e5" not in window.status_line.text()
    assert tree.clipboard_clear_timer.isActive()
    # Copy as JSON stays masked even with a value revealed.
    tree.copy_json_action.trigger()
    assert "a1b2c3d4e5" not in clipboard.text()

    # An ordinary value is copied as shown.
    title = find_row(tree.model(), "Title")
    tree.setCurrentIndex(title)
    tree.copy_value_action.trigger()
    assert clipboard.text() == "Rest source SQL"


def test_context_menu_offers_reveal_and_copy(qtbot: Any, make_window: Any, portal: Any) -> None:
    window = make_window(demo=portal)
    type_id_and_enter(qtbot, window, "6")
    tree = tree_of(window)
    token = find_row(tree.model(), "Token (token)")
    tree.setCurrentIndex(token)
    assert tree.reveal_action.isEnabled()
    texts = [a.text() for a in tree.actions()]
    assert "&Reveal value" in texts and "&Copy value" in texts
    assert "Copy as &JSON (masked)" in texts
    tree.reveal_action.trigger()
    assert tree.reveal_action.text() == "Hide &value"


def test_a_copied_revealed_value_is_cleared_from_the_clipboard(
    qtbot: Any, make_window: Any, portal: Any
) -> None:
    window = make_window(demo=portal)
    type_id_and_enter(qtbot, window, "6")
    tree = tree_of(window)
    tree.clipboard_clear_timer.setInterval(200)
    tree.setCurrentIndex(find_row(tree.model(), "Token (token)"))
    tree.reveal_action.trigger()
    tree.copy_value_action.trigger()
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == "a1b2c3d4e5"
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=3000)

    # Something copied since then is left alone.
    tree.copy_value_action.trigger()
    clipboard.setText("mine")
    qtbot.waitUntil(lambda: not tree.clipboard_clear_timer.isActive(), timeout=3000)
    assert clipboard.text() == "mine"
