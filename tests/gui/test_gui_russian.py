"""The window in Russian: its guide, its menus' choices, and its size at 800x500.

Russian words are longer than English ones; the window must still fit 800x500 with the ID
row and the tree in view. The connect guide names Bitrix24's Russian menus, and the View
menu's "System" takes the gender of what it qualifies (a theme, a language).
"""

from __future__ import annotations

from typing import Any

import pytest

from gui.test_gui_accessibility_ru import russian
from gui.test_gui_layout import (
    scroll_area,
    test_the_window_fits_a_1366_px_screen_at_2x,
    visible_in_viewport,
)
from inspector.core.signin_address import handler_url
from inspector.demo.portal import DemoPortal
from inspector.ui.connect_help import connect_text

__all__ = ["russian"]  # the fixture, used by name


def test_the_connect_guide_is_russian_and_names_the_handler(russian: None) -> None:
    text = connect_text(50123)
    assert text.startswith("Подключение к порталу\n")
    assert "«Разработчикам» ▸ «Другое» ▸" in text
    assert "«Доступ к BI-конструктору» и «Доступ к Аналитическому центру»" in text
    assert handler_url(50123) in text
    assert "Connect" not in text


def test_the_view_menu_speaks_russian(russian: None, make_window: Any) -> None:
    window = make_window()
    actions = window.window_actions
    themes = [action.text() for action in actions.themes.values()]
    languages = [action.text() for action in actions.languages.values()]
    assert themes == ["&Системная", "Св&етлая", "&Тёмная"]
    assert languages == ["&Системный", "&English", "&Русский"]


def test_the_russian_window_fits_800_by_500(russian: None, qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.credentials_panel.oauth_radio.setChecked(True)
    window.message_area.show_message("Источник 999999 не найден на этом портале.")
    window.resize(800, 500)
    qtbot.waitUntil(lambda: window.width() == 800 and window.height() == 500)
    assert not scroll_area(window).horizontalScrollBar().isVisible()
    for widget in (window.source_id_combo, window.fetch_button, window.cancel_button):
        assert visible_in_viewport(window, widget), widget.objectName()
    assert window.source_tree.height() >= 100


@pytest.mark.parametrize("mode", ["webhook", "oauth"])
def test_the_russian_window_fits_a_1366_px_screen_at_2x(
    russian: None, qtbot: Any, make_window: Any, portal: DemoPortal, mode: str
) -> None:
    test_the_window_fits_a_1366_px_screen_at_2x(qtbot, make_window, portal, mode)
