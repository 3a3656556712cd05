"""Entry point: ``b24-inspector`` / ``python -m inspector``.

No arguments opens the window; ``--demo`` opens it on the built-in demo portal; ``get``,
``list`` and ``login`` are the command-line interface (no Qt is imported for them, nor for
``--version``).

This module stays Qt-free: the window's start-up lives in ``inspector.ui.launch``, imported
only when the window is wanted. The CLI module (with argparse) and the self-check (with
ssl) are imported only when asked for too, because a plain window start does not need them.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

from . import APP_DISPLAY_NAME, APP_NAME, __version__, i18n
from .cli_language import add_language_option, requested_language, translate_argparse
from .core.errors import InputError
from .core.inputs import parse_source_id
from .core.masking import install_log_redaction

EXIT_AFTER_SHOW_ENV = "B24_INSPECTOR_EXIT_AFTER_SHOW"  # start-up benchmark hook
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl+C


def build_parser() -> argparse.ArgumentParser:
    import argparse

    from .cli import add_get_command, add_list_command
    from .cli_check import add_check_command
    from .cli_login import add_login_command

    translate_argparse()
    parser = argparse.ArgumentParser(
        prog=APP_NAME,
        description=f"{APP_DISPLAY_NAME}: see what a Bitrix24 BI Builder data source holds, "
        "with every setting value masked.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="open the window on the built-in demo portal"
    )
    parser.add_argument(
        "--fetch", metavar="ID", help="fetch this source as soon as the window is up"
    )
    parser.add_argument(
        "--screenshot",
        metavar="PATH",
        help="save the window as a PNG once the --fetch has finished (or failed), then exit",
    )
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="check Qt, the keychain, resources and TLS trust, print a report, and exit",
    )
    parser.add_argument("--debug", action="store_true", help="log details (secrets removed)")
    add_language_option(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_get_command(commands)
    add_list_command(commands)
    add_login_command(commands)
    add_check_command(commands)
    return parser


def configure_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    install_log_redaction()


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    language = requested_language(given)
    if language is not None and not i18n.is_known(language):
        i18n.setup()
        message = i18n._("error: --lang: {value} is not one of: {languages}")
        languages = ", ".join((*i18n.LANGUAGES, "auto"))
        print(message.format(value=repr(language), languages=languages), file=sys.stderr)
        return InputError.exit_code
    i18n.setup(language, by_user=language is not None)
    if given in ([], ["--demo"]):
        # Just the window: argparse and the CLI module are not needed (start-up time).
        configure_logging(False)
        from .ui.launch import run_window

        return run_window(
            demo=bool(given), exit_after_show=os.environ.get(EXIT_AFTER_SHOW_ENV) == "1"
        )
    args = build_parser().parse_args(argv)
    configure_logging(args.debug)
    if args.command in ("get", "list", "login", "check"):
        from .cli import run_get, run_list
        from .cli_check import run_check
        from .cli_login import run_login

        run = {"get": run_get, "list": run_list, "login": run_login, "check": run_check}[
            args.command
        ]
        try:
            return run(args)
        except KeyboardInterrupt:
            # Ctrl+C during a request or a rate-limit wait: a plain sentence, no traceback.
            print("\ncancelled.", file=sys.stderr)
            return EXIT_INTERRUPTED
    if args.self_check:
        from .selfcheck import run_self_check

        return run_self_check(sys.stdout)
    source_id = None
    if args.fetch is not None:  # a bad ID is reported before Qt is loaded
        try:
            source_id = parse_source_id(args.fetch)
        except InputError as exc:
            print(f"error: --fetch: {exc}", file=sys.stderr)
            return exc.exit_code
    from .ui.launch import run_window

    return run_window(
        demo=args.demo,
        source_id=source_id,
        screenshot=args.screenshot,
        exit_after_show=os.environ.get(EXIT_AFTER_SHOW_ENV) == "1",
    )


if __name__ == "__main__":
    sys.exit(main())
