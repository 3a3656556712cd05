"""What a screen-reader and keyboard user meets, in the window and in every dialog.

Each test walks the accessibility interfaces of every visible widget (``accessibility_walk``)
and fails on an unnamed control, one Tab never reaches, a label whose accessible name hides
its text, or an Alt+letter that two visible controls (or menu titles, or one menu's items)
answer. The status line, the banners and the message area are read by their text, and a new
text is announced.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from gui.accessibility_walk import accessible_name, mnemonic, problems
from inspector.demo.portal import DemoPortal
from inspector.ui.keep_changes import keep_changes_box, quit_changes_box


@pytest.fixture
def accessibility_on() -> Iterator[None]:
    """An assistive tool is listening: the announcements are really sent through Qt."""
    QAccessible.setActive(True)
    yield
    QAccessible.setActive(False)


def test_the_walker_finds_what_it_is_for(qtbot: Any) -> None:
    """It would fail on each fault it exists for (a check that cannot fail proves nothing)."""
    from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout

    dialog = QDialog()
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    hidden_text = QLabel("Proxy refused", dialog)
    hidden_text.setAccessibleName("Error")
    unnamed = QLineEdit(dialog)
    layout.addWidget(hidden_text)
    layout.addWidget(unnamed)
    layout.addWidget(QPushButton("&Fetch", dialog))
    layout.addWidget(QPushButton("&File", dialog))
    dialog.show()
    found = problems(dialog)
    assert any(p.startswith("label hides its text") for p in found), found
    assert any(p.startswith("unnamed control: QLineEdit") for p in found), found
    assert any(p.startswith("Alt+F is used by") for p in found), found
    assert mnemonic("Fet&ch") == "c" and mnemonic("Drag && drop") is None


@pytest.mark.parametrize("mode", ["webhook", "oauth"])
def test_the_window_has_named_controls_and_unique_mnemonics(
    qtbot: Any, make_window: Any, mode: str
) -> None:
    window = make_window()
    panel = window.credentials_panel
    if mode == "oauth":
        panel.oauth_radio.setChecked(True)
        panel.form.renewal_toggle.click()  # the renewal fields: four more labelled fields
    window.message_area.show_message("Source 7 was not found.")
    window.stale_banner.setText("This is the result of an earlier fetch.")
    window.stale_banner.setVisible(True)
    window.connector_banner.setText("The connector uses plain http.")
    window.connector_banner.setVisible(True)
    qtbot.waitUntil(lambda: window.message_area.isVisible())
    assert problems(window) == []


def test_the_status_line_and_banners_are_read_by_their_text(
    qtbot: Any, make_window: Any, accessibility_on: None
) -> None:
    window = make_window()
    heard: list[str] = []
    window.status_line.announced.connect(heard.append)
    window.connector_banner.announced.connect(heard.append)
    window.fetch("abc")  # refused before any request: a sentence in the status line
    qtbot.waitUntil(lambda: bool(heard))
    status = window.status_line.text()
    assert "abc" in status or "source ID" in status
    assert accessible_name(window.status_line) == status
    description = QAccessible.queryAccessibleInterface(window.status_line).text(
        QAccessible.Text.Description
    )
    assert description == "Status"
    assert heard[-1] == status
    window.connector_banner.setText("The connector declares a field the source lacks.")
    assert accessible_name(window.connector_banner) == heard[-1]
    assert heard[-1] == "The connector declares a field the source lacks."


def test_a_failure_shows_above_the_tree_until_dismissed(
    qtbot: Any, make_window: Any, portal: DemoPortal, accessibility_on: None
) -> None:
    window = make_window(demo=portal)
    area = window.message_area
    with qtbot.waitSignal(window.fetch_done, timeout=10_000):
        window.fetch(999_999)  # the demo portal has no such source
    assert area.isVisible()
    assert area.text == window.status_line.text() and area.text
    assert area.label.accessibleDescription() == "Error message"
    # Above the tree, where the eye is.
    assert area.geometry().bottom() < window.source_tree.geometry().top()
    # Reached with Tab, dismissed from the keyboard; the status line keeps the history.
    area.dismiss_button.setFocus()
    assert area.dismiss_button.hasFocus()
    qtbot.keyClick(area.dismiss_button, Qt.Key.Key_Space)
    assert not area.isVisible()
    assert window.status_line.text()
    # Escape while the message has the focus dismisses it (elsewhere it cancels a request).
    area.show_message("Source 999999 was not found.")
    area.dismiss_button.setFocus()
    qtbot.keyClick(area.dismiss_button, Qt.Key.Key_Escape)
    assert not area.isVisible()
    # The same failure twice: said twice. Then a fetch that works: the failure goes.
    heard: list[str] = []
    area.label.announced.connect(heard.append)
    for _attempt in range(2):
        with qtbot.waitSignal(window.fetch_done, timeout=10_000):
            window.fetch(999_999)
    assert area.isVisible()
    assert len(heard) == 2 and heard[0] == heard[1] == area.text
    with qtbot.waitSignal(window.fetch_done, timeout=10_000):
        window.fetch(6)  # a demo source
    assert not area.isVisible()


def _dialogs(window: Any, qtbot: Any) -> Iterator[tuple[str, QWidget]]:
    """Every dialog the window opens, shown, one at a time."""
    window.edit_network_settings()
    yield "network", window.network_dialog
    window.network_dialog.reject()
    window.credentials_panel.oauth_radio.setChecked(True)
    window.window_actions.sign_in.trigger()
    yield "sign-in", window.signin_dialog
    window.signin_dialog.reject()
    window.window_actions.import_tokens.trigger()
    yield "import", window.import_dialog
    window.import_dialog.reject()
    window.window_actions.connect_help.trigger()
    yield "connect help", window.connect_help
    window.connect_help.reject()
    window.show_about()
    yield "about", window.about_box
    window.about_box.reject()
    box, _answers = keep_changes_box(window, "default", can_remember=True, backend_name="")
    box.show()
    yield "keep changes", box
    box.reject()
    quit_box, _answers = quit_changes_box(window, "default", can_remember=True, backend_name="")
    quit_box.show()
    yield "quit changes", quit_box
    quit_box.reject()


def test_every_dialog_has_named_controls_and_unique_mnemonics(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    found: dict[str, list[str]] = {}
    for name, dialog in _dialogs(window, qtbot):
        qtbot.waitExposed(dialog)
        found[name] = problems(dialog)
    assert found == {name: [] for name in found}
    assert len(found) == 7


def test_the_source_picker_has_named_controls_and_unique_mnemonics(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = make_window(demo=portal)
    with qtbot.waitSignal(window.sources_listed, timeout=10_000):
        picker = window.browse_sources()
    assert picker is not None
    assert problems(picker) == []
    assert isinstance(picker, (QDialog, QMessageBox))


def test_a_masked_field_says_it_is_hidden(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    field = window.credentials_panel.webhook_field
    interface = QAccessible.queryAccessibleInterface(field.edit)
    assert interface is not None and interface.state().passwordEdit
    assert interface.text(QAccessible.Text.Description) == "hidden value"
    field.show_action.setChecked(True)
    assert interface.text(QAccessible.Text.Description) != "hidden value"
    field.hide_text()
    assert interface.text(QAccessible.Text.Description) == "hidden value"
