"""Shared test set-up: Qt runs offscreen, and nothing touches the user's real files.

Each test gets a fresh temporary HOME and XDG directories, so settings, caches and any
keychain files the app might write land in a folder the test can inspect (leak scans).
"""

from __future__ import annotations

import os
import socket

import pytest

# pytest-qt has no option for the platform plugin; it must be set before Qt starts.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(path))
    # Neither a developer's credentials nor their proxy settings may leak into a test.
    for var in ("B24_WEBHOOK_URL", "B24_ACCESS_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    return home


_REAL_GETADDRINFO = socket.getaddrinfo


def _loopback_only_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Tests talk to 127.0.0.0/8 only: any other name fails as unresolvable, offline, so no
    test can reach (or even ask a resolver about) a host outside this machine."""
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name in ("localhost", "::1") or name.startswith("127."):
        return _REAL_GETADDRINFO(host, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.fixture(autouse=True)
def _no_traffic_beyond_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_only_getaddrinfo)
