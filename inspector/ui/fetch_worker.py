"""Run ``biconnector.source.get`` off the GUI thread, one fresh ``QThread`` per request.

``FetchWorker`` is the ``QObject`` that does one request on its thread: it receives a
credential object, an id, the request options and a ``threading.Event`` (never a widget or
the keychain) and emits exactly one of ``succeeded`` / ``failed``, then ``finished``.

``FetchController`` owns the threads for the window. Every request gets a number; only the
results of the one active request come out of the controller, so Cancel and a quick
re-fetch are safe: a late answer from an older or cancelled request is dropped. httpx has no
way to abort a blocking read from another thread, so cancelling sets the request's event
(the client checks it between steps) and stops listening; the thread ends on its own.

``shutdown`` (called from the window's ``closeEvent``) cancels everything and waits for the
threads with a bound, so Qt never prints "QThread: Destroyed while thread is still running".
A thread that outlives the bound (a portal that has not answered yet) is kept referenced in
this module until it ends, and the application waits for it when it quits.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot

from ..core.errors import Cancelled, InspectorError
from ..core.masking import safe_text

if TYPE_CHECKING:
    from ..core.client import RequestOptions
    from ..core.credentials import Credential

log = logging.getLogger(__name__)

# Threads still running after their window closed: kept alive until they finish, because a
# QThread destroyed while running aborts the process.
_ORPHANS: set[tuple[QThread, QObject]] = set()
_QUIT_HOOK_INSTALLED = False
# The longest a request can still take after it was cancelled is its own timeouts; the
# process waits at most this much at quit for such a request.
_QUIT_WAIT_MS = 45_000


class FetchWorker(QObject):
    """Fetch one source on whatever thread this object lives on."""

    succeeded = Signal(int, object)  # request number, Source
    failed = Signal(int, object)  # request number, InspectorError
    retrying = Signal(int, int, float)  # request number, attempt, seconds until it
    finished = Signal(int)  # request number

    def __init__(
        self,
        request_no: int,
        credential: Credential,
        source_id: int,
        options: RequestOptions | None,
        cancel: threading.Event,
    ) -> None:
        super().__init__()
        self._request_no = request_no
        self._credential = credential
        self._source_id = source_id
        self._options = options
        self._cancel = cancel

    @Slot()
    def run(self) -> None:
        error: InspectorError | None = None
        try:
            # Imported here, on the worker thread: httpx costs as much start-up time as Qt.
            from ..core.client import fetch_source

            source = fetch_source(
                self._credential,
                self._source_id,
                self._options,
                cancel=self._cancel,
                on_retry=self._on_retry,
            )
        except InspectorError as exc:
            error = exc
        except Exception as exc:
            # A bug, not a portal problem: the traceback goes to the (redacted) log, the
            # status line gets one sentence without secrets.
            log.error("fetch failed unexpectedly", exc_info=True)
            detail = safe_text(str(exc), self._credential.secrets(), max_len=200)
            error = InspectorError(
                f"The request failed unexpectedly ({type(exc).__name__}: {detail}).",
                "Please report this; nothing was changed on the portal.",
            )
        if error is not None:
            self.failed.emit(self._request_no, error)
        else:
            self.succeeded.emit(self._request_no, source)
        self.finished.emit(self._request_no)

    def _on_retry(self, attempt: int, delay: float) -> None:
        self.retrying.emit(self._request_no, attempt, delay)


class _Request:
    """The Python references one running request needs until its thread has finished."""

    __slots__ = ("cancel", "thread", "worker")

    def __init__(self, thread: QThread, worker: FetchWorker, cancel: threading.Event) -> None:
        self.thread = thread
        self.worker = worker
        self.cancel = cancel


class FetchController(QObject):
    """Starts requests and passes on the results of the active one only."""

    succeeded = Signal(object)  # Source
    failed = Signal(object)  # InspectorError
    retrying = Signal(int, float)  # attempt, seconds until it

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._next_no = 0
        self._active: int | None = None
        self._requests: dict[int, _Request] = {}
        self._accepting = True

    @property
    def busy(self) -> bool:
        """True while the active request has not answered."""
        return self._active is not None

    @property
    def running_threads(self) -> int:
        """Threads not finished yet, including those of cancelled requests."""
        return len(self._requests)

    def start(self, credential: Credential, source_id: int, options: RequestOptions | None) -> int:
        """Start a request (cancelling the active one); return its number."""
        if not self._accepting:
            raise RuntimeError("the fetch controller was shut down")
        self.cancel()
        self._next_no += 1
        number = self._next_no
        cancel = threading.Event()
        thread = QThread()
        thread.setObjectName(f"fetch-{number}")
        worker = FetchWorker(number, credential, source_id, options, cancel)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Direct: quit() is thread-safe, and a queued call would never run while the GUI
        # thread is blocked in shutdown() waiting for this very thread.
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        worker.succeeded.connect(self._on_worker_succeeded)
        worker.failed.connect(self._on_worker_failed)
        worker.retrying.connect(self._on_worker_retrying)
        thread.finished.connect(worker.deleteLater)
        # A bound slot: Qt drops the connection if this controller is gone first.
        thread.finished.connect(self._on_thread_finished)
        self._requests[number] = _Request(thread, worker, cancel)
        self._active = number
        thread.start()
        return number

    def cancel(self) -> bool:
        """Cancel the active request; its result will be dropped. True if one was running."""
        number, self._active = self._active, None
        if number is None:
            return False
        request = self._requests.get(number)
        if request is not None:
            request.cancel.set()
        return True

    def shutdown(self, wait_ms: int = 3000) -> bool:
        """Cancel everything, accept no more results, wait for the threads up to *wait_ms*.

        Returns True when every thread has ended. Threads still running are handed to this
        module, which keeps them referenced until they end (and waits for them at quit).
        """
        self._accepting = False
        self._active = None
        for request in self._requests.values():
            request.cancel.set()
        end = time.monotonic() + wait_ms / 1000
        for request in list(self._requests.values()):
            request.thread.wait(max(0, round((end - time.monotonic()) * 1000)))
        still_running = {n: r for n, r in self._requests.items() if not r.thread.isFinished()}
        self._requests.clear()
        for request in still_running.values():
            _adopt_orphan(request.thread, request.worker)
        return not still_running

    # --- results from the worker threads (queued onto the GUI thread) ------------------

    def _is_active(self, number: int) -> bool:
        return self._accepting and number == self._active

    @Slot(int, object)
    def _on_worker_succeeded(self, number: int, source: Any) -> None:
        if self._is_active(number):
            self._active = None
            self.succeeded.emit(source)

    @Slot(int, object)
    def _on_worker_failed(self, number: int, error: Any) -> None:
        if self._is_active(number):
            self._active = None
            if isinstance(error, Cancelled):  # cancelled by us: not an error to show
                return
            self.failed.emit(error)

    @Slot(int, int, float)
    def _on_worker_retrying(self, number: int, attempt: int, delay: float) -> None:
        if self._is_active(number):
            self.retrying.emit(attempt, delay)

    @Slot()
    def _on_thread_finished(self) -> None:
        thread = self.sender()
        for key, request in list(self._requests.items()):
            if request.thread is thread:
                del self._requests[key]
                # ``finished`` is emitted just before the thread really ends; ~QThread
                # waits for that itself, but an explicit bounded wait keeps it obvious.
                request.thread.wait(1000)


def _adopt_orphan(thread: QThread, worker: QObject) -> None:
    global _QUIT_HOOK_INSTALLED
    entry = (thread, worker)
    _ORPHANS.add(entry)
    thread.finished.connect(lambda: _ORPHANS.discard(entry))
    app = QCoreApplication.instance()
    if app is not None and not _QUIT_HOOK_INSTALLED:
        app.aboutToQuit.connect(wait_for_orphans)
        _QUIT_HOOK_INSTALLED = True


def wait_for_orphans(timeout_ms: int = _QUIT_WAIT_MS) -> bool:
    """Wait for threads of closed windows to end; True when none is left running."""
    for thread, _worker in list(_ORPHANS):
        thread.wait(timeout_ms)
    for entry in list(_ORPHANS):
        if entry[0].isFinished():
            _ORPHANS.discard(entry)
    return not _ORPHANS


def orphan_count() -> int:
    """Threads of closed windows that have not ended yet (for tests and diagnostics)."""
    return sum(1 for thread, _worker in _ORPHANS if not thread.isFinished())
