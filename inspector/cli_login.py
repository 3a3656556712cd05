"""``b24-inspector login``: sign in with the browser, or import tokens, into a keychain profile.

``login --portal HOST --client-id ID`` runs the OAuth authorization-code flow of a
Bitrix24 application (``core.signin``, ``core.client.code_grant``): it shows the handler
address to register, listens on ``127.0.0.1:PORT``, opens the portal's authorize page
with Python's ``webbrowser`` (so ``BROWSER`` is honoured), waits for the redirect and
exchanges its code at once. ``--no-browser`` prints the authorize address instead and
also reads, from standard input, the address the browser landed on: the fallback for an
application whose handler is its own server (whichever comes first wins).
``login --import -`` reads tokens the admin already has from standard input
(``core.token_import``).

On success the access token, refresh token, client ID and secret and the OAuth server are
saved in the profile's keychain entry (``--profile``, else ``default``), and the sources
are listed; an empty list is explained by the ownership rule. Every failure says what
happened and what to do, and saves nothing. Exit status as for ``get``: 0, 2 bad input
(also a busy port, a wrong ``state``, no secret), 3 refused by the portal or the OAuth
server, 4 no usable answer (also no redirect in time); Ctrl+C ends with 130.

The client secret is never an option (other local users can read the command line): it
comes from ``B24_CLIENT_SECRET`` or a prompt without echo. Pasted text (a landed address,
tokens) is read without echo on a terminal and never printed; every output goes through
``cli.Output`` with the secrets known so far.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from .cli import (
    DEFAULT_PROFILE,
    EXIT_OK,
    Output,
    _announce_wait,
    _inputs,
    _options,
    _print_error,
    _saver,
    _warn_about_host,
    render_list,
)
from .cli_secrets import STDIN_NAME, seconds
from .cli_terminal import ask_yes_no, is_terminal, no_echo, read_line
from .core import profile_index
from .core.credentials import DEFAULT_OAUTH_SERVER, OAuthCredential, credential_from_storage
from .core.errors import (
    BadRedirect,
    Cancelled,
    InputError,
    InspectorError,
    MissingCredential,
    NoRedirect,
    PortInUse,
)
from .core.explanations import EMPTY_SOURCE_LIST
from .core.hosts import shown_host
from .core.masking import SecretSet
from .core.options import RequestOptions
from .core.profiles import check_profile_name
from .core.signin_address import DEFAULT_PORT, WAIT_TIMEOUT_S
from .i18n import _, ngettext

if TYPE_CHECKING:
    from .core.client.code_grant import SignInResult
    from .core.signin import BrowserSignIn, Redirect, SignInRequest

SECRET_ENV = "B24_CLIENT_SECRET"  # noqa: S105 (a variable name)
EXIT_INTERRUPTED = 130  # as the entry point reports a Ctrl+C elsewhere
_MAX_LINE = 16 * 1024  # characters of a pasted address


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“{text}” is not a port number.").format(text=text)
        ) from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(_("the port must be a whole number from 1 to 65535."))
    return port


def add_login_command(commands: Any) -> None:
    login = commands.add_parser(
        "login",
        help=_("sign in with the browser (or import tokens) and save them in a profile"),
        description=_(
            "Sign in to a portal as a Bitrix24 application with the browser, save the "
            "access token, refresh token, client ID and secret in the profile's keychain entry, "
            "and list the sources. The client secret is read from ${env} or asked "
            "for without echo, never from the command line. With --import -, read tokens you "
            "already have (the installation callback's body, the OAuth server's answer, the "
            "frame's AUTH_ID/REFRESH_ID fields, or BX24.getAuth()) from standard input instead."
        ).format(env=SECRET_ENV),
    )
    login.add_argument("--portal", metavar="HOST", help=_("the portal, e.g. example.bitrix24.com"))
    login.add_argument("--client-id", metavar="ID", help=_("the application's client ID"))
    login.add_argument(
        "--profile",
        metavar="NAME",
        help=_("the keychain profile to save to ({profile})").format(profile=DEFAULT_PROFILE),
    )
    login.add_argument(
        "--port",
        metavar="N",
        type=_port,
        default=None,
        help=_(
            "the port of the handler address registered in the application; saved with the "
            "profile for the next login (default: the profile's, else {port})"
        ).format(port=DEFAULT_PORT),
    )
    login.add_argument(
        "--oauth-server",
        metavar="URL",
        help=_("the OAuth server's token address (default: the profile's, else Bitrix24's)"),
    )
    login.add_argument(
        "--no-browser",
        action="store_true",
        help=_(
            "print the sign-in address instead of opening a browser, and accept the address "
            "the browser landed on from standard input"
        ),
    )
    login.add_argument(
        "--import",
        dest="import_from",
        metavar="-",
        help=_("import tokens pasted on standard input instead of signing in"),
    )
    login.add_argument(
        "--wait",
        metavar="SECONDS",
        type=seconds,
        default=WAIT_TIMEOUT_S,
        help=_("how long to wait for the browser ({seconds})").format(
            seconds=f"{WAIT_TIMEOUT_S:g}"
        ),
    )
    login.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=seconds,
        default=30.0,
        help=_("read timeout ({seconds})").format(seconds=30),
    )
    login.add_argument(
        "--proxy",
        metavar="URL",
        help=_(
            "proxy for every request (default: from the environment; prefer --proxy-file "
            "for a password)"
        ),
    )
    login.add_argument(
        "--proxy-file", metavar="PATH", help=_("read the proxy URL from this private file")
    )
    login.add_argument("--ca-file", metavar="PEM", help=_("an extra CA certificate (PEM) to trust"))
    # What cli._inputs reads and login does not offer.
    login.set_defaults(webhook_url=None, webhook_url_file=None, access_token_file=None)


@dataclass
class _Login:
    """One run of ``login``: the arguments, the streams and what is known so far."""

    args: argparse.Namespace
    output: Output
    stdin: TextIO
    environ: dict[str, str]
    profile: str = DEFAULT_PROFILE
    saved: OAuthCredential | None = None
    port: int | None = None  # the handler port a browser sign-in listened on
    paste: _PasteReader | None = None  # still reading standard input until ``done``

    def hide(self, *secrets: str | None) -> None:
        self.output.know(self.output.hidden | SecretSet(s for s in secrets if s))


def run_login(
    args: argparse.Namespace,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    run = _Login(args, Output(out, err), stdin or sys.stdin, dict(os.environ))
    try:
        run.profile = _profile_name(args.profile)
        if args.proxy_file == STDIN_NAME:
            raise InputError(
                _("login reads standard input for the sign-in, so --proxy-file cannot be “-”."),
                _("Give --proxy-file a private file, or set B24_PROXY."),
            )
        options = _options(args, _inputs(args, run.output))
        run.saved = _saved_credential(run.profile)
        importing = args.import_from is not None
        credential = _import(run) if importing else _sign_in(run, options)
    except KeyboardInterrupt:
        run.output.note("\n" + _("cancelled: nothing was saved."))
        return EXIT_INTERRUPTED
    except InspectorError as exc:
        return _failed(run, exc)
    try:
        _save(run, credential)
    except InspectorError as exc:
        return _failed(run, exc)
    return _list_sources(run, credential, options)


def _failed(run: _Login, exc: InspectorError) -> int:
    _print_error(exc, run.output)
    run.output.note(_("Nothing was saved."))
    return exc.exit_code


def _profile_name(given: str | None) -> str:
    try:
        return check_profile_name(given or DEFAULT_PROFILE, [])
    except ValueError as exc:
        raise InputError(_("--profile: {problem}").format(problem=exc)) from None


def _saved_credential(profile: str) -> OAuthCredential | None:
    """The profile's saved OAuth credential, for its portal, client ID and OAuth server."""
    from .core.keychain import CredentialStore

    loaded = CredentialStore().load(profile)
    if not loaded.secret:
        return None
    try:
        credential = credential_from_storage(loaded.secret)
    except InspectorError:
        return None
    return credential if isinstance(credential, OAuthCredential) else None


# --- the client secret -----------------------------------------------------------------------


def _client_secret(run: _Login, *, required: bool) -> str | None:
    """From ``B24_CLIENT_SECRET``, else asked for without echo on a terminal."""
    secret = run.environ.get(SECRET_ENV, "").strip()
    if secret:
        return secret
    if is_terminal(run.stdin):
        secret = getpass.getpass(_("Client secret (not shown): ")).strip()
        if secret:
            return secret
    if not required:
        return None
    raise MissingCredential(
        _(
            "The application's client secret is needed, but {env} is not set and "
            "standard input is not a terminal to ask on."
        ).format(env=SECRET_ENV),
        _(
            "Set {env} (from a password manager, for example) or run login in a "
            "terminal. The secret is never an option: other local users can read the "
            "command line."
        ).format(env=SECRET_ENV),
    )


# --- sign in with the browser ----------------------------------------------------------------


def _handler_port(run: _Login) -> int:
    """``--port``, else the port this profile's last login saved, else the default."""
    if run.args.port is not None:
        return int(run.args.port)
    recorded = profile_index.find(run.profile)
    if recorded is not None and recorded.signin_port:
        run.output.note(
            _("note: listening on port {port}, saved with the profile “{profile}”.").format(
                port=recorded.signin_port, profile=run.profile
            )
        )
        return recorded.signin_port
    return DEFAULT_PORT


def _sign_in(run: _Login, options: RequestOptions) -> OAuthCredential:
    from .core.client.code_grant import exchange_code, exchange_pasted_redirect
    from .core.signin import BrowserSignIn, parse_redirect, sign_in_request

    args, saved = run.args, run.saved
    portal = args.portal or (saved.portal.origin if saved else "")
    client_id = args.client_id or (saved.client_id if saved else None) or ""
    if not portal or not client_id:
        raise MissingCredential(
            _("login needs the portal and the application's client ID."),
            _(
                "Give --portal HOST and --client-id ID (the client ID is on the application's "
                "page in Bitrix24: Developer resources ▸ Integrations)."
            ),
        )
    server = args.oauth_server
    if server is None and saved is not None and saved.oauth_server != DEFAULT_OAUTH_SERVER:
        server = saved.oauth_server
    secret = _client_secret(run, required=True) or ""
    run.hide(secret)
    request = sign_in_request(portal, client_id, secret, server)
    run.port = _handler_port(run)
    sign_in = BrowserSignIn(request, port=run.port)
    listening = _listen(run, sign_in)
    try:
        got = _wait(run, sign_in, listening)
    finally:
        sign_in.close()
    if isinstance(got, str):
        with contextlib.suppress(InspectorError):  # exchange_pasted_redirect says what is wrong
            run.hide(*parse_redirect(got).secrets())
        run.output.note(_("Exchanging the code…"))
        result = exchange_pasted_redirect(got, request, state=sign_in.state, options=options)
    else:
        run.hide(*got.secrets())
        run.output.note(_("The browser came back; exchanging the code…"))
        result = exchange_code(request, got, options)
    return _accept(run, request, result)


def _listen(run: _Login, sign_in: BrowserSignIn) -> bool:
    """Bind the handler port; with ``--no-browser`` a busy port only leaves the paste."""
    try:
        sign_in.start()
    except PortInUse as exc:
        if not run.args.no_browser:
            raise
        run.output.note(
            _("note: {problem} The address the browser landed on is read here.").format(
                problem=exc.message
            )
        )
        return False
    run.output.note(
        _("Register this handler address in the application's settings (exactly): {url}").format(
            url=sign_in.handler_url
        )
    )
    return True


def _wait(run: _Login, sign_in: BrowserSignIn, listening: bool) -> Redirect | str:
    """The redirect from the browser, or the landed address pasted (``--no-browser``)."""
    import webbrowser

    url, timeout = sign_in.authorize_url, run.args.wait
    if not run.args.no_browser:
        run.output.note(
            _("Opening the portal's sign-in page in the browser: {url}").format(url=url)
        )
        if not webbrowser.open(url):
            run.output.note(_("warning: no browser could be started; open the address above."))
        run.output.note(
            _("Waiting for the browser ({duration}; Ctrl+C cancels)…").format(
                duration=_duration(timeout)
            )
        )
        return sign_in.wait(timeout)
    run.output.note(_("Open this address in a browser and allow access: {url}").format(url=url))
    if is_terminal(run.stdin):
        prompt = _(
            "Then paste here the address the browser landed on and press Enter "
            "(it is not shown); Ctrl+C cancels."
        )
    else:
        prompt = _(
            "Then paste here the address the browser landed on and press Enter; Ctrl+C cancels."
        )
    run.output.note(prompt)
    paste = run.paste = _PasteReader(run.stdin, sign_in if listening else None)
    with no_echo(run.stdin, run.output.err):
        paste.start()
        return _first_answer(sign_in, paste, listening, timeout)


def _first_answer(
    sign_in: BrowserSignIn, paste: _PasteReader, listening: bool, timeout: float
) -> Redirect | str:
    if not listening:
        if not paste.done.wait(timeout):
            raise NoRedirect(
                _("No address was pasted within {duration}.").format(duration=_duration(timeout)),
                _(
                    "Sign in again and paste the address the browser landed on after "
                    "allowing access."
                ),
            )
        if paste.text:
            return paste.text
        raise BadRedirect(
            _("Standard input ended before an address was pasted."),
            _("Paste the address the browser landed on after allowing access."),
        )
    deadline = time.monotonic() + timeout
    while True:
        try:
            return sign_in.wait(max(deadline - time.monotonic(), 0.01))
        except Cancelled:
            # The paste reader cancels the wait once it has read an address (or the end).
            if paste.text:
                return paste.text
            if not paste.done.is_set():
                raise
            # Standard input ended without an address: the browser may still come back.


class _PasteReader:
    """Reads one non-empty line from standard input on a thread (the browser may win)."""

    def __init__(self, stdin: TextIO, sign_in: BrowserSignIn | None) -> None:
        self.stdin = stdin
        self.sign_in = sign_in
        self.text = ""
        self.done = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._read, name="b24-paste", daemon=True).start()

    def _read(self) -> None:
        try:
            while not self.text:
                line = read_line(self.stdin, _MAX_LINE)
                if line is None:
                    break
                self.text = line.strip()
        except (OSError, ValueError):
            pass
        finally:
            self.done.set()
            if self.sign_in is not None:
                self.sign_in.cancel()


def _duration(timeout: float) -> str:
    minutes = round(timeout / 60)
    if minutes >= 2:
        return ngettext("up to {n} minute", "up to {n} minutes", minutes).format(n=minutes)
    whole = round(timeout)
    return ngettext("up to {n} second", "up to {n} seconds", whole).format(n=whole)


def _accept(run: _Login, request: SignInRequest, result: SignInResult) -> OAuthCredential:
    """The credential to save: the warnings shown, a renamed portal followed if agreed."""
    run.hide(*result.credential.secrets())
    for warning in result.warnings:
        run.output.note(_("warning: {problem}").format(problem=warning))
    if result.moved_to is None:
        return result.credential
    new_host = shown_host(result.followed().host)
    old_host = shown_host(result.credential.host)
    # Not while the paste reader still waits on standard input: it would take the answer.
    can_ask = is_terminal(run.stdin) and (run.paste is None or run.paste.done.is_set())
    if can_ask and _ask(run, _("Use {host} for this profile? [y/N] ").format(host=new_host)):
        run.output.note(_("note: the profile uses {host}.").format(host=new_host))
        return result.followed()
    run.output.note(
        _(
            "note: the profile keeps {old_host} as given. If {new_host} is your portal, sign in "
            "again with --portal {new_host}."
        ).format(old_host=old_host, new_host=new_host)
    )
    return result.credential


def _ask(run: _Login, question: str) -> bool:
    return ask_yes_no(question, run.stdin, run.output.err)


# --- import ----------------------------------------------------------------------------------


def _import(run: _Login) -> OAuthCredential:
    from .core.token_import import MAX_PASTE_CHARS, import_tokens

    args = run.args
    if args.import_from != STDIN_NAME:
        raise InputError(
            _("--import reads the tokens from standard input only: give “--import -”."),
            _("Pipe or paste the tokens in; a file on disk would keep them outside the keychain."),
        )
    secret = _client_secret(run, required=bool(args.client_id))
    run.hide(secret)
    if is_terminal(run.stdin):
        run.output.note(_("Paste the tokens, then press Ctrl+D on an empty line (not shown)."))
    with no_echo(run.stdin, run.output.err):
        text = run.stdin.read(MAX_PASTE_CHARS + 1)
    imported = import_tokens(
        text,
        portal=args.portal,
        client_id=args.client_id,
        client_secret=secret,
        oauth_server=args.oauth_server,
    )
    run.hide(*imported.credential.secrets())
    run.output.note(_("Read the tokens from {shape}.").format(shape=_(imported.shape)))
    for warning in imported.warnings:
        run.output.note(_("warning: {problem}").format(problem=warning))
    return imported.credential


# --- save and list ---------------------------------------------------------------------------


def _save(run: _Login, credential: OAuthCredential) -> None:
    from .core.keychain import CredentialStore

    outcome = CredentialStore().save(run.profile, credential.to_storage())
    if not outcome.persisted:
        raise MissingCredential(
            _("The tokens could not be saved in the keychain ({problem}).").format(
                problem=outcome.message
            ),
            _(
                "Unlock or set up the system keychain (see b24-inspector --self-check), then "
                "sign in again."
            ),
        )
    # Listed for the window, with the port for the next login (an import keeps the old one).
    port = None if run.port is None else (0 if run.port == DEFAULT_PORT else run.port)
    problem = profile_index.record(
        run.profile, kind="oauth", host=credential.host, signin_port=port
    )
    if problem is not None:
        run.output.note(_("warning: {problem}").format(problem=problem))
    importing = run.args.import_from is not None
    if importing and credential.can_refresh:
        done = _("Imported the tokens for {host}; the tokens are saved as “{profile}” in {store}.")
    elif importing:
        done = _(
            "Imported the tokens for {host}; the tokens (not renewable) are saved as "
            "“{profile}” in {store}."
        )
    elif credential.can_refresh:
        done = _("Signed in for {host}; the tokens are saved as “{profile}” in {store}.")
    else:
        done = _(
            "Signed in for {host}; the tokens (not renewable) are saved as “{profile}” in {store}."
        )
    run.output.note(
        done.format(
            host=shown_host(credential.host), profile=run.profile, store=outcome.backend_name
        )
    )


def _list_sources(run: _Login, credential: OAuthCredential, options: RequestOptions) -> int:
    from .core.client import BitrixClient

    output = run.output
    _warn_about_host(credential, output)
    try:
        with BitrixClient(
            credential,
            options,
            on_credential_renewed=_saver(run.profile, output),
            on_wait=_announce_wait(output),
        ) as client:
            sources = client.list_sources()
    except InspectorError as exc:
        output.note(
            _("The sources could not be listed (the tokens stay saved as “{profile}”).").format(
                profile=run.profile
            )
        )
        _print_error(exc, output)
        return exc.exit_code
    if sources.stopped_early:
        output.note(_("warning: {problem}").format(problem=sources.stopped_early))
    output.text(render_list(sources))
    if not sources:
        output.text(f"\n{EMPTY_SOURCE_LIST.message}\n{EMPTY_SOURCE_LIST.hint}\n")
    return EXIT_OK
