"""The main window: composes the credentials panel, the ID row, the tree and the status line.

It holds no business logic of its own: the credential and profile come from
``CredentialsPanel``, requests run through ``FetchController`` on worker threads (one at a
time), the result is shown by ``SourceTreeView``, copies and exports are made by
``core.export``. What it decides is the order of things: validate the input before any
request, look the connector up after a source is shown, show one status sentence per
outcome (and a countdown while the client waits out a rate limit), mark the last result
stale when a fetch fails, save a renewed token, offer to follow a portal that moved, and
emit ``fetch_done`` once when a fetch has ended.
"""

from __future__ import annotations

import math
import os
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRegularExpression, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QRegularExpressionValidator,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import APP_DISPLAY_NAME
from ..core.masking import safe_text, sanitize
from .credentials_panel import WEBHOOK_ENV, CredentialsPanel, Origin
from .source_tree import MIN_REDACTED_VALUE, ConnectorState, SourceTreeView
from .widgets import plain_label

if TYPE_CHECKING:
    from ..core.client import RequestOptions, WaitNotice
    from ..core.credentials import Credential, OAuthCredential
    from ..core.errors import InspectorError
    from ..core.keychain import CredentialStore
    from ..core.model import Connector, ConnectorReport, Source, SourceSummary
    from ..demo.portal import DemoPortal
    from .fetch_worker import FetchController, Job, Outcome
    from .source_picker import SourcePickerDialog

RECENT_IDS_KEY = "recent/sourceIds"
GEOMETRY_KEY = "window/geometry"
MAX_RECENT_IDS = 10
# The ID field accepts what biconnector.source.get accepts: a positive integer (or nothing
# yet). parse_source_id still checks the upper bound before any request.
SOURCE_ID_PATTERN = QRegularExpression("(?:[1-9][0-9]{0,9})?")
MAX_SOURCE_ID = 2**31 - 1
SOURCE_GET = "biconnector.source.get"  # as core.client names it (imported lazily there)
SOURCE_LIST = "biconnector.source.list"
WARNING_STYLE = (
    "QLabel { background: palette(alternate-base); border: 1px solid #b35900;"
    " color: #8a4500; padding: 4px; }"
)


def _duration(seconds: int) -> str:
    return f"{seconds} s" if seconds < 90 else f"{seconds // 60} min {seconds % 60:02d} s"


def wait_text(notice: WaitNotice, retries: int, *, now: float | None = None) -> str:
    """The countdown sentence for a wait the client announced."""
    remaining = max(0, math.ceil(notice.until - (time.time() if now is None else now)))
    when = f"in {_duration(remaining)}…" if remaining else "now…"
    if notice.reason == "rate_limit":
        return f"Rate-limited: retry {notice.attempt} of {retries} {when} (Esc to cancel)"
    return (
        f"The portal's operating limit blocks {notice.method} for now: retrying {when} "
        "(Esc to cancel)"
    )


class MainWindow(QMainWindow):
    """Bitrix24 BI Source Inspector's window.

    ``store``: where credentials are saved (default: the system keychain, opened lazily).
    ``settings``: where profiles, recent IDs and the window geometry go (default:
    ``QSettings()``). ``demo``: a running demo portal whose webhook is used for this
    session, never saved.
    """

    fetch_done = Signal()
    """Emitted once when a fetch has ended: shown, failed, rejected or cancelled.

    A fetch replaced by a newer one before it ended does not emit it; the newer one does.
    It is always emitted after ``fetch()`` has returned, never from inside it.
    """

    connector_done = Signal()
    """Emitted when the connector lookup that follows a shown source has ended."""

    sources_listed = Signal()
    """Emitted when loading the source list has ended (listed, failed or cancelled)."""

    close_wait_ms = 3000
    """How long closing the window waits for a running request's thread to end."""

    keychain_delay_ms = 50
    """How long after the event loop starts the saved credential is read (first paint first)."""

    def __init__(
        self,
        *,
        store: CredentialStore | None = None,
        settings: QSettings | None = None,
        demo: DemoPortal | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings if settings is not None else QSettings()
        self._demo_credential: Credential | None = None
        self._request_options: RequestOptions | None = None
        self._fetch_no = 0
        self._fetch_job: Job | None = None
        self._fetching_id: int | None = None
        self._fetching_secrets: tuple[str, ...] = ()
        self._shown_id: int | None = None
        self._connector_job: Job | None = None
        self._list_job: Job | None = None
        self._list_cache: tuple[Credential, list[SourceSummary], str | None] | None = None
        self._picker: SourcePickerDialog | None = None
        # What "Copy as cURL" and the support bundle describe: the last request made.
        self._last_request: tuple[Credential, str, dict[str, Any]] | None = None
        self._last_source: Source | None = None
        self._last_report: ConnectorReport | None = None
        self._last_error: InspectorError | None = None
        self._last_request_id: str | None = None
        self._wait: tuple[Job, WaitNotice] | None = None
        self._closing = False

        self._controller_object: FetchController | None = None  # made at the first request

        self.countdown_timer = QTimer(self)
        self.countdown_timer.setInterval(1000)
        self.countdown_timer.timeout.connect(self._show_countdown)

        self._build(store)
        self._build_menus()
        self._load_recent_ids()
        geometry = self._settings.value(GEOMETRY_KEY)
        if geometry:
            self.restoreGeometry(geometry)
        else:
            self.resize(940, 720)

        if demo is not None:
            from ..core.credentials import parse_webhook_url

            self._demo_credential = parse_webhook_url(demo.webhook_url)
            self.credentials_panel.use_session_webhook(demo.webhook_url, Origin.DEMO)
        elif os.environ.get(WEBHOOK_ENV, "").strip():
            self.credentials_panel.use_session_webhook(
                os.environ[WEBHOOK_ENV].strip(), Origin.ENVIRONMENT
            )
        self._update_title()
        # The keychain is read shortly after the event loop starts, on the GUI thread, so that
        # importing keyring does not delay the first paint. fetch() reads it earlier if needed.
        QTimer.singleShot(0, self, self._schedule_start_up)

    # --- layout ------------------------------------------------------------------------

    def _build(self, store: CredentialStore | None) -> None:
        central = QWidget(self)
        self.setCentralWidget(central)

        self.credentials_panel = CredentialsPanel(store, central, settings=self._settings)
        self.credentials_panel.credential_changed.connect(self._update_title)
        self.credentials_panel.profile_changed.connect(self._on_profile_changed)
        self.credentials_panel.network_button.clicked.connect(self.edit_network_settings)

        self.source_id_combo = QComboBox(central)
        self.source_id_combo.setEditable(True)
        self.source_id_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # No inline completion: typing 6 must fetch 6, not a remembered 61.
        self.source_id_combo.setCompleter(None)  # type: ignore[arg-type]  # None is allowed
        self.source_id_combo.setToolTip("Recently fetched IDs are in the list")
        self.source_id_combo.setMinimumContentsLength(12)
        self.source_id_combo.setAccessibleName("Source ID")
        edit = self.source_id_combo.lineEdit()
        assert edit is not None
        self.source_id_edit: QLineEdit = edit
        self.source_id_edit.setObjectName("sourceIdEdit")
        self.source_id_edit.setAccessibleName("Source ID")
        self.source_id_edit.setPlaceholderText("e.g. 6")
        self.source_id_edit.setValidator(
            QRegularExpressionValidator(SOURCE_ID_PATTERN, self.source_id_edit)
        )
        self.source_id_edit.returnPressed.connect(self._on_return_pressed)
        id_label = plain_label("Source &ID:", central, wrap=False)
        id_label.setBuddy(self.source_id_edit)

        self.fetch_button = QPushButton("&Fetch", central)
        self.fetch_button.setObjectName("fetchButton")
        self.fetch_button.setAccessibleName("Fetch source")
        self.fetch_button.setToolTip("Fetch the source (Enter in the ID field)")
        self.fetch_button.clicked.connect(self._on_fetch_clicked)
        self.browse_button = QPushButton("&Browse sources…", central)
        self.browse_button.setObjectName("browseButton")
        self.browse_button.setToolTip("Choose from the portal's list of sources (Ctrl+L)")
        self.browse_button.clicked.connect(self.browse_sources)
        self.cancel_button = QPushButton("Cancel", central)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAccessibleName("Cancel fetch")
        self.cancel_button.setToolTip("Cancel the running request (Esc)")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.busy_indicator = QProgressBar(central)
        self.busy_indicator.setObjectName("busyIndicator")
        self.busy_indicator.setAccessibleName("Fetching")
        self.busy_indicator.setRange(0, 0)  # indeterminate
        self.busy_indicator.setTextVisible(False)
        self.busy_indicator.setMaximumWidth(140)
        self.busy_indicator.setVisible(False)

        id_row = QHBoxLayout()
        id_row.addWidget(id_label)
        id_row.addWidget(self.source_id_combo)
        id_row.addWidget(self.fetch_button)
        id_row.addWidget(self.browse_button)
        id_row.addWidget(self.cancel_button)
        id_row.addWidget(self.busy_indicator)
        id_row.addStretch(1)

        self.stale_banner = plain_label("", central)
        self.stale_banner.setObjectName("staleBanner")
        self.stale_banner.setAccessibleName("Stale result")
        self.stale_banner.setStyleSheet(
            "QLabel { background: palette(alternate-base); border: 1px solid palette(mid);"
            " padding: 4px; }"
        )
        self.stale_banner.setVisible(False)
        self.connector_banner = plain_label("", central)
        self.connector_banner.setObjectName("connectorWarning")
        self.connector_banner.setAccessibleName("Connector warning")
        self.connector_banner.setStyleSheet(WARNING_STYLE)
        self.connector_banner.setVisible(False)

        self.source_tree = SourceTreeView(central)
        self.source_tree.message.connect(self._show_status)

        self.status_line = plain_label("", central)
        self.status_line.setObjectName("statusLine")
        self.status_line.setAccessibleName("Status")
        self.status_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.limits_label = plain_label("", central, wrap=False)
        self.limits_label.setObjectName("limitsLabel")
        self.limits_label.setAccessibleName("Operating limit")
        self.limits_label.setToolTip(
            "From the answer's time block: this method's execution time counted against the "
            "portal's limit, and when the oldest minute of it drops out"
        )
        self.limits_label.setVisible(False)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_line, 1)
        status_row.addWidget(self.limits_label)

        layout = QVBoxLayout(central)
        layout.addWidget(self.credentials_panel)
        layout.addLayout(id_row)
        layout.addWidget(self.stale_banner)
        layout.addWidget(self.connector_banner)
        layout.addWidget(self.source_tree, 1)
        layout.addLayout(status_row)

        # The editable combo takes the focus for its line edit.
        QWidget.setTabOrder(self.credentials_panel.forget_button, self.source_id_combo)
        QWidget.setTabOrder(self.source_id_combo, self.fetch_button)
        QWidget.setTabOrder(self.fetch_button, self.browse_button)
        QWidget.setTabOrder(self.browse_button, self.cancel_button)
        QWidget.setTabOrder(self.cancel_button, self.source_tree)

        self._show_status(
            "Enter a credential, then type a source ID and press Enter, or pick one with "
            "Browse sources… (Ctrl+L)."
        )

    def _action(
        self, text: str, slot: Any, shortcut: QKeySequence | QKeySequence.StandardKey | None = None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        ctrl, alt = Qt.Modifier.CTRL, Qt.Modifier.ALT
        self.browse_action = self._action(
            "&Browse sources…", self.browse_sources, QKeySequence(ctrl | Qt.Key.Key_L)
        )
        self.fetch_action = self._action("&Fetch", self.fetch, QKeySequence(Qt.Key.Key_F5))
        self.cancel_action = self._action(
            "&Cancel request", self.cancel, QKeySequence(Qt.Key.Key_Escape)
        )
        self.copy_curl_action = self._action(
            "Copy as c&URL (secret left out)",
            self.copy_curl,
            QKeySequence(ctrl | alt | Qt.Key.Key_C),
        )
        self.export_bundle_action = self._action(
            "&Export support bundle…", self.export_support_bundle, QKeySequence(ctrl | Qt.Key.Key_E)
        )
        self.network_action = self._action("&Network settings…", self.edit_network_settings)
        self.about_action = self._action("&About", self.show_about)
        self.quit_action = self._action(
            "&Quit", self.close, QKeySequence(QKeySequence.StandardKey.Quit)
        )
        panel = self.credentials_panel
        self.new_profile_action = self._action("&New profile…", panel.new_profile)
        self.rename_profile_action = self._action("&Rename profile…", panel.rename_profile)
        self.delete_profile_action = self._action("&Delete profile…", panel.delete_profile)
        tree = self.source_tree

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.export_bundle_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        for action in (tree.reveal_action, tree.copy_value_action, tree.copy_json_action):
            edit_menu.addAction(action)
        edit_menu.addAction(self.copy_curl_action)
        source_menu = bar.addMenu("&Source")
        for action in (self.browse_action, self.fetch_action, self.cancel_action):
            source_menu.addAction(action)
        profile_menu = bar.addMenu("&Profile")
        for action in (
            self.new_profile_action,
            self.rename_profile_action,
            self.delete_profile_action,
            self.network_action,
        ):
            profile_menu.addAction(action)
        bar.addMenu("&Help").addAction(self.about_action)
        tree.extra_menu_actions = [self.copy_curl_action, self.export_bundle_action]

    # --- public surface ----------------------------------------------------------------

    @property
    def _controller(self) -> FetchController:
        """Runs the requests, one at a time; created (and its module imported) when first
        needed, not at start-up."""
        if self._controller_object is None:
            from .fetch_worker import FetchController

            controller = FetchController(self)
            controller.succeeded.connect(self._on_job_succeeded)
            controller.failed.connect(self._on_job_failed)
            controller.waiting.connect(self._on_job_waiting)
            controller.progressed.connect(self._on_job_progressed)
            controller.renewed.connect(self._on_credential_renewed)
            self._controller_object = controller
        return self._controller_object

    def _is_live(self, job: Job | None) -> bool:
        controller = self._controller_object
        return job is not None and controller is not None and controller.is_live(job)

    @property
    def request_options(self) -> RequestOptions:
        """Timeouts, retries and waits for the next request (the profile adds the network)."""
        if self._request_options is None:
            from ..core.client import RequestOptions  # httpx: imported when first needed
            from .fetch_worker import WINDOW_OPERATION_LIMIT_WAIT

            return RequestOptions(operation_limit_wait=WINDOW_OPERATION_LIMIT_WAIT)
        return self._request_options

    @request_options.setter
    def request_options(self, options: RequestOptions) -> None:
        self._request_options = options

    @property
    def is_fetching(self) -> bool:
        return self._is_live(self._fetch_job)

    def fetch(self, source_id: int | str | None = None) -> None:
        """Fetch a source: *source_id*, or the ID typed in the field.

        Replaces any running fetch. Invalid input (bad ID, no credential) is reported in the
        status line without a request.
        """
        if self._closing:
            return
        if isinstance(source_id, bool):  # QAction.triggered passes "checked"
            source_id = None
        if source_id is not None:
            self.source_id_edit.setText(str(source_id))
        text = str(source_id) if source_id is not None else self.source_id_edit.text()
        self._controller.cancel("fetch")
        self._stop_countdown()
        self._fetch_no += 1
        number = self._fetch_no
        self._fetching_id = None
        self._fetch_job = None
        from ..core.errors import InvalidSourceId, parse_source_id

        try:
            parsed_id = parse_source_id(text)
        except InvalidSourceId as exc:
            self._end_without_request(number, str(exc), self.source_id_edit)
            return
        self.credentials_panel.start()  # the saved credential, if not read yet
        credential = self.credentials_panel.credential()
        if credential is None:
            self._end_without_request(
                number,
                f"No usable credential: {self.credentials_panel.problem}",
                self.credentials_panel.first_field(),
            )
            return
        self._fetching_id = parsed_id
        self._fetching_secrets = credential.secrets()
        self._fetch_job = self._start_job("source", credential, parsed_id)
        self._last_request = (credential, SOURCE_GET, {"id": parsed_id})
        self._last_source = self._last_report = self._last_error = None
        self._last_request_id = None
        self._set_busy(True)
        self._show_status(f"Fetching source {parsed_id} from {self._portal_name(credential)}…")

    def cancel(self) -> None:
        """Cancel the running request; its result is dropped. The shown result stays."""
        self._stop_countdown()
        if self.is_fetching:
            self._controller.cancel("fetch")
            self._set_busy(False)
            self._show_status(f"Cancelled the fetch of source {self._fetching_id}.")
            self._fetching_id = None
            self._emit_done_later(self._fetch_no)
            return
        if self._is_live(self._connector_job):
            self._controller.cancel("fetch")
            self.source_tree.show_connector(ConnectorState(note="lookup cancelled"))
            self._show_status("Stopped looking up the connector.")
            self.connector_done.emit()
            return
        if self._is_live(self._list_job):
            self._cancel_list("Cancelled loading the list of sources.")

    # --- jobs --------------------------------------------------------------------------

    def _start_job(self, kind: Any, credential: Credential, argument: int | str | None) -> Job:
        from .fetch_worker import Job

        panel = self.credentials_panel
        job = Job(
            kind=kind,
            credential=credential,
            argument=argument,
            options=self._request_options,
            network=panel.network_settings(),
            renew=credential.kind == "oauth" and credential.can_refresh,
            profile=panel.current_profile,
        )
        return self._controller.start(job)

    def _on_job_succeeded(self, job: Job, outcome: Outcome) -> None:
        if job.kind == "source":
            self._on_source_fetched(job, outcome)
        elif job.kind == "connector":
            self._on_connector_found(job, outcome)
        else:
            self._on_sources_listed(job, outcome)

    def _on_job_failed(self, job: Job, error: InspectorError) -> None:
        if job is self._wait_job():
            self._stop_countdown()
        if job.kind == "source":
            self._on_fetch_failed(job, error)
        elif job.kind == "connector":
            self._on_connector_failed(error)
        else:
            self._on_list_failed(error)

    def _wait_job(self) -> Job | None:
        return self._wait[0] if self._wait is not None else None

    def _on_job_waiting(self, job: Job, notice: WaitNotice) -> None:
        self._wait = (job, notice)
        self._show_countdown()
        self.countdown_timer.start()

    def _show_countdown(self) -> None:
        if self._wait is None:
            self.countdown_timer.stop()
            return
        job, notice = self._wait
        if not self._is_live(job):
            self._stop_countdown()
            return
        from ..core.client import RequestOptions  # already loaded by the worker

        retries = (job.options or RequestOptions()).retries
        text = wait_text(notice, retries)
        if job.kind == "list" and self._picker is not None:
            self._picker.set_waiting(text)
        self._show_status(text)

    def _stop_countdown(self) -> None:
        self._wait = None
        self.countdown_timer.stop()

    def _on_credential_renewed(self, job: Job, credential: OAuthCredential) -> None:
        """A worker renewed the OAuth token: keep the new tokens (the old refresh token is
        void) in the fields and, for a saved profile, in the keychain."""
        self._fetching_secrets = (*self._fetching_secrets, *credential.secrets())
        self.credentials_panel.store_renewed(job.profile, job.credential, credential)
        if self._last_request is not None and self._last_request[0] == job.credential:
            self._last_request = (credential, *self._last_request[1:])

    # --- start-up ----------------------------------------------------------------------

    def _schedule_start_up(self) -> None:
        QTimer.singleShot(self.keychain_delay_ms, self, self._finish_start_up)

    def _finish_start_up(self) -> None:
        if self._closing or self.credentials_panel.started:
            return  # a fetch() already read the keychain; leave the focus where it is
        self.credentials_panel.start()
        if self.credentials_panel.credential() is not None:
            self.source_id_edit.setFocus()
            self._show_status(
                "Type a source ID and press Enter, or pick one with Browse sources… (Ctrl+L)."
            )
        else:
            self.credentials_panel.first_field().setFocus()

    def _update_title(self) -> None:
        credential = self.credentials_panel.credential()
        if credential is None:
            self.setWindowTitle(APP_DISPLAY_NAME)
        else:
            self.setWindowTitle(f"{APP_DISPLAY_NAME} — {self._portal_name(credential)}")

    def _portal_name(self, credential: Credential) -> str:
        if self._demo_credential is not None and credential == self._demo_credential:
            return "Demo portal"
        return sanitize(credential.host, max_len=200)  # typed text: no bidi tricks in titles

    def _on_profile_changed(self) -> None:
        """Another portal: nothing shown or running belongs to it."""
        if self._controller_object is not None:
            self._controller_object.cancel()
        self._stop_countdown()
        self._set_busy(False)
        self.source_tree.source_model.clear()
        self.stale_banner.setVisible(False)
        self.connector_banner.setVisible(False)
        self.limits_label.setVisible(False)
        self._shown_id = self._fetching_id = None
        self._list_cache = None
        self._last_request = None
        self._last_source = self._last_report = self._last_error = None
        name = self.credentials_panel.current_profile
        shown = "the demo portal" if name is None else f"the profile “{sanitize(name)}”"
        note = self.credentials_panel.leave_note
        self._show_status(f"Switched to {shown}." + (f" {note}" if note else ""))
        self._update_title()

    # --- fetch outcomes ----------------------------------------------------------------

    def _on_return_pressed(self) -> None:
        self.fetch()

    def _on_fetch_clicked(self) -> None:
        self.fetch()

    def _end_without_request(self, number: int, message: str, focus: QWidget) -> None:
        self._set_busy(False)
        self._show_status(message)
        focus.setFocus()
        self._emit_done_later(number)

    def _emit_done_later(self, number: int) -> None:
        # Deferred so that a caller can connect after fetch()/cancel() returned, and dropped
        # when a newer fetch started in the meantime (that one will emit).
        QTimer.singleShot(0, self, lambda: self._emit_done_if_current(number))

    def _emit_done_if_current(self, number: int) -> None:
        if number == self._fetch_no and not self.is_fetching:
            self.fetch_done.emit()

    def _on_source_fetched(self, job: Job, outcome: Outcome) -> None:
        source: Source = outcome.result
        source_id = self._fetching_id
        self._stop_countdown()
        self._set_busy(False)
        self.source_tree.show_source(source, self._fetching_secrets)
        self.stale_banner.setVisible(False)
        self.connector_banner.setVisible(False)
        self._shown_id = source_id
        self._last_source = source
        self._last_request_id = outcome.request_id
        if source_id is not None:
            self._remember_id(source_id)  # only IDs that led to a source
        hidden = (
            *self._fetching_secrets,
            *(v for v in source.secrets() if len(v) >= MIN_REDACTED_VALUE),
        )
        title = safe_text(source.connection.title or "", hidden, max_len=120)
        named = f" “{title}”" if title else ""
        count = len(source.settings)
        settings = (
            "no settings"
            if count == 0
            else (
                f"{count} setting{'s' if count != 1 else ''}, values hidden "
                "(select one and press Ctrl+R to reveal it)"
            )
        )
        self._show_status(f"Source {source_id}{named}: {settings}.")
        self._show_limits(source)
        self._fetching_id = None
        if source.connector_id is not None:
            self._connector_job = self._start_job(
                "connector", outcome.credential, source.connector_id
            )
        self.fetch_done.emit()

    def _show_limits(self, source: Source) -> None:
        info = source.time
        if info is None or (info.operating is None and info.operating_reset_at is None):
            self.limits_label.setVisible(False)
            return
        parts = []
        if info.operating is not None:
            parts.append(f"{float(info.operating):.3g} s used")
        if info.operating_reset_at is not None:
            from datetime import datetime  # only when a source is shown: start-up stays lean

            try:
                moment = datetime.fromtimestamp(float(info.operating_reset_at))
                parts.append(f"resets at {moment:%H:%M:%S}")
            except (OverflowError, OSError, ValueError):
                parts.append("reset time out of range")
        self.limits_label.setText("Operating limit: " + ", ".join(parts))
        self.limits_label.setVisible(True)

    def _on_connector_found(self, job: Job, outcome: Outcome) -> None:
        source = self.source_tree.source_model.source
        connector: Connector = outcome.result
        if source is None:
            return
        from ..core.model import compare

        report = compare(source, connector)
        self.source_tree.show_connector(ConnectorState(report))
        if source is self._last_source:
            self._last_report = report
        if report.plain_http_endpoints:
            title = safe_text(report.title, self._fetching_secrets, max_len=120)
            self.connector_banner.setText(
                f"⚠ The connector “{title}” uses plain http:// endpoints: Bitrix24 sends this "
                "source's settings, credentials included, to them unencrypted. See Connector "
                "› Warnings below."
            )
            self.connector_banner.setVisible(True)
        self.connector_done.emit()

    def _on_connector_failed(self, error: InspectorError) -> None:
        self.source_tree.show_connector(ConnectorState(note="could not be looked up"))
        message = safe_text(str(error), self._fetching_secrets, max_len=400)
        self._show_status(
            f"{self.status_line.text()} The connector could not be looked up: {message}"
        )
        self.connector_done.emit()

    def _on_fetch_failed(self, job: Job, error: InspectorError) -> None:
        from ..core.errors import InvalidCredential, Redirected

        source_id = self._fetching_id
        self._set_busy(False)
        self._last_error = error
        new_origin = error.new_origin if isinstance(error, Redirected) else None
        if (
            new_origin
            and self.credentials_panel.current_profile is not None
            and job.credential == self.credentials_panel.credential()
            and self.confirm_move(new_origin)
        ):
            message = self.credentials_panel.move_to(new_origin)
            self.fetch(job.argument)  # replaces this fetch: only the new one emits fetch_done
            self._show_status(f"{message} Fetching source {job.argument} there…")
            return
        # The core's messages are already redacted and sanitised; once more costs nothing.
        self._show_status(safe_text(str(error), self._fetching_secrets))
        model = self.source_tree.source_model
        if model.source is not None:
            model.set_stale(True)
            self.stale_banner.setText(
                f"Stale: the last fetch (source {source_id}) failed. Below is source "
                f"{self._shown_id} from an earlier fetch."
            )
            self.stale_banner.setVisible(True)
        self._fetching_id = None
        if isinstance(error, InvalidCredential):
            self.credentials_panel.first_field().setFocus()
        self.fetch_done.emit()

    def confirm_move(self, new_origin: str) -> bool:
        """Ask before pointing the profile at the portal's new address (tests replace this)."""
        from urllib.parse import urlsplit

        from PySide6.QtWidgets import QMessageBox

        host = sanitize(urlsplit(new_origin).netloc or new_origin, max_len=200)
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Portal moved")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"The portal says it moved to {host}. Update this profile to use it?")
        box.setInformativeText(
            f"Only agree if {host} is your portal's new address: the credential will be sent "
            "there from now on."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _set_busy(self, busy: bool) -> None:
        self.busy_indicator.setVisible(busy)
        self.cancel_button.setEnabled(busy)

    def _show_status(self, text: str) -> None:
        self.status_line.setText(text)

    # --- the source list ---------------------------------------------------------------

    def browse_sources(self) -> SourcePickerDialog | None:
        """Open the source picker (Ctrl+L); the list is loaded once per credential."""
        if self._closing:
            return None
        self.credentials_panel.start()
        credential = self.credentials_panel.credential()
        if credential is None:
            self._show_status(f"No usable credential: {self.credentials_panel.problem}")
            self.credentials_panel.first_field().setFocus()
            return None
        from .source_picker import SourcePickerDialog  # only when first opened (start-up)

        if self._picker is not None:
            self._picker.raise_()
            return self._picker
        picker = SourcePickerDialog(self._portal_name(credential), self)
        picker.chosen.connect(self._on_source_chosen)
        picker.reload_requested.connect(self._load_source_list)
        picker.finished.connect(self._on_picker_finished)
        self._picker = picker
        cached = self._list_cache
        if cached is not None and cached[0] == credential:
            picker.set_sources(cached[1], cached[2])
        else:
            self._load_source_list()
        picker.open()
        return picker

    def _load_source_list(self) -> None:
        credential = self.credentials_panel.credential()
        if credential is None or self._picker is None:
            return
        self._list_cache = None
        self._picker.set_loading()
        self._list_job = self._start_job("list", credential, None)

    def _on_job_progressed(self, job: Job, page: int, count: int) -> None:
        if job is self._list_job and self._picker is not None:
            self._picker.set_loading(page, count)
            self._show_status(f"Listing sources: page {page}, {count} so far…")

    def _on_sources_listed(self, job: Job, outcome: Outcome) -> None:
        sources = list(outcome.result)
        note: str | None = getattr(outcome.result, "stopped_early", None)
        self._list_cache = (job.credential, sources, note)
        if self._stopped_wait_for(job):
            self._stop_countdown()
        if self._picker is not None:
            self._picker.set_sources(sources, note)
        self._show_status(
            f"The portal lists {len(sources)} source{'s' if len(sources) != 1 else ''}."
        )
        self.sources_listed.emit()

    def _stopped_wait_for(self, job: Job) -> bool:
        return self._wait_job() is job

    def _on_list_failed(self, error: InspectorError) -> None:
        text = safe_text(str(error), self._fetching_secrets)
        if self._picker is not None:
            self._picker.set_error(text)
        self._show_status(text)
        self.sources_listed.emit()

    def _cancel_list(self, message: str) -> None:
        if self._is_live(self._list_job):
            self._controller.cancel("list")
            if self._wait_job() is self._list_job:
                self._stop_countdown()
            self._show_status(message)
            self.sources_listed.emit()

    def _on_picker_finished(self) -> None:
        self._cancel_list("Closed the source list before it was loaded.")
        picker, self._picker = self._picker, None
        if picker is not None:
            picker.deleteLater()

    def _on_source_chosen(self, source_id: object) -> None:
        self.fetch(source_id if isinstance(source_id, int | str) else None)

    # --- copy and export ---------------------------------------------------------------

    def copy_curl(self) -> None:
        """Copy a cURL command repeating the last request, the secret left to a variable."""
        if self._last_request is None:
            self._show_status("Nothing to copy yet: fetch a source first.")
            return
        from ..core.errors import InspectorError
        from ..core.export import ACCESS_TOKEN_VAR, WEBHOOK_CODE_VAR, curl_command

        credential, method, params = self._last_request
        try:
            command = curl_command(credential, method, params)
        except InspectorError as exc:
            self._show_status(str(exc))
            return
        QGuiApplication.clipboard().setText(command)
        variable = WEBHOOK_CODE_VAR if credential.kind == "webhook" else ACCESS_TOKEN_VAR
        self._show_status(
            f"Copied a cURL command for {method}. The secret is not in it: set the "
            f"{variable} variable before running it."
        )

    def ask_bundle_path(self, suggested: str) -> str | None:
        """Ask where to save the support bundle (tests replace this); None: cancelled."""
        from PySide6.QtCore import QStandardPaths
        from PySide6.QtWidgets import QFileDialog

        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getSaveFileName(
            self,
            "Export support bundle",
            os.path.join(folder, suggested) if folder else suggested,
            "Support bundle (*.json)",
        )
        return path or None

    def export_support_bundle(self, path: str | None = None) -> str | None:
        """Save a support bundle of the last request to *path* (asked if None).

        Returns the path written, or None. The bundle holds no secret (``core.export``).
        """
        if isinstance(path, bool):  # QAction.triggered passes "checked"
            path = None
        if self._last_request is None:
            self._show_status("Nothing to export yet: fetch a source first.")
            return None
        from ..core.errors import InspectorError
        from ..core.export import bundle_file_name, support_bundle

        credential, method, params = self._last_request
        try:
            text = support_bundle(
                credential=credential,
                method=method,
                params=params,
                source=self._last_source,
                report=self._last_report,
                error=self._last_error,
                request_id=self._last_request_id,
                network=self._network_facts(),
            )
        except InspectorError as exc:
            self._show_status(str(exc))
            return None
        if path is None:
            path = self.ask_bundle_path(bundle_file_name())
            if not path:
                return None
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            self._show_status(f"Could not save the support bundle: {reason}.")
            return None
        self._show_status(
            f"Saved the support bundle as {os.path.basename(path)}: the request, the masked "
            "answer or the error, and no secret."
        )
        return path

    def _network_facts(self) -> dict[str, Any]:
        network = self.credentials_panel.network_settings()
        return {
            "proxy": "set in the profile" if network.proxy else "from the environment/system",
            "extraCaFile": bool(network.extra_ca_file),
        }

    # --- dialogs -----------------------------------------------------------------------

    def edit_network_settings(self) -> None:
        """Open the network settings of the current profile (proxy, extra CA file)."""
        from .network_dialog import NetworkDialog  # only when first opened (start-up)

        panel = self.credentials_panel
        profile = panel.profile()
        name = profile.name or "demo portal"
        dialog = NetworkDialog(sanitize(name), profile.proxy, profile.ca_file, self)
        dialog.accepted.connect(lambda: self._apply_network(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.network_dialog = dialog
        dialog.open()

    def _apply_network(self, dialog: Any) -> None:
        from ..core.errors import InspectorError
        from ..core.network import check_proxy

        panel = self.credentials_panel
        if dialog.proxy_unchanged:
            proxy = panel.network_settings().proxy
        else:
            try:
                proxy = check_proxy(dialog.proxy_text)
            except InspectorError as exc:
                self._show_status(str(exc))
                return
        self._show_status(panel.set_network(proxy, dialog.ca_file or None))
        self._list_cache = None

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from .. import __version__

        panel = self.credentials_panel
        panel.start()
        backend = panel.backend_name or "the system keychain"
        box = QMessageBox(self)
        box.setWindowTitle(f"About {APP_DISPLAY_NAME}")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"{APP_DISPLAY_NAME} {__version__}")
        box.setInformativeText(
            "Shows what a Bitrix24 BI Builder data source holds, with every setting value "
            "masked until you reveal it.\n\n"
            f"Secrets (webhook URLs, access and refresh tokens, client secrets, proxy "
            f"passwords) are kept in {backend}, service “b24-inspector”, one entry per "
            "profile. Profile names, portal hosts, proxies without passwords, CA file paths "
            f"and recent source IDs are kept in {self._settings.fileName()}. Setting values "
            "are never stored."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.finished.connect(box.deleteLater)
        self.about_box = box
        box.open()

    # --- recent IDs --------------------------------------------------------------------

    def recent_ids(self) -> list[int]:
        raw = self._settings.value(RECENT_IDS_KEY, "")
        items = raw if isinstance(raw, list) else str(raw or "").split(",")
        ids: list[int] = []
        for item in items:
            # Written by this window; checked like parse_source_id, without importing it.
            text = str(item).strip()
            if not (text.isascii() and text.isdigit() and len(text) <= 10):
                continue
            value = int(text)
            if 0 < value <= MAX_SOURCE_ID and value not in ids:
                ids.append(value)
        return ids[:MAX_RECENT_IDS]

    def _load_recent_ids(self) -> None:
        text = self.source_id_edit.text()
        self.source_id_combo.blockSignals(True)
        try:
            self.source_id_combo.clear()
            self.source_id_combo.addItems([str(i) for i in self.recent_ids()])
            self.source_id_combo.setCurrentIndex(-1)
        finally:
            self.source_id_combo.blockSignals(False)
        self.source_id_edit.setText(text)

    def _remember_id(self, source_id: int) -> None:
        ids = [source_id, *(i for i in self.recent_ids() if i != source_id)]
        self._settings.setValue(RECENT_IDS_KEY, ",".join(str(i) for i in ids[:MAX_RECENT_IDS]))
        self._settings.sync()
        self._load_recent_ids()

    # --- closing -----------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closing = True
        self._stop_countdown()
        # Cancel, stop accepting results, and wait (bounded) for the worker threads; a
        # token renewed meanwhile is still saved.
        if self._controller_object is not None:
            self._controller_object.shutdown(self.close_wait_ms)
        self._settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self._settings.sync()
        super().closeEvent(event)
