"""The main window: composes the credentials panel, the ID row, the tree and the status line.

It holds no business logic of its own: the credential comes from ``CredentialsPanel``,
requests run through ``FetchController`` on worker threads, and the result is shown by
``SourceTreeView``. What it decides is the order of things: validate the input before any
request, show one status sentence per outcome, mark the last result stale when a fetch
fails, and emit ``fetch_done`` once when a fetch has ended.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QRegularExpression, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QRegularExpressionValidator, QShortcut
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
from ..core.errors import InspectorError, InvalidCredential, InvalidSourceId, parse_source_id
from ..core.masking import safe_text, sanitize
from .credentials_panel import WEBHOOK_ENV, CredentialsPanel, Origin, plain_label
from .fetch_worker import FetchController
from .source_tree import MIN_REDACTED_VALUE, SourceTreeView

if TYPE_CHECKING:
    from ..core.client import RequestOptions
    from ..core.credentials import Credential
    from ..core.keychain import CredentialStore
    from ..core.model import Source
    from ..demo.portal import DemoPortal

RECENT_IDS_KEY = "recent/sourceIds"
GEOMETRY_KEY = "window/geometry"
MAX_RECENT_IDS = 10
# The ID field accepts what biconnector.source.get accepts: a positive integer (or nothing
# yet). parse_source_id still checks the upper bound before any request.
SOURCE_ID_PATTERN = QRegularExpression("(?:[1-9][0-9]{0,9})?")


class MainWindow(QMainWindow):
    """Bitrix24 BI Source Inspector's window.

    ``store``: where credentials are saved (default: the system keychain, opened lazily).
    ``settings``: where recent IDs and the window geometry go (default: ``QSettings()``).
    ``demo``: a running demo portal whose webhook is used for this session, never saved.
    """

    fetch_done = Signal()
    """Emitted once when a fetch has ended: shown, failed, rejected or cancelled.

    A fetch replaced by a newer one before it ended does not emit it; the newer one does.
    It is always emitted after ``fetch()`` has returned, never from inside it.
    """

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
        self._fetching_id: int | None = None
        self._fetching_secrets: tuple[str, ...] = ()
        self._shown_id: int | None = None
        self._closing = False

        self._controller = FetchController(self)
        self._controller.succeeded.connect(self._on_fetch_succeeded)
        self._controller.failed.connect(self._on_fetch_failed)
        self._controller.retrying.connect(self._on_fetch_retrying)

        self._build(store)
        self._load_recent_ids()
        geometry = self._settings.value(GEOMETRY_KEY)
        if geometry:
            self.restoreGeometry(geometry)
        else:
            self.resize(900, 680)

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

        self.credentials_panel = CredentialsPanel(store, central)
        self.credentials_panel.credential_changed.connect(self._update_title)

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
        self.cancel_button = QPushButton("Cancel", central)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAccessibleName("Cancel fetch")
        self.cancel_button.setToolTip("Cancel the running fetch (Esc)")
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

        self.source_tree = SourceTreeView(central)
        self.source_tree.message.connect(self._show_status)

        self.status_line = plain_label("", central)
        self.status_line.setObjectName("statusLine")
        self.status_line.setAccessibleName("Status")
        self.status_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(central)
        layout.addWidget(self.credentials_panel)
        layout.addLayout(id_row)
        layout.addWidget(self.stale_banner)
        layout.addWidget(self.source_tree, 1)
        layout.addWidget(self.status_line)

        # The editable combo takes the focus for its line edit.
        QWidget.setTabOrder(self.credentials_panel.forget_button, self.source_id_combo)
        QWidget.setTabOrder(self.source_id_combo, self.fetch_button)
        QWidget.setTabOrder(self.fetch_button, self.cancel_button)
        QWidget.setTabOrder(self.cancel_button, self.source_tree)

        self.cancel_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self.cancel_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.cancel_shortcut.activated.connect(self.cancel)

        self._show_status("Enter a credential and a source ID, then press Enter.")

    # --- public surface ----------------------------------------------------------------

    @property
    def request_options(self) -> RequestOptions:
        """Timeouts and retries for the next request."""
        if self._request_options is None:
            from ..core.client import RequestOptions  # httpx: imported when first needed

            self._request_options = RequestOptions()
        return self._request_options

    @request_options.setter
    def request_options(self, options: RequestOptions) -> None:
        self._request_options = options

    @property
    def is_fetching(self) -> bool:
        return self._controller.busy

    def fetch(self, source_id: int | str | None = None) -> None:
        """Fetch a source: *source_id*, or the ID typed in the field.

        Replaces any running fetch. Invalid input (bad ID, no credential) is reported in the
        status line without a request.
        """
        if self._closing:
            return
        if source_id is not None:
            self.source_id_edit.setText(str(source_id))
        text = str(source_id) if source_id is not None else self.source_id_edit.text()
        self._controller.cancel()
        self._fetch_no += 1
        number = self._fetch_no
        self._fetching_id = None
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
        self._controller.start(credential, parsed_id, self._request_options)
        self._set_busy(True)
        self._show_status(f"Fetching source {parsed_id} from {self._portal_name(credential)}…")

    def cancel(self) -> None:
        """Cancel the running fetch; its result is dropped. The shown result stays."""
        if not self._controller.cancel():
            return
        self._set_busy(False)
        self._show_status(f"Cancelled the fetch of source {self._fetching_id}.")
        self._fetching_id = None
        self._emit_done_later(self._fetch_no)

    # --- start-up ----------------------------------------------------------------------

    def _schedule_start_up(self) -> None:
        QTimer.singleShot(self.keychain_delay_ms, self, self._finish_start_up)

    def _finish_start_up(self) -> None:
        if self._closing or self.credentials_panel.started:
            return  # a fetch() already read the keychain; leave the focus where it is
        self.credentials_panel.start()
        if self.credentials_panel.credential() is not None:
            self.source_id_edit.setFocus()
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
        if number == self._fetch_no and not self._controller.busy:
            self.fetch_done.emit()

    def _on_fetch_succeeded(self, source: Source) -> None:
        source_id = self._fetching_id
        self._set_busy(False)
        self.source_tree.show_source(source, self._fetching_secrets)
        self.stale_banner.setVisible(False)
        self._shown_id = source_id
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
        self._fetching_id = None
        self.fetch_done.emit()

    def _on_fetch_failed(self, error: InspectorError) -> None:
        source_id = self._fetching_id
        self._set_busy(False)
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

    def _on_fetch_retrying(self, attempt: int, delay: float) -> None:
        self._show_status(f"Portal is rate-limiting; retry {attempt} in {delay:g} s…")

    def _set_busy(self, busy: bool) -> None:
        self.busy_indicator.setVisible(busy)
        self.cancel_button.setEnabled(busy)

    def _show_status(self, text: str) -> None:
        self.status_line.setText(text)

    # --- recent IDs --------------------------------------------------------------------

    def recent_ids(self) -> list[int]:
        raw = self._settings.value(RECENT_IDS_KEY, "")
        items = raw if isinstance(raw, list) else str(raw or "").split(",")
        ids: list[int] = []
        for item in items:
            try:
                value = parse_source_id(str(item))
            except InvalidSourceId:
                continue
            if value not in ids:
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
        # Cancel, stop accepting results, and wait (bounded) for the worker threads.
        self._controller.shutdown(self.close_wait_ms)
        self._settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self._settings.sync()
        super().closeEvent(event)
