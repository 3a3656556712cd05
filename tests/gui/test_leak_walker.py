"""The leak walker finds a secret wherever a window can show one.

A small window puts one distinct secret in each place the walker promises to read; each
must be reported, and nothing else may be.
"""

from __future__ import annotations

from typing import Any

from leaks import ROLES, Scan, app_roles, shows
from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QGuiApplication, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from inspector.ui.widgets import SecretLineEdit

CUSTOM_ROLE = max(app_roles(), default=int(Qt.ItemDataRole.UserRole) + 1)


def test_every_qt_role_and_every_app_role_is_walked() -> None:
    assert {int(role) for role in Qt.ItemDataRole} <= set(ROLES)
    assert app_roles() and app_roles() <= set(ROLES)


def secret_window(qtbot: Any) -> tuple[QMainWindow, dict[str, str]]:
    secrets: dict[str, str] = {}

    def secret(place: str) -> str:
        secrets[place] = f"s3cret-{place}-{len(secrets)}"
        return secrets[place]

    window = QMainWindow()
    window.setWindowTitle(secret("title"))
    body = QWidget()
    layout = QVBoxLayout(body)
    label = QLabel(secret("label"))
    label.setToolTip(secret("tooltip"))
    label.setAccessibleDescription(secret("accessible"))
    layout.addWidget(label)
    button = QPushButton(secret("button"))
    button.setStatusTip(secret("statustip"))
    layout.addWidget(button)
    group = QGroupBox(secret("groupbox"))
    layout.addWidget(group)
    edit = QLineEdit(secret("lineedit"))
    edit.setPlaceholderText(secret("placeholder"))
    layout.addWidget(edit)
    notes = QPlainTextEdit(secret("textedit"))
    layout.addWidget(notes)
    combo = QComboBox()
    combo.addItem(secret("comboitem"))
    combo.setItemData(0, secret("combodata"), Qt.ItemDataRole.UserRole + 7)
    layout.addWidget(combo)
    tabs = QTabWidget()
    tabs.addTab(QWidget(), secret("tab"))
    layout.addWidget(tabs)
    # A tree behind a filter that hides the secret row: the source model is walked too.
    model = QStandardItemModel()
    parent = QStandardItem("parent")
    child = QStandardItem("child")
    child.setData(secret("customrole"), CUSTOM_ROLE)
    child.setData(secret("whatsthis"), Qt.ItemDataRole.WhatsThisRole)
    parent.appendRow(child)
    hidden = QStandardItem(secret("filtered"))
    model.appendRow(parent)
    model.appendRow(hidden)
    model.setHorizontalHeaderLabels([secret("header")])
    proxy = QSortFilterProxyModel(body)
    proxy.setSourceModel(model)
    proxy.setFilterFixedString("parent")
    tree = QTreeView()
    tree.setModel(proxy)
    layout.addWidget(tree)
    window.setCentralWidget(body)
    action = QAction(secret("action"), window)
    action.setToolTip(secret("actiontip"))
    window.addAction(action)
    window.statusBar().showMessage(secret("statusbar"))
    qtbot.addWidget(window)
    window.show()
    return window, secrets


def test_a_secret_is_found_in_every_place(qtbot: Any) -> None:
    window, secrets = secret_window(qtbot)
    QGuiApplication.clipboard().setText(secrets.setdefault("clipboard", "s3cret-clipboard"))
    scan = Scan()
    scan.add_windows(first=window)
    scan.add_clipboard()
    for place, secret in secrets.items():
        assert scan.leaks([secret]), f"the walker missed the secret in the {place}"
    assert not scan.leaks(["n0t-shown-anywhere"])
    QGuiApplication.clipboard().clear()


def test_a_secret_field_the_user_revealed_is_allowed_only_when_asked(qtbot: Any) -> None:
    field = SecretLineEdit("webhook URL", "https://…")
    field.set_text("s3cret-revealed-value")
    qtbot.addWidget(field)
    field.show()
    field.show_action.setChecked(True)
    strict, lenient = Scan(), Scan()
    strict.add_widget(field)
    lenient.add_widget(field, revealed_by_user=True)
    assert strict.leaks(["s3cret-revealed-value"])
    assert not lenient.leaks(["s3cret-revealed-value"])


def test_short_secrets_count_only_as_a_whole_text() -> None:
    assert shows("5432", "5432")
    assert not shows("2025-05-04 32:00 5432x", "5432")
    assert shows("…s3cret-long-value…", "s3cret-long-value")
