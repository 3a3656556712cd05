"""Finding text that was never marked for translation, with the ``x-pseudo`` language.

Under ``x-pseudo`` every translated string comes back as ``⟦…⟧``. What is left of a text once
those spans, the portal's own data and the words that are the same in every language (option
names, codes, addresses, numbers) are taken out must hold no English word: if it does, that
word was shown without going through the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from inspector.demo.data import DEMO_CONNECTORS, DEMO_SOURCES
from inspector.i18n import PSEUDO_CLOSE, PSEUDO_OPEN

# The innermost spans: a translated text can hold another (a size inside a sentence).
_BRACKETED = re.compile(
    re.escape(PSEUDO_OPEN) + f"[^{PSEUDO_OPEN}{PSEUDO_CLOSE}]*" + re.escape(PSEUDO_CLOSE)
)
_SAME_IN_EVERY_LANGUAGE = re.compile(
    r"https?://\S+"  # addresses
    r"|\b[\w.-]+@[\w.-]+"  # e-mail-like
    r"|--?[\w-]+"  # option names
    r"|\b[\w-]+(?:\.[\w-]+)+\b"  # host names, file names, method names (biconnector.source.get)
    r"|\b[A-Z][A-Z0-9_]+\b"  # codes and metavars: ACCESS_DENIED, ID, JSON, HTTP
    r"|\b\w*\d\w*\b"  # anything with a digit: ids, versions, sizes, hashes
)
# Names that are not translated: the product's, the protocol's, the platform's.
NAMES = frozenset(
    {
        "Bitrix24", "OAuth", "Qt", "PySide6", "Python", "httpx", "keyring", "Windows",
        "Linux", "macOS", "Wine", "gnome", "KDE", "Secret", "Service", "KWallet", "MySQL",
        "PostgreSQL", "ClickHouse", "b24", "inspector", "Inspector",
        # Each language is named in itself in View ▸ Language.
        "English",
        # The command line's own words: subcommands and option values are typed as they are.
        "get", "list", "login", "check", "system", "light", "dark", "auto",
    }
)  # fmt: skip


def demo_data() -> set[str]:
    """Every string the demo portal sends: portal data, which is never translated."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                found.add(str(key))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and value:
            found.add(value)

    walk(DEMO_SOURCES)
    walk(DEMO_CONNECTORS)
    return found


def english_left(text: str, data: Iterable[str] = ()) -> list[str]:
    """The English words of *text* outside translated spans, data and names."""
    rest, previous = text, None
    while rest != previous:  # peel nested spans from the inside out
        previous, rest = rest, _BRACKETED.sub(" ", rest)
    for item in sorted(data, key=len, reverse=True):
        if len(item) > 2:
            rest = rest.replace(item, " ")
    rest = _SAME_IN_EVERY_LANGUAGE.sub(" ", rest)
    return [word for word in re.findall(r"[A-Za-z]{3,}", rest) if word not in NAMES]


def unmarked(texts: Iterable[tuple[str, str]], data: Iterable[str] = ()) -> Iterator[str]:
    """``where: text`` for every text of *texts* that holds an unmarked English word."""
    data = list(data)
    for where, text in texts:
        words = english_left(text, data)
        if words:
            yield f"{where}: {text[:120]!r} (unmarked: {', '.join(words[:5])})"
