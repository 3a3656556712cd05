"""Where the window tells what happened, so that the eye finds it without scrolling.

* A fetch that failed, or was refused before any request (a bad ID, no credential), is
  shown in the message area above the tree as well as in the status line; a fetch that
  worked clears it. A cancelled fetch is no failure.
* Every warning of the connector lookup goes into the banner above the tree, not only the
  plain-http one that ``source_requests`` writes: the tree's Connector section lies below
  what the default window shows.

The banners and the status line are made here too (``banner``, ``status_labels``): each is
a ``LiveLabel``, read by its text with its purpose as the description (an accessible name
would hide the text), and announced when it changes. ``scrolled_panels`` puts the panels in
a scroll area that scrolls only when the window is smaller than they need (800x500, or 2x
scaling on a 1366 px screen), with the status line below it, always in view.

Kept apart from ``main_window`` so that the window only composes; ``WindowFeedback``
listens to its ``fetch_done`` and ``connector_done``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFrame, QLabel, QMainWindow, QScrollArea, QWidget

from ..i18n import _
from .qt_namespace import set_enum
from .theme import Tone, set_tone
from .widgets import LiveLabel, plain_label

if TYPE_CHECKING:
    from .request_record import RequestRecord


def scrolled_panels(window: QMainWindow) -> tuple[QWidget, QScrollArea, QWidget]:
    """The window's central widget, the scroll area in it, and the panels' parent inside."""
    outer = QWidget(window)
    window.setCentralWidget(outer)
    scroll = QScrollArea(outer)
    scroll.setObjectName("windowScrollArea")
    scroll.setWidgetResizable(True)  # no scroll bars while the window is big enough
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    panels = QWidget(scroll)
    scroll.setWidget(panels)
    return outer, scroll, panels


def banner(purpose: str, name: str, tone: Tone, parent: QWidget) -> LiveLabel:
    """A hidden banner in *tone*; *purpose* is what a screen reader says it is."""
    label = LiveLabel(purpose, parent)
    label.setObjectName(name)
    set_tone(label, tone)
    label.setVisible(False)
    return label


def status_labels(parent: QWidget) -> tuple[LiveLabel, QLabel]:
    """The status line and the operating-limit label beside it (hidden until a fetch)."""
    status = LiveLabel(_("Status"), parent)
    status.setObjectName("statusLine")
    set_enum(status, "textInteractionFlags", "TextSelectableByMouse")
    limits = plain_label("", parent, wrap=False)
    limits.setObjectName("limitsLabel")
    limits.setAccessibleDescription(_("Operating limit"))
    limits.setToolTip(
        _(
            "From the answer's time block: this method's execution time counted against "
            "the portal's limit, and when the oldest minute of it drops out"
        )
    )
    limits.setVisible(False)
    return status, limits


class WindowFeedback(QObject):
    """Follows the window's fetches; *window* is the ``MainWindow`` (typed loosely: it
    imports this module)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window
        self._record_before: RequestRecord | None = None
        self._cancelled = False
        window.fetch_done.connect(self._on_fetch_done)
        window.connector_done.connect(self._on_connector_done)

    def fetch_started(self) -> None:
        self._record_before = self._window.last_request
        self._cancelled = False

    def cancelled(self) -> None:
        self._cancelled = True

    def _on_fetch_done(self) -> None:
        if self._cancelled:
            return
        window = self._window
        record = window.last_request
        if record is not None and record is not self._record_before and record.error is None:
            window.dismiss_message()
            return
        # Failed, or refused before a request: the status line's sentence, where the eye is.
        window.message_area.show_message(window.status_line.text())

    def _on_connector_done(self) -> None:
        record = self._window.last_request
        report = record.report if record is not None else None
        if report is None:
            return
        warnings = report.warnings()
        if report.plain_http_endpoints:
            warnings = warnings[:-1]  # the plain-http one is last; the banner already says it
        if not warnings:
            return
        banner = self._window.connector_banner
        lines = [banner.text()] if banner.isVisible() else []
        lines.extend(f"⚠ {warning}" for warning in warnings)
        banner.setText("\n".join(lines))
        banner.setVisible(True)
