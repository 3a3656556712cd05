"""Snapshot mode (``--demo --fetch ID --screenshot PNG``) as a dependable smoke test.

Each case runs the real program in a subprocess, offscreen, against the built-in demo portal:
the picture is taken only after the connector lookup, at a fixed size whatever the last
session saved, and a failed fetch ends with exit status 1 (the picture is still written).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtGui import QImage

from inspector.demo.data import DEMO_SOURCES
from inspector.ui.launch import SNAPSHOT_SIZE


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


def snapshot(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inspector", "--demo", *args],
        env=environment(home),
        capture_output=True,
        text=True,
        timeout=120,
    )


def setting_values() -> list[str]:
    return [s["value"] for item in DEMO_SOURCES.values() for s in item.get("settings", [])]


def test_a_snapshot_has_the_fixed_size_whatever_the_last_session_saved(tmp_path: Path) -> None:
    # A last session that left a small window behind.
    script = textwrap.dedent(
        """
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QMainWindow
        from inspector.ui.app import create_application
        from inspector.ui.main_window import GEOMETRY_KEY
        app = create_application([])
        window = QMainWindow()
        window.resize(500, 400)
        settings = QSettings()
        settings.setValue(GEOMETRY_KEY, window.saveGeometry())
        settings.sync()
        """
    )
    saved = subprocess.run(
        [sys.executable, "-c", script], env=environment(tmp_path), capture_output=True, text=True
    )
    assert saved.returncode == 0, saved.stderr
    picture = tmp_path / "shot.png"
    done = snapshot(tmp_path, "--fetch", "6", "--screenshot", str(picture))
    assert done.returncode == 0, done.stderr
    image = QImage(str(picture))
    assert (image.width(), image.height()) == SNAPSHOT_SIZE
    assert not [v for v in setting_values() if v and v in done.stdout + done.stderr]


def test_a_failed_fetch_exits_non_zero_and_still_leaves_the_picture(tmp_path: Path) -> None:
    picture = tmp_path / "shot.png"
    done = snapshot(tmp_path, "--fetch", "4242", "--screenshot", str(picture))
    assert done.returncode == 1
    assert "the fetch failed" in done.stderr
    assert picture.exists() and not QImage(str(picture)).isNull()


def test_a_snapshot_that_cannot_be_written_says_so_and_exits_non_zero(tmp_path: Path) -> None:
    # The run ends without the interpreter's teardown: its message must still come out.
    picture = tmp_path / "no-such-folder" / "shot.png"
    done = snapshot(tmp_path, "--fetch", "6", "--screenshot", str(picture))
    assert done.returncode == 1
    assert "could not write the screenshot" in done.stderr
    assert not picture.exists()


def test_a_snapshot_run_remembers_the_fetched_id(tmp_path: Path) -> None:
    picture = tmp_path / "shot.png"
    assert snapshot(tmp_path, "--fetch", "6", "--screenshot", str(picture)).returncode == 0
    script = textwrap.dedent(
        """
        from PySide6.QtCore import QSettings
        from inspector.ui.app import create_application
        from inspector.ui.source_id_row import RECENT_IDS_KEY
        app = create_application([])
        print(QSettings().value(RECENT_IDS_KEY, ""))
        """
    )
    read = subprocess.run(
        [sys.executable, "-c", script], env=environment(tmp_path), capture_output=True, text=True
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "6"
