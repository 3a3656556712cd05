"""Network settings from the window: a profile's proxy and extra CA file, set in the Network
dialog (invalid values explained inline), are used by every request of that profile, the
OAuth renewal included, over real sockets: a recording proxy and a local TLS portal whose
certificate comes from a throw-away CA. A proxy password goes to the keychain only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox
from servers import RecordedRequest, Reply, ScriptedServer, TestCA, json_reply
from test_network_options import RecordingProxy

from gui.gui_helpers import fetch_and_wait, leak_walk, webhook_code
from inspector.core.keychain import SERVICE
from inspector.demo.portal import DEMO_CONNECTORS, DEMO_SOURCES, DemoPortal


def portal_reply(request: RecordedRequest) -> Reply:
    if request.path.endswith("biconnector.connector.get"):
        return json_reply({"result": {"item": DEMO_CONNECTORS[1]}})
    return json_reply({"result": {"item": DEMO_SOURCES[6]}, "time": {"start": 1.0}})


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    with RecordingProxy() as running:
        yield running


@pytest.fixture(scope="module")
def ca() -> TestCA:
    return TestCA()


@pytest.fixture
def ca_file(ca: TestCA, tmp_path: Path) -> str:
    path = tmp_path / "corp-ca.pem"
    ca.ca.cert_pem.write_to_path(str(path))
    return str(path)


def set_network(window: Any, proxy: str | None = None, ca_file: str | None = None) -> Any:
    """Fill the Network dialog as a user would and press OK; returns the dialog."""
    window.edit_network_settings()
    dialog = window.network_dialog
    if proxy is not None:
        dialog.proxy_edit.setText(proxy)
    if ca_file is not None:
        dialog.ca_edit.setText(ca_file)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled(), (dialog.proxy_error.text(), dialog.ca_error.text())
    ok.click()
    return dialog


def test_the_profile_proxy_carries_portal_calls_and_the_renewal(
    qtbot: Any, make_window: Any, memory_keyring: Any, proxy: RecordingProxy, portal: DemoPortal
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
    panel.remember_button.click()
    set_network(window, proxy=proxy.url)
    assert panel.network_label.text() == f"Network: proxy {proxy.url} · system CAs"
    assert window.status_line.text() == "Network settings saved."

    portal.expire_access_token()
    with qtbot.waitSignal(window.connector_done, timeout=10_000):
        fetch_and_wait(qtbot, window, 6)
    assert window.status_line.text().startswith("Source 6")
    assert portal.token_refreshes == 1
    base = portal.base_url
    lines = proxy.lines
    assert f"POST {base}/rest/biconnector.source.get" in lines
    assert any(
        line.startswith(f"GET {base}/oauth/token/?grant_type=refresh_token") for line in lines
    )
    assert f"POST {base}/rest/biconnector.connector.get" in lines
    assert len(lines) == 4  # expired call, renewal, repeated call, connector: all proxied


def test_a_proxy_password_is_kept_in_the_keychain_only(
    qtbot: Any,
    make_window: Any,
    memory_keyring: Any,
    proxy: RecordingProxy,
    portal: DemoPortal,
    settings_path: Path,
) -> None:
    window = make_window()
    window.credentials_panel.webhook_radio.setChecked(True)
    window.credentials_panel.webhook_field.edit.setText(portal.webhook_url)
    window.credentials_panel.remember_button.click()
    with_password = proxy.url.replace("http://", "http://agent:pr0xy-Pa55@")
    set_network(window, proxy=with_password)
    assert memory_keyring.entries[(SERVICE, "default/proxy")] == with_password
    label = window.credentials_panel.network_label.text()
    assert "agent:•••@127.0.0.1" in label and "pr0xy-Pa55" not in label
    window.close()
    assert "pr0xy-Pa55" not in settings_path.read_text(encoding="utf-8")

    # A new session reads the password back from the keychain and uses the proxy.
    again = make_window(settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    assert again.credentials_panel.network_settings().proxy == with_password
    fetch_and_wait(qtbot, again, 6)
    assert again.status_line.text().startswith("Source 6")
    assert any("biconnector.source.get" in line for line in proxy.lines)
    # Reopening the dialog and pressing OK keeps the password (it is shown masked).
    dialog = set_network(again)
    assert "pr0xy-Pa55" not in dialog.proxy_edit.text()
    assert memory_keyring.entries[(SERVICE, "default/proxy")] == with_password
    assert leak_walk(again, ["pr0xy-Pa55", webhook_code(portal.webhook_url)]) == []

    # Clearing the proxy removes the password from the keychain.
    set_network(again, proxy="")
    assert (SERVICE, "default/proxy") not in memory_keyring.entries
    assert again.credentials_panel.network_label.text() == "Network: system proxy · system CAs"


def test_the_extra_ca_file_lets_the_window_trust_a_private_portal(
    qtbot: Any, make_window: Any, ca: TestCA, ca_file: str
) -> None:
    with ScriptedServer(portal_reply, tls=ca.server_context()) as server:
        window = make_window()
        window.credentials_panel.webhook_radio.setChecked(True)
        window.credentials_panel.webhook_field.edit.setText(f"{server.url}/rest/1/tlsc0de123/")
        fetch_and_wait(qtbot, window, 6)
        assert "is not trusted" in window.status_line.text()
        assert "Verification stays on" in window.status_line.text()
        assert server.requests == []

        dialog = set_network(window, ca_file=ca_file)
        assert "plus the extra CA file" in dialog.trust_label.text()
        assert window.credentials_panel.network_label.text() == (
            "Network: system proxy · system CAs + corp-ca.pem"
        )
        with qtbot.waitSignal(window.connector_done, timeout=10_000):
            fetch_and_wait(qtbot, window, 6)
        assert window.status_line.text().startswith("Source 6 “Rest source SQL”")
        assert [r.path.rsplit("/", 1)[1] for r in server.requests] == [
            "biconnector.source.get",
            "biconnector.connector.get",
        ]
        assert all(r.tls for r in server.requests)

        # The CA file disappears later: the request is refused with a plain sentence.
        Path(ca_file).unlink()
        fetch_and_wait(qtbot, window, 6)
        assert "The extra CA file “corp-ca.pem” does not exist" in window.status_line.text()
        assert leak_walk(window, ["tlsc0de123"]) == []


def test_invalid_network_values_are_explained_in_the_dialog(
    qtbot: Any, make_window: Any, tmp_path: Path
) -> None:
    window = make_window()
    window.edit_network_settings()
    dialog = window.network_dialog
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled()
    assert "verification is always on" in dialog.trust_label.text()

    dialog.proxy_edit.setText("ftp://proxy.example.com:21")
    assert dialog.proxy_error.isVisibleTo(dialog)
    assert "must start with http://" in dialog.proxy_error.text()
    assert not ok.isEnabled()
    dialog.proxy_edit.setText("http://proxy.example.com:3128/path")
    assert "must not have a path" in dialog.proxy_error.text()
    dialog.proxy_edit.setText("proxy.example.com:3128")
    assert not dialog.proxy_error.isVisibleTo(dialog)
    assert ok.isEnabled()

    dialog.ca_edit.setText(str(tmp_path / "missing.pem"))
    assert "does not exist" in dialog.ca_error.text()
    assert not ok.isEnabled()
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("not a certificate")
    dialog.ca_edit.setText(str(not_pem))
    assert "holds no PEM certificate" in dialog.ca_error.text()
    dialog.ca_edit.setText("")
    assert ok.isEnabled()
    ok.click()
    assert window.credentials_panel.network_settings().proxy == "http://proxy.example.com:3128"
