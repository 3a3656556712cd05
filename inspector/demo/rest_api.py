"""The demo portal's REST methods: what ``biconnector.*`` answers, once the caller is known.

``biconnector.source.get`` / ``.list`` and ``biconnector.connector.get`` / ``.list``, with
the validation errors in the newest shape (HTTP 200, inside ``result.error``) or, with
``legacy_errors``, the older root-level shape; every answer carries the ``time`` block with
its resource counter (spec §10-§11). Also how PHP's REST layer reads a request: the path
forms, the body formats, and which ids count as positive integers.

Who may call is decided elsewhere (``portal.py``); this module only answers.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import parse_qsl, unquote

from .http_server import Json, Reply, system_error

LIST_PAGE_SIZE: Final = 50
"""``*.list`` methods return fixed pages of 50 (spec §2)."""

_OPERATING_WINDOW_S: Final = 600  # the resource counter spans 10 one-minute buckets (spec §11)

# Webhook form: /rest/<user>/<code>/<method>; OAuth form: /rest/<method>.
WEBHOOK_PATH: Final = re.compile(r"/rest/(?P<user>[^/]*)/(?P<code>[^/]*)/(?P<method>[^/]*)/?")
OAUTH_PATH: Final = re.compile(r"/rest/(?P<method>[^/]*)/?")
_POSITIVE_DIGITS = re.compile(r"[0-9]+")


class UnknownMethod(Exception):
    """The path names a REST method this portal does not have (404)."""


@dataclass(frozen=True)
class _BiconnectorError:
    code: str
    description: str


class RestApi:
    """Answers the ``biconnector.*`` methods from the given sources and connectors.

    Thread-safe: the only state that changes is the resource counter, under its own lock.
    """

    def __init__(
        self, sources: Mapping[int, dict[str, Any]], connectors: Mapping[int, dict[str, Any]]
    ) -> None:
        self._sources = dict(sources)
        self._source_ids = tuple(sorted(self._sources))
        self._connectors = dict(connectors)
        self._lock = threading.Lock()
        self._operating: dict[str, list[tuple[float, float]]] = {}

    def call(
        self,
        api_method: str,
        params: Mapping[str, Any],
        *,
        received: float,
        started: float,
        legacy_errors: bool,
    ) -> Reply:
        """The reply to *api_method*; raises ``UnknownMethod`` for a method it does not have.

        *received*: the request's arrival (Unix time); *started*: ``perf_counter()`` then.
        """
        result: Json | list[Json] | _BiconnectorError
        if api_method == "biconnector.source.get":
            result = self._source_get(params)
        elif api_method == "biconnector.source.list":
            result = self._source_list(params)
        elif api_method == "biconnector.connector.get":
            result = self._connector_get(params)
        elif api_method == "biconnector.connector.list":
            result = self._connector_list(params)
        else:
            raise UnknownMethod(api_method)
        if isinstance(result, _BiconnectorError):
            if legacy_errors:
                return system_error(200, result.code, result.description)
            result_value: Any = {
                "error": {"error": result.code, "error_description": result.description}
            }
        else:
            result_value = result
        return Reply(
            200, {"result": result_value, "time": self._time_block(api_method, received, started)}
        )

    def _source_get(self, params: Mapping[str, Any]) -> Json | _BiconnectorError:
        raw = params.get("id")
        if raw is None or raw == "":
            return _BiconnectorError("VALIDATION_ID_NOT_PROVIDED", "ID is missing.")
        source_id = positive_int(raw)
        if source_id is None:
            return _BiconnectorError(
                "VALIDATION_INVALID_ID_FORMAT", "ID has to be a positive integer."
            )
        item = self._sources.get(source_id)
        if item is None:
            return _BiconnectorError("SOURCE_NOT_FOUND", "Source was not found.")
        return {"item": copy.deepcopy(item)}

    def _source_list(self, params: Mapping[str, Any]) -> list[Json]:
        # Only ``page`` is honoured; ``select``/``filter``/``order`` are accepted and ignored.
        page = positive_int(params.get("page", 1)) or 1  # junk, 0 or negative mean page 1
        flat = [_flatten(self._sources[i]) for i in self._source_ids]
        start = (page - 1) * LIST_PAGE_SIZE
        return flat[start : start + LIST_PAGE_SIZE]

    def _connector_get(self, params: Mapping[str, Any]) -> Json | _BiconnectorError:
        raw = params.get("id")
        if raw is None or raw == "":
            return _BiconnectorError("VALIDATION_ID_NOT_PROVIDED", "ID is missing.")
        connector_id = positive_int(raw)
        if connector_id is None:
            return _BiconnectorError(
                "VALIDATION_INVALID_ID_FORMAT", "ID has to be a positive integer."
            )
        item = self._connectors.get(connector_id)
        if item is None:
            return _BiconnectorError("CONNECTOR_NOT_FOUND", "Connector was not found.")
        return {"item": copy.deepcopy(item)}

    def _connector_list(self, params: Mapping[str, Any]) -> list[Json]:
        page = positive_int(params.get("page", 1)) or 1
        items = [copy.deepcopy(self._connectors[i]) for i in sorted(self._connectors)]
        start = (page - 1) * LIST_PAGE_SIZE
        return items[start : start + LIST_PAGE_SIZE]

    def _time_block(self, api_method: str, received: float, started: float) -> Json:
        processing = time.perf_counter() - started
        finish = max(time.time(), received + processing)
        with self._lock:
            calls = [
                c
                for c in self._operating.get(api_method, [])
                if c[0] > finish - _OPERATING_WINDOW_S
            ]
            calls.append((received, processing))
            self._operating[api_method] = calls
            operating = sum(p for _, p in calls)
            oldest = calls[0][0]
        return {
            "start": received,
            "finish": finish,
            "duration": finish - received,
            "processing": processing,
            "date_start": _iso(received),
            "date_finish": _iso(finish),
            "operating": operating,
            "operating_reset_at": int(oldest) + _OPERATING_WINDOW_S,
        }


def method_name(segment: str) -> str:
    """The REST method named by a path segment: unquoted, lower case, without ``.json``."""
    name = unquote(segment).lower()
    return name.removesuffix(".json")


def positive_int(value: Any) -> int | None:
    """The id as PHP's REST layer would accept it: a positive int or a string of digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _POSITIVE_DIGITS.fullmatch(value):
        try:
            number = int(value)
        except ValueError:  # more digits than int() accepts
            return None
    else:
        return None
    return number if number > 0 else None


def parse_body(content_type: str, body: bytes) -> tuple[str, Json | None]:
    """Parse a JSON or form body like PHP's REST layer; other types are not read.

    Returns the format (``json``, ``form``, ``empty``, ``ignored`` or ``invalid``) and the params.
    """
    if not body:
        return "empty", None
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/json":
        try:
            parsed = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            parsed = None
        if not isinstance(parsed, dict):
            return "invalid", None
        return "json", parsed
    if media_type == "application/x-www-form-urlencoded":
        text = body.decode("utf-8", errors="replace")
        return "form", dict(parse_qsl(text, keep_blank_values=True))
    return "ignored", None


def _flatten(item: Mapping[str, Any]) -> Json:
    """The ``source.list`` shape: connection fields flat, plus the item's other keys."""
    flat = dict(copy.deepcopy(item["connection"]))
    flat.update(copy.deepcopy({k: v for k, v in item.items() if k != "connection"}))
    return flat


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
