"""The CLI end to end: a real process, a real demo portal on 127.0.0.1, real exit codes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from inspector.demo.portal import DEMO_SOURCES, DemoPortal

# Substring scans need distinctive strings: a port "5432" also occurs in timings. Short
# values are covered by the structural checks (every JSON value is the mask).
ALL_VALUES = [
    str(s["value"])
    for src in DEMO_SOURCES.values()
    for s in src["settings"]
    if s["value"] is not None and len(str(s["value"])) >= 6
]


@pytest.fixture(scope="module")
def portal() -> Iterator[DemoPortal]:
    with DemoPortal() as p:
        yield p


def webhook_code(portal: DemoPortal) -> str:
    return urlsplit(portal.webhook_url).path.split("/")[3]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("B24_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "inspector", "get", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=full_env,
        check=False,
    )


def assert_no_secret(proc: subprocess.CompletedProcess[str], *secrets: str) -> None:
    for secret in (*secrets, *ALL_VALUES):
        assert str(secret) not in proc.stdout
        assert str(secret) not in proc.stderr


def test_get_prints_masked_tree(portal: DemoPortal) -> None:
    proc = run_cli("6", env={"B24_WEBHOOK_URL": portal.webhook_url})
    assert proc.returncode == 0, proc.stderr
    assert "Rest source SQL" in proc.stdout
    assert "Token (token) [STRING]: ••••••••" in proc.stdout
    assert "Active: yes" in proc.stdout
    assert_no_secret(proc, webhook_code(portal))


def test_get_json_is_masked_and_complete(portal: DemoPortal) -> None:
    proc = run_cli("7", "--json", "--webhook-url", portal.webhook_url)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["connection"]["title"] == DEMO_SOURCES[7]["connection"]["title"]
    assert [s["code"] for s in data["settings"]] == [s["code"] for s in DEMO_SOURCES[7]["settings"]]
    assert {s["value"] for s in data["settings"]} == {"••••••••"}
    assert "time" in data
    assert_no_secret(proc, webhook_code(portal))


def test_reveal_prints_values_and_warns(portal: DemoPortal) -> None:
    proc = run_cli("7", "--reveal", env={"B24_WEBHOOK_URL": portal.webhook_url})
    assert proc.returncode == 0
    for setting in DEMO_SOURCES[7]["settings"]:
        assert str(setting["value"]) in proc.stdout
    assert "warning" in proc.stderr and "clear" in proc.stderr
    assert webhook_code(portal) not in proc.stdout + proc.stderr


def test_oauth_portal_with_token_from_environment(portal: DemoPortal) -> None:
    proc = run_cli("6", "--portal", portal.base_url, env={"B24_ACCESS_TOKEN": portal.access_token})
    assert proc.returncode == 0, proc.stderr
    assert "Rest source SQL" in proc.stdout
    assert_no_secret(proc, portal.access_token)
    # the token travelled in the body, never in the URL
    last = portal.requests[-1]
    assert portal.access_token not in str(last)


def test_demo_flag_needs_no_account() -> None:
    proc = run_cli("6", "--demo")
    assert proc.returncode == 0, proc.stderr
    assert "Rest source SQL" in proc.stdout
    assert_no_secret(proc)


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["abc", "--demo"], {}, "positive whole number"),
        (["0", "--demo"], {}, "positive whole number"),
        (["-5", "--demo"], {}, "positive whole number"),
        (["6"], {"B24_WEBHOOK_URL": "ftp://portal/rest/1/x/"}, "https://"),
        (["6", "--webhook-url", "https://portal.example.com/rest/x/"], {}, "user id"),
        (["6", "--portal", "portal.example.com"], {}, "B24_ACCESS_TOKEN"),
        (["6", "--timeout", "0", "--demo"], {}, "--timeout"),
    ],
)
def test_bad_input_exits_2(args: list[str], env: dict[str, str], expected: str) -> None:
    proc = run_cli(*args, env=env)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert expected in proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr


def test_missing_credential_exits_2_and_says_how() -> None:
    # No keychain in this environment's fresh HOME/D-Bus, or an empty one: either way
    # nothing is saved, so the CLI has no credential to use.
    proc = run_cli("6", env={"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"})
    assert proc.returncode == 2, proc.stderr
    assert "No credential" in proc.stderr
    assert "--demo" in proc.stderr


def test_portal_error_exits_3_with_code(portal: DemoPortal) -> None:
    proc = run_cli("424242", env={"B24_WEBHOOK_URL": portal.webhook_url})
    assert proc.returncode == 3
    assert "code: SOURCE_NOT_FOUND" in proc.stderr
    assert "another application" in proc.stderr
    assert_no_secret(proc, webhook_code(portal))


def test_wrong_webhook_code_exits_3(portal: DemoPortal) -> None:
    wrong = portal.webhook_url.replace(webhook_code(portal), "wrongcode123")
    proc = run_cli("6", env={"B24_WEBHOOK_URL": wrong})
    assert proc.returncode == 3
    assert "INVALID_CREDENTIALS" in proc.stderr
    assert "wrongcode123" not in proc.stderr + proc.stdout


def test_no_usable_answer_exits_4() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # The port is closed now: connection refused.
    proc = run_cli("6", env={"B24_WEBHOOK_URL": f"http://127.0.0.1:{port}/rest/1/sekr3tcode/"})
    assert proc.returncode == 4
    assert "refused" in proc.stderr
    assert "sekr3tcode" not in proc.stderr + proc.stdout


# --- list, connector labels and network options (appended with the source picker) -----------


def run_command(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Like run_cli, for any subcommand, and without proxies from the environment."""
    proxies = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"}
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith("B24_") and k.upper() not in proxies
    }
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "inspector", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=full_env,
        check=False,
    )


def test_list_prints_a_table(portal: DemoPortal) -> None:
    proc = run_command("list", env={"B24_WEBHOOK_URL": portal.webhook_url})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["ID", "Active", "Type", "Connector", "Title"]
    assert lines[1].split()[:4] == ["6", "yes", "rest", "1"]
    assert "Legacy CRM export" in proc.stdout
    assert "8   no" in proc.stdout
    assert lines[-1] == f"{len(DEMO_SOURCES)} sources"
    assert_no_secret(proc, webhook_code(portal))


def test_list_json_has_no_settings(portal: DemoPortal) -> None:
    proc = run_command(
        "list", "--json", "--portal", portal.base_url, env={"B24_ACCESS_TOKEN": portal.access_token}
    )
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [row["id"] for row in rows] == sorted(DEMO_SOURCES)
    assert all("settings" not in row for row in rows)
    assert rows[3]["syncMode"] == "incremental"
    assert_no_secret(proc, portal.access_token)


@pytest.mark.parametrize(
    ("args", "expected_code", "expected_text"),
    [
        (["--webhook-url", "WRONG"], 3, "INVALID_CREDENTIALS"),
        (["--webhook-url", "CLOSED"], 4, "refused"),
        (["--demo", "--proxy", "ftp://proxy:21"], 2, "proxy"),
        (["--demo", "--ca-file", "no-such-ca.pem"], 2, "no-such-ca.pem"),
        (["--demo", "--timeout", "0"], 2, "--timeout"),
    ],
)
def test_list_exit_codes(
    portal: DemoPortal, args: list[str], expected_code: int, expected_text: str
) -> None:
    if "WRONG" in args:
        args[args.index("WRONG")] = portal.webhook_url.replace(webhook_code(portal), "wr0ngcode")
    if "CLOSED" in args:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        args[args.index("CLOSED")] = f"http://127.0.0.1:{port}/rest/1/sekr3tcode/"
    proc = run_command("list", *args)
    assert proc.returncode == expected_code, proc.stderr
    assert expected_text in proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert "wr0ngcode" not in proc.stderr and "sekr3tcode" not in proc.stderr


def test_get_labels_settings_with_the_connector(portal: DemoPortal) -> None:
    proc = run_command("get", "7", env={"B24_WEBHOOK_URL": portal.webhook_url})
    assert proc.returncode == 0, proc.stderr
    assert "Connector: PostgreSQL warehouse" in proc.stdout
    assert "Server host name (host) [STRING]: ••••••••" in proc.stdout
    assert "SSL mode (sslmode)" in proc.stdout
    assert "declares settings the source lacks: SSL mode" in proc.stderr
    assert_no_secret(proc, webhook_code(portal))


def test_get_warns_about_a_plain_http_connector(portal: DemoPortal) -> None:
    proc = run_command("get", "8", "--json", env={"B24_WEBHOOK_URL": portal.webhook_url})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["connector"]["title"] == "CSV bridge (legacy)"
    assert set(data["connector"]["plainHttpEndpoints"]) == {
        "urlCheck",
        "urlTableList",
        "urlTableDescription",
        "urlData",
    }
    assert "plain http://" in proc.stderr and "unencrypted" in proc.stderr
    assert {s["value"] for s in data["settings"]} == {"••••••••"}
    assert_no_secret(proc, webhook_code(portal))


def test_get_no_connector_skips_the_lookup(portal: DemoPortal) -> None:
    portal.clear_requests()
    proc = run_command("get", "7", "--no-connector", env={"B24_WEBHOOK_URL": portal.webhook_url})
    assert proc.returncode == 0, proc.stderr
    assert "Connector: ID 2 (not looked up)\n" in proc.stdout
    assert "PostgreSQL warehouse" not in proc.stdout
    assert "Host (host) [STRING]: ••••••••" in proc.stdout
    assert [r.api_method for r in portal.requests] == ["biconnector.source.get"]


def test_a_failed_connector_lookup_only_warns() -> None:
    with DemoPortal(connectors={}) as bare:
        proc = run_command("get", "6", env={"B24_WEBHOOK_URL": bare.webhook_url})
        code = webhook_code(bare)
    assert proc.returncode == 0, proc.stderr
    assert "Rest source SQL" in proc.stdout
    assert "warning: the source's connector could not be read" in proc.stderr
    assert "CONNECTOR_NOT_FOUND" in proc.stderr
    assert_no_secret(proc, code)


# What --version and --help may not import: the window, the HTTP stack, the keychain, TLS,
# and the commands' own modules (the core's records, the sign-in listener).
_HEAVY_FOR_HELP = (
    "PySide6",
    "httpx",
    "keyring",
    "ssl",
    "inspector.cli",
    "inspector.cli_login",
    "inspector.core.model",
    "logging",
)


def _run_probe(probe: str) -> subprocess.CompletedProcess[str]:
    """Run *probe* in a fresh interpreter, so that what it imports is its own."""
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_import_nothing_heavy(flag: str) -> None:
    probe = (
        "import sys\n"
        "from inspector.__main__ import main\n"
        "try:\n"
        f"    main([{flag!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"heavy = {_HEAVY_FOR_HELP!r}\n"
        "found = [m for m in sys.modules if m in heavy or m.split('.')[0] in heavy]\n"
        "print('LOADED', sorted(found))\n"
    )
    out = _run_probe(probe).stdout
    assert "LOADED []" in out, out[-500:]


def test_the_commands_parser_imports_no_sign_in_listener() -> None:
    # Every command's options are defined for any command line: ``get`` must not pay for
    # the sign-in's HTTP listener and browser (``login`` imports them when it runs).
    probe = (
        "import sys\n"
        "from inspector.__main__ import build_parser\n"
        "build_parser().parse_args(['get', '6', '--json'])\n"
        "listener = ('inspector.core.signin', 'inspector.core.loopback', 'http.server',"
        " 'webbrowser', 'inspector.core.token_import')\n"
        "print('LOADED', sorted(m for m in listener if m in sys.modules))\n"
    )
    out = _run_probe(probe).stdout
    assert "LOADED []" in out, out[-500:]


def test_a_command_loads_no_other_command() -> None:
    # A command line builds the options of the commands it names only: ``get`` does not
    # load the modules of ``login`` and ``check``, nor what they import.
    probe = (
        "import os, sys\n"
        "for name in [n for n in os.environ if n.lower().endswith('_proxy')]:\n"
        "    del os.environ[name]  # straight to 127.0.0.1, whatever the caller's proxy\n"
        "os.environ['B24_WEBHOOK_URL'] = 'http://127.0.0.1:9/rest/1/probecode0123/'\n"
        "from inspector.__main__ import main\n"
        "status = main(['get', '6', '--json', '--no-connector'])\n"
        "others = ('inspector.cli_login', 'inspector.cli_check', 'inspector.core.endpoint_check')\n"
        "print('STATUS', status, 'LOADED', sorted(m for m in others if m in sys.modules))\n"
    )
    out = _run_probe(probe).stdout
    assert "STATUS 4 LOADED []" in out, out[-500:]  # 4: nothing listens on port 9


def test_version_prints_name_and_version() -> None:
    from inspector import __version__

    done = run_main("--version")
    assert done.stdout == f"b24-inspector {__version__}\n"


def test_the_quick_help_is_the_full_parsers_help(monkeypatch: pytest.MonkeyPatch) -> None:
    # --help names the commands from cli_commands without importing them: the text must be
    # what the parser with every command defined prints, so a new command cannot be missed.
    from inspector.__main__ import build_parser

    monkeypatch.setenv("COLUMNS", "100")
    quick = build_parser(with_commands=False).format_help()
    assert quick == build_parser().format_help()
    assert "login" in quick
    assert "COMMAND" in run_main("--help").stdout


@pytest.mark.parametrize("language", ["en", "ru", "x-pseudo"])
@pytest.mark.parametrize("columns", [20, 30, 40, 57, 60, 80, 100, 133, 200])
def test_help_without_argparse_is_argparses_text(
    monkeypatch: pytest.MonkeyPatch, language: str, columns: int
) -> None:
    # cli_help lays the page out itself (argparse costs --help half again the interpreter's
    # start): at every width where it answers, the text must be argparse's to the character.
    from inspector import i18n
    from inspector.__main__ import build_parser
    from inspector.cli_help import quick_help

    monkeypatch.setenv("COLUMNS", str(columns))
    previous = i18n.current_language()
    i18n.install(language)
    try:
        quick = quick_help(columns)
        expected = build_parser(with_commands=False).format_help()
    finally:
        i18n.install(previous)
    if columns >= 40:  # narrower: the layout may defer to argparse, which is then used
        assert quick is not None
    if quick is not None:
        assert quick == expected


@pytest.mark.parametrize(
    "argv", [["--help"], ["-h"], ["--lang", "ru", "--help"], ["--help", "--lang=ru"]]
)
def test_help_is_printed_whole(argv: list[str]) -> None:
    done = run_main(*argv)
    assert done.stdout.startswith(("usage: b24-inspector", "использование: b24-inspector"))
    assert "--self-check" in done.stdout and "check " in done.stdout
    assert done.stdout.endswith("\n") and not done.stdout.endswith("\n\n")


def test_narrow_help_falls_back_to_argparse() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "inspector", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "COLUMNS": "20"},
    )
    assert "--theme" in done.stdout and "login" in done.stdout


def run_main(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inspector", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_a_reader_that_goes_away_gets_no_traceback() -> None:
    # `b24-inspector get 6 --demo | head -1`: the pipe is closed before the output is
    # written, so the first write fails with EPIPE.
    env = {k: v for k, v in os.environ.items() if not k.startswith("B24_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "inspector", "get", "6", "--demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    with proc.stderr:
        stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr


def test_window_options_do_not_load_the_commands_modules() -> None:
    # `--demo --fetch 6 --screenshot` parses with the commands only named: the CLI, the
    # sign-in listener and the endpoint check cost the snapshot run tens of milliseconds.
    probe = (
        "import sys\n"
        "from inspector.__main__ import main\n"
        "status = main(['--demo', '--fetch', 'x', '--theme', 'dark'])\n"
        "loaded = sorted(m for m in sys.modules if m in "
        "('inspector.cli', 'inspector.cli_login', 'inspector.cli_check'))\n"
        "print('STATUS', status, 'LOADED', loaded)\n"
    )
    done = _run_probe(probe)
    assert "STATUS 2 LOADED []" in done.stdout, done.stdout + done.stderr
    assert "--fetch" in done.stderr  # the bad ID was still reported


@pytest.mark.parametrize(
    ("argv", "language", "others"),
    [
        (["--lang", "ru", "--help"], "ru", ["--help"]),
        (["--help", "--lang=ru"], "ru", ["--help"]),
        (["get", "6"], None, ["get", "6"]),
        (["get", "--", "--lang", "ru"], None, ["get", "--", "--lang", "ru"]),
        (["--lang"], None, ["--lang"]),  # no value: argparse reports it
    ],
)
def test_the_language_is_read_before_argparse(
    argv: list[str], language: str | None, others: list[str]
) -> None:
    from inspector.cli_language import split_language

    assert split_language(argv) == (language, others)
