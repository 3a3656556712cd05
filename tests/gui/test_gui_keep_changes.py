"""Nothing typed is lost by switching profile: when the credential fields differ from what
the profile has (saved, or kept for this session), leaving it asks "Keep the changes to
<profile>?" with Remember, Keep for this session and Cancel (Escape). Checked through the
combo box, New… and Delete…, with the real question box driven by a timer, and the secrets
of every profile kept out of every visible text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.gui_helpers import leak_walk, webhook_code
from gui.scripted_questions import ScriptedQuestions
from inspector.core.credentials import credential_from_storage, parse_webhook_url
from inspector.core.field_values import FieldValues
from inspector.core.keychain import SERVICE
from inspector.core.profile_session import KeepChoice

SAVED = "https://prod.example.com/rest/1/s4ved-c0de-111/"
TYPED = "https://prod.example.com/rest/1/typ3d-c0de-222/"
OTHER = "https://test.example.com/rest/7/0ther-c0de-333/"
CODES = [webhook_code(SAVED), webhook_code(TYPED), webhook_code(OTHER)]


def two_profiles(settings: Any, memory_keyring: Any) -> None:
    """Profile "default" holds SAVED and "other" holds OTHER, both in the keychain."""
    settings.beginWriteArray("profiles", 2)
    for i, (name, url) in enumerate((("default", SAVED), ("other", OTHER))):
        settings.setArrayIndex(i)
        settings.setValue("name", name)
        settings.setValue("kind", "webhook")
        memory_keyring.set_password(SERVICE, name, parse_webhook_url(url).to_storage())
    settings.endArray()
    settings.sync()


def answering(panel: Any, *choices: KeepChoice) -> ScriptedQuestions:
    """Make the keep-changes question answer *choices* in turn (``keep_asked``: what was
    asked); any other question must be scripted on the returned answerer."""
    questions = ScriptedQuestions(keep_answers=list(choices))
    panel.questions = questions
    return questions


def saved(memory_keyring: Any, profile: str) -> Any:
    return credential_from_storage(memory_keyring.saved(profile) or "")


def test_no_question_when_nothing_changed(
    qtbot: Any, make_window: Any, memory_keyring: Any, settings: Any
) -> None:
    two_profiles(settings, memory_keyring)
    window = make_window()
    panel = window.credentials_panel
    questions = answering(panel)
    panel.profile_combo.setCurrentIndex(1)
    assert panel.credential() == parse_webhook_url(OTHER)
    # Changed, then typed back to what is saved: no change.
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(SAVED)
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(OTHER)
    panel.profile_combo.setCurrentIndex(0)
    assert questions.keep_asked == []
    assert panel.credential() == parse_webhook_url(SAVED)
    assert window.status_line.text() == "Switched to the profile “default”."


def test_remember_saves_the_changes_before_switching(
    qtbot: Any, make_window: Any, memory_keyring: Any, settings: Any
) -> None:
    two_profiles(settings, memory_keyring)
    window = make_window()
    panel = window.credentials_panel
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(TYPED)
    questions = answering(panel, KeepChoice.REMEMBER)
    panel.profile_combo.setCurrentIndex(1)
    assert questions.keep_asked == [("“default”", True)]
    assert saved(memory_keyring, "default") == parse_webhook_url(TYPED)
    assert panel.current_profile == "other"
    assert panel.credential() == parse_webhook_url(OTHER)
    assert window.status_line.text() == (
        "Switched to the profile “other”. The changes to “default”: Saved in Memory keychain."
    )
    assert leak_walk(window, CODES) == []
    # Back again: the saved changes, and nothing more to ask.
    panel.profile_combo.setCurrentIndex(0)
    assert panel.credential() == parse_webhook_url(TYPED)
    assert panel.keychain_label.text() == "Saved in Memory keychain."
    panel.profile_combo.setCurrentIndex(1)
    assert len(questions.keep_asked) == 1


def test_keep_for_this_session_keeps_the_fields_in_memory_only(
    qtbot: Any, make_window: Any, memory_keyring: Any, settings: Any
) -> None:
    two_profiles(settings, memory_keyring)
    window = make_window()
    panel = window.credentials_panel
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(TYPED)
    questions = answering(panel, KeepChoice.SESSION)
    panel.profile_combo.setCurrentIndex(1)
    assert questions.keep_asked == [("“default”", True)]
    assert saved(memory_keyring, "default") == parse_webhook_url(SAVED)  # keychain untouched
    assert panel.credential() == parse_webhook_url(OTHER)
    assert window.status_line.text() == (
        "Switched to the profile “other”. The changes to “default” are kept for this session."
    )
    assert leak_walk(window, CODES) == []

    # Back on "default": the kept changes, and the keychain line says what is where.
    panel.profile_combo.setCurrentIndex(0)
    assert panel.credential() == parse_webhook_url(TYPED)
    assert panel.keychain_label.text() == (
        "Kept for this session: Memory keychain still holds the previous credential. "
        "Press Remember to replace it."
    )
    assert window.windowTitle().endswith("— prod.example.com")
    # Leaving again unchanged asks nothing; the settings file never saw a secret.
    panel.profile_combo.setCurrentIndex(1)
    panel.profile_combo.setCurrentIndex(0)
    assert len(questions.keep_asked) == 1
    assert panel.credential() == parse_webhook_url(TYPED)
    settings.sync()
    stored = Path(settings.fileName()).read_text(encoding="utf-8")
    assert all(code not in stored for code in CODES)

    # Remember now replaces the saved one, and the session copy is no longer needed.
    panel.remember_button.click()
    assert saved(memory_keyring, "default") == parse_webhook_url(TYPED)
    assert panel.keychain_label.text() == "Saved in Memory keychain."
    assert leak_walk(window, CODES) == []


def test_an_incomplete_entry_is_kept_as_typed_and_cannot_be_remembered(
    qtbot: Any, make_window: Any, memory_keyring: Any, settings: Any
) -> None:
    two_profiles(settings, memory_keyring)
    window = make_window()
    panel = window.credentials_panel
    panel.oauth_radio.setChecked(True)
    panel.portal_edit.setText("half-typed.example.com")  # no token yet
    assert panel.credential() is None
    questions = answering(panel, KeepChoice.SESSION)
    panel.profile_combo.setCurrentIndex(1)
    assert questions.keep_asked == [("“default”", False)]
    panel.profile_combo.setCurrentIndex(0)
    assert panel.oauth_radio.isChecked()
    assert panel.portal_edit.text() == "half-typed.example.com"
    assert panel.token_field.text() == ""
    assert saved(memory_keyring, "default") == parse_webhook_url(SAVED)
    assert leak_walk(window, CODES) == []


def test_cancel_stays_on_the_profile_and_the_combo_goes_back(
    qtbot: Any, make_window: Any, memory_keyring: Any, settings: Any
) -> None:
    two_profiles(settings, memory_keyring)
    window = make_window()
    panel = window.credentials_panel
    status = window.status_line.text()
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(TYPED)
    switched: list[int] = []
    panel.profile_changed.connect(lambda: switched.append(1))
    questions = answering(panel, KeepChoice.CANCEL)
    panel.profile_combo.setCurrentIndex(1)
    assert questions.keep_asked == [("“default”", True)]
    assert switched == []
    assert panel.current_profile == "default"
    assert panel.profile_combo.currentText() == "default"
    assert panel.credential() == parse_webhook_url(TYPED)
    assert saved(memory_keyring, "default") == parse_webhook_url(SAVED)
    assert window.status_line.text() == status
    assert leak_walk(window, CODES) == []


def test_new_profile_asks_and_cancel_adds_nothing(
    qtbot: Any, make_window: Any, memory_keyring: Any, settings: Any
) -> None:
    two_profiles(settings, memory_keyring)
    window = make_window()
    panel = window.credentials_panel
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(TYPED)
    questions = answering(panel, KeepChoice.CANCEL, KeepChoice.SESSION)
    questions.name_answers += ["third", "third"]
    assert panel.new_profile() is None
    assert panel.profiles.names() == ["default", "other"]
    assert panel.current_profile == "default"
    assert panel.credential() == parse_webhook_url(TYPED)

    window.window_actions.new_profile.trigger()  # Profile ▸ New profile…
    assert questions.keep_asked == [("“default”", True), ("“default”", True)]
    assert panel.profiles.names() == ["default", "other", "third"]
    assert panel.current_profile == "third"
    assert panel.credential() is None
    panel.profile_combo.setCurrentIndex(0)
    assert panel.credential() == parse_webhook_url(TYPED)
    assert leak_walk(window, CODES) == []


def test_deleting_the_changed_profile_does_not_ask_and_forgets_its_changes(
    qtbot: Any, make_window: Any, memory_keyring: Any, settings: Any
) -> None:
    two_profiles(settings, memory_keyring)
    window = make_window()
    panel = window.credentials_panel
    panel.profile_combo.setCurrentIndex(1)
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(TYPED.replace("prod", "test"))
    questions = answering(panel)
    questions.delete_answer = lambda name: True
    panel.delete_profile_button.click()
    assert questions.keep_asked == []  # the user confirmed deleting "other", changes and all
    assert panel.profiles.names() == ["default"]
    assert panel.credential() == parse_webhook_url(SAVED)
    assert memory_keyring.saved("other") is None
    assert leak_walk(window, [*CODES, webhook_code(TYPED)]) == []


def test_kept_changes_follow_a_renamed_profile(
    qtbot: Any, make_window: Any, memory_keyring: Any, settings: Any
) -> None:
    two_profiles(settings, memory_keyring)
    window = make_window()
    panel = window.credentials_panel
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(TYPED)
    questions = answering(panel, KeepChoice.SESSION)
    panel.profile_combo.setCurrentIndex(1)
    panel.profile_combo.setCurrentIndex(0)
    questions.name_answers.append("production")
    assert panel.rename_profile() == "production"
    panel.profile_combo.setCurrentIndex(1)
    panel.profile_combo.setCurrentIndex(0)
    assert panel.current_profile == "production"
    assert panel.credential() == parse_webhook_url(TYPED)
    assert saved(memory_keyring, "production") == parse_webhook_url(SAVED)


def test_a_token_renewed_for_a_profile_left_behind_replaces_its_kept_changes(
    qtbot: Any, make_window: Any, memory_keyring: Any, settings: Any
) -> None:
    from inspector.core.credentials import make_oauth_credential

    two_profiles(settings, memory_keyring)
    window = make_window()
    panel = window.credentials_panel
    old = make_oauth_credential(
        "https://prod.example.com",
        "0ld-access-token-1",
        client_id="local.app",
        client_secret="app-s3cret-42",
        refresh_token="0ld-refresh-token-1",
    )
    panel.oauth_radio.setChecked(True)
    panel.portal_edit.setText(old.portal.origin)
    panel.token_field.edit.setText(old.access_token)
    panel.show_renewal(True).fill(old)
    assert panel.credential() == old
    answering(panel, KeepChoice.SESSION)
    panel.profile_combo.setCurrentIndex(1)
    # A request of "default" still running when the user switched renews its token.
    renewed = make_oauth_credential(
        "https://prod.example.com",
        "n3w-access-token-2",
        client_id="local.app",
        client_secret="app-s3cret-42",
        refresh_token="n3w-refresh-token-2",
    )
    assert "s3cret" not in repr(FieldValues.of(old)) and "0ld-" not in repr(FieldValues.of(old))
    panel.store_renewed("default", old, renewed)
    assert panel.credential() == parse_webhook_url(OTHER)  # the shown profile is untouched
    panel.profile_combo.setCurrentIndex(0)
    assert panel.credential() == renewed
    secrets = [*CODES, "0ld-access-token-1", "0ld-refresh-token-1", "app-s3cret-42"]
    assert leak_walk(window, [*secrets, "n3w-access-token-2", "n3w-refresh-token-2"]) == []


# --- the real question box ---------------------------------------------------------------


def on_question(
    qtbot: Any, act: Callable[[QMessageBox], None], secrets: list[str]
) -> dict[str, Any]:
    """When the question box is up: record what it shows, then *act* on it."""
    seen: dict[str, Any] = {}

    def poke() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, poke)
            return
        seen["text"] = box.text()
        seen["details"] = box.informativeText()
        seen["buttons"] = sorted(b.text() for b in box.buttons())
        seen["default"] = box.defaultButton().text()
        seen["leaks"] = leak_walk(box, secrets, clipboard=False)
        act(box)

    QTimer.singleShot(0, poke)
    return seen


def test_the_question_box_escape_is_cancel(
    qtbot: Any, make_window: Any, memory_keyring: Any, settings: Any
) -> None:
    two_profiles(settings, memory_keyring)
    window = make_window()
    panel = window.credentials_panel
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(TYPED)
    seen = on_question(qtbot, lambda box: qtbot.keyClick(box, Qt.Key.Key_Escape), CODES)
    panel.profile_combo.setCurrentIndex(1)
    assert seen["text"] == "Keep the changes to “default”?"
    assert "Remember saves them in Memory keychain" in seen["details"]
    assert seen["buttons"] == ["Cancel", "Keep for this session", "Remember"]
    assert seen["default"] == "Keep for this session"
    assert seen["leaks"] == []
    assert panel.current_profile == "default"
    assert panel.profile_combo.currentText() == "default"
    assert panel.credential() == parse_webhook_url(TYPED)
    assert QApplication.activeModalWidget() is None


def test_the_question_box_buttons_do_what_they_say(
    qtbot: Any, make_window: Any, memory_keyring: Any, settings: Any
) -> None:
    two_profiles(settings, memory_keyring)
    window = make_window()
    panel = window.credentials_panel

    def click(name: str) -> Callable[[QMessageBox], None]:
        return lambda box: next(b for b in box.buttons() if b.objectName() == name).click()

    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(TYPED)
    on_question(qtbot, click("keepSessionButton"), CODES)
    panel.profile_combo.setCurrentIndex(1)
    assert panel.current_profile == "other"
    assert saved(memory_keyring, "default") == parse_webhook_url(SAVED)

    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(OTHER.replace("0ther", "n3wer"))
    on_question(qtbot, click("keepRememberButton"), CODES)
    panel.profile_combo.setCurrentIndex(0)
    assert panel.current_profile == "default"
    assert panel.credential() == parse_webhook_url(TYPED)
    assert saved(memory_keyring, "other") == parse_webhook_url(OTHER.replace("0ther", "n3wer"))
    assert leak_walk(window, [*CODES, "n3wer-c0de-333"]) == []


def test_changes_on_the_demo_entry_can_only_be_kept_for_the_session(
    qtbot: Any, make_window: Any, memory_keyring: Any, portal: Any
) -> None:
    window = make_window(demo=portal)
    panel = window.credentials_panel
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(TYPED)
    seen = on_question(
        qtbot,
        lambda box: next(b for b in box.buttons() if b.objectName() == "keepSessionButton").click(),
        [*CODES, webhook_code(portal.webhook_url)],
    )
    panel.profile_combo.setCurrentIndex(1)
    assert seen["text"] == "Keep the changes to the demo portal entry?"
    assert seen["buttons"] == ["Cancel", "Keep for this session"]
    assert seen["leaks"] == []
    assert panel.current_profile == "default"
    panel.profile_combo.setCurrentIndex(0)
    assert panel.credential() == parse_webhook_url(TYPED)
    assert "never saved" in panel.keychain_label.text()
    assert memory_keyring.entries == {}
    assert leak_walk(window, [*CODES, webhook_code(portal.webhook_url)]) == []
