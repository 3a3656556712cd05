"""The fetched source as a read-only Qt model (Field | Value | Type), values masked.

``SourceTreeModel`` follows the shape of Qt's ``jsonmodel`` example: a small item class and a
read-only ``QAbstractItemModel`` that is reset on every load. Its items are made from the
source's outline (``core.outline``), whose texts are final: server text has passed
``masking.safe_text`` and every setting value is ``MASK``. No role of any index can therefore
hold a raw setting value; the raw ``Source`` stays a plain Python attribute, and only
``toggle_reveal`` copies one value out of it into one cell.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QGuiApplication, QPalette

from ..core import export
from ..core.formatting import revealed_value
from ..core.masking import MASK
from ..core.model import Source
from ..core.outline import CONNECTOR_LABEL, LOOKING_UP, ConnectorState, Outliner, Row

ModelIndex = QModelIndex | QPersistentModelIndex

FIELD_COLUMN, VALUE_COLUMN, TYPE_COLUMN = 0, 1, 2
COLUMNS = ("Field", "Value", "Type")


class _Node:
    """One row of the tree, made from an outline ``Row``; reveal and relabel change it."""

    __slots__ = (
        "children",
        "field",
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
        self.type = source.kind
        self.tooltip = source.tooltip  # the whole text of a long row (already masked)
        self.span = source.span  # one text across all columns (a warning sentence)
        self.section = source.section
        # The index of the setting this row shows (the setting's own row), if any.
        self.setting = source.setting
        self.parent = parent
        self.row = row
        self.children = [_Node(child, self, n) for n, child in enumerate(source.children)]

    @classmethod
    def root(cls, rows: Sequence[Row] = ()) -> _Node:
        return cls(Row("", children=tuple(rows)))

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

    def walk(self) -> Iterator[_Node]:
        yield self
        for child in self.children:
            yield from child.walk()


class SourceTreeModel(QAbstractItemModel):
    """A read-only model of one fetched source; reset on every load."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = _Node.root()
        self._source: Source | None = None
        self._revealed: set[int] = set()
        self._stale = False
        self._setting_nodes: dict[int, _Node] = {}
        self._secrets: tuple[str, ...] = ()
        self._connector = ConnectorState()
        self._connector_node: _Node | None = None

    # --- loading ---------------------------------------------------------------------

    def load(self, source: Source, secrets: Sequence[str] = ()) -> None:
        """Show *source*; every value hidden again. *secrets* are redacted from all text.

        So are the setting values themselves, should the portal repeat one in another
        field (a description quoting a password). Values shorter than 6 characters are
        left to the structural masking: "30" or "5432" also occur in ordinary text.
        """
        note = LOOKING_UP if source.connector_id is not None else ""
        self._rebuild(ConnectorState(note=note), source, tuple(secrets))

    def set_connector(self, connector: ConnectorState) -> None:
        """Show what was found about the connector, in place: the Connector rows are
        replaced and the settings relabelled; no other row moves, nothing is reset, and
        revealed values stay revealed."""
        source, node = self._source, self._connector_node
        if source is None or node is None:
            return
        self._connector = connector
        outliner = Outliner(self._hidden(source, self._secrets))
        fresh = _Node(outliner.connector(source, connector))
        index = self.createIndex(node.row, FIELD_COLUMN, node)
        if node.children:
            self.beginRemoveRows(index, 0, len(node.children) - 1)
            node.children = []
            self.endRemoveRows()
        node.field, node.value, node.type = fresh.field, fresh.value, fresh.type
        self.dataChanged.emit(index, self.createIndex(node.row, TYPE_COLUMN, node))
        if fresh.children:
            self.beginInsertRows(index, 0, len(fresh.children) - 1)
            for child in fresh.children:
                node.add(child)
            self.endInsertRows()
        report = connector.report
        if report is None:
            return
        changed = []
        for position, setting_node in self._setting_nodes.items():
            label = outliner.setting_label(source.settings[position], report)
            if label != setting_node.field:
                setting_node.field = label
                changed.append(setting_node)
        if changed:  # siblings under Settings: one signal for the whole range
            rows = [n.row for n in changed]
            first, last = changed[rows.index(min(rows))], changed[rows.index(max(rows))]
            self.dataChanged.emit(
                self.createIndex(first.row, FIELD_COLUMN, first),
                self.createIndex(last.row, FIELD_COLUMN, last),
                [Qt.ItemDataRole.DisplayRole],
            )

    @staticmethod
    def _hidden(source: Source, secrets: tuple[str, ...]) -> tuple[str, ...]:
        return (*secrets, *source.distinctive_secrets())

    def _rebuild(self, connector: ConnectorState, source: Source, secrets: tuple[str, ...]) -> None:
        hidden = self._hidden(source, secrets)
        fresh = source is not self._source
        self.beginResetModel()
        if fresh:
            self._source = source
            self._revealed = set()
            self._stale = False
        self._secrets = secrets
        self._connector = connector
        self._root = _Node.root(Outliner(hidden).rows(source, connector))
        # The first top-level Connector row is the outline's (unknown keys come after it).
        self._connector_node = next(n for n in self._root.children if n.field == CONNECTOR_LABEL)
        self._setting_nodes = {
            node.setting: node for node in self._root.walk() if node.setting is not None
        }
        for position in self._revealed:
            self._setting_nodes[position].value = self._revealed_text(position)
        self.endResetModel()

    @property
    def connector(self) -> ConnectorState:
        return self._connector

    def clear(self) -> None:
        self.beginResetModel()
        self._source = None
        self._revealed = set()
        self._stale = False
        self._root = _Node.root()
        self._setting_nodes = {}
        self._secrets = ()
        self._connector = ConnectorState()
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
        for node in self._root.walk():
            if node is not self._root:
                first = self.createIndex(node.row, FIELD_COLUMN, node)
                last = self.createIndex(node.row, TYPE_COLUMN, node)
                self.dataChanged.emit(first, last, [Qt.ItemDataRole.ForegroundRole])

    # --- masking -----------------------------------------------------------------------

    def setting_at(self, index: ModelIndex) -> int | None:
        """The setting shown by the row of *index*, or by its parent row."""
        node = self._node(index) if index.isValid() else None
        while node is not None and node is not self._root:
            if node.setting is not None:
                return node.setting
            node = node.parent
        return None

    def setting_of_row(self, index: ModelIndex) -> int | None:
        """The setting whose own row *index* is on (not one of its detail rows)."""
        return self._node(index).setting if index.isValid() else None

    def setting_label(self, position: int) -> str:
        node = self._setting_nodes.get(position)
        return node.field if node is not None else ""

    def is_revealed(self, position: int) -> bool:
        return position in self._revealed

    @property
    def revealed(self) -> frozenset[int]:
        return frozenset(self._revealed)

    def toggle_reveal(self, position: int) -> bool:
        """Show or hide one setting's value; returns whether it is now shown."""
        node = self._setting_nodes.get(position)
        if node is None or self._source is None:
            return False
        if position in self._revealed:
            self._revealed.discard(position)
            node.value = MASK
        else:
            self._revealed.add(position)
            node.value = self._revealed_text(position)
        index = self.createIndex(node.row, VALUE_COLUMN, node)
        self.dataChanged.emit(index, index)
        return position in self._revealed

    def _revealed_text(self, position: int) -> str:
        assert self._source is not None
        # Only sanitised: the user asked to see this value as it is.
        return revealed_value(self._source.settings[position].value)

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
        return export.masked_json(self._source, self._connector.report, self._secrets)

    def masked_json_job(self) -> Callable[[threading.Event], str] | None:
        """``masked_json`` as a call holding what it needs, for a worker thread (None: no
        source); it stops with ``Cancelled`` once its event is set."""
        if self._source is None:
            return None
        source, report, secrets = self._source, self._connector.report, self._secrets
        return lambda cancel: export.masked_json(source, report, secrets, cancel)

    def spanned_indexes(self) -> list[QModelIndex]:
        """The rows whose text spans every column."""
        return [
            self.createIndex(node.row, FIELD_COLUMN, node)
            for node in self._root.walk()
            if node.span and node is not self._root
        ]

    def is_hidden_cell(self, index: ModelIndex) -> bool:
        """True when the value cell of *index*'s row shows a hidden value."""
        return index.isValid() and self._node(index).value == MASK

    def value_text(self, index: ModelIndex) -> str:
        return self._node(index).value if index.isValid() else ""

    def field_text(self, index: ModelIndex) -> str:
        return self._node(index).field if index.isValid() else ""

    # --- QAbstractItemModel ------------------------------------------------------------

    def _node(self, index: ModelIndex) -> _Node:
        if not index.isValid():
            return self._root
        node = index.internalPointer()
        assert isinstance(node, _Node)
        return node

    def index(self, row: int, column: int, parent: ModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        parent_node = self._node(parent)
        if row >= len(parent_node.children):
            return QModelIndex()
        return self.createIndex(row, column, parent_node.children[row])

    def parent(self, index: ModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        node = self._node(index).parent
        if node is None or node is self._root:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() > 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._node(index)
        if role == Qt.ItemDataRole.DisplayRole:
            return node.text(index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == VALUE_COLUMN and node.value == MASK:
                if node.setting is not None:
                    return "Hidden. Press Ctrl+R or Space to reveal this value."
                return "Hidden: an unknown key of a setting may hold a secret."
            return node.tooltip or None
        if role == Qt.ItemDataRole.ForegroundRole and self._stale:
            return QGuiApplication.palette().brush(
                QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
            )
        if role == Qt.ItemDataRole.FontRole and node.section and index.column() == 0:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self._node(index).children:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags
