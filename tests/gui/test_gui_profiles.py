"""Profiles in the window: create, switch, rename and delete, with the keychain entries checked
in an in-memory keyring backend; the last used profile is remembered in QSettings, and no
secret ever reaches the settings file or any visible text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox

from gui.gui_helpers import leak_walk, type_id_and_enter, webhook_code
from gui.scripted_questions import ScriptedQuestions
from inspector.core.credentials import credential_from_storage, parse_webhook_url
from inspector.core.keychain import SERVICE

PROD = "https://prod.example.com/rest/1/pr0d-c0de-111/"
TEST = "https://test.example.com/rest/7/t3st-c0de-222/"


def answer(panel: Any, *names: str | None) -> ScriptedQuestions:
    """Make the name prompt answer *names* in turn (``names_asked``: the prompts asked)."""
    questions = ScriptedQuestions(name_answers=list(names))
    panel.questions = questions
    return questions


def combo_names(window: Any) -> list[str]:
    combo = window.findChild(QComboBox, "profileCombo")
    assert combo is not None
    return [combo.itemText(i) for i in range(combo.count())]


def test_profiles_are_created_switched_renamed_and_deleted(
    qtbot: Any, make_window: Any, memory_keyring: Any, settings_path: Path
) -> None:
    window = make_window()
    panel = window.credentials_panel
    assert combo_names(window) == ["default"]
    assert panel.current_profile == "default"

    # default: a production webhook, saved.
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(PROD)
    panel.remember_button.click()
    assert credential_from_storage(memory_keyring.saved("default") or "") == parse_webhook_url(PROD)

    # New profile "test": empty fields, its own keychain entry.
    answer(panel, "test")
    panel.new_profile_button.click()
    assert combo_names(window) == ["default", "test"]
    assert panel.current_profile == "test"
    assert panel.webhook_field.text() == ""
    assert panel.credential() is None
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(TEST)
    panel.remember_button.click()
    assert credential_from_storage(memory_keyring.saved("test") or "") == parse_webhook_url(TEST)
    assert window.windowTitle().endswith("— test.example.com")

    # Switching loads each profile's own credential.
    panel.profile_combo.setCurrentIndex(0)
    assert panel.credential() == parse_webhook_url(PROD)
    assert panel.keychain_label.text() == "Saved in Memory keychain."
    assert window.windowTitle().endswith("— prod.example.com")
    panel.profile_combo.setCurrentIndex(1)
    assert panel.credential() == parse_webhook_url(TEST)

    # Rename moves the keychain entry.
    questions = answer(panel, "staging")
    panel.rename_profile_button.click()
    assert questions.names_asked == [("Rename profile", "test")]
    assert combo_names(window) == ["default", "staging"]
    assert memory_keyring.saved("test") is None
    assert credential_from_storage(memory_keyring.saved("staging") or "") == parse_webhook_url(TEST)
    assert panel.current_profile == "staging"

    # Delete asks first; "No" changes nothing.
    questions.delete_answer = lambda name: False
    panel.delete_profile_button.click()
    assert combo_names(window) == ["default", "staging"]
    assert memory_keyring.saved("staging") is not None

    questions.delete_answer = lambda name: True
    panel.delete_profile_button.click()
    assert questions.deletes_asked == ["staging", "staging"]
    assert combo_names(window) == ["default"]
    assert memory_keyring.saved("staging") is None
    assert (SERVICE, "staging") not in memory_keyring.entries
    assert panel.current_profile == "default"
    assert panel.credential() == parse_webhook_url(PROD)
    assert panel.keychain_label.text().startswith("Deleted the profile “staging”. Removed from")

    # Nothing secret in the settings file or anywhere on screen.
    window.close()
    stored = settings_path.read_text()
    assert "staging" not in stored and "prod.example.com" in stored
    for secret in (webhook_code(PROD), webhook_code(TEST)):
        assert secret not in stored
    assert leak_walk(window, [webhook_code(PROD), webhook_code(TEST)]) == []


def test_the_last_used_profile_is_remembered(
    qtbot: Any, make_window: Any, memory_keyring: Any, settings_path: Path
) -> None:
    window = make_window()
    panel = window.credentials_panel
    answer(panel, "second")
    panel.new_profile()
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText(TEST)
    panel.remember()
    window.close()

    again = make_window(settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    assert again.credentials_panel.current_profile == "second"
    assert combo_names(again) == ["default", "second"]
    assert again.credentials_panel.credential() == parse_webhook_url(TEST)
    assert again.windowTitle().endswith("— test.example.com")
    stored = settings_path.read_text()
    assert "lastProfile=second" in stored
    assert webhook_code(TEST) not in stored


def test_bad_profile_names_are_refused(qtbot: Any, make_window: Any, memory_keyring: Any) -> None:
    window = make_window()
    panel = window.credentials_panel
    for name, reason in (
        ("", "needs a name"),
        ("a/b", "cannot contain"),
        ("x#1", "cannot contain"),
        ("DEFAULT", "already a profile called “default”"),
        ("n" * 65, "at most 64"),
    ):
        answer(panel, name)
        assert panel.new_profile() is None
        assert reason in panel.keychain_label.text(), name
    answer(panel, None)  # cancelled
    assert panel.new_profile() is None
    assert combo_names(window) == ["default"]
    assert memory_keyring.entries == {}


def test_switching_profile_drops_what_belonged_to_the_other_portal(
    qtbot: Any, make_window: Any, memory_keyring: Any, portal: Any
) -> None:
    memory_keyring.set_password(
        SERVICE, "default", parse_webhook_url(portal.webhook_url).to_storage()
    )
    window = make_window()
    panel = window.credentials_panel
    type_id_and_enter(qtbot, window, "7")
    assert window.source_tree.source_model.source is not None
    answer(panel, "empty")
    panel.new_profile()
    assert window.source_tree.source_model.source is None
    assert window.status_line.text() == "Switched to the profile “empty”."
    type_id_and_enter(qtbot, window, "7")
    assert window.status_line.text().startswith("No usable credential")
    assert leak_walk(window, [webhook_code(portal.webhook_url)]) == []


def test_the_demo_has_its_own_session_entry(
    qtbot: Any, make_window: Any, memory_keyring: Any, portal: Any
) -> None:
    memory_keyring.set_password(SERVICE, "default", parse_webhook_url(PROD).to_storage())
    window = make_window(demo=portal)
    panel = window.credentials_panel
    assert combo_names(window) == ["Demo portal (this session)", "default"]
    assert panel.current_profile is None
    assert not panel.rename_profile_button.isEnabled()
    assert not panel.delete_profile_button.isEnabled()
    assert not panel.remember_button.isEnabled()
    panel.profile_combo.setCurrentIndex(1)
    assert panel.credential() == parse_webhook_url(PROD)
    panel.profile_combo.setCurrentIndex(0)
    assert window.windowTitle().endswith("— Demo portal")
    type_id_and_enter(qtbot, window, "6")
    assert window.status_line.text().startswith("Source 6")
    assert memory_keyring.saved("default") == parse_webhook_url(PROD).to_storage()
    assert len(memory_keyring.entries) == 1
    assert leak_walk(window, [webhook_code(portal.webhook_url), webhook_code(PROD)]) == []
