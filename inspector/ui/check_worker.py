"""Runs one endpoint check off the GUI thread, with a Cancel that ends it at once.

The check makes up to four HTTP calls, each bounded by the profile's timeouts; the window
must stay responsive meanwhile. One ``CheckWorker`` on a fresh ``QThread`` per run, as the
fetches do (``fetch_worker``): it gets the source, connector and options (never a widget or
the keychain), reports each step as it is known (``stepped``), then exactly one of
``succeeded`` / ``failed``, then ``finished``. ``cancel()`` sets the event the exchange's
watchdog watches, which shuts the socket down; the dialog stops listening at once.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from ..core.connector import Connector
from ..core.endpoint_check import EndpointCheck, StepResult
from ..core.errors import InspectorError
from ..core.model import Source
from ..core.options import RequestOptions
from .threads import delete_on_gui_thread


class CheckWorker(QObject):
    stepped = Signal(int, object)  # run number, StepResult
    succeeded = Signal(int, object)  # run number, CheckReport
    failed = Signal(int, object)  # run number, InspectorError (Cancelled included)
    finished = Signal(int)

    def __init__(
        self,
        number: int,
        source: Source,
        connector: Connector,
        options: RequestOptions,
        table: str | None,
    ) -> None:
        super().__init__()
        self.number = number
        self.cancel_event = threading.Event()
        self._source = source
        self._connector = connector
        self._options = options
        self._table = table

    @Slot()
    def run(self) -> None:
        # httpx is imported here, on the first check, not when the window starts.
        from ..core.client.endpoint_calls import EndpointCaller

        def on_step(step: StepResult) -> None:
            self.stepped.emit(self.number, step)

        try:
            check = EndpointCheck(self._source, self._connector, table=self._table, on_step=on_step)
            with EndpointCaller(self._options, self._source.secrets(), self.cancel_event) as caller:
                report = check.run(caller.send)
        except InspectorError as exc:
            self.failed.emit(self.number, exc)
        else:
            self.succeeded.emit(self.number, report)
        finally:
            self.finished.emit(self.number)


_LIVE: set[tuple[QThread, CheckWorker]] = set()
"""Every check thread still running, held here (not by a widget) until it ends: a QThread
destroyed while running aborts the process, and a dialog can be destroyed with its window."""
_QUIT_WAIT_MS = 5000
_QUIT_HOOKED = "b24CheckQuitHooked"  # an application property: stop_all_checks is connected


def start_check(worker: CheckWorker) -> QThread:
    """Move *worker* to a new thread and start it; both are deleted when it ends."""
    thread = QThread()
    pair = (thread, worker)
    _LIVE.add(pair)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit)
    delete_on_gui_thread(worker, thread, worker.finished)
    thread.finished.connect(thread.deleteLater)
    thread.finished.connect(lambda: _LIVE.discard(pair))
    app = QCoreApplication.instance()
    # Once per application: Qt's UniqueConnection does not apply to a Python function.
    if app is not None and not app.property(_QUIT_HOOKED):
        app.setProperty(_QUIT_HOOKED, True)
        app.aboutToQuit.connect(stop_all_checks)
    thread.start()
    return thread


def stop_all_checks() -> None:
    """Cancel every running check and wait for its thread, with a bound (at quit)."""
    for thread, worker in list(_LIVE):
        worker.cancel_event.set()
        thread.wait(_QUIT_WAIT_MS)
