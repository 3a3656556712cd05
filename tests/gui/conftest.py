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
from inspector.core.profile_session import KeepChoice


@pytest.fixture(autouse=True)
def _in_memory_keychain(memory_keyring: MemoryKeyring) -> MemoryKeyring:
    return memory_keyring


@pytest.fixture(autouse=True)
def _quit_discards_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing a window with unsaved credential edits asks Remember / Discard / Cancel in a
    modal box; the tests that do not script that question (``ScriptedQuestions``) quit
    without the edits, as a user pressing Discard would. ``test_gui_signin`` drives the
    box itself."""
    from inspector.ui.profile_questions import DialogQuestions

    monkeypatch.setattr(
        DialogQuestions, "ask_quit_changes", lambda self, *args, **kwargs: KeepChoice.DISCARD
    )


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


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Before pytest-qt closes the test's windows: closing asks about unsaved credential
    edits, and a test that did not answer that question itself (test_gui_signin does)
    quits without them."""
    from PySide6.QtWidgets import QApplication

    from inspector.ui import MainWindow

    if QApplication.instance() is not None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow):
                panel = widget.credentials_panel
                panel.questions = DiscardAtQuit(panel.questions)
    return (yield)


class DiscardAtQuit:
    """The panel's questions, with "Discard" as the answer at quit."""

    def __init__(self, questions: Any) -> None:
        self._questions = questions

    def ask_quit_changes(self, name: str, can_remember: bool, backend_name: str) -> KeepChoice:
        return KeepChoice.DISCARD

    def __getattr__(self, name: str) -> Any:
        return getattr(self._questions, name)
