"""What leaves the window through the clipboard or a file, and nothing secret with it.

* ``copy_curl``: a cURL command repeating the last request, its secret left to a shell
  variable (``core.export.curl_command``);
* ``JsonCopier``: the shown source as JSON, every setting value masked (revealed ones
  too), made on a worker thread: 50,000 settings take about half a second, which would
  freeze the window; the clipboard is set on the GUI thread once the text is made;
* ``export_bundle``: the support bundle (``core.export.support_bundle``) written to a file;
* ``SecretClipboard``: a revealed value put on the clipboard on purpose, marked so that
  clipboard managers and the Windows clipboard history skip it, and cleared from the
  clipboard after a while or when the window closes, if the clipboard still holds it.

The support bundle is written like every file of the program (``core.files``): 0600,
atomically, so a full disk leaves no 0-byte or half-written file.

Each action returns the sentence for the status line. Imported when something is first
copied or exported, not at start-up.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QMimeData,
    QObject,
    Qt,
    QThread,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QGuiApplication

from ..core.errors import Cancelled, InspectorError
from ..core.files import write_private_text
from ..i18n import N_, _
from .threads import delete_on_gui_thread

if TYPE_CHECKING:
    from ..core.options import RequestOptions
    from .request_record import RequestRecord

log = logging.getLogger(__name__)

NOTHING_YET = N_("fetch a source first.")

_WINDOWS_MIME = 'application/x-qt-windows-mime;value="{}"'
_DWORD_ZERO = b"\x00\x00\x00\x00"
SECRET_MIME_HINTS: dict[str, bytes] = {
    # KDE's Klipper (and clipboard managers that follow it) do not record this entry.
    "x-kde-passwordManagerHint": b"secret",
    # Windows: no clipboard history, no cloud clipboard, no clipboard monitors.
    _WINDOWS_MIME.format("ExcludeClipboardContentFromMonitorProcessing"): b"",
    _WINDOWS_MIME.format("CanIncludeInClipboardHistory"): _DWORD_ZERO,
    _WINDOWS_MIME.format("CanUploadToCloudClipboard"): _DWORD_ZERO,
}
"""The formats password managers add to a copied secret so that it is not recorded."""


def copy_curl(record: RequestRecord | None) -> str:
    """Copy a cURL command repeating *record*'s request, the secret left to a variable."""
    if record is None:
        return _("Nothing to copy yet: {reason}").format(reason=_(NOTHING_YET))
    # The exports (zipfile, platform, the masked writer) load when first used, not with
    # the window that shows this module's actions.
    from ..core.export import ACCESS_TOKEN_VAR, WEBHOOK_CODE_VAR, curl_command

    try:
        command = curl_command(record.credential, record.method, record.params)
    except InspectorError as exc:
        return str(exc)
    QGuiApplication.clipboard().setText(command)
    variable = WEBHOOK_CODE_VAR if record.credential.kind == "webhook" else ACCESS_TOKEN_VAR
    return _(
        "Copied a cURL command for {method}. The secret is not in it: set the "
        "{variable} variable before running it."
    ).format(method=record.method, variable=variable)


JsonJob = Callable[[threading.Event], str]
"""Makes the masked JSON (``SourceTreeModel.masked_json_job``); stops once the event is set."""

COPY_HERE_UP_TO = 2000
"""Up to this many settings the JSON is made on the GUI thread: about 20 ms, less than a
thread's start-up and hand-over are worth (50,000 settings take about half a second)."""

COPYING_JSON = N_("Copying the source as JSON…")
COPIED_JSON = N_("Copied the source as JSON, with every setting value masked.")

# Copy threads still running when their window closed (or its view was deleted): kept
# referenced until they end, because a QThread destroyed while running aborts the process.
_ORPHANS: set[tuple[QThread, QObject]] = set()
_QUIT_WAIT_MS = 5000


class _JsonWorker(QObject):
    """Makes one copy's JSON on its thread; emits ``made`` (text or error), then ``finished``."""

    made = Signal(int, object)  # copy number, the JSON text or an InspectorError
    finished = Signal(int)  # copy number

    def __init__(self, number: int, job: JsonJob, cancel: threading.Event) -> None:
        super().__init__()
        self._number = number
        self._job = job
        self._cancel = cancel

    @Slot()
    def run(self) -> None:
        result: object
        try:
            result = self._job(self._cancel)
        except InspectorError as exc:  # LeakPrevented, Cancelled
            result = exc
        except Exception:  # a bug: a plain sentence for the user, the details in the log
            log.exception("Copy as JSON failed")
            result = InspectorError(_("Copy as JSON failed unexpectedly; nothing was copied."))
        self.made.emit(self._number, result)
        self.finished.emit(self._number)


class JsonCopier(QObject):
    """Copy as JSON off the GUI thread, one copy at a time.

    ``busy_changed`` tells the view to disable its action meanwhile; ``message`` carries
    the sentence for the status line. ``stop`` (the window is closing) cancels a running
    copy: it ends within milliseconds and nothing reaches the clipboard.
    """

    message = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._number = 0
        self._running: tuple[int, QThread, _JsonWorker, threading.Event] | None = None

    @property
    def busy(self) -> bool:
        return self._running is not None

    def copy(self, job: JsonJob | None, settings: int) -> None:
        """Make the JSON of *job* (None: nothing shown yet) of a source with *settings*
        settings, and put it on the clipboard: here if small, else on a worker thread."""
        if job is None:
            self.message.emit(_("Nothing to copy yet: {reason}").format(reason=_(NOTHING_YET)))
            return
        if self._running is not None:
            return  # the action is disabled meanwhile; a shortcut pressed twice lands here
        if settings <= COPY_HERE_UP_TO:
            try:
                text = job(threading.Event())
            except InspectorError as exc:
                self.message.emit(str(exc))
                return
            QGuiApplication.clipboard().setText(text)
            self.message.emit(_(COPIED_JSON))
            return
        self._number += 1
        cancel = threading.Event()
        thread = QThread()
        thread.setObjectName(f"copy-json-{self._number}")
        worker = _JsonWorker(self._number, job, cancel)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Direct: quit() is thread-safe, and a queued call would never run while the GUI
        # thread waits for this very thread in stop().
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        worker.made.connect(self._on_made)
        worker.finished.connect(self._on_finished)
        delete_on_gui_thread(worker, thread, worker.finished)
        self._running = (self._number, thread, worker, cancel)
        thread.start()
        self.busy_changed.emit(True)
        self.message.emit(_(COPYING_JSON))

    def stop(self, wait_ms: int = 3000) -> None:
        """Cancel a running copy and wait for its thread up to *wait_ms*."""
        if self._running is None:
            return
        _number, thread, worker, cancel = self._running
        self._running = None
        cancel.set()
        if not thread.wait(wait_ms):
            _adopt_orphan(thread, worker)
        self.busy_changed.emit(False)

    @Slot(int, object)
    def _on_made(self, number: int, result: object) -> None:
        if self._running is None or self._running[0] != number:
            return  # stopped meanwhile: nothing reaches the clipboard
        if isinstance(result, Cancelled):
            return
        if isinstance(result, InspectorError):
            self.message.emit(str(result))
        elif isinstance(result, str):
            QGuiApplication.clipboard().setText(result)
            self.message.emit(_(COPIED_JSON))

    @Slot(int)
    def _on_finished(self, number: int) -> None:
        if self._running is None or self._running[0] != number:
            return
        _number, thread, worker, _cancel = self._running
        self._running = None
        # The worker has returned and its thread ends right after: the references are let
        # go only then (wait() lets go of the GIL), since a QThread deleted while running
        # aborts the process.
        if not thread.wait(1000):
            _adopt_orphan(thread, worker)
        self.busy_changed.emit(False)


def _adopt_orphan(thread: QThread, worker: QObject) -> None:
    """Keep a still-running copy thread referenced until it ends; wait for it at quit."""
    if not _ORPHANS:
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(_wait_for_orphans)
    _ORPHANS.add((thread, worker))
    thread.finished.connect(lambda: _ORPHANS.discard((thread, worker)))


def _wait_for_orphans() -> None:
    for thread, _worker in list(_ORPHANS):
        thread.wait(_QUIT_WAIT_MS)
    _ORPHANS.clear()


def network_facts(network: RequestOptions) -> dict[str, Any]:
    """What the support bundle says about the network: whether, never which."""
    return {
        "proxy": "set in the profile" if network.proxy else "from the environment/system",
        "extraCaFile": bool(network.extra_ca_file),
    }


def export_bundle(
    record: RequestRecord | None,
    network: RequestOptions,
    path: str | None,
    ask_path: Callable[[str], str | None],
) -> tuple[str | None, str | None]:
    """Write the support bundle of *record* to *path* (``ask_path`` asks if None).

    Returns (the path written or None, the sentence for the status line or None when the
    user cancelled the file dialog). The bundle holds no secret (``core.export``).
    """
    if record is None:
        return None, _("Nothing to export yet: {reason}").format(reason=_(NOTHING_YET))
    from ..core.export import bundle_file_name, support_bundle

    try:
        text = support_bundle(
            credential=record.credential,
            method=record.method,
            params=record.params,
            source=record.source,
            report=record.report,
            error=record.error,
            request_id=record.request_id,
            network=network_facts(network),
            endpoint_check=record.endpoint_check,
        )
    except InspectorError as exc:
        return None, str(exc)
    if path is None:
        path = ask_path(bundle_file_name())
        if not path:
            return None, None
    try:
        write_private_text(path, text + "\n")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return None, _(
            "Could not save the support bundle: {reason}. {file} was not "
            "written (an earlier file of that name is unchanged); free some space or choose "
            "another folder, then export again."
        ).format(reason=reason, file=os.path.basename(path))
    return path, _(
        "Saved the support bundle as {file}: the request, the masked "
        "answer or the error, and no secret."
    ).format(file=os.path.basename(path))


class SecretClipboard(QObject):
    """Puts a revealed value on the clipboard and clears it after ``timer``'s interval,
    unless something else replaced it there meanwhile."""

    def __init__(self, seconds: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._copied: str | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(seconds * 1000)
        self.timer.timeout.connect(self.clear)

    @property
    def seconds(self) -> int:
        return self.timer.interval() // 1000

    def put(self, secret: str) -> None:
        """Put *secret* on the clipboard, marked for clipboard managers to skip it."""
        data = QMimeData()
        data.setText(secret)
        for kind, value in SECRET_MIME_HINTS.items():
            data.setData(kind, QByteArray(value))
        QGuiApplication.clipboard().setMimeData(data)
        self._copied = secret
        self.timer.start()

    def clear(self) -> None:
        """Clear the copied value from the clipboard, unless something replaced it."""
        clipboard = QGuiApplication.clipboard()
        if self._copied is not None and clipboard.text() == self._copied:
            clipboard.clear()
        self._copied = None
        self.timer.stop()
