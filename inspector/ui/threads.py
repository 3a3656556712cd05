"""Ending a worker thread without a deadlock: the worker is deleted on the GUI thread.

A ``QObject`` subclassed in Python and deleted on its worker thread (``thread.finished`` →
``deleteLater`` runs there) asks for the GIL from inside Qt's signal-slot lock: the
destructor calls PySide's ``disconnectNotify`` override. If the GUI thread holds the GIL and
waits for that same lock (any ``connect``, e.g. inside ``QLabel.setText``), neither moves:
the window hangs. It was seen in the fault suite when a failed fetch's message was shown
while its worker was being deleted. Handing the worker to the GUI thread as its work ends
makes Qt delete it there, where the GIL and the lock are taken in one order.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, SignalInstance


def delete_on_gui_thread(worker: QObject, thread: QThread, finished: SignalInstance) -> None:
    """When *worker* emits *finished* (on *thread*), move it to the GUI thread; once *thread*
    has ended, delete it there."""
    app = QCoreApplication.instance()
    if app is not None:
        gui_thread = app.thread()
        # Direct: runs on the worker's thread, the only one allowed to push it elsewhere.
        finished.connect(
            lambda *_args: worker.moveToThread(gui_thread), Qt.ConnectionType.DirectConnection
        )
    thread.finished.connect(worker.deleteLater)
