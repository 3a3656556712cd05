"""The accessibility walk of ``test_gui_accessibility`` again, with the window in Russian.

Mnemonics are chosen per language: a Russian label puts its ``&`` on a Russian letter, and
two controls of one window (or two items of one menu) must not share it there either. The
window and every dialog are built after Russian is installed (with Qt's own Russian texts,
as ``ui.language.apply_language`` installs them), and English is put back afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QLibraryInfo, QTranslator
from PySide6.QtWidgets import QApplication, QDialog

from gui.accessibility_walk import problems
from gui.test_gui_accessibility import _dialogs
from inspector import i18n
from inspector.demo.portal import DemoPortal


@pytest.fixture
def russian(qapp: QApplication) -> Iterator[None]:
    i18n.install("ru")
    translator = QTranslator(qapp)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_ru", folder):
        qapp.installTranslator(translator)
    try:
        yield
    finally:
        qapp.removeTranslator(translator)
        i18n.install(i18n.SOURCE_LANGUAGE)


def _menu_titles(window: Any) -> list[str]:
    return [action.text() for action in window.menuBar().actions()]


@pytest.mark.parametrize("mode", ["webhook", "oauth"])
def test_the_russian_window_has_named_controls_and_unique_mnemonics(
    russian: None, qtbot: Any, make_window: Any, mode: str
) -> None:
    window = make_window()
    assert _menu_titles(window)[0] == "&Файл"  # really built in Russian
    panel = window.credentials_panel
    if mode == "oauth":
        panel.oauth_radio.setChecked(True)
        panel.form.renewal_toggle.click()  # the renewal fields: four more labelled fields
    window.message_area.show_message("Источник 7 не найден.")
    window.stale_banner.setText("Это результат более ранней загрузки.")
    window.stale_banner.setVisible(True)
    window.connector_banner.setText("Коннектор использует http без шифрования.")
    window.connector_banner.setVisible(True)
    qtbot.waitUntil(lambda: window.message_area.isVisible())
    assert problems(window) == []


def test_every_russian_dialog_has_named_controls_and_unique_mnemonics(
    russian: None, qtbot: Any, make_window: Any
) -> None:
    window = make_window()
    found: dict[str, list[str]] = {}
    for name, dialog in _dialogs(window, qtbot):
        qtbot.waitExposed(dialog)
        found[name] = problems(dialog)
    assert found == {name: [] for name in found}
    assert len(found) == 7
    assert window.windowTitle().startswith("Инспектор")


def test_the_russian_source_picker_has_named_controls_and_unique_mnemonics(
    russian: None, qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = make_window(demo=portal)
    with qtbot.waitSignal(window.sources_listed, timeout=10_000):
        picker = window.browse_sources()
    assert isinstance(picker, QDialog)
    assert picker.windowTitle().startswith("Источники")
    assert problems(picker) == []
