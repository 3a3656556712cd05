"""The built-in demo portal: a local stand-in for Bitrix24 used by ``--demo`` and the tests."""

from .data import DEMO_CONNECTORS, DEMO_SOURCES
from .portal import DemoPortal
from .recording import RecordedRequest

__all__ = ["DEMO_CONNECTORS", "DEMO_SOURCES", "DemoPortal", "RecordedRequest"]
