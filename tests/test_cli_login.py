"""``b24-inspector login`` end to end: real CLI processes, the demo portal, a real keychain.

Each test runs the CLI as a subprocess against a ``DemoPortal`` whose application has the
CLI's handler address registered. The "browser" is a small script given as ``BROWSER``
(Python's ``webbrowser`` runs it with the authorize address): it opens the address with
urllib, which follows the portal's redirect to the CLI's loopback listener as a browser
would. ``--no-browser`` runs are fed the address the browser landed on through standard
input. Tokens are saved in a real Secret Service (gnome-keyring on a private D-Bus bus,
``keyring_session``), so a second process (``get --profile``) reads them back.

Every run's stdout and stderr are checked for the client secret, the tokens and the code.
"""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import keyring_session
import pytest
from servers import ScriptedServer, free_port, json_reply

from inspector.core.explanations import EMPTY_SOURCE_LIST
from inspector.core.signin import PAGE_DENIED, PAGE_RECEIVED, PAGE_WRONG_STATE
from inspector.core.signin_address import handler_url
from inspector.demo.portal import DEMO_SOURCES, DemoPortal

pytestmark = pytest.mark.keychain

REPO = Path(__file__).resolve().parent.parent
BROWSER_SCRIPT = """\
#!{python}
import os, sys, urllib.error, urllib.parse, urllib.request
url = sys.argv[1]
forged = os.environ.get("SCRIPTED_BROWSER_STATE")
if forged:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query["state"] = forged
    url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
try:
    with urllib.request.urlopen(url, timeout=10) as answer:
        page = answer.read().decode()
except urllib.error.HTTPError as exc:
    page = exc.read().decode()
with open(os.environ["SCRIPTED_BROWSER_PAGE"], "a", encoding="utf-8") as seen:
    seen.write(page)
"""


@pytest.fixture(scope="module")
def bus() -> Iterator[str]:
    """A private, unlocked Secret Service: the developer's own keychain is never touched."""
    with keyring_session.private_secret_service(unlocked=True) as address:
        yield address


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def demo(port: int) -> Iterator[DemoPortal]:
    with DemoPortal(redirect_uri=handler_url(port)) as running:
        yield running


@pytest.fixture
def profile() -> str:
    return f"login-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def browser(tmp_path: Path) -> Path:
    script = tmp_path / "scripted-browser"
    script.write_text(BROWSER_SCRIPT.format(python=sys.executable), encoding="utf-8")
    script.chmod(0o700)
    return script


class Cli:
    """Runs the CLI with the test's keychain, browser and environment."""

    def __init__(self, bus: str, browser: Path, tmp_path: Path) -> None:
        self.page = tmp_path / "browser-page.txt"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("B24_") and key not in ("DISPLAY", "WAYLAND_DISPLAY")
        }
        self.env.update(
            PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring",
            DBUS_SESSION_BUS_ADDRESS=bus,
            BROWSER=str(browser),
            SCRIPTED_BROWSER_PAGE=str(self.page),
            PYTHONIOENCODING="utf-8",
        )
        self.runs: list[tuple[str, str]] = []

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "inspector", *args]

    def environment(self, **extra: str) -> dict[str, str]:
        return {**self.env, **extra}

    def run(
        self, *args: str, stdin: str | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            self.command(*args),
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=90,
            env=self.environment(**env),
            cwd=REPO,
            check=False,
        )
        self.runs.append((done.stdout, done.stderr))
        return done

    @property
    def browser_page(self) -> str:
        return self.page.read_text(encoding="utf-8") if self.page.exists() else ""

    def assert_no_secret(self, *secrets: str) -> None:
        for stdout, stderr in self.runs:
            for secret in secrets:
                assert secret not in stdout
                assert secret not in stderr


@pytest.fixture
def cli(bus: str, browser: Path, tmp_path: Path) -> Cli:
    return Cli(bus, browser, tmp_path)


def login_args(demo: DemoPortal, port: int, profile: str, *extra: str) -> tuple[str, ...]:
    return (
        "login",
        "--portal",
        demo.base_url,
        "--client-id",
        demo.client_id,
        "--profile",
        profile,
        "--port",
        str(port),
        "--oauth-server",
        demo.oauth_server_url,
        "--wait",
        "30",
        *extra,
    )


def secrets_of(demo: DemoPortal) -> tuple[str, ...]:
    return (demo.client_secret, demo.access_token, demo.refresh_token)


def titles() -> list[str]:
    return [str(source["connection"]["title"]) for source in DEMO_SOURCES.values()]


def assert_nothing_saved(cli: Cli, profile: str) -> None:
    done = cli.run("get", "6", "--profile", profile)
    assert done.returncode == 2, done.stderr
    assert f"No credential is saved as “{profile}”" in done.stderr


# --- the browser sign-in -------------------------------------------------------------------------


def test_sign_in_saves_the_tokens_and_lists_the_sources(
    cli: Cli, demo: DemoPortal, port: int, profile: str
) -> None:
    done = cli.run(*login_args(demo, port, profile), B24_CLIENT_SECRET=demo.client_secret)

    assert done.returncode == 0, done.stderr
    assert cli.browser_page.strip() == PAGE_RECEIVED
    assert demo.code_grants == 1
    # The handler address to register comes before the browser opens.
    handler = done.stderr.index(handler_url(port))
    assert handler < done.stderr.index("Opening the portal's sign-in page")
    assert f"saved as “{profile}” in Secret Service" in done.stderr
    for title in titles():
        assert title in done.stdout
    assert f"{len(DEMO_SOURCES)} sources" in done.stdout
    exchange = [r for r in demo.requests if r.path.startswith("/oauth/token/")]
    assert len(exchange) == 1  # at the profile's OAuth server

    # A second process reads the saved tokens.
    fetched = cli.run("get", "6", "--profile", profile)
    assert fetched.returncode == 0, fetched.stderr
    assert "Rest source SQL" in fetched.stdout
    # They are renewable: the client ID, secret and refresh token were saved with them.
    demo.expire_access_token()
    renewed = cli.run("get", "6", "--profile", profile)
    assert renewed.returncode == 0, renewed.stderr
    assert demo.token_refreshes == 1
    assert "renewed and saved" in renewed.stderr
    cli.assert_no_secret(*secrets_of(demo))


def test_the_port_is_saved_with_the_profile_and_used_next_time(
    cli: Cli, demo: DemoPortal, port: int, profile: str
) -> None:
    first = cli.run(*login_args(demo, port, profile), B24_CLIENT_SECRET=demo.client_secret)
    assert first.returncode == 0, first.stderr
    recorded = json.loads(
        (Path(os.environ["XDG_CONFIG_HOME"]) / "b24-inspector" / "cli-profiles.json").read_text(
            encoding="utf-8"
        )
    )
    assert {
        "name": profile,
        "kind": "oauth",
        "host": f"127.0.0.1:{demo.port}",
        "signin_port": port,
    } in recorded["profiles"]

    args = list(login_args(demo, port, profile))
    del args[args.index("--port") : args.index("--port") + 2]
    again = cli.run(*args, B24_CLIENT_SECRET=demo.client_secret)
    assert again.returncode == 0, again.stderr
    assert f"listening on port {port}, saved with the profile “{profile}”" in again.stderr
    assert handler_url(port) in again.stderr
    assert demo.code_grants == 2
    cli.assert_no_secret(*secrets_of(demo))
    for secret in secrets_of(demo):
        assert secret not in json.dumps(recorded)


def test_a_wrong_state_is_refused_and_nothing_is_saved(
    cli: Cli, demo: DemoPortal, port: int, profile: str
) -> None:
    done = cli.run(
        *login_args(demo, port, profile),
        B24_CLIENT_SECRET=demo.client_secret,
        SCRIPTED_BROWSER_STATE="forged-by-another-page",
    )
    assert done.returncode == 2, done.stderr
    assert "“state” differs" in done.stderr
    assert "Nothing was saved." in done.stderr
    assert cli.browser_page.strip() == PAGE_WRONG_STATE
    assert demo.code_grants == 0
    assert_nothing_saved(cli, profile)
    cli.assert_no_secret(*secrets_of(demo))


def test_access_denied_in_the_browser(cli: Cli, demo: DemoPortal, port: int, profile: str) -> None:
    demo.authorize_outcome = "deny"
    done = cli.run(*login_args(demo, port, profile), B24_CLIENT_SECRET=demo.client_secret)
    assert done.returncode == 3, done.stderr
    assert "not granted" in done.stderr
    assert "hint:" in done.stderr
    assert "code: access_denied" in done.stderr
    assert cli.browser_page.strip() == PAGE_DENIED
    assert_nothing_saved(cli, profile)
    cli.assert_no_secret(*secrets_of(demo))


def test_an_expired_code(cli: Cli, port: int, profile: str) -> None:
    with DemoPortal(redirect_uri=handler_url(port), code_lifetime=0.0) as demo:
        done = cli.run(*login_args(demo, port, profile), B24_CLIENT_SECRET=demo.client_secret)
        assert done.returncode == 3, done.stderr
        assert "30 seconds" in done.stderr
        assert "code: invalid_grant" in done.stderr
        assert "Sign in again" in done.stderr
        assert_nothing_saved(cli, profile)
        cli.assert_no_secret(*secrets_of(demo))


def test_a_wrong_client_secret(cli: Cli, demo: DemoPortal, port: int, profile: str) -> None:
    wrong = "not-the-demo-applications-secret"
    done = cli.run(*login_args(demo, port, profile), B24_CLIENT_SECRET=wrong)
    assert done.returncode == 3, done.stderr
    assert "client ID or client secret is wrong" in done.stderr
    assert "code: invalid_client" in done.stderr
    assert_nothing_saved(cli, profile)
    cli.assert_no_secret(wrong, *secrets_of(demo))


def test_a_busy_port_is_named(cli: Cli, demo: DemoPortal, port: int, profile: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        done = cli.run(*login_args(demo, port, profile), B24_CLIENT_SECRET=demo.client_secret)
    assert done.returncode == 2, done.stderr
    assert str(port) in done.stderr
    assert "another port" in done.stderr
    assert not cli.page.exists()  # the browser never opened
    assert_nothing_saved(cli, profile)


def test_no_redirect_in_time(cli: Cli, demo: DemoPortal, port: int, profile: str) -> None:
    demo.authorize_outcome = "error_page"  # the portal shows its own page and stops there
    args = [*login_args(demo, port, profile)]
    args[args.index("--wait") + 1] = "1"
    done = cli.run(*args, B24_CLIENT_SECRET=demo.client_secret)
    assert done.returncode == 4, done.stderr
    assert "did not come back" in done.stderr
    assert_nothing_saved(cli, profile)


def test_an_unreachable_oauth_server(cli: Cli, demo: DemoPortal, port: int, profile: str) -> None:
    args = [*login_args(demo, port, profile)]
    args[args.index("--oauth-server") + 1] = f"http://127.0.0.1:{free_port()}/oauth/token/"
    done = cli.run(*args, B24_CLIENT_SECRET=demo.client_secret)
    assert done.returncode == 4, done.stderr
    assert "Nothing was saved." in done.stderr
    assert_nothing_saved(cli, profile)
    cli.assert_no_secret(*secrets_of(demo))


def test_the_secret_is_never_an_option_and_never_guessed(
    cli: Cli, demo: DemoPortal, port: int, profile: str
) -> None:
    done = cli.run(*login_args(demo, port, profile))  # no B24_CLIENT_SECRET, no terminal
    assert done.returncode == 2, done.stderr
    assert "B24_CLIENT_SECRET" in done.stderr
    assert not cli.page.exists()
    unknown = cli.run(*login_args(demo, port, profile), "--client-secret", "x")
    assert unknown.returncode == 2
    assert "unrecognized arguments" in unknown.stderr


def test_a_renamed_portal_is_not_followed_without_asking(
    cli: Cli, demo: DemoPortal, port: int, profile: str
) -> None:
    grant = {
        "access_token": demo.access_token,
        "refresh_token": demo.refresh_token,
        "expires_in": 3600,
        "scope": "biconnector",
        "client_endpoint": "https://new-name.bitrix24.com/rest/",
    }
    with ScriptedServer(json_reply(grant)) as server:
        args = [*login_args(demo, port, profile)]
        args[args.index("--oauth-server") + 1] = f"{server.url}/oauth/token/"
        done = cli.run(*args, B24_CLIENT_SECRET=demo.client_secret)
        [sent] = server.requests
    assert sent.query["grant_type"] == "authorization_code"
    assert done.returncode == 0, done.stderr
    assert "renamed" in done.stderr
    # Not a terminal: nothing to ask on, so the profile keeps the address as given.
    assert "keeps 127.0.0.1" in done.stderr
    assert "--portal new-name.bitrix24.com" in done.stderr
    assert "Rest source SQL" in done.stdout
    cli.assert_no_secret(*secrets_of(demo))


def interruptible() -> None:
    """In the child, before exec: Ctrl+C as a terminal delivers it. A shell that started
    the tests in the background left SIGINT ignored, and exec keeps "ignored"."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_while_waiting_saves_nothing(
    cli: Cli, demo: DemoPortal, port: int, profile: str
) -> None:
    demo.authorize_outcome = "error_page"  # the browser never comes back
    process = subprocess.Popen(
        cli.command(*login_args(demo, port, profile)),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=cli.environment(B24_CLIENT_SECRET=demo.client_secret),
        cwd=REPO,
        preexec_fn=interruptible,
    )
    assert process.stderr is not None
    while "Waiting for the browser" not in (line := process.stderr.readline()):
        assert line
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    cli.runs.append((stdout, stderr))
    assert process.returncode == 130, stderr
    assert "cancelled: nothing was saved." in stderr
    assert "Traceback" not in stderr
    assert_nothing_saved(cli, profile)
    cli.assert_no_secret(*secrets_of(demo))


def read_until(fd: int, wanted: bytes, timeout: float = 30) -> bytes:
    """What the terminal showed, up to and including *wanted*."""
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        ready, _, _ = select.select([fd], [], [], max(deadline - time.monotonic(), 0))
        assert ready, f"the terminal showed only {seen!r}"
        seen += os.read(fd, 1024)
    return seen


@pytest.mark.skipif(shutil.which("setsid") is None, reason="needs setsid (util-linux)")
def test_on_a_terminal_the_secret_is_asked_for_without_echo(
    cli: Cli, demo: DemoPortal, port: int, profile: str
) -> None:
    controller, terminal = pty.openpty()
    try:
        # setsid -c: the terminal becomes the CLI's controlling terminal, as in a shell.
        process = subprocess.Popen(
            ["setsid", "-c", *cli.command(*login_args(demo, port, profile))],
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=cli.environment(),
            cwd=REPO,
        )
        shown = read_until(controller, b"Client secret (not shown): ")
        os.write(controller, demo.client_secret.encode() + b"\n")
        stdout, stderr = process.communicate(timeout=60)
        while select.select([controller], [], [], 0.2)[0]:  # the rest the terminal showed
            shown += os.read(controller, 1024)
    finally:
        os.close(terminal)
        os.close(controller)
    cli.runs.append((stdout.decode(), stderr.decode()))
    assert process.returncode == 0, stderr.decode()
    assert demo.client_secret.encode() not in shown
    assert b"Rest source SQL" in stdout
    cli.assert_no_secret(*secrets_of(demo))


# --- the paste fallback (--no-browser) -----------------------------------------------------------


def landed_address(authorize: str) -> str:
    """What a browser shows after allowing access when the handler is another server."""
    with httpx.Client(follow_redirects=False, timeout=10) as client:
        answer = client.get(authorize)
    assert answer.status_code == 302
    return answer.headers["location"]


def test_no_browser_reads_the_landed_address(
    cli: Cli, demo: DemoPortal, port: int, profile: str
) -> None:
    demo.redirect_uri = "https://app.example.com/bitrix/handler.php"  # not the CLI's listener
    process = subprocess.Popen(
        cli.command(*login_args(demo, port, profile, "--no-browser")),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=cli.environment(B24_CLIENT_SECRET=demo.client_secret),
        cwd=REPO,
    )
    assert process.stdin is not None and process.stderr is not None
    before: list[str] = []
    while True:
        line = process.stderr.readline()
        assert line, "".join(before)
        before.append(line)
        if "Open this address in a browser" in line:
            break
    authorize = line.rsplit(": ", 1)[1].strip()
    assert authorize.startswith(f"{demo.base_url}/oauth/authorize/?client_id=")
    address = landed_address(authorize)
    process.stdin.write(address + "\n")
    process.stdin.flush()
    stdout, stderr = process.communicate(timeout=60)
    stderr = "".join(before) + stderr
    cli.runs.append((stdout, stderr))

    assert process.returncode == 0, stderr
    assert not cli.page.exists()  # no browser was started
    assert f"saved as “{profile}”" in stderr
    assert "Rest source SQL" in stdout
    code = dict(parse_qsl(urlsplit(address).query))["code"]
    cli.assert_no_secret(code, address, *secrets_of(demo))
    fetched = cli.run("get", "6", "--profile", profile)
    assert fetched.returncode == 0, fetched.stderr


def test_no_browser_refuses_an_address_of_another_sign_in(
    cli: Cli, demo: DemoPortal, port: int, profile: str
) -> None:
    demo.redirect_uri = "https://app.example.com/bitrix/handler.php"
    address = landed_address(demo.authorize_url("an-older-sign-in"))
    done = cli.run(
        *login_args(demo, port, profile, "--no-browser"),
        stdin=address + "\n",
        B24_CLIENT_SECRET=demo.client_secret,
    )
    assert done.returncode == 2, done.stderr
    assert "“state” differs" in done.stderr
    assert demo.code_grants == 0
    assert_nothing_saved(cli, profile)
    cli.assert_no_secret(dict(parse_qsl(urlsplit(address).query))["code"], *secrets_of(demo))


def test_no_browser_still_hears_a_loopback_redirect(
    cli: Cli, demo: DemoPortal, port: int, profile: str
) -> None:
    """The handler is the CLI's own: the browser's redirect wins over an empty stdin."""
    process = subprocess.Popen(
        cli.command(*login_args(demo, port, profile, "--no-browser")),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=cli.environment(B24_CLIENT_SECRET=demo.client_secret),
        cwd=REPO,
    )
    assert process.stdin is not None and process.stderr is not None
    while "Open this address in a browser" not in (line := process.stderr.readline()):
        assert line
    with httpx.Client(follow_redirects=True, timeout=10) as browser:
        assert browser.get(line.rsplit(": ", 1)[1].strip()).text.strip() == PAGE_RECEIVED
    stdout, stderr = process.communicate(timeout=60)  # closes stdin: nothing pasted
    cli.runs.append((stdout, stderr))
    assert process.returncode == 0, stderr
    assert "Rest source SQL" in stdout
    cli.assert_no_secret(*secrets_of(demo))


# --- import --------------------------------------------------------------------------------------


def oauth_answer(demo: DemoPortal) -> str:
    """The OAuth server's JSON answer, as an admin may have kept it."""
    return json.dumps(
        {
            "access_token": demo.access_token,
            "refresh_token": demo.refresh_token,
            "expires_in": 3600,
            "scope": "biconnector",
            "domain": "oauth.bitrix.info",
            "client_endpoint": demo.oauth_endpoint,
            "member_id": "a1b2c3",
        }
    )


def test_import_from_standard_input(cli: Cli, demo: DemoPortal, profile: str) -> None:
    done = cli.run(
        "login",
        "--import",
        "-",
        "--client-id",
        demo.client_id,
        "--oauth-server",
        demo.oauth_server_url,
        "--profile",
        profile,
        stdin=oauth_answer(demo),
        B24_CLIENT_SECRET=demo.client_secret,
    )
    assert done.returncode == 0, done.stderr
    assert "the OAuth server's answer" in done.stderr
    assert f"saved as “{profile}”" in done.stderr
    assert "Rest source SQL" in done.stdout
    demo.expire_access_token()  # renewable: the secret came from the environment
    fetched = cli.run("get", "6", "--profile", profile)
    assert fetched.returncode == 0, fetched.stderr
    assert demo.token_refreshes == 1
    cli.assert_no_secret(*secrets_of(demo))


def test_import_of_the_installation_callback_form(cli: Cli, demo: DemoPortal, profile: str) -> None:
    body = urlencode(
        {
            "auth[access_token]": demo.access_token,
            "auth[refresh_token]": demo.refresh_token,
            "auth[domain]": f"127.0.0.1:{demo.port}",
            "auth[member_id]": "a1b2c3",
        }
    )
    done = cli.run(
        "login", "--import", "-", "--portal", demo.base_url, "--profile", profile, stdin=body
    )
    assert done.returncode == 0, done.stderr
    assert "not renewable" in done.stderr  # no client ID and secret given
    assert "Rest source SQL" in done.stdout
    cli.assert_no_secret(*secrets_of(demo))


def test_an_empty_list_is_explained(cli: Cli, profile: str) -> None:
    with DemoPortal(sources={}) as demo:
        done = cli.run("login", "--import", "-", "--profile", profile, stdin=oauth_answer(demo))
        assert done.returncode == 0, done.stderr
        assert "0 sources" in done.stdout
        assert EMPTY_SOURCE_LIST.message in done.stdout
        assert EMPTY_SOURCE_LIST.hint in done.stdout
        cli.assert_no_secret(*secrets_of(demo))


def test_import_of_something_else_saves_nothing(cli: Cli, demo: DemoPortal, profile: str) -> None:
    pasted = "this is not a token answer " + demo.access_token
    done = cli.run("login", "--import", "-", "--profile", profile, stdin=pasted)
    assert done.returncode == 2, done.stderr
    assert "No access token was found" in done.stderr
    assert "Nothing was saved." in done.stderr
    assert_nothing_saved(cli, profile)
    cli.assert_no_secret(*secrets_of(demo), pasted)


def test_import_with_a_client_id_needs_the_secret(cli: Cli, demo: DemoPortal, profile: str) -> None:
    done = cli.run(
        "login",
        "--import",
        "-",
        "--client-id",
        demo.client_id,
        "--profile",
        profile,
        stdin=oauth_answer(demo),
    )
    assert done.returncode == 2, done.stderr
    assert "B24_CLIENT_SECRET" in done.stderr
    assert_nothing_saved(cli, profile)
