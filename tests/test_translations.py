"""The translation system: catalogue complete and compiled, Russian plurals, the CLI in Russian.

The catalogue checks are the ones ``packaging/translations.py check`` runs, so a string marked
in the code but missing from the Russian catalogue, or a catalogue edited but not compiled,
fails here.
"""

from __future__ import annotations

import gettext
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import translations

from inspector import i18n


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    i18n.install(i18n.SOURCE_LANGUAGE)


def test_russian_catalogue_is_complete_and_compiled() -> None:
    assert translations.problems("ru") == []


def test_compiler_round_trip(tmp_path: Path) -> None:
    messages = [
        translations.Message("Hello", translations=["Привет"]),
        translations.Message(
            "{n} setting",
            "{n} settings",
            translations=["{n} настройка", "{n} настройки", "{n} настроек"],
        ),
        translations.Message("Open", context="menu", translations=["Открыть"]),
        translations.Message('two\nlines "quoted"', translations=['две\nстроки "в кавычках"']),
        translations.Message("not yet"),
    ]
    po = tmp_path / "x.po"
    translations.write_po(po, translations.header("ru"), messages)
    _header, back = translations.read_po(po)
    assert [(m.msgid, m.plural, m.context, m.translations) for m in back] == [
        (m.msgid, m.plural, m.context, m.translations or [""]) for m in messages
    ]
    compiled = gettext.GNUTranslations(io.BytesIO(translations.compile_po(po)))
    assert compiled.gettext("Hello") == "Привет"
    forms = [compiled.ngettext("{n} setting", "{n} settings", n).format(n=n) for n in (1, 3, 5, 21)]
    assert forms == ["1 настройка", "3 настройки", "5 настроек", "21 настройка"]
    assert compiled.pgettext("menu", "Open") == "Открыть"
    assert compiled.gettext('two\nlines "quoted"') == 'две\nстроки "в кавычках"'
    assert compiled.gettext("not yet") == "not yet"  # untranslated falls back to English


def test_check_finds_missing_and_broken_fields() -> None:
    assert translations.format_fields("{a} {{b}} {c:>3} {d!r}") == {"a", "c", "d"}
    assert translations.percent_fields("%(prog)s: %s") == ["", "prog"]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LANGUAGE": "ru:en", "LANG": "en_US.UTF-8"}, "ru"),
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "ru_RU.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANGUAGE": "de:ru"}, "ru"),
        ({}, "en"),
    ],
)
def test_language_follows_the_environment(environ: dict[str, str], expected: str) -> None:
    assert i18n.choose_language(None, i18n.system_languages(environ)) == expected


def test_explicit_choice_beats_the_environment() -> None:
    assert i18n.choose_language("en", ["ru"]) == "en"
    assert i18n.choose_language("auto", ["ru"]) == "ru"
    assert i18n.choose_language("ru", []) == "ru"


def test_russian_plural_forms_from_the_real_catalogue() -> None:
    i18n.install("ru")
    assert i18n._("options") == "параметры"
    assert i18n.current_language() == "ru"


def _cli(*args: str, lang_env: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANG": lang_env, "LC_ALL": "", "LANGUAGE": ""}
    env.pop("B24_WEBHOOK_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "inspector", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_cli_follows_the_system_language() -> None:
    russian = _cli("get", lang_env="ru_RU.UTF-8")
    assert russian.returncode == 2
    assert "использование:" in russian.stderr
    english = _cli("get", lang_env="en_US.UTF-8")
    assert "usage:" in english.stderr


def test_lang_option_beats_the_environment() -> None:
    assert "использование:" in _cli("--lang", "ru", "get", lang_env="en_US.UTF-8").stderr
    assert "usage:" in _cli("--lang=en", "get", lang_env="ru_RU.UTF-8").stderr


def test_unknown_language_is_bad_input() -> None:
    proc = _cli("--lang", "xx", "--version")
    assert proc.returncode == 2
    assert "--lang" in proc.stderr and "'xx'" in proc.stderr


def test_desktop_entry_and_metainfo_carry_russian_name_and_summary() -> None:
    resources = Path(__file__).resolve().parent.parent / "resources"
    desktop = (resources / "b24-inspector.desktop").read_text(encoding="utf-8")
    for key in ("Name[ru]=", "GenericName[ru]=", "Comment[ru]="):
        assert any(line.startswith(key) and len(line) > len(key) for line in desktop.splitlines())
    metainfo = (resources / "io.github.b24inspector.B24Inspector.metainfo.xml").read_text(
        encoding="utf-8"
    )
    assert '<name xml:lang="ru">' in metainfo
    assert '<summary xml:lang="ru">' in metainfo
