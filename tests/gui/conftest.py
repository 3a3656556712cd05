"""The window tests' additions to the shared fixtures (``tests/conftest.py``).

No test here may reach the user's keychain: every test runs with the in-memory keyring
unless it asks for another backend. Every window a test opens ends with the leak walk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from memory_keyring import MemoryKeyring

from gui.gui_helpers import leak_walk, window_secrets


@pytest.fixture(autouse=True)
def _in_memory_keychain(memory_keyring: MemoryKeyring) -> MemoryKeyring:
    return memory_keyring


@pytest.fixture
def make_window(make_window: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """The shared window factory; after the test, before the windows close, no secret
    shows anywhere (every role of every model, every widget and dialog text) unless the
    user revealed it."""
    windows: list[Any] = []

    def make(**kwargs: Any) -> Any:
        window = make_window(**kwargs)
        windows.append(window)
        return window

    yield make
    for window in windows:
        assert leak_walk(window, window_secrets(window), clipboard=False) == []
