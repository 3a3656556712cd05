"""The window (PySide6). Everything that imports Qt lives in this package."""

from .main_window import MainWindow

__all__ = ["MainWindow"]
