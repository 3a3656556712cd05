"""``get --json`` read straight from the portal's answer, without the window's records.

Why: for a big source, building a ``Setting`` record per setting (and the secret set the
window needs, made on the parsing thread) cost about as much as everything else the
command does, and ``--json`` needs none of it: only the masked rows, the setting values
to hide elsewhere, and each setting's code and type for the connector's comparison.

``masked_source`` reads ``biconnector.source.get``'s payload in one pass over the
settings and returns what ``Source.masked_dict()`` would (every value ``MASK``, unknown
keys of a setting masked too), read with the same lenient readers. The source's head
(connection, ``connectorId``, unknown keys, ``time``) is parsed by ``model.parse_source``
itself, so it stays the one reading of those. Anything unusual (a setting that is not an
object, ``settings`` that is not a list) is handed to ``parse_source`` whole, which raises
the error it always raises, or returns the source to make the rows from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .json_values import MAX_DEPTH, as_id, as_text, too_deep
from .masking import MASK
from .model import MIN_REDACTED_VALUE, SETTING_FIELDS, Source, parse_source

_KNOWN = frozenset(SETTING_FIELDS)
_SETTINGS_LEVEL = 3
"""The settings list's depth in the answer (the answer 0, ``result`` 1, ``item`` 2)."""


@dataclass(frozen=True)
class MaskedSource:
    """A source as ``get --json`` prints it, and what the rest of the command needs.

    ``data`` is ``Source.masked_dict()``; ``secrets`` every non-empty setting value (held
    raw: mask with them, never show them); ``settings`` each setting's (code, type), in
    order, for ``connector.compare_settings``.
    """

    data: dict[str, Any]
    connector_id: int | str | None
    secrets: tuple[str, ...]
    settings: tuple[tuple[str | None, str | None], ...]

    def distinctive_secrets(self) -> tuple[str, ...]:
        """As ``Source.distinctive_secrets``: the values long enough to hide elsewhere."""
        return tuple(v for v in self.secrets if len(v) >= MIN_REDACTED_VALUE)


def masked_source(payload: Any) -> MaskedSource:
    """The masked source of a successful ``biconnector.source.get`` *payload*.

    Raises ``BadResponse`` exactly where ``parse_source`` would.
    """
    result = payload.get("result") if isinstance(payload, dict) else None
    item = result.get("item") if isinstance(result, dict) else None
    raw = item.get("settings") if isinstance(item, dict) else None
    if not isinstance(raw, list) or not all(type(entry) is dict for entry in raw):
        return _from_source(parse_source(payload))
    assert isinstance(result, dict) and isinstance(item, dict)
    head = parse_source({**payload, "result": {**result, "item": {**item, "settings": []}}})
    rows, secrets, settings, unusual = _rows(raw)
    # parse_source checked the depth of all but the settings. A setting of plain texts and
    # an integer id nests no deeper than itself; the others are looked through here, as
    # deep in the answer as they are (``unusual`` stands in for the settings list).
    if too_deep(unusual, MAX_DEPTH - _SETTINGS_LEVEL):
        return _from_source(parse_source(payload))  # which raises, as it always did
    data = head.masked_dict()
    data["settings"] = rows
    return MaskedSource(data, head.connector_id, secrets, settings)


def _rows(
    raw: list[dict[str, Any]],
) -> tuple[
    list[dict[str, Any]],
    tuple[str, ...],
    tuple[tuple[str | None, str | None], ...],
    list[dict[str, Any]],
]:
    """Each setting as ``masked_dict`` writes it; the values; the (code, type) pairs; the
    unusual settings (a field not plain text or an integer id, or unknown keys).

    The readers (``as_id``, ``as_text``) are called only for what is not already of the
    type they return: for 50,000 settings the calls alone were a tenth of a second.
    """
    rows: list[dict[str, Any]] = []
    secrets: list[str] = []
    settings: list[tuple[str | None, str | None]] = []
    unusual: list[dict[str, Any]] = []
    known = _KNOWN
    for data in raw:
        get = data.get
        id_, code, name, kind, value = (
            get("id"),
            get("code"),
            get("name"),
            get("type"),
            get("value"),
        )
        plain = True
        if type(id_) is not int:
            id_, plain = as_id(id_), False
        if type(code) is not str:
            code, plain = as_text(code), False
        if type(name) is not str:
            name, plain = as_text(name), False
        if type(kind) is not str:
            kind, plain = as_text(kind), False
        if type(value) is not str:
            value, plain = as_text(value), False
        row = {"id": id_, "code": code, "name": name, "type": kind, "value": MASK}
        if not known.issuperset(data):
            # Unknown keys of a setting are kept, but treated as secret like the value.
            row.update({key: MASK for key in data if key not in known})
            plain = False
        if not plain:
            unusual.append(data)
        rows.append(row)
        if value:
            secrets.append(value)
        settings.append((code, kind))
    return rows, tuple(secrets), tuple(settings), unusual


def _from_source(source: Source) -> MaskedSource:
    return MaskedSource(
        source.masked_dict(),
        source.connector_id,
        source.secrets(),
        tuple((s.code, s.type) for s in source.settings),
    )
