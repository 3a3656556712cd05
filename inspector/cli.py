"""The command-line face of the core: ``b24-inspector get ID``.

Exit status: 0 success; 2 bad input (ID, URL, missing credential); 3 the portal answered
with an error (its code on stderr); 4 no usable answer (network, TLS, timeout, redirect,
not JSON, wrong shape). Setting values are masked unless ``--reveal`` is given, and no
output ever holds the webhook code or the access token.

This module imports the core lazily so that ``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from .core.credentials import Credential
    from .core.model import Source

WEBHOOK_ENV = "B24_WEBHOOK_URL"
TOKEN_ENV = "B24_ACCESS_TOKEN"  # noqa: S105 (a variable name)
DEFAULT_PROFILE = "default"

EXIT_OK = 0
EXIT_INPUT = 2


def add_get_command(commands: Any) -> None:
    get = commands.add_parser(
        "get",
        help="fetch one source and print it (values masked)",
        description="Fetch one BI Builder source with biconnector.source.get and print it. "
        "Credentials, first found wins: --webhook-url, --portal with $B24_ACCESS_TOKEN, "
        "--profile from the keychain, $B24_WEBHOOK_URL, the keychain's default profile. "
        "Prefer the environment variable or the keychain: a URL on the command line "
        "can end up in shell history.",
    )
    get.add_argument("id", metavar="ID", help="the source ID (a positive integer)")
    get.add_argument("--webhook-url", metavar="URL", help="inbound webhook URL")
    get.add_argument(
        "--portal",
        metavar="HOST",
        help=f"portal address; the OAuth token is read from ${TOKEN_ENV}",
    )
    get.add_argument("--profile", metavar="NAME", help="a credential saved in the keychain")
    get.add_argument(
        "--demo", action="store_true", help="use the built-in demo portal (no account needed)"
    )
    get.add_argument(
        "--timeout", metavar="SECONDS", type=float, default=30.0, help="read timeout (30)"
    )
    get.add_argument("--json", action="store_true", help="print the item as JSON (masked)")
    get.add_argument(
        "--reveal", action="store_true", help="print setting values unmasked (warns on stderr)"
    )


def resolve_credential(args: argparse.Namespace, environ: dict[str, str]) -> Credential:
    from .core.credentials import credential_from_storage, make_oauth_credential, parse_webhook_url
    from .core.errors import MissingCredential

    if args.webhook_url:
        return parse_webhook_url(args.webhook_url)
    if args.portal:
        token = environ.get(TOKEN_ENV, "")
        if not token:
            raise MissingCredential(
                f"--portal needs the OAuth access token in the environment variable {TOKEN_ENV}."
            )
        return make_oauth_credential(args.portal, token)
    if args.profile or not environ.get(WEBHOOK_ENV):
        from .core.keychain import CredentialStore

        profile = args.profile or DEFAULT_PROFILE
        loaded = CredentialStore().load(profile)
        if loaded.secret:
            return credential_from_storage(loaded.secret)
        if args.profile:
            reason = f" ({loaded.message})" if loaded.message else ""
            raise MissingCredential(f"No credential is saved as “{profile}”{reason}.")
    if environ.get(WEBHOOK_ENV):
        return parse_webhook_url(environ[WEBHOOK_ENV])
    raise MissingCredential(
        "No credential given.",
        f"Use --webhook-url, --portal with {TOKEN_ENV}, --profile, or set {WEBHOOK_ENV}; "
        "or try --demo.",
    )


@contextlib.contextmanager
def _credential_for(args: argparse.Namespace) -> Iterator[Credential]:
    if not args.demo:
        yield resolve_credential(args, dict(os.environ))
        return
    from .core.credentials import parse_webhook_url
    from .demo.portal import DemoPortal

    with DemoPortal() as portal:
        yield parse_webhook_url(portal.webhook_url)


def run_get(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    from .core.client import RequestOptions, fetch_source
    from .core.errors import InputError, InspectorError, PortalError, parse_source_id

    out = out or sys.stdout
    err = err or sys.stderr
    try:
        source_id = parse_source_id(args.id)
        if not args.timeout or args.timeout <= 0:
            raise InputError("--timeout must be a positive number of seconds.")
        options = RequestOptions(read_timeout=args.timeout, connect_timeout=min(10.0, args.timeout))
        with _credential_for(args) as credential:
            if credential.is_plain_http_remote:
                print(
                    f"warning: {credential.host} is reached over plain http://: the credential "
                    "travels unencrypted.",
                    file=err,
                )
            source = fetch_source(credential, source_id, options)
    except InspectorError as exc:
        print(f"error: {exc.message}", file=err)
        if exc.hint:
            print(f"hint: {exc.hint}", file=err)
        if isinstance(exc, PortalError):
            print(f"code: {exc.code or '(empty)'}", file=err)
        return exc.exit_code
    reveal = frozenset(range(len(source.settings))) if args.reveal else frozenset()
    if args.reveal and source.settings:
        print("warning: --reveal prints setting values (passwords, tokens) in clear.", file=err)
    if args.json:
        json.dump(source.masked_dict(reveal), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(render_tree(source, reveal))
    return EXIT_OK


def _show(value: Any) -> str:
    from .core.masking import sanitize

    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return sanitize(str(value), max_len=500)


def render_tree(source: Source, reveal: frozenset[int] = frozenset()) -> str:
    """A readable, indented text tree of a source, values masked unless revealed."""
    from .core.masking import MASK

    conn = source.connection
    lines = [f"Source {_show(conn.id)}: {_show(conn.title)}", "Connection"]
    lines += [f"  {label}: {_show(value)}" for _key, label, value in conn.field_values()]
    lines += [f"  {_show(key)}: {_show(value)}" for key, value in conn.extra.items()]
    lines.append(f"Connector ID: {_show(source.connector_id)}")
    lines += [f"{_show(key)}: {_show(value)}" for key, value in source.extra.items()]
    lines.append(f"Settings ({len(source.settings)})")
    for index, setting in enumerate(source.settings):
        value = _show(setting.value) if index in reveal else MASK
        lines.append(f"  {_show(setting.label)} [{_show(setting.type)}]: {value}")
    if source.time is not None:
        lines.append("Time")
        lines += [f"  {label}: {_show(value)}" for _k, label, value in source.time.present_fields()]
        lines += [f"  {_show(key)}: {_show(value)}" for key, value in source.time.extra.items()]
    return "\n".join(lines) + "\n"
