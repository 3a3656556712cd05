"""The request loop: one Bitrix24 method call, with its waits, retries and token renewal.

One call is one POST of a JSON body to ``<endpoint>/<method>`` (sent by ``exchange``, its
answer read by ``envelope``). Around it, ``BitrixClient.call`` decides whether to try
again:

Waits: HTTP 503 ``QUERY_LIMIT_EXCEEDED`` is retried with growing delays; HTTP 429
``OPERATION_TIME_LIMIT`` is waited out (once, until ``operating_reset_at``) only if
``RequestOptions.operation_limit_wait`` allows it. Each wait is announced through
``on_wait`` (a ``WaitNotice``) and ends early, with ``Cancelled``, when the ``cancel``
event is set.

Token renewal (spec §10.2): when the portal answers ``expired_token`` and the credential
``can_refresh`` and the caller gave ``on_credential_renewed``, the client asks the OAuth
server once (``GET <oauth_server>?grant_type=refresh_token&…``, see ``oauth``), hands the
renewed credential to the callback (which must persist it: the old refresh token is now
void), and repeats the call once. It never refreshes on a timer or ahead of a call.
When the callback is a ``SharedRenewal`` (a keychain profile that another running copy
may renew too), the renewal happens under that profile's lock across processes, and
tokens another copy renewed meanwhile are used instead of spending a void refresh token
(see ``renewal_lock``).

Lists: ``biconnector.source.list`` is read page by page until a short page.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

import httpx

from ...i18n import ngettext
from ..connector import Connector, parse_connector
from ..credentials import Credential, OAuthCredential
from ..errors import Cancelled, PortalError
from ..explanations import operation_limited
from ..hosts import shown_host
from ..model import (
    LIST_SELECT,
    Source,
    SourceSummary,
    parse_source,
    parse_source_list_page,
)
from ..options import RequestOptions
from ..proxies import check_proxy, proxy_secrets
from ..renewal_lock import SharedRenewal
from ..source_json import MaskedSource, masked_source
from .envelope import interpret_answer, operating_reset_at
from .exchange import Exchanger
from .oauth import (
    TokenGrant,
    cannot_refresh,
    host_of,
    parse_grant,
    refresh_query,
    renewed_credential,
)

if TYPE_CHECKING:
    from ..connection_pool import ConnectionPool

log = logging.getLogger(__name__)

SOURCE_GET = "biconnector.source.get"
SOURCE_LIST = "biconnector.source.list"
CONNECTOR_GET = "biconnector.connector.get"
RETRYABLE_CODES = frozenset({"QUERY_LIMIT_EXCEEDED"})
LIST_PAGE_SIZE = 50  # biconnector *.list pages are fixed at 50 (spec §2)
MAX_LIST_PAGES = 200  # 10,000 sources: far beyond any real portal; a guard against loops
_DEFAULT_OPERATION_WAIT = 60.0  # one bucket of the 10-minute operating window (spec §11)


@dataclass(frozen=True)
class WaitNotice:
    """A wait the client is about to make; the window shows it as a cancellable countdown.

    ``reason`` is ``"rate_limit"`` (HTTP 503, retried with growing delays) or
    ``"operation_limit"`` (HTTP 429, the method is blocked until ``until``, Unix time).
    ``attempt`` is the attempt about to be made after ``seconds`` of waiting.
    """

    reason: Literal["rate_limit", "operation_limit"]
    method: str
    attempt: int
    seconds: float
    until: float


WaitCallback = Callable[[WaitNotice], None]
CredentialRenewed = Callable[[OAuthCredential], None]


@runtime_checkable
class PreparedRenewal(Protocol):
    """An ``on_credential_renewed`` callback that can also be asked, before a refresh token
    is spent, whether the new tokens can be kept: ``prepare()`` raises an
    ``InspectorError`` to stop the refresh (the saved refresh token then still works)."""

    def __call__(self, credential: OAuthCredential) -> None: ...

    def prepare(self) -> None: ...


class SourceList(list[SourceSummary]):
    """The sources ``list_sources`` found; ``stopped_early`` says why paging stopped short.

    ``stopped_early`` is ``None`` when the last (short) page was reached, otherwise a
    plain sentence (a portal that ignores ``page``, or more than ``MAX_LIST_PAGES`` pages).
    """

    stopped_early: str | None = None


class BitrixClient:
    """A synchronous client for one credential. Use from one thread; close when done.

    * ``cancel``: set it (from any thread) to end a wait or a transfer with ``Cancelled``.
    * ``on_wait``: told before each rate-limit wait (see ``WaitNotice``).
    * ``on_credential_renewed``: called on the calling thread with the renewed
      ``OAuthCredential`` right after a token refresh, before the call is repeated. It must
      persist it (``CredentialStore.save(profile, cred.to_storage())``; from a worker
      thread, hand it to the GUI thread): the old refresh token no longer works. Without
      this callback the client never refreshes, since the new refresh token would be lost.
      A ``PreparedRenewal`` callback is also asked (``prepare``) before the refresh token
      is spent, so that it can stop a refresh whose new tokens could not be kept.

    * ``pool``: borrow the connections a ``ConnectionPool`` keeps (from the requests before)
      instead of opening new ones; ``close`` gives them back open.

    After each request ``last_request_id`` holds the ``X-Request-ID`` it sent, and
    ``credential`` always holds the credential in use (renewed, after a refresh).
    ``bytes_received`` counts the bytes of the portal's answers to its calls (decoded).

    Raises ``InputError`` subclasses for an unusable proxy or extra CA file.
    """

    def __init__(
        self,
        credential: Credential,
        options: RequestOptions | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        cancel: threading.Event | None = None,
        on_wait: WaitCallback | None = None,
        on_credential_renewed: CredentialRenewed | None = None,
        pool: ConnectionPool | None = None,
    ) -> None:
        self.credential: Credential = credential
        self.options = options or RequestOptions()
        self._cancel = cancel or threading.Event()
        self._on_wait = on_wait
        self._on_renewed = on_credential_renewed
        self._proxy = check_proxy(self.options.proxy)
        self._reset_at: dict[str, float] = {}  # method -> when its operating limit resets
        self.last_token_grant: TokenGrant | None = None
        self.last_renewal_adopted = False
        self.bytes_received = 0
        self._pool = pool
        self._given_back = False
        if pool is not None:
            if transport is not None:
                raise ValueError("a pooled client uses the pool's transport")
            self._exchanger = pool.borrow(self.options, self._proxy)
        else:
            self._exchanger = Exchanger(
                self.options, proxy=self._proxy, cancel=self._cancel, transport=transport
            )

    def __enter__(self) -> BitrixClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is None:
            self._exchanger.close()
        elif not self._given_back:
            self._given_back = True
            self._pool.give_back(self._exchanger)  # its connections stay for the next client

    @property
    def last_request_id(self) -> str | None:
        """The ``X-Request-ID`` of the last request sent (the portal's logs know it)."""
        return self._exchanger.last_request_id

    def get_source(self, source_id: int) -> Source:
        """``biconnector.source.get``: one source, setting values held raw (mask to show)."""
        return parse_source(self.call(SOURCE_GET, {"id": source_id}))

    def get_masked_source(self, source_id: int) -> MaskedSource:
        """``biconnector.source.get`` as ``get --json`` prints it (``source_json``)."""
        return masked_source(self.call(SOURCE_GET, {"id": source_id}))

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
                found.stopped_early = ngettext(
                    "The portal sent page {page} identical to page {previous}, so it seems to "
                    "ignore paging; only the first {n} source is listed.",
                    "The portal sent page {page} identical to page {previous}, so it seems to "
                    "ignore paging; only the first {n} sources are listed.",
                    len(found),
                ).format(page=page, previous=page - 1, n=len(found))
                log.warning("source list: page %d repeats page %d; stopped", page, page - 1)
                return found
            previous = current
            found.extend(rows)
            if on_page is not None:
                on_page(page, len(found))
            if len(rows) < LIST_PAGE_SIZE:
                return found
        found.stopped_early = ngettext(
            "The portal listed more than {pages} pages of sources; only the first {n} is shown.",
            "The portal listed more than {pages} pages of sources; only the first {n} are shown.",
            len(found),
        ).format(pages=MAX_LIST_PAGES, n=len(found))
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
        refreshed = False  # a refresh token was spent (at most once per call)
        renewals = 0  # at most: another copy's tokens taken, then one refresh
        waited_for_operation_limit = False
        while True:
            try:
                return self._call_once(method, params)
            except PortalError as exc:
                code = exc.code.upper()
                if (
                    code == "EXPIRED_TOKEN"
                    and not refreshed
                    and renewals < 2
                    and self._may_refresh()
                ):
                    log.info("access token expired; renewing it once")
                    renewals += 1
                    self.refresh()
                    refreshed = not self.last_renewal_adopted
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

        With a ``SharedRenewal`` callback this happens under the profile's lock across
        processes (a cancellable wait, ``RenewalBusy`` when it runs out), and tokens another
        running copy renewed meanwhile are taken instead of spending the refresh token
        (then ``last_renewal_adopted`` is True and ``adopted`` is called, not the callback).
        """
        self.last_renewal_adopted = self._renew()
        assert isinstance(self.credential, OAuthCredential)
        return self.credential

    def _renew(self) -> bool:
        """Renew the access token (see ``refresh``); True when the tokens another running
        copy had renewed were taken instead (no refresh token spent)."""
        cred = self.credential
        if not isinstance(cred, OAuthCredential) or not cred.can_refresh:
            raise cannot_refresh()
        shared = self._on_renewed
        if not isinstance(shared, SharedRenewal):
            self._spend_refresh_token(cred)
            return False
        # Waiting for the lock is cancellable: nothing has been spent yet.
        with shared.hold(self._cancel):
            newer = shared.newer_than(cred)
            if newer is not None:
                log.info("another running copy renewed the access token; using its tokens")
                self.credential = newer
                shared.adopted(newer)
                return True
            self._spend_refresh_token(cred)
            return False

    def _spend_refresh_token(self, cred: OAuthCredential) -> None:
        if isinstance(self._on_renewed, PreparedRenewal):
            self._on_renewed.prepare()  # e.g. is the keychain writable? Raises to stop.
        host = host_of(cred.oauth_server)
        secrets = self._secrets()
        # Not cancellable: once the server has rotated the refresh token, dropping its
        # answer would lose the only valid one. The exchange is still bounded by its deadline.
        answer = self._exchanger.send(
            "GET",
            cred.oauth_server,
            host=host,
            secrets=secrets,
            params=refresh_query(cred),
            cancellable=False,
        )
        grant = parse_grant(answer.status, answer.body, host, secrets=secrets)
        renewed = renewed_credential(cred, grant, host, answer.status)
        self.credential = renewed
        self.last_token_grant = grant
        log.info("access token renewed at %s", host)
        if self._on_renewed is not None:
            self._on_renewed(renewed)

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
        if self._on_wait is not None:
            self._on_wait(notice)
        if self._cancel.wait(notice.seconds):
            raise Cancelled() from None

    # --- one call -------------------------------------------------------------------------

    def _call_once(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        cred, secrets = self.credential, self._secrets()
        answer = self._exchanger.send(
            "POST",
            cred.endpoint(method),
            host=shown_host(cred.host),  # for messages: a look-alike host in its ASCII form
            secrets=secrets,
            json_body=cred.request_body(params),
            portal_origin=cred.portal.origin,
            cancel=self._cancel,
        )
        log.debug("%s answered HTTP %d, %d bytes", method, answer.status, len(answer.body))
        self.bytes_received += len(answer.body)
        try:
            payload = interpret_answer(
                answer.status,
                answer.body,
                via_webhook=cred.kind == "webhook",
                secrets=secrets,
                method=method,
            )
        except PortalError as exc:
            if exc.code.upper() == "OPERATION_TIME_LIMIT" or exc.http_status == 429:
                raise self._operation_limited(exc, method, answer.body, answer.retry_at) from None
            raise
        reset_at = operating_reset_at(payload)
        if reset_at is not None:
            self._reset_at[method] = reset_at
        return payload

    def _operation_limited(
        self, exc: PortalError, method: str, raw: bytes, retry_at: float | None
    ) -> PortalError:
        """The 429 error, saying when the method frees up if the portal said so.

        The portal's word: ``Retry-After`` (*retry_at*), ``time.operating_reset_at`` in this
        answer, or the ``operating_reset_at`` of the method's last good answer (spec §11).
        """
        now = time.time()
        reset_at = retry_at
        if reset_at is None:
            try:
                reset_at = operating_reset_at(json.loads(raw))
            except (ValueError, RecursionError):
                reset_at = None
        if reset_at is not None and now < reset_at < now + 86_400:
            self._reset_at[method] = reset_at
        reset_at = self._reset_at.get(method)
        if reset_at is None or reset_at <= now:
            return exc
        return operation_limited(exc, reset_at, now)

    def _secrets(self) -> tuple[str, ...]:
        """Everything to mask out of a message: the credential's secrets and the proxy's."""
        return (*self.credential.secrets(), *proxy_secrets(self._proxy))
