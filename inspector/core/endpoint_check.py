"""Replaying Bitrix24's four calls to a source's connector, and judging each answer.

A BI Builder source fails in the Analytics hub with little more than "the REST response
does not contain it" when one of its connector's endpoints answers wrongly. Bitrix24 calls
them in order (spec §6.3): ``urlCheck``, ``urlTableList``, ``urlTableDescription`` and
``urlData``, each a form POST carrying the source's settings as ``connection[<code>]``.
This module builds those calls and runs them in order (what each answer must be is in
``endpoint_answers``); it sends nothing itself (``client.endpoint_calls`` does, through
the same exchange as portal requests), so the CLI, the window and the tests share one set
of rules, with no Qt and no httpx.

What leaves this module for display is masked: the excerpts and messages have every
setting value replaced (a connector may echo a password back), and the endpoint URLs go
through ``connector.display_url``. The data rows of the preview are not masked: they are
the data the admin asked to see; they are never put into the JSON form of the results
(which the support bundle holds).
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from ..i18n import N_, _, ngettext
from .connector import Connector, display_url
from .endpoint_answers import (
    Column,
    EndpointAnswer,
    StepFailed,
    check_answer,
    data_rows,
    status_found,
    table_description,
    table_list,
)
from .errors import (
    Cancelled,
    ConnectionRefused,
    HostNotFound,
    InspectorError,
    NetworkError,
    Redirected,
    RequestTimeout,
    TLSFailure,
)
from .masking import SecretSet, safe_text
from .model import Source

STEP_KEYS = ("urlCheck", "urlTableList", "urlTableDescription", "urlData")
"""The endpoints, in the order Bitrix24 calls them."""

DATA_LIMIT = 20
"""How many rows ``urlData`` is asked for: enough to see the data, small for the server."""

EXCERPT_CHARS = 300
"""How much of an answer a step shows."""

_REQUIRED = {
    "urlCheck": N_("HTTP 200 with a non-empty body."),
    "urlTableList": N_(
        "HTTP 200 with a JSON array of tables, each an object with “code” and “title” "
        "(and optionally “id”)."
    ),
    "urlTableDescription": N_(
        "HTTP 200 with a non-empty JSON array of columns, each an object with “code”, "
        "“name” and “type” (int, string, double, date, datetime, money or timezone)."
    ),
    "urlData": N_(
        "HTTP 200 with a JSON array of arrays: the first row the column codes, every row "
        "the same length."
    ),
}


class StepStatus(Enum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


Send = Callable[[str, Mapping[str, str]], EndpointAnswer]
"""``send(url, form)``: POST *form* to *url*; raises ``InspectorError`` on no answer."""


@dataclass(frozen=True)
class StepResult:
    """One endpoint's outcome, ready to show: every text already masked and sanitised.

    ``required`` is what the documentation asks of the answer; ``found`` what came back
    instead (empty when the step passed or was skipped); ``notes`` are remarks on a passed
    step (unknown column types taken as ``string``); ``reason`` why a step was skipped.
    """

    key: str
    status: StepStatus
    url: str
    required: str
    http_status: int | None = None
    seconds: float | None = None
    excerpt: str = ""
    found: str = ""
    notes: tuple[str, ...] = ()
    reason: str = ""

    @property
    def passed(self) -> bool:
        return self.status is StepStatus.PASSED

    def to_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.key,
            "status": self.status.value,
            "url": self.url,
            "httpStatus": self.http_status,
            "seconds": None if self.seconds is None else round(self.seconds, 3),
            "excerpt": self.excerpt,
            "required": self.required,
            "found": self.found,
            "notes": list(self.notes),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class DataPreview:
    """The rows ``urlData`` returned (header row removed), with their columns. Not masked."""

    table: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...] = field(repr=False)


@dataclass(frozen=True)
class CheckReport:
    """Every step's result, the table checked, the data preview; ``unreachable`` when an
    endpoint could not be reached at all (no answer, a timeout, a TLS failure)."""

    steps: tuple[StepResult, ...]
    table: str | None = None
    preview: DataPreview | None = field(default=None, repr=False)
    unreachable: bool = False

    @property
    def passed(self) -> bool:
        return all(step.passed for step in self.steps)

    @property
    def exit_code(self) -> int:
        """For the CLI: 0 every step passed, 4 an endpoint unreachable, 3 a step failed."""
        if self.passed:
            return 0
        return 4 if self.unreachable else 3

    def to_json(self) -> dict[str, Any]:
        """The results without the data rows: what ``--json`` and the support bundle hold."""
        return {
            "passed": self.passed,
            "table": self.table,
            "steps": [step.to_json() for step in self.steps],
            "columns": (
                [
                    {
                        "code": c.code,
                        "name": c.name,
                        "type": c.type,
                        "declaredType": c.declared_type,
                    }
                    for c in self.preview.columns
                ]
                if self.preview is not None
                else []
            ),
            "rowCount": len(self.preview.rows) if self.preview is not None else None,
        }


_UNREACHABLE = (ConnectionRefused, HostNotFound, TLSFailure, RequestTimeout, NetworkError)
"""No answer at all: the CLI's exit 4 rather than 3 (a wrong answer)."""


# ------------------------------------------------------------------ request bodies


def connection_form(source: Source) -> dict[str, str]:
    """The source's settings as Bitrix24 forwards them: ``connection[<code>]=<value>``."""
    return {
        f"connection[{setting.code}]": setting.value or ""
        for setting in source.settings
        if setting.code
    }


def request_form(
    key: str, source: Source, *, table: str = "", columns: Sequence[str] = ()
) -> dict[str, str]:
    """The whole form of one step: the connection, then what that endpoint receives.

    ``urlData`` gets ``select`` (the described columns), ``mapFields`` (each column to
    itself) and a small ``limit``. The documentation names ``mapFields`` without its shape;
    an identity map is the one that asks for nothing to be renamed.
    """
    form = connection_form(source)
    if key == "urlTableList":
        form["searchString"] = ""
    elif key == "urlTableDescription":
        form["table"] = table
    elif key == "urlData":
        form["table"] = table
        for position, code in enumerate(columns):
            form[f"select[{position}]"] = code
        for code in columns:
            form[f"mapFields[{code}]"] = code
        form["limit"] = str(DATA_LIMIT)
    return form


# ------------------------------------------------------------------ the run


def endpoint_host(url: str) -> str:
    """The host (and port) an endpoint lives on, for the confirmation."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        return f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return ""


def endpoint_hosts(connector: Connector) -> list[str]:
    return list(dict.fromkeys(endpoint_host(connector.urls.get(k, "")) for k in STEP_KEYS))


def confirmation_text(source: Source, connector: Connector) -> str:
    """The question asked before anything is sent; names the host(s), and warns when an
    endpoint off this machine is plain ``http://`` (see ``remote_plain_http``)."""
    hosts = ", ".join(endpoint_hosts(connector)) or _("(no address)")
    count = sum(1 for s in source.settings if s.code)
    lines = [
        ngettext(
            "The check sends this source's {n} setting (it may be a password or a token) "
            "to {hosts}.",
            "The check sends this source's {n} settings (they may hold passwords or tokens) "
            "to {hosts}.",
            count,
        ).format(n=count, hosts=hosts)
    ]
    if remote_plain_http(connector):
        lines.append(
            _(
                "WARNING: these endpoints use plain http://: the settings would cross the "
                "network unencrypted, readable by anyone on the way."
            )
        )
    return "\n".join(lines)


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def remote_plain_http(connector: Connector) -> bool:
    """True when an endpoint is plain ``http://`` on another machine: the settings would
    cross the network unencrypted. Loopback is spared (the demo connector lives there)."""
    return any(
        url.lower().startswith("http://") and not _is_loopback(url)
        for url in (connector.urls.get(key, "").strip() for key in STEP_KEYS)
    )


class EndpointCheck:
    """One run of the four steps against *connector* with *source*'s settings.

    ``run(send)`` calls the endpoints in order and returns the ``CheckReport``;
    ``on_step`` is told each result as it is known. ``Cancelled`` is passed on.
    """

    def __init__(
        self,
        source: Source,
        connector: Connector,
        *,
        table: str | None = None,
        on_step: Callable[[StepResult], None] | None = None,
    ) -> None:
        self.source = source
        self.connector = connector
        self.wanted_table = table
        self.on_step = on_step
        self.secrets = SecretSet(source.secrets())
        codes = [s.code for s in source.settings if s.code]
        self._codes = codes + [s.code for s in connector.settings if s.code]

    def url(self, key: str) -> str:
        return self.connector.urls.get(key, "").strip()

    def shown_url(self, key: str) -> str:
        return display_url(self.url(key), self.secrets, self._codes)

    def _text(self, text: str, max_len: int = EXCERPT_CHARS) -> str:
        return safe_text(text, self.secrets, max_len=max_len)

    def _excerpt(self, answer: EndpointAnswer) -> str:
        return self._text(answer.body[: EXCERPT_CHARS * 4].decode("utf-8", errors="replace"))

    def run(self, send: Send) -> CheckReport:
        steps: list[StepResult] = []
        table: str | None = None
        columns: list[Column] = []
        preview: DataPreview | None = None
        unreachable = False
        failed_reason = ""
        for key in STEP_KEYS:
            if failed_reason:
                steps.append(self._emit(self._skipped(key, failed_reason)))
                continue
            if not self.url(key):
                result = self._result(key, StepStatus.FAILED, found=_("no address is set."))
                steps.append(self._emit(result))
                failed_reason = _("{endpoint} failed.").format(endpoint=key)
                continue
            form = request_form(
                key, self.source, table=table or "", columns=[c.code for c in columns]
            )
            started = time.monotonic()
            try:
                answer = send(self.url(key), form)
            except Cancelled:
                raise
            except Redirected as exc:
                result = self._result(
                    key,
                    StepStatus.FAILED,
                    http_status=getattr(exc, "http_status", None),
                    seconds=time.monotonic() - started,
                    found=_("a redirect to {location}; it was not followed.").format(
                        location=self._text(exc.location, 200)
                    ),
                )
                steps.append(self._emit(result))
                failed_reason = _("{endpoint} failed.").format(endpoint=key)
                continue
            except InspectorError as exc:
                unreachable = unreachable or isinstance(exc, _UNREACHABLE)
                result = self._result(
                    key,
                    StepStatus.FAILED,
                    seconds=time.monotonic() - started,
                    found=self._text(exc.message, 400),
                )
                steps.append(self._emit(result))
                failed_reason = _("{endpoint} failed.").format(endpoint=key)
                continue
            try:
                notes: list[str] = []
                if answer.status != 200:
                    raise StepFailed(status_found(answer))
                if key == "urlCheck":
                    check_answer(answer)
                elif key == "urlTableList":
                    tables = table_list(answer)
                    table = self._pick_table(tables)
                elif key == "urlTableDescription":
                    columns, notes = table_description(answer)
                else:
                    header, rows = data_rows(answer, columns)
                    by_code = {c.code: c for c in columns}
                    preview = DataPreview(
                        table or "",
                        tuple(by_code[code] for code in header),
                        tuple(tuple(row) for row in rows),
                    )
                result = self._result(key, StepStatus.PASSED, answer=answer, notes=notes)
            except StepFailed as failure:
                result = self._result(
                    key, StepStatus.FAILED, answer=answer, found=self._text(failure.found, 400)
                )
                failed_reason = _("{endpoint} failed.").format(endpoint=key)
            steps.append(self._emit(result))
        return CheckReport(tuple(steps), table, preview, unreachable)

    def _pick_table(self, tables: list[str]) -> str:
        if self.wanted_table is not None:
            if self.wanted_table not in tables:
                raise StepFailed(
                    _("a list without the table “{table}” (it has: {tables}).").format(
                        table=self.wanted_table, tables=", ".join(tables[:10]) or _("none")
                    )
                )
            return self.wanted_table
        if not tables:
            raise StepFailed(_("an empty list: there is no table to check the next steps on."))
        return tables[0]

    def _emit(self, result: StepResult) -> StepResult:
        if self.on_step is not None:
            self.on_step(result)
        return result

    def _skipped(self, key: str, reason: str) -> StepResult:
        return StepResult(
            key,
            StepStatus.SKIPPED,
            self.shown_url(key),
            _(_REQUIRED[key]),
            reason=_("Skipped: {reason}").format(reason=reason),
        )

    def _result(
        self,
        key: str,
        status: StepStatus,
        *,
        answer: EndpointAnswer | None = None,
        http_status: int | None = None,
        seconds: float | None = None,
        found: str = "",
        notes: Sequence[str] = (),
    ) -> StepResult:
        return StepResult(
            key,
            status,
            self.shown_url(key),
            _(_REQUIRED[key]),
            http_status=answer.status if answer is not None else http_status,
            seconds=answer.seconds if answer is not None else seconds,
            excerpt=self._excerpt(answer) if answer is not None else "",
            found=found,
            notes=tuple(self._text(note) for note in notes),
        )


def step_line(step: StepResult) -> str:
    """One line per step for a terminal: the verdict, endpoint, status and time."""
    verdicts = {
        StepStatus.PASSED: _("PASS"),
        StepStatus.FAILED: _("FAIL"),
        StepStatus.SKIPPED: _("SKIP"),
    }
    # Padded to the longest: the words differ in length once translated, the column should not.
    verdict = verdicts[step.status].ljust(max(len(word) for word in verdicts.values()))
    facts = []
    if step.http_status is not None:
        facts.append(_("HTTP {status}").format(status=step.http_status))
    if step.seconds is not None:
        facts.append(_("{ms} ms").format(ms=round(step.seconds * 1000)))
    return (
        _("{verdict}  {endpoint}  {facts}")
        .format(verdict=verdict, endpoint=step.key, facts=", ".join(facts))
        .rstrip()
    )
