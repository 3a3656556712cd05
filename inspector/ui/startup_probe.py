"""Tell a start-up benchmark when the window was first painted and when it became ready.

With ``B24_INSPECTOR_STARTUP_PROBE=1`` in the environment, ``launch`` attaches a probe to
the window. It prints one JSON line on standard output, then quits:

* ``paint``: the wall-clock time (``time.time()``) of the window's first paint event;
* ``ready``: the time the window was painted, the saved credential read (the panel's
  ``ready``) and Fetch enabled;
* ``rss``: the resident memory in bytes, once the window has been idle for ``IDLE_MS``;
* ``loaded``: which of the heavy modules (``WATCHED_MODULES``) were imported by then;
* ``qt_namespace``: whether PySide had built its ``Qt`` namespace by "ready" (it should
  not have: see ``qt_namespace``).

It lives in the program rather than in the benchmark so that the same measurement works on
the real entry point, from source and in the frozen executables alike.
"""

from __future__ import annotations

import json
import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from .main_window import MainWindow
from .qt_namespace import qt_namespace_built

__all__ = ["StartupProbe"]

IDLE_MS = 300
WATCHED_MODULES = ("keyring", "httpx", "inspector.core.client", "ssl")


def resident_bytes() -> int:
    """This process's resident memory (0 where /proc is not there to ask)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


class StartupProbe(QObject):
    """Watches one window from its construction to its first idle moment."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._marks: dict[str, object] = {}
        window.installEventFilter(self)
        window.credentials_panel.ready.connect(self._check_ready)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and "paint" not in self._marks:
            self._marks["paint"] = time.time()
            self._check_ready()
        return False

    def _check_ready(self) -> None:
        window = self._window
        if (
            "paint" in self._marks
            and "ready" not in self._marks
            and window.credentials_panel.started
            and window.fetch_button.isEnabled()
        ):
            self._marks["ready"] = time.time()
            self._marks["qt_namespace"] = qt_namespace_built()
            QTimer.singleShot(IDLE_MS, self, self._report)

    def _report(self) -> None:
        self._marks["rss"] = resident_bytes()
        self._marks["loaded"] = [name for name in WATCHED_MODULES if name in sys.modules]
        print(json.dumps(self._marks), flush=True)
        QApplication.exit(0)
