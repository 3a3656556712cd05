"""The program's one translation system: the standard library's gettext, for core, CLI and window.

Why gettext and not Qt's translator: half of the user-visible strings (error explanations, the
outline, the CLI's output) live in the Qt-free core, which the CLI and the tests use without
PySide6, so the catalogue must be readable without Qt. Russian needs three plural forms, which
gettext's ``ngettext`` takes from the catalogue's ``Plural-Forms`` header. Qt's translator
is used only for Qt's own texts (standard buttons, context menus), from the ``qtbase_*.qm``
files that ship with PySide6.

Strings are marked where they are used: ``_("text")``, ``ngettext(one, many, n)``. Tables built
at import time mark their strings with ``N_`` (which returns them as they are) and translate
them at the point of use, so a language chosen after import still applies.

English is the source language. ``x-pseudo`` is a pseudo-language for checks: every translated
string comes back inside ``⟦…⟧``, so a text on screen without the brackets was never marked.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing's: importing typing costs --version about a third more
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping  # collections: 1.5 ms of --help
    from typing import Protocol

    class _Translations(Protocol):
        def gettext(self, message: str, /) -> str: ...
        def ngettext(self, msgid1: str, msgid2: str, n: int, /) -> str: ...
        def pgettext(self, context: str, message: str, /) -> str: ...


DOMAIN = "inspector"
LOCALE_DIR = os.path.join(os.path.dirname(__file__), "locale")  # os.path: no pathlib import
SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "ru")  # the languages a user can choose; "en" needs no catalogue
PSEUDO_LANGUAGE = "x-pseudo"
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"

# The environment variables gettext consults, in its order (LANGUAGE may list several).
_ENVIRONMENT_KEYS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


class _SourceLanguage:
    """English, the language of the code: no catalogue, and no gettext import (start-up time)."""

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return msgid1 if n == 1 else msgid2

    def pgettext(self, context: str, message: str) -> str:
        return message


class _PseudoTranslations:
    """Wraps every translated string in brackets, so unmarked text stands out."""

    def gettext(self, message: str) -> str:
        return f"{PSEUDO_OPEN}{message}{PSEUDO_CLOSE}"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return self.gettext(message)


_translations: _Translations = _SourceLanguage()
_language = SOURCE_LANGUAGE
_chosen_by_user = False  # set by ``--lang``: then the window's saved choice does not apply


def _(message: str) -> str:
    """*message* in the chosen language."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of *singular*/*plural* that fits *count*, in the chosen language."""
    return _translations.ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """*message* in the chosen language, told apart from the same English word by *context*."""
    return _translations.pgettext(context, message)


def N_(message: str) -> str:  # gettext's conventional name
    """Mark *message* for the catalogue without translating it yet (see the module's docstring)."""
    return message


def language_code(name: str) -> str:
    """``ru_RU.UTF-8`` → ``ru``; ``C`` and ``POSIX`` → ``en`` (they mean "untranslated")."""
    code = name.split(".", 1)[0].split("@", 1)[0].replace("-", "_").split("_", 1)[0].lower()
    return SOURCE_LANGUAGE if code in ("", "c", "posix") else code


def system_languages(
    environ: Mapping[str, str] | None = None, ui_languages: Iterable[str] = ()
) -> list[str]:
    """The user's preferred languages, most wanted first, as two-letter codes.

    On Linux the environment decides, as it does for gettext; on Windows and macOS a
    desktop program gets no ``LANG`` from the system, so the window passes the system's UI
    languages (Qt's ``QLocale.system().uiLanguages()``) in *ui_languages*; the CLI on Windows
    asks the system itself.
    """
    env = os.environ if environ is None else environ
    found: list[str] = []
    for key in _ENVIRONMENT_KEYS:
        value = env.get(key, "")
        if value:
            found.extend(part for part in value.split(":") if part)
            break  # gettext stops at the first variable that is set
    if not found and sys.platform == "win32":
        found.extend(_windows_ui_languages())
    found.extend(ui_languages)
    return [language_code(name) for name in found]


def _windows_ui_languages() -> list[str]:
    import ctypes
    import locale

    try:
        lcid = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return []
    name = locale.windows_locale.get(int(lcid))
    return [name] if name else []


def is_known(requested: str) -> bool:
    """Whether *requested* (a ``--lang`` value) names a language the program has, or ``auto``."""
    code = requested if requested == PSEUDO_LANGUAGE else language_code(requested)
    return requested == "auto" or code in LANGUAGES or code == PSEUDO_LANGUAGE


def choose_language(requested: str | None, preferred: Iterable[str] = ()) -> str:
    """The language to use: *requested* if it is one we have, else the first of *preferred*."""
    if requested and requested != "auto":
        code = requested if requested == PSEUDO_LANGUAGE else language_code(requested)
        if code in LANGUAGES or code == PSEUDO_LANGUAGE:
            return code
    for code in preferred:
        if code in LANGUAGES:
            return code
        if code == SOURCE_LANGUAGE:
            break
    return SOURCE_LANGUAGE


def install(language: str) -> str:
    """Translate from now on into *language* (a code from ``LANGUAGES`` or the pseudo one)."""
    global _translations, _language
    if language == PSEUDO_LANGUAGE:
        _translations = _PseudoTranslations()
    elif language == SOURCE_LANGUAGE:
        _translations = _SourceLanguage()
    else:
        import gettext

        _translations = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    _language = language
    return language


def setup(
    requested: str | None = None, ui_languages: Iterable[str] = (), *, by_user: bool = False
) -> str:
    """Choose the language from *requested* (``--lang`` or the saved choice) and the system.

    *by_user* marks a choice made for this run (``--lang``), which the window's saved choice
    then leaves alone (see ``chosen_by_user``).
    """
    global _chosen_by_user
    _chosen_by_user = by_user and requested not in (None, "auto")
    return install(choose_language(requested, system_languages(ui_languages=ui_languages)))


def chosen_by_user() -> bool:
    """Whether this run's language was given on the command line."""
    return _chosen_by_user


def current_language() -> str:
    """The language being used (``en`` until ``setup`` or ``install`` chose another)."""
    return _language
