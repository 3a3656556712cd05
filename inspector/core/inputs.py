"""Parsing what the user types, other than credentials (see ``credentials``)."""

from __future__ import annotations

from ..i18n import _
from .errors import InvalidSourceId

_MAX_SOURCE_ID = 2**31 - 1


def parse_source_id(text: str | int) -> int:
    """Accept exactly what ``biconnector.source.get`` accepts: a positive integer."""
    too_large = InvalidSourceId(
        _("The source ID must be a positive whole number no larger than 2147483647.")
    )
    if isinstance(text, int) and not isinstance(text, bool):
        # Not via str(): str() of an int over 4,300 digits raises ValueError.
        if not 0 < text <= _MAX_SOURCE_ID:
            raise too_large
        return text
    raw = str(text).strip()
    if not raw:
        raise InvalidSourceId(_("Enter a source ID."), _("It is a positive whole number, e.g. 6."))
    if not (raw.isascii() and raw.isdigit()):
        raise InvalidSourceId(
            _("The source ID must be a positive whole number (digits only)."), _("For example: 6.")
        )
    digits = raw.lstrip("0") or "0"
    # Length first: int() of a string over 4,300 digits raises ValueError.
    if len(digits) > len(str(_MAX_SOURCE_ID)) or not 0 < int(digits) <= _MAX_SOURCE_ID:
        raise too_large
    return int(digits)
