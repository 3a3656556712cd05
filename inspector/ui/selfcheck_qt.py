"""The Qt half of ``--self-check``: what Qt itself reports about this installation.

``inspector.selfcheck`` decides what to check and words the report without Qt, so it can
still say "Qt could not be loaded" when importing this module fails; this module only asks
Qt (versions, platform plugin, image decoding, the application icon).
"""

from __future__ import annotations

from pathlib import Path

import PySide6
from PySide6.QtCore import QLibraryInfo, QTranslator, qVersion
from PySide6.QtGui import QGuiApplication, QImage

from .icons import app_icon

# The application the check creates when none runs. Kept alive for the rest of the run:
# the resource checks decode images with it.
_STARTED: list[QGuiApplication] = []


def versions() -> str:
    """The Qt and PySide6 versions, e.g. ``Qt 6.8.1, PySide6 6.8.1``."""
    return f"Qt {qVersion()}, PySide6 {PySide6.__version__}"


def application_running() -> bool:
    return QGuiApplication.instance() is not None


def start_application(argv: list[str]) -> None:
    """Create the (GUI) application the rest of the check uses; *argv* may pick a platform."""
    _STARTED.append(QGuiApplication(argv))


def platform_name() -> str:
    """The platform plugin in use (``xcb``, ``wayland``, ``offscreen``...), or ``""``."""
    return QGuiApplication.platformName()


def plugins_dir() -> str:
    return QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)


def qt_translation_found(language: str) -> bool:
    """Whether Qt's own texts in *language* (``qtbase_<language>.qm``) can be loaded, as
    ``ui.language`` loads them (the executable keeps only the languages we speak)."""
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    return QTranslator().load(f"qtbase_{language}", folder)


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) of the image at *path*, or None if Qt cannot decode it."""
    image = QImage(str(path))
    if image.isNull():
        return None
    return image.width(), image.height()


def app_icon_sizes() -> set[int]:
    """The sizes the application icon offers (empty if it could not be built)."""
    return {size.width() for size in app_icon().availableSizes()}
