"""One way to write each kind of value for a person, shared by the window and the CLI.

The outline (``outline.py``) decides which formatter a value gets; the functions here only
turn a value into words and digits: durations in plain seconds, Unix times with their
UTC form beside them, flags as yes/no, nothing as a dash, counts with their noun. The
texts are English for now and are all written here, so a translation has one place to go.

Nothing here redacts or sanitises: server text passes ``masking.safe_text`` in the outline.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import UTC, datetime
from typing import Any

from .masking import sanitize

NONE_TEXT = "—"
"""What an absent value (JSON null) reads as: a dash, rather than an invented value."""
NOT_SENT = "not sent"
"""What a date the portal left out (absent, null, "" or {}) reads as."""
OUT_OF_RANGE = "out of range"
NO_VALUE = "(no value)"
EMPTY_VALUE = "(empty)"


def plural(count: int, noun: str) -> str:
    """ "1 setting", "2 settings": English plurals of the nouns the outline counts."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def seconds(value: float) -> str:
    """A duration in seconds, as plain digits: three significant ones, never an exponent.

    ``9.94000018104911e-05`` reads "0.0000994 s", ``0.006555080413818359`` "0.00656 s",
    ``12.5`` "12.5 s", ``1234.56`` "1235 s". One unit for every duration, so that values
    can be compared down a column. The exact number stays in Copy as JSON.
    """
    if not math.isfinite(value):
        return repr(value)
    magnitude = abs(value)
    sign = "-" if value < 0 else ""
    if magnitude == 0:
        return "0 s"
    if magnitude < 1e-6:
        return "< 0.000001 s"  # below what the portal measures
    if magnitude >= 1e15:
        return f"{value:.3g} s"  # nonsense from a portal: kept short
    integer_digits = math.floor(math.log10(magnitude)) + 1
    text = f"{magnitude:.{max(0, 3 - integer_digits)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{sign}{text} s"


def utc_time(timestamp: float) -> str:
    """A Unix time as a UTC date and time: "2025-03-25 19:04:40 UTC"."""
    try:
        moment = datetime.fromtimestamp(timestamp, UTC)
    except (OverflowError, OSError, ValueError):
        return OUT_OF_RANGE
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def unix_time(timestamp: float) -> str:
    """A Unix time as sent, its UTC form beside it: "1742930080 (2025-03-25 19:14:40 UTC)"."""
    return f"{number(timestamp)} ({utc_time(timestamp)})"


def local_clock(timestamp: float) -> str | None:
    """The local time of day of a Unix time ("22:14:40"); None when out of range."""
    try:
        return f"{datetime.fromtimestamp(float(timestamp)):%H:%M:%S}"
    except (OverflowError, OSError, ValueError):
        return None


def number(value: float) -> str:
    """A number as sent: integers as digits, other numbers in Python's shortest form."""
    return str(value) if isinstance(value, int) else repr(value)


def identifier(value: int | str | None) -> str:
    """An id as sent (a number, or the text an older portal sent), or the dash."""
    return NONE_TEXT if value is None else str(value)


def value_text(value: Any) -> str:
    """The plain text of any JSON value: dash, yes/no, digits, text, or compact JSON.

    Text is returned as it is; the caller sanitises (and redacts) what came from a portal.
    A zoneless datetime ("2025-03-20 14:50:06", as ``dateCreate`` comes) stays as sent:
    the portal does not say which zone it means, so none is guessed.
    """
    if value is None:
        return NONE_TEXT
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def date_text(value: str | None) -> str:
    """A portal date as sent ("2025-03-20 14:50:06"), or "not sent"; the caller sanitises."""
    return NOT_SENT if value is None else value


def logo(value: str) -> tuple[str, str]:
    """(text, type) of a connector's logo: its size and type, never its bytes.

    A data URI ("data:image/png;base64,…") reads "PNG image, 1.2 KB (embedded)"; a URL is
    shown as it is (the caller sanitises it); an empty one reads "none".
    """
    text = value.strip()
    if not text:
        return "none", "string"
    if text[:5].lower() != "data:":
        return text, "url"
    header, _comma, data = text.partition(",")
    media = header[5:].split(";", 1)[0].strip().lower() or "text/plain"
    if ";base64" in header.lower():
        try:
            size = len(base64.b64decode(data, validate=True))
        except (binascii.Error, ValueError):
            size = len(data) * 3 // 4
    else:
        size = len(data)
    kind = media.split("/", 1)[-1].split("+", 1)[0].upper() if "/" in media else media
    what = f"{kind} image" if media.startswith("image/") else media
    return f"{what}, {byte_size(size)} (embedded)", "data URI"


def byte_size(count: int) -> str:
    """ "512 bytes", "1.2 KB", "3.4 MB": a size for a person."""
    if count < 1024:
        return "1 byte" if count == 1 else f"{count} bytes"
    if count < 1024 * 1024:
        return f"{count / 1024:.1f} KB"
    return f"{count / (1024 * 1024):.1f} MB"


def value_kind(value: Any) -> str:
    """The JSON type of *value* as the Type column names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def revealed_value(value: str | None) -> str:
    """A setting value the user chose to see: as it is, only made safe to display."""
    if value is None:
        return NO_VALUE
    if value == "":
        return EMPTY_VALUE
    return sanitize(value)
