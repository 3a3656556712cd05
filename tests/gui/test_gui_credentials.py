"""Credentials in the window: keychain remember/forget/load, environment pre-fill, the demo,
no keychain at all, and recent IDs in QSettings (never a secret there)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from memory_keyring import MemoryKeyring
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox

from gui.gui_helpers import type_id_and_enter, webhook_code, widget_texts
from inspector.core.credentials import credential_from_storage, parse_webhook_url
from inspector.core.keychain import SERVICE, CredentialStore
from inspector.ui import MainWindow
from inspector.ui.credentials_panel import CredentialsPanel

WEBHOOK = "https://portal.example.com/rest/1/k3ych41n-c0de/"


def test_remember_and_forget_through_the_keychain(
    qtbot: Any, make_window: Any, memory_keyring: Any
) -> None:
    window = make_window()
    panel = window.credentials_panel
    assert panel.keychain_label.text() == "Not saved. Remember keeps it in Memory keychain."
    assert not panel.remember_button.isEnabled()
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(WEBHOOK)
    assert panel.remember_button.isEnabled()
    assert panel.remember_button.text() == "Remember in Memory keychain"
    panel.remember_button.click()
    saved = memory_keyring.saved()
    assert saved is not None
    assert credential_from_storage(saved) == parse_webhook_url(WEBHOOK)
    assert panel.keychain_label.text() == "Saved in Memory keychain."

    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(WEBHOOK.replace("k3ych41n", "other"))
    assert panel.keychain_label.text().startswith("Changed:")

    panel.forget_button.click()
    assert memory_keyring.saved() is None
    assert panel.keychain_label.text().startswith("Removed from Memory keychain.")
    assert "k3ych41n-c0de" not in "".join(widget_texts(window))


def test_saved_credential_is_loaded_at_start(
    qtbot: Any, make_window: Any, memory_keyring: Any, portal: Any
) -> None:
    memory_keyring.set_password(
        "b24-inspector", "default", parse_webhook_url(portal.webhook_url).to_storage()
    )
    window = make_window()
    panel = window.credentials_panel
    assert panel.credential() == parse_webhook_url(portal.webhook_url)
    assert panel.keychain_label.text() == "Saved in Memory keychain."
    assert window.windowTitle().endswith(f"— 127.0.0.1:{portal.port}")
    type_id_and_enter(qtbot, window, "6")
    assert window.status_line.text().startswith("Source 6")
    assert webhook_code(portal.webhook_url) not in "".join(widget_texts(window))


def test_fetch_before_the_event_loop_runs_reads_the_keychain_first(
    qtbot: Any, memory_keyring: Any, portal: Any, settings: QSettings
) -> None:
    memory_keyring.set_password(
        "b24-inspector", "default", parse_webhook_url(portal.webhook_url).to_storage()
    )
    window = MainWindow(settings=settings, store=CredentialStore())
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.fetch_done, timeout=10_000):
        window.fetch(6)
    assert window.status_line.text().startswith("Source 6")
    window.close()


def test_environment_webhook_prefills_for_this_session_only(
    qtbot: Any, make_window: Any, memory_keyring: Any, monkeypatch: Any
) -> None:
    memory_keyring.set_password("b24-inspector", "default", parse_webhook_url(WEBHOOK).to_storage())
    env_url = "https://env.example.com/rest/7/env-c0de-123/"
    monkeypatch.setenv("B24_WEBHOOK_URL", env_url)
    window = make_window()
    panel = window.credentials_panel
    assert panel.credential() == parse_webhook_url(env_url)
    assert "B24_WEBHOOK_URL" in panel.keychain_label.text()
    assert "session only" in panel.keychain_label.text()
    assert window.windowTitle() == "Bitrix24 BI Source Inspector — env.example.com"
    # The saved one was left alone, and nothing new was saved.
    assert credential_from_storage(memory_keyring.saved() or "") == parse_webhook_url(WEBHOOK)
    assert "env-c0de-123" not in "".join(widget_texts(window))
    # Remember saves it only when asked.
    panel.remember_button.click()
    assert credential_from_storage(memory_keyring.saved() or "") == parse_webhook_url(env_url)


def test_demo_credential_is_never_saved(
    qtbot: Any, make_window: Any, memory_keyring: Any, portal: Any
) -> None:
    window = make_window(demo=portal)
    panel = window.credentials_panel
    assert not panel.remember_button.isEnabled()
    panel.remember()
    assert memory_keyring.entries == {}
    assert panel.keychain_label.text() == (
        "Demo portal credential: for this session only, never saved."
    )
    assert window.windowTitle() == "Bitrix24 BI Source Inspector — Demo portal"


def test_without_a_keychain_the_credential_is_kept_for_the_session(
    qtbot: Any, make_window: Any, no_keyring: Any, portal: Any
) -> None:
    window = make_window()
    panel = window.credentials_panel
    label = panel.keychain_label.text()
    assert "No system keychain is available" in label
    assert "session only" in label
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(portal.webhook_url)
    assert panel.remember_button.text() == "Remember for this session"
    panel.remember_button.click()
    label = panel.keychain_label.text()
    assert label.startswith("Not saved:")
    assert "session only" in label
    type_id_and_enter(qtbot, window, "6")
    assert window.status_line.text().startswith("Source 6")


def test_recent_ids_persist_without_secrets(
    qtbot: Any, make_window: Any, portal: Any, settings_path: Path
) -> None:
    window = make_window(demo=portal)
    type_id_and_enter(qtbot, window, "6")
    type_id_and_enter(qtbot, window, "7")
    type_id_and_enter(qtbot, window, "4242")  # not found: not remembered
    type_id_and_enter(qtbot, window, "6")
    window.close()

    again = make_window(settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    combo = again.findChild(QComboBox, "sourceIdCombo")
    assert combo is not None
    assert [combo.itemText(i) for i in range(combo.count())] == ["6", "7"]
    assert again.source_id_edit.text() == ""
    assert again.recent_ids() == [6, 7]
    stored = settings_path.read_text()
    for secret in (webhook_code(portal.webhook_url), portal.access_token, "a1b2c3d4e5"):
        assert secret not in stored


def test_oauth_credential_round_trips_through_the_keychain(
    qtbot: Any, make_window: Any, memory_keyring: Any, settings_path: Path
) -> None:
    window = make_window()
    panel = window.credentials_panel
    panel.oauth_radio.setChecked(True)
    panel.portal_edit.setText("portal.example.com")
    panel.token_field.edit.setText("oauth-t0ken-xyz")
    panel.remember_button.click()
    assert memory_keyring.saved() is not None
    window.close()

    again = make_window(settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    loaded = again.credentials_panel
    assert loaded.oauth_radio.isChecked()
    assert loaded.portal_edit.text() == "https://portal.example.com"
    assert loaded.token_field.text() == "oauth-t0ken-xyz"
    assert loaded.token_field.edit.echoMode() == loaded.token_field.edit.EchoMode.Password
    assert again.windowTitle() == "Bitrix24 BI Source Inspector — portal.example.com"
    assert "oauth-t0ken-xyz" not in "".join(widget_texts(again))


class HeldKeyring(MemoryKeyring):
    """A keychain that answers only once the test lets it (a D-Bus call, an unlock prompt),
    and notes which threads asked it."""

    def __init__(self) -> None:
        super().__init__()
        self.answer = threading.Event()
        self.readers: list[threading.Thread] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.readers.append(threading.current_thread())
        self.answer.wait(20)
        return super().get_password(service, username)


def held_keyring(set_backend: Callable[[Any], Any], url: str) -> HeldKeyring:
    """A ``HeldKeyring``, made the backend, with *url*'s credential in the default profile."""
    held = HeldKeyring()
    held.set_password(SERVICE, "default", parse_webhook_url(url).to_storage())
    set_backend(held)
    return held


def held_window(
    qtbot: Any, set_backend: Callable[[Any], Any], settings: QSettings, url: str
) -> tuple[Any, HeldKeyring]:
    held = held_keyring(set_backend, url)
    window = MainWindow(settings=settings, store=CredentialStore())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: bool(held.readers), timeout=5000)
    return window, held


def test_the_keychain_is_read_off_the_gui_thread_and_fetch_waits_for_it(
    qtbot: Any, set_backend: Any, portal: Any, settings: QSettings
) -> None:
    window, held = held_window(qtbot, set_backend, settings, portal.webhook_url)
    panel = window.credentials_panel
    # The keychain has not answered, yet the window is painted and takes input.
    assert panel.reading and not panel.started
    assert panel.keychain_label.text() == "Reading the keychain…"
    window.fetch(6)
    assert window.status_line.text() == "Reading the keychain…"
    assert window.cancel_button.isEnabled()
    with qtbot.waitSignal(window.fetch_done, timeout=10_000):
        held.answer.set()
    assert window.status_line.text().startswith("Source 6")
    assert panel.keychain_label.text() == "Saved in Memory keychain."
    assert threading.main_thread() not in held.readers
    assert webhook_code(portal.webhook_url) not in "".join(widget_texts(window))
    window.close()


def test_the_keychain_read_begins_while_the_window_is_built(
    qtbot: Any, set_backend: Any, portal: Any, settings: QSettings
) -> None:
    held = held_keyring(set_backend, portal.webhook_url)
    window = MainWindow(settings=settings, store=CredentialStore())
    qtbot.addWidget(window)
    panel = window.credentials_panel
    # No event loop turn yet: the read is already under way (beside the first paint), and
    # its answer waits for the loop.
    assert panel.reading and not panel.started
    assert panel.keychain_label.text() == "Reading the keychain…"
    window.show()
    with qtbot.waitSignal(panel.ready, timeout=10_000):
        held.answer.set()
    assert threading.main_thread() not in held.readers
    assert panel.credential() == parse_webhook_url(portal.webhook_url)
    window.close()


def test_a_read_ended_before_the_first_paint_is_in_it(
    qtbot: Any, set_backend: Any, portal: Any, settings: QSettings
) -> None:
    # What the start does between show() and its event loop: an answer that is already in
    # fills the fields at once, so the first paint shows them and the window is ready then.
    window, held = held_window(qtbot, set_backend, settings, portal.webhook_url)
    panel = window.credentials_panel
    ready: list[bool] = []
    panel.ready.connect(lambda: ready.append(True))
    panel.apply_finished_read()  # still reading: nothing to apply yet
    assert panel.reading and not ready
    held.answer.set()
    assert panel._reader._done.wait(10)  # the thread has answered; the loop has not run
    panel.apply_finished_read()
    assert ready == [True] and panel.started and not panel.reading
    assert panel.credential() == parse_webhook_url(portal.webhook_url)
    qtbot.wait(100)  # the queued answer comes now: dropped, not applied twice
    assert ready == [True]
    window.close()


def test_a_panel_told_to_read_saved_reads_from_its_construction(
    qtbot: Any, set_backend: Any, portal: Any, settings: QSettings
) -> None:
    held = held_keyring(set_backend, portal.webhook_url)
    idle = CredentialsPanel(store=CredentialStore(), settings=settings)
    qtbot.addWidget(idle)
    assert not idle.reading  # by default the caller says when (begin_start)
    panel = CredentialsPanel(store=CredentialStore(), settings=settings, read_saved=True)
    qtbot.addWidget(panel)
    assert panel.reading and not panel.started
    assert panel.keychain_label.text() == "Reading the keychain…"
    panel.begin_start()  # the window's call changes nothing: one read
    with qtbot.waitSignal(panel.ready, timeout=10_000):
        held.answer.set()
    assert len(held.readers) == 1 and threading.main_thread() not in held.readers
    assert panel.credential() == parse_webhook_url(portal.webhook_url)


def test_a_read_answered_before_the_window_asks_is_not_read_again(
    qtbot: Any, set_backend: Any, portal: Any, settings: QSettings
) -> None:
    # The panel's early read may end before the window's begin_start, with its answer still
    # queued for the loop: that is the start's one read, not a reason for another.
    held = held_keyring(set_backend, portal.webhook_url)
    held.answer.set()  # answers at once
    panel = CredentialsPanel(store=CredentialStore(), settings=settings, read_saved=True)
    qtbot.addWidget(panel)
    reader = panel._reader
    assert reader._done.wait(10)  # the thread has answered; the loop has not run
    assert panel.reading
    with qtbot.waitSignal(panel.ready, timeout=10_000):
        panel.begin_start()
    assert len(held.readers) == 1
    assert panel.credential() == parse_webhook_url(portal.webhook_url)


def test_a_fetch_cancelled_while_the_keychain_is_read_is_not_sent(
    qtbot: Any, set_backend: Any, portal: Any, settings: QSettings
) -> None:
    window, held = held_window(qtbot, set_backend, settings, portal.webhook_url)
    panel = window.credentials_panel
    window.fetch(6)
    with qtbot.waitSignal(window.fetch_done, timeout=5000):
        window.cancel()
    assert window.status_line.text() == "Cancelled the fetch."
    assert not window.cancel_button.isEnabled()
    with qtbot.waitSignal(panel.ready, timeout=10_000):
        held.answer.set()
    # The saved credential is in, and the cancelled fetch stayed cancelled (a fetch that
    # waited would have started in the slot of ``ready``).
    assert panel.credential() == parse_webhook_url(portal.webhook_url)
    assert not window.is_fetching
    assert portal.requests == []
    window.close()


def test_a_profile_chosen_while_the_keychain_is_read_gets_its_own_credential(
    qtbot: Any, set_backend: Any, portal: Any, settings: QSettings
) -> None:
    from inspector.core.profiles import Profile
    from inspector.ui.profiles import ProfileStore

    ProfileStore(settings).put(Profile("work"))
    work_url = portal.webhook_url.replace("/rest/1/", "/rest/2/")
    window, held = held_window(qtbot, set_backend, settings, portal.webhook_url)
    held.set_password(SERVICE, "work", parse_webhook_url(work_url).to_storage())
    panel = window.credentials_panel
    panel.select_profile("work")  # before the keychain answered for "default"
    with qtbot.waitSignal(panel.ready, timeout=10_000):
        held.answer.set()
    assert panel.current_profile == "work"
    assert panel.credential() == parse_webhook_url(work_url)
    assert panel.keychain_label.text() == "Saved in Memory keychain."
    window.close()
