"""Light and dark: the palettes, the coloured text's colour pairs, and the View ▸ Theme choice.

The window follows the system's colour scheme unless the user picked Light or Dark
(``THEME_KEY`` in the settings). Every colour the program draws comes from the palette, or
from a ``ToneColours`` pair chosen for the scheme the palette is in: a warning colour fixed
for a light window measured 1.7:1 on a dark one, where text needs 4.5:1 (WCAG 2.x, AA).

A coloured widget is marked with ``set_tone`` rather than given a style sheet: the sheet is
written from the pair that fits the palette in use, and written again when the scheme
changes (the system's, or the user's choice). ``contrast_ratio`` is WCAG's formula; the
contrast test measures the rendered window with it.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from ..i18n import N_
from .qt_namespace import set_enum

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

THEME_KEY = "view/theme"
MIN_TEXT_CONTRAST = 4.5  # WCAG 2.x AA, normal text
_TONE_PROPERTY = "inspectorTone"


class ThemeChoice(enum.StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


THEME_LABELS = {
    ThemeChoice.SYSTEM: N_("&System"),
    ThemeChoice.LIGHT: N_("&Light"),
    ThemeChoice.DARK: N_("&Dark"),
}


class Tone(enum.StrEnum):
    """What a coloured text means; each has a colour pair per scheme."""

    WARNING = "warning"  # a banner: the connector disagrees, plain http
    ERROR = "error"  # a sentence under a field, or the message area
    NOTE = "note"  # a neutral banner: the result shown is not the latest


class ToneColours(NamedTuple):
    """Text, and the background and border it sits on (None: the palette's)."""

    text: str | None
    background: str | None = None
    border: str | None = None


# Chosen for at least 7:1 against their own background (and over 5:1 against the
# Fusion palettes' window colour where they have none); the test measures them rendered.
_TONES: dict[tuple[Tone, bool], ToneColours] = {
    (Tone.WARNING, False): ToneColours("#6b3500", "#fff3e0", "#b35900"),
    (Tone.WARNING, True): ToneColours("#ffc680", "#3a2a14", "#c77a20"),
    (Tone.ERROR, False): ToneColours("#9c001b"),
    (Tone.ERROR, True): ToneColours("#ff9b92"),
    (Tone.NOTE, False): ToneColours(None, "palette(alternate-base)", "palette(mid)"),
    (Tone.NOTE, True): ToneColours(None, "palette(alternate-base)", "palette(mid)"),
}


def relative_luminance(colour: QColor) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (0 black … 1 white)."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(colour.redF())
        + 0.7152 * linear(colour.greenF())
        + 0.0722 * linear(colour.blueF())
    )


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG contrast ratio of two colours, 1 … 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def is_dark(palette: QPalette) -> bool:
    """Whether *palette* draws light text on dark: decided by what is drawn, not by the
    platform's hint, which some platforms (and the offscreen one) leave unknown."""
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def tone_colours(tone: Tone, palette: QPalette) -> ToneColours:
    """The pair for *tone* in the scheme *palette* is in."""
    return _TONES[(tone, is_dark(palette))]


def tone_style(tone: Tone, palette: QPalette) -> str:
    """The style sheet of a label in *tone* drawn with *palette*."""
    colours = tone_colours(tone, palette)
    text = colours.text
    if text is not None and colours.background is None:
        # Drawn straight on the window: never fainter than the palette's own text.
        window = palette.color(QPalette.ColorRole.Window)
        if contrast_ratio(QColor(text), window) < MIN_TEXT_CONTRAST:
            text = palette.color(QPalette.ColorRole.WindowText).name()
    rules = [f"color: {text};"] if text else []
    if colours.background is not None:
        rules.append(f"background: {colours.background};")
        rules.append("padding: 4px;")
    if colours.border is not None:
        rules.append(f"border: 1px solid {colours.border};")
    return "QLabel { " + " ".join(rules) + " }"


def set_tone(widget: QWidget, tone: Tone) -> None:
    """Draw *widget* (a label) in *tone*, now and after every change of scheme."""
    widget.setProperty(_TONE_PROPERTY, tone.value)
    widget.setStyleSheet(tone_style(tone, QGuiApplication.palette()))


def refresh_tones() -> None:
    """Rewrite every toned widget's colours for the palette now in use."""
    palette = QGuiApplication.palette()
    for widget in QApplication.allWidgets():
        value = widget.property(_TONE_PROPERTY)
        if isinstance(value, str) and value in Tone._value2member_map_:
            widget.setStyleSheet(tone_style(Tone(value), palette))


def light_palette() -> QPalette:
    """The Light theme's palette (Fusion's light colours, written out)."""
    return _palette(
        window="#efefef",
        window_text="#000000",
        base="#ffffff",
        alternate="#f7f7f7",
        text="#000000",
        button="#efefef",
        highlight="#308cc6",
        link="#0b57a8",
        mid="#b8b8b8",
        disabled_text="#6e6e6e",
        placeholder="#5c5c5c",
    )


def dark_palette() -> QPalette:
    """The Dark theme's palette."""
    return _palette(
        window="#2b2b2b",
        window_text="#f0f0f0",
        base="#1e1e1e",
        alternate="#333333",
        text="#f0f0f0",
        button="#3a3a3a",
        highlight="#3d7cc9",
        link="#8ab4f8",
        mid="#5a5a5a",
        disabled_text="#9a9a9a",
        placeholder="#a6a6a6",
    )


def _palette(
    *,
    window: str,
    window_text: str,
    base: str,
    alternate: str,
    text: str,
    button: str,
    highlight: str,
    link: str,
    mid: str,
    disabled_text: str,
    placeholder: str,
) -> QPalette:
    role = QPalette.ColorRole
    palette = QPalette(QColor(button), QColor(window))
    for each, colour in (
        (role.Window, window),
        (role.WindowText, window_text),
        (role.Base, base),
        (role.AlternateBase, alternate),
        (role.ToolTipBase, base),
        (role.ToolTipText, text),
        (role.Text, text),
        (role.Button, button),
        (role.ButtonText, text),
        (role.BrightText, "#ff5555"),
        (role.Highlight, highlight),
        (role.HighlightedText, "#ffffff"),
        (role.Link, link),
        (role.Mid, mid),
        (role.PlaceholderText, placeholder),
    ):
        palette.setColor(each, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for each in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(disabled, each, QColor(disabled_text))
    return palette


def saved_theme(settings: QSettings) -> ThemeChoice:
    """The theme chosen in View ▸ Theme (System when none, or an unknown value, was saved)."""
    value = settings.value(THEME_KEY, ThemeChoice.SYSTEM.value)
    try:
        return ThemeChoice(str(value))
    except ValueError:
        return ThemeChoice.SYSTEM


class _SystemLook:
    """The style the platform gave, kept to go back to from a forced theme."""

    def __init__(self) -> None:
        # Asked only before a theme is first forced: the QStyle wrapper and its enums cost
        # about 10 ms of start-up that the System theme does not need.
        self.style_name: str | None = None
        self.forced = False
        self.following = False


_system_look: _SystemLook | None = None


def apply_theme(app: QApplication, choice: ThemeChoice) -> None:
    """Draw the application in *choice*: the system's scheme, or Light or Dark.

    Light and Dark use Fusion with the palettes above: the platform's own style may ignore
    a palette (Windows' does), and its own scheme switch is not available everywhere.
    """
    global _system_look
    if _system_look is None:
        _system_look = _SystemLook()
    look = _system_look
    hints = app.styleHints()
    if choice is ThemeChoice.SYSTEM:
        if look.forced and look.style_name is not None:
            hints.unsetColorScheme()
            app.setStyle(look.style_name)
            app.setPalette(QPalette())  # no role set: back to the platform's palette
            look.forced = False
        if not look.following:
            # The system switching light/dark changes the palette; the tones follow.
            hints.colorSchemeChanged.connect(_on_scheme_changed)
            look.following = True
    else:
        dark = choice is ThemeChoice.DARK
        if look.style_name is None:
            look.style_name = app.style().name()
        set_enum(hints, "colorScheme", "Dark" if dark else "Light")
        fusion = QStyleFactory.create("Fusion")
        if fusion is not None:
            app.setStyle(fusion)
        app.setPalette(dark_palette() if dark else light_palette())
        look.forced = True
    refresh_tones()


def _on_scheme_changed(scheme: Qt.ColorScheme) -> None:
    # The platform may install its new palette after telling: rewrite once it has.
    QTimer.singleShot(0, refresh_tones)
