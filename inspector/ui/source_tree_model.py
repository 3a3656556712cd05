"""The fetched source as a read-only Qt model (Field | Value | Type), values masked.

``SourceTreeModel`` follows the shape of Qt's ``jsonmodel`` example: a small item class and a
read-only ``QAbstractItemModel`` that is reset on every load. Its items are made from the
source's outline (``core.outline``), whose texts are final: server text has passed
``masking.safe_text`` and every setting value is ``MASK``. No role of any index can therefore
hold a raw setting value; the raw ``Source`` stays a plain Python attribute, and only
``toggle_reveal`` copies one value out of it into one cell.

A source may hold 50,000 settings. Their rows are made only when a view asks for them (the
outline's ``SettingRows``), and the view is given them in batches (``load_more_settings``,
called as it scrolls towards the last one): a tree view lays out every row it has, through
Python, so 50,000 at once froze the window for seconds. An index points at its *parent*
node, so a setting's index needs no object of its own until its texts are read.

The outline and the records it reads (``core.outline``, ``core.model``, ``core.connector``)
are imported with the first source, not with the empty tree: at start they took about
15 ms before the first paint.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QGuiApplication, QPalette

from ..core.masking import MASK
from ..i18n import N_, _

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

    from ..core.model import Source
    from ..core.outline import ConnectorState, Outliner, Row

ModelIndex = QModelIndex | QPersistentModelIndex

FIELD_COLUMN, VALUE_COLUMN, TYPE_COLUMN = 0, 1, 2
COLUMNS = (N_("Field"), N_("Value"), N_("Type"))
SETTINGS_BATCH = 200
"""Setting rows given to the view at first; each later batch is as big as all before it
(at least this), so 50,000 take nine batches and each layout stays short."""
KEPT_SETTING_ROWS = 5000
"""Setting rows kept made; beyond this they are dropped and made again when read."""
# The roles data() answers, as the ints Qt passes it (``Qt.ItemDataRole``'s values, which
# a test compares): naming them would build the Qt namespace at start-up (``qt_namespace``).
_DISPLAY, _FONT, _FOREGROUND, _TOOLTIP, _ACCESSIBLE_TEXT = 0, 6, 9, 3, 11
_ANSWERED_ROLES = frozenset({_DISPLAY, _TOOLTIP, _ACCESSIBLE_TEXT, _FOREGROUND, _FONT})


@functools.cache
def _item_flags() -> tuple[Qt.ItemFlag, Qt.ItemFlag, Qt.ItemFlag]:
    """(none, a row's, a leaf row's): combined once, at the first row's ``flags()`` (the view
    asks it for each cell it paints), not at import (see ``qt_namespace``)."""
    from PySide6.QtCore import Qt

    row = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
    return Qt.ItemFlag.NoItemFlags, row, row | Qt.ItemFlag.ItemNeverHasChildren


class _Node:
    """One row of the tree, made from an outline ``Row``; reveal and relabel change it.

    The settings section's node keeps its rows lazy: ``lazy`` is the outline's
    ``SettingRows``, ``loaded`` how many of them the view has been given, ``made`` the
    rows made so far by position."""

    __slots__ = (
        "children",
        "field",
        "lazy",
        "loaded",
        "made",
        "parent",
        "row",
        "section",
        "setting",
        "span",
        "tooltip",
        "type",
        "value",
    )

    def __init__(self, source: Row, parent: _Node | None = None, row: int = 0) -> None:
        self.field = source.label
        self.value = source.text
        self.type = source.kind_text()  # a setting's own type stays as the portal sent it
        self.tooltip = source.tooltip  # the whole text of a long row, a setting's details
        self.span = source.span  # one text across all columns (a warning sentence)
        self.section = source.section
        # The index of the setting this row shows (the setting's own row), if any.
        self.setting = source.setting
        self.parent = parent
        self.row = row
        self.made: dict[int, _Node] = {}
        if not isinstance(source.children, tuple):  # the settings' SettingRows
            self.lazy: Sequence[Row] | None = source.children
            self.loaded = min(len(source.children), SETTINGS_BATCH)
            self.children: list[_Node] = []
        else:
            self.lazy, self.loaded = None, 0
            self.children = [_Node(child, self, n) for n, child in enumerate(source.children)]

    @classmethod
    def root(cls, rows: Sequence[Row] = ()) -> _Node:
        """The invisible root over *rows*, made without a ``Row`` of its own: an empty
        tree's root comes before the outline is loaded."""
        node = cls.__new__(cls)
        node.field = node.value = node.type = node.tooltip = ""
        node.span = node.section = False
        node.setting = node.parent = node.lazy = None
        node.row = node.loaded = 0
        node.made = {}
        node.children = [cls(child, node, n) for n, child in enumerate(rows)]
        return node

    def count(self) -> int:
        return self.loaded if self.lazy is not None else len(self.children)

    def child(self, row: int) -> _Node:
        if self.lazy is None:
            return self.children[row]
        node = self.made.get(row)
        if node is None:
            if len(self.made) >= KEPT_SETTING_ROWS:
                self.made.clear()  # a walk over every row: keep memory flat
            node = self.made[row] = _Node(self.lazy[row], self, row)
        return node

    def add(self, child: _Node) -> _Node:
        child.parent = self
        child.row = len(self.children)
        self.children.append(child)
        return child

    def text(self, column: int) -> str:
        if column == FIELD_COLUMN:
            return self.field
        if column == VALUE_COLUMN:
            return self.value
        return self.type

    def walk_eager(self) -> Iterator[_Node]:
        """This node and every row under it that is not a setting (those are lazy)."""
        yield self
        for child in self.children:
            yield from child.walk_eager()


class SourceTreeModel(QAbstractItemModel):
    """A read-only model of one fetched source; reset on every load."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = _Node.root()
        self._source: Source | None = None
        self._revealed: set[int] = set()
        self._stale = False
        self._settings_node: _Node | None = None
        self._secrets: tuple[str, ...] = ()
        self._outliner: Outliner | None = None  # made with the first source
        self._connector: ConnectorState | None = None
        self._connector_node: _Node | None = None

    # --- loading ---------------------------------------------------------------------

    def load(self, source: Source, secrets: Sequence[str] = ()) -> None:
        """Show *source*; every value hidden again. *secrets* are redacted from all text.

        So are the setting values themselves, should the portal repeat one in another
        field (a description quoting a password). Values shorter than 6 characters are
        left to the structural masking: "30" or "5432" also occur in ordinary text.
        """
        from ..core.outline import LOOKING_UP, ConnectorState

        note = LOOKING_UP if source.connector_id is not None else ""
        self._rebuild(ConnectorState(note=note), source, tuple(secrets))

    def set_connector(self, connector: ConnectorState) -> None:
        """Show what was found about the connector, in place: the Connector rows are
        replaced and the settings relabelled with one ``dataChanged``; no other row
        moves, nothing is reset, and revealed values stay revealed."""
        source, node, outliner = self._source, self._connector_node, self._outliner
        if source is None or node is None or outliner is None:
            return
        from ..core.outline import SettingRows

        self._connector = connector
        fresh = _Node(outliner.connector(source, connector))
        index = self.createIndex(node.row, FIELD_COLUMN, node.parent)
        if node.children:
            self.beginRemoveRows(index, 0, len(node.children) - 1)
            node.children = []
            self.endRemoveRows()
        node.field, node.value, node.type = fresh.field, fresh.value, fresh.type
        self.dataChanged.emit(index, self.createIndex(node.row, TYPE_COLUMN, node.parent))
        if fresh.children:
            self.beginInsertRows(index, 0, len(fresh.children) - 1)
            for child in fresh.children:
                node.add(child)
            self.endInsertRows()
        settings = self._settings_node
        if connector.report is None or settings is None:
            return
        settings.lazy = SettingRows(outliner, source, connector.report, frozenset(self._revealed))
        settings.made.clear()
        if settings.loaded:
            self.dataChanged.emit(
                self.createIndex(0, FIELD_COLUMN, settings),
                self.createIndex(settings.loaded - 1, FIELD_COLUMN, settings),
                [_DISPLAY, _TOOLTIP],
            )

    def _rebuild(self, connector: ConnectorState, source: Source, secrets: tuple[str, ...]) -> None:
        from ..core.outline import CONNECTOR_LABEL, Outliner

        fresh = source is not self._source
        self.beginResetModel()
        if fresh:
            self._source = source
            self._revealed = set()
            self._stale = False
        self._secrets = secrets
        self._connector = connector
        outliner = self._outliner = Outliner(secrets, source.distinctive_set())
        revealed = frozenset(self._revealed)
        self._root = _Node.root(outliner.rows(source, connector, revealed))
        # The first top-level Connector row is the outline's (unknown keys come after it).
        label = _(CONNECTOR_LABEL)
        self._connector_node = next(n for n in self._root.children if n.field == label)
        self._settings_node = next(n for n in self._root.children if n.lazy is not None)
        self.endResetModel()

    @property
    def connector(self) -> ConnectorState:
        """What is known of the shown source's connector (nothing before a source)."""
        if self._connector is None:
            from ..core.outline import ConnectorState

            return ConnectorState()
        return self._connector

    def clear(self) -> None:
        self.beginResetModel()
        self._source = None
        self._revealed = set()
        self._stale = False
        self._root = _Node.root()
        self._settings_node = None
        self._secrets = ()
        self._outliner = None
        self._connector = None
        self._connector_node = None
        self.endResetModel()

    @property
    def source(self) -> Source | None:
        return self._source

    @property
    def is_stale(self) -> bool:
        return self._stale

    def set_stale(self, stale: bool) -> None:
        """Grey out the rows: they show the last good result, not the last request's."""
        if stale == self._stale:
            return
        self._stale = stale
        # One signal per parent, over all its rows (not one per row: 50,000 settings).
        for node in self._root.walk_eager():
            if node.count():
                first = self.createIndex(0, FIELD_COLUMN, node)
                last = self.createIndex(node.count() - 1, TYPE_COLUMN, node)
                self.dataChanged.emit(first, last, [_FOREGROUND])

    # --- settings given to the view in batches --------------------------------------------

    @property
    def settings_index(self) -> QModelIndex:
        """The Settings section's row (invalid when nothing is shown)."""
        node = self._settings_node
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row, FIELD_COLUMN, node.parent)

    @property
    def settings_pending(self) -> int:
        """How many settings the view has not been given yet."""
        node = self._settings_node
        return 0 if node is None or node.lazy is None else len(node.lazy) - node.loaded

    def load_more_settings(self) -> int:
        """Give the view the next batch of setting rows; returns how many were added."""
        node = self._settings_node
        pending = self.settings_pending
        if node is None or not pending:
            return 0
        added = min(pending, max(SETTINGS_BATCH, node.loaded))
        self.beginInsertRows(self.settings_index, node.loaded, node.loaded + added - 1)
        node.loaded += added
        self.endInsertRows()
        return added

    def load_all_settings(self) -> None:
        while self.load_more_settings():
            pass

    # --- masking -----------------------------------------------------------------------

    def setting_at(self, index: ModelIndex) -> int | None:
        """The setting shown by the row of *index* (a setting is one row now)."""
        return self.setting_of_row(index)

    def setting_of_row(self, index: ModelIndex) -> int | None:
        """The setting whose own row *index* is on."""
        return self._node(index).setting if index.isValid() else None

    def setting_index(self, position: int, column: int = FIELD_COLUMN) -> QModelIndex:
        """The index of a setting's row, once the view has been given it."""
        node = self._settings_node
        if node is None or not 0 <= position < node.loaded:
            return QModelIndex()
        return self.createIndex(position, column, node)

    def setting_label(self, position: int) -> str:
        source, outliner = self._source, self._outliner
        if source is None or outliner is None or not 0 <= position < len(source.settings):
            return ""
        return outliner.setting_label(source.settings[position], self.connector.report)

    def is_revealed(self, position: int) -> bool:
        return position in self._revealed

    @property
    def revealed(self) -> frozenset[int]:
        return frozenset(self._revealed)

    def toggle_reveal(self, position: int) -> bool:
        """Show or hide one setting's value; returns whether it is now shown."""
        settings, outliner = self._settings_node, self._outliner
        if settings is None or self._source is None or settings.lazy is None or outliner is None:
            return False
        if not 0 <= position < len(self._source.settings):
            return False
        if position in self._revealed:
            self._revealed.discard(position)
        else:
            self._revealed.add(position)
        from ..core.outline import SettingRows

        settings.lazy = SettingRows(
            outliner, self._source, self.connector.report, frozenset(self._revealed)
        )
        settings.made.pop(position, None)
        index = self.setting_index(position, VALUE_COLUMN)
        if index.isValid():
            self.dataChanged.emit(index, index)
        return position in self._revealed

    def raw_value(self, position: int) -> str | None:
        """The real value of a revealed setting; None while it is hidden."""
        if self._source is None or position not in self._revealed:
            return None
        return self._source.settings[position].value

    def masked_json(self) -> str:
        """The source as JSON with every setting value masked (revealed ones too), and
        the credential's secrets masked wherever the portal repeats them.

        Raises ``LeakPrevented`` (an ``InspectorError``) if a value would still show.
        """
        if self._source is None:
            return ""
        from ..core.export import masked_json  # the exports load on first use

        return masked_json(self._source, self.connector.report, self._secrets)

    def masked_json_job(self) -> Callable[[threading.Event], str] | None:
        """``masked_json`` as a call holding what it needs, for a worker thread (None: no
        source); it stops with ``Cancelled`` once its event is set."""
        if self._source is None:
            return None
        source, report, secrets = self._source, self.connector.report, self._secrets

        def job(cancel: threading.Event) -> str:
            from ..core.export import masked_json  # loaded on first use, on the worker

            return masked_json(source, report, secrets, cancel)

        return job

    def spanned_indexes(self) -> list[QModelIndex]:
        """The rows whose text spans every column (never a setting's)."""
        return [
            self.createIndex(node.row, FIELD_COLUMN, node.parent)
            for node in self._root.walk_eager()
            if node.span and node.parent is not None
        ]

    def is_hidden_cell(self, index: ModelIndex) -> bool:
        """True when the value cell of *index*'s row shows a hidden value."""
        return index.isValid() and self._node(index).value == MASK

    def value_text(self, index: ModelIndex) -> str:
        return self._node(index).value if index.isValid() else ""

    def field_text(self, index: ModelIndex) -> str:
        return self._node(index).field if index.isValid() else ""

    # --- QAbstractItemModel ------------------------------------------------------------
    # An index's internal pointer is its parent node: a setting row needs no node of its
    # own until its texts are read (see the module's docstring).

    def _node(self, index: ModelIndex) -> _Node:
        if not index.isValid():
            return self._root
        parent = index.internalPointer()
        assert isinstance(parent, _Node)
        return parent.child(index.row())

    def index(self, row: int, column: int, parent: ModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if row < 0 or not 0 <= column < len(COLUMNS):
            return QModelIndex()
        if parent.isValid() and parent.column() != FIELD_COLUMN:
            return QModelIndex()
        parent_node = self._node(parent)
        if row >= parent_node.count():
            return QModelIndex()
        return self.createIndex(row, column, parent_node)

    def parent(self, index: ModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        node = index.internalPointer()
        assert isinstance(node, _Node)
        if node.parent is None:  # the root: a top-level row
            return QModelIndex()
        return self.createIndex(node.row, 0, node.parent)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() > 0:
            return 0
        return self._node(parent).count()

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def data(self, index: ModelIndex, role: int = _DISPLAY) -> Any:
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None
        node = self._node(index)
        column = index.column()
        if role == _DISPLAY:
            return node.text(column)
        if role == _ACCESSIBLE_TEXT:
            # A screen reader would read the mask as "bullet bullet bullet…".
            if column == VALUE_COLUMN and node.value == MASK:
                return _("hidden value")
            return None
        if role == _TOOLTIP:
            if column == VALUE_COLUMN and node.value == MASK and node.setting is None:
                return _("Hidden: an unknown key of a setting may hold a secret.")
            if column == VALUE_COLUMN and node.setting is not None:
                hint = (
                    _("Shown. Press Ctrl+R or Space to hide this value again.")
                    if node.setting in self._revealed
                    else _("Hidden. Press Ctrl+R or Space to reveal this value.")
                )
                return f"{hint}\n\n{node.tooltip}"
            return node.tooltip or None
        if role == _FOREGROUND and self._stale:
            return QGuiApplication.palette().brush(
                QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
            )
        if role == _FONT and node.section and column == 0:
            # Imported here, for the few section rows: QFont's enums would cost the start-up
            # (an empty tree) over 1 ms.
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        # Asked only once the header shows: it is hidden while the tree is empty, because
        # PySide builds the Qt namespace to hand over *orientation* (see ``qt_namespace``).
        from PySide6.QtCore import Qt

        if (
            orientation == Qt.Orientation.Horizontal
            and role == _DISPLAY
            and 0 <= section < len(COLUMNS)
        ):
            return _(COLUMNS[section])
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        none, row, leaf = _item_flags()
        if not index.isValid():
            return none
        # A setting's row never has children: answered without making its node.
        if index.internalPointer() is self._settings_node or not self._node(index).count():
            return leaf
        return row
