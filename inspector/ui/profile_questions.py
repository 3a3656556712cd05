"""The questions the credentials panel asks about profiles, behind one small protocol.

Keep the changes to the profile being left? What should the new profile be called? Really
delete this one? The panel asks them through ``ProfileQuestions``; the window uses
``DialogQuestions`` (modal Qt dialogs), and a test hands the panel an answerer of its own
instead of patching the panel's methods.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QWidget

from ..core.masking import sanitize
from ..core.profile_session import MAX_SHOWN_NAME, KeepChoice
from ..i18n import _
from .qt_namespace import set_enum


class ProfileQuestions(Protocol):
    """What the credentials panel asks the user about profiles."""

    def ask_keep_changes(self, name: str, can_remember: bool, backend_name: str) -> KeepChoice:
        """Keep the changes to profile *name* (shown as is)? Cancel: stay on it."""
        ...

    def ask_quit_changes(self, name: str, can_remember: bool, backend_name: str) -> KeepChoice:
        """Quitting with changes to profile *name*: REMEMBER, DISCARD, or CANCEL (stay)."""
        ...

    def ask_profile_name(self, title: str, label: str, text: str = "") -> str | None:
        """A profile name (not yet checked), or None when the user cancelled."""
        ...

    def confirm_delete(self, name: str) -> bool:
        """Delete profile *name* and its keychain entries?"""
        ...


class DialogQuestions:
    """``ProfileQuestions`` asked with modal dialogs over *parent*."""

    def __init__(self, parent: QWidget) -> None:
        self._parent = parent

    # The dialogs (and their Qt classes) are made when first needed: most sessions never ask.

    def ask_keep_changes(self, name: str, can_remember: bool, backend_name: str) -> KeepChoice:
        from .keep_changes import ask_keep_changes

        return ask_keep_changes(
            self._parent, name, can_remember=can_remember, backend_name=backend_name
        )

    def ask_quit_changes(self, name: str, can_remember: bool, backend_name: str) -> KeepChoice:
        from .keep_changes import ask_quit_changes

        return ask_quit_changes(
            self._parent, name, can_remember=can_remember, backend_name=backend_name
        )

    def ask_profile_name(self, title: str, label: str, text: str = "") -> str | None:
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        name, ok = QInputDialog.getText(self._parent, title, label, QLineEdit.EchoMode.Normal, text)
        return name if ok else None

    def confirm_delete(self, name: str) -> bool:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self._parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(_("Delete profile"))
        set_enum(box, "textFormat", "PlainText")
        box.setText(
            _(
                "Delete the profile “{name}”? Its saved credential is removed from the keychain."
            ).format(name=sanitize(name, max_len=MAX_SHOWN_NAME))
        )
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes
