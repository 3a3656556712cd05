"""``b24-inspector --help`` without argparse: the same text, in a fraction of the time.

argparse and the ``re`` and ``textwrap`` modules it imports cost about 7 ms, half again the
interpreter's own start, for a page whose content is fixed (``cli_commands``). This module
lays that page out as argparse's ``HelpFormatter`` does: the usage wrapped after the
program's name, options in two columns with the help from column 24, help texts wrapped as
``textwrap`` wraps them (at spaces, and after the hyphen of a hyphenated word).
``tests/test_cli.py`` checks that the text is argparse's, in each language and at several
widths; when a width is too narrow for that simple layout (a word longer than its column),
``quick_help`` returns None and the caller asks argparse.
"""

from __future__ import annotations

import sys

from . import APP_DISPLAY_NAME, APP_NAME
from .cli_commands import COMMAND_SUMMARIES, DESCRIPTION, OPTIONS
from .i18n import LANGUAGES, _

INDENT = 2  # argparse's indent_increment
MAX_HELP_POSITION = 24  # argparse's default
COMMAND_METAVAR = "COMMAND"
# Python 3.13's argparse wraps each argument's usage whole ("COMMAND ..." stays on one
# line) and translates the colon after a section's heading ("%(heading)s:"); 3.11 and 3.12
# break the usage at every space and add a bare colon.
WHOLE_USAGE_PARTS = sys.version_info >= (3, 13)


def quick_help(columns: int) -> str | None:
    """The top-level help at *columns* wide, as argparse would print it, or None if this
    simple layout cannot match argparse's at that width."""
    width = columns - 2  # what argparse subtracts from the terminal's width
    try:
        return "".join(_page(width))
    except _TooNarrow:
        return None


class _TooNarrow(Exception):
    """A word is wider than its column: argparse would break it (not done here)."""


def _page(width: int) -> list[str]:
    invocations = [(_invocation(flags, metavar), text) for flags, metavar, text in OPTIONS]
    longest = max(
        max(len(invocation) + INDENT for invocation, _text in invocations),
        max(len(name) + 2 * INDENT for name in COMMAND_SUMMARIES),
        len(COMMAND_METAVAR) + INDENT,
    )
    help_position = min(longest + 2, min(MAX_HELP_POSITION, max(width - 20, INDENT * 2)))
    help_width = max(width - help_position, 11)
    page = [_usage(width)]
    description = _(DESCRIPTION).format(app=APP_DISPLAY_NAME)
    page += [line + "\n" for line in _wrap(description, max(width, 11))]
    page += ["\n", _heading("positional arguments"), " " * INDENT + COMMAND_METAVAR + "\n"]
    for name, summary in COMMAND_SUMMARIES.items():
        page += _entry(name, _(summary), 2 * INDENT, help_position, help_width)
    page += ["\n", _heading("options")]
    languages = ", ".join((*LANGUAGES, "auto"))
    for invocation, text in invocations:
        page += _entry(
            invocation, _(text).format(languages=languages), INDENT, help_position, help_width
        )
    return page


def _heading(title: str) -> str:
    if WHOLE_USAGE_PARTS:
        return _("%(heading)s:") % {"heading": _(title)} + "\n"
    return _(title) + ":\n"


def _invocation(flags: tuple[str, ...], metavar: str | None) -> str:
    return ", ".join(f"{flag} {metavar}" if metavar else flag for flag in flags)


def _entry(
    invocation: str, text: str, indent: int, help_position: int, help_width: int
) -> list[str]:
    """One option or command: its name, then its help in the second column."""
    lines = _wrap(text, help_width)
    action_width = help_position - indent - 2
    if len(invocation) <= action_width:
        first = " " * indent + invocation.ljust(action_width) + "  " + lines[0] + "\n"
    else:
        first = " " * indent + invocation + "\n" + " " * help_position + lines[0] + "\n"
    return [first] + [" " * help_position + line + "\n" for line in lines[1:]]


def _usage(width: int) -> str:
    """``usage: prog [-h] …`` wrapped as argparse wraps it when it is too long."""
    prefix = _("usage: ")
    options = ["[" + _invocation(flags[:1], metavar) + "]" for flags, metavar, _text in OPTIONS]
    positionals = [f"{COMMAND_METAVAR} ..."] if WHOLE_USAGE_PARTS else [COMMAND_METAVAR, "..."]
    whole = " ".join([APP_NAME, *options, *positionals])
    if len(prefix) + len(whole) <= width:
        return prefix + whole + "\n\n"
    if len(prefix) + len(APP_NAME) > 0.75 * width:
        raise _TooNarrow  # argparse then puts the name on a line of its own
    indent = " " * (len(prefix) + len(APP_NAME) + 1)
    lines = _usage_lines([APP_NAME, *options], indent, width, first_prefix=prefix)
    lines += _usage_lines(positionals, indent, width)
    return prefix + "\n".join(lines) + "\n\n"


def _usage_lines(parts: list[str], indent: str, width: int, *, first_prefix: str = "") -> list[str]:
    lines: list[list[str]] = []
    line: list[str] = []
    length = len(first_prefix or indent) - 1
    for part in parts:
        if length + 1 + len(part) > width and line:
            lines.append(line)
            line, length = [], len(indent) - 1
        line.append(part)
        length += len(part) + 1
    if line:
        lines.append(line)
    texts = [indent + " ".join(words) for words in lines]
    if first_prefix:
        texts[0] = texts[0][len(indent) :]
    return texts


def _wrap(text: str, width: int) -> list[str]:
    """``textwrap.wrap(text, width)`` for single-spaced text (argparse normalises spaces)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        pieces = _hyphen_pieces(word)
        for index, piece in enumerate(pieces):
            if len(piece) > width:
                raise _TooNarrow
            joiner = " " if index == 0 and line else ""
            if len(line) + len(joiner) + len(piece) <= width:
                line += joiner + piece
            else:
                lines.append(line)
                line = piece
    if line or not lines:
        lines.append(line)
    return lines


def _hyphen_pieces(word: str) -> list[str]:
    """*word* cut after each hyphen where ``textwrap`` may break it: between letters, with
    two letters (or a letter, hyphen, letter) before it and a letter after."""
    if "--" in word.lstrip("-"):
        raise _TooNarrow  # textwrap's em-dash rules: not needed by any help text
    pieces, start = [], 0
    for i, char in enumerate(word):
        if char == "-" and i >= 2 and _letter_after(word, i) and _letters_before(word, i):
            pieces.append(word[start : i + 1])
            start = i + 1
    pieces.append(word[start:])
    return pieces


def _is_letter(char: str) -> bool:
    return (char.isalnum() or char == "_") and not char.isdecimal()


def _letters_before(word: str, i: int) -> bool:
    if _is_letter(word[i - 1]) and _is_letter(word[i - 2]):
        return True
    return i >= 3 and _is_letter(word[i - 3]) and word[i - 2] == "-" and _is_letter(word[i - 1])


def _letter_after(word: str, i: int) -> bool:
    rest = word[i + 1 : i + 4]
    if len(rest) >= 2 and _is_letter(rest[0]) and _is_letter(rest[1]):
        return True
    return len(rest) == 3 and _is_letter(rest[0]) and rest[1] == "-" and _is_letter(rest[2])
