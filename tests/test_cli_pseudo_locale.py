"""Every text the CLI prints goes through the catalogue (checked with the pseudo-language)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pseudo_locale import demo_data, unmarked

COMMANDS = [
    ["--help"],
    ["get", "--help"],
    ["list", "--help"],
    ["login", "--help"],
    ["check", "--help"],
    ["check", "12", "--demo", "--yes"],
    ["check", "17", "--demo", "--yes"],
    ["check", "11", "--demo"],
    ["get", "6", "--demo"],
    ["get", "7", "--demo"],
    ["list", "--demo"],
    ["get", "abc", "--demo"],
    ["get", "6"],
    ["get", "999", "--demo"],
    ["--fetch", "x"],
    ["--bogus"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_cli_output_is_all_marked(args: list[str]) -> None:
    env = {**os.environ, "LANGUAGE": ""}
    for name in ("B24_WEBHOOK_URL", "B24_ACCESS_TOKEN", "B24_PORTAL"):
        env.pop(name, None)
    proc = subprocess.run(
        [sys.executable, "-m", "inspector", "--lang", "x-pseudo", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.stdout or proc.stderr
    texts = [("stdout", proc.stdout), ("stderr", proc.stderr)]
    assert list(unmarked(texts, demo_data())) == []
