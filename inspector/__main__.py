"""Entry point: ``b24-inspector`` / ``python -m inspector``.

No arguments opens the window; ``--demo`` opens it on the built-in demo portal; ``get``,
``list`` and ``login`` are the command-line interface (no Qt is imported for them, nor for
``--version``).

This module stays Qt-free: the window's start-up lives in ``inspector.ui.launch``, imported
only when the window is wanted. The CLI module (with argparse) and the self-check (with
ssl) are imported only when asked for too, because a plain window start does not need them.
``--version`` imports nothing at all, and ``--help`` only argparse, the translation module
and the subcommands' summaries (``cli_commands``).

The language is chosen first (``--lang``, else the system's), because argparse's texts and
every message depend on it.
"""

from __future__ import annotations

import os
import sys

from . import APP_DISPLAY_NAME, APP_NAME, __version__

TYPE_CHECKING = False  # not typing's: importing typing alone costs --version a third more
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Collection, Sequence
    from typing import Any

EXIT_AFTER_SHOW_ENV = "B24_INSPECTOR_EXIT_AFTER_SHOW"  # start-up benchmark hook
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl+C


def build_parser(*, with_commands: bool | Collection[str] = True) -> argparse.ArgumentParser:
    """The command line's parser. *with_commands* says which subcommands get their options
    (True: all; a collection: those named); the others are only named with their summaries
    (enough for the top-level ``--help``, and much quicker: each command's module, and what
    it imports, is loaded only for its options)."""
    import argparse

    from .cli_commands import DESCRIPTION, THEMES, option_help
    from .cli_language import add_language_option, translate_argparse
    from .i18n import _

    translate_argparse()
    formatter = _help_formatter(argparse)
    parser = argparse.ArgumentParser(
        prog=APP_NAME,
        formatter_class=formatter,
        add_help=False,
        description=_(DESCRIPTION).format(app=APP_DISPLAY_NAME),
    )
    # -h and --version added by hand so that their help texts are translated on every
    # Python version; every help text comes from cli_commands, which --help prints alone.
    parser.add_argument("-h", "--help", action="help", help=_(option_help("--help")))
    parser.add_argument(
        "--version",
        action="version",
        version=f"{APP_NAME} {__version__}",
        help=_(option_help("--version")),
    )
    parser.add_argument("--demo", action="store_true", help=_(option_help("--demo")))
    parser.add_argument("--fetch", metavar="ID", help=_(option_help("--fetch")))
    parser.add_argument("--screenshot", metavar="PATH", help=_(option_help("--screenshot")))
    parser.add_argument("--theme", choices=THEMES, help=_(option_help("--theme")))
    parser.add_argument("--self-check", action="store_true", help=_(option_help("--self-check")))
    parser.add_argument("--debug", action="store_true", help=_(option_help("--debug")))
    add_language_option(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    from .cli_commands import COMMAND_SUMMARIES

    for name, summary in COMMAND_SUMMARIES.items():
        if with_commands is True or (with_commands and name in with_commands):
            _command(name)[0](commands)
        else:
            commands.add_parser(name, help=_(summary), formatter_class=formatter)
    return parser


def _help_formatter(argparse: Any) -> type[argparse.HelpFormatter]:
    """argparse's formatter, told the terminal's width as ``shutil.get_terminal_size``
    would: argparse imports ``shutil`` for that alone, and ``shutil`` imports the zlib, bz2
    and lzma modules, about 3 ms of the 15 ms that ``--help`` may take."""

    class HelpFormatter(argparse.HelpFormatter):  # type: ignore[misc]
        def __init__(self, prog: str, *args: Any, **kwargs: Any) -> None:
            if kwargs.get("width") is None and len(args) < 3:
                kwargs["width"] = _terminal_columns() - 2  # what argparse subtracts
            super().__init__(prog, *args, **kwargs)

    return HelpFormatter


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def _prestart_helpers(*, demo: bool) -> None:
    """Start the window's helper process before Qt loads: the demo portal for ``--demo``,
    else the keychain read, when the window will read the saved credential (not for a
    webhook from the environment)."""
    if demo:
        from .demo.portal_process import prestart as prestart_demo

        prestart_demo()
    elif not os.environ.get("B24_WEBHOOK_URL", "").strip():
        from .core.start_read_child import prestart

        prestart()


def pause_collector_for_start() -> None:
    """The window's start makes tens of thousands of lasting objects: no cyclic collector
    passes over them until it is done (``core.collector``; ``ui.launch`` resumes it)."""
    from .core.collector import pause_for_start

    pause_for_start()


def configure_logging(debug: bool) -> None:
    import logging

    from .core.masking import install_log_redaction

    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    install_log_redaction()


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (`b24-inspector get 6 | head`): no traceback, as other
        # command-line tools. Later writes go nowhere, so Python's exit flush cannot fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: Sequence[str] | None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    if given == ["--version"]:  # what argparse's version action prints, without argparse
        print(f"{APP_NAME} {__version__}")
        return 0
    # Imported after --version, which needs neither (its start-up is measured).
    from . import i18n
    from .cli_language import split_language
    from .i18n import _

    language, others = split_language(given)
    if language is not None and not i18n.is_known(language):
        i18n.setup()
        message = _("error: --lang: {value} is not one of: {languages}")
        languages = ", ".join((*i18n.LANGUAGES, "auto"))
        print(message.format(value=repr(language), languages=languages), file=sys.stderr)
        return 2  # bad input, as InputError (not imported: start-up time)
    i18n.setup(language, by_user=language is not None)
    if others in (["--help"], ["-h"]):
        from .cli_help import quick_help

        text = quick_help(_terminal_columns())
        if text is not None:
            sys.stdout.write(text)
            return 0
        build_parser(with_commands=False).parse_args(given)  # prints the help and exits
    if given in ([], ["--demo"]):
        # Just the window: argparse and the CLI module are not needed (start-up time).
        _prestart_helpers(demo=bool(given))  # first: it runs beside all that follows
        pause_collector_for_start()
        configure_logging(False)
        from .ui.launch import run_window

        return run_window(
            demo=bool(given), exit_after_show=os.environ.get(EXIT_AFTER_SHOW_ENV) == "1"
        )
    # The subcommands' modules (the CLI, login's listener, the endpoint check) are imported
    # only when a command is named: a window started with options does not need them.
    from .cli_commands import COMMAND_SUMMARIES

    # The command is one of the words given, so those named get their options (a word that
    # is an option's value only costs its command's import).
    named = {arg for arg in given if arg in COMMAND_SUMMARIES}
    args = build_parser(with_commands=named).parse_args(given)
    configure_logging(args.debug)
    if args.command in COMMAND_SUMMARIES:
        run = _command(args.command)[1]
        try:
            return run(args)
        except KeyboardInterrupt:
            # Ctrl+C during a request or a rate-limit wait: a plain sentence, no traceback.
            print("\n" + _("cancelled."), file=sys.stderr)
            return EXIT_INTERRUPTED
    if args.self_check:
        from .selfcheck import run_self_check

        return run_self_check(sys.stdout)
    from .core.errors import InputError
    from .core.inputs import parse_source_id

    source_id = None
    if args.fetch is not None:  # a bad ID is reported before Qt is loaded
        try:
            source_id = parse_source_id(args.fetch)
        except InputError as exc:
            print(_("error: --fetch: {message}").format(message=exc), file=sys.stderr)
            return exc.exit_code
    _prestart_helpers(demo=args.demo)
    pause_collector_for_start()
    from .ui.launch import run_window

    return run_window(
        demo=args.demo,
        source_id=source_id,
        screenshot=args.screenshot,
        theme=args.theme,
        exit_after_show=os.environ.get(EXIT_AFTER_SHOW_ENV) == "1",
    )


def _command(name: str) -> tuple[Callable[[Any], None], Callable[[argparse.Namespace], int]]:
    """What adds the subcommand *name* with its options, and what runs it: its module is
    imported now, and no other command's."""
    if name == "login":
        from .cli_login import add_login_command, run_login

        return add_login_command, run_login
    if name == "check":
        from .cli_check import add_check_command, run_check

        return add_check_command, run_check
    from .cli import add_get_command, add_list_command, run_get, run_list

    return (add_get_command, run_get) if name == "get" else (add_list_command, run_list)


if __name__ == "__main__":
    sys.exit(main())
