"""Every text of the window goes through the catalogue (checked with the pseudo-language).

The window is built under ``x-pseudo``, a source is fetched from the demo portal (so the tree,
the connector's labels and the status line are shown), and every text a person or a screen
reader can get from every widget, action and model is scanned for English words that are not
inside a translated span, the portal's data or a name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from leaks import Scan
from pseudo_locale import demo_data, unmarked

from gui.gui_helpers import fetch_and_wait
from inspector import i18n
from inspector.core.profiles import DEFAULT_PROFILE
from inspector.demo.portal import DemoPortal


@pytest.fixture
def pseudo() -> Iterator[None]:
    i18n.install(i18n.PSEUDO_LANGUAGE)
    yield
    i18n.install(i18n.SOURCE_LANGUAGE)


def _scan(window: Any) -> list[str]:
    scan = Scan()
    scan.add_windows(first=window, revealed_by_user=True)
    # What the user typed or the portal sent is data: the ID box, the credential fields.
    texts = [
        (where, text)
        for where, text in scan.texts
        # Typed or sent data, and model roles that are not text (fonts, colours).
        if not where.endswith(" shown") and not text.startswith("<PySide6.")
    ]
    # Profile names are the user's (the first one is called "default").
    return list(unmarked(texts, demo_data() | {DEFAULT_PROFILE}))


def test_window_texts_are_all_marked(
    pseudo: None, make_window: Callable[..., Any], qtbot: Any, portal: DemoPortal
) -> None:
    window = make_window(demo=portal)
    assert _scan(window) == []
    fetch_and_wait(qtbot, window, 7)
    assert _scan(window) == []
