"""OAuth renewal from the window, over real sockets to the demo portal and its token server:
an expired token is renewed once, the rotated refresh token replaces the old one in the
keychain, the next fetch works without another renewal, and a refused renewal is explained
with the next step. No token, client secret or refresh token is ever shown."""

from __future__ import annotations

from typing import Any

from gui.gui_helpers import fetch_and_wait, leak_walk
from inspector.core.credentials import OAuthCredential, credential_from_storage
from inspector.demo.portal import DemoPortal


def fill_oauth(panel: Any, portal: DemoPortal, *, client_secret: str | None = None) -> None:
    panel.oauth_radio.setChecked(True)
    panel.portal_edit.setText(portal.base_url)
    panel.token_field.edit.setText(portal.access_token)
    renewal = panel.show_renewal(True)
    renewal.client_id_edit.setText(portal.client_id)
    renewal.client_secret_field.edit.setText(client_secret or portal.client_secret)
    renewal.refresh_token_field.edit.setText(portal.refresh_token)
    renewal.oauth_server_edit.setText(portal.oauth_server_url)


def saved_oauth(memory_keyring: Any, profile: str = "default") -> OAuthCredential:
    credential = credential_from_storage(memory_keyring.saved(profile) or "")
    assert isinstance(credential, OAuthCredential)
    return credential


def test_an_expired_token_is_renewed_once_and_the_new_tokens_are_saved(
    qtbot: Any, make_window: Any, memory_keyring: Any, portal: DemoPortal
) -> None:
    window = make_window()
    panel = window.credentials_panel
    fill_oauth(panel, portal)
    assert panel.feedback_label.text() == (
        f"✓ OAuth access token for 127.0.0.1:{portal.port}, renewed automatically when it expires"
    )
    assert panel.renewal_toggle.text() == "Automatic renewal: on"
    panel.remember_button.click()
    first_refresh, old_access = portal.refresh_token, portal.access_token
    secrets = [old_access, first_refresh, portal.client_secret]

    portal.expire_access_token()
    fetch_and_wait(qtbot, window, 6)
    assert window.status_line.text().startswith("Source 6 “Rest source SQL”")
    assert portal.token_refreshes == 1
    # The rotated refresh token replaced the old one in the keychain, and in the fields.
    saved = saved_oauth(memory_keyring)
    assert saved.refresh_token == portal.refresh_token != first_refresh
    assert saved.access_token == portal.access_token
    assert saved.client_secret == portal.client_secret
    assert saved.oauth_server == portal.oauth_server_url
    assert panel.credential() == saved
    assert panel.keychain_label.text() == (
        "The access token expired and was renewed; the new tokens are saved in Memory keychain."
    )
    secrets += [portal.access_token, portal.refresh_token]
    # The connector lookup that followed used the renewed token: still one renewal.
    qtbot.waitUntil(lambda: window.source_tree.source_model.connector.report is not None)

    # The next fetch works with the saved tokens, without renewing again.
    fetch_and_wait(qtbot, window, 7)
    assert window.status_line.text().startswith("Source 7")
    assert portal.token_refreshes == 1
    # The refresh went to the token server only; no secret reached the portal's REST calls.
    token_calls = [r for r in portal.requests if r.path.startswith("/oauth/token/")]
    assert len(token_calls) == 1 and token_calls[0].method == "GET"
    assert leak_walk(window, secrets) == []


def test_a_refused_renewal_is_explained_and_nothing_is_overwritten(
    qtbot: Any, make_window: Any, memory_keyring: Any, portal: DemoPortal
) -> None:
    window = make_window()
    panel = window.credentials_panel
    fill_oauth(panel, portal, client_secret="wrong-secret-123456")
    panel.remember_button.click()
    before = memory_keyring.saved()
    portal.expire_access_token()
    fetch_and_wait(qtbot, window, 6)
    status = window.status_line.text()
    assert "client ID or client secret is wrong" in status
    assert "Copy the client ID and client secret again" in status
    assert portal.token_refreshes == 0
    assert memory_keyring.saved() == before
    assert leak_walk(window, ["wrong-secret-123456", portal.refresh_token]) == []


def test_an_expired_refresh_token_says_to_authorize_again(
    qtbot: Any, make_window: Any, memory_keyring: Any, portal: DemoPortal
) -> None:
    window = make_window()
    panel = window.credentials_panel
    fill_oauth(panel, portal)
    renewal = panel.show_renewal(True)
    renewal.refresh_token_field.edit.setText("spent-refresh-token-1")
    portal.expire_access_token()
    fetch_and_wait(qtbot, window, 6)
    status = window.status_line.text()
    assert "refused the refresh token" in status
    assert "Open the application on the portal again" in status
    assert "spent-refresh-token-1" not in status


def test_renewed_tokens_of_an_unsaved_credential_stay_in_the_fields(
    qtbot: Any, make_window: Any, memory_keyring: Any, portal: DemoPortal
) -> None:
    window = make_window()
    panel = window.credentials_panel
    fill_oauth(panel, portal)  # typed, not remembered
    portal.expire_access_token()
    fetch_and_wait(qtbot, window, 6)
    assert window.status_line.text().startswith("Source 6")
    assert memory_keyring.entries == {}
    renewal = panel.show_renewal(True)
    assert renewal.refresh_token_field.text() == portal.refresh_token
    assert panel.token_field.text() == portal.access_token
    assert "press Remember to keep them" in panel.keychain_label.text()
    panel.remember_button.click()
    assert saved_oauth(memory_keyring).refresh_token == portal.refresh_token


def test_partial_renewal_fields_are_refused_before_any_request(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = make_window()
    panel = window.credentials_panel
    panel.oauth_radio.setChecked(True)
    panel.portal_edit.setText(portal.base_url)
    panel.token_field.edit.setText(portal.access_token)
    renewal = panel.show_renewal(True)
    renewal.client_id_edit.setText(portal.client_id)
    assert panel.credential() is None
    assert "needs all three" in panel.feedback_label.text()
    before = len(portal.requests)
    fetch_and_wait(qtbot, window, 6)
    assert window.status_line.text().startswith("No usable credential")
    assert len(portal.requests) == before


def test_a_request_queued_during_a_renewal_uses_the_renewed_tokens(
    qtbot: Any, make_window: Any, memory_keyring: Any, portal: DemoPortal, monkeypatch: Any
) -> None:
    """Requests run one at a time, and one that waited while another renewed the token is
    given the renewed credential: the old refresh token is spent, a second renewal with it
    would fail with invalid_grant and lose the profile."""
    import threading

    import inspector.core.client as client_module

    renewed, go_on = threading.Event(), threading.Event()
    original = client_module.BitrixClient.refresh

    def slow_refresh(self: Any) -> Any:
        result = original(self)  # tokens rotated; the window is told (queued signal)
        renewed.set()
        go_on.wait(5)
        return result

    monkeypatch.setattr(client_module.BitrixClient, "refresh", slow_refresh)
    window = make_window()
    panel = window.credentials_panel
    fill_oauth(panel, portal)
    panel.remember_button.click()
    portal.expire_access_token()
    window.fetch(6)
    assert renewed.wait(5)
    # The first fetch is mid-renewal; a new one replaces it (queued behind its thread).
    with qtbot.waitSignal(window.fetch_done, timeout=10_000):
        window.fetch(7)
        go_on.set()
    assert window.status_line.text().startswith("Source 7")
    assert portal.token_refreshes == 1
    assert saved_oauth(memory_keyring).refresh_token == portal.refresh_token


def test_tokens_another_copy_renewed_meanwhile_are_used_not_renewed_again(
    qtbot: Any, make_window: Any, memory_keyring: Any, portal: DemoPortal
) -> None:
    """Another running copy renews the profile's token while this window waits for the
    renewal lock: the window then takes the saved tokens instead of spending its refresh
    token (which that renewal made void), and shows and keeps them."""
    from inspector.core.client import BitrixClient
    from inspector.core.keychain import SERVICE, CredentialStore
    from inspector.core.renewal_lock import RenewalLock

    window = make_window()
    panel = window.credentials_panel
    fill_oauth(panel, portal)
    panel.remember_button.click()
    portal.expire_access_token()

    other_copy = RenewalLock(SERVICE, "default")
    other_copy.acquire(wait=5)
    try:
        with qtbot.waitSignal(window.fetch_done, timeout=15_000):
            window.fetch(6)
            qtbot.waitUntil(
                lambda: any(r.path.endswith("source.get") for r in portal.requests),
                timeout=10_000,
            )
            # As the other copy: renew with the saved credential and save the new tokens.
            stored = saved_oauth(memory_keyring)
            with BitrixClient(stored, on_credential_renewed=lambda c: None) as client:
                renewed = client.refresh()
            CredentialStore().save("default", renewed.to_storage())
            other_copy.release()
    finally:
        other_copy.release()
    assert window.status_line.text().startswith("Source 6 “Rest source SQL”")
    assert portal.token_refreshes == 1  # the window did not renew again
    assert saved_oauth(memory_keyring).refresh_token == portal.refresh_token
    assert panel.credential() == saved_oauth(memory_keyring)
    assert leak_walk(window, [portal.refresh_token, portal.client_secret], clipboard=False) == []
