"""The window and the CLI show the same text for the same value: one source, with its
connector, a revealed value and a time block, rendered both ways and compared row by row."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from inspector.cli import render_tree
from inspector.core.connector import compare, parse_connector
from inspector.core.masking import MASK
from inspector.core.model import parse_source
from inspector.core.outline import ConnectorState
from inspector.demo.portal import DEMO_CONNECTORS, DEMO_SOURCES
from inspector.ui.source_tree import SourceTreeView
from inspector.ui.source_tree_model import (
    FIELD_COLUMN,
    SETTINGS_BATCH,
    TYPE_COLUMN,
    VALUE_COLUMN,
    SourceTreeModel,
)

TIME = {
    "start": 1742929480.5,
    "duration": 9.79e-05,
    "date_start": "2025-03-25T22:04:40+03:00",
    "operating": 0.5,
    "operating_reset_at": 1742930080,
}


@pytest.fixture
def moscow_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The local zone is UTC+3 (a POSIX rule: no zone database needed)."""
    monkeypatch.setenv("TZ", "MSK-3")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def model_rows(model: SourceTreeModel) -> list[tuple[int, str, str, str]]:
    """(depth, field, value, type) of every row in view order."""
    rows: list[tuple[int, str, str, str]] = []

    def walk(parent: QModelIndex, depth: int) -> None:
        for row in range(model.rowCount(parent)):
            index = model.index(row, FIELD_COLUMN, parent)
            texts = [model.index(row, c, parent).data() for c in (VALUE_COLUMN, TYPE_COLUMN)]
            rows.append((depth, index.data(), *texts))
            walk(index, depth + 1)

    walk(QModelIndex(), 0)
    return rows


def test_one_outline_rendered_both_ways_reads_the_same(qapp: Any, moscow_time: None) -> None:
    item = copy.deepcopy(DEMO_SOURCES[7])
    source = parse_source({"result": {"item": item}, "time": TIME})
    report = compare(source, parse_connector({"result": {"item": DEMO_CONNECTORS[2]}}, 2))
    password = next(i for i, s in enumerate(source.settings) if s.code == "password")

    model = SourceTreeModel()
    model.load(source)
    model.set_connector(ConnectorState(report))  # as the window gets it: after the source
    model.toggle_reveal(password)
    text = render_tree(source, frozenset({password}), ConnectorState(report))

    lines = text.splitlines()[1:]  # after the heading "Source 7: …"
    rows = model_rows(model)
    assert len(lines) == len(rows)
    for line, (depth, field, value, kind) in zip(lines, rows, strict=True):
        indent = "  " * depth
        assert line.startswith(indent) and not line[len(indent)].isspace(), (line, field)
        shown = line[len(indent) :]
        assert shown.startswith(field), (shown, field)
        if value:
            assert shown.endswith(f": {value}"), (shown, value)
        label = shown.removesuffix(f": {value}") if value else shown
        assert label in (field, f"{field} [{kind}]"), (label, field, kind)
    # The values that used to differ between the two read the same now; times are local
    # with their zone, the readable date first.
    assert "  Duration: 0.0000979 s" in lines
    time_lines = lines[lines.index("Time: 5 fields") + 1 :]
    assert time_lines[:2] == [
        "  Started: 2025-03-25 22:04:40 UTC+03:00",
        "  Start: 2025-03-25 22:04:40 UTC+03:00",
    ]
    assert "  Operating limit resets at: 2025-03-25 22:14:40 UTC+03:00" in lines
    assert "  Password (password) [STRING]: pg-demo-P4ssw0rd!" in lines
    # One line per setting in both; the window keeps the details in the row's tooltip.
    settings = next(
        r for r in range(model.rowCount()) if model.index(r, 0).data() == "Settings (5)"
    )
    password_row = model.index(password, 0, model.index(settings, 0))
    assert model.rowCount(password_row) == 0
    tooltip = password_row.data(Qt.ItemDataRole.ToolTipRole)
    assert "Code: password" in tooltip and "pg-demo-P4ssw0rd!" not in tooltip


def many_settings(count: int) -> dict[str, Any]:
    item = copy.deepcopy(DEMO_SOURCES[7])
    item["settings"] = [
        {"id": n, "code": f"key{n}", "name": f"Key {n}", "type": "STRING", "value": f"v-{n:09d}"}
        for n in range(count)
    ]
    return {"result": {"item": item}}


def test_a_big_source_reaches_the_view_in_batches_as_it_scrolls(qtbot: Any) -> None:
    count = SETTINGS_BATCH * 7 + 5
    source = parse_source(many_settings(count))
    view = SourceTreeView()
    qtbot.addWidget(view)
    view.resize(800, 400)
    view.show()
    view.show_source(source)
    model = view.source_model
    settings = model.settings_index
    assert model.data(settings) == f"Settings ({count})"
    assert model.rowCount(settings) == SETTINGS_BATCH  # a screenful and more, not all
    assert view.isExpanded(settings)

    # The connector's names arrive as one change over the settings shown, not a reset.
    declared = [{"code": f"key{n}", "name": f"Declared {n}", "type": "STRING"} for n in range(3)]
    connector = parse_connector({"result": {"item": {"id": 2, "settings": declared}}}, 2)
    changes: list[tuple[int, int]] = []
    model.dataChanged.connect(
        lambda first, last, *_roles: (
            changes.append((first.row(), last.row()))
            if first.parent() == model.settings_index
            else None
        )
    )
    with qtbot.assertNotEmitted(model.modelReset):
        view.show_connector(ConnectorState(compare(source, connector)))
    assert changes == [(0, SETTINGS_BATCH - 1)]
    assert model.index(1, 0, settings).data() == "Declared 1 (key1)"

    # Scrolling down gives the view the next batches, each as big as all before it.
    seen = [model.rowCount(settings)]
    while model.rowCount(settings) < count:
        view.scrollToBottom()  # as a person dragging the scroll bar down
        qtbot.waitUntil(lambda: model.rowCount(settings) > seen[-1])
        seen.append(model.rowCount(settings))
    assert seen == [SETTINGS_BATCH, 2 * SETTINGS_BATCH, 4 * SETTINGS_BATCH, count]
    last = model.index(count - 1, 0, settings)
    assert (last.data(), model.index(count - 1, 1, settings).data()) == (
        f"Key {count - 1} (key{count - 1})",
        MASK,
    )
    assert model.index(count - 1, 1, settings).data(Qt.ItemDataRole.AccessibleTextRole) == (
        "hidden value"
    )
