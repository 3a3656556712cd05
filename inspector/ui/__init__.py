"""The window (PySide6). Everything that imports Qt lives in this package."""

from .source_scan import skip_source_scan

skip_source_scan()  # first: before the window's modules are imported (see source_scan)

from .main_window import MainWindow  # noqa: E402

__all__ = ["MainWindow"]
