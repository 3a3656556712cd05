"""The main window's commands as actions with shortcuts, and the menu bar that lists them.

Kept apart from ``main_window`` so that the window composes panels and this module says
which command lives in which menu, under which key. The tree view owns its own actions
(reveal, copy value, copy as JSON); the menu bar lists them beside the window's.

Mnemonics are unique within the menu bar and each menu, and the menu bar's do not clash with
the window's labels and buttons (File is Alt+F; Fetch is Alt+C): the accessibility test
checks it. View ▸ Theme and View ▸ Language are exclusive choices kept in the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu

from ..i18n import _
from .credentials_panel import CredentialsPanel
from .language import (
    LANGUAGE_CHOICES,
    app_display_name,
    language_label,
    save_language,
    saved_language,
)
from .qt_namespace import shortcut as qt_shortcut
from .settings_file import save_settings
from .source_tree import SourceTreeView
from .theme import THEME_KEY, THEME_LABELS, ThemeChoice, apply_theme

Shortcut = str | QKeySequence.StandardKey | None
"""Keys in Qt's portable form (``"Ctrl+L"``), or a platform's standard key (``qt_namespace``)."""
Choice = TypeVar("Choice", bound=str)


class WindowActions(NamedTuple):
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
    themes: dict[ThemeChoice, QAction]
    languages: dict[str, QAction]


def _action(
    window: QMainWindow, text: str, slot: Callable[..., Any], shortcut: Shortcut = None
) -> QAction:
    action = QAction(text, window)  # a window shortcut, Qt's default for an action
    if shortcut is not None:
        # setShortcuts: setShortcut's overloads make PySide build the Qt namespace.
        keys = qt_shortcut(shortcut) if isinstance(shortcut, str) else QKeySequence(shortcut)
        action.setShortcuts([keys])
    action.triggered.connect(slot)
    window.addAction(action)  # the shortcut works whether or not a menu is open
    return action


def _choices(
    window: QMainWindow,
    labels: dict[Choice, str],
    current: Choice,
    choose: Callable[[Choice], None],
) -> dict[Choice, QAction]:
    """One checkable action per choice, exclusive, *current* checked."""
    group = QActionGroup(window)
    group.setExclusive(True)
    made: dict[Choice, QAction] = {}
    for choice, label in labels.items():
        action = QAction(label, group)
        action.setCheckable(True)
        action.setChecked(choice == current)
        action.triggered.connect(lambda _checked=False, chosen=choice: choose(chosen))
        made[choice] = action
    return made


def _add_choices(menu: QMenu, actions: Any) -> None:
    for action in actions:
        menu.addAction(action)


def choose_theme(window: Any, choice: ThemeChoice) -> None:
    """View ▸ Theme: draw the window in *choice* now, and keep it for the next start."""
    window.settings.setValue(THEME_KEY, choice.value)
    save_settings(window.settings)
    app = QApplication.instance()
    if isinstance(app, QApplication):
        apply_theme(app, choice)


def choose_language(window: Any, choice: str) -> None:
    """View ▸ Language: keep *choice* for the next start (every widget is built in one
    language), and say so."""
    if choice == saved_language(window.settings):
        return
    save_language(window.settings, choice)
    save_settings(window.settings)
    window.status_line.setText(
        _("The language will change when you restart {app}.").format(app=app_display_name())
    )


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
    # Not check_dialog's to say: after each fetch, its import would cost more than the answer.
    record = window.last_request
    action.setEnabled(record is not None and record.checkable() is not None)


def _check_endpoints(window: Any) -> None:
    from .check_dialog import open_check

    open_check(window)


def install_actions(window: Any, panel: CredentialsPanel, tree: SourceTreeView) -> WindowActions:
    """Make the window's actions, fill its menu bar, and give the tree's menu its extras.

    *window* is the ``MainWindow`` (typed loosely: it imports this module).
    """
    actions = WindowActions(
        browse=_action(
            window,
            _("&Browse sources…"),
            window.browse_sources,
            "Ctrl+L",
        ),
        fetch=_action(window, _("&Fetch"), window.fetch, "F5"),
        cancel=_action(window, _("&Cancel request"), window.cancel, "Esc"),
        copy_curl=_action(
            window,
            _("Copy as c&URL (secret left out)"),
            window.copy_curl,
            "Ctrl+Alt+C",
        ),
        export_bundle=_action(
            window,
            _("&Export support bundle…"),
            window.export_support_bundle,
            "Ctrl+E",
        ),
        network=_action(window, _("Net&work settings…"), window.edit_network_settings),
        about=_action(window, _("&About"), window.show_about),
        quit=_action(window, _("&Quit"), window.close, QKeySequence.StandardKey.Quit),
        new_profile=_action(window, _("&New profile…"), panel.new_profile),
        rename_profile=_action(window, _("&Rename profile…"), panel.rename_profile),
        delete_profile=_action(window, _("&Delete profile…"), panel.delete_profile),
        sign_in=_action(window, _("Si&gn in with browser…"), lambda: _sign_in(window)),
        import_tokens=_action(window, _("I&mport tokens…"), lambda: _import_tokens(window)),
        connect_help=_action(
            window,
            _("&Connect to your portal"),
            lambda: _connect_help(window),
            QKeySequence.StandardKey.HelpContents,
        ),
        check_endpoints=_action(
            window,
            _("Check e&ndpoints…"),
            lambda: _check_endpoints(window),
            "Ctrl+K",
        ),
        themes=_choices(
            window,
            {choice: _(label) for choice, label in THEME_LABELS.items()},
            window.theme_choice,
            lambda choice: choose_theme(window, choice),
        ),
        languages=_choices(
            window,
            {choice: language_label(choice) for choice in LANGUAGE_CHOICES},
            saved_language(window.settings),
            lambda choice: choose_language(window, choice),
        ),
    )
    # Enabled while a source and its connector are shown (``RequestRecord.checkable``).
    actions.check_endpoints.setEnabled(False)
    actions.check_endpoints.setToolTip(
        _("Call the shown source's connector endpoints the way Bitrix24 does")
    )
    for signal in (window.fetch_done, window.connector_done, panel.profile_changed):
        signal.connect(lambda *_args: _update_check(window, actions.check_endpoints))
    panel.form.sign_in_requested.connect(actions.sign_in.trigger)
    panel.form.import_requested.connect(actions.import_tokens.trigger)

    bar = window.menuBar()
    file_menu = bar.addMenu(_("&File"))
    file_menu.addAction(actions.export_bundle)
    file_menu.addSeparator()
    file_menu.addAction(actions.quit)
    edit_menu = bar.addMenu(_("&Edit"))
    for action in (tree.reveal_action, tree.copy_value_action, tree.copy_json_action):
        edit_menu.addAction(action)
    edit_menu.addAction(actions.copy_curl)
    source_menu = bar.addMenu(_("&Source"))
    for action in (actions.browse, actions.fetch, actions.cancel, actions.check_endpoints):
        source_menu.addAction(action)
    profile_menu = bar.addMenu(_("&Profile"))
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
    view_menu = bar.addMenu(_("&View"))
    _add_choices(view_menu.addMenu(_("&Theme")), actions.themes.values())
    _add_choices(view_menu.addMenu(_("&Language")), actions.languages.values())
    help_menu = bar.addMenu(_("&Help"))
    help_menu.addAction(actions.connect_help)
    help_menu.addAction(actions.about)
    tree.extra_menu_actions = [actions.copy_curl, actions.export_bundle]
    return actions
