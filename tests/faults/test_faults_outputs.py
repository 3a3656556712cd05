"""Issue 10, findings 1, 6 and 7: what leaves the program, and what comes into it.

* One masking rule for every output: a portal that repeats the caller's own secret (the
  webhook code or the access token) in a title, a description or the connector's title is
  masked in ``get`` and ``get --json`` and in the window's Copy as JSON; a setting value in
  a plain-http endpoint's URL is masked in the CLI's stderr warning.
* Secrets off the command line: the webhook URL, the token and the proxy come from the
  environment, a private file or standard input; a file other users can read is refused
  (exit 2); the old options still work, with a warning.
* Output and input edges: a terminal that cannot encode the mask gets an ASCII one, never
  a traceback; ``--json`` is strict JSON; a timeout that is not a usable number is refused
  with a sentence and exit 2.

The CLI runs are real ``python -m inspector`` subprocesses against real servers on
127.0.0.1; the window is the real ``MainWindow``.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication

from faults.fault_kit import (
    CODE,
    MASK,
    OK_BYTES,
    PASSWORD,
    REPO,
    TOKEN,
    Reply,
    Scan,
    cli_command,
    cli_environment,
    route,
    serve_echoing_portal,
)
from faults.fault_window import enter_credential, fetch_and_wait, options_for, wait_connector

ASCII_MASK = "********"  # the mask on a terminal that cannot write the bullet

KINDS = ("webhook", "oauth")


def run(home: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[bytes]:
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        cli_command(*args),
        env=cli_environment(home, **env),
        cwd=REPO,
        input=stdin.encode(),
        capture_output=True,
        timeout=90,
        check=False,
    )


def credential_args(kind: str, base: str) -> tuple[list[str], dict[str, str]]:
    if kind == "webhook":
        return [], {"B24_WEBHOOK_URL": f"{base}/rest/1/{CODE}/"}
    return ["--portal", base], {"B24_ACCESS_TOKEN": TOKEN}


def no_leaks(
    record: Any, done: subprocess.CompletedProcess[bytes], encoding: str = "utf-8"
) -> None:
    scan = Scan()
    scan.add("stdout", done.stdout.decode(encoding, "replace"))
    scan.add("stderr", done.stderr.decode(encoding, "replace"))
    record.no_leaks(scan)


def strict_json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


# --- finding 1: one masking rule --------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_cli_json_masks_the_secret_the_portal_repeats(
    kind: str, tmp_path: Path, ledger: Any
) -> None:
    with ledger.case(f"cli/json-echoes-the-credential/{kind}") as record:
        with contextlib.ExitStack() as stack:
            setup = serve_echoing_portal(stack, tmp_path)
            args, env = credential_args(kind, setup.base)
            done = run(tmp_path / "home", "get", "6", "--json", *args, **env)
        no_leaks(record, done)
        assert done.returncode == 0, done.stderr
        data = strict_json(done.stdout.decode())
        assert data["connection"]["title"] == "Replica •••"
        assert data["connection"]["description"] == "uses •••"
        assert data["connector"]["title"] == "Connector of •••"
        assert data["connector"]["plainHttpEndpoints"] == {
            "urlData": "http://connector.example/•••/data"
        }
        assert "http://connector.example/•••/data" in done.stderr.decode()
        assert PASSWORD not in done.stderr.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_window_copy_as_json_masks_the_secret_the_portal_repeats(
    kind: str, make_window: Any, qtbot: Any, tmp_path: Path, ledger: Any
) -> None:
    with ledger.case(f"window/copy-json-echoes-the-credential/{kind}") as record:
        with contextlib.ExitStack() as stack:
            setup = serve_echoing_portal(stack, tmp_path)
            window = make_window()
            window.request_options = options_for(setup)
            enter_credential(window, kind, setup.base)
            fetch_and_wait(qtbot, window, 6, 10)
            wait_connector(qtbot, window)
            clipboard = QGuiApplication.clipboard()
            clipboard.clear()
            window.source_tree.copy_json()
            copied = clipboard.text()
            scan = Scan()
            scan.add_clipboard("clipboard after Copy as JSON")
            record.no_leaks(scan)
        data = strict_json(copied)
        assert data["connection"]["title"] == "Replica •••"
        assert data["connector"]["title"] == "Connector of •••"


# --- finding 7: output encodings, strict JSON, numeric options --------------------------------


@pytest.mark.parametrize("encoding", ["latin-1", "koi8-r", "ascii"])
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_cli_prints_on_a_terminal_that_cannot_encode_the_mask(
    encoding: str, as_json: bool, tmp_path: Path, ledger: Any
) -> None:
    with ledger.case(f"cli/encoding-{encoding}/{'json' if as_json else 'text'}") as record:
        with contextlib.ExitStack() as stack:
            setup = serve_echoing_portal(stack, tmp_path)
            args, env = credential_args("webhook", setup.base)
            extra = ["--json"] if as_json else []
            done = run(
                tmp_path / "home", "get", "6", *extra, *args, **env, PYTHONIOENCODING=encoding
            )
        no_leaks(record, done, encoding)
        stdout, stderr = done.stdout.decode(encoding), done.stderr.decode(encoding)
        assert "Traceback" not in stderr, stderr
        assert done.returncode == 0, stderr
        assert MASK not in stdout
        if as_json:
            data = strict_json(stdout)
            assert data["settings"][0]["value"] == ASCII_MASK
            assert data["connection"]["title"] == "Replica ***"
        else:
            assert f"Password (password) [STRING]: {ASCII_MASK}" in stdout
            assert "Source 6: Replica ***" in stdout


def test_cli_json_is_strict_when_the_portal_sends_nan(tmp_path: Path, ledger: Any) -> None:
    body = OK_BYTES.replace(b'"duration": 0.081', b'"duration": NaN').replace(
        b'"start": 1742929480.368097', b'"start": Infinity'
    )
    from servers import ScriptedServer

    with ledger.case("cli/json-nan") as record:
        with ScriptedServer(route(Reply(body=body))) as server:
            args, env = credential_args("oauth", server.url)
            done = run(tmp_path / "home", "get", "6", "--json", *args, **env)
        no_leaks(record, done)
        assert done.returncode == 0, done.stderr
        data = strict_json(done.stdout.decode())
        assert data["time"]["duration"] == "NaN"
        assert data["time"]["start"] == "Infinity"


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "0", "-1", "soon"])
def test_cli_refuses_an_unusable_timeout(value: str, tmp_path: Path, ledger: Any) -> None:
    with ledger.case(f"cli/timeout-{value}"):
        done = run(tmp_path / "home", "get", "6", "--demo", f"--timeout={value}")
        stderr = done.stderr.decode()
        assert done.returncode == 2, stderr
        assert "Traceback" not in stderr
        assert "--timeout" in stderr
        assert "seconds" in stderr


# --- finding 6: secrets off the command line ----------------------------------------------------


def private_file(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.mark.parametrize("how", ["file", "stdin"])
def test_webhook_url_from_a_private_file_or_standard_input(
    how: str, tmp_path: Path, ledger: Any
) -> None:
    with ledger.case(f"cli/webhook-url-from-{how}") as record:
        with contextlib.ExitStack() as stack:
            setup = serve_echoing_portal(stack, tmp_path)
            url = f"{setup.base}/rest/1/{CODE}/"
            if how == "file":
                path = private_file(tmp_path / "webhook.txt", url)
                done = run(tmp_path / "home", "get", "6", "--webhook-url-file", str(path))
            else:
                done = run(tmp_path / "home", "get", "6", "--webhook-url-file", "-", stdin=url)
        no_leaks(record, done)
        assert done.returncode == 0, done.stderr
        assert done.stdout.decode().startswith("Source 6: Replica •••")
        assert b"warning: --webhook-url" not in done.stderr


def test_access_token_from_a_private_file(tmp_path: Path, ledger: Any) -> None:
    with ledger.case("cli/access-token-from-file") as record:
        with contextlib.ExitStack() as stack:
            setup = serve_echoing_portal(stack, tmp_path)
            path = private_file(tmp_path / "token.txt", TOKEN)
            done = run(
                tmp_path / "home",
                "get",
                "6",
                "--portal",
                setup.base,
                "--access-token-file",
                str(path),
            )
        no_leaks(record, done)
        assert done.returncode == 0, done.stderr
        assert done.stdout.decode().startswith("Source 6: Replica •••")


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o622], ids=oct)
def test_a_secret_file_other_users_can_read_is_refused(
    mode: int, tmp_path: Path, ledger: Any
) -> None:
    with ledger.case(f"cli/secret-file-mode-{mode:o}") as record:
        path = private_file(tmp_path / "webhook.txt", f"http://127.0.0.1:9/rest/1/{CODE}/", mode)
        done = run(tmp_path / "home", "get", "6", "--webhook-url-file", str(path))
        no_leaks(record, done)
        stderr = done.stderr.decode()
        assert done.returncode == 2, stderr
        assert "Traceback" not in stderr
        assert "other users" in stderr
        assert f"chmod 600 {path}" in stderr


def test_old_options_still_work_with_a_warning(tmp_path: Path, ledger: Any) -> None:
    """--webhook-url and a --proxy with a password: used, and a warning says who can see
    them. The proxy password never shows."""
    proxy_password = "prxS3cretPass77"
    with ledger.case("cli/secrets-on-the-command-line") as record:
        with contextlib.ExitStack() as stack:
            setup = serve_echoing_portal(stack, tmp_path)
            done = run(
                tmp_path / "home",
                "get",
                "6",
                "--webhook-url",
                f"{setup.base}/rest/1/{CODE}/",
                "--proxy",
                f"http://user:{proxy_password}@127.0.0.1:9",
                NO_PROXY="127.0.0.1",
            )
        scan = Scan()
        scan.add("stdout", done.stdout.decode())
        scan.add("stderr", done.stderr.decode())
        record.no_leaks(scan)
        record.no_leaks(scan, secrets=[proxy_password])
        stderr = done.stderr.decode()
        assert "warning: --webhook-url puts the webhook's secret code on the command line" in stderr
        assert "warning: --proxy puts the proxy password on the command line" in stderr
        assert "other local users can read it" in stderr
        assert "Traceback" not in stderr


def test_proxy_from_the_environment_and_a_file(tmp_path: Path, ledger: Any) -> None:
    """B24_PROXY and --proxy-file are used (an unsupported scheme proves it was read)."""
    with ledger.case("cli/proxy-from-env-and-file"):
        from_env = run(tmp_path / "home", "get", "6", "--demo", B24_PROXY="ftp://proxy:21")
        path = private_file(tmp_path / "proxy.txt", "ftp://user:pw12345@proxy:21")
        from_file = run(tmp_path / "home", "get", "6", "--demo", "--proxy-file", str(path))
        for done in (from_env, from_file):
            stderr = done.stderr.decode()
            assert done.returncode == 2, stderr
            assert "The proxy address must start with http://, https:// or socks5://." in stderr
            assert "pw12345" not in stderr
            assert "warning: --proxy" not in stderr


def test_only_one_option_reads_standard_input(tmp_path: Path, ledger: Any) -> None:
    with ledger.case("cli/two-options-on-stdin"):
        done = run(
            tmp_path / "home",
            "get",
            "6",
            "--webhook-url-file",
            "-",
            "--proxy-file",
            "-",
            stdin="x",
        )
        stderr = done.stderr.decode()
        assert done.returncode == 2, stderr
        assert "Only one option can read standard input" in stderr
