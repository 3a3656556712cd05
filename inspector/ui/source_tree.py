"""The fetched source as a tree view, with what a person does with it.

``SourceTreeView`` shows a ``SourceTreeModel`` (``source_tree_model``) and adds the actions
on the current row: reveal one value (context menu, Ctrl+R or Space), copy a value, copy
the whole source as masked JSON (the clipboard side of both is ``copy_export``'s). It never
renders rich text: the default delegate draws ``DisplayRole`` as plain text.

The model gives the view a big source's settings in batches; the view asks for the next one
when the last setting it has comes within two screens of sight, so a layout never covers
more rows than a person has scrolled near, and columns are sized from the rows in view.

``when_drawn`` runs work once a newly shown source has been painted: a worker busy in
Python while the tree paints makes each of the paint's ~900 calls into the model wait for
its turn at the GIL (see ``when_drawn``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTreeView, QWidget

from ..i18n import _
from .qt_namespace import set_enum, shortcut
from .source_tree_model import COLUMNS, VALUE_COLUMN, ModelIndex, SourceTreeModel

if TYPE_CHECKING:
    # Event classes named only in annotations: PySide makes a class when first named.
    from PySide6.QtGui import QContextMenuEvent, QKeyEvent

    from ..core.model import Source
    from ..core.outline import ConnectorState
    from .copy_export import JsonCopier, SecretClipboard

DRAWN_AT_THE_LATEST_MS = 250
"""``when_drawn``'s work runs after this long even if no paint came (a covered window)."""


class SourceTreeView(QTreeView):
    """The tree, with reveal and copy actions on the current row."""

    message = Signal(str)  # a plain sentence for the status line

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourceTree")
        self.setAccessibleName(_("Source"))
        self.setAccessibleDescription(
            _("The fetched source. Setting values are hidden; Ctrl+R reveals the selected one.")
        )
        self._model = SourceTreeModel(self)
        # Both made at their first use: copy_export is not imported at start-up.
        self._secret_clipboard: SecretClipboard | None = None
        self._json_copier: JsonCopier | None = None
        self._relabelling = False
        self._after_drawn: Callable[[], None] | None = None
        self._drawn_at_the_latest = QTimer(self)
        self._drawn_at_the_latest.setSingleShot(True)
        self._drawn_at_the_latest.timeout.connect(self._run_after_drawn)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        # Fit columns to the rows in view, not to thousands of rows: with 10,000 settings,
        # measuring 1,000 rows per column through Python data() froze the window ~0.8 s.
        self.header().setResizeContentsPrecision(0)
        set_enum(self, "textElideMode", "ElideMiddle")
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Column titles over no rows say nothing, and asking the model for them would build
        # the Qt namespace before the first paint (see qt_namespace): shown with a source.
        self.setHeaderHidden(True)

        self.reveal_action = self._action(
            _("&Reveal value"), shortcut("Ctrl+R"), self.toggle_reveal
        )
        self.copy_value_action = self._action(
            _("&Copy value"), QKeySequence(QKeySequence.StandardKey.Copy), self.copy_value
        )
        self.copy_json_action = self._action(
            _("Copy as &JSON (masked)"), shortcut("Ctrl+Shift+C"), self.copy_json
        )
        self.extra_menu_actions: list[QAction] = []
        """Window actions offered in the context menu too (Copy as cURL, Export…)."""
        self.setModel(self._model)
        self._model.modelReset.connect(self._on_model_reset)
        self._model.rowsInserted.connect(self._on_rows_inserted)
        self.verticalScrollBar().valueChanged.connect(self._load_settings_near_sight)
        self.verticalScrollBar().rangeChanged.connect(self._load_settings_near_sight)
        self._update_actions()

    def _action(self, text: str, shortcut: QKeySequence, slot: Any) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([shortcut])  # not setShortcut: see qt_namespace
        set_enum(action, "shortcutContext", "WidgetWithChildrenShortcut")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    @property
    def source_model(self) -> SourceTreeModel:
        return self._model

    @property
    def secret_clipboard(self) -> SecretClipboard:
        """Where a revealed value is copied to (cleared after ``CLIPBOARD_CLEAR_SECONDS``)."""
        if self._secret_clipboard is None:
            from ..core.export import CLIPBOARD_CLEAR_SECONDS
            from .copy_export import SecretClipboard

            self._secret_clipboard = SecretClipboard(CLIPBOARD_CLEAR_SECONDS, self)
        return self._secret_clipboard

    @property
    def json_copier(self) -> JsonCopier:
        """What makes Copy as JSON's text off the GUI thread (the action is off meanwhile)."""
        if self._json_copier is None:
            from .copy_export import JsonCopier

            copier = self._json_copier = JsonCopier(self)
            copier.message.connect(self.message)
            copier.busy_changed.connect(self._update_actions)
        return self._json_copier

    def stop_copying(self, wait_ms: int) -> None:
        """End a Copy as JSON still being made (the window is closing)."""
        if self._json_copier is not None:
            self._json_copier.stop(wait_ms)

    @property
    def clipboard_clear_timer(self) -> QTimer:
        return self.secret_clipboard.timer

    # --- loading -----------------------------------------------------------------------

    def show_source(self, source: Source, secrets: Sequence[str] = ()) -> None:
        self._model.load(source, secrets)

    def when_drawn(self, work: Callable[[], None]) -> None:
        """Run *work* once the source just shown has been painted (replacing work still
        waiting), or at once if the tree is not on screen, where it is never painted.

        Why: work that keeps a thread busy in Python (the connector's lookup: decoding and
        comparing 50,000 settings) started during the paints that follow a new source made
        each of their calls into the model wait for the GIL; those paints then blocked the
        window 60-170 ms.
        """
        self._after_drawn = work
        if self.isVisible():
            self._drawn_at_the_latest.start(DRAWN_AT_THE_LATEST_MS)
        else:
            QTimer.singleShot(0, self, self._run_after_drawn)

    def _run_after_drawn(self) -> None:
        work, self._after_drawn = self._after_drawn, None
        self._drawn_at_the_latest.stop()
        if work is not None:
            work()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._after_drawn is not None:
            # Once this paint has returned: no thread is started from inside a paint.
            QTimer.singleShot(0, self, self._run_after_drawn)

    def show_connector(self, connector: ConnectorState) -> None:
        """Add what was found about the connector (in place: selection and scroll stay)."""
        self._relabelling = True  # one fit of the columns below, not one per change
        try:
            self._model.set_connector(connector)
        finally:
            self._relabelling = False
        # The settings were relabelled with the connector's names (longer than the codes).
        self._fit_columns()

    def _load_settings_near_sight(self, *_args: int) -> None:
        """Give the view the next batch of settings once their last row nears the viewport
        (or has been scrolled past)."""
        model = self._model
        if not model.settings_pending:
            return
        last = model.setting_index(model.rowCount(model.settings_index) - 1)
        rect = self.visualRect(last)
        if not rect.isValid() or rect.top() < 2 * self.maximumViewportSize().height():
            model.load_more_settings()

    def _on_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if parent == self._model.settings_index:
            return  # a batch of settings: nothing to expand or span
        # The connector's rows, added after the source was shown: expanded like the rest.
        self.expand(parent)
        for row in range(first, last + 1):
            self.expandRecursively(self._model.index(row, 0, parent))
        for index in self._model.spanned_indexes():
            self.setFirstColumnSpanned(index.row(), index.parent(), True)
        if not self._relabelling:
            self._fit_columns()

    def _fit_columns(self) -> None:
        """Size the columns to the rows just shown. Called right after a model change (a
        reset, rows inserted, the connector's relabelling), whose own repaint of every row
        shows the new widths.

        The header's signals are held meanwhile: for each resized column the view would
        repaint it again on a timer of its own, after the paint that already shows the new
        widths, and that paint met the connector lookup's thread at the GIL (6-11 ms).
        """
        header = self.header()
        held = header.blockSignals(True)
        try:
            self._size_columns()
        finally:
            header.blockSignals(held)
        # What the view's own column-resize handler would have done, less its repaint:
        # the scroll bars follow the new widths.
        self.updateGeometries()

    def _size_columns(self) -> None:
        # The width inside the frame, scroll bars left out. Not viewport().width(): the first
        # viewport() call makes PySide load every widget class to learn the viewport's
        # type, about 15 ms of the first fetch.
        available = self.maximumViewportSize().width()
        # Long values are elided (their tooltip or Copy value has them whole); a column
        # sized to the longest one would push the Type column out of sight.
        widest = max(240, available * 3 // 5)
        for column in range(len(COLUMNS)):
            self.resizeColumnToContents(column)
            if self.columnWidth(column) > widest:
                self.setColumnWidth(column, widest)
        # What is left of the width goes to the values, rather than to an empty margin;
        # room is kept for a vertical scroll bar that the rows just added may bring.
        bar = self.verticalScrollBar()
        if not bar.isVisible():
            # The bar shows once its range is set: lay the rows out now to know its range.
            self.executeDelayedItemsLayout()
            self.updateGeometries()
        if bar.isVisible() or bar.maximum() > 0:
            available -= bar.sizeHint().width()
        spare = available - sum(self.columnWidth(c) for c in range(len(COLUMNS)))
        if spare > 0:
            self.setColumnWidth(VALUE_COLUMN, self.columnWidth(VALUE_COLUMN) + spare)

    def _on_model_reset(self) -> None:
        self.setHeaderHidden(self._model.source is None)
        # Settings have no rows under them and arrive in batches, so expanding all is cheap.
        self.expandAll()
        for index in self._model.spanned_indexes():
            self.setFirstColumnSpanned(index.row(), index.parent(), True)
        self._fit_columns()
        first = self._model.index(0, 0)
        if first.isValid():
            self.setCurrentIndex(first)
        self._update_actions()

    def currentChanged(self, current: ModelIndex, previous: ModelIndex) -> None:
        super().currentChanged(current, previous)
        self._update_actions()

    def _update_actions(self) -> None:
        has_source = self._model.source is not None
        position = self._model.setting_at(self.currentIndex())
        self.reveal_action.setEnabled(position is not None)
        if position is not None and self._model.is_revealed(position):
            self.reveal_action.setText(_("Hide &value"))
        else:
            self.reveal_action.setText(_("&Reveal value"))
        self.copy_value_action.setEnabled(self.currentIndex().isValid())
        copying = self._json_copier is not None and self._json_copier.busy
        self.copy_json_action.setEnabled(has_source and not copying)

    # --- actions -----------------------------------------------------------------------

    def toggle_reveal(self) -> None:
        position = self._model.setting_at(self.currentIndex())
        if position is None:
            self.message.emit(_("Select a setting to reveal its value."))
            return
        shown = self._model.toggle_reveal(position)
        label = self._model.setting_label(position)
        if shown:
            text = _("Showing the value of “{label}”. Ctrl+R hides it again.")
        else:
            text = _("The value of “{label}” is hidden again.")
        self.message.emit(text.format(label=label))
        self._update_actions()

    def copy_value(self) -> None:
        index = self.currentIndex()
        if not index.isValid():
            return
        position = self._model.setting_of_row(index)
        if position is not None:
            label = self._model.setting_label(position)
            raw = self._model.raw_value(position)
            if raw is None:
                self.message.emit(
                    _(
                        "The value of “{label}” is hidden, so it was not copied. "
                        "Reveal it first (Ctrl+R) to copy the real value."
                    ).format(label=label)
                )
                return
            clipboard = self.secret_clipboard
            clipboard.put(raw)
            self.message.emit(
                _(
                    "Copied the real (unmasked) value of “{label}” to the clipboard; "
                    "it will be cleared from there in {seconds} s."
                ).format(label=label, seconds=clipboard.seconds)
            )
            return
        if self._model.is_hidden_cell(index):
            self.message.emit(_("This value is hidden and cannot be copied."))
            return
        row_index = self._model.index(index.row(), 0, index.parent())
        QGuiApplication.clipboard().setText(self._model.value_text(row_index))
        label = self._model.field_text(row_index)
        self.message.emit(_("Copied the value of “{label}”.").format(label=label))

    def clear_copied_secret(self) -> None:
        """Clear a copied revealed value from the clipboard, unless something replaced it."""
        if self._secret_clipboard is not None:
            self._secret_clipboard.clear()

    def copy_json(self) -> None:
        source = self._model.source
        settings = len(source.settings) if source is not None else 0
        self.json_copier.copy(self._model.masked_json_job(), settings)

    # --- events ------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        from PySide6.QtCore import Qt  # not at import: see qt_namespace

        if (
            event.key() == Qt.Key.Key_Space
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and self._model.setting_at(self.currentIndex()) is not None
        ):
            self.toggle_reveal()
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.indexAt(event.pos())
        if index.isValid():
            self.setCurrentIndex(index)
        self._update_actions()
        menu = QMenu(self)
        menu.addAction(self.reveal_action)
        menu.addSeparator()
        menu.addAction(self.copy_value_action)
        menu.addAction(self.copy_json_action)
        for action in self.extra_menu_actions:
            menu.addAction(action)
        menu.exec(event.globalPos())
