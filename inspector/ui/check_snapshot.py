"""A picture of Check endpoints on the demo, for the README (``docs/check_screenshot.py``).

Starts the demo portal (with its demo connector), opens the window, fetches one demo
source, runs the check with the question answered yes, selects a step and saves the
dialog as a PNG. Settings go to a throwaway file, so a user's recent IDs and window
geometry stay untouched. Not used by the program itself.
"""

from __future__ import annotations

import os
import sys
import tempfile

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from ..demo.portal import DemoPortal
from .check_dialog import CheckDialog, open_check
from .main_window import MainWindow
from .snapshot_png import save_png

_GIVE_UP_MS = 30_000  # never hang, whatever goes wrong


def save_check_snapshot(path: str, source_id: int, selected_step: int) -> int:
    """Write the picture to *path*; 0 if written, 1 if not (the reason on stderr)."""
    app = QApplication.instance() or QApplication([])
    outcome = {"code": 1}
    with tempfile.TemporaryDirectory() as folder, DemoPortal() as portal:
        settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(demo=portal, settings=settings)
        window.resize(940, 720)
        window.show()

        def finish(dialog: CheckDialog) -> None:
            written = save_png(dialog.grab().toImage(), path)
            outcome["code"] = 0 if written else 1
            if not written:
                print(f"error: could not write {path}", file=sys.stderr)
            QApplication.quit()

        def wait_for(dialog: CheckDialog) -> None:
            if dialog.is_running:
                QTimer.singleShot(50, lambda: wait_for(dialog))
                return
            dialog.steps_table.selectRow(selected_step)
            QTimer.singleShot(100, lambda: finish(dialog))

        def check() -> None:
            dialog = open_check(window)
            if dialog is None:
                print("error: the demo source was not shown", file=sys.stderr)
                QApplication.quit()
                return
            dialog.confirm = lambda text, strong: True
            dialog.resize(900, 560)
            dialog.run_check()
            wait_for(dialog)

        window.connector_done.connect(lambda: QTimer.singleShot(50, check))
        QTimer.singleShot(200, lambda: window.fetch(source_id))
        QTimer.singleShot(_GIVE_UP_MS, QApplication.quit)
        app.exec()
        window.close()
    return outcome["code"]
