"""Leaving a profile whose credential fields hold changes: the question, and what is kept.

Switching profile (or adding one) would otherwise replace the fields and lose whatever was
typed there and not saved. The credentials panel asks first, with this module's dialog:
Remember (save in the keychain, as the Remember button does), Keep for this session (the
fields are kept in memory for that profile until the program ends) or Cancel (stay).

What is kept for the session is a ``FieldValues`` snapshot of the fields as typed, so that
an incomplete entry comes back exactly as it was left. It holds secrets: its ``repr`` does
not show them, and it is never written anywhere.

Imported when a profile is first left with changes, not at start-up.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

if TYPE_CHECKING:
    from ..core.credentials import Credential

RENEWAL_KEYS = ("client_id", "client_secret", "refresh_token", "oauth_server")


class KeepChoice(enum.Enum):
    """The answer to "Keep the changes to <profile>?"."""

    REMEMBER = "remember"
    SESSION = "session"
    CANCEL = "cancel"


class FieldValues:
    """The credential fields as typed: the kind, and every field's text."""

    __slots__ = ("kind", "portal", "renewal", "token", "webhook")

    def __init__(
        self,
        kind: str,
        webhook: str = "",
        portal: str = "",
        token: str = "",
        renewal: dict[str, str] | None = None,
    ) -> None:
        self.kind = kind  # "webhook" or "oauth": the selected radio button
        self.webhook = webhook
        self.portal = portal
        self.token = token
        self.renewal = {key: (renewal or {}).get(key, "") for key in RENEWAL_KEYS}

    @classmethod
    def of(cls, credential: Credential) -> FieldValues:
        """The fields that show *credential* (as the panel fills them)."""
        if credential.kind == "webhook":
            return cls("webhook", webhook=credential.endpoint(""))
        from ..core.credentials import DEFAULT_OAUTH_SERVER

        server = credential.oauth_server
        return cls(
            "oauth",
            portal=credential.portal.origin,
            token=credential.access_token,
            renewal={
                "client_id": credential.client_id or "",
                "client_secret": credential.client_secret or "",
                "refresh_token": credential.refresh_token or "",
                "oauth_server": "" if server == DEFAULT_OAUTH_SERVER else server,
            },
        )

    def has_text(self) -> bool:
        return any(
            text.strip() for text in (self.webhook, self.portal, self.token, *self.renewal.values())
        )

    def has_renewal(self) -> bool:
        return any(self.renewal.values())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldValues) and all(
            getattr(self, key) == getattr(other, key) for key in self.__slots__
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FieldValues(kind={self.kind!r}, text={'yes' if self.has_text() else 'none'})"


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
