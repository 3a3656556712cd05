"""Start the window: application set-up, demo portal, snapshot mode, crash reporting.

The entry point (``inspector.__main__``) imports this module only when the window is
wanted, so that ``--version``, ``--help`` and the CLI never import Qt.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
import traceback
from types import TracebackType
from typing import TYPE_CHECKING, NoReturn

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from ..core.collector import resume_after_start
from ..core.masking import redact
from ..i18n import _
from .app import create_application
from .crash import show_crash_dialog
from .language import apply_language
from .main_window import MainWindow
from .qt_namespace import build_qt_namespace
from .theme import ThemeChoice
from .threads import share_gil_promptly

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..demo.portal_process import RunningDemo

log = logging.getLogger(__name__)

STARTUP_PROBE_ENV = "B24_INSPECTOR_STARTUP_PROBE"  # see startup_probe; read here, cheaply


def _install_excepthook() -> None:
    """Unexpected errors go to a dialog with scrubbed details, never a raw traceback."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        details = redact("".join(traceback.format_exception(kind, exc, tb)))
        log.error("unexpected error:\n%s", details)
        show_crash_dialog(details)

    sys.excepthook = hook


def run_window(
    *,
    demo: bool = False,
    source_id: int | None = None,
    screenshot: str | None = None,
    theme: str | None = None,
    exit_after_show: bool = False,
) -> int:
    """Show the main window until it is closed; return the exit status.

    *source_id*: fetch this source as soon as the window is up (already validated).
    *theme*: ``system``, ``light`` or ``dark`` for this run (View ▸ Theme's choice is kept).

    The entry point paused the cyclic collector (``core.collector``); it runs again once
    the start's work is done: at ready, or when the fetch of *source_id* has ended.
    """
    app = create_application(sys.argv[:1])
    apply_language(app)  # before any widget: each is built in one language
    _install_excepthook()
    portal = None
    if demo:
        portal = start_demo_portal()
    try:
        window = MainWindow(
            demo=portal, demo_oauth=demo, theme=ThemeChoice(theme) if theme else None
        )
        if source_id is None:
            warm_up_after_ready(window)
        else:
            when_fetch_settled(window, lambda _fetched: resume_after_start())
        probe = None
        if os.environ.get(STARTUP_PROBE_ENV) == "1":
            from .startup_probe import StartupProbe  # a benchmark's hook, never a user's

            probe = StartupProbe(window)
        if screenshot:
            _arrange_snapshot(window, screenshot, after_fetch=source_id is not None)
        window.show()
        # The saved credential, when the keychain has answered by now, goes into the first
        # paint: no empty fields shown first, and ready as soon as painted.
        window.credentials_panel.apply_finished_read()
        if exit_after_show:
            QTimer.singleShot(0, app.quit)
        if source_id is not None:
            fetched = source_id
            QTimer.singleShot(0, lambda: window.fetch(fetched))
        status = app.exec()
        del probe
    finally:
        if portal is not None:
            portal.stop()
    if screenshot and demo:
        end_demo_snapshot(status)
    return status


def start_demo_portal() -> RunningDemo:
    """The demo portal: the one the entry point started in a process of its own
    (``demo.portal_process``), else one served from this process."""
    from ..demo.portal_process import start_here, take_prestarted

    # start_here imports the HTTP server's modules (tens of milliseconds): only if needed.
    return take_prestarted() or start_here()


def end_demo_snapshot(status: int) -> NoReturn:
    """End a ``--demo`` snapshot run at once, without the interpreter's teardown (freeing
    every widget and module: about 35 ms of a run that takes about 450 ms).

    Nothing is lost: the picture is written and closed, the demo's credential lives only
    in memory, the recent IDs are saved when they change, and the portal has stopped.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


SNAPSHOT_SIZE = (940, 720)  # the same picture whatever size the last session left


def _arrange_snapshot(window: MainWindow, path: str, *, after_fetch: bool) -> None:
    """Save the window as a PNG once the fetch and its connector lookup have ended (or once
    shown), then quit: exit status 0 only if the picture was written and the fetch worked.

    A dependable smoke test on every platform: a fixed window size rather than the saved
    one, and a failed fetch is an exit status, not only a picture of an error.
    """
    from PySide6.QtCore import Qt  # not at import: see qt_namespace

    from .snapshot_png import save_png  # zlib and struct: not for a plain start

    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(*SNAPSHOT_SIZE)

    def save(fetched: bool) -> None:
        written = save_png(window.grab().toImage(), path)
        if not written:
            message = _("error: could not write the screenshot to {path}").format(path=path)
            print(message, file=sys.stderr)
        elif not fetched:
            print(_("error: the fetch failed; the screenshot shows why."), file=sys.stderr)
        QApplication.exit(0 if written and fetched else 1)

    def save_soon(fetched: bool) -> None:
        # Let the view lay out the result (its delayed layout is a zero timer) first.
        QTimer.singleShot(0, lambda: save(fetched))

    if after_fetch:
        when_fetch_settled(window, save_soon)
    else:
        QTimer.singleShot(100, lambda: save(True))


def when_fetch_settled(window: MainWindow, then: Callable[[bool], None]) -> None:
    """Call *then* once, when the window's next fetch has ended and, if it brought a
    source, that source's connector lookup too; with True if a source was fetched."""

    def on_fetch_done() -> None:
        window.fetch_done.disconnect(on_fetch_done)
        record = window.last_request
        fetched = record is not None and record.error is None and record.source is not None
        if fetched and window.requests.connector_pending:

            def on_connector_done() -> None:
                window.connector_done.disconnect(on_connector_done)
                then(fetched)

            window.connector_done.connect(on_connector_done)
        else:
            then(fetched)

    window.fetch_done.connect(on_fetch_done)


# What the first request imports on the GUI thread: the window's request machinery. The
# HTTP stack (httpx, TLS trust) is imported by the request's worker thread. With --fetch
# neither is imported ahead on a thread of its own: beside the window's construction the
# two threads only took turns at the GIL, and the snapshot run was no shorter.
# They may name no PySide class that the start has not made: PySide makes a class at its
# first use, not safely from two threads at once (a test checks it; see qt_namespace).
REQUEST_MODULES = ("inspector.ui.source_requests",)


def make_shared_classes() -> None:
    """On the GUI thread, before the warm-up thread starts: the ``Qt`` namespace and the
    PySide classes that ``REQUEST_MODULES`` name and the start does not make."""
    from PySide6.QtCore import QThread  # noqa: F401  (made here: the fetch worker's)

    build_qt_namespace()


def import_in_background(names: tuple[str, ...]) -> None:
    """Import *names* on a daemon thread (a module not finished yet is simply waited for
    by whoever needs it first)."""

    def load() -> None:
        for name in names:
            try:
                importlib.import_module(name)
            except ImportError:  # the request that needs it reports it
                log.debug("warm-up: %s not imported", name)

    # Python's default switch interval would let the importing thread keep the GIL from
    # the window's slots and repaints for 5 ms at a time (seen as a 6 ms stall when idle).
    share_gil_promptly()
    threading.Thread(target=load, name="warm-up", daemon=True).start()


def warm_up_after_ready(window: MainWindow) -> None:
    """Once the window has been painted and the saved credential read, let the cyclic
    collector run again (``core.collector``), build the ``Qt`` namespace (on the GUI
    thread: see ``qt_namespace``), then import the request machinery off it, so that the
    first fetch does neither."""
    WarmUp(window)


class WarmUp(QObject):
    """Waits for the window's first paint and the panel's ``ready``, in either order."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._painted = False
        window.installEventFilter(self)
        window.credentials_panel.ready.connect(self._start_if_ready)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self._painted = True
            self._window.removeEventFilter(self)
            self._start_if_ready()
        return False

    def _start_if_ready(self) -> None:
        panel = self._window.credentials_panel
        if self._painted and panel.started:
            panel.ready.disconnect(self._start_if_ready)
            # A turn later: ready's other slots (Fetch enabled) come first.
            QTimer.singleShot(0, self, self._warm_up)

    def _warm_up(self) -> None:
        resume_after_start()
        make_shared_classes()
        import_in_background(REQUEST_MODULES)
