"""Lenient readers of the JSON values a portal sends, shared by every parsed record.

Portals differ: ids come as numbers or as strings ("11"), flags as ``true``/``"Y"``/``1``,
numbers as strings. Each reader returns the typed value or ``None`` rather than raising,
so that one odd field never hides a whole source; ``check_depth`` refuses what no record
could be read from at all.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from ..i18n import _
from .errors import BadResponse

MAX_DEPTH = 64
"""Deeper answers are refused: json.dumps, repr and a tree view all recurse, and a
value nested a few thousand levels deep would raise RecursionError in them."""
_MAX_ID_DIGITS = 18  # int() of a string over 4,300 digits raises ValueError


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists/objects nest deeper than *limit* (checked without recursion).

    Walked level by level, keeping only the containers of each: a 50,000-setting source
    is five levels, and its quarter of a million scalars are each looked at once.
    """
    level = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level:
        if depth >= limit:
            return True
        children: list[Any] = []
        for container in level:
            children.extend(container.values() if isinstance(container, dict) else container)
        level = [child for child in children if isinstance(child, _CONTAINERS)]
        depth += 1
    return False


_CONTAINERS = (dict, list)


def check_depth(payload: Any) -> None:
    """Raise ``BadResponse`` when *payload* nests deeper than ``MAX_DEPTH``."""
    if too_deep(payload):
        raise BadResponse(
            _(
                "The portal's answer is nested more than {depth} levels deep, so it was not read."
            ).format(depth=MAX_DEPTH),
            _(
                "A Bitrix24 answer is far flatter than this; the address may not be a Bitrix24 "
                "portal."
            ),
        )


def as_id(value: Any) -> int | str | None:
    """Ids are documented as integers but older portals send strings ("11")."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= _MAX_ID_DIGITS:
            return int(text)
        return text
    return None


def as_text(value: Any) -> str | None:
    """Text as sent; numbers and flags as their JSON spelling, objects as JSON text."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def as_date(value: Any) -> str | None:
    """A date as sent ("Y-m-d H:i:s"); None when it was not really sent.

    Fields selected explicitly in ``*.list`` may come back as ``{}`` (spec §17), and
    portals send ``null`` or ``""`` for a date never set: all of them mean "not sent".
    """
    if value is None or value == "" or value == {} or value == []:
        return None
    text = as_text(value)
    return text if text and text.strip() else None


def as_bool(value: Any) -> bool | None:
    """A flag, whether sent as a JSON boolean, "Y"/"N" or 1/0; None when it is neither."""
    if isinstance(value, bool):
        return value
    if value in ("Y", "y", "1", 1, "true"):
        return True
    if value in ("N", "n", "0", 0, "false"):
        return False
    return None


def as_number(value: Any) -> float | int | None:
    """A number, also from a numeric string; None for anything else (booleans too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def unknown_keys(data: Mapping[str, Any], known: Collection[str]) -> dict[str, Any]:
    """The entries of *data* whose keys are not *known*, kept so that they can be shown."""
    return {k: v for k, v in data.items() if k not in known}
