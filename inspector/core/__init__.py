"""The Qt-free core: credentials, HTTP client, response model, masking, keychain store.

Nothing in this package imports PySide6, so the CLI and the tests can use it without a
display (``tests/test_core_is_qt_free.py`` proves it).
"""
