"""PySide6's import hook no longer reads the window's module sources (see ui.source_scan).

Each check runs in a fresh interpreter: the hook acts on a module the first time an import
names it, which in the test process happened long ago.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest

from inspector.ui import source_scan

PACKAGE = str(Path(source_scan.__file__).resolve().parents[1])

REPORT = """
import json, linecache, sys
import shibokensupport.feature as feature
ours = sorted(name for name in linecache.cache if name.startswith(sys.argv[1]))
marks = {name: feature.pyside_feature_dict.get(name) for name in sys.argv[2:]}
print(json.dumps({"read": ours, "marks": marks}))
"""


def fresh_interpreter(imports: str, *modules: str) -> dict[str, Any]:
    script = textwrap.dedent(imports) + REPORT
    done = subprocess.run(
        [sys.executable, "-c", script, PACKAGE, *modules],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_without_the_skip_pyside_reads_each_module_after_qt() -> None:
    # The premise: this PySide's hook reads a module's source and keeps its lines.
    seen = fresh_interpreter(
        """
        import PySide6.QtCore
        from inspector.core.model import parse_source
        """,
        "inspector.core.model",
    )
    assert str(Path(PACKAGE) / "core" / "model.py") in seen["read"]
    assert seen["marks"] == {"inspector.core.model": -1}  # read, and no "PySide6" in it


def test_the_window_modules_import_without_their_sources_being_read() -> None:
    seen = fresh_interpreter(
        """
        import inspector.ui.launch
        from inspector.core.model import parse_source
        """,
        "inspector.ui.main_window",
        "inspector.core.model",
    )
    assert seen["read"] == []
    # Marked "ignore", as in a frozen executable (no sources), so never scanned again; the
    # scan would have marked main_window 0, for the "PySide6" in its source.
    assert seen["marks"] == {"inspector.ui.main_window": -1, "inspector.core.model": -1}


@pytest.mark.parametrize(
    "feature",
    [None, types.SimpleNamespace(), types.SimpleNamespace(pyside_feature_dict={})],
    ids=["no module", "no table", "no hook"],
)
def test_another_pyside_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch, feature: Any) -> None:
    if feature is None:
        monkeypatch.delitem(sys.modules, source_scan.FEATURE_MODULE, raising=False)
    else:
        monkeypatch.setitem(sys.modules, source_scan.FEATURE_MODULE, feature)
    assert source_scan.skip_source_scan() is False
    assert feature is None or not hasattr(feature, "feature_imported")
