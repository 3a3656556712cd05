"""The command line's subcommands by name, with the one line ``--help`` shows for each.

Kept apart from the commands' modules so that ``b24-inspector --help`` can list them without
importing them: ``cli`` brings the core's models and exports, ``cli_login`` the sign-in's
HTTP listener and the browser module, tens of milliseconds that a help text does not need.
Each command's own definition takes its summary from here (``tests/test_cli.py`` checks
that the quick help and the full parser's help are the same text).
"""

from __future__ import annotations

from .i18n import N_

COMMAND_SUMMARIES: dict[str, str] = {
    "get": N_("fetch one source and print it (values masked)"),
    "list": N_("list the sources this credential can see"),
    "login": N_("sign in with the browser (or import tokens) and save them in a profile"),
    "check": N_("replay Bitrix24's calls to a source's connector endpoints"),
}
"""Each subcommand's one-line summary, marked for translation (``_()`` where shown)."""
