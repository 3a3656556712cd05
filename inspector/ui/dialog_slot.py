"""One dialog of a kind at a time over the window, remembered while it is open.

The sign-in and import dialogs are kept on the window (``window.signin_dialog``,
``window.import_dialog``) so that quitting can finish them and tests can reach them;
asking again raises the open one instead of stacking a second.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtWidgets import QDialog

Dialog = TypeVar("Dialog", bound=QDialog)


def open_once(window: Any, attribute: str, make: Callable[[], Dialog]) -> Dialog:
    """The dialog kept in ``window.<attribute>`` if it is open, else a new one from *make*,
    opened and forgotten (then deleted) once it closes."""
    shown = getattr(window, attribute, None)
    if shown is not None and shown.isVisible():
        shown.raise_()
        return shown  # type: ignore[no-any-return]
    dialog = make()

    def forget(_code: int) -> None:
        if getattr(window, attribute, None) is dialog:
            setattr(window, attribute, None)
        dialog.deleteLater()

    dialog.finished.connect(forget)
    setattr(window, attribute, dialog)
    dialog.open()
    return dialog
