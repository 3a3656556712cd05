"""The one leak walker: everything the open windows can show, gathered as (where, text) pairs.

The window tests (``tests/gui``) and the fault suite (``tests/faults``) both ask this module
what a person, a screen reader or a paste could get out of the program, and then look for
secrets in it. Keeping one walker means both suites agree on what "shown" covers:

* every role that exists (every ``Qt.ItemDataRole`` member, every custom role the app
  defines under ``inspector.ui``, and a band above ``UserRole`` for one nobody listed) of
  every index, at every depth, of every model in every top-level widget: the models of
  item views (and the source models behind their proxies), of combo boxes and completers,
  and any model a widget owns; with the horizontal and vertical header data;
* every text of every widget: window title, tooltip, status tip, what's-this, accessible
  name and description; label, button, group box, tab, menu, progress bar and message box
  texts; line edits as displayed and their placeholders; text edits; combo items; status
  bar messages; and every action's text, icon text, tooltip, status tip and what's-this;
* the clipboard, in every format it holds.

``Scan`` keeps the texts and finds the secrets in them; the suites decide which secrets.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QAbstractProxyModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QStatusBar,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

import inspector.ui
from inspector.ui.widgets import SecretLineEdit

USER_ROLE = int(Qt.ItemDataRole.UserRole)
# Custom roles start at UserRole; the band also covers one defined where the search below
# does not look (inside a class, say), so a new role cannot hide a value from the walk.
USER_ROLE_BAND = range(USER_ROLE, USER_ROLE + 51)


@cache
def app_roles() -> frozenset[int]:
    """The custom item data roles the app defines: module-level ints named ``…ROLE…`` at or
    above ``UserRole`` in any module of ``inspector.ui``, found by looking rather than
    listed, so a module that moves or a role that is added is still walked."""
    roles: set[int] = set()
    for info in pkgutil.walk_packages(inspector.ui.__path__, "inspector.ui."):
        if info.name.endswith("__main__"):  # importing it would start the program
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            is_int = isinstance(value, int) and not isinstance(value, bool)
            if "ROLE" in name.upper() and is_int and value >= USER_ROLE:
                roles.add(int(value))
    return frozenset(roles)


def all_roles() -> tuple[int, ...]:
    """Every item data role that exists: Qt's own, the app's, and the band above UserRole."""
    qt_roles = {int(role) for role in Qt.ItemDataRole}
    return tuple(sorted(qt_roles | app_roles() | set(USER_ROLE_BAND)))


ROLES = all_roles()


# --- models ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One role of one index (``path`` is the rows from the top) or of one header section
    (``path`` is ``(-1,)`` for a horizontal header, ``(-2,)`` for a vertical one)."""

    path: tuple[int, ...]
    column: int
    role: int
    text: str


def as_text(value: Any) -> str:
    """A model value as searchable text: strings as they are, anything else both printed
    and repr'd (a QColor, a list, a dict would show a secret either way)."""
    if isinstance(value, str):
        return value
    try:
        return f"{value} {value!r}"
    except Exception:
        return repr(type(value))


def _positions(model: Any, parent: QModelIndex, path: tuple[int, ...]) -> Iterator[Any]:
    """(path, index) of every index under *parent*: a row's columns, then their children."""
    for row in range(model.rowCount(parent)):
        columns = range(model.columnCount(parent))
        row_indexes = [model.index(row, column, parent) for column in columns]
        for index in row_indexes:
            yield (*path, row), index
        for index in row_indexes:
            # Children hang off column 0 in Qt's tree models; any column may have them.
            if model.rowCount(index) > 0:
                yield from _positions(model, index, (*path, row))


def indexes(model: Any, parent: QModelIndex | None = None) -> Iterator[QModelIndex]:
    """Every index of *model* under *parent* (default: all of them), at every depth."""
    start = parent if parent is not None else QModelIndex()
    for _path, index in _positions(model, start, ()):
        yield index


def model_cells(model: Any, roles: Iterable[int] = ROLES) -> list[Cell]:
    """Every non-empty role of every index of *model*, and of its header sections."""
    roles = tuple(roles)
    cells: list[Cell] = []
    for path, index in _positions(model, QModelIndex(), ()):
        for role in roles:
            value = model.data(index, role)
            if value is not None:
                cells.append(Cell(path, index.column(), role, as_text(value)))
    headers = (
        ((-1,), Qt.Orientation.Horizontal, model.columnCount()),
        ((-2,), Qt.Orientation.Vertical, model.rowCount()),
    )
    for path, orientation, count in headers:
        for section in range(count):
            for role in roles:
                value = model.headerData(section, orientation, role)
                if value is not None:
                    cells.append(Cell(path, section, role, as_text(value)))
    return cells


def _with_sources(model: QAbstractItemModel | None) -> Iterator[QAbstractItemModel]:
    """*model*, and the source models behind it when it is a proxy (a filter shows only
    some of its source's rows: the others are walked too)."""
    while model is not None:
        yield model
        model = model.sourceModel() if isinstance(model, QAbstractProxyModel) else None


def _models_of(widget: QWidget) -> list[QAbstractItemModel]:
    found: list[QAbstractItemModel | None] = list(widget.findChildren(QAbstractItemModel))
    if isinstance(widget, QAbstractItemView | QComboBox):
        found.append(widget.model())
    if isinstance(widget, QLineEdit) and widget.completer() is not None:
        found.append(widget.completer().model())
    return [model for model in found if model is not None]


# --- widgets -----------------------------------------------------------------------------


def _own_texts(widget: QWidget, revealed_by_user: bool) -> Iterator[tuple[str, object]]:
    """(what, text) of every text *widget* itself shows or tells a screen reader."""
    yield "title", widget.windowTitle()
    yield "icon text", widget.windowIconText()
    yield "tooltip", widget.toolTip()
    yield "status tip", widget.statusTip()
    yield "what's this", widget.whatsThis()
    yield "accessible name", widget.accessibleName()
    yield "accessible description", widget.accessibleDescription()
    if isinstance(widget, QLabel | QAbstractButton):
        yield "text", widget.text()
    if isinstance(widget, QGroupBox):
        yield "title", widget.title()
    if isinstance(widget, QMenu):
        yield "menu title", widget.title()
    if isinstance(widget, QProgressBar):
        yield "text", widget.text()
    if isinstance(widget, QStatusBar):
        yield "message", widget.currentMessage()
    if isinstance(widget, QMessageBox):
        yield "text", widget.text()
        yield "informative text", widget.informativeText()
        yield "detailed text", widget.detailedText()
    if isinstance(widget, QLineEdit):  # as displayed: a password field shows bullets
        yield "placeholder", widget.placeholderText()
        # A secret field whose Show button the user pressed shows the secret, by design.
        owner = widget.parentWidget()
        shown_on_request = isinstance(owner, SecretLineEdit) and owner.show_action.isChecked()
        if not (revealed_by_user and shown_on_request):
            yield "shown", widget.displayText()
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        yield "text", widget.toPlainText()
        yield "placeholder", widget.placeholderText()
    if isinstance(widget, QComboBox):
        yield "placeholder", widget.placeholderText()
        for i in range(widget.count()):
            yield f"item {i}", widget.itemText(i)
    if isinstance(widget, QTabWidget | QTabBar):
        for i in range(widget.count()):
            yield f"tab {i}", widget.tabText(i)
            yield f"tab {i} tooltip", widget.tabToolTip(i)
            yield f"tab {i} what's this", widget.tabWhatsThis(i)


def _action_texts(action: QAction) -> tuple[str, ...]:
    return (
        action.text(),
        action.iconText(),
        action.toolTip(),
        action.statusTip(),
        action.whatsThis(),
    )


def _name(obj: QObject) -> str:
    return obj.objectName() or type(obj).__name__


# --- the scan ----------------------------------------------------------------------------


def contains(text: str, secret: str) -> bool:
    return secret in text


def shows(text: str, secret: str) -> bool:
    """Whether *text* shows *secret*. Short values ("30", "5432") also occur inside
    timestamps and ids, so for them only a whole text counts."""
    return secret in text if len(secret) >= 6 else text == secret


@dataclass
class Scan:
    """Texts gathered from one surface, each with where it came from."""

    texts: list[tuple[str, str]] = field(default_factory=list)

    def add(self, where: str, text: object) -> None:
        if text is None:
            return
        self.texts.append((where, text if isinstance(text, str) else repr(text)))

    def add_all(self, where: str, texts: Iterable[object]) -> None:
        for text in texts:
            self.add(where, text)

    def leaks(
        self,
        secrets: Iterable[str],
        allowed: Iterable[str] = (),
        match: Callable[[str, str], bool] = contains,
    ) -> list[str]:
        """One line per (secret, place) where a secret occurs outside *allowed* places
        (prefixes of ``where``). The lines name the secret by its first characters only."""
        allowed = tuple(allowed)
        secrets = [secret for secret in secrets if secret]
        found = []
        for where, text in self.texts:
            if not text or any(where.startswith(place) for place in allowed):
                continue
            for secret in secrets:
                if match(text, secret):
                    hint = secret[:4] + "…"
                    at = text.find(secret)
                    context = text[max(0, at - 30) : at + len(secret) + 30] if at >= 0 else text
                    context = context.replace(secret, hint)
                    found.append(f"{hint} in {where}: …{context!r}…")
        return found

    # -- gathering --

    def add_model(self, model: Any, where: str, roles: Iterable[int] = ROLES) -> None:
        for cell in model_cells(model, roles):
            place = "header" if cell.path[0] < 0 else f"row {cell.path}"
            self.add(f"{where} {place} col {cell.column} role {cell.role}", cell.text)

    def add_widget(
        self,
        top: QWidget,
        walked: list[QAbstractItemModel] | None = None,
        *,
        revealed_by_user: bool = False,
        models: bool = True,
    ) -> None:
        """Texts of *top*, its children and actions, and (with *models*) the models they
        show. A model in *walked* is not walked again (a view's header shares its model);
        the models walked here are added to it. With *revealed_by_user*, a secret field
        whose Show button is pressed is left out (it shows the secret on request)."""
        walked = walked if walked is not None else []
        name = _name(top)
        actions: list[QAction] = []
        for widget in [top, *top.findChildren(QWidget)]:
            where = f"{name}/{_name(widget)}"
            for what, text in _own_texts(widget, revealed_by_user):
                self.add(f"{where} {what}", text)
            actions += widget.actions()
            for shown in _models_of(widget) if models else ():
                for model in _with_sources(shown):
                    if all(model is not seen for seen in walked):
                        walked.append(model)
                        self.add_model(model, f"{where} model {_name(model)}")
        actions += top.findChildren(QAction)
        for action in {id(action): action for action in actions}.values():
            self.add_all(f"{name}/action {action.objectName()}", _action_texts(action))

    def add_windows(
        self,
        skip: Iterable[QWidget] = (),
        *,
        first: QWidget | None = None,
        revealed_by_user: bool = False,
    ) -> None:
        """Every top-level widget (windows, dialogs, menus), *first* first (top-level or
        not). The models of the item views in *skip* (and their source models) are left
        out: the caller walks them its own way."""
        walked: list[QAbstractItemModel] = []
        for view in skip:
            if isinstance(view, QAbstractItemView) and view.model() is not None:
                walked += _with_sources(view.model())
        tops = [top for top in QApplication.topLevelWidgets() if top is not first]
        for top in [first, *tops] if first is not None else tops:
            self.add_widget(top, walked, revealed_by_user=revealed_by_user)

    def add_clipboard(self, where: str = "clipboard") -> None:
        """What a paste would get, in every format the clipboard holds."""
        clipboard = QGuiApplication.clipboard()
        text = clipboard.text()
        self.add(where, text)
        mime = clipboard.mimeData()
        for kind in mime.formats() if mime is not None else ():
            data = bytes(mime.data(kind).data()).decode("utf-8", "replace")
            if data != text:  # the plain text itself is already in
                self.add(f"{where} ({kind})", data)
