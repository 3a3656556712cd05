"""What a Bitrix24 answer means: its payload, or the error it carries, and when to come back.

Bitrix24 wraps errors in more than one envelope, and every one is recognised here:

* ``{"error": "CODE", "error_description": "…"}`` at the top level (HTTP 200 or 4xx/5xx);
* ``{"result": {"error": {"error": "CODE", "error_description": "…"}}}`` with HTTP 200;
* a body that is not JSON at all (an HTML error page, garbage, nothing).

Errors are keyed by the ``error`` string first and the HTTP status second; the wording
lives in ``explanations``, and every server-provided text is redacted of *secrets* there.
Also here: when the portal says a blocked method frees up (``Retry-After``,
``time.operating_reset_at``). No httpx here: the answer arrives as status and bytes.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from ...i18n import _
from ..collector import collector_paused
from ..errors import BadResponse
from ..explanations import explain_status, portal_error


def _let_other_threads_run(obj: dict[str, Any]) -> dict[str, Any]:
    """``json.loads``'s object hook, returning each object as it is.

    The C decoder holds the GIL for a whole document: 40-65 ms for the 5 MB answer of a
    source with 50,000 settings, a stall of the window while its request thread decodes.
    Through this hook the interpreter runs once per object, where a waiting thread takes
    its turn; decoding takes about 7% longer. (The window starts the connector's lookup
    once it has painted the source, so its objects do not end up among the answer's.)
    The main thread (the command line's, or a script's) has no one to make way for, and
    decodes without it.
    """
    return obj


def _decoder_hook() -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    if threading.current_thread() is threading.main_thread():
        return None
    return _let_other_threads_run


def interpret_answer(
    status: int, raw: bytes, *, via_webhook: bool, secrets: tuple[str, ...], method: str = ""
) -> dict[str, Any]:
    """The JSON payload of a successful answer; raises ``PortalError`` or ``BadResponse``.

    *via_webhook* picks the wording for credential errors, *method* (the REST method
    called) the wording of validation errors; *secrets* are masked out of every text
    taken from the answer.
    """
    try:
        # Decoding a big answer made enough objects to set off a full collection (12-19 ms
        # with the GIL held at 50,000 settings) that found nothing: JSON has no cycles.
        with collector_paused():
            payload = json.loads(raw, object_hook=_decoder_hook())
    except RecursionError:
        raise BadResponse(
            _("The portal's answer (HTTP {status}) is JSON nested too deeply to be read.").format(
                status=status
            ),
            _(
                "A Bitrix24 answer is far flatter than this; the address may not be a Bitrix24 "
                "portal."
            ),
            status,
        ) from None
    except ValueError:
        raise _not_json(status, raw) from None
    if isinstance(payload, dict):
        if "error" in payload or "error_description" in payload:
            error: Any = payload.get("error")
            description: Any = payload.get("error_description")
            if isinstance(error, dict):  # some proxies nest it
                error, description = error.get("error"), error.get("error_description")
            raise portal_error(
                error, description, status, via_webhook=via_webhook, secrets=secrets, method=method
            )
        result = payload.get("result")
        if isinstance(result, dict) and "error" in result:
            inner = result["error"]
            if isinstance(inner, dict):
                code, description = inner.get("error"), inner.get("error_description")
            else:
                code, description = inner, result.get("error_description")
            raise portal_error(
                code, description, status, via_webhook=via_webhook, secrets=secrets, method=method
            )
    if status >= 400:
        explanation = explain_status(status)
        raise BadResponse(explanation.message, explanation.hint, status)
    if not isinstance(payload, dict):
        raise BadResponse(
            _("The portal's answer is JSON but not an object."),
            _("The address may not lead to a Bitrix24 REST API."),
            status,
        )
    return payload


def _not_json(status: int, raw: bytes) -> BadResponse:
    what = describe_non_json(raw)
    if status >= 400:
        explanation = explain_status(status)
        return BadResponse(
            _("{message} It sent {what}.").format(message=explanation.message, what=what),
            explanation.hint,
            status,
        )
    return BadResponse(
        _("The portal sent {what} (HTTP {status}).").format(what=what, status=status),
        _(
            "Check that the address is your Bitrix24 portal; a proxy or login page may be "
            "answering instead."
        ),
        status,
    )


def describe_non_json(raw: bytes) -> str:
    """What a body that is not JSON looks like, for a message ("a web page instead of JSON").

    The phrase is the object of "sent" in every message that uses it (translations agree).
    """
    head = raw[:512].lstrip().lower()
    if not raw.strip():
        return _("an empty answer")
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
        return _("a web page instead of JSON")
    return _("an answer that is not valid JSON (it may be cut off or garbled)")


def operating_reset_at(payload: Any) -> float | None:
    """``time.operating_reset_at`` of an answer (Unix time), if it has a usable one."""
    time_block = payload.get("time") if isinstance(payload, dict) else None
    value = time_block.get("operating_reset_at") if isinstance(time_block, dict) else None
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        return float(value)
    return None


def retry_after(header: str | None) -> float | None:
    """A ``Retry-After`` header (seconds, or an HTTP date) as Unix time; None if unusable."""
    if not header:
        return None
    header = header.strip()
    if header.isascii() and header.isdigit() and len(header) <= 9:
        return time.time() + int(header)
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return when.timestamp()
