"""Indented JSON written in one pass, every string masked as it is written.

Why not ``mask_outgoing`` then ``json.dumps(indent=2)``: that walks a 50,000-setting source
three times (a masked copy, the encoder, a regex over the whole text for characters a
terminal would hide), and ``json.dumps`` with an indent runs the standard library's
pure-Python encoder, which yields every bracket and comma as a separate piece. Here each
container is joined once, and each *distinct* string (a big source repeats its keys, its
types and the mask thousands of times) is masked, checked for leaks, escaped for display
and JSON-quoted once, then reused. The text is the same as
``json_for_display(json.dumps(mask_outgoing(data), ensure_ascii=False, indent=2))``.

A big source is mostly long runs of alike things: 50,000 settings with the same keys, a
connector's 50,000 labels. Those are written in batches (``_records``, ``_literals``):
new strings are checked a few hundred at a time, joined into one text, since a secret or
a secret-shaped token in any of them shows in the joined text too; only a batch where
something shows is masked string by string. Each record is then one ``%`` of a template
made from its keys. Per string, that is several times less work than masking it alone.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from itertools import chain, repeat
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any, cast

from .errors import Cancelled
from .masking import SecretSet, json_for_display, redact

_INDENT = "  "
_Json = str | list[str]
"""A value's JSON text, or a big one as its pieces in order (joined once, at the end):
each concatenation of a text of many megabytes took fresh memory from the system."""
_BATCH = 256
"""New strings checked together (a batch where something shows is masked one by one)."""
_BIG = 32
"""Containers this long are written by the batch paths; shorter ones are not worth it."""
_SCALARS = frozenset((str, int, float, bool, type(None)))
"""What a record's values may be for its template (a container nests its own lines)."""
_SHAPED = ("/rest/", "=", '"', "'", ":")
"""What a secret-shaped token (``masking.redact``'s patterns) cannot be without."""


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
        self._literals_cache: dict[str, str] = {}
        self._masked_any = False  # once a string was masked, two keys may now be equal
        self._shortest = secrets.shortest

    def write(self, data: Any) -> str:
        text = self._value(data, 0)
        return text if type(text) is str else "".join(text)

    def _literal(self, piece: str) -> str:
        """*piece* masked, escaped for display and JSON-quoted (cached per distinct text)."""
        literal = self._literals_cache.get(piece)
        if literal is None:
            masked = redact(piece, self._secrets)
            if masked is not piece:
                self._masked_any = True
                self._leaked(masked)
            literal = encode_basestring(masked)
            if not masked.isprintable():
                literal = json_for_display(literal)
            self._literals_cache[piece] = literal
        return literal

    def _value(self, item: Any, depth: int) -> _Json:
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

    def _literals(self, texts: Sequence[str]) -> list[str]:
        """``_literal`` of each of *texts* (all ``str``), new ones learnt in batches.

        Texts that all differ (a big source's codes, names, labels) are learnt without the
        cache: filling it took longer than learning them, and most are written once.
        """
        distinct = set(texts)
        if len(distinct) == len(texts):
            learnt: list[str] = []
            for start in range(0, len(texts), _BATCH):
                learnt += self._learn(texts[start : start + _BATCH])
            return learnt
        cache = self._literals_cache
        new = [text for text in distinct if text not in cache]  # learnt in any order
        for start in range(0, len(new), _BATCH):
            batch = new[start : start + _BATCH]
            cache.update(zip(batch, self._learn(batch), strict=True))
        return list(map(cache.__getitem__, texts))

    def _learn(self, batch: Sequence[str]) -> list[str]:
        """The literals of *batch*: at once when none of it needs masking.

        Joined, the batch holds every text of it: if the secrets find nothing in the
        joined text and no shaped token can be there, ``redact`` changes none of them.
        """
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled
        joined = " ".join(batch)
        # Only the texts long enough to hold a secret are looked through for one.
        shortest, sought = self._shortest, ""
        if shortest:
            long = [text for text in batch if len(text) >= shortest]
            sought = joined if len(long) == len(batch) else " ".join(long)
        if self._secrets.replace(sought) is not sought or any(s in joined for s in _SHAPED):
            return [self._literal(text) for text in batch]
        literals = list(map(encode_basestring, batch))
        if joined.isprintable():
            return literals
        return [
            literal if text.isprintable() else json_for_display(literal)
            for text, literal in zip(batch, literals, strict=True)
        ]

    def _column(self, values: tuple[Any, ...], depth: int) -> list[_Json]:
        """The JSON of each of *values* (one key's values across records)."""
        kinds = set(map(type, values))
        if kinds == {str}:
            return list(self._literals(values))
        if kinds == {int}:
            return list(map(int.__repr__, values))
        return [self._value(value, depth) for value in values]

    def _dict(self, item: dict[Any, Any], depth: int) -> _Json:
        if not item:
            return "{}"
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled
        members: list[_Json]
        if len(item) >= _BIG and set(map(type, item)) == {str}:
            keys = self._literals(list(item))
            values = self._column(tuple(item.values()), depth + 1)
            if list in set(map(type, values)):
                members = list(map(_member, keys, values))
            else:
                members = list(map("{}: {}".format, keys, values))
        else:
            members = self._members(item, depth)
        if self._masked_any:
            members = self._unique(item, members)
        return _enclose("{", members, "}", depth)

    def _members(self, item: dict[Any, Any], depth: int) -> list[_Json]:
        """``"key": value`` of each entry of a small *item*, one by one."""
        # A known string is one dict look-up (a literal is never empty, so ``or`` only
        # falls through for a string not seen yet).
        known, literal, value = self._literals_cache.get, self._literal, self._value
        deeper = depth + 1
        return [
            _member(
                known(key) or literal(key) if type(key) is str else literal(str(key)),
                known(val) or literal(val) if type(val) is str else value(val, deeper),
            )
            for key, val in item.items()
        ]

    def _unique(self, item: dict[Any, Any], members: list[_Json]) -> list[_Json]:
        """*members* with keys that masking made equal merged, as a dict would (the first
        one's place, the last one's value): JSON names stay unique."""
        merged: dict[str, _Json] = {}
        for key, member in zip(item, members, strict=True):
            merged[self._literal(key if type(key) is str else str(key))] = member
        return list(merged.values())

    def _list(self, item: list[Any] | tuple[Any, ...], depth: int) -> _Json:
        if not item:
            return "[]"
        records = self._records(item, depth + 1) if len(item) >= _BIG else None
        members = self._column(tuple(item), depth + 1) if records is None else records
        return _enclose("[", members, "]", depth)

    def _records(self, item: list[Any] | tuple[Any, ...], depth: int) -> list[_Json] | None:
        """Objects that all have the same two or more string keys, in the same order, and
        plain values (a source's settings), each written by one template; None for
        anything else."""
        if set(map(type, item)) != {dict} or len(set(map(tuple, item))) != 1:
            return None
        keys = tuple(item[0])
        if len(keys) < 2 or set(map(type, keys)) != {str}:
            return None
        names = self._literals(keys)
        if len(set(names)) != len(names):
            return None  # masking made two keys equal: merged one record at a time
        columns = [tuple(map(itemgetter(key), item)) for key in keys]
        if not all(set(map(type, column)) <= _SCALARS for column in columns):
            return None  # a nested value: written one record at a time
        inner = "\n" + _INDENT * (depth + 1)
        template = (
            "{"
            + ",".join(inner + name.replace("%", "%%") + ": %s" for name in names)
            + "\n"
            + _INDENT * depth
            + "}"
        )
        literals = [self._column(column, depth + 1) for column in columns]
        return [template % row for row in zip(*literals, strict=True)]


def _member(name: str, value: _Json) -> _Json:
    """``"name": value``; pieces stay pieces."""
    return name + ": " + value if type(value) is str else [name + ": ", *value]


def _enclose(opening: str, members: list[_Json], closing: str, depth: int) -> _Json:
    """*members* between brackets, one per indented line: a text when it is small and
    all of it is text, else the pieces in order (joined once, by ``write``)."""
    inner = "\n" + _INDENT * (depth + 1)
    separator = "," + inner
    end = "\n" + _INDENT * depth + closing
    if len(members) < _BIG:
        try:
            return opening + inner + separator.join(members) + end  # type: ignore[arg-type]
        except TypeError:  # a member is pieces
            pass
    pieces = [opening + inner]
    if list in set(map(type, members)):
        for index, member in enumerate(members):
            if index:
                pieces.append(separator)
            if type(member) is str:
                pieces.append(member)
            else:
                pieces += member
    else:  # a big source's records: the separators interleaved by C loops
        texts = cast(list[str], members)
        pieces += chain.from_iterable(zip(texts, repeat(separator)))
        pieces.pop()  # the separator after the last member
    pieces.append(end)
    return pieces
