"""``--version`` and ``--help`` of the installed command against ``python -c pass``.

    uv run python benchmarks/bench_cli.py [--runs 15] [--smoke]

Rounds interleave three processes from this environment: ``python -c pass`` (the
interpreter start, the floor), ``b24-inspector --version`` and ``b24-inspector --help``
(the console script the package installs next to the interpreter; ``python -m inspector``
when it is missing, which also pays for ``runpy``). Each figure of a round is the quickest
of three runs, the floor's too, taken in turn with the others': a process of 12-15 ms is
jostled by a few ms of scheduling noise, which a ratio of such short times magnifies (as
``timeit`` takes the minimum). Then one ``-X importtime`` run of each lists what it
imports beyond the bare interpreter, slowest first.

The children run from compiled bytecode, as an installed or frozen program does: this
script lets Python cache it in a temporary folder (the warm-up round fills it), whatever
``PYTHONDONTWRITEBYTECODE`` says; otherwise a stale cache would be timed compiling source.
Target (issue 11): each within 1.5x of the floor (no Qt, no httpx imported for them).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Series, arguments, child_env, python, report_ratio

TARGET = 1.5
REPEATS = 3  # runs per figure in each round, the quickest kept


def command() -> list[str]:
    """The installed console script, run by this interpreter (as its shebang would)."""
    script = Path(sys.executable).with_name("b24-inspector")
    return [python(), str(script)] if script.exists() else [python(), "-m", "inspector"]


HOME = tempfile.TemporaryDirectory(prefix="bench-cli-")  # removed at exit


def run(argv: list[str]) -> float:
    env = child_env(HOME.name)
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, check=True, timeout=60)
    return (time.perf_counter() - start) * 1000


def imports(argv: list[str]) -> dict[str, int]:
    """Top-level modules imported by *argv* and their cumulative import time in µs."""
    env = child_env(HOME.name)
    done = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    found: dict[str, int] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _self, cumulative, name = line.removeprefix("import time:").split("|")
        if not name.startswith("  ") and cumulative.strip().isdigit():  # a top-level import
            found[name.strip()] = int(cumulative)
    return found


def main() -> int:
    args = arguments(__doc__.split("\n\n")[0], size=0, runs=15)
    print(f"Command start-up{' (smoke)' if args.smoke else ''}: {args.runs} interleaved rounds")
    print(f"  command: {' '.join(Path(part).name for part in command())}")
    floor, version, helped = Series("python -c pass"), Series("--version"), Series("--help")
    variants = [
        (floor, [python(), "-c", "pass"]),
        (version, [*command(), "--version"]),
        (helped, [*command(), "--help"]),
    ]
    for _series, argv in variants:
        run(argv)  # warm-up
    for _ in range(args.runs):
        # The repeats interleave too, so a burst of noise meets every variant alike.
        times = [[run(argv) for _series, argv in variants] for _ in range(REPEATS)]
        for (series, _argv), repeated in zip(variants, zip(*times, strict=True), strict=True):
            series.add(min(repeated))
    for series, _argv in variants:
        print(series.line())
    report_ratio("--version vs python -c pass", version, floor, TARGET, args.smoke)
    report_ratio("--help vs python -c pass", helped, floor, TARGET, args.smoke)
    bare = imports([python(), "-c", "pass"])
    for series, argv in variants[1:]:
        extra = {name: us for name, us in imports(argv).items() if name not in bare}
        slowest = sorted(extra.items(), key=lambda item: -item[1])[:6]
        listed = ", ".join(f"{name} {us / 1000:.1f} ms" for name, us in slowest) or "nothing"
        print(f"  {series.name} imports beyond the interpreter (one run): {listed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
