"""What a person sees of a fetched source, as rows: built once for the window and the CLI.

A source becomes a tree of ``Row``: a label, the value's display text, its type, whether
the text is the mask over a secret, and for a setting its position (the window reveals a
value by it). The window's model (``ui/source_tree_model.py``) shows the rows as
Field | Value | Type; ``cli.render_tree`` prints them as indented text. Both therefore
write every value the same way: the formatters are in ``formatting.py``, and the labels
and section wording are here.

A setting is one row (label, masked value, type); its id, code, name and type are in the
row's ``tooltip``, never its value. The settings section's rows are a ``SettingRows``
sequence that makes each row when it is asked for: a source may hold 50,000 settings and
the window shows a screenful, so nothing is built for the rows nobody looks at.

Every text from the portal passes ``masking.safe_text`` against the secrets the caller
names (no control or bidi characters, no known secret), and every setting value is
``MASK`` unless the caller revealed it: no row can hold a value nobody asked to see.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload
from urllib.parse import parse_qsl, urlsplit

from ..i18n import N_, _, ngettext
from . import formatting
from .connector import CONNECTOR_URL_FIELDS, ConnectorReport, display_url
from .formatting import NONE_TEXT
from .masking import MASK, SecretSet, safe_text
from .model import Setting, Source

CONNECTION_LABELS: dict[str, str] = {
    "id": N_("ID"),
    "type": N_("Type"),
    "code": N_("Code"),
    "title": N_("Title"),
    "description": N_("Description"),
    "active": N_("Active"),
    "dateCreate": N_("Created"),
    "dateUpdate": N_("Updated"),
    "createdById": N_("Created by (user ID)"),
    "updatedById": N_("Updated by (user ID)"),
}
"""The label of each documented ``connection`` key (``model.CONNECTION_FIELDS``)."""
TIME_LABELS: dict[str, str] = {
    "date_start": N_("Started"),
    "date_finish": N_("Finished"),
    "start": N_("Start"),
    "finish": N_("Finish"),
    "duration": N_("Duration"),
    "processing": N_("Processing"),
    "operating": N_("Operating (time used of this method's limit)"),
    "operating_reset_at": N_("Operating limit resets at"),
}
"""The label of each known ``time`` key, in the order shown: readable moments first (the
Unix times the portal sent stay in Copy as JSON)."""
CONNECTOR_LABELS: dict[str, str] = {
    "sort": N_("Sort order"),
    "dateCreate": N_("Created"),
    "logo": N_("Logo"),
    "supportMapping": N_("Supports field mapping"),
    "sourceCode": N_("Source code (built-in tile it replaces)"),
}
"""The labels of the connector's fields other than its title, description and endpoints."""
SETTING_DETAIL_LABELS: dict[str, str] = {
    "id": N_("ID"),
    "code": N_("Code"),
    "name": N_("Name"),
    "type": N_("Type"),
}
"""What a setting's tooltip lists (never its value)."""

DATETIME_KEYS = frozenset({"dateCreate", "dateUpdate"})
"""Dates the portal sends as "Y-m-d H:i:s" without a zone: shown as sent."""
ZONED_DATE_KEYS = frozenset({"date_start", "date_finish"})
"""Dates the portal sends with their zone ("2025-03-25T22:04:40+03:00"): shown local."""
UNIX_TIME_KEYS = frozenset({"start", "finish", "operating_reset_at"})
SECONDS_KEYS = frozenset({"duration", "processing", "operating"})
"""Durations of the ``time`` block (elsewhere these keys are not known to be seconds)."""

KIND_NAMES: dict[str, str] = {
    "null": N_("null"),
    "boolean": N_("boolean"),
    "integer": N_("integer"),
    "number": N_("number"),
    "string": N_("string"),
    "array": N_("array"),
    "object": N_("object"),
    "datetime": N_("datetime"),
    "url": N_("url"),
    "url, http ⚠": N_("url, http ⚠"),
    "data URI": N_("data URI"),
    "connector": N_("connector"),
    "warning": N_("warning"),
}
"""The words for the kinds of value the outline gives ``Row.kind`` (see ``Row.kind_text``)."""

CONNECTOR_LABEL = N_("Connector")
"""The Connector section's label (translated with ``_`` where shown or compared)."""
LOOKING_UP = N_("looking it up…")
LOOKUP_CANCELLED = N_("lookup cancelled")
LOOKUP_FAILED = N_("could not be looked up")
NOT_LOOKED_UP = N_("not looked up")


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
    children: Sequence[Row] = ()
    """The rows under this one: a tuple, or for the settings a lazy ``SettingRows`` (what
    is not a tuple is lazy)."""
    section: bool = False
    """A heading over rows of its own (Connection, Settings, …), shown in bold."""
    secret: bool = False
    """``text`` is the mask over a value that may be secret."""
    setting: int | None = None
    """The position in ``Source.settings`` of the setting this row stands for (to reveal)."""
    typed: bool = False
    """``kind`` is a setting's type, which text output shows beside the label."""
    tooltip: str = ""
    """The whole text of a long row, or a setting's details (already masked)."""
    span: bool = False
    """One sentence across all columns (a warning), in ``label``."""

    def kind_text(self) -> str:
        """What the Type column says: the outline's own kinds in the user's language, a
        setting's declared type (portal data) as sent."""
        name = None if self.typed else KIND_NAMES.get(self.kind)
        return self.kind if name is None else _(name)

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

    def __init__(self, secrets: Iterable[str], prepared: SecretSet | None = None) -> None:
        # Prepared once: every text is redacted against every setting value (10,000s).
        # *prepared* is a source's own set (``Source.distinctive_set``), made off the
        # window's thread; *secrets* are the few others (the credential's).
        self._secrets = SecretSet(secrets)
        self._prepared = prepared

    def text(self, value: str, max_len: int = 2000) -> str:
        if self._prepared is None:
            return safe_text(value, self._secrets, max_len=max_len)
        text = safe_text(value, self._prepared, max_len=max_len)
        return safe_text(text, self._secrets, max_len=max_len) if self._secrets else text

    def heading(self, source: Source) -> str:
        connection = source.connection
        title = NONE_TEXT if connection.title is None else self.text(connection.title, 300)
        shown_id = self.text(formatting.identifier(connection.id), 40)
        return _("Source {id}: {title}").format(id=shown_id, title=title)

    def value(self, key: str, value: Any, *, seconds: bool = False) -> tuple[str, str]:
        """(display text, type) of a value that is not secret; *seconds*: a duration."""
        kind = formatting.value_kind(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            if seconds:
                return formatting.seconds(value), kind
            if key in UNIX_TIME_KEYS:
                return formatting.local_time(value), "datetime"
            return formatting.number(value), kind
        if key in ZONED_DATE_KEYS and isinstance(value, str):
            return self.text(formatting.date_time(value)), "datetime"
        if key in DATETIME_KEYS:
            if value is None:
                return _(formatting.NOT_SENT), "null"
            kind = "datetime"
        text = formatting.value_text(value)
        return (text if value is None or isinstance(value, bool) else self.text(text)), kind

    def field(self, key: str, label: str, value: Any, *, seconds: bool = False) -> Row:
        """A row of a known key (*label* is marked ``N_`` and translated here) or an
        unknown one (its key, from the portal, is shown as sent)."""
        text, kind = self.value(key, value, seconds=seconds)
        return Row(self.text(_(label) if label != key else label, 200), text, kind)

    def rows(
        self, source: Source, connector: ConnectorState, revealed: frozenset[int] = frozenset()
    ) -> tuple[Row, ...]:
        connection = source.connection
        fields = [self.field(k, CONNECTION_LABELS[k], v) for k, v in connection.documented_fields()]
        fields += [self.field(key, key, value) for key, value in connection.extra.items()]
        rows = [Row(_("Connection"), fields_text(len(fields)), "object", tuple(fields), True)]
        rows.append(self.settings(source, connector.report, revealed))
        # After the settings: what the connector declares is read against them.
        rows.append(self.connector(source, connector))
        rows += [self.field(key, key, value) for key, value in source.extra.items()]
        if source.time is not None:
            time = source.time
            sent = dict(time.sent_fields())
            times = [
                self.field(key, label, sent[key], seconds=key in SECONDS_KEYS)
                for key, label in TIME_LABELS.items()
                if key in sent
            ]
            times += [self.field(key, key, value) for key, value in time.extra.items()]
            rows.append(Row(_("Time"), fields_text(len(times)), "object", tuple(times), True))
        return tuple(rows)

    def settings(
        self, source: Source, report: ConnectorReport | None, revealed: frozenset[int]
    ) -> Row:
        count = len(source.settings)
        if not count:
            shown = _("none")
        elif len(revealed) >= count:
            shown = ngettext(
                "{n} setting, value shown", "{n} settings, values shown", count
            ).format(n=count)
        else:
            shown = ngettext(
                "{n} setting, value hidden", "{n} settings, values hidden", count
            ).format(n=count)
        return Row(
            _("Settings ({count})").format(count=count),
            shown,
            "array",
            SettingRows(self, source, report, revealed),
            section=True,
        )

    def setting_label(self, setting: Setting, report: ConnectorReport | None) -> str:
        """The setting's label, with the name its connector declares once that is known."""
        label = report.label_for(setting) if report is not None else setting.label
        return self.text(label, 600)

    def setting(
        self, position: int, setting: Setting, report: ConnectorReport | None, revealed: bool
    ) -> Row:
        """One row per setting: label, value (masked unless revealed), type; its details
        in the tooltip."""
        return Row(
            self.setting_label(setting, report),
            formatting.revealed_value(setting.value) if revealed else MASK,
            self.text(setting.type or "", 100),
            secret=not revealed,
            setting=position,
            typed=True,
            tooltip=self.setting_details(setting),
        )

    def setting_details(self, setting: Setting) -> str:
        """ "ID: 12", "Code: password", … one per line: what a setting is, never its value.
        Unknown keys of a setting may be secret too, so only their names are listed."""
        lines = [
            _("{label}: {value}").format(
                label=_(label), value=self.value(key, getattr(setting, key))[0]
            )
            for key, label in SETTING_DETAIL_LABELS.items()
        ]
        if setting.extra:
            keys = ", ".join(self.text(key, 200) for key in setting.extra)
            lines.append(_("Other keys (values hidden): {keys}").format(keys=keys))
        return "\n".join(lines)

    def connector(self, source: Source, connector: ConnectorState) -> Row:
        """The connector: its ID, and once looked up its title, endpoints and findings."""
        connector_id = source.connector_id
        label = _(CONNECTOR_LABEL)
        if connector_id is None:
            return Row(label, NONE_TEXT, "null")
        shown_id = self.text(str(connector_id), 40)
        id_row = self.field("connectorId", N_("ID"), connector_id)
        report = connector.report
        if report is None:
            if connector.note:
                text = _("ID {id} ({note})").format(id=shown_id, note=_(connector.note))
            else:
                text = _("ID {id}").format(id=shown_id)
            return Row(label, text, "connector", (id_row,), True)
        rows = [id_row]
        found = report.connector
        if found.title:
            rows.append(self.field("title", N_("Title"), found.title))
        if found.description:
            rows.append(self.field("description", N_("Description"), found.description))
        rows += self.connector_fields(source, report)
        if report.missing:
            rows.append(self.missing(report))
        warnings = [self.text(warning, 1000) for warning in report.warnings()]
        if warnings:
            lines = tuple(Row(f"⚠ {t}", "", "warning", tooltip=t, span=True) for t in warnings)
            count = len(warnings)
            heading = _("Warnings ({count})").format(count=count)
            text = ngettext("{n} warning", "{n} warnings", count).format(n=count)
            rows.append(Row(heading, text, "array", lines, True))
        title = _("{title} (ID {id})").format(title=self.text(report.title, 300), id=shown_id)
        return Row(label, title, "connector", tuple(rows), True)

    def connector_fields(self, source: Source, report: ConnectorReport) -> list[Row]:
        """The connector's endpoints, whole, and its other fields when the portal sent them."""
        found = report.connector
        rows: list[Row] = []
        plain = {key for key, _url in report.plain_http_endpoints}
        values: frozenset[str] = frozenset()
        codes: frozenset[str] = frozenset()
        if any("?" in url for url in found.urls.values()):  # only a query can name them
            values = frozenset(source.secrets())
            codes = frozenset(
                code.lower()
                for code in (*(s.code for s in found.settings), *(s.code for s in source.settings))
                if code
            )
        for key, url in found.urls.items():
            kind = "url, http ⚠" if key in plain else "url"
            label = _(CONNECTOR_URL_FIELDS[key]) if key in CONNECTOR_URL_FIELDS else key
            asked = query_items(url)
            shown = display_url(
                url,
                values.intersection(value for _key, value in asked),
                codes.intersection(key.lower() for key, _value in asked),
            )
            rows.append(Row(self.text(label, 200), self.text(shown, 600), kind))
        if found.sort is not None:
            rows.append(self.field("sort", CONNECTOR_LABELS["sort"], found.sort))
        if found.date_create is not None:
            rows.append(self.field("dateCreate", CONNECTOR_LABELS["dateCreate"], found.date_create))
        if found.logo is not None:
            text, kind = formatting.logo(found.logo)
            rows.append(Row(_(CONNECTOR_LABELS["logo"]), self.text(text, 600), kind))
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
            rows.append(Row(self.text(label or "?", 600), _("missing"), kind, typed=True))
        return Row(
            _("Declared but missing ({count})").format(count=len(report.missing)),
            _("the connector declares these; the source has no value for them"),
            "array",
            tuple(rows),
            section=True,
        )


def query_items(url: str) -> list[tuple[str, str]]:
    """The (key, value) pairs of *url*'s query, or none when it does not parse."""
    try:
        return parse_qsl(urlsplit(url.strip()).query, keep_blank_values=True)
    except ValueError:
        return []


def fields_text(count: int) -> str:
    return ngettext("{n} field", "{n} fields", count).format(n=count)


class SettingRows(Sequence[Row]):
    """The settings' rows, each made when it is asked for (see the module's docstring)."""

    __slots__ = ("_outliner", "_report", "_revealed", "_source")

    def __init__(
        self,
        outliner: Outliner,
        source: Source,
        report: ConnectorReport | None,
        revealed: frozenset[int],
    ) -> None:
        self._outliner, self._source = outliner, source
        self._report, self._revealed = report, revealed

    def __len__(self) -> int:
        return len(self._source.settings)

    @overload
    def __getitem__(self, position: int) -> Row: ...
    @overload
    def __getitem__(self, position: slice) -> Sequence[Row]: ...
    def __getitem__(self, position: int | slice) -> Row | Sequence[Row]:
        if isinstance(position, slice):
            return tuple(self[i] for i in range(*position.indices(len(self))))
        if position < 0:
            position += len(self)
        setting = self._source.settings[position]  # IndexError ends iteration
        return self._outliner.setting(position, setting, self._report, position in self._revealed)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal by content, like a list

    def __repr__(self) -> str:
        return f"SettingRows({len(self)} settings)"
