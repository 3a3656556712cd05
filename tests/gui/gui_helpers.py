"""Helpers for the window tests: a memory keyring backend, and walkers that collect every
text the window can show (every role of every model index, every widget text)."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QAbstractProxyModel, QModelIndex, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QTreeView,
    QWidget,
)

from inspector.ui import MainWindow
from inspector.ui.widgets import SecretLineEdit

ALL_ROLES = range(int(Qt.ItemDataRole.UserRole) + 51)
# Qt's own roles are all below 64; 64..255 are unused, custom ones start at UserRole.
LEAK_ROLES = (*range(64), *range(int(Qt.ItemDataRole.UserRole), int(Qt.ItemDataRole.UserRole) + 51))


def webhook_code(url: str) -> str:
    """The secret segment of a webhook URL (…/rest/<user>/<code>/)."""
    return url.rstrip("/").rsplit("/", 1)[1]


def fetch_and_wait(qtbot: Any, window: MainWindow, source_id: int, timeout: int = 10_000) -> None:
    with qtbot.waitSignal(window.fetch_done, timeout=timeout):
        window.fetch(source_id)


def type_id_and_enter(qtbot: Any, window: MainWindow, text: str, timeout: int = 10_000) -> None:
    edit = window.findChild(QLineEdit, "sourceIdEdit")
    assert edit is not None
    edit.clear()
    edit.setFocus()
    with qtbot.waitSignal(window.fetch_done, timeout=timeout):
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)


def model_texts(model: Any, roles: Any = ALL_ROLES) -> list[tuple[tuple[int, ...], int, int, str]]:
    """(path of rows, column, role, repr of data) for every role of every index."""
    out: list[tuple[tuple[int, ...], int, int, str]] = []

    def walk(parent: QModelIndex, path: tuple[int, ...]) -> None:
        for row in range(model.rowCount(parent)):
            for column in range(model.columnCount(parent)):
                index = model.index(row, column, parent)
                for role in roles:
                    value = model.data(index, role)
                    if value is not None:
                        out.append(((*path, row), column, role, _as_text(value)))
            walk(model.index(row, 0, parent), (*path, row))

    walk(QModelIndex(), ())
    for section in range(model.columnCount()):
        for role in roles:
            value = model.headerData(section, Qt.Orientation.Horizontal, role)
            if value is not None:
                out.append(((-1,), section, role, _as_text(value)))
    return out


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return str(value) + repr(value)
    except Exception:
        return repr(type(value))


def widget_texts(window: QWidget) -> list[str]:
    """Every text a person (or a screen reader) can get from the window's widgets."""
    texts = [window.windowTitle(), window.toolTip(), window.accessibleName()]
    for widget in window.findChildren(QWidget):
        texts += [
            widget.toolTip(),
            widget.statusTip(),
            widget.whatsThis(),
            widget.accessibleName(),
            widget.accessibleDescription(),
            widget.windowTitle(),
        ]
        if isinstance(widget, QLabel):
            texts.append(widget.text())
        if isinstance(widget, QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
            # A secret field the user chose to show (its Show button) shows the secret.
            owner = widget.parentWidget()
            if not (isinstance(owner, SecretLineEdit) and owner.show_action.isChecked()):
                texts.append(widget.displayText())
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
    for action in window.findChildren(QAction):
        texts += [action.text(), action.toolTip(), action.statusTip(), action.whatsThis()]
    return texts


def tree_of(window: MainWindow) -> QTreeView:
    tree = window.findChild(QTreeView, "sourceTree")
    assert tree is not None
    return tree


def none_refcount() -> int:
    return sys.getrefcount(None)


def shows(text: str, secret: str) -> bool:
    """Whether *text* shows *secret*. Short values ("30", "5432") also occur inside
    timestamps and ids, so for them only a whole cell counts."""
    return secret in text if len(secret) >= 6 else text == secret


def leak_walk(window: QWidget, secrets: list[str], *, clipboard: bool = True) -> list[str]:
    """Every place a secret shows up: every role of every index of every item view (the
    tree, the source picker's table, combo boxes), every widget and action text, the title
    and tooltips of the window and of every other open top-level widget (dialogs), and,
    with *clipboard*, the clipboard. Returns where; an empty list means nothing leaked."""
    secrets = [s for s in secrets if s]
    found: list[str] = []
    tops = [window, *(w for w in QApplication.topLevelWidgets() if w is not window)]
    for top in tops:
        views = [v for v in top.findChildren(QAbstractItemView) if v.model() is not None]
        if isinstance(top, QAbstractItemView):
            views.append(top)
        models = []
        for view in views:
            model = view.model()
            # A filter shows a subset of its source model's rows: walk them all, once.
            while isinstance(model, QAbstractProxyModel) and model.sourceModel() is not None:
                model = model.sourceModel()
            if all(model is not seen for seen, _name in models):
                models.append((model, view.objectName() or type(view).__name__))
        for model, name in models:
            for path, column, role, text in model_texts(model, LEAK_ROLES):
                for secret in secrets:
                    if shows(text, secret):
                        found.append(f"{name} {path} col {column} role {role}: {secret[:3]}…")
        for text in widget_texts(top):
            for secret in secrets:
                if text and shows(text, secret):
                    found.append(f"widget text of {type(top).__name__}: {secret[:3]}…")
    if clipboard:
        copied = QGuiApplication.clipboard().text()
        for secret in secrets:
            if copied and shows(copied, secret):
                found.append(f"clipboard: {secret[:3]}…")
    return found


def window_secrets(window: MainWindow) -> list[str]:
    """What must not show in *window* right now: the secrets of the credential in the
    fields and of the last request, a proxy password, and every setting value of the shown
    source that the user has not revealed."""
    from inspector.core.proxies import proxy_secrets

    panel = window.credentials_panel
    secrets: list[str] = []
    credential = panel.credential()
    if credential is not None:
        secrets += credential.secrets()
    last = window.last_request
    if last is not None:
        secrets += last.credential.secrets()
    secrets += proxy_secrets(panel.network_settings().proxy)
    model = window.source_tree.source_model
    if model.source is not None:
        revealed = {model.source.settings[i].value for i in model.revealed}
        secrets += [s.value for s in model.source.settings if s.value and s.value not in revealed]
    return sorted(set(secrets))
