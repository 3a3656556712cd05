"""Snapshot mode takes its picture only once the connector's labels are in.

The connector lookup starts one event-loop turn after the fetched source is drawn, so at
``fetch_done`` it is due but not yet running; a picture taken then showed "looking it up…".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from gui.gui_helpers import model_texts, tree_of
from inspector.demo.portal import DemoPortal
from inspector.ui import launch


def test_the_picture_waits_for_the_connector(
    make_window: Any,
    qtbot: Any,
    portal: DemoPortal,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exits: list[int] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(lambda code=0: exits.append(code)))
    window = make_window(demo=portal)
    picture = tmp_path / "shot.png"
    launch._arrange_snapshot(window, str(picture), after_fetch=True)
    window.fetch(7)
    qtbot.waitUntil(lambda: bool(exits), timeout=10_000)
    assert exits == [0]
    assert picture.exists()
    assert not window.requests.connector_pending
    texts = [text for *_where, text in model_texts(tree_of(window).model())]
    assert not any("looking it up" in text for text in texts)
    assert any("Server host name" in text for text in texts)  # the connector's label
