"""The command line's top-level options and subcommands, with the help line of each.

Kept apart from the commands' modules so that ``b24-inspector --help`` can be printed
without importing them (nor argparse: see ``cli_help``): ``cli`` brings the core's models
and exports, ``cli_login`` the sign-in's HTTP listener and the browser module, tens of
milliseconds that a help text does not need. The parser (``__main__.build_parser``) takes
its help texts from here too, and ``tests/test_cli.py`` checks that the quick help and the
full parser's help are the same text.
"""

from __future__ import annotations

from .i18n import N_

DESCRIPTION = N_(
    "{app}: see what a Bitrix24 BI Builder data source holds, with every setting value masked."
)
THEMES = ("system", "light", "dark")

OPTIONS: tuple[tuple[tuple[str, ...], str | None, str], ...] = (
    (("-h", "--help"), None, N_("show this help message and exit")),
    (("--version",), None, N_("show program's version number and exit")),
    (("--demo",), None, N_("open the window on the built-in demo portal")),
    (("--fetch",), "ID", N_("fetch this source as soon as the window is up")),
    (
        ("--screenshot",),
        "PATH",
        N_("save the window as a PNG once the --fetch has finished (or failed), then exit"),
    ),
    (
        ("--theme",),
        "{" + ",".join(THEMES) + "}",
        N_("draw the window in this theme for this run (View ▸ Theme keeps its choice)"),
    ),
    (
        ("--self-check",),
        None,
        N_("check Qt, the keychain, resources and TLS trust, print a report, and exit"),
    ),
    (("--debug",), None, N_("log details (secrets removed)")),
    (
        ("--lang",),
        "LANG",
        N_("language of the program's texts: {languages} (default: the system's)"),
    ),
)
"""Each top-level option: its flags, its value's name (None: a switch) and its help."""

COMMAND_SUMMARIES: dict[str, str] = {
    "get": N_("fetch one source and print it (values masked)"),
    "list": N_("list the sources this credential can see"),
    "login": N_("sign in with the browser (or import tokens) and save them in a profile"),
    "check": N_("replay Bitrix24's calls to a source's connector endpoints"),
}
"""Each subcommand's one-line summary, marked for translation (``_()`` where shown)."""


def option_help(flag: str) -> str:
    """The help text of the option named *flag*, untranslated (``_()`` where shown)."""
    for flags, _metavar, text in OPTIONS:
        if flag in flags:
            return text
    raise KeyError(flag)
