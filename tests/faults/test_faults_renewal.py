"""Token renewal faults (issue 10, findings 4 and 5) through a real CLI subprocess.

* A keychain that reads but cannot write: the refresh token must not be spent (the
  rotated one would be lost); the CLI stops with exit 2 and says the saved one still works.
* A giant token from the OAuth server (3 MB): refused at once, nothing written, the saved
  credential untouched.
* A real kill (SIGKILL) at many points of a chunked save: the keychain then holds the old
  credential or the new one, whole, never "incomplete".

The keychain is a test backend over a JSON file (``fault_keyrings.FileBacked``) so the
subprocess starts with a saved credential and the test reads what it left.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from servers import ScriptedServer, json_reply

from faults.fault_keyrings import FAULT_KEYRING_ENV, FAULT_KEYRING_FILE_ENV, FileBacked
from faults.fault_kit import REPO, Scan, cli_command, cli_environment, home_files
from inspector.core.credentials import OAuthCredential, make_oauth_credential
from inspector.core.keychain import SERVICE, CredentialStore
from inspector.demo.portal import DemoPortal

GIANT = 3 * 1024 * 1024


@pytest.fixture
def demo() -> Iterator[DemoPortal]:
    with DemoPortal() as portal:
        yield portal


def saved_file(tmp_path: Path, cred: OAuthCredential) -> Path:
    path = tmp_path / "keychain.json"
    path.write_text(json.dumps([[SERVICE, "work", cred.to_storage()]]), encoding="utf-8")
    return path


def run_cli(tmp_path: Path, backend: str, keychain: Path) -> subprocess.CompletedProcess[bytes]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = cli_environment(
        home,
        PYTHON_KEYRING_BACKEND=f"fault_keyrings.{backend}",
        **{FAULT_KEYRING_ENV: "1", FAULT_KEYRING_FILE_ENV: str(keychain)},
    )
    return subprocess.run(
        cli_command("get", "6", "--timeout", "5", "--profile", "work", "--no-connector"),
        env=env,
        cwd=REPO,
        capture_output=True,
        timeout=120,
        check=False,
    )


def scan_of(done: subprocess.CompletedProcess[bytes], home: Path) -> Scan:
    scan = Scan()
    scan.add("stdout", done.stdout.decode("utf-8"))
    scan.add("stderr", done.stderr.decode("utf-8"))
    for place, text in home_files(home):
        scan.add(place, text)
    return scan


def test_cli_does_not_spend_a_refresh_token_it_cannot_keep(
    demo: DemoPortal, ledger: Any, tmp_path: Path
) -> None:
    with ledger.case("renewal-cli/keychain-reads-but-cannot-write") as record:
        cred = demo.oauth_credential()
        keychain = saved_file(tmp_path, cred)
        demo.expire_access_token()
        done = run_cli(tmp_path, "ReadOnlyFile", keychain)
        stderr = done.stderr.decode("utf-8")
        assert done.returncode == 2, stderr
        assert "cannot save a renewed one" in stderr and "still works" in stderr, stderr
        assert "Traceback" not in stderr
        assert not [r for r in demo.requests if r.path.startswith("/oauth/token")]
        assert demo.refresh_token == cred.refresh_token  # never rotated
        record.no_leaks(scan_of(done, tmp_path / "home"), secrets=cred.secrets())


def test_cli_refuses_a_giant_token(ledger: Any, tmp_path: Path) -> None:
    grant = {"access_token": "fresh-acc3ss-0007", "refresh_token": "r" * GIANT}
    expired = json_reply({"error": "expired_token"}, status=401)
    with (
        ledger.case("renewal-cli/giant-refresh-token") as record,
        ScriptedServer(expired) as portal,
        ScriptedServer(json_reply(grant)) as oauth,
    ):
        cred = make_oauth_credential(
            portal.url,
            "stale-acc3ss-0007",
            client_id="local.app",
            client_secret="cl1ent-s3cret-0007",
            refresh_token="0ld-refr3sh-0007",
            oauth_server=oauth.url + "/oauth/token/",
        )
        keychain = saved_file(tmp_path, cred)
        before = keychain.read_text(encoding="utf-8")
        started = time.monotonic()
        done = run_cli(tmp_path, "FileBacked", keychain)
        elapsed = time.monotonic() - started
        stderr = done.stderr.decode("utf-8")
        assert done.returncode == 4, stderr
        assert "3,145,728 characters" in stderr and "refused" in stderr, stderr
        assert "Traceback" not in stderr
        assert elapsed < 20, f"took {elapsed:.1f} s"
        assert keychain.read_text(encoding="utf-8") == before
        record.no_leaks(scan_of(done, tmp_path / "home"), secrets=cred.secrets())


# --- a real kill during a chunked save -------------------------------------------------------

OLD = "old-" + "o" * 2000
NEW = "new-" + "n" * 2500
SAVE_SLOWLY = f"""
import time, keyring
from faults.fault_keyrings import FileBacked
from inspector.core.keychain import CredentialStore

class Slow(FileBacked):
    # Says when each keychain write begins, then takes a while: the test kills it there.
    def set_password(self, service, username, password):
        print("write", flush=True)
        time.sleep(0.05)
        super().set_password(service, username, password)
    def delete_password(self, service, username):
        print("write", flush=True)
        time.sleep(0.05)
        super().delete_password(service, username)

keyring.set_keyring(Slow())
print("ready", flush=True)
CredentialStore().save("work", {NEW!r})
print("saved", flush=True)
"""


def test_a_kill_during_a_chunked_save_leaves_one_whole_credential(
    ledger: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The n-th run is killed as its n-th keychain write begins (the child says when), so
    # every point of the save is tried whatever the machine's load; the last run finishes.
    with ledger.case("keychain-kill/chunked-save"):
        outcomes: set[str] = set()
        finished = False
        step = 0
        while not finished:
            assert step < 100, "the save never finished"
            keychain = tmp_path / f"keychain-{step}.json"
            monkeypatch.setenv(FAULT_KEYRING_FILE_ENV, str(keychain))
            monkeypatch.setenv(FAULT_KEYRING_ENV, "1")
            keyring.set_keyring(FileBacked())
            assert CredentialStore().save("work", OLD).persisted
            env = cli_environment(tmp_path, **{FAULT_KEYRING_FILE_ENV: str(keychain)})
            child = subprocess.Popen(
                [sys.executable, "-c", SAVE_SLOWLY],
                env=env,
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            assert child.stdout is not None
            assert child.stdout.readline().strip() == b"ready"
            for _write in range(step):
                line = child.stdout.readline().strip()
                if line != b"write":
                    assert line == b"saved", line
                    finished = True
                    break
            child.kill()
            child.communicate(timeout=10)
            step += 1
            keyring.set_keyring(FileBacked())  # what the next run finds
            loaded = CredentialStore().load("work")
            assert loaded.message is None, (step, loaded.message)
            assert loaded.secret in (OLD, NEW), step
            outcomes.add("new" if loaded.secret == NEW else "old")
        assert outcomes == {"old", "new"}  # the kills fell before and after the switch
