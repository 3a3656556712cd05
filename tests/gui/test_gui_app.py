"""The QApplication set-up the entry point calls first, and the window's accessibility."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QTreeView

from inspector.ui import MainWindow
from inspector.ui.app import create_application

from .gui_helpers import run_fresh


def test_create_application_names_the_app(qapp: QApplication) -> None:
    app = create_application(["b24-inspector"])
    assert app is qapp  # the existing application is reused, never a second one
    assert app.applicationName() == "b24-inspector"
    assert app.organizationName()
    assert app.desktopFileName() == "b24-inspector"
    assert not app.windowIcon().isNull()


def test_main_widgets_have_accessible_names(qtbot: Any) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    edit = window.findChild(QLineEdit, "sourceIdEdit")
    fetch = window.findChild(QPushButton, "fetchButton")
    tree = window.findChild(QTreeView, "sourceTree")
    assert edit is not None and fetch is not None and tree is not None
    for widget in (
        edit,
        fetch,
        tree,
        window.cancel_button,
        window.status_line,
        window.busy_indicator,
        window.credentials_panel.webhook_field.edit,
        window.credentials_panel.webhook_field.show_button,
        window.credentials_panel.keychain_label,
    ):
        # What a screen reader reads: the set name, or for a label its text.
        interface = QAccessible.queryAccessibleInterface(widget)
        assert interface is not None and interface.text(QAccessible.Text.Name), widget.objectName()
    assert window.credentials_panel.webhook_field.show_button.accessibleName() == (
        "Show the webhook URL (it contains the secret code)"
    )


def test_the_gui_thread_imports_neither_httpx_nor_keyring_for_the_first_paint(
    tmp_path: Any,
) -> None:
    """Both cost as much start-up time as Qt itself: the worker imports httpx on its first
    request, and the keychain is read on a thread of its own. The request machinery waits
    for its first use too; the dialogs are cheap and imported with the window."""

    script = textwrap.dedent(
        """
        import sys, threading
        heavy = (
            "httpx",
            "keyring",
            "inspector.core.client",
            # The request machinery, which leads to httpx, is made on first use:
            "inspector.ui.fetch_worker",
            "inspector.ui.source_requests",
            "inspector.ui.source_picker",
            # The outline and the records it reads come with the first source:
            "inspector.core.outline",
            "inspector.core.model",
            "inspector.core.connector",
            # TLS trust (ssl, truststore) is loaded with the client or the network dialog:
            "ssl",
            "inspector.ui.network_dialog",
            # Copying and exporting wait for the first copy or export:
            "inspector.ui.copy_export",
            # The message area waits for the first failure, proxies for a proxy setting:
            "inspector.ui.message_area",
            "inspector.core.proxies",
        )
        on_gui_thread = set()

        class Watch:
            def find_spec(self, name, path=None, target=None):
                if name in heavy and threading.current_thread() is threading.main_thread():
                    on_gui_thread.add(name)
                return None

        sys.meta_path.insert(0, Watch())
        from PySide6 import QtCore
        from PySide6.QtCore import QTimer
        from inspector.ui.app import create_application
        app = create_application(sys.argv[:1])
        from inspector.ui import MainWindow
        window = MainWindow()
        window.show()
        at_ready = []

        def on_ready():
            at_ready.append("Qt" in vars(QtCore))
            QTimer.singleShot(0, app.quit)

        window.credentials_panel.ready.connect(on_ready)
        app.exec()
        print("STARTED", window.credentials_panel.started)
        print("GUI THREAD", sorted(on_gui_thread))
        print("KEYRING", "keyring" in sys.modules)
        print("QT NAMESPACE", at_ready)
        """
    )
    done = run_fresh(script, tmp_path)
    assert "STARTED True" in done.stdout
    assert "GUI THREAD []" in done.stdout
    assert "KEYRING False" in done.stdout  # it was read: by the helper process
    assert "QT NAMESPACE [False]" in done.stdout  # 15-25 ms of enums: see qt_namespace


def probe_start(
    tmp_path: Any, arguments: list[str], env_changes: dict[str, str | None]
) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    """Start the window as a user does, with the start-up probe: its marks (paint, ready,
    the heavy modules loaded by then) and the finished process. *env_changes*: variables
    to set, or with None to remove."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / ".config"),
        B24_INSPECTOR_STARTUP_PROBE="1",
    )
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    done = subprocess.run(
        [sys.executable, "-m", "inspector", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    marks = json.loads(done.stdout.strip().splitlines()[-1])
    assert marks["ready"] >= marks["paint"] > 0
    return marks, done


@pytest.mark.parametrize(
    ("arguments", "after"),
    [([], "ready"), (["--demo", "--fetch", "7"], "the fetch and its connector lookup")],
    ids=["plain", "fetch"],
)
def test_the_collector_sleeps_through_the_start_and_wakes_after_it(
    tmp_path: Any, arguments: list[str], after: str
) -> None:
    # Off while the start makes its lasting objects (core.collector), and on again once
    # the start's work is done: a collector left off would never free a cycle again.
    script = textwrap.dedent(
        f"""
        import gc, sys
        from PySide6.QtWidgets import QApplication
        from inspector.ui import launch
        from inspector.__main__ import main

        def resumed():
            window = next(w for w in QApplication.topLevelWidgets() if w.isVisible())
            record = window.last_request
            fetched = record is not None and record.source is not None
            print("PAUSED", not gc.isenabled(), "READY", window.credentials_panel.started)
            print("FETCHED", fetched, "CONNECTOR", fetched and record.report is not None)
            real_resume()
            print("RUNNING", gc.isenabled(), "FROZEN", gc.get_freeze_count() > 10_000)
            QApplication.exit(0)

        real_resume, launch.resume_after_start = launch.resume_after_start, resumed
        sys.exit(main({arguments!r}))
        """
    )
    done = run_fresh(script, tmp_path, webhook="https://env.example.com/rest/7/env-c0de-123/")
    assert "PAUSED True READY True" in done.stdout, after
    fetching = bool(arguments)
    assert f"FETCHED {fetching} CONNECTOR {fetching}" in done.stdout, after
    assert "RUNNING True FROZEN True" in done.stdout


@pytest.mark.parametrize(
    ("arguments", "webhook", "in_process", "keyring_loaded"),
    [
        (["--demo"], None, False, False),
        ([], "https://env.example.com/rest/7/env-c0de-123/", False, False),
        # A saved credential is looked for: the helper process reads the keychain...
        ([], None, False, False),
        # ...unless told not to (as frozen executables do): then a thread of the window's.
        ([], None, True, True),
    ],
    ids=["demo", "environment", "keychain", "keychain-in-process"],
)
def test_a_session_credential_starts_without_keyring(
    tmp_path: Any,
    arguments: list[str],
    webhook: str | None,
    in_process: bool,
    keyring_loaded: bool,
) -> None:
    marks, done = probe_start(
        tmp_path,
        arguments,
        {
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "B24_WEBHOOK_URL": webhook,
            "B24_INSPECTOR_KEYCHAIN_IN_PROCESS": "1" if in_process else None,
        },
    )
    assert ("keyring" in marks["loaded"]) is keyring_loaded
    assert marks["qt_namespace"] is False  # built once ready (see qt_namespace)
    assert "env-c0de-123" not in done.stdout + done.stderr


@pytest.mark.parametrize("in_process", [False, True], ids=["own-process", "in-process"])
def test_the_demo_portal_runs_beside_the_window(tmp_path: Any, in_process: bool) -> None:
    # Its HTTP server's modules (ssl among them) stay out of the window's process, unless
    # told otherwise (as frozen executables are); the demo works either way.
    marks, _done = probe_start(
        tmp_path, ["--demo"], {"B24_INSPECTOR_DEMO_IN_PROCESS": "1" if in_process else None}
    )
    assert ("ssl" in marks["loaded"]) is in_process


def test_menus_offer_every_action_with_its_shortcut(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    menus = {
        action.text(): [(a.text(), a.shortcut().toString()) for a in action.menu().actions()]
        for action in window.menuBar().actions()
    }
    assert menus["&File"][0] == ("&Export support bundle…", "Ctrl+E")
    assert ("Copy as c&URL (secret left out)", "Ctrl+Alt+C") in menus["&Edit"]
    assert ("&Reveal value", "Ctrl+R") in menus["&Edit"]
    assert menus["&Source"] == [
        ("&Browse sources…", "Ctrl+L"),
        ("&Fetch", "F5"),
        ("&Cancel request", "Esc"),
        ("Check e&ndpoints…", "Ctrl+K"),
    ]
    assert [text for text, _key in menus["&Profile"]] == [
        "&New profile…",
        "&Rename profile…",
        "&Delete profile…",
        "Net&work settings…",
        "",
        "Si&gn in with browser…",
        "I&mport tokens…",
    ]
    assert [text for text, _key in menus["&Help"]] == ["&Connect to your portal", "&About"]


def test_about_says_where_secrets_live(qtbot: Any, make_window: Any, settings: Any) -> None:
    from PySide6.QtCore import Qt

    window = make_window()
    window.show_about()
    box = window.about_box
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.text().startswith("Bitrix24 BI Source Inspector ")
    details = box.informativeText()
    assert "kept in Memory keychain, service “b24-inspector”, one entry per profile" in details
    assert settings.fileName() in details
    box.accept()
