"""Indented JSON written in one pass, every string masked as it is written.

Why not ``mask_outgoing`` then ``json.dumps(indent=2)``: that walks a 50,000-setting source
three times (a masked copy, the encoder, a regex over the whole text for characters a
terminal would hide), and ``json.dumps`` with an indent runs the standard library's
pure-Python encoder, which yields every bracket and comma as a separate piece. Here each
container is joined once, and each *distinct* string (a big source repeats its keys, its
types and the mask thousands of times) is masked, checked for leaks, escaped for display
and JSON-quoted once, then reused. The text is the same as
``json_for_display(json.dumps(mask_outgoing(data), ensure_ascii=False, indent=2))``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

from .errors import Cancelled
from .masking import SecretSet, json_for_display, redact

_INDENT = "  "


class MaskedJsonWriter:
    """Writes JSON-able data as strict, indented JSON with every known secret masked.

    *leaked* is called with each string of the output that had to be masked, so the caller
    can prove the result clean (an unchanged string held no secret: the mask found none).
    Setting *cancel* (from another thread) stops the writing with ``Cancelled``.
    """

    def __init__(
        self,
        secrets: SecretSet,
        leaked: Callable[[str], None],
        cancel: threading.Event | None = None,
    ) -> None:
        self._secrets = secrets
        self._leaked = leaked
        self._cancel = cancel
        self._literals: dict[str, str] = {}
        self._masked_any = False  # once a string was masked, two keys may now be equal

    def write(self, data: Any) -> str:
        return self._value(data, 0)

    def _literal(self, piece: str) -> str:
        """*piece* masked, escaped for display and JSON-quoted (cached per distinct text)."""
        literal = self._literals.get(piece)
        if literal is None:
            masked = redact(piece, self._secrets)
            if masked is not piece:
                self._masked_any = True
                self._leaked(masked)
            literal = encode_basestring(masked)
            if not masked.isprintable():
                literal = json_for_display(literal)
            self._literals[piece] = literal
        return literal

    def _value(self, item: Any, depth: int) -> str:
        kind = type(item)
        if kind is str:
            return self._literal(item)
        if kind is dict:
            return self._dict(item, depth)
        if kind is list or kind is tuple:
            return self._list(item, depth)
        if item is None:
            return "null"
        if item is True:
            return "true"
        if item is False:
            return "false"
        if isinstance(item, int):
            return int.__repr__(item)
        if isinstance(item, float):
            if math.isfinite(item):
                return float.__repr__(item)
            # Strict JSON has no NaN or infinity: written as a string, as mask_outgoing does.
            return '"NaN"' if math.isnan(item) else '"Infinity"' if item > 0 else '"-Infinity"'
        if isinstance(item, str):
            return self._literal(str.__str__(item))
        if isinstance(item, dict):
            return self._dict(item, depth)
        if isinstance(item, list | tuple):
            return self._list(item, depth)
        return self._literal(str(item))

    def _dict(self, item: dict[Any, Any], depth: int) -> str:
        if not item:
            return "{}"
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled
        inner = "\n" + _INDENT * (depth + 1)
        # The hot loop of a big source: a known string is one dict look-up (a literal is
        # never empty, so ``or`` only falls through for a string not seen yet).
        known, literal, value, deeper = self._literals.get, self._literal, self._value, depth + 1
        members = [
            (known(key) or literal(key) if type(key) is str else literal(str(key)))
            + ": "
            + (known(val) or literal(val) if type(val) is str else value(val, deeper))
            for key, val in item.items()
        ]
        if self._masked_any:
            members = self._unique(item, members)
        return "{" + inner + ("," + inner).join(members) + "\n" + _INDENT * depth + "}"

    def _unique(self, item: dict[Any, Any], members: list[str]) -> list[str]:
        """*members* with keys that masking made equal merged, as a dict would (the first
        one's place, the last one's value): JSON names stay unique."""
        merged: dict[str, str] = {}
        for key, member in zip(item, members, strict=True):
            merged[self._literal(key if type(key) is str else str(key))] = member
        return list(merged.values())

    def _list(self, item: list[Any] | tuple[Any, ...], depth: int) -> str:
        if not item:
            return "[]"
        inner = "\n" + _INDENT * (depth + 1)
        known, literal, value, deeper = self._literals.get, self._literal, self._value, depth + 1
        members = [
            known(val) or literal(val) if type(val) is str else value(val, deeper) for val in item
        ]
        return "[" + inner + ("," + inner).join(members) + "\n" + _INDENT * depth + "]"
