"""Work that waits for a newly shown source to be painted (``SourceTreeView.when_drawn``):
the connector's lookup starts after the paints it would otherwise compete with for the GIL,
and still starts when no paint comes (a tree not on screen, a window that is not painted)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject

from inspector.core.model import Source, parse_source
from inspector.ui import source_tree
from inspector.ui.source_tree import SourceTreeView

from .test_gui_outline import many_settings


class PaintCounter(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def shown_view(qtbot: Any) -> tuple[SourceTreeView, PaintCounter, Source]:
    view = SourceTreeView()
    qtbot.addWidget(view)
    view.resize(700, 400)
    counter = PaintCounter()
    view.viewport().installEventFilter(counter)
    view.show()
    qtbot.waitExposed(view)
    return view, counter, parse_source(many_settings(500))


def test_the_work_runs_after_the_new_source_is_painted(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source_tree, "DRAWN_AT_THE_LATEST_MS", 600_000)  # a paint, not time
    view, counter, source = shown_view(qtbot)
    view.show_source(source)
    painted_before = counter.paints
    ran: list[int] = []
    view.when_drawn(lambda: ran.append(counter.paints))
    assert ran == []
    qtbot.waitUntil(lambda: ran != [])
    assert ran[0] > painted_before
    qtbot.wait(50)  # later paints do not run it again
    view.viewport().repaint()
    assert len(ran) == 1


def test_only_the_latest_work_runs(qtbot: Any) -> None:
    view, _counter, source = shown_view(qtbot)
    ran: list[str] = []
    view.show_source(source)
    view.when_drawn(lambda: ran.append("first"))
    view.show_source(source)
    view.when_drawn(lambda: ran.append("second"))
    qtbot.waitUntil(lambda: ran != [])
    qtbot.wait(50)
    assert ran == ["second"]


def test_a_tree_not_on_screen_runs_the_work_on_the_next_turn(qtbot: Any) -> None:
    view = SourceTreeView()
    qtbot.addWidget(view)
    view.show_source(parse_source(many_settings(3)))
    ran: list[bool] = []
    view.when_drawn(lambda: ran.append(True))
    assert ran == []
    qtbot.waitUntil(lambda: ran == [True])


def test_the_work_runs_even_if_no_paint_comes(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source_tree, "DRAWN_AT_THE_LATEST_MS", 20)
    view, counter, source = shown_view(qtbot)
    view.setUpdatesEnabled(False)  # no paint events from here on
    painted_before = counter.paints
    view.show_source(source)
    ran: list[int] = []
    view.when_drawn(lambda: ran.append(counter.paints))
    qtbot.waitUntil(lambda: ran != [])
    assert ran == [painted_before]
    view.setUpdatesEnabled(True)
