"""Every benchmark in this folder, one after the other.

    uv run python benchmarks/run_all.py [--smoke]

``--smoke`` runs each at a small size with two rounds and prints no verdict: CI uses it
to prove the benchmarks still run. Without it, each runs at its full size (minutes).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = (
    "bench_cli.py",
    "bench_startup.py",
    "bench_first_fetch.py",
    "bench_connections.py",
    "bench_exports.py",
    "bench_window.py",
)


def main() -> int:
    extra = sys.argv[1:]
    failed = 0
    for script in SCRIPTS:
        done = subprocess.run([sys.executable, str(HERE / script), *extra], check=False)
        failed |= done.returncode != 0
        print(flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
