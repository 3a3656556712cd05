"""The question "Keep the changes to <profile>?", asked before leaving a changed profile.

Switching profile (or adding one) would otherwise replace the fields and lose whatever was
typed there and not saved. The credentials panel asks first (through
``profile_questions.DialogQuestions``) with this module's box: Remember (save in the
keychain, as the Remember button does), Keep for this session (the fields are kept in
memory for that profile until the program ends, see ``core.profile_session``) or Cancel
(stay).

Imported when a profile is first left with changes, not at start-up.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from ..core.profile_session import KeepChoice


def keep_changes_box(
    parent: QWidget, name: str, *, can_remember: bool, backend_name: str
) -> tuple[QMessageBox, list[tuple[QAbstractButton, KeepChoice]]]:
    """The question, not yet shown, and which button means which answer.

    *name* is the profile's display name (already sanitised). Escape, and closing the box,
    mean Cancel.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Unsaved credential")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(f"Keep the changes to {name}?")
    where = backend_name or "the system keychain"
    if can_remember:
        details = (
            f"The credential fields differ from what this profile has. Remember saves them "
            f"in {where}; Keep for this session keeps them in memory for this profile until "
            "you quit; Cancel stays on this profile."
        )
    else:
        details = (
            "The credential fields differ from what this profile has, and they cannot be "
            "saved in the keychain as they are. Keep for this session keeps them in memory "
            "for this profile until you quit; Cancel stays on this profile."
        )
    box.setInformativeText(details)
    answers: list[tuple[QAbstractButton, KeepChoice]] = []
    if can_remember:
        remember = box.addButton("Remember", QMessageBox.ButtonRole.AcceptRole)
        remember.setObjectName("keepRememberButton")
        answers.append((remember, KeepChoice.REMEMBER))
    session = box.addButton("Keep for this session", QMessageBox.ButtonRole.AcceptRole)
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
    box, answers = keep_changes_box(
        parent, name, can_remember=can_remember, backend_name=backend_name
    )
    try:
        box.exec()
        clicked = box.clickedButton()
        return next((choice for button, choice in answers if button is clicked), KeepChoice.CANCEL)
    finally:
        box.deleteLater()
