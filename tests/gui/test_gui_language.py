"""View ▸ Language: the choice is saved, applied at the next start, Qt's own texts included."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from inspector import i18n
from inspector.ui.language import LANGUAGE_KEY, AppliedLanguage, apply_language, saved_language


@pytest.fixture
def restore_language() -> Iterator[list[AppliedLanguage]]:
    """What the test applied is taken back: the next test runs in English."""
    applied: list[AppliedLanguage] = []
    yield applied
    app = QApplication.instance()
    assert app is not None
    for each in applied:
        if each.qt_translator is not None:
            app.removeTranslator(each.qt_translator)
    i18n.setup(i18n.SOURCE_LANGUAGE)  # also forgets a --lang given by the test


def cancel_text() -> str:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert button is not None
    return button.text().replace("&", "")


def test_russian_saved_makes_qts_own_buttons_russian(
    qtbot: Any, settings: Any, restore_language: list[AppliedLanguage]
) -> None:
    app = QApplication.instance()
    assert app is not None
    assert cancel_text() == "Cancel"
    settings.setValue(LANGUAGE_KEY, "ru")
    applied = apply_language(app, settings)
    restore_language.append(applied)
    assert applied.language == "ru" and i18n.current_language() == "ru"
    assert applied.qt_translator is not None
    assert cancel_text() == "Отмена"


def test_english_saved_keeps_english_whatever_the_system(
    qtbot: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    restore_language: list[AppliedLanguage],
) -> None:
    monkeypatch.setenv("LANGUAGE", "ru_RU")
    app = QApplication.instance()
    assert app is not None
    settings.setValue(LANGUAGE_KEY, "en")
    applied = apply_language(app, settings)
    restore_language.append(applied)
    assert applied == AppliedLanguage("en", None)
    assert cancel_text() == "Cancel"
    # "System" follows the environment.
    settings.setValue(LANGUAGE_KEY, "system")
    applied = apply_language(app, settings)
    restore_language.append(applied)
    assert applied.language == "ru"


def test_lang_option_wins_over_the_saved_choice(
    qtbot: Any, settings: Any, restore_language: list[AppliedLanguage]
) -> None:
    app = QApplication.instance()
    assert app is not None
    settings.setValue(LANGUAGE_KEY, "ru")
    i18n.setup("en", by_user=True)  # what `b24-inspector --lang en` does before the window
    applied = apply_language(app, settings)
    restore_language.append(applied)
    assert applied == AppliedLanguage("en", None)
    assert cancel_text() == "Cancel"


def test_the_view_menu_saves_the_choice_and_says_it_needs_a_restart(
    qtbot: Any, make_window: Any, settings: Any
) -> None:
    window = make_window()
    actions = window.window_actions.languages
    assert actions["system"].isChecked()
    assert [action.text() for action in actions.values()] == ["&System", "&English", "&Русский"]
    actions["ru"].trigger()
    assert saved_language(settings) == "ru"
    assert actions["ru"].isChecked() and not actions["system"].isChecked()
    assert "restart" in window.status_line.text()
    assert i18n.current_language() == "en"  # nothing changed under the user's hands
    settings.setValue(LANGUAGE_KEY, "klingon")
    assert saved_language(settings) == "system"
