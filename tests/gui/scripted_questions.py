"""A scripted answerer for the credentials panel's profile questions (``ProfileQuestions``).

Tests hand it to the panel (``panel.questions = ScriptedQuestions(...)``) instead of
patching the panel's methods: each question takes the next queued answer, records what was
asked, and an unexpected question fails the test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from inspector.core.profile_session import KeepChoice


@dataclass
class ScriptedQuestions:
    """Answers queued per question; ``*_asked`` records each question as it was put."""

    keep_answers: list[KeepChoice] = field(default_factory=list)
    name_answers: list[str | None] = field(default_factory=list)
    delete_answer: Callable[[str], bool] = lambda name: False
    quit_answers: list[KeepChoice] = field(default_factory=list)
    keep_asked: list[tuple[str, bool]] = field(default_factory=list)
    quit_asked: list[tuple[str, bool]] = field(default_factory=list)
    names_asked: list[tuple[str, str]] = field(default_factory=list)
    deletes_asked: list[str] = field(default_factory=list)

    def ask_keep_changes(self, name: str, can_remember: bool, backend_name: str) -> KeepChoice:
        self.keep_asked.append((name, can_remember))
        assert self.keep_answers, f"unexpected question: keep the changes to {name}?"
        return self.keep_answers.pop(0)

    def ask_quit_changes(self, name: str, can_remember: bool, backend_name: str) -> KeepChoice:
        self.quit_asked.append((name, can_remember))
        assert self.quit_answers, f"unexpected question at quit: keep the changes to {name}?"
        return self.quit_answers.pop(0)

    def ask_profile_name(self, title: str, label: str, text: str = "") -> str | None:
        self.names_asked.append((title, text))
        assert self.name_answers, f"unexpected question: {title}"
        return self.name_answers.pop(0)

    def confirm_delete(self, name: str) -> bool:
        self.deletes_asked.append(name)
        return self.delete_answer(name)
