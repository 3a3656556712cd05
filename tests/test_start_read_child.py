"""The start's keychain read in a helper process (``core.start_read_child``), against the
real Secret Service: it answers what the window's own read would, chunked secrets included,
and a helper that cannot answer says nothing (the window then reads in its own process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import keyring_session
import pytest
from test_keychain_secret_service import using_secret_service

from inspector.core.child_process import spawn
from inspector.core.keychain import CHUNK_CHARS, CredentialStore
from inspector.core.start_read import (
    StartPlan,
    StartRead,
    plan_to_json,
    read_from_json,
    read_to_json,
)
from inspector.core.start_read_child import boot_command, child_command


@pytest.fixture(scope="module")
def secret_service_address() -> Iterator[str]:
    with keyring_session.secret_service_bus() as address:
        yield address


@pytest.fixture
def store(
    secret_service_address: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CredentialStore]:
    """The program's own store (the helper reads its service); the tests' profiles have
    names of their own, and are forgotten afterwards."""
    with using_secret_service(monkeypatch, secret_service_address):
        yield CredentialStore()


@pytest.fixture
def profile(store: CredentialStore) -> Iterator[str]:
    name = f"test-{uuid.uuid4().hex[:12]}"
    yield name
    store.forget(name)


def ask_helper(plan: StartPlan, language: str = "en") -> tuple[int, str]:
    """Run the helper for *plan*, as the window does; (exit status, standard output)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    child = subprocess.run(
        boot_command(),
        input=language + "\n" + plan_to_json(plan),
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    return child.returncode, child.stdout


@pytest.mark.parametrize("length", [40, CHUNK_CHARS * 3 + 7], ids=["short", "chunked"])
def test_the_helper_reads_what_the_store_saved(
    store: CredentialStore, profile: str, length: int
) -> None:
    secret = ("s3cr3t-" * (length // 7 + 1))[:length]
    assert store.save(profile, secret).persisted
    plan = StartPlan(profile, credential=True, proxy_entry=None)
    status, answer = ask_helper(plan)
    assert status == 0
    read = read_from_json(plan, answer)
    assert read.credential is not None and read.credential.secret == secret
    here = plan.read(store)
    assert read.status == here.status and read.credential == here.credential
    assert read.status.usable and read.status.backend_name == "Secret Service"


def test_nothing_saved_is_no_credential_and_a_usable_keychain(
    store: CredentialStore, profile: str
) -> None:
    plan = StartPlan(profile, credential=True, proxy_entry=None)
    status, answer = ask_helper(plan)
    assert status == 0
    read = read_from_json(plan, answer)
    assert read.credential is not None and read.credential.secret is None
    assert read.status.usable


def test_the_helper_answers_in_the_windows_language(store: CredentialStore, profile: str) -> None:
    plan = StartPlan(profile, credential=True, proxy_entry=None)
    # A manifest whose chunks are missing: the read says so, in the language asked for.
    import keyring

    keyring.set_password(store.service, profile, "b24-inspector-chunked:v2:a:2:" + "0" * 64)
    answers = {}
    for language in ("en", "ru"):
        status, answer = ask_helper(plan, language)
        assert status == 0
        credential = read_from_json(plan, answer).credential
        assert credential is not None and credential.secret is None
        answers[language] = credential.message or ""
    assert "incomplete" in answers["en"]
    assert answers["ru"] and answers["ru"] != answers["en"]


def test_a_plan_it_cannot_read_is_exit_1_and_nothing_said() -> None:
    child = subprocess.run(
        boot_command(), input="en\nnot json", capture_output=True, text=True, timeout=60
    )
    assert child.returncode == 1 and child.stdout == ""


def test_an_answer_that_is_not_one_is_refused_without_quoting_it() -> None:
    plan = StartPlan("work", credential=True, proxy_entry=None)
    for text in (
        "",
        "{}",
        '{"status": [1, true, null], "credential": null, "proxy_url": null}',
        '{"status": ["x", true, null], "credential": ["tok-SECRET", 5, null], "proxy_url": null}',
    ):
        with pytest.raises(ValueError) as raised:
            read_from_json(plan, text)
        assert "SECRET" not in str(raised.value)


def test_the_round_trip_keeps_every_field() -> None:
    from inspector.core.keychain_status import KeychainStatus, LoadOutcome

    plan = StartPlan("work", credential=True, proxy_entry="work#proxy")
    read = StartRead(
        plan,
        KeychainStatus("Secret Service", False, "locked"),
        LoadOutcome("tok", True, "kept"),
        "http://user:pw@proxy:3128",
    )
    assert read_from_json(plan, read_to_json(read)) == read
    shown = repr(read_from_json(plan, read_to_json(read))) + str(read) + f"{read.credential}"
    assert "tok" not in shown and "pw@" not in shown  # the secrets, whatever shows them


def test_no_helper_where_keyring_is_loaded_or_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "keyring" in sys.modules  # this process: its backend may not be the helper's
    assert child_command() is None
    monkeypatch.delitem(sys.modules, "keyring")
    assert child_command() is not None
    monkeypatch.setenv("B24_INSPECTOR_KEYCHAIN_IN_PROCESS", "1")
    assert child_command() is None
    monkeypatch.delenv("B24_INSPECTOR_KEYCHAIN_IN_PROCESS")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert child_command() is None


def test_spawn_starts_a_helper_that_waits_for_its_plan() -> None:
    child = spawn(boot_command())
    try:
        assert child.poll() is None  # loading keyring, then waiting on standard input
        answer, _unused = child.communicate("en\n" + json.dumps({"x": 1}))
    finally:
        child.kill()
    assert child.returncode == 1 and answer == ""


def helper(code: str) -> Any:
    return spawn([sys.executable, "-c", code])


@pytest.mark.skipif(not hasattr(os, "posix_spawn"), reason="posix_spawn: not on Windows")
def test_the_helper_is_started_without_subprocess() -> None:
    # subprocess, with locale, signal and selectors, cost the window ~7 ms before its
    # first paint.
    code = (
        "import sys; from inspector.core.start_read_child import prestart, take_prestarted; "
        "prestart(); child = take_prestarted(); child.kill(); child.wait(); "
        "print(child is not None, 'subprocess' in sys.modules)"
    )
    done = helper(code)
    answer, _unused = done.communicate("")
    assert done.returncode == 0
    assert answer.split() == ["True", "False"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="lists /proc/self/fd")
def test_the_helper_gets_its_two_pipes_and_nothing_else() -> None:
    child = helper(
        "import os, sys; data = sys.stdin.read(); "
        "print(sorted(int(fd) for fd in os.listdir('/proc/self/fd')), repr(data))"
    )
    answer, _unused = child.communicate("plan ✓")
    assert child.returncode == 0
    # 0, 1 and 2, and the descriptor listdir itself opened: none of the window's files.
    fds, data = answer.split("] ", 1)
    assert fds == "[0, 1, 2, 3"
    assert data.strip() == repr("plan ✓")


def test_a_helper_that_waits_is_killed_and_reaped_once() -> None:
    child = helper("import sys; sys.stdin.read()")
    assert child.poll() is None
    child.kill()
    assert child.wait() != 0
    child.kill()  # ended: nothing to signal
    assert child.poll() == child.returncode


def test_a_helper_that_ends_at_once_still_answers_through_communicate() -> None:
    child = helper("import sys; sys.stdout.write('early'); sys.exit(3)")
    answer, _unused = child.communicate("x" * 200_000)  # more than a pipe holds
    assert (answer, child.returncode) == ("early", 3)


@pytest.mark.skipif(not hasattr(os, "posix_spawn"), reason="posix_spawn: not on Windows")
def test_a_window_started_without_standard_input_still_reaches_its_helper(
    tmp_path: Any,
) -> None:
    # With descriptor 0 closed, a new pipe takes that number: spawn leaves that case to
    # Popen, and the helper still gets its plan.
    result = tmp_path / "result"
    code = (
        "import os, sys; os.close(0); "
        "from inspector.core.child_process import spawn; "
        "child = spawn([sys.executable, '-c', 'import sys; print(sys.stdin.read()[::-1])']); "
        "answer, _ = child.communicate('plan'); "
        f"open({str(result)!r}, 'w').write(type(child).__name__ + ' ' + answer)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert result.read_text().split() == ["Popen", "nalp"]
