"""The core (and the CLI) must work without Qt: importing them must not load PySide6."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

PROBE = r"""
import importlib, json, pkgutil, sys

import inspector.core

names = ["inspector.core"]
names += [m.name for m in pkgutil.walk_packages(inspector.core.__path__, "inspector.core.")]
if importlib.util.find_spec("inspector.cli") is not None:
    names.append("inspector.cli")
for name in names:
    importlib.import_module(name)
qt = sorted(m for m in sys.modules if m == "PySide6" or m.startswith(("PySide6.", "shiboken")))
print(json.dumps({"imported": names, "qt": qt}))
"""


def test_core_and_cli_import_without_pyside6() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["qt"] == [], f"Qt loaded by: {report['imported']}"
    # The probe really walked the package (a typo in the walk would make this vacuous).
    expected = {"inspector.core.client", "inspector.core.credentials", "inspector.core.errors"}
    expected |= {"inspector.core.masking", "inspector.core.model"}
    assert expected <= set(report["imported"])
    if importlib.util.find_spec("inspector.cli") is not None:
        assert "inspector.cli" in report["imported"]
