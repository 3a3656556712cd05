"""The question "Keep the changes to <profile>?", asked before leaving a changed profile.

Switching profile (or adding one) would otherwise replace the fields and lose whatever was
typed there and not saved. The credentials panel asks first (through
``profile_questions.DialogQuestions``) with this module's box: Remember (save in the
keychain, as the Remember button does), Keep for this session (the fields are kept in
memory for that profile until the program ends, see ``core.profile_session``) or Cancel
(stay).

Quitting asks the same question with other answers (``quit_changes_box``): Remember,
Discard (the changes go with the program) or Cancel (do not quit); keeping them "for
this session" would make no sense there.

Imported when a profile is first left with changes, not at start-up.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QPushButton, QWidget

from ..core.profile_session import KeepChoice
from ..i18n import _


def keep_changes_box(
    parent: QWidget, name: str, *, can_remember: bool, backend_name: str
) -> tuple[QMessageBox, list[tuple[QAbstractButton, KeepChoice]]]:
    """The question, not yet shown, and which button means which answer.

    *name* is the profile's display name (already sanitised). Escape, and closing the box,
    mean Cancel.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(_("Unsaved credential"))
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(_("Keep the changes to {name}?").format(name=name))
    where = backend_name or _("the system keychain")
    if can_remember:
        details = _(
            "The credential fields differ from what this profile has. Remember saves them "
            "in {where}; Keep for this session keeps them in memory for this profile until "
            "you quit; Cancel stays on this profile."
        ).format(where=where)
    else:
        details = _(
            "The credential fields differ from what this profile has, and they cannot be "
            "saved in the keychain as they are. Keep for this session keeps them in memory "
            "for this profile until you quit; Cancel stays on this profile."
        )
    box.setInformativeText(details)
    answers: list[tuple[QAbstractButton, KeepChoice]] = []
    if can_remember:
        remember = box.addButton(_("Remember"), QMessageBox.ButtonRole.AcceptRole)
        remember.setObjectName("keepRememberButton")
        answers.append((remember, KeepChoice.REMEMBER))
    session = box.addButton(_("Keep for this session"), QMessageBox.ButtonRole.AcceptRole)
    session.setObjectName("keepSessionButton")
    answers.append((session, KeepChoice.SESSION))
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    cancel.setObjectName("keepCancelButton")
    answers.append((cancel, KeepChoice.CANCEL))
    box.setDefaultButton(session)  # nothing lost, nothing written: the safe Enter
    box.setEscapeButton(cancel)
    return box, answers


def ask_keep_changes(
    parent: QWidget, name: str, *, can_remember: bool, backend_name: str
) -> KeepChoice:
    """Ask (modal) whether to keep the changes to profile *name*; Escape is Cancel."""
    return _answer(
        *keep_changes_box(parent, name, can_remember=can_remember, backend_name=backend_name)
    )


def quit_changes_box(
    parent: QWidget, name: str, *, can_remember: bool, backend_name: str
) -> tuple[QMessageBox, list[tuple[QAbstractButton, KeepChoice]]]:
    """The question asked when quitting with changes, not yet shown; Escape is Cancel."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(_("Unsaved credential"))
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(_("Save the changes to {name} before quitting?").format(name=name))
    where = backend_name or _("the system keychain")
    if can_remember:
        details = _(
            "The credential fields hold changes that are not saved (typed, or tokens a renewal "
            "replaced: the previous refresh token no longer works). Remember saves them in "
            "{where}; Discard quits without them; Cancel stays."
        ).format(where=where)
    else:
        details = _(
            "The credential fields hold changes that are not saved (typed, or tokens a renewal "
            "replaced: the previous refresh token no longer works). They cannot be saved in "
            "the keychain as they are. Discard quits without them; Cancel stays."
        )
    box.setInformativeText(details)
    answers: list[tuple[QAbstractButton, KeepChoice]] = []
    default: QPushButton | None = None
    if can_remember:
        remember = default = box.addButton(_("Remember"), QMessageBox.ButtonRole.AcceptRole)
        remember.setObjectName("quitRememberButton")
        answers.append((remember, KeepChoice.REMEMBER))
    discard = box.addButton(QMessageBox.StandardButton.Discard)
    discard.setObjectName("quitDiscardButton")
    answers.append((discard, KeepChoice.DISCARD))
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    cancel.setObjectName("quitCancelButton")
    answers.append((cancel, KeepChoice.CANCEL))
    box.setDefaultButton(default or cancel)
    box.setEscapeButton(cancel)
    return box, answers


def ask_quit_changes(
    parent: QWidget, name: str, *, can_remember: bool, backend_name: str
) -> KeepChoice:
    """Ask (modal) what to do with the changes to profile *name* before quitting."""
    return _answer(
        *quit_changes_box(parent, name, can_remember=can_remember, backend_name=backend_name)
    )


def _answer(box: QMessageBox, answers: list[tuple[QAbstractButton, KeepChoice]]) -> KeepChoice:
    """Show *box* modally; the choice of the button clicked (Cancel when closed otherwise)."""
    try:
        box.exec()
        clicked = box.clickedButton()
        return next((choice for button, choice in answers if button is clicked), KeepChoice.CANCEL)
    finally:
        box.deleteLater()
