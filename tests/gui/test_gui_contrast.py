"""Every text in the window and its coloured dialogs is readable in light and in dark.

The window is rendered (``QWidget.grab``) in each theme with every coloured text showing: the
plain-http warning, the banners, the message area, and the network dialog's errors. For each
text the background is the colour most of its box is drawn in, and the text the rendered
pixel farthest from it in contrast; WCAG's ratio between the two must be at least 4.5:1.
Before the palettes and colour pairs of ``ui/theme.py``, the plain-http warning measured
4.2:1 in light and the network dialog's errors 1.7:1 in dark.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from inspector.ui.theme import (
    MIN_TEXT_CONTRAST,
    THEME_KEY,
    ThemeChoice,
    apply_theme,
    contrast_ratio,
    is_dark,
)


@pytest.fixture
def themed() -> Iterator[None]:
    """The test may force a theme; the next test starts from the system's look again."""
    yield
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, ThemeChoice.SYSTEM)


def measured_contrast(image: QImage, box: QRect) -> float:
    """The contrast of the text rendered inside *box* of *image* against its background."""
    counts: Counter[int] = Counter()
    pixels: set[int] = set()
    for y in range(box.top(), box.bottom() + 1):
        for x in range(box.left(), box.right() + 1):
            rgb = image.pixel(x, y) & 0xFFFFFF
            counts[rgb] += 1
            pixels.add(rgb)
    background = QColor(counts.most_common(1)[0][0])
    return max(contrast_ratio(QColor(rgb), background) for rgb in pixels)


def text_contrasts(window: QWidget) -> dict[str, float]:
    """Each visible, enabled text widget of *window*: its rendered contrast."""
    image = window.grab().toImage()
    scale = image.devicePixelRatio()
    found: dict[str, float] = {}
    for widget in window.findChildren(QWidget):
        if not (widget.isVisibleTo(window) and widget.isEnabled()):
            continue
        if isinstance(widget, QLabel) and widget.text().strip():
            inner = widget.contentsRect()
        elif isinstance(widget, QAbstractButton) and widget.text().strip():
            inner = widget.rect()
        else:
            continue
        # Inside its border, in the grabbed image's pixels.
        top_left = widget.mapTo(window, inner.topLeft() + QPoint(2, 2))
        box = QRect(
            int(top_left.x() * scale),
            int(top_left.y() * scale),
            int((inner.width() - 4) * scale),
            int((inner.height() - 4) * scale),
        ).intersected(image.rect())
        if box.width() > 4 and box.height() > 4:
            name = widget.objectName() or f"{type(widget).__name__} {widget.text()[:30]!r}"
            found[name] = round(measured_contrast(image, box), 2)
    return found


def low(contrasts: dict[str, float]) -> dict[str, float]:
    return {name: ratio for name, ratio in contrasts.items() if ratio < MIN_TEXT_CONTRAST}


def test_the_measure_fails_faint_text(qtbot: Any, themed: None) -> None:
    """#8a4500 on a dark window, the old connector colour, measures far below 4.5:1."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, ThemeChoice.DARK)
    holder = QWidget()
    qtbot.addWidget(holder)
    label = QLabel("Plain http: the code travels unencrypted", holder)
    label.setObjectName("faint")
    label.setStyleSheet("QLabel { color: #8a4500; }")
    label.resize(400, 40)
    holder.resize(420, 60)
    holder.show()
    qtbot.waitExposed(holder)
    ratio = text_contrasts(holder)["faint"]
    assert ratio < 2.5, ratio
    assert round(contrast_ratio(QColor("#000000"), QColor("#ffffff")), 1) == 21.0


@pytest.mark.parametrize("choice", [ThemeChoice.LIGHT, ThemeChoice.DARK])
def test_every_text_of_the_window_is_readable(
    qtbot: Any, make_window: Any, settings: Any, themed: None, choice: ThemeChoice
) -> None:
    settings.setValue(THEME_KEY, choice.value)
    window = make_window()
    assert is_dark(window.palette()) == (choice is ThemeChoice.DARK)
    panel = window.credentials_panel
    panel.webhook_radio.setChecked(True)
    panel.webhook_field.edit.setText("http://portal.example.com/rest/1/abcdef123456/")
    qtbot.waitUntil(lambda: panel.http_warning.isVisible())
    window.message_area.show_message("Source 7 was not found on this portal.")
    window.stale_banner.setText("The result below is from an earlier fetch.")
    window.stale_banner.setVisible(True)
    window.connector_banner.setText("The connector's endpoints use plain http.")
    window.connector_banner.setVisible(True)
    qtbot.wait(10)  # one pass of the event loop: the layout takes the new banners
    contrasts = text_contrasts(window)
    for shown in ("plainHttpWarning", "messageText", "staleBanner", "connectorWarning"):
        assert shown in contrasts, sorted(contrasts)
    assert low(contrasts) == {}, contrasts


@pytest.mark.parametrize("choice", [ThemeChoice.LIGHT, ThemeChoice.DARK])
def test_the_network_dialogs_errors_are_readable(
    qtbot: Any, make_window: Any, settings: Any, themed: None, choice: ThemeChoice, tmp_path: Any
) -> None:
    settings.setValue(THEME_KEY, choice.value)
    window = make_window()
    window.edit_network_settings()
    dialog = window.network_dialog
    qtbot.waitExposed(dialog)
    dialog.proxy_edit.setText("ftp://proxy.example.com:3128")
    not_pem = tmp_path / "not-a-certificate.pem"
    not_pem.write_text("hello")
    dialog.ca_edit.setText(str(not_pem))
    assert dialog.proxy_error.isVisible() and dialog.ca_error.isVisible()
    qtbot.wait(10)
    contrasts = text_contrasts(dialog)
    assert "proxyError" in contrasts and "caFileError" in contrasts, sorted(contrasts)
    assert low(contrasts) == {}, contrasts
    dialog.reject()


def test_the_view_menu_switches_and_keeps_the_theme(
    qtbot: Any, make_window: Any, settings: Any, themed: None
) -> None:
    window = make_window()
    window.window_actions.themes[ThemeChoice.DARK].trigger()
    qtbot.waitUntil(lambda: is_dark(window.palette()))
    banner_style = window.connector_banner.styleSheet()
    window.window_actions.themes[ThemeChoice.LIGHT].trigger()
    qtbot.waitUntil(lambda: not is_dark(window.palette()))
    assert window.connector_banner.styleSheet() != banner_style  # the pair for light
    assert settings.value(THEME_KEY) == "light"
    window.window_actions.themes[ThemeChoice.DARK].trigger()
    second = make_window()
    assert second.window_actions.themes[ThemeChoice.DARK].isChecked()


def test_system_theme_follows_the_platform_switching_scheme(
    qtbot: Any, make_window: Any, themed: None
) -> None:
    """With System chosen, the platform's switch to dark (a new palette, then the hint's
    signal) gives the warnings their dark pair."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPalette

    from inspector.ui.theme import Tone, dark_palette, tone_style

    window = make_window()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    light_style = window.connector_banner.styleSheet()
    assert light_style == tone_style(Tone.WARNING, app.palette())
    try:
        app.setPalette(dark_palette())  # what the platform does when the user switches
        app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        qtbot.waitUntil(lambda: window.connector_banner.styleSheet() != light_style)
        assert window.connector_banner.styleSheet() == tone_style(Tone.WARNING, dark_palette())
    finally:
        app.setPalette(QPalette())


def test_theme_option_applies_for_this_run_and_keeps_the_saved_choice(
    qtbot: Any, make_window: Any, settings: Any, themed: None
) -> None:
    settings.setValue(THEME_KEY, ThemeChoice.LIGHT.value)
    window = make_window(theme=ThemeChoice.DARK)  # what `--theme dark` passes
    assert is_dark(window.palette())
    assert window.window_actions.themes[ThemeChoice.DARK].isChecked()
    assert settings.value(THEME_KEY) == ThemeChoice.LIGHT.value


def test_back_to_system_restores_the_platforms_style(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The platform's style is remembered only when a theme is first forced (asking for it
    # at start costs the QStyle wrapper): going back must still find it.
    from inspector.ui import theme

    previous = qapp.style().name()
    monkeypatch.setattr(theme, "_system_look", None)
    qapp.setStyle("Windows")  # a platform style that is not Fusion
    try:
        apply_theme(qapp, ThemeChoice.SYSTEM)
        assert qapp.style().name().lower() == "windows"
        apply_theme(qapp, ThemeChoice.DARK)
        assert qapp.style().name().lower() == "fusion"
        apply_theme(qapp, ThemeChoice.SYSTEM)
        assert qapp.style().name().lower() == "windows"
    finally:
        apply_theme(qapp, ThemeChoice.SYSTEM)
        qapp.setStyle(previous)
