#!/usr/bin/env python3
"""Start-up and size benchmark for b24-inspector (a script, not a test: timings are noisy).

    uv run python packaging/bench_startup.py [--runs 15] [--warmup 2] [--onefile]

Measures the wall time of a whole process that shows its main window offscreen and quits
right after (launch to shown window), interleaving in each round:

  bare      a bare PySide6 QMainWindow script, in this same Python environment: the floor;
  source    the app from source (``python -m inspector`` with B24_INSPECTOR_EXIT_AFTER_SHOW=1);
  onedir    the frozen one-dir build, if ``dist/b24-inspector-onedir/`` exists;
  onefile   the frozen one-file build, with --onefile (informative: it unpacks first).

and prints min/median/max per variant, then the targets: source within 1.5x of bare,
onedir within 1.5x of source, and the one-file executable at most 55 MiB. Exits 1 if a
measured target fails (a target that could not be measured is reported as SKIP).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXIT_AFTER_SHOW_ENV = "B24_INSPECTOR_EXIT_AFTER_SHOW"
RATIO_TARGET = 1.5
ONEFILE_TARGET_MIB = 55
MIB = 2**20

BARE_WINDOW = """\
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv)
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(900, 680)
window.show()
QTimer.singleShot(0, app.quit)  # what the app does with B24_INSPECTOR_EXIT_AFTER_SHOW=1
sys.exit(app.exec())
"""


@dataclass
class Variant:
    key: str
    label: str
    command: list[str]
    times: list[float] = field(default_factory=list)


def time_once(variant: Variant, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        variant.command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{variant.label} exited with {done.returncode}:\n{done.stderr[-2000:]}")
    return elapsed


def verdict(ok: bool | None) -> str:
    return "SKIP" if ok is None else ("PASS" if ok else "FAIL")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="measured rounds (default 15)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured rounds (default 2)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="PyInstaller output")
    parser.add_argument("--onefile", action="store_true", help="also time the one-file build")
    args = parser.parse_args()
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")

    scratch = Path(tempfile.mkdtemp(prefix="b24-bench-"))
    bare_script = scratch / "bare_window.py"
    bare_script.write_text(BARE_WINDOW)

    # Offscreen, and a throwaway HOME so settings written on exit land nowhere real.
    # Bytecode caching stays on (the warm-up rounds fill the caches), as in an installed
    # app: with PYTHONDONTWRITEBYTECODE every run would recompile the app's own sources.
    dropped = {"QT_QPA_PLATFORM", "PYTHONDONTWRITEBYTECODE"}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    home = scratch / "home"
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local/share"),
        **{EXIT_AFTER_SHOW_ENV: "1"},
    )

    variants = [
        Variant("bare", "bare PySide6 window", [sys.executable, str(bare_script)]),
        Variant("source", "app from source", [sys.executable, "-m", "inspector"]),
    ]
    onedir_exe = args.dist / "b24-inspector-onedir" / "b24-inspector"
    onefile_exe = args.dist / "b24-inspector"
    if os.name == "nt":
        onedir_exe, onefile_exe = onedir_exe.with_suffix(".exe"), onefile_exe.with_suffix(".exe")
    if onedir_exe.is_file():
        variants.append(Variant("onedir", "frozen one-dir", [str(onedir_exe)]))
    if args.onefile and onefile_exe.is_file():
        variants.append(Variant("onefile", "frozen one-file", [str(onefile_exe)]))

    print(f"python: {sys.executable} ({sys.version.split()[0]})")
    print(
        f"timing launch -> shown window -> exit, offscreen: {args.warmup} warm-up + "
        f"{args.runs} measured rounds of {len(variants)} variants, interleaved"
    )
    for round_number in range(args.warmup + args.runs):
        # Rotate the order each round so no variant always runs right after another.
        shift = round_number % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            elapsed = time_once(variant, env)
            if round_number >= args.warmup:
                variant.times.append(elapsed)

    print(f"\n  {'variant':<22} {'min':>7} {'median':>7} {'max':>7}")
    medians: dict[str, float] = {}
    for variant in variants:
        medians[variant.key] = statistics.median(variant.times)
        print(
            f"  {variant.label:<22} {min(variant.times):7.3f} {medians[variant.key]:7.3f} "
            f"{max(variant.times):7.3f}  s"
        )

    print("\ntargets:")
    results: list[bool | None] = []

    ratio = medians["source"] / medians["bare"]
    ok: bool | None = ratio <= RATIO_TARGET
    results.append(ok)
    print(f"  app from source / bare window   {ratio:5.2f}x  (<= {RATIO_TARGET}x)  {verdict(ok)}")

    if "onedir" in medians:
        ratio = medians["onedir"] / medians["source"]
        ok = ratio <= RATIO_TARGET
        text = f"{ratio:5.2f}x"
    else:
        ok, text = None, "  n/a"
        print(f"  ({onedir_exe} not found: run packaging/build.sh onedir)")
    results.append(ok)
    print(f"  frozen one-dir / app from source {text}  (<= {RATIO_TARGET}x)  {verdict(ok)}")

    if onefile_exe.is_file():
        size = onefile_exe.stat().st_size / MIB
        ok = size <= ONEFILE_TARGET_MIB
        text = f"{size:.1f} MiB"
    else:
        ok, text = None, "n/a"
        print(f"  ({onefile_exe} not found: run packaging/build.sh onefile)")
    results.append(ok)
    target = f"(<= {ONEFILE_TARGET_MIB} MiB)"
    print(f"  one-file size                    {text}  {target}  {verdict(ok)}")
    if "onefile" in medians:
        print(f"  (one-file start-up median {medians['onefile']:.3f} s: it unpacks itself first)")

    return 1 if False in results else 0


if __name__ == "__main__":
    raise SystemExit(main())
