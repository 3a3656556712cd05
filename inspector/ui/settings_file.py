"""Saving ``QSettings`` so that a failure is told, and the file is the user's alone.

Qt writes the settings file atomically itself (a temporary file renamed over the old one);
what it does not do is say when that failed, nor keep other users out. ``save_settings``
syncs, tightens the permissions (file 0600, the program's own folder 0700) and, when the
write failed, emits ``SettingsNotifier.failed`` with a sentence for the status line, so
that profiles and recent IDs are never lost silently.
"""

from __future__ import annotations

import contextlib
import os

from PySide6.QtCore import QObject, QSettings, Signal

from ..core.files import FILE_MODE, FOLDER_MODE, make_private_folder, restrict
from ..i18n import _
from .app import ORGANIZATION_NAME

_NOTIFIER_NAME = "settingsNotifier"


class SettingsNotifier(QObject):
    """Lives inside a ``QSettings`` object; tells whoever listens that saving it failed."""

    failed = Signal(str)


def notifier_for(settings: QSettings) -> SettingsNotifier:
    """The notifier of *settings* (made at first use, a child of *settings*)."""
    found = settings.findChild(SettingsNotifier, _NOTIFIER_NAME)
    if isinstance(found, SettingsNotifier):
        return found
    notifier = SettingsNotifier(settings)
    notifier.setObjectName(_NOTIFIER_NAME)
    return notifier


def secure_settings(settings: QSettings) -> None:
    """Make the settings file 0600 and the program's settings folder 0700 (if ours)."""
    path = settings.fileName()
    if settings.format() == QSettings.Format.NativeFormat and os.name == "nt":
        return  # the Windows registry: no file
    folder = os.path.dirname(path)
    if os.path.basename(folder) == ORGANIZATION_NAME:
        restrict(folder, FOLDER_MODE)
    restrict(path, FILE_MODE)


def save_settings(settings: QSettings) -> bool:
    """Write *settings* to disk now; False (and ``failed`` emitted) when that failed."""
    folder = os.path.dirname(settings.fileName())
    if folder and os.path.basename(folder) == ORGANIZATION_NAME:
        with contextlib.suppress(OSError):  # sync() then fails below and says so
            make_private_folder(folder)  # before Qt makes it 0755
    settings.sync()
    status = settings.status()
    if status == QSettings.Status.NoError:
        secure_settings(settings)
        return True
    reason = (
        _("the file is damaged")
        if status == QSettings.Status.FormatError
        else _("the file or its folder cannot be written (no permission, or the disk is full)")
    )
    notifier_for(settings).failed.emit(
        _(
            "Could not save the settings to {file}: {reason}. Profiles and recent source IDs "
            "changed in this session will be lost when you quit; make the file writable or free "
            "some space, then try again."
        ).format(file=settings.fileName(), reason=reason)
    )
    return False
