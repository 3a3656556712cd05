"""The built-in demo portal: a local stand-in for Bitrix24 used by ``--demo`` and the tests."""

from inspector.demo.portal import DEMO_CONNECTORS, DEMO_SOURCES, DemoPortal, RecordedRequest

__all__ = ["DEMO_CONNECTORS", "DEMO_SOURCES", "DemoPortal", "RecordedRequest"]
