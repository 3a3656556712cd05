"""The command line in the user's language: ``--lang``, and argparse's own texts translated.

argparse marks its texts ("usage: ", "options", its error sentences) for gettext but reads
them from gettext's global domain, which follows only the environment. The program's catalogue
carries those texts too (listed below), and ``translate_argparse`` points argparse at it, so that
``--lang ru`` gives a Russian ``--help`` and Russian usage errors whatever the environment says.
"""

from __future__ import annotations

from . import i18n
from .i18n import N_

TYPE_CHECKING = False  # not typing's: see inspector.i18n
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence  # collections: 1.5 ms of --help

LANG_OPTION = "--lang"

# argparse's user-facing texts (Python 3.11 to 3.13), so that the catalogue holds them.
ARGPARSE_TEXTS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("%(heading)s:"),  # 3.13: the colon after a section's heading
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("one of the arguments %s is required"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
)


def split_language(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """The value of ``--lang`` in *argv* (read before argparse, whose texts depend on it),
    and the other arguments; ``--lang ru`` and ``--lang=ru`` alike, none after ``--``."""
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == LANG_OPTION and index + 1 < len(argv):
            return argv[index + 1], [*argv[:index], *argv[index + 2 :]]
        if arg.startswith(LANG_OPTION + "="):
            return arg.split("=", 1)[1], [*argv[:index], *argv[index + 1 :]]
    return None, list(argv)


def translate_argparse() -> None:
    """Make argparse read its texts from the program's catalogue."""
    import argparse

    argparse._ = i18n._  # type: ignore[attr-defined]
    argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]


def add_language_option(parser: argparse.ArgumentParser) -> None:
    from .cli_commands import option_help

    languages = ", ".join((*i18n.LANGUAGES, "auto"))
    parser.add_argument(
        LANG_OPTION,
        metavar="LANG",
        help=i18n._(option_help(LANG_OPTION)).format(languages=languages),
    )
