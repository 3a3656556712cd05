"""The built-in demo portal: a local stand-in for Bitrix24 used by ``--demo`` and the tests.

Its names are imported when first asked for, not with the package: the window's ``--demo``
start runs the portal in a process of its own (``portal_process``) and must not load the
HTTP server's modules itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .data import DEMO_CONNECTORS, DEMO_SOURCES
    from .portal import DemoPortal
    from .recording import RecordedRequest

__all__ = ["DEMO_CONNECTORS", "DEMO_SOURCES", "DemoPortal", "RecordedRequest"]

_HOMES = {
    "DEMO_CONNECTORS": "data",
    "DEMO_SOURCES": "data",
    "DemoPortal": "portal",
    "RecordedRequest": "recording",
}


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
