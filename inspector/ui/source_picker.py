"""The source picker: ``biconnector.source.list`` as a searchable table; choosing one fetches it.

Imported when the picker is first opened (Ctrl+L), not at start-up. The window loads the
list on its worker thread and feeds this dialog: progress per page, the sources, or an
error. The table never holds a setting value: the list request does not ask for them, and
``SourceSummary`` drops them even if a portal sends them. Every text is sanitised server
text, shown as plain text (the default delegate draws ``DisplayRole`` as plain text).

The search field filters on every word (id, title, type, code, description, connector:
``SourceSummary.matches``). Enter or a double-click on a row, or the Fetch button,
chooses it; Enter in the search field chooses the selected (or only) row.

``SourceListLoader`` is the window's side of it: it opens the dialog, loads the list once
per credential through the window's request runner (``SourceRequests``: one request at a
time, waits counted down), keeps it for the session, and hands a chosen ID to the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core.explanations import EMPTY_SOURCE_LIST
from ..core.masking import safe_text, sanitize
from ..i18n import N_, _, ngettext
from .widgets import LiveLabel

if TYPE_CHECKING:
    from ..core.credentials import Credential
    from ..core.errors import InspectorError
    from ..core.model import SourceSummary
    from .credentials_panel import CredentialsPanel
    from .fetch_worker import Job, Outcome
    from .source_requests import SourceRequests

ModelIndex = QModelIndex | QPersistentModelIndex

COLUMNS = (N_("ID"), N_("Title"), N_("Type"), N_("Active"), N_("Connector"))
SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return sanitize(str(value), max_len=300)


class SourceListModel(QAbstractTableModel):
    """The listed sources; every text is computed (and sanitised) when the list is set."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sources: list[SourceSummary] = []
        self._texts: list[tuple[str, ...]] = []

    def set_sources(self, sources: Sequence[SourceSummary]) -> None:
        self.beginResetModel()
        self._sources = list(sources)
        self._texts = [
            (
                _cell(s.id),
                _cell(s.title),
                _cell(s.type),
                _cell(s.active),
                _cell(s.connector_id),
            )
            for s in self._sources
        ]
        self.endResetModel()

    def summary(self, row: int) -> SourceSummary:
        return self._sources[row]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._sources)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._sources):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            description = self._sources[index.row()].description
            return sanitize(description, max_len=500) if description else None
        if role == SORT_ROLE:
            value = self._sources[index.row()].id if index.column() == 0 else None
            if isinstance(value, int):
                return value
            return self._texts[index.row()][index.column()].casefold()
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return _(COLUMNS[section])
        return None


class SourceFilter(QSortFilterProxyModel):
    """Keeps the rows whose source ``matches`` every word of the search text."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        # endFilterChange: Qt 6.10+, where invalidateRowsFilter is deprecated. (6.9, which
        # the Windows build ships, has beginFilterChange already, but not its end.)
        if hasattr(self, "endFilterChange"):
            self.beginFilterChange()
            self._text = text
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self._text = text
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, SourceListModel):
            return True
        return model.summary(source_row).matches(self._text)

    def lessThan(self, left: ModelIndex, right: ModelIndex) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if type(a) is not type(b):  # numeric ids sort before text ones
            return isinstance(a, int)
        return bool(a < b)


class _SearchEdit(QLineEdit):
    """Arrow keys move through the table while the search field keeps the focus."""

    def __init__(self, table: QTableView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._table = table

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            self._table.keyPressEvent(event)
            return
        super().keyPressEvent(event)


class SourcePickerDialog(QDialog):
    """Pick a source from the portal's list; ``chosen`` carries its id."""

    chosen = Signal(object)  # the source id (int, or the portal's text id)
    reload_requested = Signal()

    def __init__(self, portal_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourcePicker")
        self.setWindowTitle(_("Sources on {portal}").format(portal=portal_name))
        self.resize(760, 480)
        self.model = SourceListModel(self)
        self.filter = SourceFilter(self)
        self.filter.setSourceModel(self.model)

        self.table = QTableView(self)
        self.table.setObjectName("sourceTable")
        self.table.setAccessibleName(_("Sources"))
        self.table.setModel(self.filter)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # Enter on a row, or a double-click (a single click where the platform says so).
        self.table.activated.connect(self._on_activated)
        self._done = False

        self.search_edit = _SearchEdit(self.table, self)
        self.search_edit.setObjectName("sourceSearchEdit")
        self.search_edit.setAccessibleName(_("Search sources"))
        self.search_edit.setPlaceholderText(_("Search by ID, title, type, code or connector…"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._on_search)
        self.search_edit.returnPressed.connect(self.choose_current)

        self.status_label = LiveLabel(_("Source list status"), self)
        self.status_label.setObjectName("pickerStatus")

        buttons = QDialogButtonBox(self)
        self.fetch_button = QPushButton(_("&Fetch"), self)
        self.fetch_button.setObjectName("pickerFetchButton")
        self.fetch_button.setToolTip(_("Fetch the selected source (Enter)"))
        self.fetch_button.setEnabled(False)
        self.reload_button = QPushButton(_("&Reload"), self)
        self.reload_button.setObjectName("pickerReloadButton")
        self.reload_button.setToolTip(_("Ask the portal for the list again"))
        buttons.addButton(self.fetch_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.reload_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.fetch_button.clicked.connect(self.choose_current)
        self.reload_button.clicked.connect(self.reload_requested)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(buttons)
        self.table.selectionModel().currentRowChanged.connect(self._update_fetch_button)
        self.search_edit.setFocus()

    # --- fed by the window -------------------------------------------------------------

    def set_loading(self, page: int = 0, count: int = 0) -> None:
        self.reload_button.setEnabled(False)
        if page == 0:
            self.status_label.setText(_("Loading the list of sources…"))
        else:
            self.status_label.setText(
                ngettext(
                    "Loading the list of sources: page {page} read, {count} source so far…",
                    "Loading the list of sources: page {page} read, {count} sources so far…",
                    count,
                ).format(page=page, count=count)
            )

    def set_waiting(self, text: str) -> None:
        self.status_label.setText(text)

    def set_sources(self, sources: Sequence[SourceSummary], note: str | None = None) -> None:
        self.reload_button.setEnabled(True)
        self.model.set_sources(sources)
        self._on_search(self.search_edit.text())
        if note:
            self.status_label.setText(f"{self.status_label.text()} {sanitize(note)}")

    def set_error(self, text: str) -> None:
        self.reload_button.setEnabled(True)
        self.status_label.setText(text)

    # --- choosing ----------------------------------------------------------------------

    def _on_search(self, text: str) -> None:
        self.filter.set_text(text)
        shown, total = self.filter.rowCount(), self.model.rowCount()
        if total == 0:
            # An empty list is the ownership rule at work far more often than no sources.
            self.status_label.setText(f"{EMPTY_SOURCE_LIST.message} {EMPTY_SOURCE_LIST.hint}")
        elif shown == total:
            self.status_label.setText(
                ngettext(
                    "{count} source. Type to search; Enter fetches the selected one.",
                    "{count} sources. Type to search; Enter fetches the selected one.",
                    total,
                ).format(count=total)
            )
        else:
            self.status_label.setText(
                ngettext(
                    "{shown} of {total} source match.", "{shown} of {total} sources match.", total
                ).format(shown=shown, total=total)
            )
        current = self.table.currentIndex()
        if (not current.isValid() or not self.table.selectionModel().isSelected(current)) and shown:
            self.table.selectRow(0)
        self._update_fetch_button()

    def _update_fetch_button(self) -> None:
        self.fetch_button.setEnabled(self._current_row() is not None)

    def _current_row(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid():
            if self.filter.rowCount() == 1:
                index = self.filter.index(0, 0)
            else:
                return None
        return self.filter.mapToSource(index).row()

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.table.setCurrentIndex(index)
            self.choose_current()

    def choose_current(self) -> None:
        row = self._current_row()
        if row is None or self._done:  # Enter reaches both the field and the default button
            return
        self._done = True
        self.chosen.emit(self.model.summary(row).id)
        self.accept()


class PickerView(Protocol):
    """What ``SourceListLoader`` needs from the window."""

    @property
    def credentials_panel(self) -> CredentialsPanel: ...
    @property
    def status_line(self) -> QLabel: ...

    def portal_name(self, credential: Credential) -> str: ...

    def fetch(self, source_id: int | str | None = None) -> None: ...


class SourceListLoader(QObject):
    """Opens the picker and feeds it the portal's list, loaded once per credential."""

    listed = Signal()
    """Loading the list has ended (listed, failed or cancelled)."""

    def __init__(self, requests: SourceRequests, view: PickerView, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self._requests = requests
        self._view = view
        self._dialog_parent = dialog_parent
        self.picker: SourcePickerDialog | None = None
        """The open picker, if any."""
        self._job: Job | None = None
        self._cache: tuple[Credential, list[SourceSummary], str | None] | None = None
        # Connected after SourceRequests' own handlers: a failed wait is stopped first.
        requests.jobs.succeeded.connect(self._on_job_succeeded)
        requests.jobs.failed.connect(self._on_job_failed)
        requests.jobs.progressed.connect(self._on_job_progressed)
        requests.countdown_ticked.connect(self._on_countdown)

    def browse(self) -> SourcePickerDialog | None:
        """Open the picker (or raise the open one); None without a usable credential."""
        panel = self._view.credentials_panel
        panel.start()
        credential = panel.credential()
        if credential is None:
            self._show_status(_("No usable credential: {problem}").format(problem=panel.problem))
            panel.first_field().setFocus()
            return None
        if self.picker is not None:
            self.picker.raise_()
            return self.picker
        picker = SourcePickerDialog(self._view.portal_name(credential), self._dialog_parent)
        picker.chosen.connect(self._on_chosen)
        picker.reload_requested.connect(self.reload)
        picker.finished.connect(self._on_picker_finished)
        self.picker = picker
        cached = self._cache
        if cached is not None and cached[0] == credential:
            picker.set_sources(cached[1], cached[2])
        else:
            self.reload()
        picker.open()
        return picker

    def reload(self) -> None:
        """Ask the portal for the list again (the open picker shows the progress)."""
        credential = self._view.credentials_panel.credential()
        if credential is None or self.picker is None:
            return
        self._cache = None
        self.picker.set_loading()
        self._job = self._requests.start_job("list", credential, None)

    def forget(self) -> None:
        """Another portal or network: the kept list no longer applies."""
        self._cache = None

    def cancel(self, message: str | None = None) -> bool:
        """Stop loading the list; False if it was not loading."""
        if not self._requests.is_live(self._job):
            return False
        self._requests.jobs.cancel("list")
        self._requests.stop_countdown(self._job)
        self._show_status(message or _("Cancelled loading the list of sources."))
        self.listed.emit()
        return True

    def _show_status(self, text: str) -> None:
        self._view.status_line.setText(text)

    def _on_job_progressed(self, job: Job, page: int, count: int) -> None:
        if job is self._job and self.picker is not None:
            self.picker.set_loading(page, count)
            self._show_status(
                _("Listing sources: page {page}, {count} so far…").format(page=page, count=count)
            )

    def _on_countdown(self, job: Job, text: str) -> None:
        if job.kind == "list" and self.picker is not None:
            self.picker.set_waiting(text)

    def _on_job_succeeded(self, job: Job, outcome: Outcome) -> None:
        if job.kind != "list":
            return
        sources = list(outcome.result)
        note: str | None = getattr(outcome.result, "stopped_early", None)
        self._cache = (job.credential, sources, note)
        self._requests.stop_countdown(job)
        if self.picker is not None:
            self.picker.set_sources(sources, note)
        self._show_status(
            ngettext(
                "The portal lists {count} source.",
                "The portal lists {count} sources.",
                len(sources),
            ).format(count=len(sources))
        )
        self.listed.emit()

    def _on_job_failed(self, job: Job, error: InspectorError) -> None:
        if job.kind != "list":
            return
        text = safe_text(str(error), (*self._requests.secrets, *job.credential.secrets()))
        if self.picker is not None:
            self.picker.set_error(text)
        self._show_status(text)
        self.listed.emit()

    def _on_picker_finished(self) -> None:
        self.cancel(_("Closed the source list before it was loaded."))
        picker, self.picker = self.picker, None
        if picker is not None:
            picker.deleteLater()

    def _on_chosen(self, source_id: object) -> None:
        self._view.fetch(source_id if isinstance(source_id, int | str) else None)
