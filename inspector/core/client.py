"""The only module that talks HTTP: build the request, send it, map every failure.

One call is one POST of a JSON body to ``<endpoint>/<method>``. Redirects are never
followed (the credential would travel to wherever ``Location`` points); they are reported,
with ``Redirected.new_origin`` set when the portal seems to have moved. Every transport
exception from httpx is mapped here to the ``errors`` tree, and every error envelope
Bitrix24 uses is recognised here:

* ``{"error": "CODE", "error_description": "…"}`` at the top level (HTTP 200 or 4xx/5xx);
* ``{"result": {"error": {"error": "CODE", "error_description": "…"}}}`` with HTTP 200;
* a body that is not JSON at all (an HTML error page, garbage, nothing).

Portal calls and the OAuth token refresh share one ``httpx.Client`` (so one proxy and one
TLS trust, see ``network.py``) and one send / capped read / error mapping path.

Token renewal (spec §10.2): when the portal answers ``expired_token`` and the credential
``can_refresh`` and the caller gave ``on_credential_renewed``, the client asks the OAuth
server once (``GET <oauth_server>?grant_type=refresh_token&…``), hands the renewed
credential to the callback (which must persist it: the old refresh token is now void),
and repeats the call once. It never refreshes on a timer or ahead of a call.

Limits: every exchange ends by ``connect_timeout + read_timeout``, whatever the server
trickles (status line, headers or body): a watchdog shuts the connection's socket down at
the deadline, and at once when ``cancel`` is set. The body is inflated here, in bounded
steps, so the size cap counts decompressed bytes and a gzip bomb costs no more memory
than the cap.

Waits: HTTP 503 ``QUERY_LIMIT_EXCEEDED`` is retried with growing delays; HTTP 429
``OPERATION_TIME_LIMIT`` is waited out (once, until ``operating_reset_at``) only if
``RequestOptions.operation_limit_wait`` allows it. Each wait is announced through
``on_wait`` (and the older ``on_retry``) and ends early, with ``Cancelled``, when the
``cancel`` event is set.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import socket
import ssl
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from .. import APP_NAME, __version__
from .connector import Connector, parse_connector
from .credentials import Credential, OAuthCredential, parse_portal
from .errors import (
    BadResponse,
    Cancelled,
    ConnectionRefused,
    HostNotFound,
    InputError,
    InspectorError,
    InvalidCredential,
    MissingCredential,
    NetworkError,
    PortalError,
    Redirected,
    RequestTimeout,
    TLSFailure,
)
from .explanations import explain_status, oauth_error, operation_limited, portal_error
from .masking import safe_text
from .model import (
    LIST_SELECT,
    Source,
    SourceSummary,
    parse_source,
    parse_source_list_page,
)
from .network import build_ssl_context, check_proxy, display_proxy, proxy_secrets
from .options import RequestOptions

log = logging.getLogger(__name__)

USER_AGENT = f"{APP_NAME}/{__version__} httpx/{httpx.__version__}"
SOURCE_GET = "biconnector.source.get"
SOURCE_LIST = "biconnector.source.list"
CONNECTOR_GET = "biconnector.connector.get"
RETRYABLE_CODES = frozenset({"QUERY_LIMIT_EXCEEDED"})
LIST_PAGE_SIZE = 50  # biconnector *.list pages are fixed at 50 (spec §2)
MAX_LIST_PAGES = 200  # 10,000 sources: far beyond any real portal; a guard against loops
_DEFAULT_OPERATION_WAIT = 60.0  # one bucket of the 10-minute operating window (spec §11)
# Only what _BodyDecoder inflates itself; httpx would also offer br/zstd if installed.
ACCEPT_ENCODING = "gzip, deflate"
_WATCH_INTERVAL = 0.05  # how often a request's watchdog looks at the clock and cancel


RetryNotice = Callable[[int, float], None]
"""Called as (attempt about to be made, seconds of wait before it)."""


@dataclass(frozen=True)
class WaitNotice:
    """A wait the client is about to make; the window shows it as a cancellable countdown.

    ``reason`` is ``"rate_limit"`` (HTTP 503, retried with growing delays) or
    ``"operation_limit"`` (HTTP 429, the method is blocked until ``until``, Unix time).
    """

    reason: Literal["rate_limit", "operation_limit"]
    method: str
    attempt: int
    seconds: float
    until: float


WaitCallback = Callable[[WaitNotice], None]
CredentialRenewed = Callable[[OAuthCredential], None]


@dataclass(frozen=True)
class TokenGrant:
    """What the OAuth server answered to a refresh (spec §10.2); tokens stay out of repr.

    ``client_endpoint`` is the portal's REST address as the OAuth server knows it. It is
    reported, never followed: a different value may mean the portal was renamed.
    """

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires: int | None = None
    expires_in: int | None = None
    client_endpoint: str | None = None
    server_endpoint: str | None = None
    domain: str | None = None
    member_id: str | None = field(default=None, repr=False)
    scope: str | None = None
    status: str | None = None
    user_id: int | None = None


class SourceList(list[SourceSummary]):
    """The sources ``list_sources`` found; ``stopped_early`` says why paging stopped short.

    ``stopped_early`` is ``None`` when the last (short) page was reached, otherwise a
    plain sentence (a portal that ignores ``page``, or more than ``MAX_LIST_PAGES`` pages).
    """

    stopped_early: str | None = None


def _ssl_context(options: RequestOptions) -> ssl.SSLContext:
    verify = options.verify
    if verify is False:
        raise ValueError("TLS verification cannot be turned off")
    if isinstance(verify, ssl.SSLContext):
        return verify
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return build_ssl_context(options.extra_ca_file)


class BitrixClient:
    """A synchronous client for one credential. Use from one thread; close when done.

    * ``cancel``: set it (from any thread) to end a wait or a transfer with ``Cancelled``.
    * ``on_wait`` / ``on_retry``: told before each rate-limit wait (see ``WaitNotice``).
    * ``on_credential_renewed``: called on the calling thread with the renewed
      ``OAuthCredential`` right after a token refresh, before the call is repeated. It must
      persist it (``CredentialStore.save(profile, cred.to_storage())``; from a worker
      thread, hand it to the GUI thread): the old refresh token no longer works. Without
      this callback the client never refreshes, since the new refresh token would be lost.

    After each request ``last_request_id`` holds the ``X-Request-ID`` it sent, and
    ``credential`` always holds the credential in use (renewed, after a refresh).

    Raises ``InputError`` subclasses for an unusable proxy or extra CA file.
    """

    def __init__(
        self,
        credential: Credential,
        options: RequestOptions | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        cancel: threading.Event | None = None,
        on_retry: RetryNotice | None = None,
        on_wait: WaitCallback | None = None,
        on_credential_renewed: CredentialRenewed | None = None,
    ) -> None:
        self.credential: Credential = credential
        self.options = options or RequestOptions()
        self._cancel = cancel or threading.Event()
        self._on_retry = on_retry
        self._on_wait = on_wait
        self._on_renewed = on_credential_renewed
        self._proxy = check_proxy(self.options.proxy)
        self._reset_at: dict[str, float] = {}
        self._retry_after: float | None = None  # of the last answer, as Unix time
        self.last_request_id: str | None = None
        self.last_token_grant: TokenGrant | None = None
        self._http = httpx.Client(
            timeout=httpx.Timeout(self.options.read_timeout, connect=self.options.connect_timeout),
            follow_redirects=False,
            verify=_ssl_context(self.options),
            proxy=self._proxy,
            transport=transport,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
        )
        self._sockets = _SocketRegistry()

    def __enter__(self) -> BitrixClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()
        self._sockets.clear()

    def get_source(self, source_id: int) -> Source:
        """``biconnector.source.get``: one source, setting values held raw (mask to show)."""
        return parse_source(self.call(SOURCE_GET, {"id": source_id}))

    def list_sources(self, *, on_page: Callable[[int, int], None] | None = None) -> SourceList:
        """``biconnector.source.list``, every page: all sources this credential can see.

        Pages of 50 are fetched with ``page=1, 2, …`` (sorted by id, without ``settings``)
        until a page holds fewer than 50. ``on_page(page, sources so far)`` is called after
        each page, for progress. Paging stops early, with ``stopped_early`` set, if the
        portal sends the same page twice or after ``MAX_LIST_PAGES`` pages.
        """
        found = SourceList()
        previous: list[dict[str, Any]] | None = None
        for page in range(1, MAX_LIST_PAGES + 1):
            payload = self.call(
                SOURCE_LIST, {"page": page, "select": list(LIST_SELECT), "order": {"id": "ASC"}}
            )
            rows = parse_source_list_page(payload)
            current = [row.to_dict() for row in rows]
            if rows and current == previous:
                found.stopped_early = (
                    f"The portal sent page {page} identical to page {page - 1}, so it seems to "
                    f"ignore paging; only the first {len(found)} sources are listed."
                )
                log.warning("source list: page %d repeats page %d; stopped", page, page - 1)
                return found
            previous = current
            found.extend(rows)
            if on_page is not None:
                on_page(page, len(found))
            if len(rows) < LIST_PAGE_SIZE:
                return found
        found.stopped_early = (
            f"The portal listed more than {MAX_LIST_PAGES} pages of sources; only the first "
            f"{len(found)} are shown."
        )
        return found

    def get_connector(self, connector_id: int | str) -> Connector:
        """``biconnector.connector.get``: the connector's title, declared settings and URLs."""
        return parse_connector(self.call(CONNECTOR_GET, {"id": connector_id}), connector_id)

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST *params* to *method*; return the JSON payload of a successful answer.

        Retries 503 rate limits, waits out a 429 if allowed, and renews an expired OAuth
        token once (see the module docstring).
        """
        attempt = 0
        refreshed = False
        waited_for_operation_limit = False
        while True:
            try:
                return self._call_once(method, params)
            except PortalError as exc:
                code = exc.code.upper()
                if code == "EXPIRED_TOKEN" and not refreshed and self._may_refresh():
                    refreshed = True
                    log.info("access token expired; renewing it once")
                    self.refresh()
                    continue
                if code in RETRYABLE_CODES and attempt < self.options.retries:
                    delay = self.options.retry_delay * (2**attempt)
                    attempt += 1
                    until = time.time() + delay
                    self._wait(WaitNotice("rate_limit", method, attempt, delay, until))
                    continue
                limited = code == "OPERATION_TIME_LIMIT" or exc.http_status == 429
                if limited and not waited_for_operation_limit:
                    delay = self._operation_limit_delay(method)
                    if delay is not None:
                        waited_for_operation_limit = True
                        self._wait(
                            WaitNotice("operation_limit", method, 1, delay, time.time() + delay)
                        )
                        continue
                raise

    # --- token renewal --------------------------------------------------------------------

    def _may_refresh(self) -> bool:
        cred = self.credential
        return (
            isinstance(cred, OAuthCredential) and cred.can_refresh and self._on_renewed is not None
        )

    def refresh(self) -> OAuthCredential:
        """Renew the access token at the OAuth server now; return the renewed credential.

        Sends ``GET <oauth_server>?grant_type=refresh_token&client_id=…&client_secret=…
        &refresh_token=…`` through the same proxy and TLS trust as portal calls. On success
        ``credential`` is replaced and ``on_credential_renewed`` (if any) is called. Raises
        ``TokenRefreshFailed`` (exit 3) when the server refuses (``invalid_grant``…),
        ``MissingCredential`` when the credential cannot be renewed, and the usual
        ``NoUsableAnswer`` family for network trouble.
        """
        cred = self.credential
        if not isinstance(cred, OAuthCredential) or not cred.can_refresh:
            raise MissingCredential(
                "This credential cannot renew its access token.",
                "Save the application's client ID, client secret and refresh token in the profile.",
            )
        server = cred.oauth_server
        host = _host_of(server)
        query = {
            "grant_type": "refresh_token",
            "client_id": cred.client_id or "",
            "client_secret": cred.client_secret or "",
            "refresh_token": cred.refresh_token or "",
        }
        # Not cancellable: once the server has rotated the refresh token, dropping its
        # answer would lose the only valid one. The exchange is still bounded by its deadline.
        status, raw = self._exchange(
            "GET", server, host=host, params=query, portal=False, cancellable=False
        )
        grant = self._parse_grant(status, raw, host)
        try:
            renewed = cred.with_tokens(grant.access_token, grant.refresh_token)
        except InvalidCredential:
            raise BadResponse(
                f"The OAuth server {host} sent a token that cannot be used "
                "(empty or with unexpected characters).",
                "Try again later; if it persists, renew the tokens on the portal.",
                status,
            ) from None
        self.credential = renewed
        self.last_token_grant = grant
        log.info("access token renewed at %s", host)
        if self._on_renewed is not None:
            self._on_renewed(renewed)
        return renewed

    def _parse_grant(self, status: int, raw: bytes, host: str) -> TokenGrant:
        secrets = self._secrets()
        try:
            payload = json.loads(raw)
        except (ValueError, RecursionError):
            what = _describe_non_json(raw)
            raise BadResponse(
                f"The OAuth server {host} sent {what} (HTTP {status}) instead of a token.",
                "Check the OAuth server address in the profile (normally "
                "https://oauth.bitrix.info/oauth/token/) and any proxy.",
                status,
            ) from None
        if isinstance(payload, dict) and ("error" in payload or "error_description" in payload):
            raise oauth_error(
                payload.get("error"), payload.get("error_description"), status, secrets=secrets
            )
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if status >= 400 or not isinstance(token, str) or not token:
            raise BadResponse(
                f"The OAuth server {host} answered without an access token (HTTP {status}).",
                "Check the OAuth server address in the profile; try again later.",
                status,
            )
        assert isinstance(payload, dict)

        def text(key: str) -> str | None:
            value = payload.get(key)
            return str(value) if isinstance(value, str | int) and value != "" else None

        def number(key: str) -> int | None:
            value = payload.get(key)
            if isinstance(value, bool):
                return None
            if isinstance(value, int):
                return value
            if isinstance(value, str) and value.isascii() and value.isdigit():
                return int(value)
            return None

        refresh = payload.get("refresh_token")
        return TokenGrant(
            access_token=token,
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            expires=number("expires"),
            expires_in=number("expires_in"),
            client_endpoint=text("client_endpoint"),
            server_endpoint=text("server_endpoint"),
            domain=text("domain"),
            member_id=text("member_id"),
            scope=text("scope"),
            status=text("status"),
            user_id=number("user_id"),
        )

    # --- waits ----------------------------------------------------------------------------

    def _operation_limit_delay(self, method: str) -> float | None:
        limit = self.options.operation_limit_wait
        if limit <= 0:
            return None
        reset_at = self._reset_at.get(method)
        now = time.time()
        delay = reset_at - now + 1.0 if reset_at and reset_at > now else _DEFAULT_OPERATION_WAIT
        return delay if delay <= limit else None

    def _wait(self, notice: WaitNotice) -> None:
        log.info("%s: %s; waiting %.1f s", notice.method, notice.reason, notice.seconds)
        if self._on_retry is not None:
            self._on_retry(notice.attempt, notice.seconds)
        if self._on_wait is not None:
            self._on_wait(notice)
        if self._cancel.wait(notice.seconds):
            raise Cancelled() from None

    # --- one request ----------------------------------------------------------------------

    def _call_once(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        url = self.credential.endpoint(method)
        body = self.credential.request_body(params)
        status, raw = self._exchange("POST", url, host=self.credential.host, json_body=body)
        log.debug("%s answered HTTP %d, %d bytes", method, status, len(raw))
        try:
            payload = self._interpret(status, raw)
        except PortalError as exc:
            if exc.code.upper() == "OPERATION_TIME_LIMIT" or exc.http_status == 429:
                raise self._operation_limited(exc, method, raw) from None
            raise
        reset_at = _operating_reset_at(payload)
        if reset_at is not None:
            self._reset_at[method] = reset_at
        return payload

    def _operation_limited(self, exc: PortalError, method: str, raw: bytes) -> PortalError:
        """The 429 error, saying when the method frees up if the portal said so.

        The portal's word: ``Retry-After``, ``time.operating_reset_at`` in this answer, or
        the ``operating_reset_at`` of the method's last good answer (spec §11).
        """
        now = time.time()
        reset_at = self._retry_after
        if reset_at is None:
            try:
                reset_at = _operating_reset_at(json.loads(raw))
            except (ValueError, RecursionError):
                reset_at = None
        if reset_at is not None and now < reset_at < now + 86_400:
            self._reset_at[method] = reset_at
        reset_at = self._reset_at.get(method)
        if reset_at is None or reset_at <= now:
            return exc
        return operation_limited(exc, reset_at, now)

    def _exchange(
        self,
        verb: str,
        url: str,
        *,
        host: str,
        json_body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        portal: bool = True,
        cancellable: bool = True,
    ) -> tuple[int, bytes]:
        """Send one request; return (status, body read within the cap). Maps every failure.

        Shared by portal calls and the OAuth refresh, so both use the same proxy, TLS trust,
        size cap, deadline, cancellation and error mapping.
        """
        cancel = self._cancel if cancellable else threading.Event()
        if cancel.is_set():
            raise Cancelled()
        request_id = uuid.uuid4().hex
        self.last_request_id = request_id
        deadline = time.monotonic() + self._total_timeout()
        # httpx's timeouts bound each socket operation, not the whole exchange: the watchdog
        # ends a request that trickles its status line, headers or body past the deadline,
        # and makes a cancel interrupt a blocked read.
        watchdog = _Watchdog(self._sockets, deadline, cancel)
        try:
            with self._http.stream(
                verb,
                url,
                json=json_body,
                params=params,
                headers={"X-Request-ID": request_id},
                extensions={"trace": self._sockets.trace},
            ) as response:
                if response.is_redirect:
                    raise self._redirected(response, portal=portal)
                self._retry_after = _retry_after(response.headers.get("retry-after"))
                raw = self._read_capped(response, deadline, host, cancel)
                return response.status_code, raw
        except InspectorError:
            raise
        except httpx.HTTPError as exc:
            if watchdog.fired == "cancel":
                raise Cancelled() from exc
            if watchdog.fired == "deadline":
                raise self._deadline_passed(host) from exc
            raise self._transport_error(exc, host) from exc
        finally:
            watchdog.stop()

    def _read_capped(
        self, response: httpx.Response, deadline: float, host: str, cancel: threading.Event
    ) -> bytes:
        """The body, decompressed here in bounded steps: the cap counts decoded bytes, and
        a gzip bomb never inflates in memory much past it (httpx would inflate each raw
        read of up to 64 KiB in one go, ~1000x for a bomb, before the cap is seen)."""
        cap = self.options.max_bytes
        raw_chunks: Iterable[bytes]
        if response.is_stream_consumed:
            # A transport that hands over a response it has read (and decoded) already,
            # such as httpx.MockTransport: only the cap is left to check.
            body, raw_chunks = bytearray(response.content), ()
            decoder = _BodyDecoder([])
        else:
            body, raw_chunks = bytearray(), response.iter_raw()
            decoder = _BodyDecoder(response.headers.get_list("content-encoding", split_commas=True))

        def check() -> None:
            if len(body) > cap:
                raise BadResponse(
                    f"The answer is larger than {_size_text(cap)}, so reading stopped.",
                    "A source is far smaller than this; the address may not be a Bitrix24 portal.",
                    response.status_code,
                )

        try:
            if decoder.unsupported:
                raise BadResponse(
                    f"{host} sent an answer compressed as “{self._safe(decoder.unsupported, 60)}”"
                    f", which cannot be read (only {ACCEPT_ENCODING} was asked for).",
                    "Check that the address is your Bitrix24 portal; a proxy may be changing "
                    "the answer.",
                    response.status_code,
                )
            check()
            for chunk in raw_chunks:
                body += decoder.feed(chunk, cap + 1 - len(body))
                check()
                if time.monotonic() > deadline:
                    raise self._deadline_passed(host)
                if cancel.is_set():
                    raise Cancelled()
            decoder.finish()
        except zlib.error:
            raise BadResponse(
                f"{host} sent a compressed answer that could not be decoded.",
                "Check that the address is your Bitrix24 portal; a proxy may be damaging "
                "the answer.",
                response.status_code,
            ) from None
        return bytes(body)

    def _deadline_passed(self, host: str) -> RequestTimeout:
        return RequestTimeout(
            f"{host} was still sending its answer when the time limit "
            f"of {self._total_timeout():g} s ran out.",
            "The network or the portal is very slow; try again, or raise the timeout.",
        )

    def _total_timeout(self) -> float:
        return self.options.connect_timeout + self.options.read_timeout

    # --- mapping --------------------------------------------------------------------------

    def _secrets(self) -> tuple[str, ...]:
        return (*self.credential.secrets(), *proxy_secrets(self._proxy))

    def _safe(self, text: str, max_len: int = 300) -> str:
        return safe_text(text, self._secrets(), max_len=max_len)

    def _redirected(self, response: httpx.Response, *, portal: bool = True) -> Redirected:
        location = response.headers.get("location", "")
        new_origin: str | None = None
        try:
            target = response.url.join(location)
            shown = self._safe(str(target.copy_with(query=None, fragment=None)))
            same_host = target.host == response.url.host
            if portal:
                new_origin = self._moved_to(response.url, target)
        except (httpx.InvalidURL, ValueError):
            shown, same_host = self._safe(location), False
        where = "another address on the same host" if same_host else "another host"
        who = "portal" if portal else "OAuth server"
        if new_origin is not None:
            return Redirected(
                f"The portal answered that it has moved to {new_origin} (HTTP "
                f"{response.status_code}). The request was not repeated there, so the "
                "credential was not sent to the new address.",
                f"If {new_origin} is your portal's new address, update the profile to it.",
                shown,
                new_origin,
            )
        return Redirected(
            f"The {who} redirected the request to {shown} (HTTP {response.status_code}). "
            f"The redirect was not followed, so the credential was not sent to {where}.",
            "If the portal has moved, check the new address and update the credential.",
            shown,
        )

    def _moved_to(self, source: httpx.URL, target: httpx.URL) -> str | None:
        """The portal's new origin when *target* is the same REST path on another address."""
        if target.scheme not in ("https", source.scheme):
            return None  # never suggest a downgrade from https to http
        path = source.path
        rest_at = path.find("/rest/")
        if rest_at < 0 or not target.path.endswith(path[rest_at:]):
            return None
        prefix = target.path[: len(target.path) - len(path) + rest_at]
        host = f"[{target.host}]" if ":" in target.host else target.host
        port = f":{target.port}" if target.port is not None else ""
        try:
            origin = parse_portal(f"{target.scheme}://{host}{port}{prefix}").origin
        except InputError:
            return None
        if origin == self.credential.portal.origin:
            return None
        return origin

    def _transport_error(self, exc: httpx.HTTPError, host: str) -> InspectorError:
        if self._proxy is not None:
            proxy = self._safe(display_proxy(self._proxy))
            if isinstance(exc, httpx.ProxyError):
                return NetworkError(
                    f"The proxy {proxy} could not connect to {host}: "
                    f"{self._safe(str(exc) or type(exc).__name__)}.",
                    "Check the proxy setting, and that the proxy allows this address.",
                )
            cause = _root_causes(exc)
            if isinstance(exc, httpx.ConnectError) and any(
                isinstance(c, ConnectionRefusedError | socket.gaierror) for c in cause
            ):
                return ConnectionRefused(
                    f"Could not reach the proxy {proxy}.",
                    "Check the proxy setting (host and port) and your network.",
                )
        if isinstance(exc, httpx.ProxyError):
            return NetworkError(
                f"A proxy (from the environment) could not connect to {host}: "
                f"{self._safe(str(exc) or type(exc).__name__)}.",
                "Check the HTTPS_PROXY / HTTP_PROXY variables, or set a proxy explicitly.",
            )
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
        if isinstance(exc, httpx.DecodingError):
            # A body whose Content-Encoding lies (not gzip/deflate data): a garbled answer,
            # not a network problem.
            return BadResponse(
                f"{host} sent a compressed answer that could not be decoded.",
                "Check that the address is your Bitrix24 portal; a proxy may be damaging "
                "the answer.",
            )
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
        secrets = self._secrets()
        try:
            payload = json.loads(raw)
        except RecursionError:
            raise BadResponse(
                f"The portal's answer (HTTP {status}) is JSON nested too deeply to be read.",
                "A Bitrix24 answer is far flatter than this; the address may not be a "
                "Bitrix24 portal.",
                status,
            ) from None
        except ValueError:
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
        what = _describe_non_json(raw)
        if status >= 400:
            explanation = explain_status(status)
            return BadResponse(f"{explanation.message} It sent {what}.", explanation.hint, status)
        return BadResponse(
            f"The portal sent {what} (HTTP {status}).",
            "Check that the address is your Bitrix24 portal; a proxy or login page may be "
            "answering instead.",
            status,
        )


class _SocketRegistry:
    """The sockets of one client's connections, learnt from httpcore's ``trace`` extension.

    Every new TCP connection and TLS session is reported as ``*.connect_tcp.complete`` /
    ``*.start_tls.complete`` with the network stream, whose ``get_extra_info("socket")``
    is documented. (A TLS handshake needs no watching: CPython bounds the whole handshake
    by the socket's timeout, the connect timeout.)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event.endswith((".connect_tcp.complete", ".start_tls.complete")):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            with self._lock:
                self._sockets = [s for s in self._sockets if s.fileno() != -1]
                if isinstance(sock, socket.socket):
                    self._sockets.append(sock)

    def shut_down(self) -> None:
        """Shut every open connection down; a read blocked on one of them ends at once."""
        with self._lock:
            for sock in self._sockets:
                if sock.fileno() == -1:
                    continue
                # socket.socket.shutdown also works on an SSLSocket, without touching the
                # TLS state the reading thread may be using at this moment.
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def clear(self) -> None:
        with self._lock:
            self._sockets = []


class _Watchdog:
    """Watches one exchange: past its deadline, or once cancelled, it shuts the sockets.

    ``fired`` is ``None``, ``"deadline"`` or ``"cancel"``. ``stop()`` ends the watch (and
    its thread) when the exchange is over.
    """

    def __init__(self, sockets: _SocketRegistry, deadline: float, cancel: threading.Event) -> None:
        self.fired: Literal["deadline", "cancel"] | None = None
        self._sockets = sockets
        self._deadline = deadline
        self._cancel = cancel
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="request-watchdog", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while True:
            remaining = self._deadline - time.monotonic()
            if self._done.wait(min(_WATCH_INTERVAL, max(remaining, 0.0))):
                return
            if self._cancel.is_set():
                self.fired = "cancel"
            elif time.monotonic() >= self._deadline:
                self.fired = "deadline"
            else:
                continue
            log.debug("request watchdog: %s; shutting the connection down", self.fired)
            self._sockets.shut_down()
            return

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


class _BodyDecoder:
    """Inflates a gzip or deflate body in bounded steps (``zlib``'s ``max_length``).

    ``feed(data, limit)`` returns at most *limit* bytes; returning exactly *limit* means
    there may be more, which the caller treats as over its cap. ``unsupported`` names an
    encoding that cannot be read (br, zstd, more than one layer…), else it is ``""``.
    Raises ``zlib.error`` for data that is not what it claims to be.
    """

    def __init__(self, encodings: list[str]) -> None:
        layers = [e.strip().lower() for e in encodings]
        layers = [e for e in layers if e not in ("", "identity")]
        self.unsupported = ""
        self._kind = ""
        if len(layers) > 1:
            self.unsupported = ", ".join(layers)
        elif layers and layers[0] in ("gzip", "x-gzip"):
            self._kind = "gzip"
        elif layers and layers[0] == "deflate":
            self._kind = "deflate"
        elif layers:
            self.unsupported = layers[0]
        self._inflater: Any = (
            zlib.decompressobj(zlib.MAX_WBITS | 16) if self._kind == "gzip" else None
        )
        self._pending = b""  # deflate: the first bytes, until zlib or raw is known
        self._fed = False

    def feed(self, data: bytes, limit: int) -> bytes:
        if not self._kind:
            return data
        self._fed = self._fed or bool(data)
        if self._inflater is None:
            # "deflate" is zlib-wrapped by the standard, raw in practice: look at the header.
            self._pending += data
            if len(self._pending) < 2:
                return b""
            data, self._pending = self._pending, b""
            wrapped = (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        out = b""
        while data and len(out) < limit:
            if self._inflater.eof:
                # A further gzip member may follow; anything else after the end is ignored.
                if self._kind != "gzip" or not data.startswith(b"\x1f\x8b"):
                    return out
                self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
            out += self._inflater.decompress(data, limit - len(out))
            data = self._inflater.unused_data if self._inflater.eof else b""
        return out

    def finish(self) -> None:
        """Check that the compressed body ended where its format says it ends."""
        if not self._kind or not self._fed:
            return  # an empty body is empty, whatever it says it is compressed with
        if self._inflater is None:
            raise zlib.error("a deflate body of one byte")
        if not self._inflater.eof:
            raise zlib.error("the compressed body ended early")


def _operating_reset_at(payload: Any) -> float | None:
    """``time.operating_reset_at`` of an answer (Unix time), if it has a usable one."""
    time_block = payload.get("time") if isinstance(payload, dict) else None
    value = time_block.get("operating_reset_at") if isinstance(time_block, dict) else None
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        return float(value)
    return None


def _retry_after(header: str | None) -> float | None:
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


def _describe_non_json(raw: bytes) -> str:
    head = raw[:512].lstrip().lower()
    if not raw.strip():
        return "an empty answer"
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
        return "a web page instead of JSON"
    return "an answer that is not valid JSON (it may be cut off or garbled)"


def _size_text(size: int) -> str:
    """A byte count for a message: "16 MiB", "64 KiB", "1.5 MiB" or "1000 bytes"."""
    mib, kib = 1024 * 1024, 1024
    if size >= mib:
        return f"{size // mib} MiB" if size % mib == 0 else f"{size / mib:.1f} MiB"
    if size >= kib and size % kib == 0:
        return f"{size // kib} KiB"
    return f"{size} bytes"


def _host_of(url: str) -> str:
    """host[:port] of a URL, for messages (no user info, path or query)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        return f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return "?"


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
    on_wait: WaitCallback | None = None,
    on_credential_renewed: CredentialRenewed | None = None,
) -> Source:
    """One-shot convenience used by the CLI and the window's worker."""
    with BitrixClient(
        credential,
        options,
        cancel=cancel,
        on_retry=on_retry,
        on_wait=on_wait,
        on_credential_renewed=on_credential_renewed,
    ) as client:
        return client.get_source(source_id)
