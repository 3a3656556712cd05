"""Keychain faults: none at all, a locked gnome-keyring, a backend that fails on save, on
load, on delete (or crashes), and a secret longer than Windows Credential Manager takes.

Each must leave the app working, in session-only mode where it cannot save, with the
reason shown (the window's keychain line, the CLI's error) and no secret anywhere: the
failing backends' own exceptions quote the secret they were given, and none of that text
may surface.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring_session
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService, fail
from servers import ScriptedServer

from faults.fault_keyrings import (
    FAULT_KEYRING_ENV,
    WINDOWS_BLOB_LIMIT,
    CrashesOnLoad,
    FailsOnDelete,
    FailsOnLoad,
    FailsOnSave,
    WindowsSizeLimit,
)
from faults.fault_kit import (
    REPO,
    TOKEN,
    Scan,
    cli_command,
    cli_environment,
    home_files,
    json_reply,
    ok_payload,
    route,
)
from faults.fault_window import (
    assert_usable,
    enter_credential,
    everything,
    fetch_and_wait,
    options_for,
)
from faults.fault_window import wait_connector as connector_looked_up
from inspector.core.keychain import SERVICE


@pytest.fixture(scope="module")
def portal() -> Iterator[ScriptedServer]:
    with ScriptedServer(route(json_reply(ok_payload()))) as server:
        yield server


@pytest.fixture(scope="module")
def locked_keyring_bus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gnome-keyring running with a login keyring that exists but was not unlocked."""
    state = tmp_path_factory.mktemp("keyring-state")
    with keyring_session.private_secret_service(unlocked=True, state_dir=state) as address:
        previous = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
        try:  # an entry makes gnome-keyring create the login keyring on disk
            SecretService.Keyring().set_password(SERVICE, "#fault-suite", "x")
        finally:
            if previous is None:
                os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
            else:
                os.environ["DBUS_SESSION_BUS_ADDRESS"] = previous
    with keyring_session.private_secret_service(unlocked=False, state_dir=state) as address:
        yield address


def secret_service(monkeypatch: pytest.MonkeyPatch, address: str) -> KeyringBackend:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    return SecretService.Keyring()


Backend = Callable[[pytest.MonkeyPatch, Any], KeyringBackend]
# name, backend, (fragments of the keychain line) at start, after Remember, after Forget
WINDOW_CASES: list[tuple[str, Backend, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = [
    (
        "no-keychain",
        lambda mp, bus: fail.Keyring(),
        ("No system keychain is available", "this session only"),
        ("Not saved", "this session only"),
        ("The keychain was not changed",),
    ),
    (
        "locked-gnome-keyring",
        lambda mp, bus: secret_service(mp, bus()),
        ("locked",),
        ("Not saved in Secret Service", "locked", "this session only"),
        ("locked",),
    ),
    (
        "fails-on-save",
        lambda mp, bus: FailsOnSave(),
        (),
        ("Not saved in Test keychain (save fails)", "refused to store it", "this session only"),
        (),
    ),
    (
        "fails-on-load",
        lambda mp, bus: FailsOnLoad(),
        ("Could not read the saved credential", "reported an error"),
        (),
        (),
    ),
    (
        "fails-on-delete",
        lambda mp, bus: FailsOnDelete(),
        (),
        ("Saved in Test keychain (delete fails)",),
        ("Could not remove it", "reported an error"),
    ),
    (
        "crashes-on-load",
        lambda mp, bus: CrashesOnLoad(),
        ("Could not read the saved credential", "failed unexpectedly"),
        (),
        (),
    ),
]


@pytest.mark.parametrize(
    ("name", "backend", "at_start", "after_remember", "after_forget"),
    WINDOW_CASES,
    ids=[case[0] for case in WINDOW_CASES],
)
def test_window_keeps_working_with_a_failing_keychain(
    name: str,
    backend: Backend,
    at_start: tuple[str, ...],
    after_remember: tuple[str, ...],
    after_forget: tuple[str, ...],
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    make_window: Any,
    qtbot: Any,
    app_logs: list[str],
    ledger: Any,
    home: Path,
    portal: ScriptedServer,
) -> None:
    with ledger.case(f"keychain-window/{name}") as record:
        keyring.set_keyring(
            backend(monkeypatch, lambda: request.getfixturevalue("locked_keyring_bus"))
        )
        window = make_window()
        panel = window.credentials_panel
        line = panel.keychain_label
        for words, step in (
            (at_start, "at start"),
            (after_remember, "after Remember"),
            (after_forget, "after Forget"),
        ):
            if step == "after Remember":
                window.request_options = options_for(_no_tls())
                enter_credential(window, "oauth", portal.url)
                panel.remember_button.click()
            elif step == "after Forget":
                panel.forget_button.click()
            text = line.text()
            for word in words:
                assert word in text, (step, word, text)
            assert "Traceback" not in text and "refused to store '" not in text
            if step == "after Remember":
                # Saved or not, the credential works for this session.
                fetch_and_wait(qtbot, window, 6, 10)
                connector_looked_up(qtbot, window)
                assert window.status_line.text().startswith("Source 6")
        assert_usable(window)
        record.no_leaks(everything(window, app_logs, home))


def _no_tls() -> Any:
    from faults.fault_kit import Setup

    return Setup("")


def test_a_secret_longer_than_windows_takes_is_saved_in_pieces(
    make_window: Any,
    qtbot: Any,
    app_logs: list[str],
    ledger: Any,
    home: Path,
    portal: ScriptedServer,
) -> None:
    """An OAuth credential of ~4 KiB: over Credential Manager's 2,560-byte blob."""
    backend = WindowsSizeLimit()
    keyring.set_keyring(backend)
    long_token = TOKEN + "x" * 2000
    with ledger.case("keychain-window/secret-over-2560-bytes") as record:
        window = make_window()
        window.request_options = options_for(_no_tls())
        enter_credential(window, "oauth", portal.url, token=long_token)
        window.credentials_panel.remember_button.click()
        assert (
            "Saved in Windows Credential Manager" in window.credentials_panel.keychain_label.text()
        )
        entries = [v for (service, _user), v in backend.entries.items() if service == SERVICE]
        assert len(entries) > 2  # a manifest and its pieces
        assert all(len(v.encode("utf-16-le")) <= WINDOWS_BLOB_LIMIT for v in entries)
        window.close()

        again = make_window()  # a new session reads it back whole
        again.request_options = options_for(_no_tls())
        assert again.credentials_panel.credential() is not None
        before = len(portal.requests)
        fetch_and_wait(qtbot, again, 6, 10)
        connector_looked_up(qtbot, again)
        sent = portal.requests[before]
        assert sent.json()["auth"] == long_token
        assert again.status_line.text().startswith("Source 6")
        record.no_leaks(everything(again, app_logs, home), secrets=(long_token, TOKEN, *_values()))


def _values() -> tuple[str, ...]:
    from faults.fault_kit import SETTING_VALUES

    return SETTING_VALUES


# --- the CLI ---------------------------------------------------------------------------------


@contextlib.contextmanager
def cli_with(
    backend: str, home: Path, *args: str, **env: str
) -> Iterator[subprocess.CompletedProcess[bytes]]:
    environment = cli_environment(
        home, PYTHON_KEYRING_BACKEND=backend, **{FAULT_KEYRING_ENV: "1"}, **env
    )
    yield subprocess.run(
        cli_command("get", "6", "--timeout", "2", *args),
        env=environment,
        cwd=REPO,
        capture_output=True,
        timeout=60,
        check=False,
    )


NONE = "keyring.backends.fail.Keyring"
WORK = ("--profile", "work")
CLI_CASES = [
    ("no-keychain-default-profile", NONE, (), "No system keychain"),
    ("no-keychain-named-profile", NONE, WORK, "No system keychain"),
    ("load-fails", "fault_keyrings.FailsOnLoad", WORK, "reported an error"),
    ("crashes", "fault_keyrings.CrashesOnLoad", WORK, "failed unexpectedly"),
]


@pytest.mark.parametrize(
    ("name", "backend", "args", "reason"), CLI_CASES, ids=[c[0] for c in CLI_CASES]
)
def test_cli_says_why_the_keychain_gave_nothing(
    name: str, backend: str, args: tuple[str, ...], reason: str, ledger: Any, tmp_path: Path
) -> None:
    with ledger.case(f"keychain-cli/{name}") as record, cli_with(backend, tmp_path, *args) as done:
        stderr = done.stderr.decode("utf-8")
        assert done.returncode == 2, stderr
        assert reason in stderr, stderr
        assert "Traceback" not in stderr
        scan = Scan()
        scan.add("stderr", stderr)
        scan.add("stdout", done.stdout.decode("utf-8"))
        for where, text in home_files(tmp_path):
            scan.add(where, text)
        record.no_leaks(scan)


def test_cli_says_the_keychain_is_locked(
    locked_keyring_bus: str, ledger: Any, tmp_path: Path
) -> None:
    with (
        ledger.case("keychain-cli/locked-gnome-keyring"),
        cli_with(
            "keyring.backends.SecretService.Keyring",
            tmp_path,
            "--profile",
            "work",
            DBUS_SESSION_BUS_ADDRESS=locked_keyring_bus,
        ) as done,
    ):
        stderr = done.stderr.decode("utf-8")
        assert done.returncode == 2, stderr
        assert "locked" in stderr, stderr


def test_a_failing_keychain_does_not_stop_an_environment_credential(
    portal: ScriptedServer, ledger: Any, tmp_path: Path
) -> None:
    from faults.fault_kit import CODE

    url = f"{portal.url}/rest/1/{CODE}/"
    with (
        ledger.case("keychain-cli/crashing-keychain-with-env-credential") as record,
        cli_with("fault_keyrings.CrashesOnLoad", tmp_path, B24_WEBHOOK_URL=url) as done,
    ):
        stdout, stderr = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
        assert done.returncode == 0, stderr
        assert stdout.startswith("Source 6")
        scan = Scan()
        scan.add("stdout", stdout)
        scan.add("stderr", stderr)
        record.no_leaks(scan)
