"""Start-up to first paint and to "ready", and idle memory, against a bare PySide6 window.

    uv run python benchmarks/bench_startup.py [--runs 10] [--smoke]

Replaces the first-loop-turn timing of ``packaging/bench_startup.py`` (which quit before
any paint and before the keychain read). Each run is a fresh offscreen process, measured
from the moment the parent starts it, rounds interleaved:

  bare   a ``QMainWindow``: the time of its first paint event (the floor);
  app    ``MainWindow`` as ``b24-inspector`` builds it: its first paint, and "ready": painted,
         the saved credential read (``credentials_panel.started``), controls enabled;
  idle memory  the RSS of each, 300 ms after it is ready.

Targets (issue 11): ready within 1.5x of the bare window's first paint; idle memory within
1.4x of the bare window's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from common import ROOT, Series, arguments, python, report_ratio

READY_TARGET = 1.5
MEMORY_TARGET = 1.4

CHILD = """\
import json, os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

marks = {}

class Painted(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and "paint" not in marks:
            marks["paint"] = time.time()
        return False

app = QApplication(sys.argv[:1])
if sys.argv[1] == "app":
    from inspector.ui import MainWindow
    window = MainWindow()
    ready = lambda: window.credentials_panel.started and window.fetch_button.isEnabled()
else:
    window = QMainWindow()
    window.resize(940, 720)
    ready = lambda: True
painted = Painted()
window.installEventFilter(painted)
window.show()

def poll():
    if "paint" in marks and "ready" not in marks and ready():
        marks["ready"] = time.time()
        QTimer.singleShot(300, finish)
        return
    if "ready" not in marks:
        QTimer.singleShot(1, poll)

def finish():
    with open("/proc/self/statm") as statm:
        marks["rss"] = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    print(json.dumps(marks), flush=True)
    os._exit(0)

QTimer.singleShot(0, poll)
app.exec()
"""


def run(kind: str, env: dict[str, str]) -> dict[str, Any]:
    start = time.time()
    done = subprocess.run(
        [python(), "-c", CHILD, kind],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} exited {done.returncode}: {done.stderr[-2000:]}")
    marks = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "paint": (marks["paint"] - start) * 1000,
        "ready": (marks["ready"] - start) * 1000,
        "rss": marks["rss"] / 2**20,
    }


def main() -> int:
    args = arguments(__doc__.split("\n\n")[0], size=0, runs=10)
    print(f"Start-up{' (smoke)' if args.smoke else ''}: {args.runs} interleaved rounds")
    bare_paint, app_paint = Series("bare: first paint"), Series("app: first paint")
    app_ready = Series("app: ready")
    bare_rss, app_rss = Series("bare: idle RSS", "MiB"), Series("app: idle RSS", "MiB")
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "HOME": home,
            "XDG_CONFIG_HOME": home,
            "PYTHONPATH": str(ROOT),
        }
        env.pop("B24_WEBHOOK_URL", None)
        run("bare", env), run("app", env)  # warm-up
        for _ in range(args.runs):
            bare, app = run("bare", env), run("app", env)
            bare_paint.add(bare["paint"])
            bare_rss.add(bare["rss"])
            app_paint.add(app["paint"])
            app_ready.add(app["ready"])
            app_rss.add(app["rss"])
    for series in (bare_paint, app_paint, app_ready, bare_rss, app_rss):
        print(series.line())
    report_ratio("app first paint vs bare first paint", app_paint, bare_paint, None, args.smoke)
    report_ratio("app ready vs bare first paint", app_ready, bare_paint, READY_TARGET, args.smoke)
    report_ratio("app idle memory vs bare", app_rss, bare_rss, MEMORY_TARGET, args.smoke)
    return 0


if __name__ == "__main__":
    sys.exit(main())
