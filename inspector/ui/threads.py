"""Ending a worker thread without a deadlock: the worker is deleted on the GUI thread.

A ``QObject`` subclassed in Python and deleted on its worker thread (``thread.finished`` →
``deleteLater`` runs there) asks for the GIL from inside Qt's signal-slot lock: the
destructor calls PySide's ``disconnectNotify`` override. If the GUI thread holds the GIL and
waits for that same lock (any ``connect``, e.g. inside ``QLabel.setText``), neither moves:
the window hangs. It was seen in the fault suite when a failed fetch's message was shown
while its worker was being deleted. Handing the worker to the GUI thread as its work ends
makes Qt delete it there, where the GIL and the lock are taken in one order.

``share_gil_promptly`` shortens how long a busy thread keeps the GIL from the GUI thread.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, SignalInstance

if TYPE_CHECKING:
    from PySide6.QtCore import QThread  # only named here: PySide makes a class at first use


def delete_on_gui_thread(worker: QObject, thread: QThread, finished: SignalInstance) -> None:
    """When *worker* emits *finished* (on *thread*), move it to the GUI thread; once *thread*
    has ended, delete it there."""
    from PySide6.QtCore import Qt  # not at import: see qt_namespace

    app = QCoreApplication.instance()
    if app is not None:
        gui_thread = app.thread()
        # Direct: runs on the worker's thread, the only one allowed to push it elsewhere.
        finished.connect(
            lambda *_args: worker.moveToThread(gui_thread), Qt.ConnectionType.DirectConnection
        )
    thread.finished.connect(worker.deleteLater)


GIL_SWITCH_INTERVAL = 0.0001
"""Seconds a busy worker thread keeps the GIL while the GUI thread waits for it.

Python's default (5 ms) is paid at every call from Qt into Python: a repaint of the tree
makes about 900 (data, parent, flags, index), so while a worker parsed or masked 50,000
settings a single repaint could take 200-600 ms; at 0.5 ms it still took 100-190 ms
during Copy as JSON. At 0.1 ms the worker loses a few percent, and only while the GUI
thread wants the GIL."""


def share_gil_promptly() -> None:
    """Let the GUI thread take the GIL soon while workers run (see GIL_SWITCH_INTERVAL)."""
    if sys.getswitchinterval() > GIL_SWITCH_INTERVAL:
        sys.setswitchinterval(GIL_SWITCH_INTERVAL)
