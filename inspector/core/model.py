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
from urllib.parse import urlsplit

from .errors import BadResponse
from .masking import MASK, sanitize

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


MAX_DEPTH = 64
"""Deeper answers are refused: json.dumps, repr and a tree view all recurse, and a
value nested a few thousand levels deep would raise RecursionError in them."""
_MAX_ID_DIGITS = 18  # int() of a string over 4,300 digits raises ValueError


def _too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists/objects nest deeper than *limit* (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children: Any = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _check_depth(payload: Any) -> None:
    if _too_deep(payload):
        raise BadResponse(
            f"The portal's answer is nested more than {MAX_DEPTH} levels deep, so it was not read.",
            "A Bitrix24 answer is far flatter than this; the address may not be a Bitrix24 portal.",
        )


def _as_id(value: Any) -> int | str | None:
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
    _check_depth(payload)
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
    date_update: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any, position: int) -> SourceSummary:
        if not isinstance(data, dict):
            raise BadResponse(
                f"The portal's list of sources is not usable: entry #{position + 1} is not "
                "an object.",
                "The portal may run an unexpected version.",
            )
        return cls(
            id=_as_id(data.get("id")),
            title=_as_text(data.get("title")),
            type=_as_text(data.get("type")),
            active=_as_bool(data.get("active")),
            connector_id=_as_id(data.get("connectorId")),
            code=_as_text(data.get("code")),
            description=_as_text(data.get("description")),
            date_create=_as_text(data.get("dateCreate")),
            date_update=_as_text(data.get("dateUpdate")),
            extra=_extra(data, _SUMMARY_KNOWN),
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
        }
        data.update(self.extra)
        return data


def parse_source_list_page(payload: Any) -> list[SourceSummary]:
    """Parse one page of ``biconnector.source.list``: ``result`` is a bare array."""
    _check_depth(payload)
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
            "The portal's answer is not a list of sources (“result” is not an array).",
            "The portal may run an unexpected version; the raw answer was not shown "
            "because it can contain secrets.",
        )
    return [SourceSummary.from_json(entry, i) for i, entry in enumerate(result)]


# --- biconnector.connector.get ----------------------------------------------------------------

CONNECTOR_URL_FIELDS: dict[str, str] = {
    "urlCheck": "Check URL",
    "urlTableList": "Table list URL",
    "urlTableDescription": "Table description URL",
    "urlData": "Data URL",
}
"""The connector's endpoints, which Bitrix24 calls with the source's settings (spec §6.3)."""

_CONNECTOR_KNOWN = (
    "id",
    "title",
    "description",
    "logo",
    "sort",
    "settings",
    "dateCreate",
    "supportMapping",
    "sourceCode",
    *CONNECTOR_URL_FIELDS,
)


@dataclass(frozen=True)
class ConnectorSetting:
    """A parameter the connector declares: its code, display name and type (no value)."""

    code: str | None
    name: str | None
    type: str | None


@dataclass(frozen=True)
class Connector:
    """What ``biconnector.connector.get`` says about a connector.

    ``urls`` maps the endpoint field (``urlCheck``...) to the URL as sent. ``logo`` (a URL
    or a large data URI) is kept out of ``repr``.
    """

    id: int | str | None
    title: str | None
    description: str | None
    settings: tuple[ConnectorSetting, ...]
    urls: dict[str, str]
    sort: float | int | None = None
    date_create: str | None = None
    source_code: str | None = None
    support_mapping: bool | None = None
    logo: str | None = field(default=None, repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_connector(payload: Any, requested_id: int | str | None = None) -> Connector:
    """Parse a successful ``biconnector.connector.get`` payload (``result.item``).

    The documentation's example item has no ``id``; *requested_id* fills it in.
    """
    _check_depth(payload)
    result = payload.get("result") if isinstance(payload, dict) else None
    item = result.get("item", result) if isinstance(result, dict) else None
    if not isinstance(item, dict):
        raise BadResponse(
            "The portal's answer is not a connector (“result.item” is missing).",
            "The portal may run an unexpected version.",
        )
    raw_settings = item.get("settings") or []
    if not isinstance(raw_settings, list):
        raise BadResponse("The connector's “settings” is not a list.")
    settings = tuple(
        ConnectorSetting(
            code=_as_text(s.get("code")),
            name=_as_text(s.get("name")),
            type=_as_text(s.get("type")),
        )
        for s in raw_settings
        if isinstance(s, dict)
    )
    urls = {
        key: value
        for key in CONNECTOR_URL_FIELDS
        if isinstance(value := item.get(key), str) and value
    }
    connector_id = _as_id(item.get("id"))
    return Connector(
        id=connector_id if connector_id is not None else requested_id,
        title=_as_text(item.get("title")),
        description=_as_text(item.get("description")),
        settings=settings,
        urls=urls,
        sort=_as_number(item.get("sort")),
        date_create=_as_text(item.get("dateCreate")),
        source_code=_as_text(item.get("sourceCode")),
        support_mapping=_as_bool(item.get("supportMapping")),
        logo=_as_text(item.get("logo")),
        extra=_extra(item, _CONNECTOR_KNOWN),
    )


def display_url(url: str) -> str:
    """A URL for display: scheme, host, port and path only (no user info, no query)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return sanitize(url, max_len=200)
    if ":" in host:
        host = f"[{host}]"
    return sanitize(f"{parts.scheme}://{host}{port}{parts.path}", max_len=300)


@dataclass(frozen=True)
class ConnectorReport:
    """How a source's settings line up with what its connector declares.

    * ``labels``: setting code → the name the connector declares for it;
    * ``missing``: parameters the connector declares that the source does not have;
    * ``undeclared``: codes of source settings the connector does not declare;
    * ``type_mismatches``: (code, declared type, the source's type);
    * ``plain_http_endpoints``: (field, URL for display) of endpoints on plain ``http://``,
      which receive the source's settings (credentials included) unencrypted;
    * ``other_connector``: the connector's id differs from the source's ``connectorId``.
    """

    connector: Connector
    labels: dict[str, str]
    missing: tuple[ConnectorSetting, ...]
    undeclared: tuple[str, ...]
    type_mismatches: tuple[tuple[str, str, str], ...]
    plain_http_endpoints: tuple[tuple[str, str], ...]
    other_connector: bool = False

    @property
    def title(self) -> str:
        """The connector's title, or "connector <id>"."""
        return self.connector.title or f"connector {self.connector.id}"

    def label_for(self, setting: Setting) -> str:
        """The setting's label with the connector's declared name: "Password (password)"."""
        declared = self.labels.get(setting.code or "")
        if not declared:
            return setting.label
        code = setting.code or ""
        return f"{declared} ({code})" if declared != code else declared

    def warnings(self) -> list[str]:
        """Plain sentences about what deserves attention (empty when all is well)."""
        out: list[str] = []
        if self.other_connector:
            out.append("The connector's ID differs from the source's connector ID.")
        if self.missing:
            names = ", ".join(sanitize(s.name or s.code or "?", max_len=80) for s in self.missing)
            out.append(f"The connector declares settings the source lacks: {names}.")
        if self.undeclared:
            codes = ", ".join(sanitize(c, max_len=80) for c in self.undeclared)
            out.append(f"The source has settings the connector does not declare: {codes}.")
        for code, declared, actual in self.type_mismatches:
            out.append(
                f"Setting {sanitize(code, max_len=80)} is {sanitize(actual, max_len=20)} in "
                f"the source but declared {sanitize(declared, max_len=20)} by the connector."
            )
        if self.plain_http_endpoints:
            which = ", ".join(
                f"{CONNECTOR_URL_FIELDS.get(key, key)} {url}"
                for key, url in self.plain_http_endpoints
            )
            out.append(
                f"The connector's endpoints use plain http:// ({which}): Bitrix24 sends the "
                "source's settings, credentials included, to them unencrypted."
            )
        return out


def compare(source: Source, connector: Connector) -> ConnectorReport:
    """Line up *source*'s settings with what *connector* declares (a pure function)."""
    declared = {s.code: s for s in connector.settings if s.code}
    present = {s.code for s in source.settings if s.code}
    labels = {code: s.name for code, s in declared.items() if s.name}
    missing = tuple(s for code, s in declared.items() if code not in present)
    undeclared = tuple(
        dict.fromkeys(s.code for s in source.settings if s.code and s.code not in declared)
    )
    mismatches = tuple(
        (s.code, declared[s.code].type or "", s.type or "")
        for s in source.settings
        if s.code in declared
        and declared[s.code].type
        and s.type
        and declared[s.code].type != s.type
    )
    plain_http = tuple(
        (key, display_url(url))
        for key, url in connector.urls.items()
        if url.strip().lower().startswith("http://")
    )
    other = (
        source.connector_id is not None
        and connector.id is not None
        and str(source.connector_id) != str(connector.id)
    )
    return ConnectorReport(
        connector=connector,
        labels=labels,
        missing=missing,
        undeclared=undeclared,
        type_mismatches=mismatches,
        plain_http_endpoints=plain_http,
        other_connector=other,
    )
