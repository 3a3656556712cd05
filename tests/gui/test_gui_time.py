"""The tree's Time section reads as plain words and numbers: readable moments first, at the
user's local time with the zone's offset; durations in seconds with three significant
digits and never an exponent; the exact values stay in Copy as JSON. (The formatters' own
cases are in tests/test_outline.py.)"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from servers import ScriptedServer, json_reply

from gui.gui_helpers import fetch_and_wait, leak_walk, tree_of
from inspector.demo.portal import DEMO_SOURCES

CODE = "t1me-c0de-77"
TIME = {
    "start": 1742929480.5,
    "finish": 1742929480.5071,
    "duration": 9.94000018104911e-05,
    "processing": 0.006555080413818359,
    "date_start": "2025-03-25T22:04:40+03:00",
    "date_finish": "2025-03-25T22:04:40+03:00",
    "operating": 12,
    "operating_reset_at": 1742930080,
    "queue_wait": 0.000123,  # unknown to the inspector: shown as sent, no unit guessed
}


@pytest.fixture
def moscow_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The local zone is UTC+3 (a POSIX rule: no zone database needed)."""
    monkeypatch.setenv("TZ", "MSK-3")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def rows_under(model: Any, title: str) -> dict[str, tuple[str, str]]:
    section = next(
        model.index(r, 0) for r in range(model.rowCount()) if model.index(r, 0).data() == title
    )
    return {
        model.index(r, 0, section).data(): (
            model.index(r, 1, section).data(),
            model.index(r, 2, section).data(),
        )
        for r in range(model.rowCount(section))
    }


def test_the_time_section_reads_as_plain_numbers(
    qtbot: Any, make_window: Any, moscow_time: None
) -> None:
    answer = json_reply({"result": {"item": DEMO_SOURCES[6]}, "time": TIME})
    with ScriptedServer(answer) as server:
        window = make_window()
        window.credentials_panel.webhook_radio.setChecked(True)
        window.credentials_panel.webhook_field.edit.setText(f"{server.url}/rest/1/{CODE}/")
        fetch_and_wait(qtbot, window, 6)
    model = tree_of(window).model()
    rows = rows_under(model, "Time")
    # The readable moments come first, each with its zone; no raw Unix time is shown.
    assert list(rows)[:4] == ["Started", "Finished", "Start", "Finish"]
    assert rows["Started"] == ("2025-03-25 22:04:40 UTC+03:00", "datetime")
    assert rows["Start"] == ("2025-03-25 22:04:40 UTC+03:00", "datetime")
    assert rows["Duration"] == ("0.0000994 s", "number")
    assert rows["Processing"] == ("0.00656 s", "number")
    assert rows["Operating (time used of this method's limit)"] == ("12 s", "integer")
    assert rows["Operating limit resets at"] == ("2025-03-25 22:14:40 UTC+03:00", "datetime")
    assert rows["queue_wait"] == ("0.000123", "number")
    assert not [value for value, _kind in rows.values() if "e-" in value or "e+" in value]
    assert not [value for value, _kind in rows.values() if "174293" in value]
    # The status line's reset time carries its zone too, as the tree's does.
    assert window.limits_label.text() == (
        "Operating limit: 12 s used, resets at 22:14:40 UTC+03:00"
    )

    # Copy as JSON keeps the exact numbers the portal sent.
    tree_of(window).copy_json_action.trigger()
    copied = json.loads(QGuiApplication.clipboard().text())
    assert copied["time"]["duration"] == 9.94000018104911e-05
    assert copied["time"]["processing"] == 0.006555080413818359
    assert leak_walk(window, [CODE]) == []
