"""Copy as cURL and the support bundle from the window: what lands on the clipboard and in
the file holds no webhook code, token, client secret, refresh token or setting value, even
with a value revealed; the cURL command still works once the variable is set."""

from __future__ import annotations

import json
import os
import random
import shutil
import string
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence
from servers import ScriptedServer, json_reply

from gui.gui_helpers import fetch_and_wait, leak_walk, tree_of, type_id_and_enter, webhook_code
from inspector import __version__
from inspector.core.masking import MASK
from inspector.demo.portal import DEMO_SOURCES, DemoPortal
from inspector.ui.copy_export import COPY_HERE_UP_TO


def values(source_id: int) -> list[str]:
    return [s["value"] for s in DEMO_SOURCES[source_id]["settings"]]


def reveal_and_copy(qtbot: Any, window: Any, label: str) -> str:
    tree = tree_of(window)
    model = tree.model()
    settings = next(
        model.index(r, 0)
        for r in range(model.rowCount())
        if model.index(r, 0).data().startswith("Settings")
    )
    index = next(
        model.index(r, 0, settings)
        for r in range(model.rowCount(settings))
        if model.index(r, 0, settings).data() == label
    )
    tree.setCurrentIndex(index)
    tree.reveal_action.trigger()
    tree.copy_value_action.trigger()
    return QGuiApplication.clipboard().text()


def test_copy_as_curl_leaves_the_secret_to_a_variable(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = make_window(demo=portal)
    with qtbot.waitSignal(window.connector_done, timeout=10_000):
        type_id_and_enter(qtbot, window, "7")
    revealed = reveal_and_copy(qtbot, window, "Password (password)")
    assert revealed == "pg-demo-P4ssw0rd!"  # "Copy value" gives the real value, once revealed

    assert window.window_actions.copy_curl.shortcut() == QKeySequence("Ctrl+Alt+C")
    window.window_actions.copy_curl.trigger()
    command = QGuiApplication.clipboard().text()
    code = webhook_code(portal.webhook_url)
    assert "${B24_WEBHOOK_CODE}" in command
    assert f"{portal.base_url}/rest/1/${{B24_WEBHOOK_CODE}}/biconnector.source.get" in command
    assert """--data '{"id":7}'""" in command
    assert "set the B24_WEBHOOK_CODE variable" in window.status_line.text()
    assert revealed not in command
    # The revealed value shows in its own cell only (the user asked); nothing else anywhere.
    others = [v for v in values(7) if v != revealed]
    assert leak_walk(window, [code, *others]) == []

    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    done = subprocess.run(
        ["sh", "-c", command],
        env={**os.environ, "B24_WEBHOOK_CODE": code},
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"]["item"]["connection"]["id"] == 7


def test_copy_as_curl_for_oauth_leaves_out_token_and_renewal_secrets(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = make_window()
    panel = window.credentials_panel
    panel.oauth_radio.setChecked(True)
    panel.portal_edit.setText(portal.base_url)
    panel.token_field.edit.setText(portal.access_token)
    renewal = panel.show_renewal(True)
    renewal.client_id_edit.setText(portal.client_id)
    renewal.client_secret_field.edit.setText(portal.client_secret)
    renewal.refresh_token_field.edit.setText(portal.refresh_token)
    renewal.oauth_server_edit.setText(portal.oauth_server_url)
    fetch_and_wait(qtbot, window, 6)
    window.window_actions.copy_curl.trigger()
    command = QGuiApplication.clipboard().text()
    assert '"auth":"\'"${B24_ACCESS_TOKEN}"\'"}' in command
    assert f"{portal.base_url}/rest/biconnector.source.get " in command
    secrets = [portal.access_token, portal.client_secret, portal.refresh_token, *values(6)]
    assert leak_walk(window, secrets) == []


def test_the_support_bundle_holds_what_support_needs_and_no_secret(
    qtbot: Any, make_window: Any, portal: DemoPortal, tmp_path: Path, monkeypatch: Any
) -> None:
    window = make_window(demo=portal)
    with qtbot.waitSignal(window.connector_done, timeout=10_000):
        type_id_and_enter(qtbot, window, "7")
    reveal_and_copy(qtbot, window, "Password (password)")
    target = tmp_path / "bundle.json"
    asked: list[str] = []

    def ask_bundle_path(name: str) -> str:
        asked.append(name)
        return str(target)

    monkeypatch.setattr(window, "ask_bundle_path", ask_bundle_path)
    assert window.window_actions.export_bundle.shortcut() == QKeySequence("Ctrl+E")
    window.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert asked and asked[0].startswith("b24-inspector-support-") and asked[0].endswith(".json")
    text = target.read_text(encoding="utf-8")
    bundle = json.loads(text)
    assert bundle["app"] == {"name": "b24-inspector", "version": __version__}
    assert bundle["request"]["method"] == "biconnector.source.get"
    assert bundle["request"]["params"] == {"id": 7}
    assert bundle["request"]["portalHost"] == f"127.0.0.1:{portal.port}"
    assert bundle["request"]["credentialKind"] == "webhook"
    assert len(bundle["request"]["requestId"]) == 32
    assert bundle["response"]["connection"]["title"] == "Sales warehouse (PostgreSQL)"
    assert {s["value"] for s in bundle["response"]["settings"]} == {MASK}
    assert bundle["connector"]["title"] == "PostgreSQL warehouse"
    assert bundle["network"] == {"proxy": "from the environment/system", "extraCaFile": False}
    assert "error" not in bundle
    for secret in (webhook_code(portal.webhook_url), *values(7)):
        assert secret not in text
    assert window.status_line.text().startswith("Saved the support bundle as bundle.json")
    # The revealed value is still on the clipboard (cleared after 30 s) and in its cell.
    others = [v for v in values(7) if v != "pg-demo-P4ssw0rd!"]
    assert leak_walk(window, [webhook_code(portal.webhook_url), *others]) == []


def test_a_bundle_after_a_failed_fetch_carries_the_error(
    qtbot: Any, make_window: Any, portal: DemoPortal, tmp_path: Path
) -> None:
    window = make_window(demo=portal)
    type_id_and_enter(qtbot, window, "6")
    type_id_and_enter(qtbot, window, "4242")
    path = window.export_support_bundle(str(tmp_path / "failed.json"))
    assert path is not None
    bundle = json.loads(Path(path).read_text(encoding="utf-8"))
    assert bundle["request"]["params"] == {"id": 4242}
    assert bundle["error"]["code"] == "SOURCE_NOT_FOUND"
    assert bundle["error"]["message"].startswith("Source not found")
    assert "response" not in bundle  # the stale source 6 is not the answer to this request
    assert webhook_code(portal.webhook_url) not in Path(path).read_text(encoding="utf-8")


def test_nothing_to_export_or_copy_before_a_request_and_write_errors_are_explained(
    qtbot: Any, make_window: Any, portal: DemoPortal, tmp_path: Path, monkeypatch: Any
) -> None:
    window = make_window(demo=portal)
    assert window.export_support_bundle(str(tmp_path / "x.json")) is None
    assert window.status_line.text() == "Nothing to export yet: fetch a source first."
    window.copy_curl()
    assert window.status_line.text() == "Nothing to copy yet: fetch a source first."
    type_id_and_enter(qtbot, window, "6")
    monkeypatch.setattr(window, "ask_bundle_path", lambda name: None)  # the user cancelled
    assert window.export_support_bundle() is None
    assert window.export_support_bundle(str(tmp_path / "missing" / "x.json")) is None
    assert window.status_line.text().startswith("Could not save the support bundle:")
    assert not (tmp_path / "x.json").exists() and not (tmp_path / "missing").exists()


def test_the_context_menu_offers_curl_and_export(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = make_window(demo=portal)
    tree = tree_of(window)
    assert window.window_actions.copy_curl in tree.extra_menu_actions
    assert window.window_actions.export_bundle in tree.extra_menu_actions
    assert tree.model().rowCount(QModelIndex()) == 0


def big_item(size: int) -> tuple[dict[str, Any], list[str]]:
    """A source item with *size* settings, each with a distinct 13-character value."""
    rnd = random.Random(size)
    secret_values = [
        "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(13))
        for _ in range(size)
    ]
    item = {
        "connection": {"id": 6, "type": "rest", "code": "big", "title": "A big source"},
        "connectorId": None,
        "settings": [
            {"id": i, "code": f"key{i}", "name": f"Key {i}", "type": "STRING", "value": value}
            for i, value in enumerate(secret_values)
        ],
    }
    return item, secret_values


@contextmanager
def window_with_big_source(qtbot: Any, make_window: Any, size: int) -> Iterator[tuple[Any, Any]]:
    """A window that fetched a source of *size* settings from a portal on 127.0.0.1."""
    item, _values = big_item(size)
    with ScriptedServer(lambda request: json_reply({"result": {"item": item}})) as server:
        window = make_window()
        window.credentials_panel.webhook_radio.setChecked(True)
        window.credentials_panel.webhook_field.edit.setText(f"{server.url}/rest/1/bigc0de01/")
        fetch_and_wait(qtbot, window, 6, timeout=60_000)
        tree = tree_of(window)
        yield window, tree
        tree.source_model.clear()  # the closing leak walk over 20,000 rows would take a minute


BIG = COPY_HERE_UP_TO * 2  # made on the worker thread


def test_copy_as_json_of_a_big_source_is_made_off_the_gui_thread(
    qtbot: Any, make_window: Any
) -> None:
    with window_with_big_source(qtbot, make_window, BIG) as (_window, tree):
        copy_in_the_background(qtbot, tree, big_item(BIG)[1])


def copy_in_the_background(qtbot: Any, tree: Any, secret_values: list[str]) -> None:
    QGuiApplication.clipboard().setText("before")
    statuses: list[str] = []
    tree.message.connect(statuses.append)
    # A timer that fires on every turn of the event loop: it can only tick while the copy
    # runs if the GUI thread is free meanwhile.
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(lambda: ticks.append(len(ticks)))
    timer.start()

    tree.copy_json_action.trigger()
    # Returned at once: the JSON is not made yet, and the action waits for it.
    assert tree.json_copier.busy
    assert not tree.copy_json_action.isEnabled()
    assert QGuiApplication.clipboard().text() == "before"
    assert statuses == ["Copying the source as JSON…"]
    ticks_at_start = len(ticks)
    with qtbot.waitSignal(tree.json_copier.busy_changed, timeout=60_000):
        pass
    timer.stop()

    assert len(ticks) > ticks_at_start  # the window kept handling events
    assert statuses[-1] == "Copied the source as JSON, with every setting value masked."
    assert tree.copy_json_action.isEnabled()
    text = QGuiApplication.clipboard().text()
    copied = json.loads(text)
    assert len(copied["settings"]) == BIG
    assert {setting["value"] for setting in copied["settings"]} == {MASK}
    assert not any(value in text for value in secret_values)


def test_closing_the_window_cancels_a_running_copy(qtbot: Any, make_window: Any) -> None:
    with window_with_big_source(qtbot, make_window, BIG) as (window, tree):
        QGuiApplication.clipboard().setText("before")
        statuses: list[str] = []
        tree.message.connect(statuses.append)
        tree.copy_json_action.trigger()
        assert tree.json_copier.busy

        assert window.close()
        assert not tree.json_copier.busy
        qtbot.wait(200)  # what the stopped worker sent is delivered (and dropped) meanwhile
        assert QGuiApplication.clipboard().text() == "before"
        assert statuses == ["Copying the source as JSON…"]
