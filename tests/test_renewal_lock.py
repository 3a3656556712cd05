"""The renewal lock across processes (issue 9): the lock itself, and two real CLI copies.

The lock's tests use a second Python process as the other holder, since the point is the
OS lock between processes: a second holder waits, a cancel ends the wait, and the lock is
free again once the holding process is killed.

The end-to-end test runs two ``get --profile`` processes on one keychain profile (a real
Secret Service on a private D-Bus bus) against the demo portal, whose access token has
expired. The test itself holds the profile's renewal lock until the portal has answered
``expired_token`` to both, so both are sure to meet it together; then exactly one refresh
grant may reach the token server, and both fetches must succeed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring_session
import pytest

from inspector.core.credentials import OAuthCredential, make_oauth_credential
from inspector.core.errors import Cancelled
from inspector.core.keychain import SERVICE
from inspector.core.profile_index import program_folder
from inspector.core.renewal_lock import (
    RenewalBusy,
    RenewalLock,
    lock_name,
    newer_stored,
)
from inspector.demo.portal import DEMO_SOURCES, DemoPortal

REPO = Path(__file__).resolve().parent.parent
HOLDER = """\
import sys
from inspector.core.renewal_lock import RenewalLock
lock = RenewalLock(sys.argv[1], sys.argv[2])
lock.acquire(wait=30)
print("held", flush=True)
sys.stdin.readline()
lock.release()
print("released", flush=True)
"""


@pytest.fixture
def entry() -> str:
    return f"lock-{uuid.uuid4().hex[:10]}"


class Holder:
    """Another process that holds the lock of *entry* until told to let go (or killed)."""

    def __init__(self, entry: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, SERVICE, entry],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "held"

    def let_go(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "released"
        self.process.wait(timeout=30)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


@pytest.fixture
def holder(entry: str) -> Iterator[Holder]:
    held = Holder(entry)
    try:
        yield held
    finally:
        held.close()


# --- the lock ------------------------------------------------------------------------------


def test_a_second_holder_waits_until_the_first_lets_go(entry: str, holder: Holder) -> None:
    lock = RenewalLock(SERVICE, entry)
    got = threading.Event()

    def take() -> None:
        lock.acquire(wait=60)
        got.set()

    taker = threading.Thread(target=take)
    taker.start()
    assert not got.wait(0.3)  # the other process still holds it: no time limit involved
    assert not lock.held
    holder.let_go()
    taker.join(timeout=60)
    assert got.is_set() and lock.held
    lock.release()
    assert not lock.held


def test_the_wait_is_bounded_and_says_why(entry: str, holder: Holder) -> None:
    with pytest.raises(RenewalBusy) as caught:
        RenewalLock(SERVICE, entry).acquire(wait=0.2)
    assert "Another running copy" in caught.value.message
    assert caught.value.exit_code == 4
    assert entry not in str(caught.value)


def test_a_cancel_ends_the_wait(entry: str, holder: Holder) -> None:
    cancel = threading.Event()
    lock = RenewalLock(SERVICE, entry)
    threading.Timer(0.2, cancel.set).start()
    with pytest.raises(Cancelled):
        lock.acquire(cancel, wait=120)
    assert not lock.held


def test_the_lock_is_free_once_its_holder_dies(entry: str, holder: Holder) -> None:
    holder.kill()  # SIGKILL: no release, no clean-up; the OS drops the lock
    lock = RenewalLock(SERVICE, entry)
    with lock.hold(wait=30):
        assert lock.held


def test_two_locks_in_one_process_exclude_each_other(entry: str) -> None:
    first, second = RenewalLock(SERVICE, entry), RenewalLock(SERVICE, entry)
    with first.hold(), pytest.raises(RenewalBusy):
        second.acquire(wait=0.1)
    with second.hold():
        assert second.held


def test_the_lock_file_is_private_and_named_by_a_hash(entry: str) -> None:
    lock = RenewalLock(SERVICE, entry)
    with lock.hold():
        pass
    assert lock.path.parent.parent == program_folder()
    assert entry not in lock.path.name and lock.path.name == lock_name(SERVICE, entry)
    assert lock_name(SERVICE, entry) != lock_name(SERVICE, entry + "x")
    if os.name == "posix":
        assert lock.path.stat().st_mode & 0o777 == 0o600
        assert lock.path.parent.stat().st_mode & 0o777 == 0o700
    assert entry not in repr(lock)


def test_only_the_same_application_renewed_elsewhere_is_taken() -> None:
    def cred(
        refresh: str, client: str = "local.app", portal: str = "https://a.example.com"
    ) -> OAuthCredential:
        return make_oauth_credential(
            portal,
            "acc3ss-" + refresh,
            client_id=client,
            client_secret="s3cret",
            refresh_token=refresh,
        )

    in_hand = cred("r1")
    taken = newer_stored(cred("r2"), in_hand)
    assert taken is not None and taken.refresh_token == "r2" and taken.access_token == "acc3ss-r2"
    assert newer_stored(cred("r1"), in_hand) is None  # nobody renewed: renew here
    assert newer_stored(cred("r2", client="other.app"), in_hand) is None
    assert newer_stored(cred("r2", portal="https://b.example.com"), in_hand) is None
    assert newer_stored(None, in_hand) is None


# --- two real processes ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def bus() -> Iterator[str]:
    with keyring_session.private_secret_service(unlocked=True) as address:
        yield address


def cli_environment(bus: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("B24_") and key not in ("DISPLAY", "WAYLAND_DISPLAY")
    }
    env.update(
        PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring",
        DBUS_SESSION_BUS_ADDRESS=bus,
        PYTHONIOENCODING="utf-8",
    )
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        env.pop(var, None)
    return env


SAVE_FROM_STDIN = (
    "import sys; from inspector.core.keychain import CredentialStore; "
    "assert CredentialStore().save(sys.argv[1], sys.stdin.read()).persisted"
)


@pytest.mark.keychain
def test_two_copies_meeting_an_expired_token_renew_it_once(bus: str, entry: str) -> None:
    env = cli_environment(bus)
    source_id = min(DEMO_SOURCES)
    with DemoPortal() as demo:
        credential = demo.oauth_credential()
        subprocess.run(
            [sys.executable, "-c", SAVE_FROM_STDIN, entry],
            input=credential.to_storage(),
            text=True,
            env=env,
            cwd=REPO,
            check=True,
            timeout=60,
        )
        demo.expire_access_token()
        spent = (*credential.secrets(), demo.access_token)

        gate = RenewalLock(SERVICE, entry)
        gate.acquire(wait=5)
        try:
            copies = [
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "inspector",
                        "get",
                        str(source_id),
                        "--profile",
                        entry,
                        "--no-connector",
                        "--json",
                    ],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    encoding="utf-8",
                    env=env,
                    cwd=REPO,
                )
                for _copy in range(2)
            ]
            wait_for_expired_answers(demo, 2, copies)
        finally:
            gate.release()
        outputs = [copy.communicate(timeout=90) for copy in copies]

        for copy, (stdout, stderr) in zip(copies, outputs, strict=True):
            assert copy.returncode == 0, stderr
            assert f'"id": {source_id}' in stdout
        grants = [r for r in demo.requests if r.path.startswith("/oauth/token")]
        assert len(grants) == 1
        assert demo.token_refreshes == 1
        gets = [r for r in demo.requests if r.path.endswith("biconnector.source.get")]
        assert len(gets) == 4  # each copy: expired_token, then the call with new tokens
        notes = "".join(stderr for _stdout, stderr in outputs)
        assert "renewed and saved" in notes  # the copy that renewed says so; one only
        assert notes.count("renewed and saved") == 1
        assert notes.count("another running copy had renewed the access token") == 1
        for secret in (*spent, demo.access_token, demo.refresh_token):
            for stdout, stderr in outputs:
                assert secret not in stdout and secret not in stderr


def wait_for_expired_answers(
    demo: DemoPortal, count: int, copies: list[subprocess.Popen[str]]
) -> None:
    """Until *count* source.get calls reached the portal (each answered expired_token)."""
    done = threading.Event()
    while not done.wait(0.05):
        gets = [r for r in demo.requests if r.path.endswith("biconnector.source.get")]
        if len(gets) >= count:
            return
        for copy in copies:
            if copy.poll() is not None:
                _out, err = copy.communicate()
                pytest.fail(f"a copy ended before meeting expired_token: {err}")
