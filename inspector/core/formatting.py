"""One way to write each kind of value for a person, shared by the window and the CLI.

The outline (``outline.py``) decides which formatter a value gets; the functions here only
turn a value into words and digits: durations in plain seconds, moments as a readable local
date and time with their offset from UTC ("2025-03-25 22:04:40 UTC+03:00", so a reader in
another zone or a support engineer can line them up), flags as yes/no, nothing as a dash.
The exact numbers the portal sent stay in Copy as JSON. Every word passes ``i18n``.

Nothing here redacts or sanitises: server text passes ``masking.safe_text`` in the outline.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import UTC, datetime, tzinfo
from typing import Any

from ..i18n import N_, _, ngettext, pgettext
from .masking import sanitize

NONE_TEXT = "—"
"""What an absent value (JSON null) reads as: a dash, rather than an invented value."""
NOT_SENT = N_("not sent")
"""What a date the portal left out (absent, null, "" or {}) reads as (translate with ``_``)."""
OUT_OF_RANGE = N_("out of range")
NO_VALUE = N_("(no value)")
EMPTY_VALUE = N_("(empty)")


def yes_no(flag: bool) -> str:
    return _("yes") if flag else _("no")


def decimal(digits: str) -> str:
    """*digits* ("0.00656") with the language's decimal separator ("0,00656" in Russian).
    Only the program's own figures (durations, sizes) are written so; portal values stay
    as sent."""
    return digits.replace(".", pgettext("decimal separator", "."))


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
        digits = "0"
    elif magnitude < 1e-6:
        return _("< 0.000001 s")  # below what the portal measures
    elif magnitude >= 1e15:
        digits = f"{value:.3g}"  # nonsense from a portal: kept short
    else:
        integer_digits = math.floor(math.log10(magnitude)) + 1
        digits = f"{magnitude:.{max(0, 3 - integer_digits)}f}"
        if "." in digits:
            digits = digits.rstrip("0").rstrip(".")
        digits = sign + digits
    return _("{number} s").format(number=decimal(digits))


def zone_name(moment: datetime) -> str:
    """ "UTC" or "UTC+03:00": a zone as its offset, which reads the same in every language
    (abbreviations such as "MSK" are ambiguous and Windows spells them out in full)."""
    offset = moment.utcoffset()
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def moment_text(moment: datetime) -> str:
    """A moment in its own zone: "2025-03-25 22:04:40 UTC+03:00" (ISO order, 24 hours:
    unambiguous in every language, and the order Bitrix24 writes its own dates in)."""
    return f"{moment:%Y-%m-%d %H:%M:%S} {zone_name(moment)}"


def local_time(timestamp: float, zone: tzinfo | None = None) -> str:
    """A Unix time as the user's local date and time with the zone's offset; *zone*
    replaces the system's zone (tests). Out of range reads "out of range"."""
    try:
        moment = datetime.fromtimestamp(timestamp, UTC).astimezone(zone)
    except (OverflowError, OSError, ValueError):
        return _(OUT_OF_RANGE)
    return moment_text(moment)


def utc_time(timestamp: float) -> str:
    """A Unix time as a UTC date and time: "2025-03-25 19:04:40 UTC"."""
    return local_time(timestamp, UTC)


def date_time(value: str, zone: tzinfo | None = None) -> str:
    """A portal date with its zone ("2025-03-25T22:04:40+03:00") at the user's local time,
    offset shown; a date without a zone, or one that does not parse, stays as sent (no zone
    is guessed). The caller sanitises what stays as sent."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    try:
        return moment_text(moment.astimezone(zone))
    except (OverflowError, OSError, ValueError):
        return value


def local_clock(timestamp: float) -> str | None:
    """The local time of day of a Unix time with its zone ("22:14:40 UTC+03:00"); None when
    out of range."""
    try:
        moment = datetime.fromtimestamp(float(timestamp), UTC).astimezone()
    except (OverflowError, OSError, ValueError):
        return None
    return f"{moment:%H:%M:%S} {zone_name(moment)}"


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
    return _(NOT_SENT) if value is None else value


def logo(value: str) -> tuple[str, str]:
    """(text, type) of a connector's logo: its size and type, never its bytes.

    A data URI ("data:image/png;base64,…") reads "PNG image, 1.2 KB (embedded)"; a URL is
    shown as it is (the caller sanitises it); an empty one reads "none".
    """
    text = value.strip()
    if not text:
        return _("none"), "string"
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
    if media.startswith("image/"):
        what = _("{kind} image, {size} (embedded)")
    else:
        what = _("{kind}, {size} (embedded)")
        kind = media
    return what.format(kind=kind, size=byte_size(size)), "data URI"


def byte_size(count: int) -> str:
    """ "512 bytes", "1.2 KB", "3.4 MB": a size for a person."""
    if count < 1024:
        return ngettext("{count} byte", "{count} bytes", count).format(count=count)
    if count < 1024 * 1024:
        return _("{size} KB").format(size=decimal(f"{count / 1024:.1f}"))
    return _("{size} MB").format(size=decimal(f"{count / (1024 * 1024):.1f}"))


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
        return _(NO_VALUE)
    if value == "":
        return _(EMPTY_VALUE)
    return sanitize(value)
