"""Check endpoints…: the window's face of the endpoint check (``core.endpoint_check``).

Opened from the Source menu or the button above the tree when a source and its connector
are shown. It asks before anything is sent (the check forwards the source's settings to
the connector's host): once per source and session, with a stronger warning for plain
``http://`` endpoints off this machine. Each step appears as it ends: result, HTTP status,
time, and below the table the selected step's URL, requirement, what came back and a
masked excerpt. The data preview shows the rows ``urlData`` returned, unmasked (they are
the data asked for), headed by the column types from the description. When a run ends its
masked results go to the window's last request, so the support bundle includes them.

Every text here is built by the core, already masked and sanitised, and shown as plain
text; only the preview's cells hold endpoint data as it came.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QThread
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.endpoint_check import (
    STEP_KEYS,
    CheckReport,
    StepResult,
    StepStatus,
    confirmation_text,
    endpoint_hosts,
    remote_plain_http,
)
from ..core.errors import Cancelled, InspectorError
from ..core.masking import safe_text, sanitize
from ..i18n import _, ngettext
from .check_worker import CheckWorker, start_check
from .widgets import plain_label

if TYPE_CHECKING:
    from ..core.connector import Connector
    from ..core.model import Source
    from ..core.options import RequestOptions

Confirm = Callable[[str, bool], bool]
"""``confirm(text, strong)``: ask before sending; *strong* for remote plain http."""

_CONFIRMED: set[tuple[str, str, tuple[str, ...]]] = set()
"""(portal host, source id, endpoint hosts) the user agreed to send to, this session."""


def forget_confirmations() -> None:
    """Ask again before the next check of every source (tests; a new session)."""
    _CONFIRMED.clear()


_VERDICTS = {
    StepStatus.PASSED: "✔ ",
    StepStatus.FAILED: "✘ ",
    StepStatus.SKIPPED: "– ",
}
_CLOSE_WAIT_MS = 3000


def ask_with_box(parent: QWidget) -> Confirm:
    def confirm(text: str, strong: bool) -> bool:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning if strong else QMessageBox.Icon.Question)
        box.setWindowTitle(_("Check endpoints"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(text)
        send = box.addButton(_("&Send and check"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(_("Do&n't send"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(QMessageBox.StandardButton.NoButton)
        box.exec()
        return box.clickedButton() is send

    return confirm


class CheckDialog(QDialog):
    """The check of one source against its connector; run, cancel, read, close."""

    def __init__(
        self,
        source: Source,
        connector: Connector,
        options: RequestOptions,
        *,
        portal_host: str,
        on_report: Callable[[CheckReport], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("checkDialog")
        self.setWindowTitle(_("Check endpoints"))
        self.resize(860, 560)
        self.source = source
        self.connector = connector
        self.options = options
        self.confirm: Confirm = ask_with_box(self)
        """Asks before sending; tests replace it."""
        self.report: CheckReport | None = None
        self._portal_host = portal_host
        self._on_report = on_report
        self._number = 0
        self._active: dict[int, tuple[QThread, CheckWorker]] = {}  # run number -> its thread
        self._steps: list[StepResult] = []
        self._build()

    # --- layout ------------------------------------------------------------------------

    def _build(self) -> None:
        title = sanitize(self.source.connection.title or "", max_len=120)
        hosts = ", ".join(endpoint_hosts(self.connector))
        self.heading = plain_label(
            _("Source {id} “{title}”: its connector's endpoints on {hosts}").format(
                id=self.source.connection.id, title=title, hosts=hosts
            ),
            self,
        )
        self.table_edit = QLineEdit(self)
        self.table_edit.setObjectName("checkTableEdit")
        self.table_edit.setPlaceholderText(_("the first table the list gives"))
        self.table_edit.setAccessibleName(_("Table to check"))
        form = QFormLayout()
        table_label = plain_label(_("&Table:"), self, wrap=False)
        table_label.setTextFormat(Qt.TextFormat.AutoText)  # the mnemonic needs it; no data
        table_label.setBuddy(self.table_edit)
        form.addRow(table_label, self.table_edit)

        self.steps_table = QTableWidget(len(STEP_KEYS), 5, self)
        self.steps_table.setObjectName("checkSteps")
        self.steps_table.setAccessibleName(_("Steps"))
        self.steps_table.setHorizontalHeaderLabels(
            [_("Endpoint"), _("Result"), _("HTTP"), _("Time"), _("What came back")]
        )
        self.steps_table.verticalHeader().setVisible(False)
        self.steps_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.steps_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.steps_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.steps_table.horizontalHeader()
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for row, key in enumerate(STEP_KEYS):
            self.steps_table.setItem(row, 0, QTableWidgetItem(key))
        self.steps_table.itemSelectionChanged.connect(self._show_details)
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("checkDetails")
        self.details.setAccessibleName(_("Step details"))
        self.details.setReadOnly(True)
        self.details.setPlaceholderText(_("Select a step to see its details."))
        steps_page = QWidget(self)
        steps_layout = QVBoxLayout(steps_page)
        steps_layout.addWidget(self.steps_table, 2)
        steps_layout.addWidget(self.details, 1)

        self.preview_table = QTableWidget(0, 0, self)
        self.preview_table.setObjectName("dataPreview")
        self.preview_table.setAccessibleName(_("Data preview"))
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(steps_page, _("&Steps"))
        self.tabs.addTab(self.preview_table, _("&Data preview"))

        self.status_label = plain_label(_("Press Run check to start."), self)
        self.status_label.setObjectName("checkStatus")
        self.status_label.setAccessibleName(_("Check status"))

        buttons = QDialogButtonBox(self)
        self.run_button = QPushButton(_("&Run check"), self)
        self.run_button.setObjectName("runCheckButton")
        self.cancel_button = QPushButton(_("&Cancel"), self)
        self.cancel_button.setObjectName("cancelCheckButton")
        self.cancel_button.setEnabled(False)
        self.close_button = QPushButton(_("C&lose"), self)
        buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.run_button.clicked.connect(self.run_check)
        self.cancel_button.clicked.connect(self.cancel_check)
        self.close_button.clicked.connect(self.close)
        self.run_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(buttons)

    # --- running -----------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        """A run is under way (a cancelled one no longer counts)."""
        return self._number in self._active

    @property
    def threads_running(self) -> int:
        """Threads of this dialog not ended yet, cancelled runs included."""
        return len(self._active)

    def run_check(self) -> bool:
        """Ask if not asked yet for this source, then start; False when nothing was sent."""
        if self.is_running:
            return False
        key = (
            self._portal_host,
            str(self.source.connection.id),
            tuple(endpoint_hosts(self.connector)),
        )
        if key not in _CONFIRMED:
            text = confirmation_text(self.source, self.connector)
            if not self.confirm(text, remote_plain_http(self.connector)):
                self.status_label.setText(_("Nothing was sent."))
                return False
            _CONFIRMED.add(key)
        self._number += 1
        self._clear()
        table = self.table_edit.text().strip() or None
        worker = CheckWorker(self._number, self.source, self.connector, self.options, table)
        worker.stepped.connect(self._on_stepped)
        worker.succeeded.connect(self._on_succeeded)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(self._on_finished)
        self._active[self._number] = (start_check(worker), worker)
        self._set_running(True)
        self.status_label.setText(_("Checking {endpoint}…").format(endpoint=STEP_KEYS[0]))
        return True

    def cancel_check(self) -> None:
        """Stop the run now: the socket is shut down, and its results are ignored."""
        running = self._active.get(self._number)
        if running is None:
            return
        running[1].cancel_event.set()
        self._number += 1  # whatever the cancelled run still says is dropped
        self._set_running(False)
        self.status_label.setText(_("Cancelled. Steps not shown were not checked."))

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.table_edit.setEnabled(not running)
        if running:
            self.cancel_button.setFocus()

    def _clear(self) -> None:
        self.report = None
        self._steps = []
        for row in range(len(STEP_KEYS)):
            for column in range(1, 5):
                self.steps_table.setItem(row, column, QTableWidgetItem(""))
        self.details.clear()
        self.preview_table.clear()
        self.preview_table.setRowCount(0)
        self.preview_table.setColumnCount(0)

    def _on_stepped(self, number: int, step: StepResult) -> None:
        if number != self._number:
            return
        self._steps.append(step)
        row = STEP_KEYS.index(step.key)
        verdict = {
            StepStatus.PASSED: _("passed"),
            StepStatus.FAILED: _("failed"),
            StepStatus.SKIPPED: _("skipped"),
        }[step.status]
        cells = [
            _VERDICTS[step.status] + verdict,
            "" if step.http_status is None else str(step.http_status),
            "" if step.seconds is None else _("{ms} ms").format(ms=round(step.seconds * 1000)),
            step.found or step.reason or "; ".join(step.notes) or _("as required"),
        ]
        for column, text in enumerate(cells, 1):
            self.steps_table.setItem(row, column, QTableWidgetItem(text))
        if step.status is StepStatus.FAILED or not self.steps_table.selectedItems():
            self.steps_table.selectRow(row)
        following = row + 1
        if following < len(STEP_KEYS) and step.status is StepStatus.PASSED:
            self.status_label.setText(
                _("Checking {endpoint}…").format(endpoint=STEP_KEYS[following])
            )

    def _show_details(self) -> None:
        rows = {index.row() for index in self.steps_table.selectedIndexes()}
        step = next((s for s in self._steps if STEP_KEYS.index(s.key) in rows), None)
        if step is None:
            self.details.clear()
            return
        lines = [_("Address: {url}").format(url=step.url), ""]
        lines.append(_("Required: {text}").format(text=step.required))
        if step.found:
            lines.append(_("Found instead: {text}").format(text=step.found))
        if step.reason:
            lines.append(step.reason)
        lines.extend(_("Note: {text}").format(text=note) for note in step.notes)
        if step.excerpt:
            lines += ["", _("Start of the answer:"), step.excerpt]
        self.details.setPlainText("\n".join(lines))

    def _on_succeeded(self, number: int, report: CheckReport) -> None:
        if number != self._number:
            return
        self.report = report
        failed = sum(1 for s in report.steps if s.status is StepStatus.FAILED)
        if report.passed:
            self.status_label.setText(_("Every step passed."))
        else:
            self.status_label.setText(
                ngettext(
                    "{n} step failed: select it to see what was required and what came back.",
                    "{n} steps failed: select one to see what was required and what came back.",
                    failed,
                ).format(n=failed)
            )
        self._show_preview(report)
        if self._on_report is not None:
            self._on_report(report)

    def _show_preview(self, report: CheckReport) -> None:
        preview = report.preview
        if preview is None:
            return
        self.preview_table.setColumnCount(len(preview.columns))
        self.preview_table.setRowCount(len(preview.rows))
        for column, described in enumerate(preview.columns):
            header = QTableWidgetItem(f"{described.code} ({described.type})")
            header.setToolTip(
                _("{name}: {type}").format(
                    name=sanitize(described.name, max_len=120), type=described.type
                )
            )
            self.preview_table.setHorizontalHeaderItem(column, header)
        for row, values in enumerate(preview.rows):
            for column, value in enumerate(values):
                text = "" if value is None else sanitize(str(value), max_len=500)
                self.preview_table.setItem(row, column, QTableWidgetItem(text))
        self.preview_table.resizeColumnsToContents()

    def _on_failed(self, number: int, error: InspectorError) -> None:
        if number != self._number or isinstance(error, Cancelled):
            return
        secrets = self.source.secrets()
        self.status_label.setText(safe_text(error.message, secrets, max_len=400))

    def _on_finished(self, number: int) -> None:
        self._active.pop(number, None)
        if number == self._number:
            self._set_running(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel_check()
        for thread, _worker in list(self._active.values()):
            thread.wait(_CLOSE_WAIT_MS)
        super().closeEvent(event)


# --- the window's entry point ----------------------------------------------------------


def open_check(window: Any) -> CheckDialog | None:
    """Open the check of the shown source (replacing an earlier dialog); None if none."""
    record = window.last_request
    shown = record.checkable() if record is not None else None
    if shown is None:
        return None
    source, connector = shown
    network = window.credentials_panel.network_settings()
    options = dataclasses.replace(
        window.request_options,
        proxy=network.proxy or window.request_options.proxy,
        extra_ca_file=network.extra_ca_file or window.request_options.extra_ca_file,
    )

    def keep_for_bundle(report: CheckReport) -> None:
        if window.last_request is record:  # still the same source on show
            record.endpoint_check = report.to_json()

    earlier = getattr(window, "check_dialog", None)
    if earlier is not None:
        earlier.close()
    dialog = CheckDialog(
        source,
        connector,
        options,
        portal_host=record.credential.host,
        on_report=keep_for_bundle,
        parent=window,
    )
    window.check_dialog = dialog
    dialog.show()
    return dialog
