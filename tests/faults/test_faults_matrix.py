"""The fault matrix: every case of ``fault_kit.FAULTS``, through the CLI and the window.

Each case runs against real servers on 127.0.0.1 and must end with a clear message naming
the problem (and, in the window, the error class behind it; in the CLI, its exit code),
within its time bound, with the window usable afterwards (a good portal's source is then
fetched and shown), and with no secret (webhook code, access token, setting values) in
any text shown, in DEBUG logs, in files under HOME, on the clipboard, or in CLI output.

The CLI runs are real ``python -m inspector --debug get 6`` subprocesses, four at a time
(they spend most of their time starting up), each with its own HOME. Credential kinds
alternate between the two surfaces, so every case meets a webhook on one and an OAuth
token on the other.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from servers import ScriptedServer

from faults.fault_kit import (
    CODE,
    FAULTS,
    MASK,
    REPO,
    SETTING_COUNT,
    TOKEN,
    Fault,
    Scan,
    cli_command,
    cli_environment,
    home_files,
    json_reply,
    ok_payload,
    route,
    source_gets,
)
from faults.fault_window import (
    assert_usable,
    enter_credential,
    everything,
    fetch_and_wait,
    options_for,
    recover,
    wait_connector,
    watch_failures,
)

CLI_START_UP = 8.0  # seconds a CLI subprocess may take beyond the fault (four start at once)
WINDOW_KIND = {f.name: ("webhook", "oauth")[i % 2] for i, f in enumerate(FAULTS)}
CLI_KIND = {name: "oauth" if kind == "webhook" else "webhook" for name, kind in WINDOW_KIND.items()}


@pytest.fixture(scope="module")
def good_portal() -> Iterator[ScriptedServer]:
    with ScriptedServer(route(json_reply(ok_payload()))) as server:
        yield server


# --- the CLI -------------------------------------------------------------------------------


@dataclass
class CliRun:
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""
    utf8: bool = True
    elapsed: float = 0.0
    files: list[tuple[str, str]] = field(default_factory=list)
    source_gets: int = 0
    target_touched: int = 0
    skipped: str = ""


def run_cli(fault: Fault, kind: str, root: Path) -> CliRun:
    work = root / fault.name
    home = work / "home"
    home.mkdir(parents=True)
    with contextlib.ExitStack() as stack:
        try:
            setup = fault.serve(stack, work)
        except RuntimeError as exc:  # e.g. no full accept queue on this platform
            return CliRun(skipped=str(exc))
        args = ["get", "6", "--timeout", "0.5"]
        extra = {}
        if kind == "webhook":
            extra["B24_WEBHOOK_URL"] = f"{setup.base}/rest/1/{CODE}/"
        else:
            args += ["--portal", setup.base]
            extra["B24_ACCESS_TOKEN"] = TOKEN
        if setup.ca_file:
            args += ["--ca-file", setup.ca_file]
        started = time.monotonic()
        done = subprocess.run(
            cli_command(*args),
            env=cli_environment(home, **extra),
            cwd=REPO,
            capture_output=True,
            timeout=90,
            check=False,
        )
        elapsed = time.monotonic() - started
        try:
            stdout, stderr, utf8 = done.stdout.decode("utf-8"), done.stderr.decode("utf-8"), True
        except UnicodeDecodeError:
            stdout = done.stdout.decode("utf-8", "replace")
            stderr, utf8 = done.stderr.decode("utf-8", "replace"), False
        return CliRun(
            returncode=done.returncode,
            stdout=stdout,
            stderr=stderr,
            utf8=utf8,
            elapsed=elapsed,
            files=list(home_files(home)),
            source_gets=source_gets(setup.portal),
            target_touched=(setup.target.connections + len(setup.target.requests))
            if setup.target
            else 0,
        )


@pytest.fixture(scope="session")
def cli_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CliRun]:
    """Every case through the CLI, four at a time; computed once, checked per case."""
    root = tmp_path_factory.mktemp("cli-faults")
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {f.name: pool.submit(run_cli, f, CLI_KIND[f.name], root) for f in FAULTS}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("fault", FAULTS, ids=str)
def test_cli(fault: Fault, cli_runs: dict[str, CliRun], ledger: Any) -> None:
    run = cli_runs[fault.name]
    if run.skipped:
        pytest.skip(run.skipped)
    with ledger.case(f"cli/{fault.name}") as record:
        scan = Scan()
        scan.add("stdout", run.stdout)
        scan.add("stderr (with --debug)", run.stderr)
        for where, text in run.files:
            scan.add(where, text)
        record.no_leaks(scan)

        assert run.utf8, "the output is not valid UTF-8"
        assert "Traceback" not in run.stderr, run.stderr
        assert run.returncode == fault.exit_code, run.stderr
        assert run.elapsed < fault.seconds + fault.cli_seconds + CLI_START_UP, run.elapsed
        if fault.error is None:
            assert run.stdout.startswith("Source 6: ")
            assert run.stdout.count(MASK) >= SETTING_COUNT
        else:
            errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
            assert len(errors) == 1, run.stderr
            for word in fault.words:
                assert word in run.stderr, (word, run.stderr)
            for word in fault.absent:
                assert word not in run.stderr, (word, run.stderr)
        for word in fault.cli_words:
            assert word in run.stdout + run.stderr, (word, run.stdout, run.stderr)
        if fault.source_gets is not None:
            assert run.source_gets == fault.source_gets
        assert run.target_touched == 0, "the redirect target was contacted"


# --- the window ----------------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS, ids=str)
def test_window(
    fault: Fault,
    make_window: Any,
    qtbot: Any,
    app_logs: list[str],
    ledger: Any,
    good_portal: ScriptedServer,
    home: Path,
    tmp_path: Path,
) -> None:
    kind = WINDOW_KIND[fault.name]
    with ledger.case(f"window/{fault.name}") as record, contextlib.ExitStack() as stack:
        try:
            setup = fault.serve(stack, tmp_path)
        except RuntimeError as exc:
            pytest.skip(str(exc))
        window = make_window()
        window.request_options = options_for(setup)
        enter_credential(window, kind, setup.base)
        failures = watch_failures(window)

        elapsed = fetch_and_wait(qtbot, window, 6, fault.seconds + 10)
        status = window.status_line.text()
        if fault.error is None:
            wait_connector(qtbot, window)
            assert failures == []
        else:
            assert [type(error) for error in failures] == [fault.error], status
        for word in fault.words:
            assert word in status, (word, status)
        for word in fault.absent:
            assert word not in status, (word, status)
        assert "unexpectedly" not in status and "Traceback" not in status
        assert elapsed < fault.seconds, f"took {elapsed:.2f} s"
        if fault.source_gets is not None:
            assert source_gets(setup.portal) == fault.source_gets
        if setup.target is not None:
            assert setup.target.connections == 0, "the redirect target was contacted"
        assert_usable(window)
        # Nothing is shown in the tree yet: the copy actions are exercised after recovery.
        record.no_leaks(everything(window, app_logs, home, clipboard=False))

        recover(qtbot, window, good_portal.url, kind)
        record.no_leaks(everything(window, app_logs, home))
