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

The client and the keychain (httpx and keyring are slow to import) are imported when a
command runs, so that ``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

from .core.connector import ConnectorReport, compare
from .core.credentials import credential_from_storage, make_oauth_credential, parse_webhook_url
from .core.errors import Cancelled, InputError, InspectorError, MissingCredential, PortalError
from .core.export import connector_summary, masked_json
from .core.formatting import plural, value_text
from .core.inputs import parse_source_id
from .core.masking import SecretSet, json_for_display, sanitize
from .core.model import MIN_REDACTED_VALUE, Source, SourceSummary
from .core.options import RequestOptions
from .core.outline import LOOKUP_FAILED, NOT_LOOKED_UP, ConnectorState, Row, source_outline
from .core.proxies import check_proxy

if TYPE_CHECKING:
    from .core.client import CredentialRenewed, WaitCallback, WaitNotice
    from .core.credentials import Credential, OAuthCredential

WEBHOOK_ENV = "B24_WEBHOOK_URL"
TOKEN_ENV = "B24_ACCESS_TOKEN"  # noqa: S105 (a variable name)
DEFAULT_PROFILE = "default"

EXIT_OK = 0
EXIT_INPUT = 2


_CREDENTIALS_HELP = (
    "Credentials, first found wins: --webhook-url, --portal with $B24_ACCESS_TOKEN, "
    "--profile from the keychain, $B24_WEBHOOK_URL, the keychain's default profile. "
    "Prefer the environment variable or the keychain: a URL on the command line "
    "can end up in shell history. Proxies come from HTTPS_PROXY/HTTP_PROXY/NO_PROXY "
    "unless --proxy is given; TLS is verified against the system's trust store "
    "(plus --ca-file)."
)


def _add_common_options(parser: argparse.ArgumentParser, json_help: str) -> None:
    """The credential, network and output options shared by ``get`` and ``list``."""
    parser.add_argument("--webhook-url", metavar="URL", help="inbound webhook URL")
    parser.add_argument(
        "--portal",
        metavar="HOST",
        help=f"portal address; the OAuth token is read from ${TOKEN_ENV}",
    )
    parser.add_argument("--profile", metavar="NAME", help="a credential saved in the keychain")
    parser.add_argument(
        "--demo", action="store_true", help="use the built-in demo portal (no account needed)"
    )
    parser.add_argument(
        "--timeout", metavar="SECONDS", type=float, default=30.0, help="read timeout (30)"
    )
    parser.add_argument(
        "--proxy",
        metavar="URL",
        help="proxy for every request, e.g. http://proxy:3128 (default: from the environment)",
    )
    parser.add_argument(
        "--ca-file",
        metavar="PEM",
        help="an extra CA certificate (PEM) to trust, e.g. an on-premise portal's private CA",
    )
    parser.add_argument("--json", action="store_true", help=json_help)


def add_get_command(commands: Any) -> None:
    get = commands.add_parser(
        "get",
        help="fetch one source and print it (values masked)",
        description="Fetch one BI Builder source with biconnector.source.get and print it, "
        "its settings labelled by its connector (biconnector.connector.get). " + _CREDENTIALS_HELP,
    )
    get.add_argument("id", metavar="ID", help="the source ID (a positive integer)")
    _add_common_options(get, "print the item as JSON (masked)")
    get.add_argument(
        "--reveal", action="store_true", help="print setting values unmasked (warns on stderr)"
    )
    get.add_argument(
        "--no-connector",
        action="store_true",
        help="do not look up the source's connector (one request fewer)",
    )


def add_list_command(commands: Any) -> None:
    listing = commands.add_parser(
        "list",
        help="list the sources this credential can see",
        description="List every BI Builder source with biconnector.source.list (all pages): "
        "ID, active, type, connector and title. No setting values are requested. "
        + _CREDENTIALS_HELP,
    )
    _add_common_options(listing, "print the list as JSON")


def resolve_credential(args: argparse.Namespace, environ: dict[str, str]) -> Credential:
    return _resolve(args, environ)[0]


def _resolve(args: argparse.Namespace, environ: dict[str, str]) -> tuple[Credential, str | None]:
    """The credential, and the keychain profile it came from (None if not from one)."""

    if args.webhook_url:
        return parse_webhook_url(args.webhook_url), None
    if args.portal:
        token = environ.get(TOKEN_ENV, "")
        if not token:
            raise MissingCredential(
                f"--portal needs the OAuth access token in the environment variable {TOKEN_ENV}."
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
            reason = f" ({loaded.message})" if loaded.message else ""
            raise MissingCredential(f"No credential is saved as “{profile}”{reason}.")
        # Say why the default profile was not used (no keychain, locked, failing).
        keychain_problem = f" {loaded.message}" if loaded.message else ""
    if environ.get(WEBHOOK_ENV):
        return parse_webhook_url(environ[WEBHOOK_ENV]), None
    raise MissingCredential(
        f"No credential given.{keychain_problem}",
        f"Use --webhook-url, --portal with {TOKEN_ENV}, --profile, or set {WEBHOOK_ENV}; "
        "or try --demo.",
    )


@contextlib.contextmanager
def _credential_for(args: argparse.Namespace) -> Iterator[tuple[Credential, str | None]]:
    if not args.demo:
        yield _resolve(args, dict(os.environ))
        return
    from .demo.portal import DemoPortal

    with DemoPortal() as portal:
        yield parse_webhook_url(portal.webhook_url), None


def _options(args: argparse.Namespace) -> RequestOptions:

    if not args.timeout or args.timeout <= 0:
        raise InputError("--timeout must be a positive number of seconds.")
    return RequestOptions(
        read_timeout=args.timeout,
        connect_timeout=min(10.0, args.timeout),
        proxy=check_proxy(args.proxy),
        extra_ca_file=args.ca_file or None,
    )


def _print_error(exc: InspectorError, err: TextIO, prefix: str = "error") -> None:

    print(f"{prefix}: {exc.message}", file=err)
    if exc.hint:
        print(f"hint: {exc.hint}", file=err)
    if isinstance(exc, PortalError):
        print(f"code: {exc.code or '(empty)'}", file=err)


def _warn_plain_http(credential: Credential, err: TextIO) -> None:
    if credential.is_plain_http_remote:
        print(
            f"warning: {credential.host} is reached over plain http://: the credential "
            "travels unencrypted.",
            file=err,
        )


def _announce_wait(err: TextIO) -> WaitCallback:
    """Say on stderr before each rate-limit wait, so a pause is never silent."""

    def announce(notice: WaitNotice) -> None:
        if notice.reason == "rate_limit":
            what = (
                f"the portal is limiting the request rate (HTTP 503); retry {notice.attempt} "
                f"in {notice.seconds:g} s"
            )
        else:
            what = (
                f"the portal has blocked {notice.method} for now (HTTP 429); trying again "
                f"in {notice.seconds:g} s"
            )
        print(f"note: {what} (Ctrl+C cancels).", file=err, flush=True)

    return announce


def _saver(profile: str | None, err: TextIO) -> CredentialRenewed | None:
    """Save a renewed credential back to its keychain profile (None: no renewal at all).

    Before the refresh token is spent (``prepare``, see ``PreparedRenewal``) the keychain
    must take a write: if it cannot, the refresh is not attempted, so the saved refresh
    token still works for the next run once the keychain does.
    """
    if profile is None:
        return None
    from .core.keychain import CredentialStore

    name = profile

    class Saver:
        def prepare(self) -> None:
            status = CredentialStore().check_writable()
            if not status.usable:
                raise InputError(
                    f"The access token has expired, and the keychain ({status.backend_name}) "
                    f"cannot save a renewed one now. {status.reason} The refresh token was "
                    "not used, so the saved credential still works.",
                    "Unlock or repair the keychain, then run the command again.",
                )

        def __call__(self, credential: OAuthCredential) -> None:
            outcome = CredentialStore().save(name, credential.to_storage())
            if outcome.persisted:
                print(f"note: the access token was renewed and saved as “{name}”.", file=err)
            else:
                print(
                    "warning: the access token was renewed, but the new refresh token could "
                    f"not be saved ({outcome.message}); the saved one no longer works, so the "
                    "application must be authorized again next time.",
                    file=err,
                )

    return Saver()


def run_get(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    from .core.client import BitrixClient

    out = out or sys.stdout
    err = err or sys.stderr
    report: ConnectorReport | None = None
    connector = ConnectorState(note=NOT_LOOKED_UP)
    try:
        source_id = parse_source_id(args.id)
        options = _options(args)
        with _credential_for(args) as (credential, profile):
            _warn_plain_http(credential, err)
            secrets = credential.secrets()
            with BitrixClient(
                credential,
                options,
                on_credential_renewed=_saver(profile, err),
                on_wait=_announce_wait(err),
            ) as client:
                source = client.get_source(source_id)
                if not args.no_connector and source.connector_id is not None:
                    try:
                        report = compare(source, client.get_connector(source.connector_id))
                        connector = ConnectorState(report)
                    except Cancelled:
                        raise
                    except InspectorError as exc:
                        connector = ConnectorState(note=LOOKUP_FAILED)
                        print("warning: the source's connector could not be read.", file=err)
                        _print_error(exc, err, prefix="connector")
    except InspectorError as exc:
        _print_error(exc, err)
        return exc.exit_code
    reveal = frozenset(range(len(source.settings))) if args.reveal else frozenset()
    if args.reveal and source.settings:
        print("warning: --reveal prints setting values (passwords, tokens) in clear.", file=err)
    if report is not None:
        for warning in report.warnings():
            print(f"warning: {warning}", file=err)
    if args.json and not reveal:
        # As "Copy as JSON": a setting value the portal repeats in another field is hidden.
        out.write(masked_json(source, report) + "\n")
    elif args.json:
        data = source.masked_dict(reveal)
        if report is not None:
            data["connector"] = connector_summary(report)
        _write_json(data, out)
    else:
        out.write(render_tree(source, reveal, connector, secrets))
    return EXIT_OK


def run_list(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    from .core.client import BitrixClient

    out = out or sys.stdout
    err = err or sys.stderr
    try:
        options = _options(args)
        with _credential_for(args) as (credential, profile):
            _warn_plain_http(credential, err)
            with BitrixClient(
                credential,
                options,
                on_credential_renewed=_saver(profile, err),
                on_wait=_announce_wait(err),
            ) as client:
                sources = client.list_sources()
    except InspectorError as exc:
        _print_error(exc, err)
        return exc.exit_code
    if sources.stopped_early:
        print(f"warning: {sources.stopped_early}", file=err)
    if args.json:
        _write_json([s.to_dict() for s in sources], out)
    else:
        out.write(render_list(sources))
    return EXIT_OK


def _write_json(data: Any, out: TextIO) -> None:
    """JSON for a terminal or a file: portal text cannot reorder or hide what is shown
    (bidi, zero-width) nor make the write fail (a lone surrogate): see json_for_display."""

    out.write(json_for_display(json.dumps(data, ensure_ascii=False, indent=2)))
    out.write("\n")


def render_list(sources: list[SourceSummary]) -> str:
    """A plain-text table: ID, active, type, connector, title."""
    header = ("ID", "Active", "Type", "Connector", "Title")
    rows = [
        tuple(_cell(v) for v in (s.id, s.active, s.type, s.connector_id, s.title)) for s in sources
    ]
    widths = [max([len(header[i]), *(len(r[i]) for r in rows)]) for i in range(4)]
    lines = []
    for row in (header, *rows):
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    lines.append(plural(len(sources), "source"))
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
    hidden = [
        *secrets,
        *(
            s.value
            for index, s in enumerate(source.settings)
            if s.value and len(s.value) >= MIN_REDACTED_VALUE and index not in reveal
        ),
    ]
    outline = source_outline(source, connector, hidden, reveal)
    lines = [outline.heading]
    for row in outline.rows:
        lines += _row_lines(row)
    # The rows are redacted one by one; once more over the whole text catches a value
    # that would only show across two rows.
    return SecretSet(hidden).replace("\n".join(lines) + "\n")


def row_line(row: Row) -> str:
    """One row as "Label: text"; a setting's type in brackets: "Password (password) [STRING]"."""
    label = f"{row.label} [{row.kind}]" if row.typed and row.kind else row.label
    return f"{label}: {row.text}" if row.text else label


def _row_lines(row: Row, depth: int = 0) -> Iterator[str]:
    yield "  " * depth + row_line(row)
    if row.setting is not None:
        return  # a setting's detail rows (ID, code, name, type) repeat its own line
    for child in row.children:
        yield from _row_lines(child, depth + 1)
