"""Sign in with the browser, import tokens and quit, in the window, against the demo portal.

Everything runs over real sockets: the dialog listens on a free loopback port, the scripted
browser (``QDesktopServices.openUrl`` replaced by a function that fetches the authorize
address on a thread and follows the demo's redirect to the handler, as a browser would)
brings the code back, and the code is exchanged at the demo's token server. The keychain
is the in-memory one. After each test the leak walk (``conftest.make_window``) checks that
no secret shows in any window; the tests also check the dialogs and the status line.
"""

from __future__ import annotations

import functools
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtGui import QDesktopServices
from servers import free_port

from gui.gui_helpers import leak_walk
from gui.scripted_questions import ScriptedQuestions
from inspector.core.credentials import OAuthCredential, credential_from_storage
from inspector.core.explanations import EMPTY_SOURCE_LIST
from inspector.core.profile_session import KeepChoice
from inspector.core.signin_address import DEFAULT_PORT, handler_url
from inspector.demo.portal import DemoPortal

WAIT_MS = 15_000


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def demo(port: int) -> Iterator[DemoPortal]:
    with DemoPortal(redirect_uri=handler_url(port)) as running:
        yield running


class ScriptedBrowser:
    """Stands in for ``QDesktopServices.openUrl``: opens the address on a thread."""

    def __init__(self, *, replace_url: str | None = None) -> None:
        self.replace_url = replace_url
        self.opened: list[str] = []
        self.pages: list[httpx.Response] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, url: Any) -> bool:
        address = url.toString()
        self.opened.append(address)

        def browse() -> None:
            with httpx.Client(follow_redirects=True, timeout=5) as client:
                self.pages.append(client.get(self.replace_url or address))

        thread = threading.Thread(target=browse, daemon=True)
        self.threads.append(thread)
        thread.start()
        return True

    def join(self) -> None:
        for thread in self.threads:
            thread.join(5)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> ScriptedBrowser:
    scripted = ScriptedBrowser()
    monkeypatch.setattr(QDesktopServices, "openUrl", scripted)
    return scripted


def secrets_of(demo: DemoPortal) -> list[str]:
    return [demo.client_secret, demo.access_token, demo.refresh_token]


def open_dialog(window: Any, demo: DemoPortal, port: int, **changes: str) -> Any:
    window.credentials_panel.oauth_radio.setChecked(True)
    window.credentials_panel.form.sign_in_button.click()
    dialog = window.signin_dialog
    assert dialog.isVisible()
    fields = {
        "portal": demo.base_url,
        "client_id": demo.client_id,
        "client_secret": demo.client_secret,
        "oauth_server": demo.oauth_server_url,
        **changes,
    }
    dialog.portal_edit.setText(fields["portal"])
    dialog.client_id_edit.setText(fields["client_id"])
    dialog.client_secret_field.set_text(fields["client_secret"])
    dialog.oauth_server_edit.setText(fields["oauth_server"])
    dialog.port_spin.setValue(port)
    return dialog


def stored_oauth(memory_keyring: Any) -> OAuthCredential:
    stored = credential_from_storage(memory_keyring.saved("default") or "")
    assert isinstance(stored, OAuthCredential)
    return stored


def visible_texts(window: Any, demo: DemoPortal) -> list[str]:
    return leak_walk(window, secrets_of(demo), clipboard=False)


def test_sign_in_with_the_browser_saves_the_profile_and_lists_sources(
    qtbot: Any,
    make_window: Any,
    demo: DemoPortal,
    port: int,
    browser: ScriptedBrowser,
    memory_keyring: Any,
    settings: Any,
) -> None:
    window = make_window()
    dialog = open_dialog(window, demo, port)
    assert dialog.handler_edit.text() == handler_url(port)
    dialog.copy_button.click()
    from PySide6.QtWidgets import QApplication

    assert QApplication.clipboard().text() == handler_url(port)
    with qtbot.waitSignal(window.sources_listed, timeout=WAIT_MS):
        dialog.sign_in_button.click()
        assert dialog.cancel_button.isEnabled()  # the window is not frozen: it waits
    browser.join()
    assert browser.opened[0].startswith(f"{demo.base_url}/oauth/authorize/?client_id=")
    assert demo.code_grants == 1
    assert window.signin_dialog is None  # closed
    # Saved in the keychain as Remember saves it: both tokens, client ID and secret, server.
    stored = stored_oauth(memory_keyring)
    assert stored.kind == "oauth"
    assert stored.access_token == demo.access_token
    assert stored.refresh_token == demo.refresh_token
    assert stored.client_id == demo.client_id
    assert stored.client_secret == demo.client_secret
    assert stored.oauth_server == demo.oauth_server_url
    panel = window.credentials_panel
    assert panel.credential() == stored
    assert not panel.has_unsaved_changes()
    assert panel.keychain_label.text() == "Saved in Memory keychain."
    assert window.status_line.text().startswith("The portal lists ")  # the list opened
    assert window.source_picker is not None
    assert window.source_picker.model.rowCount() > 0
    # The port is kept with the profile's non-secret settings.
    assert panel.profiles.get("default").signin_port == port
    assert visible_texts(window, demo) == []


def test_a_wrong_state_fails_in_the_dialog_and_saves_nothing(
    qtbot: Any,
    make_window: Any,
    demo: DemoPortal,
    port: int,
    browser: ScriptedBrowser,
    memory_keyring: Any,
) -> None:
    browser.replace_url = demo.authorize_url("not-this-sign-ins-state")
    window = make_window()
    dialog = open_dialog(window, demo, port)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    browser.join()
    assert dialog.status_label.text().startswith("✗ ")
    assert "state" in dialog.status_label.text()
    assert dialog.isVisible() and dialog.sign_in_button.isEnabled()
    assert demo.code_grants == 0
    assert memory_keyring.saved("default") is None
    assert visible_texts(window, demo) == []
    dialog.reject()


def test_access_denied_is_said_plainly(
    qtbot: Any,
    make_window: Any,
    demo: DemoPortal,
    port: int,
    browser: ScriptedBrowser,
    memory_keyring: Any,
) -> None:
    demo.authorize_outcome = "deny"
    window = make_window()
    dialog = open_dialog(window, demo, port)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    browser.join()
    assert "not granted" in dialog.status_label.text()
    assert memory_keyring.saved("default") is None
    assert window.credentials_panel.credential() is None
    dialog.reject()


def test_a_busy_port_is_named(
    qtbot: Any, make_window: Any, demo: DemoPortal, port: int, browser: ScriptedBrowser
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        window = make_window()
        dialog = open_dialog(window, demo, port)
        dialog.sign_in_button.click()
        qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert str(port) in dialog.status_label.text()
    assert browser.opened == []  # the browser is opened only once the port is bound
    dialog.reject()


def test_cancel_stops_waiting_and_the_port_is_free_again(
    qtbot: Any, make_window: Any, demo: DemoPortal, port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def open_url(url: Any) -> bool:
        opened.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    window = make_window()
    dialog = open_dialog(window, demo, port)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT_MS)
    assert dialog.running
    dialog.cancel_button.click()
    assert not dialog.running
    assert "Cancelled" in dialog.status_label.text()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # the listener let go of it
    assert demo.code_grants == 0
    dialog.reject()


def test_the_pasted_address_is_exchanged_at_once(
    qtbot: Any, make_window: Any, port: int, memory_keyring: Any
) -> None:
    # The application's handler is its own server: the browser lands there, not on the
    # inspector, and the admin pastes the address.
    with DemoPortal(redirect_uri="https://app.example.com/handler/") as demo:
        with httpx.Client(follow_redirects=False, timeout=5) as client:
            landed = client.get(demo.authorize_url("some-state")).headers["location"]
        window = make_window()
        dialog = open_dialog(window, demo, port)
        with qtbot.waitSignal(window.sources_listed, timeout=WAIT_MS):
            dialog.paste_field.edit.setText(landed)  # a paste: the whole text at once
        assert demo.code_grants == 1
        stored = stored_oauth(memory_keyring)
        assert stored.refresh_token == demo.refresh_token
        assert landed not in " ".join(visible_texts(window, demo))
        assert visible_texts(window, demo) == []


def test_a_pasted_address_without_code_saves_nothing(
    qtbot: Any, make_window: Any, demo: DemoPortal, port: int, memory_keyring: Any
) -> None:
    window = make_window()
    dialog = open_dialog(window, demo, port)
    dialog.paste_field.edit.setText("https://app.example.com/handler/?state=x")
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert dialog.status_label.text().startswith("✗ ")
    assert memory_keyring.saved("default") is None
    dialog.reject()


def test_import_tokens_fills_and_saves_the_profile(
    qtbot: Any, make_window: Any, demo: DemoPortal, memory_keyring: Any
) -> None:
    window = make_window()
    panel = window.credentials_panel
    panel.form.import_button.click()
    dialog = window.import_dialog
    assert dialog.isVisible()
    from PySide6.QtWidgets import QLineEdit

    assert dialog.paste_field.edit.echoMode() == QLineEdit.EchoMode.Password
    pasted = (
        f'{{"access_token": "{demo.access_token}", "refresh_token": "{demo.refresh_token}", '
        f'"expires_in": 3600, "domain": "127.0.0.1:{demo.port}", "member_id": "m1"}}'
    )
    dialog.paste_field.set_text(pasted)
    dialog.import_button.click()
    assert window.import_dialog is None  # closed
    stored = stored_oauth(memory_keyring)
    assert stored.access_token == demo.access_token
    assert panel.credential() == stored
    assert "Imported the tokens" in window.status_line.text()
    assert visible_texts(window, demo) == []


def test_import_of_text_without_tokens_saves_nothing(
    qtbot: Any, make_window: Any, memory_keyring: Any
) -> None:
    window = make_window()
    window.credentials_panel.form.import_button.click()
    dialog = window.import_dialog
    dialog.paste_field.set_text("n0t-a-t0ken-at-all")
    dialog.import_button.click()
    assert dialog.isVisible()
    assert dialog.status_label.text().startswith("✗ ")
    assert "n0t-a-t0ken-at-all" not in dialog.status_label.text()
    assert memory_keyring.saved("default") is None
    dialog.reject()


def test_new_profiles_start_as_oauth_and_the_webhook_is_explained(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window()
    panel = window.credentials_panel
    assert panel.oauth_radio.isChecked()
    panel.webhook_radio.setChecked(True)
    note = panel.form.findChild(type(panel.feedback_label), "webhookNote")
    assert "refuse webhooks" in note.text()


def test_the_demo_starts_with_its_oauth_application(
    qtbot: Any, make_window: Any, demo: DemoPortal, port: int, browser: ScriptedBrowser
) -> None:
    window = make_window(demo=demo, demo_oauth=True)
    panel = window.credentials_panel
    credential = panel.credential()
    assert credential is not None and credential.kind == "oauth" and credential.can_refresh
    assert window.windowTitle().endswith("Demo portal")
    panel.form.sign_in_button.click()
    dialog = window.signin_dialog
    assert dialog.portal_edit.text() == demo.base_url  # filled from the demo's fields
    assert dialog.client_id_edit.text() == demo.client_id
    dialog.port_spin.setValue(port)
    with qtbot.waitSignal(window.sources_listed, timeout=WAIT_MS):
        dialog.sign_in_button.click()
    browser.join()
    assert demo.code_grants == 1
    assert "never saved" in panel.keychain_label.text()
    assert window.source_picker is not None and window.source_picker.model.rowCount() > 0
    assert visible_texts(window, demo) == []


def test_the_demo_signs_in_when_the_default_port_is_busy(
    qtbot: Any, make_window: Any, browser: ScriptedBrowser
) -> None:
    from inspector.demo.oauth import handler_port

    with socket.socket() as squatter:
        try:  # another program on the default port (or it is already taken: as good)
            squatter.bind(("127.0.0.1", DEFAULT_PORT))
            squatter.listen()
        except OSError:
            pass
        # As the window's --demo start builds it.
        port = handler_port(DEFAULT_PORT)
        assert port != DEFAULT_PORT
        with DemoPortal(redirect_uri=handler_url(port)) as demo:
            window = make_window(demo=demo, demo_oauth=True)
            window.credentials_panel.form.sign_in_button.click()
            dialog = window.signin_dialog
            assert dialog.port_spin.value() == port
            assert dialog.handler_edit.text() == handler_url(port)
            with qtbot.waitSignal(window.sources_listed, timeout=WAIT_MS):
                dialog.sign_in_button.click()
            browser.join()
            assert demo.code_grants == 1
            assert visible_texts(window, demo) == []


def test_the_demo_keeps_the_default_port_when_it_is_free() -> None:
    from inspector.demo.oauth import handler_port

    free = free_port()
    assert handler_port(free) == free


def test_an_empty_source_list_is_explained_by_the_ownership_rule(qtbot: Any) -> None:
    from inspector.ui.source_picker import SourcePickerDialog

    picker = SourcePickerDialog("Demo portal")
    qtbot.addWidget(picker)
    picker.set_sources([])
    assert EMPTY_SOURCE_LIST.message in picker.status_label.text()


def test_the_default_port_is_the_documented_one(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.credentials_panel.form.sign_in_button.click()
    assert window.signin_dialog.port_spin.value() == DEFAULT_PORT
    window.signin_dialog.reject()


def test_connect_to_your_portal_help(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.window_actions.connect_help.trigger()
    text = window.connect_help.findChild(object, "connectHelpText").toPlainText()
    for needed in (
        "Uses API only",
        "biconnector",
        handler_url(DEFAULT_PORT),
        "Access to BI Builder",
        "Access to Analytics Hub",
        "commercial plans",
        "only the sources whose connector it created",
        "cannot be renewed",
    ):
        assert needed in text
    window.connect_help.reject()


# --- quitting --------------------------------------------------------------------------


def test_quit_without_changes_does_not_ask(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    questions = ScriptedQuestions()
    window.credentials_panel.questions = questions
    assert window.close()
    assert questions.quit_asked == []


def test_quit_with_typed_changes_asks_and_cancel_stays(
    qtbot: Any, make_window: Any, memory_keyring: Any
) -> None:
    window = make_window()
    panel = window.credentials_panel
    panel.portal_edit.setText("prod.example.com")
    panel.token_field.set_text("typ3d-acc3ss-t0ken")
    questions = ScriptedQuestions(quit_answers=[KeepChoice.CANCEL, KeepChoice.REMEMBER])
    panel.questions = questions
    assert not window.close()  # Cancel: the window stays
    assert window.isVisible()
    assert window.close()  # Remember: saved, then closed
    assert [asked[0] for asked in questions.quit_asked] == ["“default”", "“default”"]
    stored = stored_oauth(memory_keyring)
    assert stored.access_token == "typ3d-acc3ss-t0ken"


def test_quit_discard_leaves_the_keychain_alone(
    qtbot: Any, make_window: Any, memory_keyring: Any
) -> None:
    window = make_window()
    panel = window.credentials_panel
    panel.portal_edit.setText("prod.example.com")
    panel.token_field.set_text("typ3d-acc3ss-t0ken")
    panel.questions = ScriptedQuestions(quit_answers=[KeepChoice.DISCARD])
    assert window.close()
    assert memory_keyring.saved("default") is None


def test_rotated_tokens_that_could_not_be_saved_are_asked_about(
    qtbot: Any,
    make_window: Any,
    demo: DemoPortal,
    memory_keyring: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from keyring.errors import PasswordSetError

    old = demo.oauth_credential()
    memory_keyring.set_password("b24-inspector", "default", old.to_storage())
    window = make_window()
    panel = window.credentials_panel
    assert panel.credential() == old and not panel.has_unsaved_changes()

    def refuse(service: str, username: str, password: str) -> None:
        raise PasswordSetError("locked")

    monkeypatch.setattr(memory_keyring, "set_password", refuse)
    renewed = old.with_tokens("n3w-acc3ss-t0ken", "n3w-r3fresh-t0ken")
    text = panel.store_renewed("default", old, renewed)
    assert "could not be saved" in text
    assert panel.credential() == renewed
    assert panel.has_unsaved_changes()  # the old refresh token is dead: not lost silently
    questions = ScriptedQuestions(quit_answers=[KeepChoice.CANCEL])
    panel.questions = questions
    assert not window.close()
    assert questions.quit_asked == [("“default”", True)]


def test_warnings_are_shown_beside_the_source_list(
    qtbot: Any, make_window: Any, demo: DemoPortal, port: int, browser: ScriptedBrowser
) -> None:
    demo.scope = "crm,user"
    window = make_window()
    dialog = open_dialog(window, demo, port)
    with qtbot.waitSignal(window.sources_listed, timeout=WAIT_MS):
        dialog.sign_in_button.click()
    browser.join()
    box = window.signin_warnings
    assert box.isVisible()
    assert "does not include biconnector" in box.informativeText()
    assert visible_texts(window, demo) == []
    box.accept()


def test_the_quit_box_offers_remember_discard_cancel(qtbot: Any) -> None:
    from PySide6.QtWidgets import QWidget

    from inspector.ui.keep_changes import quit_changes_box

    parent = QWidget()
    qtbot.addWidget(parent)
    box, answers = quit_changes_box(
        parent, "“default”", can_remember=True, backend_name="Memory keychain"
    )
    assert [choice for _button, choice in answers] == [
        KeepChoice.REMEMBER,
        KeepChoice.DISCARD,
        KeepChoice.CANCEL,
    ]
    assert box.defaultButton() is answers[0][0]
    assert box.escapeButton() is answers[2][0]
    assert "before quitting" in box.text()
    box, answers = quit_changes_box(parent, "“default”", can_remember=False, backend_name="")
    assert [choice for _button, choice in answers] == [KeepChoice.DISCARD, KeepChoice.CANCEL]


def test_closing_the_window_while_waiting_stops_the_sign_in(
    qtbot: Any,
    qtlog: Any,
    make_window: Any,
    demo: DemoPortal,
    port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []

    def open_url(url: Any) -> bool:
        opened.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    window = make_window()
    dialog = open_dialog(window, demo, port)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT_MS)
    assert window.close()
    assert not dialog.running
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))
    assert not [r for r in qtlog.records if "QThread" in r.message]


@pytest.fixture
def slow_demo(port: int) -> Iterator[DemoPortal]:
    """A demo whose every answer (the code exchange too) takes a second."""
    with DemoPortal(redirect_uri=handler_url(port), latency=1.0) as running:
        yield running


def exchanging(dialog: Any) -> bool:
    task = dialog._task
    return task is not None and task.exchanging.is_set()


def test_closing_the_dialog_during_the_code_exchange_keeps_the_tokens(
    qtbot: Any,
    qtlog: Any,
    make_window: Any,
    memory_keyring: Any,
    slow_demo: DemoPortal,
    port: int,
    browser: ScriptedBrowser,
) -> None:
    window = make_window()
    dialog = open_dialog(window, slow_demo, port)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: exchanging(dialog), timeout=WAIT_MS)
    with qtbot.waitSignal(window.sources_listed, timeout=WAIT_MS):
        dialog.reject()  # Esc or Close while the code is on its way
        if dialog.isVisible():  # the exchange was still running: it said so and waited
            assert "cannot be stopped halfway" in dialog.status_label.text()
            dialog.cancel()  # Cancel does not drop it either
    browser.join()
    qtbot.waitUntil(lambda: window.signin_dialog is None, timeout=WAIT_MS)
    assert slow_demo.code_grants == 1
    assert stored_oauth(memory_keyring).refresh_token == slow_demo.refresh_token
    assert not [r for r in qtlog.records if "QThread" in r.message]
    assert visible_texts(window, slow_demo) == []


def test_quitting_during_the_code_exchange_saves_the_tokens(
    qtbot: Any,
    qtlog: Any,
    make_window: Any,
    memory_keyring: Any,
    slow_demo: DemoPortal,
    port: int,
    browser: ScriptedBrowser,
) -> None:
    window = make_window()
    dialog = open_dialog(window, slow_demo, port)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: exchanging(dialog), timeout=WAIT_MS)
    assert window.close()
    browser.join()
    assert slow_demo.code_grants == 1
    assert not dialog.running
    assert stored_oauth(memory_keyring).refresh_token == slow_demo.refresh_token
    assert not [r for r in qtlog.records if "QThread" in r.message]


@pytest.mark.parametrize("follow", [True, False])
def test_a_renamed_portal_is_offered_after_sign_in(
    qtbot: Any,
    make_window: Any,
    memory_keyring: Any,
    demo: DemoPortal,
    port: int,
    browser: ScriptedBrowser,
    monkeypatch: pytest.MonkeyPatch,
    follow: bool,
) -> None:
    """The OAuth server's answer names another portal (``client_endpoint``): the window
    asks (No by default) and the profile follows only on Yes."""
    from servers import ScriptedServer, json_reply

    renamed = f"http://localhost:{demo.port}"  # another host for the same portal
    grant = {
        "access_token": "n3w-portal-access",
        "refresh_token": "n3w-portal-refresh",
        "expires_in": 3600,
        "scope": "biconnector",
        "client_endpoint": f"{renamed}/rest/",
        "domain": "oauth.bitrix.info",
    }
    asked: list[str] = []

    def confirm_move(origin: str) -> bool:
        asked.append(origin)
        return follow

    with ScriptedServer(json_reply(grant)) as oauth_server:
        window = make_window()
        monkeypatch.setattr(window, "confirm_move", confirm_move)
        dialog = open_dialog(window, demo, port, oauth_server=f"{oauth_server.url}/oauth/token/")
        dialog.sign_in_button.click()
        qtbot.waitUntil(lambda: window.signin_dialog is None, timeout=WAIT_MS)
        browser.join()
        exchange = oauth_server.requests
    assert asked == [renamed]
    codes = [r for r in exchange if "grant_type=authorization_code" in r.target]
    assert len(codes) == 1  # (the source list then renews the token it cannot use)
    saved = stored_oauth(memory_keyring)
    assert saved.refresh_token == "n3w-portal-refresh"
    expected = renamed if follow else demo.base_url
    assert saved.portal.origin == expected
    assert window.credentials_panel.credential() == saved
    assert (
        leak_walk(
            window, ["n3w-portal-access", "n3w-portal-refresh", demo.client_secret], clipboard=False
        )
        == []
    )


@pytest.mark.parametrize("outcome", ["signed in", "wrong state"])
def test_the_dialog_hears_the_outcome_on_the_gui_thread(
    qtbot: Any,
    make_window: Any,
    demo: DemoPortal,
    port: int,
    browser: ScriptedBrowser,
    memory_keyring: Any,
    monkeypatch: pytest.MonkeyPatch,
    outcome: str,
) -> None:
    # A lambda connected without a receiver ran on the task's own thread, which then
    # changed the dialog's widgets (and saved and opened the source list) from there.
    from inspector.ui.signin_dialog import SignInDialog

    heard_on: list[bool] = []
    for name in ("_on_succeeded", "_on_failed"):
        slot = getattr(SignInDialog, name)

        # wraps: PySide finds a bound method's slot by its name.
        @functools.wraps(slot)
        def watched(self: Any, task: Any, result: Any, slot: Any = slot) -> None:
            heard_on.append(threading.current_thread() is threading.main_thread())
            slot(self, task, result)

        monkeypatch.setattr(SignInDialog, name, watched)
    if outcome == "wrong state":
        browser.replace_url = demo.authorize_url("not-this-sign-ins-state")
    window = make_window()
    dialog = open_dialog(window, demo, port)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: heard_on != [], timeout=WAIT_MS)
    browser.join()
    assert heard_on == [True]
