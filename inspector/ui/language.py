"""View ▸ Language: the saved choice of language, applied once when the program starts.

Strings are translated as widgets are built and never again, so a change of language takes
effect at the next start (the menu says so). ``apply_language`` runs before the first widget:
it chooses the language (the saved choice, else the system's, as ``inspector.i18n`` decides)
and installs a ``QTranslator`` with Qt's own texts in it (standard buttons, context menus),
from the ``qtbase_<language>.qm`` files that come with Qt.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from .. import i18n
from ..i18n import pgettext

LANGUAGE_KEY = "view/language"
SYSTEM_CHOICE = "system"
LANGUAGE_CHOICES = (SYSTEM_CHOICE, "en", "ru")
# Each language named in itself, so a user who cannot read the current one finds theirs.
LANGUAGE_NAMES = {"en": "&English", "ru": "&Русский"}


def language_label(choice: str) -> str:
    """View ▸ Language's item for *choice*: "System" translated, a language in itself.

    "System" has its own context: Russian gives it another form than the theme's "System"
    (a language is masculine, a theme feminine).
    """
    if choice == SYSTEM_CHOICE:
        return pgettext("language", "&System")
    return LANGUAGE_NAMES[choice]


def app_display_name() -> str:
    """The program's name in the chosen language, for the title bar and the dialogs.

    The English text is ``inspector.APP_DISPLAY_NAME`` (a literal here, so that the catalogue
    finds it); a catalogue gives the name the desktop entry gives in its language.
    """
    return pgettext("program name", "Bitrix24 BI Source Inspector")


class AppliedLanguage(NamedTuple):
    """The language in use, and the translator installed for Qt's texts (None: English)."""

    language: str
    qt_translator: QTranslator | None


def saved_language(settings: QSettings) -> str:
    """The choice saved in View ▸ Language (``system`` when none, or an unknown one, is)."""
    value = str(settings.value(LANGUAGE_KEY, SYSTEM_CHOICE))
    return value if value in LANGUAGE_CHOICES else SYSTEM_CHOICE


def save_language(settings: QSettings, choice: str) -> None:
    settings.setValue(LANGUAGE_KEY, choice if choice in LANGUAGE_CHOICES else SYSTEM_CHOICE)


def apply_language(app: QCoreApplication, settings: QSettings | None = None) -> AppliedLanguage:
    """Translate from now on into the saved (or the system's) language, Qt's texts included."""
    if i18n.chosen_by_user():  # ``--lang`` on the command line wins over the saved choice
        language = i18n.current_language()
    else:
        choice = saved_language(settings if settings is not None else QSettings())
        language = i18n.setup(
            None if choice == SYSTEM_CHOICE else choice,
            ui_languages=QLocale.system().uiLanguages(),
        )
    translator: QTranslator | None = None
    if language != i18n.SOURCE_LANGUAGE and language != i18n.PSEUDO_LANGUAGE:
        candidate = QTranslator(app)  # owned by the application: lives as long as it
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if candidate.load(f"qtbase_{language}", folder):
            app.installTranslator(candidate)
            translator = candidate
    return AppliedLanguage(language, translator)
