"""Profiles saved by the command line's ``login`` show up in the window (issue 9).

The CLI runs as a real subprocess (``login --import -``, tokens in a private Secret
Service); the window, opened afterwards with the test's settings, must list the profile.
A port ``login --port`` saved with a profile is the one the sign-in dialog shows and
listens on, and a port, rename or deletion made in the window reaches the CLI's list.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring_session
import pytest
from servers import free_port

from gui.test_gui_profiles import answer, combo_names
from gui.test_gui_signin import WAIT_MS, ScriptedBrowser
from inspector.core import profile_index
from inspector.core.signin_address import DEFAULT_PORT, handler_url
from inspector.demo.portal import DemoPortal

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bus() -> Iterator[str]:
    with keyring_session.private_secret_service(unlocked=True) as address:
        yield address


def run_cli_import(bus: str, demo: DemoPortal, profile: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("B24_")}
    env.pop("DISPLAY", None)
    env.update(
        PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring",
        DBUS_SESSION_BUS_ADDRESS=bus,
        PYTHONIOENCODING="utf-8",
        B24_CLIENT_SECRET=demo.client_secret,
    )
    answer_json = json.dumps(
        {
            "access_token": demo.access_token,
            "refresh_token": demo.refresh_token,
            "client_endpoint": demo.oauth_endpoint,
            "scope": "biconnector",
        }
    )
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "inspector",
            "login",
            "--import",
            "-",
            "--client-id",
            demo.client_id,
            "--oauth-server",
            demo.oauth_server_url,
            "--profile",
            profile,
        ],
        input=answer_json,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO,
        timeout=90,
        check=False,
    )


@pytest.mark.keychain
def test_a_profile_the_cli_saved_is_listed_in_the_window(
    qtbot: Any, make_window: Any, bus: str
) -> None:
    profile = f"cli-{uuid.uuid4().hex[:8]}"
    with DemoPortal() as demo:
        done = run_cli_import(bus, demo, profile)
        assert done.returncode == 0, done.stderr
        for secret in (demo.access_token, demo.refresh_token, demo.client_secret):
            assert secret not in done.stdout + done.stderr
            assert secret not in profile_index.index_path().read_text(encoding="utf-8")

        window = make_window()
        assert combo_names(window) == ["default", profile]
        panel = window.credentials_panel
        listed = panel.profiles.get(profile)
        assert listed.kind == "oauth" and listed.host == f"127.0.0.1:{demo.port}"


def test_the_cli_port_is_shown_and_used_by_the_sign_in_dialog(
    qtbot: Any, make_window: Any, memory_keyring: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    assert profile_index.record("prod", kind="oauth", host="127.0.0.1", signin_port=port) is None
    browser = ScriptedBrowser()
    monkeypatch.setattr("PySide6.QtGui.QDesktopServices.openUrl", browser)
    with DemoPortal(redirect_uri=handler_url(port)) as demo:
        window = make_window()
        panel = window.credentials_panel
        assert combo_names(window) == ["default", "prod"]
        panel.profile_combo.setCurrentIndex(1)
        qtbot.waitUntil(lambda: panel.current_profile == "prod", timeout=5000)
        panel.form.sign_in_button.click()
        dialog = window.signin_dialog
        assert dialog.port_spin.value() == port
        assert handler_url(port) in dialog.handler_edit.text()
        dialog.portal_edit.setText(demo.base_url)
        dialog.client_id_edit.setText(demo.client_id)
        dialog.client_secret_field.set_text(demo.client_secret)
        dialog.oauth_server_edit.setText(demo.oauth_server_url)
        with qtbot.waitSignal(window.sources_listed, timeout=WAIT_MS):
            dialog.sign_in_button.click()
        browser.join()
        assert demo.code_grants == 1  # the browser came back to the profile's port

        # A port changed in the window is the one the next `login` uses.
        panel.form.sign_in_button.click()
        other = free_port()
        window.signin_dialog.port_spin.setValue(other)
        window.signin_dialog.reject()
        panel.profiles.update("prod", signin_port=other)
        assert profile_index.find("prod") == profile_index.IndexedProfile(
            "prod", "oauth", "127.0.0.1", other
        )


def test_renames_and_deletions_in_the_window_reach_the_cli_list(
    qtbot: Any, make_window: Any
) -> None:
    profile_index.record("staging", kind="oauth", host="stage.example.com")
    window = make_window()
    panel = window.credentials_panel
    assert combo_names(window) == ["default", "staging"]
    panel.profile_combo.setCurrentIndex(1)
    qtbot.waitUntil(lambda: panel.current_profile == "staging", timeout=5000)
    answer(panel, "stage")
    panel.rename_profile_button.click()
    assert combo_names(window) == ["default", "stage"]
    assert [p.name for p in profile_index.read_index()] == ["stage"]
    assert DEFAULT_PORT  # the default port is never recorded: 0 stands for it
    assert profile_index.find("stage") == profile_index.IndexedProfile(
        "stage", "oauth", "stage.example.com", 0
    )
    panel.profiles.remove("stage")  # what Delete… does once confirmed
    assert profile_index.read_index() == []
    assert "stage" not in panel.profiles.names()


def test_a_damaged_cli_list_is_ignored(qtbot: Any, make_window: Any) -> None:
    path = profile_index.index_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"profiles": [{"name": "a/b"}, {"name": 7}, "x", {"name": "ok"', "utf-8")
    window = make_window()
    assert combo_names(window) == ["default"]
