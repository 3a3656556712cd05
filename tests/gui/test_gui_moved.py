"""A portal that moved (a renamed cloud portal answers with a redirect): the window names the
new host and, only after the user confirms it, points the profile there, saves it and
fetches again. Nothing is sent to the new address before that."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import RecordedRequest, Reply, ScriptedServer, json_reply

from gui.gui_helpers import fetch_and_wait, leak_walk
from inspector.core.credentials import credential_from_storage, parse_webhook_url
from inspector.demo.portal import DEMO_CONNECTORS, DEMO_SOURCES, DemoPortal

CODE = "m0ved-c0de-42"


def new_home_reply(request: RecordedRequest) -> Reply:
    if request.path.endswith("biconnector.connector.get"):
        return json_reply({"result": {"item": DEMO_CONNECTORS[1]}})
    return json_reply({"result": {"item": DEMO_SOURCES[6]}, "time": {"start": 1.0}})


@pytest.fixture
def new_home() -> Iterator[ScriptedServer]:
    with ScriptedServer(new_home_reply) as server:
        yield server


def test_a_confirmed_move_updates_the_profile_and_fetches_there(
    qtbot: Any,
    make_window: Any,
    memory_keyring: Any,
    new_home: ScriptedServer,
    settings_path: Path,
    monkeypatch: Any,
) -> None:
    with DemoPortal(moved_to=new_home.url) as old:
        window = make_window()
        panel = window.credentials_panel
        panel.webhook_radio.setChecked(True)
        panel.webhook_field.edit.setText(f"{old.base_url}/rest/1/{CODE}/")
        panel.remember_button.click()
        asked: list[str] = []

        def confirm_move(origin: str) -> bool:
            asked.append(origin)
            return True

        monkeypatch.setattr(window, "confirm_move", confirm_move)
        done: list[int] = []
        window.fetch_done.connect(lambda: done.append(1))
        with qtbot.waitSignal(window.connector_done, timeout=10_000):
            window.fetch(6)
        assert asked == [new_home.url]
        assert done == [1]  # one fetch, ended once: the one repeated at the new address
    assert window.status_line.text().startswith("Source 6 “Rest source SQL”")
    moved = parse_webhook_url(f"{new_home.url}/rest/1/{CODE}/")
    assert panel.credential() == moved
    assert credential_from_storage(memory_keyring.saved() or "") == moved
    assert panel.keychain_label.text() == "Saved in Memory keychain."
    assert window.windowTitle().endswith(f"— 127.0.0.1:{new_home.port}")
    assert new_home.requests[0].path == f"/rest/1/{CODE}/biconnector.source.get"
    window.close()
    assert f"127.0.0.1:{new_home.port}" in settings_path.read_text()
    assert leak_walk(window, [CODE]) == []


def test_a_declined_move_changes_nothing(
    qtbot: Any, make_window: Any, memory_keyring: Any, new_home: ScriptedServer, monkeypatch: Any
) -> None:
    with DemoPortal(moved_to=new_home.url) as old:
        window = make_window()
        panel = window.credentials_panel
        panel.webhook_radio.setChecked(True)
        panel.webhook_field.edit.setText(f"{old.base_url}/rest/1/{CODE}/")
        panel.remember_button.click()
        before = memory_keyring.saved()
        monkeypatch.setattr(window, "confirm_move", lambda origin: False)
        fetch_and_wait(qtbot, window, 6)
        status = window.status_line.text()
        assert f"The portal answered that it has moved to {new_home.url}" in status
        assert "credential was not sent to the new address" in status
        assert panel.credential() == parse_webhook_url(f"{old.base_url}/rest/1/{CODE}/")
        assert memory_keyring.saved() == before
        assert new_home.requests == []
        assert leak_walk(window, [CODE]) == []


def test_the_confirmation_names_the_new_host(
    qtbot: Any, make_window: Any, new_home: ScriptedServer
) -> None:
    """The real question box, answered by a timer: plain text, the host, "No" by default."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    window = make_window()
    seen: list[str] = []

    def answer() -> None:
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox))
        seen.append(box.text())
        assert box.textFormat() == box.textFormat().PlainText
        assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).click()

    QTimer.singleShot(100, answer)
    assert window.confirm_move("https://renamed.bitrix24.com") is True
    assert seen == [
        "The portal says it moved to renamed.bitrix24.com. Update this profile to use it?"
    ]
