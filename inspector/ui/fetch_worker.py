"""Run portal requests off the GUI thread, one fresh ``QThread`` per request, one at a time.

A ``Job`` says what to ask (a source, a connector, the list of sources), with which
credential and network settings. ``FetchWorker`` is the ``QObject`` that runs one job on
its thread: it receives the job (never a widget or the keychain) and emits exactly one of
``succeeded`` / ``failed``, then ``finished``; on the way it may announce a wait
(``waiting``, a ``WaitNotice``), a page of the source list (``progressed``) and a renewed
OAuth credential (``renewed``).

``FetchController`` owns the threads for the window and runs **one request at a time**:
two requests with one OAuth credential could both meet ``expired_token`` and both renew,
and the second renewal would spend a refresh token the first one had already replaced.
A new job cancels the running job of its own group (``fetch``: a source and its
connector; ``list``: the source list) and waits until no thread is left, cancelled ones
included. A renewed credential is passed on even from a cancelled job (the old refresh
token no longer works, so it must be saved), and it replaces the old credential in the
job waiting to run.

Every job gets a number; only the results of jobs that were not cancelled come out of the
controller, so Cancel and a quick re-fetch are safe. Cancelling sets the job's event; the
client then shuts its connection down, and the thread ends soon after.

The jobs share the controller's ``connections`` (``core.connection_pool``): the connector
lookup after a fetch, and the next fetch, reuse the portal's open connection instead of
paying a new TCP and TLS handshake. ``forget_connections`` closes them (another profile).

``shutdown`` (called from the window's ``closeEvent``) cancels everything and waits for the
threads with a bound, so Qt never prints "QThread: Destroyed while thread is still running".
A thread that outlives the bound is kept referenced in this module until it ends, and the
application waits for it when it quits.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot

from ..core.connection_pool import ConnectionPool
from ..core.errors import Cancelled, InspectorError
from ..core.free_memory import WORTH_TRIMMING, release_free_memory
from ..core.masking import safe_text
from ..core.options import RequestOptions
from ..core.renewal_lock import keychain_renewal
from ..i18n import _
from .threads import delete_on_gui_thread, share_gil_promptly

if TYPE_CHECKING:
    from ..core.client import BitrixClient, CredentialRenewed, WaitNotice
    from ..core.credentials import Credential, OAuthCredential
    from ..core.model import Source

log = logging.getLogger(__name__)

# Threads still running after their window closed: kept alive until they finish, because a
# QThread destroyed while running aborts the process.
_ORPHANS: set[tuple[QThread, QObject]] = set()
_QUIT_HOOK_INSTALLED = False
# The longest a request can still take after it was cancelled is its own timeouts; the
# process waits at most this much at quit for such a request.
_QUIT_WAIT_MS = 45_000

WINDOW_OPERATION_LIMIT_WAIT = 600.0
"""How long the window waits out an HTTP 429 operating limit (a cancellable countdown)."""

JobKind = Literal["source", "connector", "list"]


@dataclass(eq=False)
class Job:
    """One request. ``profile`` is where a renewed credential belongs (None: demo, env)."""

    kind: JobKind
    credential: Credential
    argument: int | str | None = None
    options: RequestOptions | None = None
    # The profile's network settings: only its proxy and extra_ca_file are used.
    network: RequestOptions = field(default_factory=RequestOptions)
    renew: bool = False
    profile: str | None = None
    number: int = 0
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    compare_with: Source | None = field(default=None, repr=False)
    """A connector job's source: the worker then answers with ``compare``'s report, made
    on its own thread (at 50,000 settings it takes ~100 ms the window should not spend)."""

    @property
    def group(self) -> str:
        return "list" if self.kind == "list" else "fetch"


@dataclass(frozen=True)
class Outcome:
    """What a successful job brought back, and with which credential it ended."""

    result: Any
    credential: Credential
    request_id: str | None


def _options_for(job: Job) -> RequestOptions:
    if job.options is None:
        options = RequestOptions(operation_limit_wait=WINDOW_OPERATION_LIMIT_WAIT)
    else:
        options = job.options
    changes: dict[str, Any] = {}
    if job.network.proxy:
        changes["proxy"] = job.network.proxy
    if job.network.extra_ca_file:
        changes["extra_ca_file"] = job.network.extra_ca_file
    return dataclasses.replace(options, **changes) if changes else options


class FetchWorker(QObject):
    """Run one job on whatever thread this object lives on."""

    succeeded = Signal(int, object)  # job number, Outcome
    failed = Signal(int, object)  # job number, InspectorError
    waiting = Signal(int, object)  # job number, WaitNotice
    progressed = Signal(int, int, int)  # job number, page, sources so far
    renewed = Signal(int, object)  # job number, OAuthCredential
    finished = Signal(int)  # job number

    def __init__(self, job: Job, connections: ConnectionPool | None = None) -> None:
        super().__init__()
        self._job = job
        self._connections = connections

    @Slot()
    def run(self) -> None:
        job = self._job
        error: InspectorError | None = None
        outcome: Outcome | None = None
        client: BitrixClient | None = None
        try:
            from ..core.client import BitrixClient

            client = BitrixClient(
                job.credential,
                _options_for(job),
                cancel=job.cancel,
                on_wait=self._on_wait,
                on_credential_renewed=self._renewal() if job.renew else None,
                pool=self._connections,
            )
            with client:
                result = self._call(client)
                outcome = Outcome(result, client.credential, client.last_request_id)
        except InspectorError as exc:
            error = exc
        except Exception as exc:
            # A bug, not a portal problem: the traceback goes to the (redacted) log, the
            # status line gets one sentence without secrets.
            log.error("request failed unexpectedly", exc_info=True)
            detail = safe_text(str(exc), job.credential.secrets(), max_len=200)
            error = InspectorError(
                _("The request failed unexpectedly ({error}: {detail}).").format(
                    error=type(exc).__name__, detail=detail
                ),
                _("Please report this; nothing was changed on the portal."),
            )
        # A big answer's parse is freed by now; glibc would keep its pages (core.free_memory).
        if client is not None and client.bytes_received >= WORTH_TRIMMING:
            release_free_memory()
        if outcome is not None:
            self.succeeded.emit(job.number, outcome)
        else:
            self.failed.emit(job.number, error)
        self.finished.emit(job.number)

    def _call(self, client: BitrixClient) -> Any:
        job = self._job
        if job.kind == "source":
            assert isinstance(job.argument, int)
            return client.get_source(job.argument)
        if job.kind == "connector":
            assert job.argument is not None
            connector = client.get_connector(job.argument)
            if job.compare_with is None:
                return connector
            from ..core.connector import compare

            return compare(job.compare_with, connector)
        return client.list_sources(on_page=self._on_page)

    def _on_wait(self, notice: WaitNotice) -> None:
        self.waiting.emit(self._job.number, notice)

    def _on_page(self, page: int, count: int) -> None:
        self.progressed.emit(self._job.number, page, count)

    def _renewal(self) -> CredentialRenewed:
        """Renewals of a keychain profile take turns with other running copies."""
        if self._job.profile is None:
            return self._on_renewed
        return keychain_renewal(self._job.profile, self._on_renewed, save=True)

    def _on_renewed(self, credential: OAuthCredential) -> None:
        self.renewed.emit(self._job.number, credential)


class _Running:
    """The Python references one running job needs until its thread has finished."""

    __slots__ = ("job", "thread", "worker")

    def __init__(self, job: Job, thread: QThread, worker: FetchWorker) -> None:
        self.job = job
        self.thread = thread
        self.worker = worker


class FetchController(QObject):
    """Runs jobs one at a time and passes on the results of those not cancelled."""

    succeeded = Signal(object, object)  # Job, Outcome
    failed = Signal(object, object)  # Job, InspectorError (never Cancelled)
    waiting = Signal(object, object)  # Job, WaitNotice
    progressed = Signal(object, int, int)  # Job, page, sources so far
    renewed = Signal(object, object)  # Job, OAuthCredential (also from cancelled jobs)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        share_gil_promptly()  # the workers it starts must not hold up the window's repaints
        self._next_no = 0
        self._live: dict[int, Job] = {}  # started or waiting, not cancelled, no result yet
        self._pending: list[Job] = []
        self._running: dict[int, _Running] = {}
        self._accepting = True
        self.connections = ConnectionPool()
        """The open connections the jobs share (they run one at a time)."""

    # --- state -------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a job has neither answered nor been cancelled."""
        return bool(self._live)

    def busy_with(self, group: str) -> bool:
        return any(job.group == group for job in self._live.values())

    def is_live(self, job: Job) -> bool:
        return self._live.get(job.number) is job

    @property
    def running_threads(self) -> int:
        """Threads not finished yet, including those of cancelled jobs."""
        return len(self._running)

    # --- starting and cancelling -------------------------------------------------------

    def start(self, job: Job) -> Job:
        """Queue *job* (cancelling the live job of its group); it runs when no thread is left."""
        if not self._accepting:
            raise RuntimeError("the fetch controller was shut down")
        self.cancel(job.group)
        self._next_no += 1
        job.number = self._next_no
        self._live[job.number] = job
        self._pending.append(job)
        self._launch_next()
        return job

    def cancel(self, group: str | None = None) -> bool:
        """Cancel the live jobs (of *group*, or all); True if one was live."""
        cancelled = [j for j in self._live.values() if group is None or j.group == group]
        for job in cancelled:
            del self._live[job.number]
            job.cancel.set()
            if job in self._pending:
                self._pending.remove(job)
        return bool(cancelled)

    def _launch_next(self) -> None:
        if self._running or not self._pending or not self._accepting:
            return
        job = self._pending.pop(0)
        thread = QThread()
        thread.setObjectName(f"request-{job.number}-{job.kind}")
        worker = FetchWorker(job, self.connections)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Direct: quit() is thread-safe, and a queued call would never run while the GUI
        # thread is blocked in shutdown() waiting for this very thread.
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        worker.succeeded.connect(self._on_worker_succeeded)
        worker.failed.connect(self._on_worker_failed)
        worker.waiting.connect(self._on_worker_waiting)
        worker.progressed.connect(self._on_worker_progressed)
        worker.renewed.connect(self._on_worker_renewed)
        delete_on_gui_thread(worker, thread, worker.finished)
        # A bound slot: Qt drops the connection if this controller is gone first. It is told
        # the job number rather than asking sender(): PySide's sender() waits for a Qt lock
        # while holding the GIL, and the finishing thread can hold that lock while it waits
        # for the GIL (deleting the worker's Python wrapper): a deadlock, seen in the tests.
        worker.finished.connect(self._on_worker_finished)
        self._running[job.number] = _Running(job, thread, worker)
        thread.start()

    def shutdown(self, wait_ms: int = 3000) -> bool:
        """Cancel everything, accept no more results, wait for the threads up to *wait_ms*.

        Returns True when every thread has ended. Threads still running are handed to this
        module, which keeps them referenced until they end (and waits for them at quit).
        A credential renewed meanwhile is still passed on (``renewed``), so it gets saved.
        """
        self._accepting = False
        self.cancel()
        self._pending.clear()
        end = time.monotonic() + wait_ms / 1000
        for running in list(self._running.values()):
            running.thread.wait(max(0, round((end - time.monotonic()) * 1000)))
        # Deliver what the workers sent before they ended: a renewal must not be lost.
        QCoreApplication.sendPostedEvents(self)
        still_running = {n: r for n, r in self._running.items() if not r.thread.isFinished()}
        self._running.clear()
        for running in still_running.values():
            _adopt_orphan(running.thread, running.worker)
        self.forget_connections()  # one still lent is closed when its thread gives it back
        return not still_running

    def forget_connections(self) -> None:
        """Close the connections kept for the next job (another portal, or the end)."""
        self.connections.close()

    # --- results from the worker threads (queued onto the GUI thread) ------------------

    def _take(self, number: int) -> Job | None:
        if not self._accepting:
            return None
        return self._live.pop(number, None)

    @Slot(int, object)
    def _on_worker_succeeded(self, number: int, outcome: Any) -> None:
        job = self._take(number)
        if job is not None:
            self.succeeded.emit(job, outcome)

    @Slot(int, object)
    def _on_worker_failed(self, number: int, error: Any) -> None:
        job = self._take(number)
        if job is not None and not isinstance(error, Cancelled):
            self.failed.emit(job, error)

    @Slot(int, object)
    def _on_worker_waiting(self, number: int, notice: Any) -> None:
        job = self._live.get(number)
        if job is not None and self._accepting:
            self.waiting.emit(job, notice)

    @Slot(int, int, int)
    def _on_worker_progressed(self, number: int, page: int, count: int) -> None:
        job = self._live.get(number)
        if job is not None and self._accepting:
            self.progressed.emit(job, page, count)

    @Slot(int, object)
    def _on_worker_renewed(self, number: int, credential: Any) -> None:
        running = self._running.get(number)
        job = running.job if running is not None else self._live.get(number)
        if job is None:
            return
        old = job.credential
        for waiting in self._pending:  # they would spend the refresh token just replaced
            if waiting.credential == old:
                waiting.credential = credential
        self.renewed.emit(job, credential)

    @Slot(int)
    def _on_worker_finished(self, number: int) -> None:
        running = self._running.pop(number, None)
        # The worker has returned; its thread ends right after. Wait for that (bounded;
        # wait() lets go of the GIL) so the next request starts on a clean slate.
        if running is not None and not running.thread.wait(1000):
            _adopt_orphan(running.thread, running.worker)
        self._launch_next()


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
