"""Typed view of a ``biconnector.source.get`` answer, parsed leniently but checked.

Shape (spec §4.1)::

    {"result": {"item": {"connection": {...}, "connectorId": 1, "settings": [...]}},
     "time": {...}}

Leniency: ids may come as strings, optional fields may be missing, dates may be null, and
unknown keys are kept (``extra``) so the window can show them. Anything that cannot be a
source at all raises ``BadResponse``. Error envelopes are recognised by ``client.py``
before this module sees the payload.

A setting's ``value`` is held raw here; ``masked_dict`` and the UI show ``MASK`` instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import BadResponse
from .masking import MASK

Scalar = str | int | float | bool | None

CONNECTION_FIELDS: dict[str, str] = {
    "id": "ID",
    "type": "Type",
    "code": "Code",
    "title": "Title",
    "description": "Description",
    "active": "Active",
    "dateCreate": "Created",
    "dateUpdate": "Updated",
    "createdById": "Created by (user ID)",
    "updatedById": "Updated by (user ID)",
}
SETTING_FIELDS = ("id", "code", "name", "type", "value")
TIME_FIELDS: dict[str, str] = {
    "start": "Start (Unix time)",
    "finish": "Finish (Unix time)",
    "duration": "Duration (s)",
    "processing": "Processing (s)",
    "date_start": "Started",
    "date_finish": "Finished",
    "operating": "Operating (s used of this method's limit)",
    "operating_reset_at": "Operating limit resets at (Unix time)",
}


def _bad_shape(what: str) -> BadResponse:
    return BadResponse(
        f"The portal's answer is not a data source: {what}.",
        "The portal may run an unexpected version; the raw answer was not shown "
        "because it can contain secrets.",
    )


def _as_id(value: Any) -> int | str | None:
    """Ids are documented as integers but older portals send strings ("11")."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.isascii() and text.isdigit() else text
    return None


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in ("Y", "y", "1", 1, "true"):
        return True
    if value in ("N", "n", "0", 0, "false"):
        return False
    return None


def _as_number(value: Any) -> float | int | None:
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


def _extra(data: Mapping[str, Any], known: object) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in known}  # type: ignore[operator]


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
            raise _bad_shape("“connection” is missing or not an object")
        return cls(
            id=_as_id(data.get("id")),
            type=_as_text(data.get("type")),
            code=_as_text(data.get("code")),
            title=_as_text(data.get("title")),
            description=_as_text(data.get("description")),
            active=_as_bool(data.get("active")),
            date_create=_as_text(data.get("dateCreate")),
            date_update=_as_text(data.get("dateUpdate")),
            created_by_id=_as_id(data.get("createdById")),
            updated_by_id=_as_id(data.get("updatedById")),
            extra=_extra(data, CONNECTION_FIELDS),
        )

    def field_values(self) -> list[tuple[str, str, Any]]:
        """(json key, label, value) in the documented order."""
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
        return [(key, label, values[key]) for key, label in CONNECTION_FIELDS.items()]


@dataclass(frozen=True)
class Setting:
    """One stored connector parameter. ``value`` is secret: it never appears in repr."""

    id: int | str | None
    code: str | None
    name: str | None
    type: str | None
    value: str | None = field(repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, data: Any, position: int) -> Setting:
        if not isinstance(data, dict):
            raise _bad_shape(f"setting #{position + 1} is not an object")
        return cls(
            id=_as_id(data.get("id")),
            code=_as_text(data.get("code")),
            name=_as_text(data.get("name")),
            type=_as_text(data.get("type")),
            # INT settings may arrive as numbers; objects are kept as JSON text.
            value=_as_text(data.get("value")),
            extra=_extra(data, SETTING_FIELDS),
        )

    @property
    def label(self) -> str:
        name, code = self.name or "", self.code or ""
        if name and code and name != code:
            return f"{name} ({code})"
        return name or code or f"setting {self.id}"


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
            start=_as_number(data.get("start")),
            finish=_as_number(data.get("finish")),
            duration=_as_number(data.get("duration")),
            processing=_as_number(data.get("processing")),
            date_start=_as_text(data.get("date_start")),
            date_finish=_as_text(data.get("date_finish")),
            operating=_as_number(data.get("operating")),
            operating_reset_at=_as_number(data.get("operating_reset_at")),
            extra=_extra(data, TIME_FIELDS),
        )

    def present_fields(self) -> list[tuple[str, str, Any]]:
        """(key, label, value) for the keys the portal actually sent."""
        out = []
        for key, label in TIME_FIELDS.items():
            value = getattr(self, key)
            if value is not None:
                out.append((key, label, value))
        return out


@dataclass(frozen=True)
class Source:
    """A fetched BI Builder source."""

    connection: Connection
    connector_id: int | str | None
    settings: tuple[Setting, ...]
    time: TimeInfo | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def secrets(self) -> tuple[str, ...]:
        return tuple(s.value for s in self.settings if s.value)

    def masked_dict(self, reveal: frozenset[int] = frozenset()) -> dict[str, Any]:
        """The item as JSON-able data with every setting value masked.

        ``reveal`` holds indexes of settings the user chose to show.
        """
        connection = {key: value for key, _label, value in self.connection.field_values()}
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
            data["time"] = {key: value for key, _l, value in self.time.present_fields()}
            data["time"].update(self.time.extra)
        return data


def parse_source(payload: Any) -> Source:
    """Parse a successful ``biconnector.source.get`` payload (errors already checked)."""
    if not isinstance(payload, dict):
        raise _bad_shape("the answer is not a JSON object")
    result = payload.get("result")
    if not isinstance(result, dict):
        raise _bad_shape("“result” is missing or not an object")
    item = result.get("item")
    if not isinstance(item, dict):
        raise _bad_shape("“result.item” is missing or not an object")
    raw_settings = item.get("settings", [])
    if raw_settings is None:
        raw_settings = []
    if not isinstance(raw_settings, list):
        raise _bad_shape("“settings” is not a list")
    return Source(
        connection=Connection.from_json(item.get("connection")),
        connector_id=_as_id(item.get("connectorId")),
        settings=tuple(Setting.from_json(s, i) for i, s in enumerate(raw_settings)),
        time=TimeInfo.from_json(payload.get("time")),
        extra=_extra(item, ("connection", "connectorId", "settings")),
    )
