"""Walks a window's accessibility interfaces and says what a screen-reader user would miss.

Used by ``test_gui_accessibility``: an unnamed control, a control Tab never reaches, a label
whose accessible name hides its text, and two visible controls (or menu titles, or items of
one menu) answering the same Alt+letter.
"""

from __future__ import annotations

import re
from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

_MNEMONIC = re.compile(r"(?<!&)&([^&\s])")
CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractItemView,
    QAbstractSpinBox,
    QPlainTextEdit,
    QTextEdit,
)


def mnemonic(text: str) -> str | None:
    """The Alt+letter of *text* ("Fet&ch" → "c"), if it has one."""
    found = _MNEMONIC.search(text.replace("&&", ""))
    return found.group(1).lower() if found else None


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name) if interface is not None else ""


def _visible_widgets(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget) if w.isVisibleTo(root) and w.window() is root]


def _inner_part(widget: QWidget) -> bool:
    """A part a composite control owns (a combo box's or spin box's line edit): the
    composite is what assistive tools and Tab reach."""
    parent = widget.parentWidget()
    if isinstance(widget, QHeaderView):
        return True  # its view's headers, read as the view's columns
    return isinstance(widget, QLineEdit) and isinstance(parent, (QComboBox, QAbstractSpinBox))


def problems(root: QWidget) -> list[str]:
    """Everything wrong in *root* (a window or dialog, as shown now)."""
    found: list[str] = []
    shortcuts: dict[str, list[str]] = defaultdict(list)
    for widget in _visible_widgets(root):
        where = f"{type(widget).__name__} {widget.objectName() or '(no objectName)'}"
        if isinstance(widget, CONTROLS) and not _inner_part(widget):
            if not accessible_name(widget).strip():
                found.append(f"unnamed control: {where}")
            if widget.isEnabled() and not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                found.append(f"Tab never reaches: {where} {accessible_name(widget)!r}")
        if isinstance(widget, QLabel) and widget.text().strip():
            shown = widget.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
            name = accessible_name(widget)
            if shown.strip() not in name:
                found.append(f"label hides its text: {where} reads {name!r}, shows {shown!r}")
        text = ""
        if isinstance(widget, QAbstractButton):
            text = widget.text()
        elif isinstance(widget, QLabel) and widget.textFormat() != Qt.TextFormat.RichText:
            text = widget.text() if widget.buddy() is not None else ""
        elif isinstance(widget, QGroupBox):
            text = widget.title()
        letter = mnemonic(text)
        if letter:
            shortcuts[letter].append(text)
    if isinstance(root, QMainWindow):
        for action in root.menuBar().actions():
            letter = mnemonic(action.text())
            if letter:
                shortcuts[letter].append(f"menu {action.text()}")
            menu = action.menu()
            if isinstance(menu, QMenu):
                found.extend(menu_problems(menu))
    for letter, texts in sorted(shortcuts.items()):
        if len(texts) > 1:
            found.append(f"Alt+{letter.upper()} is used by {texts}")
    return found


def menu_problems(menu: QMenu) -> list[str]:
    """Duplicate mnemonics among one menu's items (and its submenus', each on its own)."""
    found: list[str] = []
    letters: dict[str, list[str]] = defaultdict(list)
    for action in menu.actions():
        assert isinstance(action, QAction)
        if action.isSeparator():
            continue
        if not action.text().replace("&", "").strip():
            found.append(f"unnamed menu item in {menu.title()!r}")
        letter = mnemonic(action.text())
        if letter:
            letters[letter].append(action.text())
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            found.extend(menu_problems(submenu))
    for letter, texts in sorted(letters.items()):
        if len(texts) > 1:
            found.append(f"Alt+{letter.upper()} twice in menu {menu.title()!r}: {texts}")
    return found
