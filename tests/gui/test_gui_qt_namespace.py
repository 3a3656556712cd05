"""What keeps PySide's ``Qt`` namespace (15-25 ms of Python enums) out of the window's start
(``inspector.ui.qt_namespace``): enum properties set by their keys' names, the model's roles
as Qt's ints, the header hidden while the tree is empty, and the namespace built on the GUI
thread once the window is ready, before the warm-up thread starts."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QLineEdit

from inspector.core.model import parse_source
from inspector.ui import source_tree_model
from inspector.ui.qt_namespace import set_enum, shortcut
from inspector.ui.source_tree import SourceTreeView

from .gui_helpers import run_fresh
from .test_gui_outline import many_settings

ENV_WEBHOOK = "https://env.example.com/rest/7/env-c0de-123/"


def test_set_enum_sets_a_key_and_flags_by_name(qtbot: Any) -> None:
    label = QLabel()
    edit = QLineEdit()
    qtbot.addWidget(label)
    qtbot.addWidget(edit)
    set_enum(label, "textFormat", "PlainText")
    set_enum(edit, "inputMethodHints", "ImhSensitiveData|ImhNoPredictiveText")
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert edit.inputMethodHints() == (
        Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
    )


@pytest.mark.parametrize(
    ("name", "keys"),
    [("textFormat", "Plain"), ("textFormatt", "PlainText"), ("alignment", "AlignNowhere")],
)
def test_set_enum_refuses_what_qt_does_not_know(qtbot: Any, name: str, keys: str) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    label.setTextFormat(Qt.TextFormat.PlainText)
    with pytest.raises(ValueError, match="QLabel"):
        set_enum(label, name, keys)
    assert label.textFormat() == Qt.TextFormat.PlainText  # unchanged


def test_shortcuts_written_as_text_are_the_keys_qt_names() -> None:
    """Portable text: Ctrl is what ``Qt.Modifier.CTRL`` is (Command on macOS)."""
    ctrl, shift, alt = Qt.Modifier.CTRL, Qt.Modifier.SHIFT, Qt.Modifier.ALT
    assert shortcut("Ctrl+Shift+C") == QKeySequence(ctrl | shift | Qt.Key.Key_C)
    assert shortcut("Ctrl+Alt+C") == QKeySequence(ctrl | alt | Qt.Key.Key_C)
    assert shortcut("Esc") == QKeySequence(Qt.Key.Key_Escape)
    assert shortcut("F5") == QKeySequence(Qt.Key.Key_F5)


def test_the_model_answers_qts_own_role_numbers() -> None:
    role = Qt.ItemDataRole
    model = source_tree_model
    assert role.DisplayRole == model._DISPLAY
    assert role.FontRole == model._FONT
    assert role.ForegroundRole == model._FOREGROUND
    assert role.ToolTipRole == model._TOOLTIP
    assert role.AccessibleTextRole == model._ACCESSIBLE_TEXT


def test_the_header_shows_with_a_source_only(qtbot: Any) -> None:
    view = SourceTreeView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    assert view.isHeaderHidden()
    view.show_source(parse_source(many_settings(3)))
    assert not view.isHeaderHidden()
    model = view.model()
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)]
    assert titles == ["Field", "Value", "Type"]
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    view.source_model.clear()
    assert view.isHeaderHidden()


def test_the_namespace_is_built_on_the_gui_thread_before_the_warm_up_thread(
    tmp_path: Any,
) -> None:
    """Built once the window is painted and ready, and before any other thread may touch
    it: PySide's lazy build is not safe from two threads at once."""
    script = """
        import sys, threading
        from PySide6 import QtCore
        from PySide6.QtCore import QTimer
        from inspector.ui.app import create_application
        app = create_application(sys.argv[:1])
        from inspector.ui import launch
        from inspector.ui.main_window import MainWindow

        original = launch.import_in_background
        seen = {}

        def watched(names):
            seen["qt"] = "Qt" in vars(QtCore)
            seen["gui thread"] = threading.current_thread() is threading.main_thread()
            seen["ready"] = window.credentials_panel.started
            original(names)
            QTimer.singleShot(0, app.quit)

        launch.import_in_background = watched
        window = MainWindow()
        launch.warm_up_after_ready(window)
        window.show()
        QTimer.singleShot(20000, app.quit)  # a warm-up that never comes fails below
        app.exec()
        print("AT WARM-UP", sorted(seen.items()))
    """
    done = run_fresh(script, tmp_path, webhook=ENV_WEBHOOK)
    assert "AT WARM-UP [('gui thread', True), ('qt', True), ('ready', True)]" in done.stdout
    assert "env-c0de-123" not in done.stdout + done.stderr


def test_a_first_fetch_before_the_warm_up_builds_the_namespace_a_turn_ahead(
    tmp_path: Any,
) -> None:
    """``--fetch``'s case: the namespace in one turn, the request a turn later (together
    they held the window up to 50 ms); a cancel in between drops the request."""
    script = """
        import sys
        from PySide6 import QtCore
        from PySide6.QtCore import QTimer
        from inspector.ui.app import create_application
        app = create_application(sys.argv[:1])
        from inspector.demo.portal import DemoPortal
        from inspector.ui import MainWindow

        portal = DemoPortal().start()
        window = MainWindow(demo=portal)
        window.show()
        seen = []

        def first():
            seen.append(("built before", "Qt" in vars(QtCore)))
            window.fetch(6)
            seen.append(("built", "Qt" in vars(QtCore)))
            seen.append(("request machinery", window._requests is not None))
            window.cancel()  # before the deferred turn: nothing is sent
            QTimer.singleShot(200, second)

        def second():
            seen.append(("after cancel", window._requests is not None))
            window.fetch_done.connect(lambda: (seen.append(("fetched", True)), app.quit()))
            window.fetch(6)

        QTimer.singleShot(0, first)
        QTimer.singleShot(20000, app.quit)
        app.exec()
        record = window.last_request
        seen.append(("shown", record is not None and record.source is not None))
        portal.stop()
        print("SEEN", seen)
    """
    done = run_fresh(script, tmp_path)
    assert (
        "SEEN [('built before', False), ('built', True), ('request machinery', False), "
        "('after cancel', False), ('fetched', True), ('shown', True)]"
    ) in done.stdout


def test_the_warm_up_thread_makes_no_pyside_class(tmp_path: Any) -> None:
    """What the warm-up thread imports must find every PySide class it names already made
    on the GUI thread: PySide makes a class at its first use, and not safely from two
    threads at once (see qt_namespace). A module added to ``REQUEST_MODULES`` that names
    a class the start does not use fails here; make that class before the warm-up."""
    script = """
        import importlib, sys
        from inspector.ui import launch
        from inspector.ui.app import create_application
        from inspector.ui.main_window import MainWindow

        app = create_application(sys.argv[:1])
        window = MainWindow()
        window.show()
        app.processEvents()
        launch.make_shared_classes()  # as WarmUp does before it starts the thread

        def made():
            modules = [m for n, m in sys.modules.items() if n.startswith("PySide6.Qt")]
            return {
                (module.__name__, name)
                for module in modules
                for name, value in vars(module).items()
                if isinstance(value, type)
            }

        before = made()
        for name in launch.REQUEST_MODULES:
            importlib.import_module(name)
        print("MADE BY THE WARM-UP", sorted(made() - before))
    """
    done = run_fresh(script, tmp_path, webhook=ENV_WEBHOOK)
    assert "MADE BY THE WARM-UP []" in done.stdout
