"""What each connector endpoint's answer must be, and what to say when it is not.

The rules of spec §6.3, one function per endpoint: each takes an ``EndpointAnswer`` and
returns what the next step needs (table codes, columns, rows) or raises ``StepFailed``
with a few words for what came back instead. Kept apart from ``endpoint_check`` (which
runs the steps and words the results) so the rules can be read, and changed, on their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..i18n import _, ngettext

COLUMN_TYPES = ("int", "string", "double", "date", "datetime", "money", "timezone")
"""The column types ``urlTableDescription`` may declare; others are taken as ``string``."""


@dataclass(frozen=True)
class EndpointAnswer:
    """What an endpoint answered: HTTP status, the body (within the cap), seconds taken."""

    status: int
    body: bytes = field(repr=False)
    seconds: float


@dataclass(frozen=True)
class Column:
    """A column of the checked table, as ``urlTableDescription`` described it."""

    code: str
    name: str
    type: str  # one of COLUMN_TYPES
    declared_type: str  # as the endpoint sent it


class StepFailed(Exception):
    """An answer that does not meet its step's requirement; ``found`` says what came."""

    def __init__(self, found: str) -> None:
        super().__init__(found)
        self.found = found


def _json(answer: EndpointAnswer) -> Any:
    text = answer.body.decode("utf-8", errors="replace").strip()
    try:
        return json.loads(text)
    except ValueError:
        if text.lower().startswith(("<!doctype html", "<html")) or "<body" in text.lower():
            raise StepFailed(_("an HTML page instead of JSON.")) from None
        raise StepFailed(_("an answer that is not JSON.")) from None


def _shape(value: Any) -> str:
    """A few words for what a JSON value is, for the "found" line."""
    if isinstance(value, dict):
        return _("a JSON object with the keys {keys}").format(
            keys=", ".join(list(value)[:6]) or _("(none)")
        )
    if isinstance(value, list):
        return ngettext("a JSON array of {n} item", "a JSON array of {n} items", len(value)).format(
            n=len(value)
        )
    if isinstance(value, str):
        return _("a JSON string")
    if value is None:
        return _("JSON null")
    return _("a JSON {kind}").format(kind=type(value).__name__)


_HTML_TITLE = re.compile(r"(?is)<title[^>]*>(.*?)</title>")


def status_found(answer: EndpointAnswer) -> str:
    """What a non-200 answer was: its status, and an HTML page's title if it is one."""
    text = answer.body[:4096].decode("utf-8", errors="replace")
    title = _HTML_TITLE.search(text)
    if title:
        return _("HTTP {status} with an HTML page titled “{title}”.").format(
            status=answer.status, title=" ".join(title.group(1).split())[:120]
        )
    if not text.strip():
        return _("HTTP {status} with an empty body.").format(status=answer.status)
    return _("HTTP {status}.").format(status=answer.status)


def check_answer(answer: EndpointAnswer) -> None:
    if not answer.body.strip():
        raise StepFailed(_("an empty body."))


def table_list(answer: EndpointAnswer) -> list[str]:
    """The table codes of a ``urlTableList`` answer."""
    value = _json(answer)
    if not isinstance(value, list):
        raise StepFailed(_shape(value) + ".")
    codes: list[str] = []
    for position, item in enumerate(value, 1):
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            raise StepFailed(
                _("item {n} has no “code” string ({shape}).").format(n=position, shape=_shape(item))
            )
        if "title" not in item:
            raise StepFailed(_("item {n} has no “title”.").format(n=position))
        codes.append(item["code"])
    return codes


def table_description(answer: EndpointAnswer) -> tuple[list[Column], list[str]]:
    """The columns of a ``urlTableDescription`` answer, and notes on unknown types."""
    value = _json(answer)
    if not isinstance(value, list) or not value:
        raise StepFailed(_shape(value) + ".")
    columns: list[Column] = []
    notes: list[str] = []
    for position, item in enumerate(value, 1):
        missing = [
            k for k in ("code", "name", "type") if not isinstance(item, dict) or k not in item
        ]
        if missing or not isinstance(item.get("code"), str):
            raise StepFailed(
                _("column {n} lacks {keys} ({shape}).").format(
                    n=position, keys=", ".join(missing) or "code", shape=_shape(item)
                )
            )
        declared = str(item["type"])
        kind = declared.lower() if declared.lower() in COLUMN_TYPES else "string"
        if declared.lower() not in COLUMN_TYPES:
            notes.append(
                _(
                    "Column “{code}” has the unknown type “{type}”: Bitrix24 takes it as string."
                ).format(code=item["code"], type=declared)
            )
        columns.append(Column(item["code"], str(item["name"]), kind, declared))
    return columns, notes


def data_rows(
    answer: EndpointAnswer, columns: Sequence[Column]
) -> tuple[list[str], list[list[Any]]]:
    """The header and data rows of a ``urlData`` answer."""
    value = _json(answer)
    if not isinstance(value, list) or not value:
        raise StepFailed(_shape(value) + ".")
    if not all(isinstance(row, list) for row in value):
        raise StepFailed(_("an array whose items are not all arrays."))
    header = value[0]
    if not all(isinstance(code, str) for code in header):
        raise StepFailed(_("a first row that is not the column codes."))
    for position, row in enumerate(value[1:], 2):
        if len(row) != len(header):
            raise StepFailed(
                _("row {n} has {got} values, the first row {want}.").format(
                    n=position, got=len(row), want=len(header)
                )
            )
    described = {c.code for c in columns}
    unknown = [code for code in header if code not in described]
    if unknown:
        raise StepFailed(
            _("columns the description does not have: {codes}.").format(codes=", ".join(unknown))
        )
    return header, value[1:]
