"""Help ▸ About: the version, and where secrets and settings live.

Imported when the box is first opened, not at start-up.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from .. import __version__
from ..i18n import _
from .language import app_display_name


def about_box(parent: QWidget, *, backend_name: str, settings_file: str) -> QMessageBox:
    """The About box, not yet shown. *backend_name*: the keychain in use ("" if unknown)."""
    backend = backend_name or _("the system keychain")
    name = app_display_name()
    box = QMessageBox(parent)
    box.setWindowTitle(_("About {app}").format(app=name))
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(f"{name} {__version__}")
    box.setInformativeText(
        _(
            "Shows what a Bitrix24 BI Builder data source holds, with every setting value "
            "masked until you reveal it.\n\n"
            "Secrets (webhook URLs, access and refresh tokens, client secrets, proxy "
            "passwords) are kept in {backend}, service “b24-inspector”, one entry per "
            "profile. Profile names, portal hosts, proxies without passwords, CA file paths "
            "and recent source IDs are kept in {settings_file}. Setting values "
            "are never stored.\n\n"
            "MIT License. The bundled libraries' licences (Qt and PySide6: LGPL-3.0) are in "
            "{notices}."
        ).format(backend=backend, settings_file=settings_file, notices=_notices_path())
    )
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


def _notices_path() -> str:
    """Where THIRD-PARTY-NOTICES.md is: the frozen bundle's top, or the source checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    root = Path(bundle) if bundle else Path(__file__).resolve().parents[2]
    return str(root / "THIRD-PARTY-NOTICES.md")
