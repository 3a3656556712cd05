"""A real Secret Service (gnome-keyring) for the keychain integration tests.

``secret_service_bus()`` yields the address of a D-Bus session bus on which an unlocked
Secret Service answers:

* the caller's own session bus, when ``DBUS_SESSION_BUS_ADDRESS`` is set and a test entry
  can be written, read and deleted there (``.ci/run`` provides one this way);
* otherwise a private bus: ``dbus-daemon`` plus ``gnome-keyring-daemon --unlock`` with a
  fresh temporary HOME and XDG_RUNTIME_DIR, torn down afterwards.

``private_secret_service(unlocked=False)`` starts gnome-keyring without unlocking it, which
is the state many real desktops and servers are in: every keychain call then fails with
``InitError`` ("Prompt dismissed", no keyring yet) or ``KeyringLocked`` (a keyring exists).

When neither is possible the tests are skipped, unless ``B24_REQUIRE_SECRET_SERVICE=1``
(set by CI), in which case they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

REQUIRE_ENV = "B24_REQUIRE_SECRET_SERVICE"
SECRETS_NAME = "org.freedesktop.secrets"
KEYRING_PASSWORD = b"b24-inspector-test"
TOOLS = ("dbus-daemon", "gnome-keyring-daemon")
START_TIMEOUT = 10.0


def skip_or_fail(reason: str) -> None:
    """Skip, or fail when CI requires the real Secret Service."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 requires the real Secret Service)", pytrace=False)
    pytest.skip(reason)


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def _name_has_owner(address: str, name: str) -> bool:
    from jeepney import DBus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(address) as connection:
        reply = connection.send_and_get_reply(DBus().NameHasOwner(name), timeout=2)
    return bool(reply.body[0])


def existing_bus_works(address: str) -> bool:
    """True when the Secret Service on ``address`` lets us write, read and delete an entry."""
    from keyring.backends import SecretService

    service = f"b24-inspector-test-probe-{os.getpid()}"
    previous = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
    try:
        if not _name_has_owner(address, SECRETS_NAME):
            return False
        backend = SecretService.Keyring()
        backend.set_password(service, "probe", "probe")
        ok = bool(backend.get_password(service, "probe") == "probe")
        backend.delete_password(service, "probe")
        return ok
    except Exception:
        return False
    finally:
        if previous is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = previous


@contextmanager
def private_secret_service(*, unlocked: bool, state_dir: Path | None = None) -> Iterator[str]:
    """Start a private session bus and gnome-keyring on it; yield the bus address.

    ``state_dir`` keeps HOME (and so the keyring file) across two calls, to get a keyring
    that exists but is locked. Without it everything lives in a fresh temporary folder.
    """
    missing = missing_tools()
    if missing:
        skip_or_fail(f"not installed: {', '.join(missing)}")
    scratch = Path(tempfile.mkdtemp(prefix="b24-keyring-"))
    home = (state_dir or scratch) / "home"
    runtime = scratch / "run"
    home.mkdir(parents=True, exist_ok=True)
    runtime.mkdir(mode=0o700)
    env = {
        key: value
        for key, value in os.environ.items()
        # No display: gnome-keyring's unlock prompt must fail at once, not open a window.
        if key not in {"DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY"}
    }
    env.update(
        HOME=str(home),
        XDG_RUNTIME_DIR=str(runtime),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
    )
    processes: list[subprocess.Popen[bytes]] = []
    log_path = scratch / "daemons.log"
    try:
        with open(log_path, "wb") as log:
            bus = subprocess.Popen(
                [
                    "dbus-daemon",
                    "--session",
                    "--nofork",
                    "--print-address=1",
                    f"--address=unix:path={runtime / 'bus'}",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
            )
            processes.append(bus)
            assert bus.stdout is not None
            address = bus.stdout.readline().decode().strip()
            if not address:
                raise RuntimeError(f"dbus-daemon did not start: {_tail(log_path)}")
            env["DBUS_SESSION_BUS_ADDRESS"] = address
            keyring_args = ["gnome-keyring-daemon", "--foreground", "--components=secrets"]
            if unlocked:
                keyring_args.append("--unlock")
            daemon = subprocess.Popen(
                keyring_args,
                stdin=subprocess.PIPE if unlocked else subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=env,
            )
            processes.append(daemon)
            if unlocked:
                assert daemon.stdin is not None
                daemon.stdin.write(KEYRING_PASSWORD)
                daemon.stdin.close()
        # Wait until gnome-keyring owns the name: before that, a call would make D-Bus
        # activate a second, locked daemon.
        deadline = time.monotonic() + START_TIMEOUT
        while not _name_has_owner(address, SECRETS_NAME):
            if daemon.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gnome-keyring-daemon did not start: {_tail(log_path)}")
            time.sleep(0.02)  # polling: the daemon offers nothing to wait on until it owns it
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            if process.stdout is not None:
                process.stdout.close()
        shutil.rmtree(scratch, ignore_errors=True)


def _tail(path: Path) -> str:
    with suppress(OSError):
        return path.read_text(errors="replace")[-2000:]
    return ""


@contextmanager
def secret_service_bus() -> Iterator[str]:
    """The address of a bus with an unlocked Secret Service (existing one, or a private one)."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if address and existing_bus_works(address):
        yield address
        return
    with private_secret_service(unlocked=True) as address:
        yield address
