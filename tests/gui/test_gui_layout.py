"""The window at small sizes and at 2x scaling, and warnings where the eye is.

The window used to refuse to be narrower than about 850 px, so at 2x scaling on a 1366 px
screen (683 logical pixels) it ran off the edge. It now fits 800x500 with the tree in view,
and 683x384 logical pixels with only vertical scrolling; the connector's warnings show
above the tree in the default window without scrolling.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QRect
from PySide6.QtWidgets import QScrollArea, QWidget

from inspector.demo.portal import DemoPortal

SCALED_SCREEN = (683, 384)  # a 1366x768 screen at 2x scaling, in logical pixels


def scroll_area(window: Any) -> QScrollArea:
    area = window.findChild(QScrollArea, "windowScrollArea")
    assert isinstance(area, QScrollArea)
    return area


def visible_in_viewport(window: Any, widget: QWidget) -> bool:
    """Whether all of *widget* is inside what the window shows without scrolling."""
    viewport = scroll_area(window).viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize("mode", ["webhook", "oauth"])
def test_the_window_fits_800_by_500(qtbot: Any, make_window: Any, mode: str) -> None:
    window = make_window()
    if mode == "oauth":
        window.credentials_panel.oauth_radio.setChecked(True)
    window.resize(800, 500)
    qtbot.waitUntil(lambda: window.width() == 800 and window.height() == 500)
    area = scroll_area(window)
    assert not area.horizontalScrollBar().isVisible()
    for widget in (window.source_id_combo, window.fetch_button):
        assert visible_in_viewport(window, widget), widget.objectName()
    # The status line is outside the scrolled part: always in view.
    assert window.rect().contains(
        QRect(window.status_line.mapTo(window, QPoint(0, 0)), window.status_line.size())
    )
    assert window.source_tree.height() >= 100  # a few rows of a source, not a sliver


@pytest.mark.parametrize("mode", ["webhook", "oauth"])
def test_the_window_fits_a_1366_px_screen_at_2x(
    qtbot: Any, make_window: Any, portal: DemoPortal, mode: str
) -> None:
    window = make_window(demo=portal)  # "Demo portal (this session)": a long profile name
    if mode == "oauth":
        window.credentials_panel.oauth_radio.setChecked(True)
        window.credentials_panel.form.renewal_toggle.click()  # the tallest form
    window.message_area.show_message("Source 999999 was not found on this portal.")
    hint = window.minimumSizeHint()
    assert hint.width() <= SCALED_SCREEN[0] and hint.height() <= SCALED_SCREEN[1], hint
    window.resize(*SCALED_SCREEN)
    qtbot.waitUntil(lambda: window.width() == SCALED_SCREEN[0])
    area = scroll_area(window)
    # Only vertical scrolling, even beside the vertical scroll bar; every field is reached
    # by scrolling (as Tab does).
    panels = area.widget()
    assert panels is not None
    room = SCALED_SCREEN[0] - area.verticalScrollBar().sizeHint().width()
    assert panels.minimumSizeHint().width() <= room, panels.minimumSizeHint()
    qtbot.waitUntil(lambda: not area.horizontalScrollBar().isVisible())
    for widget in (window.fetch_button, window.message_area.dismiss_button):
        area.ensureWidgetVisible(widget)
        assert visible_in_viewport(window, widget), widget.objectName()


def test_twice_the_scale_in_a_real_process(tmp_path: Any) -> None:
    """QT_SCALE_FACTOR=2 as a user would set it: the window's minimum, in device pixels,
    fits a 1366x768 screen."""
    script = textwrap.dedent(
        """
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from inspector.ui import MainWindow
        window = MainWindow(settings=QSettings(r"{settings}", QSettings.Format.IniFormat))
        window.credentials_panel.oauth_radio.setChecked(True)
        window.show()
        app.processEvents()
        hint = window.minimumSizeHint()
        ratio = window.devicePixelRatio()
        print(int(hint.width() * ratio), int(hint.height() * ratio), ratio)
        """
    ).format(settings=tmp_path / "settings.ini")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2")
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    width, height, ratio = done.stdout.split()
    assert float(ratio) == 2.0
    assert int(width) <= 1366 and int(height) <= 768


def test_connector_warnings_show_without_scrolling(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = make_window(demo=portal)
    window.resize(940, 720)  # the default size
    with qtbot.waitSignal(window.connector_done, timeout=10_000):
        window.fetch(7)  # its connector declares a setting the source lacks
    banner = window.connector_banner
    assert banner.isVisible()
    assert "declares settings the source lacks" in banner.text()
    assert banner.geometry().bottom() < window.source_tree.geometry().top()
    assert visible_in_viewport(window, banner)
    assert not scroll_area(window).verticalScrollBar().isVisible()


def test_a_failure_shown_goes_when_the_profile_changes(qtbot: Any, make_window: Any) -> None:
    """The message belonged to the other portal."""
    from gui.scripted_questions import ScriptedQuestions

    window = make_window()
    panel = window.credentials_panel
    window.fetch("abc")  # refused: shown above the tree
    qtbot.waitUntil(lambda: window.message_area.isVisible())
    panel.questions = ScriptedQuestions(name_answers=["second"])
    panel.new_profile_button.click()
    assert panel.current_profile == "second"
    assert not window.message_area.isVisible()


@pytest.mark.parametrize(("height", "scrolls"), [(1000, False), (420, True)])
def test_the_columns_fill_the_tree_with_or_without_its_scroll_bar(
    qtbot: Any, make_window: Any, portal: DemoPortal, height: int, scrolls: bool
) -> None:
    # The widths are worked out from maximumViewportSize() and the scroll bar's width,
    # never from viewport() (its first call costs the first fetch about 15 ms).
    window = make_window(demo=portal)
    window.resize(940, height)
    qtbot.waitUntil(lambda: window.height() == height)
    tree = window.source_tree
    asked: list[str] = []
    tree.viewport = lambda: asked.append("viewport()")  # what the view's own code calls
    with qtbot.waitSignal(window.connector_done, timeout=10_000):
        window.fetch(7)
    bar = tree.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.isVisible() == scrolls)
    del tree.viewport
    assert asked == []
    columns = sum(tree.columnWidth(c) for c in range(tree.model().columnCount()))
    assert columns == tree.viewport().width()
    assert not tree.horizontalScrollBar().isVisible()


def test_a_shown_source_is_painted_once_before_its_connector_arrives(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    # The columns are fitted before the first paint of the source; the view's own repaint
    # of each resized column came after it, while the connector lookup's thread ran.
    window = make_window(demo=portal)
    window.resize(940, 720)
    qtbot.waitExposed(window)
    viewport = window.source_tree.viewport()
    paints: list[str] = []

    class Count(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                paints.append("paint")
            return False

    counter = Count(window)
    with qtbot.waitSignal(window.fetch_done, timeout=10_000):
        window.fetch(6)
    viewport.installEventFilter(counter)
    with qtbot.waitSignal(window.connector_done, timeout=10_000):
        pass
    assert paints == ["paint"]


def test_the_webhook_page_takes_its_own_room_after_the_renewal_fields(
    qtbot: Any, make_window: Any
) -> None:
    # The form used to be a QStackedWidget, which kept the OAuth page's height (renewal
    # fields open) when the user went back to the webhook: a tall empty panel.
    window = make_window()
    window.resize(940, 720)
    panel = window.credentials_panel
    heights = []
    for webhook, renewal in ((True, False), (False, True), (True, True)):
        (panel.form.webhook_radio if webhook else panel.form.oauth_radio).setChecked(True)
        if renewal:
            panel.form.show_renewal(True)
        qtbot.wait(50)  # the layouts settle
        heights.append(panel.height())
    assert heights[2] == heights[0] < heights[1]
