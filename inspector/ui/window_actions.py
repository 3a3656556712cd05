"""The main window's commands as actions with shortcuts, and the menu bar that lists them.

Kept apart from ``main_window`` so that the window composes panels and this module says
which command lives in which menu, under which key. The tree view owns its own actions
(reveal, copy value, copy as JSON); the menu bar lists them beside the window's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from ..i18n import _
from .credentials_panel import CredentialsPanel
from .source_tree import SourceTreeView

Shortcut = QKeySequence | QKeySequence.StandardKey | None


@dataclass(frozen=True)
class WindowActions:
    browse: QAction
    fetch: QAction
    cancel: QAction
    copy_curl: QAction
    export_bundle: QAction
    network: QAction
    about: QAction
    quit: QAction
    new_profile: QAction
    rename_profile: QAction
    delete_profile: QAction
    sign_in: QAction
    import_tokens: QAction
    connect_help: QAction
    check_endpoints: QAction


def _action(
    window: QMainWindow, text: str, slot: Callable[..., Any], shortcut: Shortcut = None
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(shortcut)
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(slot)
    window.addAction(action)  # the shortcut works whether or not a menu is open
    return action


def _sign_in(window: Any) -> None:
    # The dialogs are imported when first opened: most sessions never sign in.
    from .signin_dialog import open_sign_in

    open_sign_in(window)


def _import_tokens(window: Any) -> None:
    from .import_dialog import open_import

    open_import(window)


def _connect_help(window: Any) -> None:
    from .connect_help import show_connect_help

    show_connect_help(window)


def _update_check(window: Any, action: QAction) -> None:
    from .check_dialog import update_check_action

    update_check_action(window, action)


def _check_endpoints(window: Any) -> None:
    from .check_dialog import open_check

    open_check(window)


def install_actions(window: Any, panel: CredentialsPanel, tree: SourceTreeView) -> WindowActions:
    """Make the window's actions, fill its menu bar, and give the tree's menu its extras.

    *window* is the ``MainWindow`` (typed loosely: it imports this module).
    """
    ctrl, alt = Qt.Modifier.CTRL, Qt.Modifier.ALT
    actions = WindowActions(
        browse=_action(
            window, "&Browse sources…", window.browse_sources, QKeySequence(ctrl | Qt.Key.Key_L)
        ),
        fetch=_action(window, "&Fetch", window.fetch, QKeySequence(Qt.Key.Key_F5)),
        cancel=_action(window, "&Cancel request", window.cancel, QKeySequence(Qt.Key.Key_Escape)),
        copy_curl=_action(
            window,
            "Copy as c&URL (secret left out)",
            window.copy_curl,
            QKeySequence(ctrl | alt | Qt.Key.Key_C),
        ),
        export_bundle=_action(
            window,
            "&Export support bundle…",
            window.export_support_bundle,
            QKeySequence(ctrl | Qt.Key.Key_E),
        ),
        network=_action(window, "&Network settings…", window.edit_network_settings),
        about=_action(window, "&About", window.show_about),
        quit=_action(window, "&Quit", window.close, QKeySequence(QKeySequence.StandardKey.Quit)),
        new_profile=_action(window, "&New profile…", panel.new_profile),
        rename_profile=_action(window, "&Rename profile…", panel.rename_profile),
        delete_profile=_action(window, "&Delete profile…", panel.delete_profile),
        sign_in=_action(window, "Si&gn in with browser…", lambda: _sign_in(window)),
        import_tokens=_action(window, "I&mport tokens…", lambda: _import_tokens(window)),
        connect_help=_action(
            window,
            "&Connect to your portal",
            lambda: _connect_help(window),
            QKeySequence.StandardKey.HelpContents,
        ),
        check_endpoints=_action(
            window,
            _("Check e&ndpoints…"),
            lambda: _check_endpoints(window),
            QKeySequence(ctrl | Qt.Key.Key_K),
        ),
    )
    # Enabled while a source and its connector are shown (``check_dialog.checkable``).
    actions.check_endpoints.setEnabled(False)
    actions.check_endpoints.setToolTip(
        _("Call the shown source's connector endpoints the way Bitrix24 does")
    )
    for signal in (window.fetch_done, window.connector_done, panel.profile_changed):
        signal.connect(lambda *_args: _update_check(window, actions.check_endpoints))
    panel.form.sign_in_requested.connect(actions.sign_in.trigger)
    panel.form.import_requested.connect(actions.import_tokens.trigger)

    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(actions.export_bundle)
    file_menu.addSeparator()
    file_menu.addAction(actions.quit)
    edit_menu = bar.addMenu("&Edit")
    for action in (tree.reveal_action, tree.copy_value_action, tree.copy_json_action):
        edit_menu.addAction(action)
    edit_menu.addAction(actions.copy_curl)
    source_menu = bar.addMenu("&Source")
    for action in (actions.browse, actions.fetch, actions.cancel, actions.check_endpoints):
        source_menu.addAction(action)
    profile_menu = bar.addMenu("&Profile")
    for action in (
        actions.new_profile,
        actions.rename_profile,
        actions.delete_profile,
        actions.network,
    ):
        profile_menu.addAction(action)
    profile_menu.addSeparator()
    profile_menu.addAction(actions.sign_in)
    profile_menu.addAction(actions.import_tokens)
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(actions.connect_help)
    help_menu.addAction(actions.about)
    tree.extra_menu_actions = [actions.copy_curl, actions.export_bundle]
    return actions
