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
        help="read the inbound webhook URL from this private file ('-': standard input)",
    )
    parser.add_argument(
        "--access-token-file",
        metavar="PATH",
        help=f"read the OAuth access token for --portal from this private file "
        f"('-': standard input) instead of ${TOKEN_ENV}",
    )
    parser.add_argument(
        "--proxy-file",
        metavar="PATH",
        help="read the proxy URL (with its password) from this private file ('-': standard input)",
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
            f"Only one option can read standard input, but {' and '.join(from_stdin)} both "
            "ask for it.",
            "Give the other one a file, or use its environment variable.",
        )
    read = {option: read_secret(path, option, stdin) for option, path in files.items() if path}
    inputs = SecretInputs()
    inputs.webhook_url = read.get("--webhook-url-file") or args.webhook_url or None
    if args.webhook_url and "--webhook-url-file" not in read:
        inputs.warnings.append(
            "--webhook-url puts the webhook's secret code on the command line, where other "
            "local users can read it in the process list (and shell history keeps it). Use "
            f"--webhook-url-file PATH, --webhook-url-file - (standard input) or ${WEBHOOK_ENV}."
        )
    inputs.token = read.get("--access-token-file") or environ.get(TOKEN_ENV) or None
    proxy = read.get("--proxy-file")
    if proxy is None and args.proxy:
        proxy = args.proxy
        if _has_password(args.proxy):
            inputs.warnings.append(
                "--proxy puts the proxy password on the command line, where other local "
                "users can read it in the process list (and shell history keeps it). Use "
                f"--proxy-file PATH, --proxy-file - (standard input) or ${PROXY_ENV}."
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
    if path == STDIN_NAME:
        text = stdin.read(MAX_SECRET_FILE + 1)
        where = "standard input"
    else:
        where = f"the file given to {option}"
        try:
            with open(path, encoding="utf-8") as handle:
                _check_private(os.fstat(handle.fileno()), path, option)
                text = handle.read(MAX_SECRET_FILE + 1)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise InputError(f"Could not read {where}: {reason}.") from None
        except UnicodeDecodeError:
            raise InputError(f"{where.capitalize()} is not UTF-8 text.") from None
    if len(text) > MAX_SECRET_FILE:
        raise InputError(f"{where.capitalize()} is larger than {MAX_SECRET_FILE // 1024} KiB.")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise InputError(f"{where.capitalize()} is empty.")
    if len(lines) > 1:
        raise InputError(f"{where.capitalize()} has more than one line; put one value in it.")
    return lines[0]


def _check_private(info: os.stat_result, path: str, option: str) -> None:
    if os.name != "posix" or not stat.S_ISREG(info.st_mode):
        return  # a pipe (process substitution, standard input) is private to its reader
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o044:
        what = "read"
    elif mode & 0o022:
        what = "changed"
    else:
        return
    raise InputError(
        f"The file given to {option} can be {what} by other users (mode {mode:04o}), so "
        "it was not used.",
        f"Make it private with: chmod 600 {path}",
    )


def seconds(text: str) -> float:
    """An argparse type: a finite, positive number of seconds up to ``MAX_TIMEOUT``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a number of seconds.") from None
    check_seconds(value, raise_as=argparse.ArgumentTypeError)
    return value


def check_seconds(value: float, option: str = "", raise_as: type[Exception] = InputError) -> float:
    """*value* if it is a usable timeout; raises *raise_as* with a sentence otherwise."""
    name = f"{option} " if option else ""
    if not math.isfinite(value) or not 0 < value <= MAX_TIMEOUT:
        raise raise_as(
            f"{name}must be a positive number of seconds, at most {MAX_TIMEOUT:g} (not {value:g})."
        )
    return value
