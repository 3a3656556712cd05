"""The only module that talks HTTP: build the request, send it, map every failure.

One call is one POST of a JSON body to ``<endpoint>/<method>``. Redirects are never
followed (the credential would travel to wherever ``Location`` points); they are reported.
Every transport exception from httpx is mapped here to the ``errors`` tree, and every
error envelope Bitrix24 uses is recognised here:

* ``{"error": "CODE", "error_description": "…"}`` at the top level (HTTP 200 or 4xx/5xx);
* ``{"result": {"error": {"error": "CODE", "error_description": "…"}}}`` with HTTP 200;
* a body that is not JSON at all (an HTML error page, garbage, nothing).
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from .. import APP_NAME, __version__
from .credentials import Credential
from .errors import (
    BadResponse,
    Cancelled,
    ConnectionRefused,
    HostNotFound,
    InspectorError,
    NetworkError,
    PortalError,
    Redirected,
    RequestTimeout,
    TLSFailure,
    explain_status,
    portal_error,
)
from .masking import safe_text
from .model import Source, parse_source

log = logging.getLogger(__name__)

USER_AGENT = f"{APP_NAME}/{__version__} httpx/{httpx.__version__}"
SOURCE_GET = "biconnector.source.get"
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
RETRYABLE_CODES = frozenset({"QUERY_LIMIT_EXCEEDED"})


@dataclass(frozen=True)
class RequestOptions:
    """How patient and how trusting a request is."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_bytes: int = DEFAULT_MAX_BYTES  # counts decompressed bytes: a gzip bomb stops here
    retries: int = 2  # extra attempts on 503 QUERY_LIMIT_EXCEEDED
    retry_delay: float = 1.0  # first wait; doubles on each retry
    verify: ssl.SSLContext | str | bool = True


RetryNotice = Callable[[int, float], None]
"""Called as (attempt about to be made, seconds of wait before it)."""


class BitrixClient:
    """A synchronous client for one credential. Use from one thread; close when done."""

    def __init__(
        self,
        credential: Credential,
        options: RequestOptions | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        cancel: threading.Event | None = None,
        on_retry: RetryNotice | None = None,
    ) -> None:
        self.credential = credential
        self.options = options or RequestOptions()
        self._cancel = cancel or threading.Event()
        self._on_retry = on_retry
        self._http = httpx.Client(
            timeout=httpx.Timeout(self.options.read_timeout, connect=self.options.connect_timeout),
            follow_redirects=False,
            verify=self.options.verify,
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    def __enter__(self) -> BitrixClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get_source(self, source_id: int) -> Source:
        return parse_source(self.call(SOURCE_GET, {"id": source_id}))

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST *params* to *method*; return the JSON payload of a successful answer."""
        attempt = 0
        while True:
            try:
                return self._call_once(method, params)
            except PortalError as exc:
                if exc.code.upper() not in RETRYABLE_CODES or attempt >= self.options.retries:
                    raise
                delay = self.options.retry_delay * (2**attempt)
                attempt += 1
                log.info("rate limited; retry %d in %.1f s", attempt, delay)
                if self._on_retry is not None:
                    self._on_retry(attempt, delay)
                if self._cancel.wait(delay):
                    raise Cancelled() from None

    # --- one request ----------------------------------------------------------------------

    def _call_once(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if self._cancel.is_set():
            raise Cancelled()
        url = self.credential.endpoint(method)
        body = self.credential.request_body(params)
        deadline = time.monotonic() + self.options.connect_timeout + self.options.read_timeout
        try:
            with self._http.stream("POST", url, json=body) as response:
                if response.is_redirect:
                    raise self._redirected(response)
                raw = self._read_capped(response, deadline)
                status = response.status_code
        except InspectorError:
            raise
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from exc
        log.debug("%s answered HTTP %d, %d bytes", method, status, len(raw))
        return self._interpret(status, raw)

    def _read_capped(self, response: httpx.Response, deadline: float) -> bytes:
        chunks: list[bytes] = []
        total = 0
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > self.options.max_bytes:
                raise BadResponse(
                    f"The answer is larger than {self.options.max_bytes // (1024 * 1024)} MiB, "
                    "so reading stopped.",
                    "A source is far smaller than this; the address may not be a Bitrix24 portal.",
                    response.status_code,
                )
            if time.monotonic() > deadline:
                raise RequestTimeout(
                    f"{self.credential.host} was still sending its answer when the time limit "
                    f"of {self._total_timeout():g} s ran out.",
                    "The network or the portal is very slow; try again, or raise the timeout.",
                )
            if self._cancel.is_set():
                raise Cancelled()
            chunks.append(chunk)
        return b"".join(chunks)

    def _total_timeout(self) -> float:
        return self.options.connect_timeout + self.options.read_timeout

    # --- mapping --------------------------------------------------------------------------

    def _safe(self, text: str, max_len: int = 300) -> str:
        return safe_text(text, self.credential.secrets(), max_len=max_len)

    def _redirected(self, response: httpx.Response) -> Redirected:
        location = response.headers.get("location", "")
        try:
            target = response.url.join(location)
            shown = self._safe(str(target))
            same_host = target.host == response.url.host
        except (httpx.InvalidURL, ValueError):
            shown, same_host = self._safe(location), False
        where = "another address on the same host" if same_host else "another host"
        return Redirected(
            f"The portal redirected the request to {shown} (HTTP {response.status_code}). "
            f"The redirect was not followed, so the credential was not sent to {where}.",
            "If the portal has moved, check the new address and update the credential.",
            shown,
        )

    def _transport_error(self, exc: httpx.HTTPError) -> InspectorError:
        host = self.credential.host
        if isinstance(exc, httpx.ConnectTimeout):
            return RequestTimeout(
                f"Could not connect to {host} within {self.options.connect_timeout:g} s.",
                "Check the portal address, your network and any proxy.",
            )
        if isinstance(exc, httpx.TimeoutException):
            return RequestTimeout(
                f"{host} did not answer within {self.options.read_timeout:g} s.",
                "The portal may be overloaded; try again, or raise the timeout.",
            )
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return NetworkError("The portal address cannot be used for a request.")
        cause = _root_causes(exc)
        cert = next((c for c in cause if isinstance(c, ssl.SSLCertVerificationError)), None)
        if cert is not None:
            reason = self._safe(str(cert.verify_message or cert.reason or "unknown reason"))
            return TLSFailure(
                f"The TLS certificate of {host} is not trusted: {reason}.",
                "Check the portal address; if the portal uses a private CA, its certificate "
                "must be trusted by this computer. Verification stays on.",
            )
        tls = next((c for c in cause if isinstance(c, ssl.SSLError)), None)
        if tls is not None:
            return TLSFailure(
                f"The secure (TLS) connection to {host} failed: "
                f"{self._safe(str(tls.reason or tls))}.",
                "Check that the address uses the right scheme (https://) and port.",
            )
        if any(isinstance(c, socket.gaierror) for c in cause):
            return HostNotFound(
                f"The portal address {host} could not be found (name not resolved).",
                "Check the spelling of the portal address and your network connection.",
            )
        if any(isinstance(c, ConnectionRefusedError) for c in cause):
            return ConnectionRefused(
                f"{host} refused the connection.",
                "Check the address and port; the portal's server may be down.",
            )
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
            return NetworkError(
                f"The connection to {host} broke before a complete answer arrived.",
                "Try again; if it persists, the portal or a proxy is cutting the connection.",
            )
        return NetworkError(
            f"Could not talk to {host}: {self._safe(str(exc) or type(exc).__name__)}.",
            "Check your network connection and any proxy.",
        )

    def _interpret(self, status: int, raw: bytes) -> dict[str, Any]:
        via_webhook = self.credential.kind == "webhook"
        secrets = self.credential.secrets()
        try:
            payload = json.loads(raw)
        except (ValueError, RecursionError):
            raise self._not_json(status, raw) from None
        if isinstance(payload, dict):
            if "error" in payload or "error_description" in payload:
                error: Any = payload.get("error")
                description: Any = payload.get("error_description")
                if isinstance(error, dict):  # some proxies nest it
                    error, description = error.get("error"), error.get("error_description")
                raise portal_error(
                    error, description, status, via_webhook=via_webhook, secrets=secrets
                )
            result = payload.get("result")
            if isinstance(result, dict) and "error" in result:
                inner = result["error"]
                if isinstance(inner, dict):
                    code, description = inner.get("error"), inner.get("error_description")
                else:
                    code, description = inner, result.get("error_description")
                raise portal_error(
                    code, description, status, via_webhook=via_webhook, secrets=secrets
                )
        if status >= 400:
            explanation = explain_status(status)
            raise BadResponse(explanation.message, explanation.hint, status)
        if not isinstance(payload, dict):
            raise BadResponse(
                "The portal's answer is JSON but not an object.",
                "The address may not lead to a Bitrix24 REST API.",
                status,
            )
        return payload

    def _not_json(self, status: int, raw: bytes) -> BadResponse:
        head = raw[:512].lstrip().lower()
        if not raw.strip():
            what = "an empty answer"
        elif head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
            what = "a web page instead of JSON"
        else:
            what = "an answer that is not valid JSON (it may be cut off or garbled)"
        if status >= 400:
            explanation = explain_status(status)
            return BadResponse(f"{explanation.message} It sent {what}.", explanation.hint, status)
        return BadResponse(
            f"The portal sent {what} (HTTP {status}).",
            "Check that the address is your Bitrix24 portal; a proxy or login page may be "
            "answering instead.",
            status,
        )


def _root_causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything it was raised from, nearest first."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def fetch_source(
    credential: Credential,
    source_id: int,
    options: RequestOptions | None = None,
    *,
    cancel: threading.Event | None = None,
    on_retry: RetryNotice | None = None,
) -> Source:
    """One-shot convenience used by the CLI and the window's worker."""
    with BitrixClient(credential, options, cancel=cancel, on_retry=on_retry) as client:
        return client.get_source(source_id)
