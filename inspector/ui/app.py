"""Create the ``QApplication`` with the names that the title, QSettings and keychain share.

Called first thing by the entry point: the application and organisation names decide where
``QSettings`` lives, and the desktop file name lets Wayland and the taskbar match the window
to its ``.desktop`` entry and icon (dangerzone #402).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from PySide6.QtWidgets import QApplication

from .. import APP_NAME
from ..resources import ResourceNotFoundError
from .icons import app_icon

ORGANIZATION_NAME = "b24-inspector"
DESKTOP_FILE_NAME = "b24-inspector"


def create_application(argv: Sequence[str]) -> QApplication:
    """Return the application (created if there is none yet), named and with its icon."""
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORGANIZATION_NAME)
    QApplication.setDesktopFileName(DESKTOP_FILE_NAME)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv))
    # A missing icon must not stop the window; --self-check reports it.
    with contextlib.suppress(ResourceNotFoundError, OSError):
        app.setWindowIcon(app_icon())
    return app
