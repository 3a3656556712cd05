"""Small widgets shared by the window's panels and dialogs.

* ``plain_label``: a label that never interprets rich text (server text is untrusted);
* ``LiveLabel``: a plain label whose text is what a screen reader reads, and whose changes
  are announced (the status line, the banners, the message area);
* ``SecretLineEdit``: a password-echo field with a Show/Hide button named after what it hides.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from ..i18n import _
from .qt_namespace import set_enum


def plain_label(text: str = "", parent: QWidget | None = None, *, wrap: bool = True) -> QLabel:
    """A label that never interprets rich text (and by default wraps long sentences)."""
    label = QLabel(parent)
    set_enum(label, "textFormat", "PlainText")
    label.setWordWrap(wrap)
    label.setText(text)
    return label


class LiveLabel(QLabel):
    """A plain-text label that a screen reader reads by its text, and that announces changes.

    An accessible *name* set on a label replaces its text for assistive tools, so a status
    line named "Status" was read as "Status", never as the message. This label keeps the
    text as its name and says what it is in the accessible *description*; each new text is
    sent as an announcement (Qt's counterpart of a live region). ``announced`` carries it too,
    for the window's history and for tests.
    """

    announced = Signal(str)

    def __init__(
        self,
        purpose: str,
        parent: QWidget | None = None,
        *,
        wrap: bool = True,
        assertive: bool = False,
    ) -> None:
        super().__init__(parent)
        set_enum(self, "textFormat", "PlainText")
        self.setWordWrap(wrap)
        self.setAccessibleDescription(purpose)
        self._assertive = assertive

    def setText(self, text: str) -> None:  # Qt's, overridden: every caller announces
        if text == self.text():
            return
        super().setText(text)
        if text:
            self.announce()

    def announce(self) -> None:
        """Say the text now (again, if it has not changed since it was last said).

        Only once its window is on screen: a screen reader reads a window's labels as the
        window appears, and a text set while the window is built is no news. That keeps
        QAccessible (about 2 ms of its enums) out of the start-up before the first paint.
        """
        text = self.text()
        if self.window().isVisible():
            _announce(self, text, assertive=self._assertive)
        self.announced.emit(text)


def _announce(label: QLabel, text: str, *, assertive: bool) -> None:
    from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QAccessibleEvent

    if QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleEvent(label, QAccessible.Event.NameChanged))
        announcement = QAccessibleAnnouncementEvent(label, text)
        if assertive:
            announcement.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
        QAccessible.updateAccessibility(announcement)


class SecretLineEdit(QWidget):
    """A password-echo line edit with a Show/Hide button named after what it hides."""

    def __init__(self, what: str, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._what = what
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setAccessibleName(what.capitalize())
        set_enum(
            self.edit,
            "inputMethodHints",
            "ImhSensitiveData|ImhNoPredictiveText|ImhNoAutoUppercase",
        )
        self.edit.setClearButtonEnabled(True)
        self.show_action = QAction(self)
        self.show_action.setCheckable(True)
        self.show_action.toggled.connect(self._on_show_toggled)
        self.show_button = QToolButton(self)
        self.show_button.setDefaultAction(self.show_action)
        set_enum(self.show_button, "toolButtonStyle", "ToolButtonTextOnly")
        set_enum(self.show_button, "focusPolicy", "StrongFocus")
        self._on_show_toggled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.show_button)
        self.setFocusProxy(self.edit)

    def _on_show_toggled(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        verb = _("Hide") if shown else _("Show")
        hint = (_("Hide the {what}") if shown else _("Show the {what}")).format(what=self._what)
        self.show_action.setText(verb)
        self.show_action.setToolTip(hint)
        self.show_button.setAccessibleName(hint)
        # Read as what it is, not as "bullet bullet bullet…".
        self.edit.setAccessibleDescription("" if shown else _("hidden value"))

    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def hide_text(self) -> None:
        self.show_action.setChecked(False)
