"""What the window leaves behind and what it shows of a portal (issue 10, findings 2, 8, 9).

* 2. A revealed value copied to the clipboard is marked for clipboard managers to skip
  and is cleared when the window closes, unless the user copied something else since.
* 8. A look-alike host (Latin mixed with Cyrillic) is shown in its ASCII form, with a
  warning, in the window title, the status line and the credential check; and in the
  CLI's plain-http warning.
* 9. The support bundle and the settings file are 0600 (folder 0700); a bundle that
  cannot be written whole (the disk fills mid-way) leaves nothing, and says so; a
  settings file that cannot be written is told in the status line, not lost silently.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from servers import ScriptedServer

from faults.fault_kit import (
    CODE,
    CONNECTOR,
    PASSWORD,
    REPO,
    cli_command,
    cli_environment,
    json_reply,
    ok_payload,
    route,
)
from faults.fault_window import (
    assert_usable,
    enter_credential,
    everything,
    fetch_and_wait,
    options_for,
)
from faults.fault_window import wait_connector as connector_looked_up
from inspector.ui.copy_export import SECRET_MIME_HINTS

LOOK_ALIKE = "exаmple.bitrix24.ru"  # the second letter "а" is Cyrillic
LOOK_ALIKE_ASCII = "xn--exmple-4nf.bitrix24.ru"


@pytest.fixture(scope="module")
def portal() -> Iterator[ScriptedServer]:
    with ScriptedServer(route(json_reply(ok_payload()), json_reply(CONNECTOR))) as server:
        yield server


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextlib.contextmanager
def disk_fills_after(limit: int) -> Iterator[None]:
    """Any file this process writes fails past *limit* bytes (EFBIG), as a full disk
    fails a write mid-way: a real kernel error, not a mock."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def shown_window(make_window: Any, qtbot: Any, portal: ScriptedServer, **kwargs: Any) -> Any:
    window = make_window(**kwargs)
    window.request_options = options_for(_no_tls())
    enter_credential(window, "webhook", portal.url)
    fetch_and_wait(qtbot, window, 6, 10)
    connector_looked_up(qtbot, window)
    assert window.status_line.text().startswith("Source 6"), window.status_line.text()
    return window


def copy_revealed_password(window: Any) -> None:
    tree = window.source_tree
    model = tree.model()
    for index in _walk(model):
        position = tree.source_model.setting_of_row(index)
        if position is not None and tree.source_model.setting_label(position).startswith(
            "Password"
        ):
            tree.setCurrentIndex(index)
            tree.reveal_action.trigger()
            tree.copy_value_action.trigger()
            return
    raise AssertionError("no Password setting shown")


def _walk(model: Any, parent: Any = None) -> Iterator[Any]:
    from PySide6.QtCore import QModelIndex

    parent = parent if parent is not None else QModelIndex()
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        yield index
        yield from _walk(model, index)


# --- 2. the clipboard ------------------------------------------------------------------------


def test_a_copied_secret_is_marked_and_cleared_when_the_window_closes(
    make_window: Any, qtbot: Any, portal: ScriptedServer, ledger: Any
) -> None:
    with ledger.case("window/clipboard-secret-outlives-the-window"):
        window = shown_window(make_window, qtbot, portal)
        copy_revealed_password(window)
        clipboard = QGuiApplication.clipboard()
        assert clipboard.text() == PASSWORD
        data = clipboard.mimeData()
        for kind, value in SECRET_MIME_HINTS.items():
            assert data.hasFormat(kind), kind
            assert bytes(data.data(kind).data()) == value, kind
        assert bytes(data.data("x-kde-passwordManagerHint").data()) == b"secret"
        assert bytes(
            data.data('application/x-qt-windows-mime;value="CanIncludeInClipboardHistory"').data()
        ) == (b"\x00" * 4)
        assert window.source_tree.clipboard_clear_timer.isActive()  # well within its 30 s
        window.close()
        assert PASSWORD not in clipboard.text()
        assert clipboard.text() == ""


def test_closing_keeps_what_the_user_copied_since(
    make_window: Any, qtbot: Any, portal: ScriptedServer, ledger: Any
) -> None:
    with ledger.case("window/clipboard-close-keeps-the-users-own-copy"):
        window = shown_window(make_window, qtbot, portal)
        copy_revealed_password(window)
        clipboard = QGuiApplication.clipboard()
        clipboard.setText("the user's own note")
        window.close()
        assert clipboard.text() == "the user's own note"
        clipboard.clear()


# --- 8. look-alike hosts ---------------------------------------------------------------------


def test_the_window_shows_a_look_alike_host_in_ascii_with_a_warning(
    make_window: Any, qtbot: Any, ledger: Any, app_logs: list[str], home: Path
) -> None:
    with ledger.case("window/look-alike-host") as record:
        window = make_window()
        window.request_options = options_for(_no_tls())
        enter_credential(window, "webhook", f"https://{LOOK_ALIKE}")
        title = window.windowTitle()
        assert title.endswith(f"— {LOOK_ALIKE_ASCII}"), title
        status = window.status_line.text()
        assert LOOK_ALIKE_ASCII in status and "could pass for another site" in status
        check = window.credentials_panel.feedback_label.text()
        assert LOOK_ALIKE_ASCII in check and "could pass for another site" in check
        with qtbot.waitSignal(window.fetch_done, timeout=10_000):
            window.fetch(6)
            assert f"from {LOOK_ALIKE_ASCII}" in window.status_line.text()
        for text in (window.windowTitle(), check, window.credentials_panel.keychain_label.text()):
            assert LOOK_ALIKE not in text
        assert_usable(window)
        record.no_leaks(everything(window, app_logs, home, clipboard=False))


def test_the_cli_names_a_look_alike_host_in_ascii(tmp_path: Path, ledger: Any) -> None:
    with ledger.case("cli/look-alike-host"):
        done = subprocess.run(
            cli_command("get", "6", "--webhook-url", f"http://{LOOK_ALIKE}/rest/1/{CODE}/"),
            env=cli_environment(tmp_path),
            cwd=REPO,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
        )
        warning = [line for line in done.stderr.splitlines() if "plain http://" in line]
        assert warning and LOOK_ALIKE_ASCII in warning[0], done.stderr
        assert LOOK_ALIKE not in done.stderr  # the error message names the ASCII form too
        assert any("could pass for another site" in line for line in done.stderr.splitlines())
        assert CODE not in done.stdout + done.stderr
        assert "Traceback" not in done.stderr


# --- 9. files ------------------------------------------------------------------------------


def test_the_bundle_is_private_and_a_full_disk_leaves_nothing(
    make_window: Any, qtbot: Any, portal: ScriptedServer, ledger: Any, tmp_path: Path
) -> None:
    with ledger.case("window/bundle-on-a-full-disk"):
        window = shown_window(make_window, qtbot, portal)
        folder = tmp_path / "exports"
        folder.mkdir()
        written = window.export_support_bundle(str(folder / "bundle.json"))
        assert written and mode(Path(written)) == 0o600

        full = folder / "full.json"
        with disk_fills_after(512):
            assert window.export_support_bundle(str(full)) is None
        status = window.status_line.text()
        assert status.startswith("Could not save the support bundle:"), status
        assert "full.json was not written" in status
        assert sorted(os.listdir(folder)) == ["bundle.json"]  # no 0-byte, partial or temp file
        assert_usable(window)


def test_the_settings_file_is_private(
    make_window: Any, qtbot: Any, portal: ScriptedServer, ledger: Any, settings_path: Path
) -> None:
    with ledger.case("window/settings-file-mode"):
        # What an older version left: a 0755 folder and a 0644 file.
        settings_path.parent.mkdir(parents=True, exist_ok=True)
        settings_path.parent.chmod(0o755)
        settings_path.write_text("[window]\n")
        settings_path.chmod(0o644)
        settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
        shown_window(make_window, qtbot, portal, settings=settings)  # remembers ID 6
        assert "6" in settings_path.read_text()
        assert mode(settings_path) == 0o600
        assert mode(settings_path.parent) == 0o700


def test_a_settings_file_that_cannot_be_written_is_told(
    make_window: Any, qtbot: Any, portal: ScriptedServer, ledger: Any, tmp_path: Path
) -> None:
    with ledger.case("window/settings-cannot-be-written"):
        blocker = tmp_path / "b24-inspector"
        blocker.write_text("a file where the settings folder should be")
        settings = QSettings(str(blocker / "settings.ini"), QSettings.Format.IniFormat)
        window = shown_window(make_window, qtbot, portal, settings=settings)  # remembers ID 6
        qtbot.waitUntil(
            lambda: "Could not save the settings" in window.status_line.text(), timeout=5000
        )
        status = window.status_line.text()
        assert status.startswith("Source 6"), status  # the fetch's own sentence stays
        assert "will be lost when you quit" in status and "Traceback" not in status
        assert blocker.read_text().startswith("a file where")
        assert_usable(window)


def _no_tls() -> Any:
    from faults.fault_kit import Setup

    return Setup("")
