"""Secrets for the command line, kept off the command line itself.

Any local user can read another process's arguments (``ps``, ``/proc/<pid>/cmdline``),
so a webhook URL or a proxy password given as an option is not private. They are read
instead from:

* the environment: ``B24_WEBHOOK_URL``, ``B24_ACCESS_TOKEN``, ``B24_PROXY``;
* a file: ``--webhook-url-file``, ``--access-token-file``, ``--proxy-file``. On POSIX a
  regular file that other users may read or change is refused (exit 2), as ssh refuses
  a private key that others can read;
* standard input: ``-`` as the file name (one option at a time).

``--webhook-url`` and ``--proxy`` with a password still work, with a warning on stderr.
"""

from __future__ import annotations

import argparse
import math
import os
import stat
from dataclasses import dataclass, field
from typing import TextIO
from urllib.parse import urlsplit

from .core.errors import InputError
from .i18n import N_, _

WEBHOOK_ENV = "B24_WEBHOOK_URL"
TOKEN_ENV = "B24_ACCESS_TOKEN"  # noqa: S105 (a variable name)
PROXY_ENV = "B24_PROXY"
STDIN_NAME = "-"
MAX_SECRET_FILE = 64 * 1024  # bytes: a webhook URL, a token or a proxy is far smaller
MAX_TIMEOUT = 3600.0  # seconds


@dataclass
class SecretInputs:
    """What the options, files and environment gave; ``warnings`` are for stderr."""

    webhook_url: str | None = None
    token: str | None = None
    proxy: str | None = None
    warnings: list[str] = field(default_factory=list)


def add_secret_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--webhook-url-file",
        metavar="PATH",
        help=_("read the inbound webhook URL from this private file ('-': standard input)"),
    )
    parser.add_argument(
        "--access-token-file",
        metavar="PATH",
        help=_(
            "read the OAuth access token for --portal from this private file "
            "('-': standard input) instead of ${variable}"
        ).format(variable=TOKEN_ENV),
    )
    parser.add_argument(
        "--proxy-file",
        metavar="PATH",
        help=_(
            "read the proxy URL (with its password) from this private file ('-': standard input)"
        ),
    )


def gather(args: argparse.Namespace, environ: dict[str, str], stdin: TextIO) -> SecretInputs:
    """The webhook URL, token and proxy from files, standard input, options or the
    environment, in that order. Raises ``InputError`` (exit 2) for an unusable file."""
    files = {
        "--webhook-url-file": getattr(args, "webhook_url_file", None),
        "--access-token-file": getattr(args, "access_token_file", None),
        "--proxy-file": getattr(args, "proxy_file", None),
    }
    from_stdin = [option for option, path in files.items() if path == STDIN_NAME]
    if len(from_stdin) > 1:
        raise InputError(
            _("Only one option can read standard input, but these ask for it: {options}.").format(
                options=", ".join(from_stdin)
            ),
            _("Give the others a file, or use their environment variables."),
        )
    read = {option: read_secret(path, option, stdin) for option, path in files.items() if path}
    inputs = SecretInputs()
    inputs.webhook_url = read.get("--webhook-url-file") or args.webhook_url or None
    if args.webhook_url and "--webhook-url-file" not in read:
        inputs.warnings.append(
            _(
                "--webhook-url puts the webhook's secret code on the command line, where other "
                "local users can read it in the process list (and shell history keeps it). Use "
                "--webhook-url-file PATH, --webhook-url-file - (standard input) or ${variable}."
            ).format(variable=WEBHOOK_ENV)
        )
    inputs.token = read.get("--access-token-file") or environ.get(TOKEN_ENV) or None
    proxy = read.get("--proxy-file")
    if proxy is None and args.proxy:
        proxy = args.proxy
        if _has_password(args.proxy):
            inputs.warnings.append(
                _(
                    "--proxy puts the proxy password on the command line, where other local "
                    "users can read it in the process list (and shell history keeps it). Use "
                    "--proxy-file PATH, --proxy-file - (standard input) or ${variable}."
                ).format(variable=PROXY_ENV)
            )
    inputs.proxy = proxy or environ.get(PROXY_ENV) or None
    return inputs


def _has_password(proxy: str) -> bool:
    text = proxy.strip()
    try:
        return bool(urlsplit(text if "://" in text else "http://" + text).password)
    except ValueError:
        return "@" in text  # malformed: check_proxy reports it; warn to be safe


def read_secret(path: str, option: str, stdin: TextIO) -> str:
    """The first line of the file at *path* (``-``: standard input), stripped.

    Raises ``InputError`` when the file cannot be read, is empty or too large, or (a
    regular file on POSIX) other users may read or change it.
    """
    from_stdin = path == STDIN_NAME
    if from_stdin:
        text = stdin.read(MAX_SECRET_FILE + 1)
    else:
        try:
            with open(path, encoding="utf-8") as handle:
                _check_private(os.fstat(handle.fileno()), path, option)
                text = handle.read(MAX_SECRET_FILE + 1)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise InputError(
                _("Could not read the file given to {option}: {reason}.").format(
                    option=option, reason=reason
                )
            ) from None
        except UnicodeDecodeError:
            raise _unreadable("not_utf8", from_stdin, option) from None
    if len(text) > MAX_SECRET_FILE:
        raise _unreadable("too_large", from_stdin, option)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise _unreadable("empty", from_stdin, option)
    if len(lines) > 1:
        raise _unreadable("several_lines", from_stdin, option)
    return lines[0]


# Why a secret's file (or standard input) was not used: (said of standard input, of a file).
# Whole sentences for each, as other languages word the two differently.
_UNREADABLE = {
    "not_utf8": (
        N_("Standard input is not UTF-8 text."),
        N_("The file given to {option} is not UTF-8 text."),
    ),
    "too_large": (
        N_("Standard input is larger than {size} KiB."),
        N_("The file given to {option} is larger than {size} KiB."),
    ),
    "empty": (N_("Standard input is empty."), N_("The file given to {option} is empty.")),
    "several_lines": (
        N_("Standard input has more than one line; put one value in it."),
        N_("The file given to {option} has more than one line; put one value in it."),
    ),
}


def _unreadable(problem: str, from_stdin: bool, option: str) -> InputError:
    of_stdin, of_file = _UNREADABLE[problem]
    text = _(of_stdin if from_stdin else of_file)
    return InputError(text.format(option=option, size=MAX_SECRET_FILE // 1024))


def _check_private(info: os.stat_result, path: str, option: str) -> None:
    if os.name != "posix" or not stat.S_ISREG(info.st_mode):
        return  # a pipe (process substitution, standard input) is private to its reader
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o044:
        problem = _(
            "The file given to {option} can be read by other users (mode {mode}), so it was "
            "not used."
        )
    elif mode & 0o022:
        problem = _(
            "The file given to {option} can be changed by other users (mode {mode}), so it "
            "was not used."
        )
    else:
        return
    raise InputError(
        problem.format(option=option, mode=f"{mode:04o}"),
        _("Make it private with: chmod 600 {path}").format(path=path),
    )


def seconds(text: str) -> float:
    """An argparse type: a finite, positive number of seconds up to ``MAX_TIMEOUT``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“{text}” is not a number of seconds.").format(text=text)
        ) from None
    check_seconds(value, raise_as=argparse.ArgumentTypeError)
    return value


def check_seconds(value: float, option: str = "", raise_as: type[Exception] = InputError) -> float:
    """*value* if it is a usable timeout; raises *raise_as* with a sentence otherwise."""
    if not math.isfinite(value) or not 0 < value <= MAX_TIMEOUT:
        if option:
            text = _(
                "{option} must be a positive number of seconds, at most {maximum} (not {value})."
            )
        else:
            text = _("must be a positive number of seconds, at most {maximum} (not {value}).")
        raise raise_as(text.format(option=option, maximum=f"{MAX_TIMEOUT:g}", value=f"{value:g}"))
    return value
