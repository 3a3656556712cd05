"""What a person sees of a fetched source, as rows: built once for the window and the CLI.

A source becomes a tree of ``Row``: a label, the value's display text, its type, whether
the text is the mask over a secret, and for a setting its position (the window reveals a
value by it). The window's model (``ui/source_tree_model.py``) shows the rows as
Field | Value | Type; ``cli.render_tree`` prints them as indented text. Both therefore
write every value the same way: the formatters are in ``formatting.py``, and the labels
and section wording are here.

Every text from the portal passes ``masking.safe_text`` against the secrets the caller
names (no control or bidi characters, no known secret), and every setting value is
``MASK`` unless the caller revealed it: no row can hold a value nobody asked to see.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from . import formatting
from .connector import CONNECTOR_URL_FIELDS, ConnectorReport, display_url
from .formatting import NONE_TEXT, plural
from .masking import MASK, SecretSet, safe_text
from .model import Setting, Source

CONNECTION_LABELS: dict[str, str] = {
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
"""The label of each documented ``connection`` key (``model.CONNECTION_FIELDS``)."""
TIME_LABELS: dict[str, str] = {
    "start": "Start (Unix time)",
    "finish": "Finish (Unix time)",
    "duration": "Duration (s)",
    "processing": "Processing (s)",
    "date_start": "Started",
    "date_finish": "Finished",
    "operating": "Operating (s used of this method's limit)",
    "operating_reset_at": "Operating limit resets at (Unix time)",
}
"""The label of each known ``time`` key (``model.TIME_FIELDS``)."""
CONNECTOR_LABELS: dict[str, str] = {
    "sort": "Sort order",
    "dateCreate": "Created",
    "logo": "Logo",
    "supportMapping": "Supports field mapping",
    "sourceCode": "Source code (built-in tile it replaces)",
}
"""The labels of the connector's fields other than its title, description and endpoints."""
SETTING_DETAIL_LABELS: dict[str, str] = {"id": "ID", "code": "Code", "name": "Name", "type": "Type"}

DATETIME_KEYS = frozenset({"dateCreate", "dateUpdate"})
"""Dates the portal sends as "Y-m-d H:i:s" without a zone: shown as sent."""
UNIX_TIME_KEYS = frozenset({"start", "finish", "operating_reset_at"})
SECONDS_KEYS = frozenset({"duration", "processing", "operating"})
"""Durations of the ``time`` block (elsewhere these keys are not known to be seconds)."""

CONNECTOR_LABEL = "Connector"
LOOKING_UP = "looking it up…"
LOOKUP_CANCELLED = "lookup cancelled"
LOOKUP_FAILED = "could not be looked up"
NOT_LOOKED_UP = "not looked up"


@dataclass(frozen=True)
class ConnectorState:
    """What is known about the shown source's connector: a report, or a note why not."""

    report: ConnectorReport | None = None
    note: str = ""


@dataclass(frozen=True)
class Row:
    """One row a person sees. Its texts are final: masked, redacted and sanitised."""

    label: str
    text: str = ""
    kind: str = ""
    """The value's type: a JSON type, "datetime", "url", or a setting's declared type."""
    children: tuple[Row, ...] = ()
    section: bool = False
    """A heading over rows of its own (Connection, Settings, …), shown in bold."""
    secret: bool = False
    """``text`` is the mask over a value that may be secret."""
    setting: int | None = None
    """The position in ``Source.settings`` of the setting this row stands for (to reveal)."""
    typed: bool = False
    """``kind`` is a setting's type, which text output shows beside the label."""
    tooltip: str = ""
    """The whole text of a long row (already masked)."""
    span: bool = False
    """One sentence across all columns (a warning), in ``label``."""

    def walk(self) -> Iterator[Row]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Outline:
    """A source as rows, under a one-line heading ("Source 7: Sales warehouse")."""

    heading: str
    rows: tuple[Row, ...] = field(default_factory=tuple)


def source_outline(
    source: Source,
    connector: ConnectorState | None = None,
    secrets: Iterable[str] = (),
    revealed: frozenset[int] = frozenset(),
) -> Outline:
    """The rows of *source*; *secrets* are redacted from every text, the setting values
    at the *revealed* positions are shown and the others masked."""
    outliner = Outliner(secrets)
    return Outline(
        outliner.heading(source), outliner.rows(source, connector or ConnectorState(), revealed)
    )


class Outliner:
    """Turns a ``Source`` into ``Row``s; every portal string passes ``safe_text``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Prepared once: every text is redacted against every setting value (10,000s).
        self._secrets = SecretSet(secrets)

    def text(self, value: str, max_len: int = 2000) -> str:
        return safe_text(value, self._secrets, max_len=max_len)

    def heading(self, source: Source) -> str:
        connection = source.connection
        title = NONE_TEXT if connection.title is None else self.text(connection.title, 300)
        return f"Source {self.text(formatting.identifier(connection.id), 40)}: {title}"

    def value(self, key: str, value: Any, *, seconds: bool = False) -> tuple[str, str]:
        """(display text, type) of a value that is not secret; *seconds*: a duration."""
        kind = formatting.value_kind(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            if seconds:
                return formatting.seconds(value), kind
            if key in UNIX_TIME_KEYS:
                return formatting.unix_time(value), kind
            return formatting.number(value), kind
        if key in DATETIME_KEYS:
            if value is None:
                return formatting.NOT_SENT, "null"
            kind = "datetime"
        text = formatting.value_text(value)
        return (text if value is None or isinstance(value, bool) else self.text(text)), kind

    def field(self, key: str, label: str, value: Any, *, seconds: bool = False) -> Row:
        text, kind = self.value(key, value, seconds=seconds)
        return Row(self.text(label, 200), text, kind)

    def rows(
        self, source: Source, connector: ConnectorState, revealed: frozenset[int] = frozenset()
    ) -> tuple[Row, ...]:
        connection = source.connection
        fields = [self.field(k, CONNECTION_LABELS[k], v) for k, v in connection.documented_fields()]
        fields += [self.field(key, key, value) for key, value in connection.extra.items()]
        rows = [Row("Connection", plural(len(fields), "field"), "object", tuple(fields), True)]
        rows.append(self.settings(source, connector.report, revealed))
        # After the settings: what the connector declares is read against them.
        rows.append(self.connector(source, connector))
        rows += [self.field(key, key, value) for key, value in source.extra.items()]
        if source.time is not None:
            time = source.time
            times = [
                self.field(key, TIME_LABELS[key], value, seconds=key in SECONDS_KEYS)
                for key, value in time.sent_fields()
            ]
            times += [self.field(key, key, value) for key, value in time.extra.items()]
            rows.append(Row("Time", plural(len(times), "field"), "object", tuple(times), True))
        return tuple(rows)

    def settings(
        self, source: Source, report: ConnectorReport | None, revealed: frozenset[int]
    ) -> Row:
        count = len(source.settings)
        shown = "values shown" if count and len(revealed) >= count else "values hidden"
        return Row(
            f"Settings ({count})",
            f"{plural(count, 'setting')}, {shown}" if count else "none",
            "array",
            tuple(
                self.setting(position, setting, report, position in revealed)
                for position, setting in enumerate(source.settings)
            ),
            section=True,
        )

    def setting_label(self, setting: Setting, report: ConnectorReport | None) -> str:
        """The setting's label, with the name its connector declares once that is known."""
        label = report.label_for(setting) if report is not None else setting.label
        return self.text(label, 600)

    def setting(
        self, position: int, setting: Setting, report: ConnectorReport | None, revealed: bool
    ) -> Row:
        details = [
            self.field(key, label, getattr(setting, key))
            for key, label in SETTING_DETAIL_LABELS.items()
        ]
        # Unknown keys of a setting may be secret as well: shown masked, like masked_dict.
        details += [Row(self.text(key, 200), MASK, "hidden", secret=True) for key in setting.extra]
        return Row(
            self.setting_label(setting, report),
            formatting.revealed_value(setting.value) if revealed else MASK,
            self.text(setting.type or "", 100),
            tuple(details),
            secret=not revealed,
            setting=position,
            typed=True,
        )

    def connector(self, source: Source, connector: ConnectorState) -> Row:
        """The connector: its ID, and once looked up its title, endpoints and findings."""
        connector_id = source.connector_id
        if connector_id is None:
            return Row(CONNECTOR_LABEL, NONE_TEXT, "null")
        shown_id = self.text(str(connector_id), 40)
        id_row = self.field("connectorId", "ID", connector_id)
        report = connector.report
        if report is None:
            note = f" ({connector.note})" if connector.note else ""
            return Row(CONNECTOR_LABEL, f"ID {shown_id}{note}", "connector", (id_row,), True)
        rows = [id_row]
        found = report.connector
        if found.title:
            rows.append(self.field("title", "Title", found.title))
        if found.description:
            rows.append(self.field("description", "Description", found.description))
        rows += self.connector_fields(source, report)
        if report.missing:
            rows.append(self.missing(report))
        warnings = [self.text(warning, 1000) for warning in report.warnings()]
        if warnings:
            lines = tuple(Row(f"⚠ {t}", "", "warning", tooltip=t, span=True) for t in warnings)
            label = f"Warnings ({len(warnings)})"
            rows.append(Row(label, plural(len(warnings), "warning"), "array", lines, True))
        title = f"{self.text(report.title, 300)} (ID {shown_id})"
        return Row(CONNECTOR_LABEL, title, "connector", tuple(rows), True)

    def connector_fields(self, source: Source, report: ConnectorReport) -> list[Row]:
        """The connector's endpoints, whole, and its other fields when the portal sent them."""
        found = report.connector
        rows: list[Row] = []
        plain = {key for key, _url in report.plain_http_endpoints}
        codes = (
            *(s.code for s in found.settings if s.code),
            *(s.code or "" for s in source.settings),
        )
        for key, url in found.urls.items():
            kind = "url, http ⚠" if key in plain else "url"
            label = CONNECTOR_URL_FIELDS.get(key, key)
            shown = display_url(url, source.secrets(), codes)
            rows.append(Row(self.text(label, 200), self.text(shown, 600), kind))
        if found.sort is not None:
            rows.append(self.field("sort", CONNECTOR_LABELS["sort"], found.sort))
        if found.date_create is not None:
            rows.append(self.field("dateCreate", CONNECTOR_LABELS["dateCreate"], found.date_create))
        if found.logo is not None:
            text, kind = formatting.logo(found.logo)
            rows.append(Row(CONNECTOR_LABELS["logo"], self.text(text, 600), kind))
        if found.support_mapping is not None:
            label = CONNECTOR_LABELS["supportMapping"]
            rows.append(self.field("supportMapping", label, found.support_mapping))
        if found.source_code is not None:
            rows.append(self.field("sourceCode", CONNECTOR_LABELS["sourceCode"], found.source_code))
        rows += [self.field(key, key, value) for key, value in found.extra.items()]
        return rows

    def missing(self, report: ConnectorReport) -> Row:
        """The settings the connector declares and the source lacks."""
        rows = []
        for declared in report.missing:
            name, code = declared.name or "", declared.code or ""
            label = f"{name} ({code})" if name and code and name != code else name or code
            kind = self.text(declared.type or "", 100)
            rows.append(Row(self.text(label or "?", 600), "missing", kind, typed=True))
        return Row(
            f"Declared but missing ({len(report.missing)})",
            "the connector declares these; the source has no value for them",
            "array",
            tuple(rows),
            section=True,
        )
