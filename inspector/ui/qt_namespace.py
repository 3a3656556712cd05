"""Keep PySide's ``Qt`` namespace out of the window's start, and build it when it is due.

PySide makes the ``Qt`` namespace's Python enums (99 of them, about 1,200 members) all at
once, the first time anything names ``Qt``: 15-25 ms, the biggest single cost of the
window's start beyond a bare window's. So nothing the window does before it is ready names
it:

* a widget's enum property is set by the name of its key (``set_enum``): Qt's property
  system converts the name itself;
* a shortcut is written as text (``shortcut("Ctrl+R")``) and given with ``setShortcuts``,
  whose overloads PySide tells apart without ``Qt``;
* the tree's model answers the roles as the ints Qt passes, and its header is hidden while
  it is empty (``headerData`` is handed a ``Qt.Orientation``);
* other uses import ``Qt`` inside the function that runs after the start.

``build_qt_namespace`` then builds it on the GUI thread, once the window is ready and
before any thread of the program may: PySide's lazy build is not safe from two threads at
once (a second thread was seen to get ``Qt`` without its enums).
"""

from __future__ import annotations

from PySide6 import QtCore
from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence


def set_enum(target: QObject, name: str, keys: str) -> None:
    """Set *target*'s enum or flags property *name* by its key (``"PlainText"``) or keys
    joined with ``|``; a name or key Qt does not know raises ``ValueError``."""
    if not target.setProperty(name, keys):
        raise ValueError(f"{type(target).__name__} has no {name} property with {keys!r}")


def shortcut(keys: str) -> QKeySequence:
    """*keys* in Qt's portable form (``"Ctrl+Shift+C"``): Ctrl is Command on macOS, as
    ``Qt.Modifier.CTRL`` is. (A bare ``QKeySequence(text)`` reads the platform's own form,
    where "Ctrl" is the Control key on macOS.)"""
    return QKeySequence(keys, QKeySequence.SequenceFormat.PortableText)


def qt_namespace_built() -> bool:
    return "Qt" in vars(QtCore)  # PySide puts a lazily made class there once it is made


def build_qt_namespace() -> None:
    """Make PySide build the ``Qt`` namespace now (on the GUI thread, once it is ready)."""
    from PySide6.QtCore import Qt  # noqa: F401 - importing it is what builds it
