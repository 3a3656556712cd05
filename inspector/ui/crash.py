"""The dialog for an unexpected error: a plain sentence, scrubbed details on request."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from ..i18n import _
from .qt_namespace import set_enum


def show_crash_dialog(details: str) -> None:
    """Tell the user something went wrong; *details* must already be redacted."""
    if QApplication.instance() is None:
        return
    if QApplication.platformName() in ("offscreen", "minimal"):
        return  # nobody can see or close a dialog there: it would hang a headless run
    from PySide6.QtWidgets import QMessageBox  # made when needed, not at every start

    box = QMessageBox()
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(_("Unexpected error"))
    set_enum(box, "textFormat", "PlainText")
    box.setText(
        _(
            "Something went wrong inside the inspector. The window keeps working; if this "
            "happens again, please report it with the details (secrets are removed from them)."
        )
    )
    box.setDetailedText(details)
    box.exec()
