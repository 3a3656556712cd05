"""What every benchmark here shares: figures with their spread, a verdict only where the
whole spread clears the target, a big source with realistic values, and a local portal.

A benchmark is a script, not a test: timings on a shared machine are noisy, so each one
interleaves its variants round by round, reports median, min, max and the number of runs,
and compares *ratios* against a baseline measured in the same command. A target is PASS
only when even the worst ratio clears it, FAIL only when even the best misses it, and
"inconclusive" otherwise, with the rounds that missed it. ``--smoke`` (a small size, few
runs) prints no verdict at all.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import ssl
import statistics
import string
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VALUE_LENGTH = 13
"""A realistic setting value: a 13-character token or password."""
WEBHOOK_CODE = "benchcode0123456789"


@dataclass
class Series:
    """The figures of one variant, one per run."""

    name: str
    unit: str = "ms"
    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def line(self) -> str:
        if not self.values:
            return f"  {self.name:<44} (not measured)"
        return (
            f"  {self.name:<44} median {self.median:10.1f} {self.unit}  "
            f"min {min(self.values):10.1f}  max {max(self.values):10.1f}  runs {len(self.values)}"
        )


def ratios(measured: Series, baseline: Series) -> list[float]:
    """Run-by-run ratios (the runs were interleaved, so round *i* shared its conditions)."""
    return [m / b for m, b in zip(measured.values, baseline.values, strict=False) if b > 0]


def verdict(spread: list[float], target: float, *, smoke: bool) -> str:
    """PASS when every figure is within *target*, FAIL when none is, else inconclusive,
    naming the rounds over it: noise on a shared machine comes in spells that span rounds,
    so rounds over it side by side read differently from rounds scattered."""
    if smoke or not spread:
        return "(smoke: no verdict)"
    if max(spread) <= target:
        return "PASS"
    if min(spread) > target:
        return "FAIL"
    over = [str(number) for number, value in enumerate(spread, 1) if value > target]
    rounds = "round" if len(over) == 1 else "rounds"
    return f"inconclusive (over it in {rounds} {', '.join(over)} of {len(spread)})"


def report_ratio(
    title: str, measured: Series, baseline: Series, target: float | None, smoke: bool
) -> str:
    """The ratio's spread, and a verdict against *target* (None: for information only)."""
    spread = ratios(measured, baseline)
    if not spread:
        return f"  {title}: not measured"
    text = (
        f"  {title}: ratio median {statistics.median(spread):.2f}x "
        f"(min {min(spread):.2f}x, max {max(spread):.2f}x, runs {len(spread)})"
    )
    if target is not None:
        text += f"; target <= {target:g}x: {verdict(spread, target, smoke=smoke)}"
    print(text)
    return text


def report_limit(title: str, measured: Series, limit: float, smoke: bool) -> str:
    """An absolute limit (a stall in ms, bytes per setting): the same spread rule."""
    if not measured.values:
        text = f"  {title}: not measured"
    else:
        text = (
            f"  {title}: median {measured.median:.1f} {measured.unit} "
            f"(min {min(measured.values):.1f}, max {max(measured.values):.1f}, "
            f"runs {len(measured.values)}); target <= {limit:g} {measured.unit}: "
            f"{verdict([v / limit for v in measured.values], 1.0, smoke=smoke)}"
        )
    print(text)
    return text


def arguments(description: str, size: int, runs: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--size", type=int, default=size, help=f"settings (default {size})")
    parser.add_argument("--runs", type=int, default=runs, help=f"measured rounds ({runs})")
    parser.add_argument("--smoke", action="store_true", help="small size, 2 runs, no verdict")
    args = parser.parse_args()
    if args.smoke:
        args.size, args.runs = min(args.size, 300), 2
    return args


def token(rnd: random.Random) -> str:
    return "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(VALUE_LENGTH))


def big_source(size: int, seed: int = 11) -> dict[str, Any]:
    """A source item with *size* settings, each with a distinct 13-character value."""
    rnd = random.Random(seed)
    return {
        "connection": {
            "id": 6,
            "type": "rest",
            "code": "rest_big",
            "title": "A big source",
            "description": "Many settings with realistic values",
            "active": True,
            "dateCreate": "2025-03-20 14:50:06",
            "dateUpdate": "2025-03-20 14:50:06",
            "createdById": 1,
            "updatedById": 1,
        },
        "connectorId": 1,
        "settings": [
            {"code": f"key{i}", "name": f"Key {i}", "type": "STRING", "value": token(rnd), "id": i}
            for i in range(size)
        ],
    }


def big_connector(size: int) -> dict[str, Any]:
    """The source's connector: it declares every setting with a longer label."""
    return {
        "id": 1,
        "title": "Big connector",
        "dateCreate": "2025-03-20 14:45:00",
        "logo": "",
        "description": "Declares every setting",
        "sort": 100,
        "urlCheck": "https://connector.example.com/check",
        "urlTableList": "https://connector.example.com/table_list",
        "urlTableDescription": "https://connector.example.com/table_description",
        "urlData": "https://connector.example.com/data",
        "settings": [
            {"name": f"Declared key number {i}", "type": "STRING", "code": f"key{i}"}
            for i in range(size)
        ],
    }


class Portal:
    """A minimal Bitrix24 portal on 127.0.0.1 answering ``source.get`` and
    ``connector.get`` with prepared bytes, so the server costs next to nothing.

    *tls*: serve https with this context (``webhook_url`` then says https)."""

    def __init__(self, size: int, tls: ssl.SSLContext | None = None) -> None:
        self.source_body = json.dumps({"result": {"item": big_source(size)}}).encode()
        self.connector_body = json.dumps({"result": {"item": big_connector(size)}}).encode()
        portal = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle's algorithm a small answer on
            # a kept-alive connection waits about 40 ms for the client's delayed ACK.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                wanted = "connector.get" in self.path
                body = portal.connector_body if wanted else portal.source_body
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._scheme = "https" if tls is not None else "http"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def webhook_url(self) -> str:
        port = self._server.server_port
        return f"{self._scheme}://127.0.0.1:{port}/rest/1/{WEBHOOK_CODE}/"

    def start(self) -> Portal:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def portal(size: int, tls: ssl.SSLContext | None = None) -> Iterator[Portal]:
    served = Portal(size, tls).start()
    try:
        yield served
    finally:
        served.stop()


def header(title: str, args: argparse.Namespace) -> None:
    mode = " (smoke)" if args.smoke else ""
    print(f"{title}{mode}: {args.size:,} settings, {args.runs} interleaved rounds", flush=True)


def child_env(home: str, **extra: str) -> dict[str, str]:
    """The environment of a measured child process: this project on its path, its own
    HOME (settings, keychain entries), offscreen Qt, no credential from the caller, and
    bytecode cached under *home*, as an installed or frozen program runs, whatever
    ``PYTHONDONTWRITEBYTECODE`` says (the warm-up round fills the cache; otherwise every run
    would be timed compiling source). *extra* is added last."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": home,
        "XDG_CONFIG_HOME": home,
        "PYTHONPATH": str(ROOT),
        "PYTHONPYCACHEPREFIX": str(Path(home) / "bytecode"),
    }
    for name in ("PYTHONDONTWRITEBYTECODE", "B24_WEBHOOK_URL", "B24_ACCESS_TOKEN"):
        env.pop(name, None)
    return {**env, **extra}


BARE_WINDOW = """\
import json, os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

memory_delay_ms = int(sys.argv[1]) if len(sys.argv) > 1 else 0
marks = {}

class Painted(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and "paint" not in marks:
            marks["paint"] = time.time()
            QTimer.singleShot(memory_delay_ms, finish)
        return False

def finish():
    if os.path.exists("/proc/self/statm"):  # Linux; elsewhere the paint alone
        with open("/proc/self/statm") as statm:
            marks["rss"] = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    print(json.dumps(marks), flush=True)
    app.quit()

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(940, 720)
painted = Painted()
window.installEventFilter(painted)
window.show()
app.exec()
"""
"""The floor of the start-up benchmarks: a bare ``QMainWindow`` that prints, as JSON, the
time of its first paint and, on Linux, its resident memory ``argv[1]`` ms later (0 by
default)."""


_TEXT_WIDGETS = """\
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QRadioButton,
    QScrollArea, QToolButton, QTreeView, QVBoxLayout, QWidget,
)

def row(*parts):
    line = QHBoxLayout()
    for part in parts:
        line.addWidget(QLabel(part) if isinstance(part, str) else part)
    return line

central = QWidget()
layout = QVBoxLayout(central)
box = QGroupBox("Portal credential")
inner = QVBoxLayout(box)
profile = QComboBox()
profile.addItems(["Default"])
inner.addLayout(row("Profile:", profile, QPushButton("New…"), QPushButton("Rename…")))
inner.addLayout(row("Network: system proxy · system CAs", QPushButton("Network…")))
inner.addLayout(row(QRadioButton("Webhook"), QRadioButton("OAuth application")))
secret = QLineEdit()
secret.setEchoMode(QLineEdit.EchoMode.Password)
secret.setPlaceholderText("https://your-portal.bitrix24.com/rest/1/code/")
inner.addLayout(row("Webhook URL:", secret, QPushButton("Show")))
for text in ("Paste the inbound webhook URL of your portal.", "Saved in the system keychain."):
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    inner.addWidget(label)
inner.addLayout(row(QPushButton("Remember"), QPushButton("Forget"), "Nothing saved yet."))
layout.addWidget(box)
source_id = QComboBox()
source_id.setEditable(True)
layout.addLayout(row("Source ID:", source_id, QPushButton("Fetch"), QPushButton("Browse…")))
layout.addLayout(row(QToolButton(text="Check endpoints")))
layout.addWidget(QTreeView(), 1)
scroll = QScrollArea()
scroll.setWidgetResizable(True)
scroll.setWidget(central)
outer = QWidget()
outer_layout = QVBoxLayout(outer)
outer_layout.addWidget(scroll, 1)
outer_layout.addWidget(QLabel("Type a source ID and press Enter."))
window.setCentralWidget(outer)
for title in ("&File", "&Edit", "&Source", "&Profile", "&View", "&Help"):
    menu = window.menuBar().addMenu(title)
    for number in range(4):
        action = QAction(f"Action {number}", window)
        action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_R))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        menu.addAction(action)
        window.addAction(action)
"""
_SIZED = "window.resize(940, 720)\n"
TEXT_WINDOW = BARE_WINDOW.replace(_SIZED, _TEXT_WIDGETS + _SIZED)
assert TEXT_WINDOW != BARE_WINDOW, "the bare window is no longer sized where expected"
"""The same floor with a window of the kinds of widgets the program shows (a group box,
labels, line edits, combo boxes, buttons, an empty tree, six menus of actions with
shortcuts) and nothing behind them: what fonts, the ``Qt`` namespace's enums and laying
out text cost any such window, for information."""


def python() -> str:
    return sys.executable
