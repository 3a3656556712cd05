"""Typed view of a ``biconnector.source.get`` answer, parsed leniently but checked.

Shape (spec §4.1)::

    {"result": {"item": {"connection": {...}, "connectorId": 1, "settings": [...]}},
     "time": {...}}

Leniency: ids may come as strings, optional fields may be missing, dates may be null, and
unknown keys are kept (``extra``) so the window can show them. Anything that cannot be a
source at all raises ``BadResponse``. Error envelopes are recognised by the client package
before this module sees the payload.

A setting's ``value`` is held raw here; ``masked_dict`` and the UI show ``MASK`` instead.
The records hold data only: what a person sees of them (labels, formatted values) is built
in ``outline.py``; the connector's records are in ``connector.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, TypeVar, cast

from ..i18n import _
from .collector import collector_paused
from .errors import BadResponse
from .json_values import (
    as_bool,
    as_date,
    as_id,
    as_number,
    as_text,
    check_depth,
    unknown_keys,
)
from .masking import MASK, SecretSet

CONNECTION_FIELDS = (
    "id",
    "type",
    "code",
    "title",
    "description",
    "active",
    "dateCreate",
    "dateUpdate",
    "createdById",
    "updatedById",
)
"""The documented keys of ``connection``, in the documentation's order."""
MIN_REDACTED_VALUE = 6
"""Setting values this long are redacted from every other text (see ``distinctive_secrets``)."""
SETTING_FIELDS = ("id", "code", "name", "type", "value")
NO_EXTRA: dict[str, Any] = {}
"""The ``extra`` of every record that has no unknown keys: one shared dictionary, read only."""
TIME_FIELDS = (
    "start",
    "finish",
    "duration",
    "processing",
    "date_start",
    "date_finish",
    "operating",
    "operating_reset_at",
)
"""The keys of the ``time`` block the inspector knows (``TimeInfo``'s attributes)."""


def _bad_shape(what: str) -> BadResponse:
    """*what* is a translated clause: "“settings” is not a list"."""
    return BadResponse(
        _("The portal's answer is not a data source: {what}.").format(what=what),
        _(
            "The portal may run an unexpected version; the raw answer was not shown "
            "because it can contain secrets."
        ),
    )


@dataclass(frozen=True)
class Connection:
    id: int | str | None
    type: str | None
    code: str | None
    title: str | None
    description: str | None
    active: bool | None
    date_create: str | None  # as the portal sent it: "Y-m-d H:i:s", no time zone
    date_update: str | None
    created_by_id: int | str | None
    updated_by_id: int | str | None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any) -> Connection:
        if not isinstance(data, dict):
            raise _bad_shape(_("“connection” is missing or not an object"))
        return cls(
            id=as_id(data.get("id")),
            type=as_text(data.get("type")),
            code=as_text(data.get("code")),
            title=as_text(data.get("title")),
            description=as_text(data.get("description")),
            active=as_bool(data.get("active")),
            date_create=as_date(data.get("dateCreate")),
            date_update=as_date(data.get("dateUpdate")),
            created_by_id=as_id(data.get("createdById")),
            updated_by_id=as_id(data.get("updatedById")),
            extra=unknown_keys(data, CONNECTION_FIELDS),
        )

    def documented_fields(self) -> list[tuple[str, Any]]:
        """(json key, value) of every documented field, in the documented order."""
        values = {
            "id": self.id,
            "type": self.type,
            "code": self.code,
            "title": self.title,
            "description": self.description,
            "active": self.active,
            "dateCreate": self.date_create,
            "dateUpdate": self.date_update,
            "createdById": self.created_by_id,
            "updatedById": self.updated_by_id,
        }
        return [(key, values[key]) for key in CONNECTION_FIELDS]


@dataclass(frozen=True, slots=True)
class Setting:
    """One stored connector parameter. ``value`` is secret: it never appears in repr.

    Slotted, its code and type name shared (``shared_text``, so the connector's declaration
    of the same code is one string too) and an empty ``extra`` shared: a source may hold
    50,000 of them, and a per-instance dictionary, an empty one and a copy of "STRING"
    cost about 200 bytes each. What it keeps of the answer is copied out of it
    (``detached``), so the parsed answer's memory can be given back whole.
    """

    id: int | str | None
    code: str | None
    name: str | None
    type: str | None
    value: str | None = field(repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, data: Any, position: int) -> Setting:
        if not isinstance(data, dict):
            raise _bad_shape(_("setting #{number} is not an object").format(number=position + 1))
        return cls(
            id=detached(as_id(data.get("id"))),
            code=shared_text(detached(as_text(data.get("code")))),
            name=detached(as_text(data.get("name"))),
            type=shared_text(as_text(data.get("type"))),
            # INT settings may arrive as numbers; objects are kept as JSON text.
            value=detached(as_text(data.get("value"))),
            extra=unknown_keys(data, SETTING_FIELDS) or NO_EXTRA,
        )

    @property
    def label(self) -> str:
        name, code = self.name or "", self.code or ""
        if name and code and name != code:
            return f"{name} ({code})"
        return name or code or _("setting {id}").format(id=self.id)


@dataclass(frozen=True)
class TimeInfo:
    start: float | int | None = None
    finish: float | int | None = None
    duration: float | int | None = None
    processing: float | int | None = None
    date_start: str | None = None
    date_finish: str | None = None
    operating: float | int | None = None
    operating_reset_at: float | int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any) -> TimeInfo | None:
        if not isinstance(data, dict):
            return None
        return cls(
            start=as_number(data.get("start")),
            finish=as_number(data.get("finish")),
            duration=as_number(data.get("duration")),
            processing=as_number(data.get("processing")),
            date_start=as_text(data.get("date_start")),
            date_finish=as_text(data.get("date_finish")),
            operating=as_number(data.get("operating")),
            operating_reset_at=as_number(data.get("operating_reset_at")),
            extra=unknown_keys(data, TIME_FIELDS),
        )

    def sent_fields(self) -> list[tuple[str, Any]]:
        """(key, value) of the known keys the portal actually sent, in ``TIME_FIELDS`` order."""
        return [(key, value) for key in TIME_FIELDS if (value := getattr(self, key)) is not None]


@dataclass(frozen=True)
class Source:
    """A fetched BI Builder source."""

    connection: Connection
    connector_id: int | str | None
    settings: tuple[Setting, ...]
    time: TimeInfo | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    _prepared: list[SecretSet] = field(default_factory=list, repr=False, compare=False)
    """``distinctive_set``'s answer once made (a one-item list: the record stays frozen)."""

    def distinctive_set(self) -> SecretSet:
        """``distinctive_secrets`` prepared for redaction, made once per source.

        ``parse_source`` makes it, filters included (``SecretSet.prepare``), on the thread
        that parses (the fetch's worker): for 50,000 settings it takes 10-30 ms, which the
        window's thread should not spend.
        It is kept as long as the source is, so it is compact: it holds the values
        themselves and a hash table, ~40 bytes per setting rather than ~450.
        """
        if not self._prepared:
            self._prepared.append(SecretSet(self.distinctive_secrets(), compact=True).prepare())
        return self._prepared[0]

    def secrets(self) -> tuple[str, ...]:
        return tuple(s.value for s in self.settings if s.value)

    def distinctive_secrets(self) -> tuple[str, ...]:
        """The setting values long enough to be hidden wherever else they occur.

        Shorter ones ("30", "5432") also occur in timings and ids; the structural masking
        covers them, and replacing them everywhere would garble ordinary numbers.
        """
        return tuple(v for v in self.secrets() if len(v) >= MIN_REDACTED_VALUE)

    def masked_dict(self, reveal: frozenset[int] = frozenset()) -> dict[str, Any]:
        """The item as JSON-able data with every setting value masked.

        ``reveal`` holds indexes of settings the user chose to show.
        """
        connection = dict(self.connection.documented_fields())
        connection.update(self.connection.extra)
        settings = []
        for index, s in enumerate(self.settings):
            entry: dict[str, Any] = {"id": s.id, "code": s.code, "name": s.name, "type": s.type}
            entry["value"] = s.value if index in reveal else MASK
            # Unknown keys of a setting are kept, but treated as secret like the value.
            entry.update({key: MASK for key in s.extra if key not in entry})
            settings.append(entry)
        data: dict[str, Any] = {
            "connection": connection,
            "connectorId": self.connector_id,
            "settings": settings,
        }
        data.update(self.extra)
        if self.time is not None:
            data["time"] = dict(self.time.sent_fields())
            data["time"].update(self.time.extra)
        return data


def parse_source(payload: Any) -> Source:
    """Parse a successful ``biconnector.source.get`` payload (errors already checked)."""
    with collector_paused():
        return _parse_source(payload)


def _parse_source(payload: Any) -> Source:
    if not isinstance(payload, dict):
        raise _bad_shape(_("the answer is not a JSON object"))
    check_depth(payload)
    result = payload.get("result")
    if not isinstance(result, dict):
        raise _bad_shape(_("“result” is missing or not an object"))
    item = result.get("item")
    if not isinstance(item, dict):
        raise _bad_shape(_("“result.item” is missing or not an object"))
    raw_settings = item.get("settings", [])
    if raw_settings is None:
        raw_settings = []
    if not isinstance(raw_settings, list):
        raise _bad_shape(_("“settings” is not a list"))
    source = Source(
        connection=Connection.from_json(item.get("connection")),
        connector_id=as_id(item.get("connectorId")),
        settings=tuple(Setting.from_json(s, i) for i, s in enumerate(raw_settings)),
        time=TimeInfo.from_json(payload.get("time")),
        extra=unknown_keys(item, ("connection", "connectorId", "settings")),
    )
    source.distinctive_set()  # here, on the parsing thread (see its docstring)
    return source


_Parsed = TypeVar("_Parsed", bound=int | str | None)
_EMPTY_PAIR = ("", "")


def detached(value: _Parsed) -> _Parsed:
    """A new copy of a text or number taken from a parsed answer, for a record to keep.

    ``json.loads`` makes an answer's strings and numbers among its dictionaries, in the
    same memory pages. A record that keeps the parsed objects keeps those pages once the
    dictionaries are freed, half empty: with 50,000 settings, about 200 bytes per setting
    of memory the process holds but does not use. Copies made while the answer is still
    alive are packed together instead, so freeing the answer frees its pages whole.
    """
    if isinstance(value, str):
        # "" + value + "" in one new string (a slice or str() would return *value*).
        return cast(_Parsed, value.join(_EMPTY_PAIR))
    if isinstance(value, int) and not isinstance(value, bool):
        return cast(_Parsed, value + 0)  # a new int (small ones are shared anyway)
    return value


_SHARED_LEN = 40
"""Texts up to this long are shared (interned); a longer one is seldom repeated."""


def shared_text(text: str | None) -> str | None:
    """One copy of a short, often repeated text (a setting's type or code)."""
    return sys.intern(text) if text is not None and len(text) <= _SHARED_LEN else text


def shared_texts(texts: list[str]) -> Iterator[str]:
    """``shared_text`` of each of *texts* (all ``str``): at C speed when all are short."""
    if max(map(len, texts), default=0) <= _SHARED_LEN:
        return map(sys.intern, texts)
    return (text if len(text) > _SHARED_LEN else sys.intern(text) for text in texts)


def detached_texts(texts: list[str]) -> Iterator[str]:
    """``detached`` of each of *texts* (all ``str``), at C speed."""
    return map(str.join, texts, repeat(_EMPTY_PAIR))


# --- biconnector.source.list ------------------------------------------------------------------

LIST_SELECT: tuple[str, ...] = (
    "id",
    "title",
    "type",
    "code",
    "description",
    "active",
    "dateCreate",
    "dateUpdate",
    "createdById",
    "updatedById",
    "connectorId",
)
"""The fields the source picker asks for: everything but ``settings`` (the secrets)."""

_SUMMARY_KNOWN = (*LIST_SELECT, "settings")


@dataclass(frozen=True)
class SourceSummary:
    """One row of ``biconnector.source.list``, for the source picker.

    Holds no setting values: ``settings`` is neither requested nor kept, even if a portal
    sends it anyway. ``id`` is an int, or a string when the portal sent a non-numeric one.
    """

    id: int | str | None
    title: str | None
    type: str | None
    active: bool | None
    connector_id: int | str | None
    code: str | None = None
    description: str | None = None
    date_create: str | None = None
    """``None`` when not sent: absent, ``null``, ``""`` or ``{}`` (spec §17)."""
    date_update: str | None = None
    created_by_id: int | str | None = None
    updated_by_id: int | str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any, position: int) -> SourceSummary:
        if not isinstance(data, dict):
            raise BadResponse(
                _(
                    "The portal's list of sources is not usable: entry #{number} is not an object."
                ).format(number=position + 1),
                _("The portal may run an unexpected version."),
            )
        return cls(
            id=as_id(data.get("id")),
            title=as_text(data.get("title")),
            type=as_text(data.get("type")),
            active=as_bool(data.get("active")),
            connector_id=as_id(data.get("connectorId")),
            code=as_text(data.get("code")),
            description=as_text(data.get("description")),
            date_create=as_date(data.get("dateCreate")),
            date_update=as_date(data.get("dateUpdate")),
            created_by_id=as_id(data.get("createdById")),
            updated_by_id=as_id(data.get("updatedById")),
            extra=unknown_keys(data, _SUMMARY_KNOWN),
        )

    def matches(self, text: str) -> bool:
        """Case-insensitive search over id, title, type, code, description and connector id.

        Every word of *text* must occur somewhere; an empty text matches everything.
        """
        haystack = " ".join(
            str(v)
            for v in (
                self.id,
                self.title,
                self.type,
                self.code,
                self.description,
                self.connector_id,
            )
            if v is not None
        ).casefold()
        return all(word in haystack for word in text.casefold().split())

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-able data in the portal's own key names (no settings)."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "type": self.type,
            "active": self.active,
            "connectorId": self.connector_id,
            "code": self.code,
            "description": self.description,
            "dateCreate": self.date_create,
            "dateUpdate": self.date_update,
            "createdById": self.created_by_id,
            "updatedById": self.updated_by_id,
        }
        data.update(self.extra)
        return data


def parse_source_list_page(payload: Any) -> list[SourceSummary]:
    """Parse one page of ``biconnector.source.list``: ``result`` is a bare array."""
    check_depth(payload)
    result = payload.get("result") if isinstance(payload, dict) else None
    if (
        isinstance(result, dict)
        and result
        and all(isinstance(k, str) and k.isdigit() for k in result)
        and all(isinstance(v, dict) for v in result.values())
    ):
        result = list(result.values())  # PHP sends a sparse array as an object
    if not isinstance(result, list):
        raise BadResponse(
            _("The portal's answer is not a list of sources (“result” is not an array)."),
            _(
                "The portal may run an unexpected version; the raw answer was not shown "
                "because it can contain secrets."
            ),
        )
    return [SourceSummary.from_json(entry, i) for i, entry in enumerate(result)]
