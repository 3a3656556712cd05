"""The application icon as Qt needs it, built from the resource files.

The paths come from ``inspector.resources`` (Qt-free, shared with the CLI and the
self-check); only turning them into a ``QIcon`` needs Qt, so that part lives here.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from ..resources import APP_ICON_FILES, APP_ICON_SIZES, resource_path


def app_icon() -> QIcon:
    """The application icon, built from the pre-rendered PNGs (no SVG plugin needed)."""
    icon = QIcon()
    for size, name in zip(APP_ICON_SIZES, APP_ICON_FILES, strict=True):
        icon.addFile(str(resource_path(name)), QSize(size, size))
    return icon
