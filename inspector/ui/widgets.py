"""Small widgets shared by the window's panels and dialogs.

* ``plain_label``: a label that never interprets rich text (server text is untrusted);
* ``SecretLineEdit``: a password-echo field with a Show/Hide button named after what it hides.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget


def plain_label(text: str = "", parent: QWidget | None = None, *, wrap: bool = True) -> QLabel:
    """A label that never interprets rich text (and by default wraps long sentences)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setText(text)
    return label


class SecretLineEdit(QWidget):
    """A password-echo line edit with a Show/Hide button named after what it hides."""

    def __init__(self, what: str, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._what = what
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setAccessibleName(what.capitalize())
        self.edit.setInputMethodHints(
            Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
            | Qt.InputMethodHint.ImhNoAutoUppercase
        )
        self.edit.setClearButtonEnabled(True)
        self.show_action = QAction(self)
        self.show_action.setCheckable(True)
        self.show_action.toggled.connect(self._on_show_toggled)
        self.show_button = QToolButton(self)
        self.show_button.setDefaultAction(self.show_action)
        self.show_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.show_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._on_show_toggled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.show_button)
        self.setFocusProxy(self.edit)

    def _on_show_toggled(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        verb = "Hide" if shown else "Show"
        self.show_action.setText(verb)
        self.show_action.setToolTip(f"{verb} the {self._what}")
        self.show_button.setAccessibleName(f"{verb} the {self._what}")

    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def hide_text(self) -> None:
        self.show_action.setChecked(False)
