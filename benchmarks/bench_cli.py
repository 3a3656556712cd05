"""``--version`` and ``--help`` of the command against ``python -c pass``.

    uv run python benchmarks/bench_cli.py [--runs 15] [--smoke]

Rounds interleave three processes from this environment: ``python -c pass`` (the
interpreter start, the floor), ``python -m inspector --version`` and ``--help``.
Target (issue 11): each within 1.5x of the floor (no Qt, no httpx imported for them).
"""

from __future__ import annotations

import os
import subprocess
import time

from common import ROOT, Series, arguments, python, report_ratio

TARGET = 1.5


def run(command: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=True, timeout=60)
    return (time.perf_counter() - start) * 1000


def main() -> int:
    args = arguments(__doc__.split("\n\n")[0], size=0, runs=15)
    print(f"Command start-up{' (smoke)' if args.smoke else ''}: {args.runs} interleaved rounds")
    floor, version, helped = Series("python -c pass"), Series("--version"), Series("--help")
    variants = [
        (floor, [python(), "-c", "pass"]),
        (version, [python(), "-m", "inspector", "--version"]),
        (helped, [python(), "-m", "inspector", "--help"]),
    ]
    for _series, command in variants:
        run(command)  # warm-up
    for _ in range(args.runs):
        for series, command in variants:
            series.add(run(command))
    for series, _command in variants:
        print(series.line())
    report_ratio("--version vs python -c pass", version, floor, TARGET, args.smoke)
    report_ratio("--help vs python -c pass", helped, floor, TARGET, args.smoke)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
