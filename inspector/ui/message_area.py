"""The inline message area above the source tree: a failure shown where the eye is.

A failed fetch used to be told only in the status line at the bottom of the window, easy to
miss. The message area repeats it above the tree in the error colours, is announced to a
screen reader at once (assertively), and stays until it is dismissed (its Dismiss button,
reachable with Tab, or Escape while it has the focus) or until the next fetch succeeds.
The status line keeps the history: every sentence still goes there. No dialog, so nothing
interrupts typing.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton, QWidget

from ..i18n import _
from .theme import Tone, set_tone
from .widgets import LiveLabel


class MessageArea(QFrame):
    """One message at a time, with a Dismiss button; hidden when there is none."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageArea")
        self.label = LiveLabel(_("Error message"), self, assertive=True)
        self.label.setObjectName("messageText")
        self.label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        set_tone(self.label, Tone.WARNING)
        self.dismiss_button = QToolButton(self)
        self.dismiss_button.setObjectName("dismissMessageButton")
        self.dismiss_button.setText(_("Dismiss"))
        self.dismiss_button.setAccessibleName(_("Dismiss the message"))
        self.dismiss_button.setToolTip(_("Dismiss the message (Escape while it has the focus)"))
        self.dismiss_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.dismiss_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        self.setVisible(False)

    @property
    def text(self) -> str:
        return self.label.text()

    def show_message(self, text: str) -> None:
        """Show (and announce) *text*, replacing any message shown; the same failure
        twice in a row is announced twice."""
        if text == self.label.text():
            self.label.announce()
        else:
            self.label.setText(text)
        self.setVisible(True)

    def dismiss(self) -> None:
        """Hide the message; the status line still has it."""
        if not self.isVisible():
            return
        had_focus = self.isAncestorOf(self.focusWidget()) if self.focusWidget() else False
        self.setVisible(False)
        self.label.setText("")
        if had_focus:
            self.focusNextChild()
        self.dismissed.emit()

    def event(self, event: QEvent) -> bool:
        # Escape is the window's Cancel shortcut; while the message has the focus it
        # dismisses the message instead (the override asks Qt to deliver the key here).
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.dismiss()
            event.accept()
            return
        super().keyPressEvent(event)
