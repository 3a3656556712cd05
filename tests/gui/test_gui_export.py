"""Copy as cURL and the support bundle from the window: what lands on the clipboard and in
the file holds no webhook code, token, client secret, refresh token or setting value, even
with a value revealed; the cURL command still works once the variable is set."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence

from gui.gui_helpers import fetch_and_wait, leak_walk, tree_of, type_id_and_enter, webhook_code
from inspector import __version__
from inspector.core.masking import MASK
from inspector.demo.portal import DEMO_SOURCES, DemoPortal


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
