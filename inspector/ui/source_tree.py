"""The fetched source as a read-only tree (Field | Value | Type), with setting values masked.

``SourceTreeModel`` follows the shape of Qt's ``jsonmodel`` example: a small item class and a
read-only ``QAbstractItemModel`` that is reset on every load. Every string in it is built
when the source is loaded: server text goes through ``masking.safe_text`` (no control or
bidi characters, no known secret) and every setting value is replaced by ``MASK``. No role
of any index can therefore hold a raw setting value; the raw ``Source`` stays a plain Python
attribute, and only ``toggle_reveal`` copies one value out of it into one cell.

``SourceTreeView`` adds what a person does with the tree: reveal one value (context menu,
Ctrl+R or Space), copy a value, copy the whole source as masked JSON (the clipboard side of
both is ``copy_export``'s). It never renders rich text: the default delegate draws
``DisplayRole`` as plain text.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPalette,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTreeView, QWidget

from ..core.masking import MASK, SecretSet, safe_text, sanitize

if TYPE_CHECKING:
    from ..core.model import ConnectorReport, Setting, Source
    from .copy_export import SecretClipboard

ModelIndex = QModelIndex | QPersistentModelIndex

FIELD_COLUMN, VALUE_COLUMN, TYPE_COLUMN = 0, 1, 2
COLUMNS = ("Field", "Value", "Type")
NONE_TEXT = "—"
_DATE_KEYS = frozenset({"dateCreate", "dateUpdate"})
_UNIX_TIME_KEYS = frozenset({"start", "finish", "operating_reset_at"})
_SECONDS_KEYS = frozenset({"duration", "processing", "operating"})  # of the time block
MIN_REDACTED_VALUE = 6  # as core.export does for copied JSON
CLIPBOARD_CLEAR_SECONDS = 30
"""A revealed value copied to the clipboard is cleared after this long, if still there."""
EXPAND_SETTINGS_UP_TO = 200
"""Up to this many settings, each one's detail rows are shown expanded."""


class ConnectorState:
    """What is known about the shown source's connector: a report, or a note why not."""

    __slots__ = ("note", "report")

    def __init__(self, report: ConnectorReport | None = None, note: str = "") -> None:
        self.report = report
        self.note = note


class _Node:
    """One row of the tree. Its texts are final: masked and sanitised."""

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

    def __init__(
        self,
        field: str,
        value: str = "",
        type_: str = "",
        *,
        parent: _Node | None = None,
        setting: int | None = None,
        section: bool = False,
        tooltip: str = "",
        span: bool = False,
    ) -> None:
        self.field = field
        self.tooltip = tooltip  # the whole text of a long row (already masked)
        self.span = span  # one text across all columns (a warning sentence)
        self.value = value
        self.type = type_
        self.parent = parent
        self.children: list[_Node] = []
        self.row = 0
        # The index of the setting this row shows (the setting's own row), if any.
        self.setting = setting
        self.section = section

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


def format_seconds(value: float) -> str:
    """A duration in seconds, as plain digits: three significant ones, never an exponent.

    ``9.94000018104911e-05`` reads "0.0000994 s", ``0.006555080413818359`` "0.00656 s",
    ``12.5`` "12.5 s", ``1234.56`` "1235 s". One unit for every duration, so that values
    can be compared down a column. The exact number stays in Copy as JSON.
    """
    if not math.isfinite(value):
        return repr(value)
    magnitude = abs(value)
    sign = "-" if value < 0 else ""
    if magnitude == 0:
        return "0 s"
    if magnitude < 1e-6:
        return "< 0.000001 s"  # below what the portal measures
    if magnitude >= 1e15:
        return f"{value:.3g} s"  # nonsense from a portal: kept short
    integer_digits = math.floor(math.log10(magnitude)) + 1
    text = f"{magnitude:.{max(0, 3 - integer_digits)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{sign}{text} s"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class _Builder:
    """Turns a ``Source`` into ``_Node`` rows; every server string passes ``safe_text``."""

    def __init__(self, secrets: Sequence[str]) -> None:
        # Prepared once: every text is redacted against every setting value (10,000s).
        self._secrets = SecretSet(secrets)
        self.connector: _Node | None = None  # the Connector row, once built

    def text(self, value: str, max_len: int = 2000) -> str:
        return safe_text(value, self._secrets, max_len=max_len)

    def scalar(self, key: str, value: Any, *, seconds: bool = False) -> tuple[str, str]:
        """(value text, type text) of a non-secret value; *seconds*: it is a duration."""
        if value is None:
            return NONE_TEXT, "null"
        if isinstance(value, bool):
            return ("yes" if value else "no"), "boolean"
        if seconds and isinstance(value, int | float):
            return format_seconds(value), "integer" if isinstance(value, int) else "number"
        if isinstance(value, int):
            text = str(value)
            if key in _UNIX_TIME_KEYS:
                text = f"{text} ({_utc(value)})"
            return text, "integer"
        if isinstance(value, float):
            text = repr(value)
            if key in _UNIX_TIME_KEYS:
                text = f"{text} ({_utc(value)})"
            return text, "number"
        if isinstance(value, str):
            kind = "datetime" if key in _DATE_KEYS else "string"
            return self.text(value), kind
        import json  # imports in this module wait until a source is shown (start-up time)

        kind = "array" if isinstance(value, list) else "object"
        return self.text(json.dumps(value, ensure_ascii=False, default=str)), kind

    def field_row(self, key: str, label: str, value: Any, *, seconds: bool = False) -> _Node:
        text, kind = self.scalar(key, value, seconds=seconds)
        return _Node(self.text(label, 200), text, kind)

    def build(self, source: Source, connector: ConnectorState) -> _Node:
        root = _Node("")
        connection = source.connection
        fields = connection.field_values()
        node = root.add(_Node("Connection", "", "object", section=True))
        for key, label, value in fields:
            node.add(self.field_row(key, label, value))
        for key, value in connection.extra.items():
            node.add(self.field_row(key, key, value))
        node.value = _plural(len(node.children), "field")

        report = connector.report
        settings = root.add(_Node(f"Settings ({len(source.settings)})", "", "array", section=True))
        for position, setting in enumerate(source.settings):
            label = report.label_for(setting) if report is not None else setting.label
            settings.add(self.setting_node(position, setting, label))
        settings.value = (
            f"{_plural(len(source.settings), 'setting')}, values hidden"
            if source.settings
            else "none"
        )

        # After the settings: what the connector declares is read against them.
        self.connector = root.add(self.connector_node(source, connector))

        for key, value in source.extra.items():
            root.add(self.field_row(key, key, value))

        if source.time is not None:
            time_node = root.add(_Node("Time", "", "object", section=True))
            for key, label, value in source.time.present_fields():
                time_node.add(self.field_row(key, label, value, seconds=key in _SECONDS_KEYS))
            for key, value in source.time.extra.items():
                time_node.add(self.field_row(key, key, value))
            time_node.value = _plural(len(time_node.children), "field")
        return root

    def connector_node(self, source: Source, connector: ConnectorState) -> _Node:
        """The connector: its ID, and once looked up its title, endpoints and findings."""
        connector_id = source.connector_id
        if connector_id is None:
            return _Node("Connector", NONE_TEXT, "null")
        shown_id = self.text(str(connector_id), 40)
        node = _Node("Connector", f"ID {shown_id}", "connector", section=True)
        node.add(self.field_row("connectorId", "ID", connector_id))
        report = connector.report
        if report is None:
            node.value += f" ({connector.note})" if connector.note else ""
            return node
        node.value = f"{self.text(report.title, 300)} (ID {shown_id})"
        found = report.connector
        if found.title:
            node.add(self.field_row("title", "Title", found.title))
        if found.description:
            node.add(self.field_row("description", "Description", found.description))
        from ..core.model import CONNECTOR_URL_FIELDS, display_url

        plain = {key for key, _url in report.plain_http_endpoints}
        for key, url in found.urls.items():
            kind = "url, http ⚠" if key in plain else "url"
            label = CONNECTOR_URL_FIELDS.get(key, key)
            node.add(_Node(self.text(label, 200), self.text(display_url(url), 400), kind))
        if report.missing:
            missing = node.add(
                _Node(
                    f"Declared but missing ({len(report.missing)})",
                    "the connector declares these; the source has no value for them",
                    "array",
                    section=True,
                )
            )
            for declared in report.missing:
                name, code = declared.name or "", declared.code or ""
                label = f"{name} ({code})" if name and code and name != code else name or code
                missing.add(
                    _Node(
                        self.text(label or "?", 600), "missing", self.text(declared.type or "", 100)
                    )
                )
        warnings = report.warnings()
        if warnings:
            section = node.add(_Node(f"Warnings ({len(warnings)})", "", "array", section=True))
            for warning in warnings:
                text = self.text(warning, 1000)
                section.add(_Node(f"⚠ {text}", "", "warning", tooltip=text, span=True))
            section.value = _plural(len(warnings), "warning")
        return node

    def setting_node(self, position: int, setting: Setting, label: str) -> _Node:
        node = _Node(
            self.text(label, 600),
            MASK,
            self.text(setting.type or "", 100),
            setting=position,
        )
        for key, label, value in (
            ("id", "ID", setting.id),
            ("code", "Code", setting.code),
            ("name", "Name", setting.name),
            ("type", "Type", setting.type),
        ):
            node.add(self.field_row(key, label, value))
        # Unknown keys of a setting may be secret as well: shown masked, like masked_dict.
        for key in setting.extra:
            node.add(_Node(self.text(key, 200), MASK, "hidden"))
        return node


def _utc(timestamp: float) -> str:
    from datetime import UTC, datetime  # only when a source is shown: start-up stays lean

    try:
        moment = datetime.fromtimestamp(timestamp, UTC)
    except (OverflowError, OSError, ValueError):
        return "out of range"
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


class SourceTreeModel(QAbstractItemModel):
    """A read-only model of one fetched source; reset on every load."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = _Node("")
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
        note = "looking it up…" if source.connector_id is not None else ""
        self._rebuild(ConnectorState(note=note), source, tuple(secrets))

    def set_connector(self, connector: ConnectorState) -> None:
        """Show what was found about the connector, in place: the Connector rows are
        replaced and the settings relabelled; no other row moves, nothing is reset, and
        revealed values stay revealed."""
        source, node = self._source, self._connector_node
        if source is None or node is None:
            return
        self._connector = connector
        builder = _Builder(self._hidden(source, self._secrets))
        fresh = builder.connector_node(source, connector)
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
            label = builder.text(report.label_for(source.settings[position]), 600)
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
        return (*secrets, *(v for v in source.secrets() if len(v) >= MIN_REDACTED_VALUE))

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
        builder = _Builder(hidden)
        self._root = builder.build(source, connector)
        self._connector_node = builder.connector
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
        self._root = _Node("")
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
        value = self._source.settings[position].value
        if value is None:
            return "(no value)"
        if value == "":
            return "(empty)"
        return sanitize(value)  # only sanitised: the user asked to see this value as it is

    def raw_value(self, position: int) -> str | None:
        """The real value of a revealed setting; None while it is hidden."""
        if self._source is None or position not in self._revealed:
            return None
        return self._source.settings[position].value

    def masked_json(self) -> str:
        """The source as JSON with every setting value masked (revealed ones too).

        Raises ``LeakPrevented`` (an ``InspectorError``) if a value would still show.
        """
        if self._source is None:
            return ""
        from ..core.export import masked_json  # imported when first used (start-up time)

        return masked_json(self._source, self._connector.report)

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


class SourceTreeView(QTreeView):
    """The tree, with reveal and copy actions on the current row."""

    message = Signal(str)  # a plain sentence for the status line

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourceTree")
        self.setAccessibleName("Source")
        self.setAccessibleDescription(
            "The fetched source. Setting values are hidden; Ctrl+R reveals the selected one."
        )
        self._model = SourceTreeModel(self)
        self._secret_clipboard: SecretClipboard | None = None  # made at the first copy
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        # Fit columns to the rows in view, not to thousands of rows: with 10,000 settings,
        # measuring 1,000 rows per column through Python data() froze the window ~0.8 s.
        self.header().setResizeContentsPrecision(0)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

        self.reveal_action = self._action(
            "&Reveal value", QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_R), self.toggle_reveal
        )
        self.copy_value_action = self._action(
            "&Copy value", QKeySequence(QKeySequence.StandardKey.Copy), self.copy_value
        )
        self.copy_json_action = self._action(
            "Copy as &JSON (masked)",
            QKeySequence(Qt.Modifier.CTRL | Qt.Modifier.SHIFT | Qt.Key.Key_C),
            self.copy_json,
        )
        self.extra_menu_actions: list[QAction] = []
        """Window actions offered in the context menu too (Copy as cURL, Export…)."""
        self.setModel(self._model)
        self._model.modelReset.connect(self._on_model_reset)
        self._model.rowsInserted.connect(self._on_rows_inserted)
        self._update_actions()

    def _action(self, text: str, shortcut: QKeySequence, slot: Any) -> QAction:
        action = QAction(text, self)
        action.setShortcut(shortcut)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
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
            from .copy_export import SecretClipboard

            self._secret_clipboard = SecretClipboard(CLIPBOARD_CLEAR_SECONDS, self)
        return self._secret_clipboard

    @property
    def clipboard_clear_timer(self) -> QTimer:
        return self.secret_clipboard.timer

    # --- loading -----------------------------------------------------------------------

    def show_source(self, source: Source, secrets: Sequence[str] = ()) -> None:
        self._model.load(source, secrets)

    def show_connector(self, connector: ConnectorState) -> None:
        """Add what was found about the connector (in place: selection and scroll stay)."""
        self._model.set_connector(connector)
        # The settings were relabelled with the connector's names (longer than the codes).
        self._fit_columns()

    def _on_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        # The connector's rows, added after the source was shown: expanded like the rest.
        self.expand(parent)
        for row in range(first, last + 1):
            self.expandRecursively(self._model.index(row, 0, parent))
        for index in self._model.spanned_indexes():
            self.setFirstColumnSpanned(index.row(), index.parent(), True)
        self._fit_columns()

    def _fit_columns(self) -> None:
        # Long values are elided (their tooltip or Copy value has them whole); a column
        # sized to the longest one would push the Type column out of sight.
        widest = max(240, self.viewport().width() * 3 // 5)
        for column in range(len(COLUMNS)):
            self.resizeColumnToContents(column)
            if self.columnWidth(column) > widest:
                self.setColumnWidth(column, widest)
        # What is left of the width goes to the values, rather than to an empty margin;
        # room is kept for a vertical scroll bar that the rows just added may bring.
        available = self.viewport().width()
        if not self.verticalScrollBar().isVisible():
            available -= self.verticalScrollBar().sizeHint().width()
        spare = available - sum(self.columnWidth(c) for c in range(len(COLUMNS)))
        if spare > 0:
            self.setColumnWidth(VALUE_COLUMN, self.columnWidth(VALUE_COLUMN) + spare)

    def _on_model_reset(self) -> None:
        self._expand()
        for index in self._model.spanned_indexes():
            self.setFirstColumnSpanned(index.row(), index.parent(), True)
        self._fit_columns()
        first = self._model.index(0, 0)
        if first.isValid():
            self.setCurrentIndex(first)
        self._update_actions()

    def _expand(self) -> None:
        """Expand everything, except each setting's detail rows when there are many.

        Expanding 10,000 settings' details (50,000 rows) blocks the window for seconds;
        collapsed, their rows still show label, hidden value and type.
        """
        model = self._model
        source = model.source
        if source is None or len(source.settings) <= EXPAND_SETTINGS_UP_TO:
            self.expandAll()
            return
        for row in range(model.rowCount()):
            section = model.index(row, 0)
            if model.setting_of_row(model.index(0, 0, section)) is not None:
                self.expand(section)  # the settings: their own rows only
            else:
                self.expandRecursively(section)

    def currentChanged(self, current: ModelIndex, previous: ModelIndex) -> None:
        super().currentChanged(current, previous)
        self._update_actions()

    def _update_actions(self) -> None:
        has_source = self._model.source is not None
        position = self._model.setting_at(self.currentIndex())
        self.reveal_action.setEnabled(position is not None)
        if position is not None and self._model.is_revealed(position):
            self.reveal_action.setText("Hide &value")
        else:
            self.reveal_action.setText("&Reveal value")
        self.copy_value_action.setEnabled(self.currentIndex().isValid())
        self.copy_json_action.setEnabled(has_source)

    # --- actions -----------------------------------------------------------------------

    def toggle_reveal(self) -> None:
        position = self._model.setting_at(self.currentIndex())
        if position is None:
            self.message.emit("Select a setting to reveal its value.")
            return
        shown = self._model.toggle_reveal(position)
        label = self._model.setting_label(position)
        if shown:
            self.message.emit(f"Showing the value of “{label}”. Ctrl+R hides it again.")
        else:
            self.message.emit(f"The value of “{label}” is hidden again.")
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
                    f"The value of “{label}” is hidden, so it was not copied. "
                    "Reveal it first (Ctrl+R) to copy the real value."
                )
                return
            clipboard = self.secret_clipboard
            clipboard.put(raw)
            self.message.emit(
                f"Copied the real (unmasked) value of “{label}” to the clipboard; "
                f"it will be cleared from there in {clipboard.seconds} s."
            )
            return
        if self._model.is_hidden_cell(index):
            self.message.emit("This value is hidden and cannot be copied.")
            return
        row_index = self._model.index(index.row(), 0, index.parent())
        QGuiApplication.clipboard().setText(self._model.value_text(row_index))
        self.message.emit(f"Copied the value of “{self._model.field_text(row_index)}”.")

    def clear_copied_secret(self) -> None:
        """Clear a copied revealed value from the clipboard, unless something replaced it."""
        if self._secret_clipboard is not None:
            self._secret_clipboard.clear()

    def copy_json(self) -> None:
        from .copy_export import copy_json

        self.message.emit(copy_json(self._model))

    # --- events ------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
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
