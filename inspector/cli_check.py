"""``b24-inspector check ID``: replay Bitrix24's calls to a source's connector, in a terminal.

The check sends the source's settings (passwords, tokens) to the connector's endpoints, so
it asks first: on a terminal a yes/no question naming the endpoint host(s), ``--yes`` for
scripts; with neither it refuses (exit 2) before anything is sent. Plain ``http://``
endpoints off this machine get a stronger warning.

Exit status: 0 every step passed; 2 bad input or the check was not confirmed; 3 a step
failed (a redirect included: it is reported, not followed); 4 an endpoint could not be
reached (or the portal gave no usable answer). ``--json`` prints every step's result and
the data preview. Everything is printed through ``cli.Output``, so no setting value, no
webhook code and no token can reach the terminal; only the data rows are shown as they
came (they are the data asked for), still with any known secret masked.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from .cli import Output, _add_common_options, _credential_for, _inputs, _print_error, _saver
from .cli_commands import COMMAND_SUMMARIES
from .cli_secrets import check_seconds
from .cli_terminal import ask_yes_no, is_terminal
from .core.endpoint_check import (
    CheckReport,
    EndpointCheck,
    StepStatus,
    confirmation_text,
    step_line,
)
from .core.errors import InputError, InspectorError
from .core.export import outgoing_secrets
from .core.inputs import parse_source_id
from .core.masking import SecretSet, sanitize
from .core.options import RequestOptions
from .core.proxies import check_proxy
from .i18n import _, ngettext

if TYPE_CHECKING:
    from .core.connector import Connector
    from .core.model import Source

__all__ = ["add_check_command", "confirmation_text", "run_check"]

Ask = Callable[[str], bool]
"""Asks the user a yes/no question (the text ends with the question); True: yes."""

PREVIEW_ROWS = 10
"""How many data rows the text output shows (``--json`` has all that came)."""


def add_check_command(commands: Any) -> None:
    check = commands.add_parser(
        "check",
        help=_(COMMAND_SUMMARIES["check"]),
        description=_(
            "Call the source's connector endpoints the way Bitrix24 does (urlCheck, "
            "urlTableList, urlTableDescription, urlData), with the source's settings as "
            "connection[<code>] form fields, and say which answer breaks and why. The "
            "settings are sent to the connector: you are asked first (or pass --yes)."
        ),
    )
    check.add_argument("id", metavar="ID", help=_("the source ID (a positive integer)"))
    check.add_argument(
        "--table", metavar="CODE", help=_("the table to describe and read (default: the first)")
    )
    check.add_argument(
        "--yes",
        action="store_true",
        help=_("send the settings to the connector without asking (for scripts)"),
    )
    _add_common_options(check, _("print every step's result and the data preview as JSON"))
    check.set_defaults(timeout=30.0)
    for action in check._actions:  # the shared --timeout means something else here
        if action.dest == "timeout":
            action.help = _("seconds each endpoint call may take at most (30)")


def endpoint_options(timeout: float, proxy: str | None, ca_file: str | None) -> RequestOptions:
    """Options whose whole exchange (connect + read) ends within *timeout* seconds."""
    connect = min(10.0, timeout / 2)
    return RequestOptions(
        connect_timeout=connect,
        read_timeout=timeout - connect,
        proxy=check_proxy(proxy),
        extra_ca_file=ca_file or None,
    )


def terminal_ask(output: Output) -> Ask | None:
    """A yes/no prompt on the terminal, or None when there is no terminal to ask on."""
    if not (is_terminal(sys.stdin) and is_terminal(output.err)):
        return None

    def ask(text: str) -> bool:
        output.note(text)
        return ask_yes_no(_("Send them? [y/N] "), sys.stdin, output.err)

    return ask


def run_check(
    args: argparse.Namespace,
    out: TextIO | None = None,
    err: TextIO | None = None,
    ask: Ask | None = None,
) -> int:
    from .core.client import BitrixClient
    from .core.client.endpoint_calls import EndpointCaller

    output = Output(out, err)
    try:
        source_id = parse_source_id(args.id)
        timeout = check_seconds(args.timeout, "--timeout")
        inputs = _inputs(args, output)
        options = endpoint_options(timeout, inputs.proxy, args.ca_file)
        with _credential_for(args, inputs) as (credential, profile):
            output.know(SecretSet(credential.secrets()))
            with BitrixClient(
                credential, options, on_credential_renewed=_saver(profile, output)
            ) as client:
                source = client.get_source(source_id)
                output.know(outgoing_secrets(output.hidden, source))
                if source.connector_id is None:
                    raise InputError(
                        _("Source {id} has no connector to check.").format(id=source_id)
                    )
                connector = client.get_connector(source.connector_id)
            question = confirmation_text(source, connector)
            asker = ask if ask is not None else terminal_ask(output)
            if not args.yes:
                if asker is None:
                    raise InputError(
                        _(
                            "Nothing was sent: the check sends the source's settings, and there "
                            "is no terminal to ask on."
                        ),
                        _("Run it on a terminal to be asked, or pass --yes."),
                    )
                if not asker(question):
                    output.note(_("Nothing was sent."))
                    return InputError.exit_code
            else:
                output.note(question)
            check = EndpointCheck(source, connector, table=args.table)
            with EndpointCaller(options, source.secrets()) as caller:
                report = check.run(caller.send)
    except InspectorError as exc:
        _print_error(exc, output)
        return exc.exit_code
    if args.json:
        output.json(report_json(report))
    else:
        output.text(render_report(source, connector, report))
    return report.exit_code


def report_json(report: CheckReport) -> dict[str, Any]:
    data = report.to_json()
    if report.preview is not None:
        data["preview"] = {
            "columns": [c.code for c in report.preview.columns],
            "rows": [list(row) for row in report.preview.rows],
        }
    return data


def render_report(source: Source, connector: Connector, report: CheckReport) -> str:
    title = sanitize(source.connection.title or "", max_len=120)
    lines = [
        _("Endpoints of source {id} “{title}”, connector {connector}:").format(
            id=source.connection.id, title=title, connector=connector.id
        )
    ]
    for step in report.steps:
        lines.append(step_line(step))
        if step.url:
            lines.append("      " + step.url)
        if step.status is StepStatus.SKIPPED:
            lines.append("      " + step.reason)
            continue
        if step.status is StepStatus.FAILED:
            lines.append("      " + _("required: {text}").format(text=step.required))
            lines.append("      " + _("found: {text}").format(text=step.found))
        lines.extend("      " + _("note: {text}").format(text=note) for note in step.notes)
        if step.excerpt:
            lines.append("      " + _("answer: {text}").format(text=step.excerpt))
    if report.preview is not None:
        preview = report.preview
        shown = preview.rows[:PREVIEW_ROWS]
        lines.append("")
        lines.append(
            ngettext(
                "Data preview of “{table}” ({n} row):",
                "Data preview of “{table}” ({n} rows):",
                len(preview.rows),
            ).format(table=sanitize(preview.table, max_len=80), n=len(preview.rows))
        )
        lines.append("  " + " | ".join(f"{c.code} ({c.type})" for c in preview.columns))
        lines.extend("  " + " | ".join(sanitize(str(v), max_len=60) for v in row) for row in shown)
    lines.append("")
    failed = sum(1 for s in report.steps if s.status is StepStatus.FAILED)
    if report.passed:
        lines.append(_("Every step passed."))
    else:
        lines.append(ngettext("{n} step failed.", "{n} steps failed.", failed).format(n=failed))
    return "\n".join(lines) + "\n"
