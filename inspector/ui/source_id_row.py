"""The source ID row: the ID field with the recently fetched IDs, Fetch, Browse sources…,
Cancel, and the busy indicator.

The field accepts what ``biconnector.source.get`` accepts: a positive whole number (the
upper bound is checked by ``core.errors.parse_source_id`` before any request). The IDs that
led to a source are kept in ``QSettings`` (never a secret) and offered in the drop-down.
The row only says what the user asked for (``fetch_requested``, ``browse_requested``,
``cancel_requested``); the window decides what happens.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, QSettings, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QWidget,
)

from ..i18n import _
from .settings_file import save_settings
from .widgets import plain_label

RECENT_IDS_KEY = "recent/sourceIds"
MAX_RECENT_IDS = 10
# The ID field accepts a positive integer (or nothing yet).
SOURCE_ID_PATTERN = QRegularExpression("(?:[1-9][0-9]{0,9})?")
MAX_SOURCE_ID = 2**31 - 1


class SourceIdRow(QWidget):
    """The row: Source ID [field], Fetch, Browse sources…, Cancel, busy indicator."""

    fetch_requested = Signal()
    browse_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.source_id_combo = QComboBox(self)
        self.source_id_combo.setObjectName("sourceIdCombo")
        self.source_id_combo.setEditable(True)
        self.source_id_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # No inline completion: typing 6 must fetch 6, not a remembered 61.
        self.source_id_combo.setCompleter(None)  # type: ignore[arg-type]  # None is allowed
        self.source_id_combo.setToolTip(_("Recently fetched IDs are in the list"))
        self.source_id_combo.setMinimumContentsLength(12)
        self.source_id_combo.setAccessibleName(_("Source ID"))
        edit = self.source_id_combo.lineEdit()
        assert edit is not None
        self.source_id_edit: QLineEdit = edit
        self.source_id_edit.setObjectName("sourceIdEdit")
        self.source_id_edit.setAccessibleName(_("Source ID"))
        self.source_id_edit.setPlaceholderText(_("e.g. 6"))
        self.source_id_edit.setValidator(
            QRegularExpressionValidator(SOURCE_ID_PATTERN, self.source_id_edit)
        )
        self.source_id_edit.returnPressed.connect(self.fetch_requested)
        id_label = plain_label(_("Source &ID:"), self, wrap=False)
        id_label.setBuddy(self.source_id_edit)

        self.fetch_button = QPushButton(_("Fet&ch"), self)
        self.fetch_button.setObjectName("fetchButton")
        self.fetch_button.setAccessibleName(_("Fetch source"))
        self.fetch_button.setToolTip(_("Fetch the source (Enter in the ID field)"))
        self.fetch_button.clicked.connect(self.fetch_requested)
        self.browse_button = QPushButton(_("&Browse sources…"), self)
        self.browse_button.setObjectName("browseButton")
        self.browse_button.setToolTip(_("Choose from the portal's list of sources (Ctrl+L)"))
        self.browse_button.clicked.connect(self.browse_requested)
        self.cancel_button = QPushButton(_("Cancel"), self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAccessibleName(_("Cancel fetch"))
        self.cancel_button.setToolTip(_("Cancel the running request (Esc)"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.busy_indicator = QProgressBar(self)
        self.busy_indicator.setObjectName("busyIndicator")
        self.busy_indicator.setAccessibleName(_("Fetching"))
        self.busy_indicator.setRange(0, 0)  # indeterminate
        self.busy_indicator.setTextVisible(False)
        self.busy_indicator.setMaximumWidth(140)
        self.busy_indicator.setVisible(False)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(id_label)
        layout.addWidget(self.source_id_combo)
        layout.addWidget(self.fetch_button)
        layout.addWidget(self.browse_button)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.busy_indicator)
        layout.addStretch(1)

        # The editable combo takes the focus for its line edit.
        QWidget.setTabOrder(self.source_id_combo, self.fetch_button)
        QWidget.setTabOrder(self.fetch_button, self.browse_button)
        QWidget.setTabOrder(self.browse_button, self.cancel_button)
        self._load_recent_ids()

    def set_busy(self, busy: bool) -> None:
        self.busy_indicator.setVisible(busy)
        self.cancel_button.setEnabled(busy)

    # --- recent IDs --------------------------------------------------------------------

    def recent_ids(self) -> list[int]:
        raw = self._settings.value(RECENT_IDS_KEY, "")
        items = raw if isinstance(raw, list) else str(raw or "").split(",")
        ids: list[int] = []
        for item in items:
            # Written by this row; checked like parse_source_id, without importing it.
            text = str(item).strip()
            if not (text.isascii() and text.isdigit() and len(text) <= 10):
                continue
            value = int(text)
            if 0 < value <= MAX_SOURCE_ID and value not in ids:
                ids.append(value)
        return ids[:MAX_RECENT_IDS]

    def remember_id(self, source_id: int) -> None:
        """Offer *source_id* first in the drop-down (only IDs that led to a source)."""
        ids = [source_id, *(i for i in self.recent_ids() if i != source_id)]
        self._settings.setValue(RECENT_IDS_KEY, ",".join(str(i) for i in ids[:MAX_RECENT_IDS]))
        save_settings(self._settings)
        self._load_recent_ids()

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
