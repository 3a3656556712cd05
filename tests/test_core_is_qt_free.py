"""Everything outside ``inspector/ui/`` must work without Qt: importing it must not load PySide6.

The core, the CLI, the demo portal, the self-check's Qt-free half and the resource paths are
imported in a fresh process, which must then hold no PySide6 module. And the entry point's
quick answers (``--version``, ``--help``) must load neither Qt nor httpx.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Module names come from the files, not from pkgutil.walk_packages: walking would import
# inspector.ui itself to look inside it.
PROBE = r"""
import importlib, json, pathlib, sys

import inspector

root = pathlib.Path(inspector.__file__).parent
names = []
for path in sorted(root.rglob("*.py")):
    parts = ("inspector", *path.relative_to(root).with_suffix("").parts)
    if parts[1:2] == ("ui",):
        continue
    names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
for name in names:
    importlib.import_module(name)
qt = sorted(m for m in sys.modules if m == "PySide6" or m.startswith(("PySide6.", "shiboken")))
print(json.dumps({"imported": names, "qt": qt}))
"""


def test_everything_outside_ui_imports_without_pyside6() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["qt"] == [], f"Qt loaded by: {report['imported']}"
    # The probe really walked the package (a typo in the walk would make this vacuous).
    expected = {"inspector.core.client", "inspector.core.credentials", "inspector.core.errors"}
    expected |= {"inspector.core.masking", "inspector.core.model", "inspector.cli"}
    expected |= {"inspector.__main__", "inspector.selfcheck", "inspector.resources"}
    expected |= {"inspector.demo", "inspector.demo.portal"}
    assert expected <= set(report["imported"])
    assert not any(name.startswith("inspector.ui") for name in report["imported"])


QUICK_ANSWER = r"""
import contextlib, json, sys

from inspector.__main__ import main

with contextlib.redirect_stdout(sys.stderr), contextlib.suppress(SystemExit):
    main(sys.argv[1:])
heavy = sorted(
    m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "httpx", "keyring")
)
print(json.dumps(heavy))
"""


@pytest.mark.parametrize(
    "argv", [["--version"], ["--help"], ["get", "--help"], ["list", "--help"]], ids=" ".join
)
def test_quick_answers_load_no_qt_and_no_httpx(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", QUICK_ANSWER, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=REPO,
    )
    assert "b24-inspector" in done.stderr  # the answer was given
    assert json.loads(done.stdout) == []
