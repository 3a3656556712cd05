"""The command-line face of the core: ``b24-inspector get ID`` and ``b24-inspector list``.

Exit status (both commands): 0 success; 2 bad input (ID, URL, missing credential, proxy,
CA file); 3 the portal (or the OAuth server) answered with an error (its code on stderr);
4 no usable answer (network, TLS, timeout, redirect, not JSON, wrong shape). Setting
values are masked unless ``--reveal`` is given, and no output ever holds the webhook code,
the access token, the client secret or the refresh token.

A credential loaded with ``--profile`` (or the default profile) that holds a client ID,
client secret and refresh token is renewed once when the portal says ``expired_token``,
and the renewed credential is saved back to the keychain under the same profile.
Credentials from the command line or the environment are never renewed: the rotated
refresh token would be lost when the process ends.

Secrets are read from the environment, a private file or standard input rather than the
command line, which other local users can read (``cli_secrets``). Everything printed, on
stdout and stderr alike, goes through ``Output``: every known secret masked by the one
rule (``masking.mask_outgoing``), JSON strict, and the text fitted to what the stream can
encode (an ASCII mask on a Latin-1 terminal), so no output can fail or leak.

The client and the keychain (httpx and keyring are slow to import) are imported when a
command runs, so that ``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

from .cli_commands import COMMAND_SUMMARIES
from .cli_secrets import (
    PROXY_ENV,
    TOKEN_ENV,
    WEBHOOK_ENV,
    SecretInputs,
    add_secret_options,
    check_seconds,
    gather,
    seconds,
)
from .core.collector import collector_paused
from .core.connector import ConnectorReport, compare, compare_settings
from .core.credentials import credential_from_storage, make_oauth_credential, parse_webhook_url
from .core.errors import Cancelled, InputError, InspectorError, MissingCredential, PortalError
from .core.export import connector_summary, json_text, outgoing_secrets
from .core.formatting import value_text
from .core.hosts import display_host, shown_host
from .core.inputs import parse_source_id
from .core.masking import SecretSet, for_encoding, mask_outgoing, sanitize
from .core.model import Source, SourceSummary
from .core.options import RequestOptions
from .core.outline import LOOKUP_FAILED, NOT_LOOKED_UP, ConnectorState, Row, source_outline
from .core.proxies import check_proxy
from .i18n import N_, _, ngettext

if TYPE_CHECKING:
    from .core.client import BitrixClient, CredentialRenewed, WaitCallback, WaitNotice
    from .core.credentials import Credential, OAuthCredential

__all__ = ["PROXY_ENV", "TOKEN_ENV", "WEBHOOK_ENV", "Output", "run_get", "run_list"]

DEFAULT_PROFILE = "default"

EXIT_OK = 0
EXIT_INPUT = 2


_CREDENTIALS_HELP = N_(
    "Credentials, first found wins: --webhook-url-file (or --webhook-url), --portal with "
    "--access-token-file or $B24_ACCESS_TOKEN, --profile from the keychain, "
    "$B24_WEBHOOK_URL, the keychain's default profile. Keep secrets off the command line, "
    "where other local users can read them in the process list: use the keychain, the "
    "environment, a private file or standard input ('-'). Proxies come from --proxy-file, "
    "--proxy or $B24_PROXY, else HTTPS_PROXY/HTTP_PROXY/NO_PROXY; TLS is verified against "
    "the system's trust store (plus --ca-file)."
)


def _add_common_options(parser: argparse.ArgumentParser, json_help: str) -> None:
    """The credential, network and output options shared by ``get`` and ``list``."""
    parser.add_argument(
        "--webhook-url",
        metavar="URL",
        help=_("inbound webhook URL (other local users can read it: prefer --webhook-url-file)"),
    )
    parser.add_argument(
        "--portal",
        metavar="HOST",
        help=_("portal address; the OAuth token is read from ${variable}").format(
            variable=TOKEN_ENV
        ),
    )
    parser.add_argument("--profile", metavar="NAME", help=_("a credential saved in the keychain"))
    parser.add_argument(
        "--demo", action="store_true", help=_("use the built-in demo portal (no account needed)")
    )
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=seconds,
        default=30.0,
        help=_("read timeout (30)"),
    )
    parser.add_argument(
        "--proxy",
        metavar="URL",
        help=_(
            "proxy for every request, e.g. http://proxy:3128 (default: from the environment; "
            "a password here is readable by other local users: prefer --proxy-file)"
        ),
    )
    add_secret_options(parser)
    parser.add_argument(
        "--ca-file",
        metavar="PEM",
        help=_("an extra CA certificate (PEM) to trust, e.g. an on-premise portal's private CA"),
    )
    parser.add_argument("--json", action="store_true", help=json_help)


def add_get_command(commands: Any) -> None:
    get = commands.add_parser(
        "get",
        help=_(COMMAND_SUMMARIES["get"]),
        description=_(
            "Fetch one BI Builder source with biconnector.source.get and print it, "
            "its settings labelled by its connector (biconnector.connector.get)."
        )
        + " "
        + _(_CREDENTIALS_HELP),
    )
    get.add_argument("id", metavar="ID", help=_("the source ID (a positive integer)"))
    _add_common_options(get, _("print the item as JSON (masked)"))
    get.add_argument(
        "--reveal", action="store_true", help=_("print setting values unmasked (warns on stderr)")
    )
    get.add_argument(
        "--no-connector",
        action="store_true",
        help=_("do not look up the source's connector (one request fewer)"),
    )


def add_list_command(commands: Any) -> None:
    listing = commands.add_parser(
        "list",
        help=_(COMMAND_SUMMARIES["list"]),
        description=_(
            "List every BI Builder source with biconnector.source.list (all pages): "
            "ID, active, type, connector and title. No setting values are requested."
        )
        + " "
        + _(_CREDENTIALS_HELP),
    )
    _add_common_options(listing, _("print the list as JSON"))


def resolve_credential(
    args: argparse.Namespace, environ: dict[str, str], inputs: SecretInputs | None = None
) -> Credential:
    given = inputs or SecretInputs(webhook_url=args.webhook_url, token=environ.get(TOKEN_ENV))
    return _resolve(args, environ, given)[0]


def _resolve(
    args: argparse.Namespace, environ: dict[str, str], inputs: SecretInputs
) -> tuple[Credential, str | None]:
    """The credential, and the keychain profile it came from (None if not from one)."""

    if inputs.webhook_url:
        return parse_webhook_url(inputs.webhook_url), None
    if args.portal:
        token = inputs.token or ""
        if not token:
            raise MissingCredential(
                _(
                    "--portal needs the OAuth access token: in the environment variable "
                    "{variable}, or in a private file given to --access-token-file."
                ).format(variable=TOKEN_ENV)
            )
        return make_oauth_credential(args.portal, token), None
    keychain_problem = ""
    if args.profile or not environ.get(WEBHOOK_ENV):
        from .core.keychain import CredentialStore

        profile = args.profile or DEFAULT_PROFILE
        loaded = CredentialStore().load(profile)
        if loaded.secret:
            return credential_from_storage(loaded.secret), profile
        if args.profile:
            if loaded.message:
                raise MissingCredential(
                    _("No credential is saved as “{profile}” ({reason}).").format(
                        profile=profile, reason=loaded.message
                    )
                )
            raise MissingCredential(
                _("No credential is saved as “{profile}”.").format(profile=profile)
            )
        # Say why the default profile was not used (no keychain, locked, failing).
        keychain_problem = loaded.message or ""
    if environ.get(WEBHOOK_ENV):
        return parse_webhook_url(environ[WEBHOOK_ENV]), None
    given = _("No credential given.")
    raise MissingCredential(
        f"{given} {keychain_problem}" if keychain_problem else given,
        _(
            "Set {webhook_variable}, use --webhook-url-file, --portal with {token_variable}, "
            "or --profile; or try --demo."
        ).format(webhook_variable=WEBHOOK_ENV, token_variable=TOKEN_ENV),
    )


@contextlib.contextmanager
def _credential_for(
    args: argparse.Namespace, inputs: SecretInputs
) -> Iterator[tuple[Credential, str | None]]:
    if not args.demo:
        yield _resolve(args, dict(os.environ), inputs)
        return
    from .demo.portal import DemoPortal

    with DemoPortal() as portal:
        yield parse_webhook_url(portal.webhook_url), None


@contextlib.contextmanager
def _client_for(
    args: argparse.Namespace, output: Output
) -> Iterator[tuple[BitrixClient, Credential]]:
    """The client for the command's credential (and the credential): its secrets masked
    in everything printed from here on, a risky host warned about, renewed tokens saved to
    the profile, rate-limit waits announced."""
    from .core.client import BitrixClient

    inputs = _inputs(args, output)
    options = _options(args, inputs)
    with _credential_for(args, inputs) as (credential, profile):
        output.know(SecretSet(credential.secrets()))
        _warn_about_host(credential, output)
        with BitrixClient(
            credential,
            options,
            on_credential_renewed=_saver(profile, output),
            on_wait=_announce_wait(output),
        ) as client:
            yield client, credential


class Output:
    """Standard output and standard error, as the one way anything is printed.

    Every text goes through ``mask_outgoing`` with every secret known so far
    (``know``: the credential's, then the source's setting values), and is fitted to
    what its stream can encode (``for_encoding``: an ASCII mask on a Latin-1 or ASCII
    terminal), so printing can neither leak nor fail.
    """

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.hidden = SecretSet()

    def know(self, hidden: SecretSet) -> None:
        self.hidden = hidden

    def note(self, line: str) -> None:
        """One line on standard error (a warning, an error, a note)."""
        self._write(self.err, mask_outgoing(line, self.hidden) + "\n", flush=True)

    def text(self, text: str) -> None:
        self._write(self.out, mask_outgoing(text, self.hidden))

    def json(self, data: Any) -> None:
        """Strict JSON, every known secret masked (``export.json_text``)."""
        text = json_text(data, self.hidden)
        if _writes_utf8(self.out):
            # Written as it is: JSON text escapes every character that UTF-8 cannot
            # write (a lone surrogate is not printable: ``json_for_display``), and the
            # check ``for_encoding`` would make encodes all of a big source once more.
            self.out.write(text)
            self.out.write("\n")
        else:
            self._write(self.out, text + "\n", is_json=True)

    @staticmethod
    def _write(stream: TextIO, text: str, *, is_json: bool = False, flush: bool = False) -> None:
        encoding = getattr(stream, "encoding", None)
        stream.write(for_encoding(text, encoding, json_text=is_json))
        if flush:
            stream.flush()


def _writes_utf8(stream: TextIO) -> bool:
    """Whether *stream* encodes as UTF-8 (a stream without an encoding is text only)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _options(args: argparse.Namespace, inputs: SecretInputs) -> RequestOptions:
    timeout = check_seconds(args.timeout, "--timeout")
    return RequestOptions(
        read_timeout=timeout,
        connect_timeout=min(10.0, timeout),
        proxy=check_proxy(inputs.proxy),
        extra_ca_file=args.ca_file or None,
    )


def _inputs(args: argparse.Namespace, output: Output) -> SecretInputs:
    inputs = gather(args, dict(os.environ), sys.stdin)
    for warning in inputs.warnings:
        output.note(_("warning: {problem}").format(problem=warning))
    return inputs


def _print_error(exc: InspectorError, output: Output, prefix: str = N_("error: {message}")) -> None:
    """The error's sentence after *prefix* (an ``N_``-marked "…: {message}"), its hint, code."""
    output.note(_(prefix).format(message=exc.message))
    if exc.hint:
        output.note(_("hint: {hint}").format(hint=exc.hint))
    if isinstance(exc, PortalError):
        output.note(_("code: {code}").format(code=exc.code or _("(empty)")))


def _warn_about_host(credential: Credential, output: Output) -> None:
    """Say on stderr when the portal's address could pass for another, or is plain http."""
    _shown, look_alike = display_host(credential.host)
    if look_alike:
        output.note(_("warning: {problem}").format(problem=look_alike))
    if credential.is_plain_http_remote:
        output.note(
            _(
                "warning: {host} is reached over plain http://: the credential travels unencrypted."
            ).format(host=shown_host(credential.host))
        )


def _announce_wait(output: Output) -> WaitCallback:
    """Say on stderr before each rate-limit wait, so a pause is never silent."""

    def announce(notice: WaitNotice) -> None:
        wait = f"{notice.seconds:g}"
        if notice.reason == "rate_limit":
            text = _(
                "note: the portal is limiting the request rate (HTTP 503); retry {attempt} "
                "in {seconds} s (Ctrl+C cancels)."
            ).format(attempt=notice.attempt, seconds=wait)
        else:
            text = _(
                "note: the portal has blocked {method} for now (HTTP 429); trying again "
                "in {seconds} s (Ctrl+C cancels)."
            ).format(method=notice.method, seconds=wait)
        output.note(text)

    return announce


def _saver(profile: str | None, output: Output) -> CredentialRenewed | None:
    """Save a renewed credential back to its keychain profile (None: no renewal at all).

    Before the refresh token is spent (``prepare``, see ``PreparedRenewal``) the keychain
    must take a write: if it cannot, the refresh is not attempted, so the saved refresh
    token still works for the next run once the keychain does.
    """
    if profile is None:
        return None
    from .core.keychain import CredentialStore  # keyring: imported when a profile is used

    name = profile

    class Saver:
        def prepare(self) -> None:
            status = CredentialStore().check_writable()
            if not status.usable:
                raise InputError(
                    _(
                        "The access token has expired, and the keychain ({backend}) cannot "
                        "save a renewed one now. {reason} The refresh token was not used, so "
                        "the saved credential still works."
                    ).format(backend=status.backend_name, reason=status.reason),
                    _("Unlock or repair the keychain, then run the command again."),
                )

        def __call__(self, credential: OAuthCredential) -> None:
            outcome = CredentialStore().save(name, credential.to_storage())
            output.know(output.hidden | credential.secrets())
            if outcome.persisted:
                output.note(
                    _("note: the access token was renewed and saved as “{profile}”.").format(
                        profile=name
                    )
                )
            else:
                output.note(
                    _(
                        "warning: the access token was renewed, but the new refresh token "
                        "could not be saved ({reason}); the saved one no longer works, so the "
                        "application must be authorized again next time."
                    ).format(reason=outcome.message)
                )

    from .core.renewal_lock import keychain_renewal, note_adopted

    # Another running copy may renew too: renewals take turns (see core.renewal_lock).
    return keychain_renewal(name, Saver(), on_adopted=note_adopted(output))


def run_get(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    if args.json and not args.reveal:
        # The command builds and drops a few containers per setting, none in a cycle: the
        # cyclic collector's passes over them found nothing and took about 45 ms at
        # 50,000 settings (see ``collector_paused``).
        with collector_paused():
            return _run_get_json(args, Output(out, err))
    output = Output(out, err)
    report: ConnectorReport | None = None
    connector = ConnectorState(note=NOT_LOOKED_UP)
    try:
        source_id = parse_source_id(args.id)
        with _client_for(args, output) as (client, credential):
            secrets = credential.secrets()
            source = client.get_source(source_id)
            reveal = frozenset(range(len(source.settings))) if args.reveal else frozenset()
            output.know(outgoing_secrets(output.hidden, source, reveal))
            if not args.no_connector and source.connector_id is not None:
                try:
                    report = compare(source, client.get_connector(source.connector_id))
                    connector = ConnectorState(report)
                except Cancelled:
                    raise
                except InspectorError as exc:
                    connector = ConnectorState(note=LOOKUP_FAILED)
                    _connector_failed(exc, output)
    except InspectorError as exc:
        _print_error(exc, output)
        return exc.exit_code
    if args.reveal and source.settings:
        output.note(_("warning: --reveal prints setting values (passwords, tokens) in clear."))
    _report_warnings(report, output)
    if args.json:
        # As "Copy as JSON": a secret the portal repeats in another field is hidden.
        data = source.masked_dict(reveal)
        if report is not None:
            data["connector"] = connector_summary(report)
        output.json(data)
    else:
        output.text(render_tree(source, reveal, connector, secrets))
    return EXIT_OK


def _run_get_json(args: argparse.Namespace, output: Output) -> int:
    """``get --json`` with every value masked: the JSON made straight from the answers.

    The same output as the tree's path above, without a record per setting: for a big
    source those records and the tree's secret set cost more than the rest of the command
    (see ``core.source_json``).
    """
    report: ConnectorReport | None = None
    try:
        source_id = parse_source_id(args.id)
        with _client_for(args, output) as (client, _credential):
            source = client.get_masked_source(source_id)
            # As "Copy as JSON": a secret the portal repeats in another field is hidden.
            output.know(SecretSet((*output.hidden, *source.distinctive_secrets())))
            if not args.no_connector and source.connector_id is not None:
                try:
                    report = compare_settings(
                        source.settings,
                        source.connector_id,
                        client.get_connector(source.connector_id),
                        lambda: source.secrets,
                    )
                except Cancelled:
                    raise
                except InspectorError as exc:
                    _connector_failed(exc, output)
    except InspectorError as exc:
        _print_error(exc, output)
        return exc.exit_code
    _report_warnings(report, output)
    data = source.data
    if report is not None:
        data["connector"] = connector_summary(report)
    output.json(data)
    return EXIT_OK


def _connector_failed(exc: InspectorError, output: Output) -> None:
    output.note(_("warning: the source's connector could not be read."))
    _print_error(exc, output, prefix=N_("connector: {message}"))


def _report_warnings(report: ConnectorReport | None, output: Output) -> None:
    if report is not None:
        for warning in report.warnings():
            output.note(_("warning: {problem}").format(problem=warning))


def run_list(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    output = Output(out, err)
    try:
        with _client_for(args, output) as (client, _credential):
            sources = client.list_sources()
    except InspectorError as exc:
        _print_error(exc, output)
        return exc.exit_code
    if sources.stopped_early:
        output.note(_("warning: {problem}").format(problem=sources.stopped_early))
    if args.json:
        output.json([s.to_dict() for s in sources])
    else:
        output.text(render_list(sources))
    return EXIT_OK


def render_list(sources: list[SourceSummary]) -> str:
    """A plain-text table: ID, active, type, connector, title."""
    header = ("ID", _("Active"), _("Type"), _("Connector"), _("Title"))
    rows = [
        tuple(_cell(v) for v in (s.id, s.active, s.type, s.connector_id, s.title)) for s in sources
    ]
    widths = [max([len(header[i]), *(len(r[i]) for r in rows)]) for i in range(4)]
    lines = []
    for row in (header, *rows):
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    lines.append(ngettext("{n} source", "{n} sources", len(sources)).format(n=len(sources)))
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    """A value of the source list as the tree would write it, made safe for a terminal."""
    return sanitize(value_text(value), max_len=500)


def render_tree(
    source: Source,
    reveal: frozenset[int] = frozenset(),
    connector: ConnectorState | None = None,
    secrets: Iterable[str] = (),
) -> str:
    """The source's outline as indented text: the rows the window shows, in its words.

    Values are masked unless their position is in *reveal*; *secrets* (the credential's)
    are redacted like the setting values. With a *connector* report, the settings carry
    the names their connector declares and the Connector section lists what it found.
    """
    # A hidden value the portal repeats in another field (a title, a name) stays hidden
    # there too, as in the window and in copied JSON; shorter values would match timings.
    hidden = outgoing_secrets(secrets, source, reveal)
    outline = source_outline(source, connector, hidden, reveal)
    lines = [outline.heading]
    for row in outline.rows:
        lines += _row_lines(row)
    # The rows are redacted one by one; once more over the whole text catches a value
    # that would only show across two rows.
    return mask_outgoing("\n".join(lines) + "\n", hidden)


def row_line(row: Row) -> str:
    """One row as "Label: text"; a setting's type in brackets: "Password (password) [STRING]"."""
    label = f"{row.label} [{row.kind}]" if row.typed and row.kind else row.label
    return f"{label}: {row.text}" if row.text else label


def _row_lines(row: Row, depth: int = 0) -> Iterator[str]:
    # A setting's details (its tooltip in the window) would repeat its own line: not printed.
    yield "  " * depth + row_line(row)
    for child in row.children:
        yield from _row_lines(child, depth + 1)
