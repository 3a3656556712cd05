"""Start the window: application set-up, demo portal, snapshot mode, crash reporting.

Kept apart from ``__main__`` so that ``--version`` and the CLI never import Qt.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

log = logging.getLogger(__name__)


def _install_excepthook() -> None:
    """Unexpected errors go to a dialog with scrubbed details, never a raw traceback."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        from .core.masking import redact
        from .ui.crash import show_crash_dialog

        details = redact("".join(traceback.format_exception(kind, exc, tb)))
        log.error("unexpected error:\n%s", details)
        show_crash_dialog(details)

    sys.excepthook = hook


def run_window(
    *,
    demo: bool = False,
    fetch: str | None = None,
    screenshot: str | None = None,
    exit_after_show: bool = False,
) -> int:
    source_id = None
    if fetch is not None:  # the error tree is not needed to open a plain window
        from .core.errors import InputError
        from .core.inputs import parse_source_id

        try:
            source_id = parse_source_id(fetch)
        except InputError as exc:
            print(f"error: --fetch: {exc}", file=sys.stderr)
            return exc.exit_code

    from PySide6.QtCore import QTimer

    from .ui.app import create_application

    app = create_application(sys.argv[:1])
    _install_excepthook()

    from .ui import MainWindow

    portal = None
    if demo:
        from .demo.portal import DemoPortal

        portal = DemoPortal().start()
    try:
        window = MainWindow(demo=portal)
        if screenshot:
            _arrange_snapshot(window, screenshot, after_fetch=source_id is not None)
        window.show()
        if exit_after_show:
            QTimer.singleShot(0, app.quit)
        if source_id is not None:
            QTimer.singleShot(0, lambda: window.fetch(source_id))
        return app.exec()
    finally:
        if portal is not None:
            portal.stop()


def _arrange_snapshot(window: object, path: str, *, after_fetch: bool) -> None:
    """Save the window as a PNG once the fetch has ended (or once shown) and quit."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from .ui import MainWindow

    assert isinstance(window, MainWindow)

    def save() -> None:
        ok = window.grab().save(path, "PNG")
        if not ok:
            print(f"error: could not write the screenshot to {path}", file=sys.stderr)
        QApplication.exit(0 if ok else 1)

    if after_fetch:
        # Let the view lay out the result before grabbing.
        window.fetch_done.connect(lambda: QTimer.singleShot(50, save))
    else:
        QTimer.singleShot(100, save)
