"""Helpers for the window tests: typing and fetching as a person would, and the leak walk
(what the window shows, gathered by the one walker in ``tests/leaks.py``) in the shapes
these tests use."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Any

from leaks import ROLES, Scan, model_cells, shows
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from inspector.core.proxies import proxy_secrets
from inspector.ui import MainWindow
from inspector.ui.source_tree import SourceTreeView

# Every item data role that exists (``leaks.ROLES``); both names are kept for the tests
# that import them.
ALL_ROLES = ROLES
LEAK_ROLES = ROLES


def webhook_code(url: str) -> str:
    """The secret segment of a webhook URL (…/rest/<user>/<code>/)."""
    return url.rstrip("/").rsplit("/", 1)[1]


def run_fresh(
    script: str, home: Any, *, webhook: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run *script* (dedented) in a fresh offscreen Python, where unlike this process no Qt
    class has been made yet, with *home* as HOME and ``B24_WEBHOOK_URL`` set to *webhook*
    (else unset). It must exit 0; its output is returned."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(home))
    env.pop("B24_WEBHOOK_URL", None)
    if webhook is not None:
        env["B24_WEBHOOK_URL"] = webhook
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done


def fetch_and_wait(qtbot: Any, window: MainWindow, source_id: int, timeout: int = 10_000) -> None:
    with qtbot.waitSignal(window.fetch_done, timeout=timeout):
        window.fetch(source_id)


def type_id_and_enter(qtbot: Any, window: MainWindow, text: str, timeout: int = 10_000) -> None:
    edit = window.findChild(QLineEdit, "sourceIdEdit")
    assert edit is not None
    edit.clear()
    edit.setFocus()
    with qtbot.waitSignal(window.fetch_done, timeout=timeout):
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)


def model_texts(model: Any, roles: Any = ALL_ROLES) -> list[tuple[tuple[int, ...], int, int, str]]:
    """(path of rows, column, role, text) for every role of every index and header section
    (a header's path is ``(-1,)`` horizontal, ``(-2,)`` vertical)."""
    return [(cell.path, cell.column, cell.role, cell.text) for cell in model_cells(model, roles)]


def widget_texts(window: QWidget) -> list[str]:
    """Every text a person (or a screen reader) can get from *window*'s widgets and actions
    (models excluded: ``model_texts`` has those). A secret field whose Show button the user
    pressed is left out: it shows its secret by design."""
    scan = Scan()
    scan.add_widget(window, walked=None, revealed_by_user=True, models=False)
    return [text for _where, text in scan.texts]


def tree_of(window: MainWindow) -> SourceTreeView:
    tree = window.findChild(SourceTreeView, "sourceTree")
    assert tree is not None
    return tree


def none_refcount() -> int:
    return sys.getrefcount(None)


def leak_walk(window: QWidget, secrets: list[str], *, clipboard: bool = True) -> list[str]:
    """Every place a secret shows up: every role of every index of every model, every
    widget and action text of *window* and of every other open top-level widget (dialogs),
    and, with *clipboard*, the clipboard. Returns where; an empty list means nothing leaked.
    A short secret counts only as a whole text (``shows``)."""
    scan = Scan()
    scan.add_windows(first=window, revealed_by_user=True)
    if clipboard:
        scan.add_clipboard()
    return scan.leaks(secrets, match=shows)


def window_secrets(window: MainWindow) -> list[str]:
    """What must not show in *window* right now: the secrets of the credential in the
    fields and of the last request, a proxy password, and every setting value of the shown
    source that the user has not revealed."""
    panel = window.credentials_panel
    secrets: list[str] = []
    credential = panel.credential()
    if credential is not None:
        secrets += credential.secrets()
    last = window.last_request
    if last is not None:
        secrets += last.credential.secrets()
    secrets += proxy_secrets(panel.network_settings().proxy)
    model = window.source_tree.source_model
    if model.source is not None:
        revealed = {model.source.settings[i].value for i in model.revealed}
        secrets += [s.value for s in model.source.settings if s.value and s.value not in revealed]
    return sorted(set(secrets))
