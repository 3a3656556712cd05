"""``--self-check``: every line it promises, the exit status, and nothing kept or leaked."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from memory_keyring import MemoryKeyring

from inspector import __version__
from inspector import resources as res
from inspector.selfcheck import SELF_CHECK_SERVICE, run_self_check

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def default_trust(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


def run() -> tuple[int, str]:
    out = io.StringIO()
    status = run_self_check(out)
    return status, out.getvalue()


def line(report: str, name: str) -> str:
    (found,) = [text for text in report.splitlines() if text.split("] ", 1)[-1].startswith(name)]
    return found


def test_all_pass_with_a_working_keychain(
    qapp: object, keychain: MemoryKeyring, default_trust: None
) -> None:
    status, report = run()
    assert status == 0, report
    assert "FAIL" not in report
    assert f"b24-inspector {__version__}" in line(report, "version:")
    assert sys.version.split()[0] in line(report, "python:")
    assert "Qt 6." in line(report, "qt:") and "PySide6 6." in line(report, "qt:")
    assert "offscreen" in line(report, "qt platform:")
    assert "a test item was written" in line(report, "keychain round trip:")
    for name in res.REQUIRED_RESOURCES:
        assert line(report, f"resource {name}:").startswith("[ ok ]")
    trust = line(report, "tls trust:")
    assert "verified against" in trust
    assert "default CA file" in line(report, "tls openssl:")
    fallback = line(report, "tls fallback:")
    assert "certifi" in fallback and " 0 CA" not in fallback
    passed = report.count("[ ok ]")
    assert report.rstrip().endswith(f"self-check passed: {passed} checks")


def test_keychain_test_item_is_neither_kept_nor_printed(
    qapp: object, keychain: MemoryKeyring, default_trust: None
) -> None:
    status, report = run()
    assert status == 0
    assert keychain.entries == {}
    assert keychain.seen, "the round trip wrote nothing"
    for value in keychain.seen:
        assert value not in report


def test_no_keychain_fails_with_the_reason(qapp: object, default_trust: None) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        status, report = run()
    finally:
        keyring.set_keyring(previous)
    assert status == 1
    assert line(report, "keychain:").startswith("[FAIL]")
    assert "No system keychain is available" in report
    assert report.rstrip().endswith("failed: keychain")


def test_missing_resource_fails(
    qapp: object,
    keychain: MemoryKeyring,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = tmp_path / "resources"
    shutil.copytree(REPO / "resources", broken)
    (broken / res.APP_ICON_FILES[-1]).unlink()
    (broken / res.DESKTOP_ENTRY).write_text("not a desktop entry")
    monkeypatch.setattr(res, "_candidates", lambda: [("test copy", broken)])
    res._locate.cache_clear()
    try:
        status, report = run()
    finally:
        res._locate.cache_clear()
    assert status == 1
    assert line(report, f"resource {res.APP_ICON_FILES[-1]}:").startswith("[FAIL]")
    assert line(report, f"resource {res.DESKTOP_ENTRY}:").startswith("[FAIL]")
    assert line(report, "app icon:").startswith("[FAIL]")


def test_frozen_app_must_carry_its_ca_bundle(
    qapp: object,
    keychain: MemoryKeyring,
    default_trust: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A "bundle" that does not contain certifi's cacert.pem: the check must say so.
    shutil.copytree(REPO / "resources", tmp_path / "inspector" / "resources")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    res._locate.cache_clear()
    try:
        status, report = run()
    finally:
        res._locate.cache_clear()
    assert status == 1
    assert "not inside the frozen bundle" in line(report, "tls fallback:")
    assert "frozen" in line(report, "version:")


def test_runs_without_a_display() -> None:
    """A fresh process with no display and no platform chosen falls back to offscreen."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    }
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    code = "import sys; from inspector.selfcheck import run_self_check; "
    code += "sys.exit(run_self_check(sys.stdout))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "offscreen (chosen here: no display found)" in line(done.stdout, "qt platform:")
    # Only the keychain (forced to "none" here) may fail.
    assert done.returncode == 1
    assert done.stdout.rstrip().endswith("failed: keychain"), done.stdout + done.stderr


@pytest.fixture(scope="module")
def secret_service_address() -> Iterator[str]:
    import keyring_session

    with keyring_session.secret_service_bus() as address:
        yield address


@pytest.mark.keychain
def test_real_secret_service(secret_service_address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """keyring's own detection in a fresh process finds the Secret Service, and it works."""
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": secret_service_address}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    code = "import sys; from inspector.selfcheck import run_self_check; "
    code += "sys.exit(run_self_check(sys.stdout))"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert "Secret Service: available" in line(done.stdout, "keychain:"), done.stdout
    assert "written to Secret Service" in line(done.stdout, "keychain round trip:")
    assert done.returncode == 0, done.stdout + done.stderr

    # Nothing of the round trip is left behind in the real keychain.
    import secretstorage

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service_address)
    with secretstorage.dbus_init() as connection:
        collection = secretstorage.get_default_collection(connection)
        assert list(collection.search_items({"service": SELF_CHECK_SERVICE})) == []
