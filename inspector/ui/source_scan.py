"""Keep PySide6's import hook from reading the source of every module imported after Qt.

PySide6 replaces ``__import__`` to support ``from __feature__ import snake_case``. For each
module an ``import`` statement names that it has not seen yet, it reads the module's whole
source (``inspect.getsource``) to look for the word "PySide6", and ``linecache`` keeps every
line it read. For this window that is about 95 modules (the standard library's among them),
10 ms of start-up and 3.7 MiB of memory for as long as the program runs.

The program selects no ``__feature__``, so it loses nothing when each module is marked
"ignore this module" (-1) without being read. That is what PySide itself concludes for every
module of a frozen executable, which ships no sources.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

__all__ = ["skip_source_scan"]

FEATURE_MODULE = "shibokensupport.feature"  # where PySide6 keeps the hook's Python half
IGNORE = -1  # PySide's select id for "this module takes no part in feature switching"


def skip_source_scan() -> bool:
    """Replace the hook's per-module scan with a plain "ignore" mark; False when this PySide
    has no such hook (then nothing is changed)."""
    import PySide6  # noqa: F401  (installs the hook, once)

    feature: Any = sys.modules.get(FEATURE_MODULE)  # private to PySide: checked, not trusted
    table = getattr(feature, "pyside_feature_dict", None)
    if (
        feature is None
        or not isinstance(table, dict)
        or not callable(getattr(feature, "feature_imported", None))
    ):
        return False

    def feature_imported(module: ModuleType) -> None:
        name = getattr(module, "__name__", None)
        if isinstance(name, str):
            table.setdefault(name, IGNORE)

    feature.feature_imported = feature_imported
    return True
