"""The source tree in Russian: labels, counts in Russian's three plural forms, units, kinds.

The demo portal's source 7 (with its connector and a whole time block) is rendered with
``render_tree`` as ``b24-inspector --lang ru get 7`` prints it. Once the portal's own data
(titles, codes, setting names: never translated) and the words that are the same in every
language (codes, addresses, numbers, "UTC") are taken out, no English word may be left: a
label that missed the catalogue would show up here in English.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest

from inspector import i18n
from inspector.cli import render_tree
from inspector.core import formatting
from inspector.core.connector import compare, parse_connector
from inspector.core.errors import BadResponse
from inspector.core.model import Source, parse_source
from inspector.core.outline import ConnectorState, source_outline
from inspector.demo.data import DEMO_CONNECTORS, DEMO_SOURCES

TIME = {
    "start": 1742929480.5,
    "finish": 1742929480.6,
    "duration": 9.79e-05,
    "processing": 0.0065,
    "date_start": "2025-03-25T22:04:40+03:00",
    "date_finish": "2025-03-25T22:04:41+03:00",
    "operating": 0.5,
    "operating_reset_at": 1742930080,
}
# Left alone by the scan, as in the pseudo-locale check: addresses, option names, dotted
# names, codes in capitals (ID, STRING, UTC, SVG), anything with a digit.
_SAME_IN_EVERY_LANGUAGE = re.compile(
    r"https?://\S+|--?[\w-]+|\b[\w-]+(?:\.[\w-]+)+\b|\b[A-Z][A-Z0-9_]+\b|\b\w*\d\w*\b"
)
_NAMES = frozenset({"Bitrix24", "PostgreSQL", "http"})


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    i18n.install(i18n.SOURCE_LANGUAGE)


def _portal_data() -> list[str]:
    """Every string the demo portal sends for source 7 and its connector, longest first."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            found.update(str(key) for key in value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and len(value) > 2:
            found.add(value)

    walk(DEMO_SOURCES[7])
    walk(DEMO_CONNECTORS[2])
    return sorted(found, key=len, reverse=True)


def _english_left(text: str) -> list[str]:
    for item in _portal_data():
        text = text.replace(item, " ")
    text = _SAME_IN_EVERY_LANGUAGE.sub(" ", text)
    return [word for word in re.findall(r"[A-Za-z]{3,}", text) if word not in _NAMES]


def _source(settings: int | None = None) -> Source:
    item = copy.deepcopy(DEMO_SOURCES[7])
    if settings is not None:
        item["settings"] = item["settings"][:settings]
    return parse_source({"result": {"item": item}, "time": TIME})


def _tree(source: Source) -> str:
    report = compare(source, parse_connector({"result": {"item": DEMO_CONNECTORS[2]}}, 2))
    return render_tree(source, connector=ConnectorState(report))


def test_demo_source_7_reads_in_russian_with_no_english_label_left() -> None:
    english = _tree(_source())
    i18n.install("ru")
    russian = _tree(_source())

    lines = russian.splitlines()
    assert lines[0] == "Источник 7: Sales warehouse (PostgreSQL)"  # the title is portal data
    assert "Подключение: 10 полей" in lines
    assert "Параметры (5): 5 параметров, значения скрыты" in lines
    assert "  Активен: да" in lines
    assert "  Логотип: изображение SVG, 6 байт (встроено)" in lines
    assert "  Предупреждения (1): 1 предупреждение" in lines
    assert "Время: 8 полей" in lines
    assert "  Длительность: 0,0000979 с" in lines
    # Times keep the order, the 24-hour clock and the zone the code chose.
    assert re.search(r"^  Начат: 2025-03-2[56] \d\d:\d\d:40 UTC", russian, re.M)
    assert _english_left(russian) == []
    # The scan is not blind: the same tree in English is full of words it finds.
    assert {"Connection", "Settings", "Started", "Duration", "Finished"} <= set(
        _english_left(english)
    )
    assert len(lines) == len(english.splitlines())  # the same rows, only other words


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (1, "1 параметр, значение скрыто"),
        (2, "2 параметра, значения скрыты"),
        (4, "4 параметра, значения скрыты"),
        (5, "5 параметров, значения скрыты"),
    ],
)
def test_the_settings_count_takes_russian_plural_forms(count: int, shown: str) -> None:
    i18n.install("ru")
    settings = source_outline(_source(count)).rows[1]
    assert (settings.label, settings.text) == (f"Параметры ({count})", shown)


def test_units_flags_and_missing_dates_in_russian() -> None:
    i18n.install("ru")
    assert [formatting.byte_size(n) for n in (1, 3, 5, 21)] == [
        "1 байт",
        "3 байта",
        "5 байт",
        "21 байт",
    ]
    assert formatting.byte_size(2048) == "2,0 КБ"  # the decimal comma
    assert formatting.seconds(12.5) == "12,5 с"
    assert formatting.seconds(1e-9) == "< 0,000001 с"
    assert (formatting.yes_no(True), formatting.yes_no(False)) == ("да", "нет")
    assert formatting.date_text(None) == "не передано"
    assert formatting.revealed_value("") == "(пусто)"


def test_the_type_column_translates_its_own_kinds_not_a_settings_type() -> None:
    i18n.install("ru")
    rows = {row.label: row for row in source_outline(_source()).rows}
    assert rows["Подключение"].kind_text() == "объект"
    settings = rows["Параметры (5)"]
    assert settings.kind_text() == "массив"
    assert settings.children[0].kind_text() == "STRING"  # declared by the portal: as sent
    assert "Скрыто" not in settings.children[0].tooltip  # the tooltip lists what it is
    assert settings.children[0].tooltip.splitlines()[1] == "Код: host"


def test_a_source_that_is_not_one_is_explained_in_russian() -> None:
    i18n.install("ru")
    with pytest.raises(BadResponse) as caught:
        parse_source({"result": {"item": {"connection": {}, "settings": 5}}})
    assert caught.value.message == (
        "Ответ портала не является источником данных: «settings» не является списком."
    )
    assert caught.value.hint.startswith("Возможно, на портале установлена неожиданная версия")
