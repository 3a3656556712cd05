#!/usr/bin/env python3
"""Start-up of the frozen executables against the app from source and a bare window.

    uv run python packaging/bench_startup.py [--runs 10] [--dist dist]

Each run is a fresh offscreen process, timed from the moment this script starts it, the
variants interleaved round by round (the order rotating):

  bare      a bare PySide6 ``QMainWindow``: its first paint (the floor);
  source    ``python -m inspector`` from this checkout (from compiled bytecode, cached in a
            temporary folder by the warm-up round, as an installed program runs);
  onedir    ``dist/b24-inspector-onedir/b24-inspector``, if built;
  onefile   ``dist/b24-inspector``, if built (it unpacks itself on every start);

each app variant to its first paint and to "ready" (painted, the saved credential read,
Fetch enabled), as the program's own probe reports them (``B24_INSPECTOR_STARTUP_PROBE``),
and ``--version`` of each. ``packaging/build.sh`` builds the executables.

Verdicts (only where the whole spread of run-by-run ratios clears the target): one-dir ready
within 1.5x of the source's; the one-file executable at most 55 MiB. The other ratios are
printed for information.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from common import BARE_WINDOW, Series, report_ratio  # noqa: E402

PROBE_ENV = "B24_INSPECTOR_STARTUP_PROBE"
ONEDIR_TARGET = 1.5
ONEFILE_TARGET_MIB = 55
MIB = 2**20


def run(command: list[str], env: dict[str, str]) -> tuple[float, dict[str, float]]:
    """(wall time in ms, the child's marks in ms from the start)."""
    start = time.time()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    wall = (time.time() - start) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} exited with {done.returncode}:\n{done.stderr[-2000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    marks = json.loads(lines[-1]) if lines else {}
    return wall, {k: (marks[k] - start) * 1000 for k in ("paint", "ready") if k in marks}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="measured rounds (default 10)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="PyInstaller output")
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="another executable to time, e.g. a one-file built another way (repeatable)",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    scratch = Path(tempfile.mkdtemp(prefix="b24-bench-"))
    home = scratch / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    env.pop("B24_WEBHOOK_URL", None)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local/share"),
        PYTHONPYCACHEPREFIX=str(scratch / "bytecode"),
        **{PROBE_ENV: "1"},
    )

    suffix = ".exe" if os.name == "nt" else ""
    apps = {"source": [sys.executable, "-m", "inspector"]}
    onedir = args.dist / "b24-inspector-onedir" / f"b24-inspector{suffix}"
    onefile = args.dist / f"b24-inspector{suffix}"
    for key, exe in (("onedir", onedir), ("onefile", onefile)):
        if exe.is_file():
            apps[key] = [str(exe)]
        else:
            print(f"({exe} not found: packaging/build.sh builds it)")
    for extra in args.also:
        name, _sep, path = extra.partition("=")
        if not name or not Path(path).is_file():
            parser.error(f"--also wants NAME=PATH of an executable, not {extra!r}")
        apps[name] = [str(Path(path).resolve())]
    bare = [sys.executable, "-c", BARE_WINDOW]

    paint = {key: Series(f"{key}: first paint") for key in ["bare", *apps]}
    ready = {key: Series(f"{key}: ready") for key in apps}
    version = {key: Series(f"{key}: --version") for key in apps}
    print(f"python: {sys.executable} ({sys.version.split()[0]})")
    print(f"{args.runs} interleaved rounds (after one warm-up) of: bare, {', '.join(apps)}")
    for round_number in range(args.runs + 1):
        jobs: list[tuple[str, str, list[str]]] = [("bare", "window", bare)]
        for key, command in apps.items():
            jobs += [(key, "window", command), (key, "version", [*command, "--version"])]
        shift = round_number % len(jobs)
        for key, what, command in jobs[shift:] + jobs[:shift]:
            wall, marks = run(command, env)
            if round_number == 0:
                continue  # warm-up: the bytecode cache and the page cache fill
            if what == "version":
                version[key].add(wall)
                continue
            paint[key].add(marks["paint"])
            if key in ready:
                ready[key].add(marks["ready"])

    for series in (*paint.values(), *ready.values(), *version.values()):
        print(series.line())
    print()
    for key in apps:
        report_ratio(f"{key} ready vs bare first paint", ready[key], paint["bare"], None, False)
    for key in apps:
        if key != "source":
            target = ONEDIR_TARGET if key == "onedir" else None
            report_ratio(f"{key} ready vs source ready", ready[key], ready["source"], target, False)
            report_ratio(f"{key} --version vs source", version[key], version["source"], None, False)
    if onefile.is_file():
        size = onefile.stat().st_size / MIB
        within = "PASS" if size <= ONEFILE_TARGET_MIB else "FAIL"
        print(f"  one-file size: {size:.1f} MiB; target <= {ONEFILE_TARGET_MIB} MiB: {within}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
