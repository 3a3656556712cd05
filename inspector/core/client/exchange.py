"""One HTTP exchange: send a request, read its answer within the cap and the deadline.

Portal calls and the OAuth token refresh share one ``httpx.Client`` (so one proxy and one
TLS trust, see ``network.py``) and this one send / capped read / error mapping path:

* Redirects are never followed (the credential would travel to wherever ``Location``
  points); they are reported (``transport_errors.redirect_error``).
* Every exchange ends by ``connect_timeout + read_timeout``, whatever the server trickles
  (status line, headers or body), and at once when ``cancel`` is set (``watchdog``).
* The body is inflated here, in bounded steps, so the size cap counts decompressed bytes
  and a gzip bomb costs no more memory than the cap (``decoder``).
* Every httpx exception becomes one of ours (``transport_errors.map_transport_error``).

What the answer means is not decided here (see ``envelope`` and ``oauth``).
"""

from __future__ import annotations

import contextlib
import os
import ssl
import threading
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from ... import APP_NAME, __version__
from ...i18n import _
from ..errors import BadResponse, Cancelled, InspectorError
from ..masking import safe_text
from ..network import build_ssl_context
from ..options import RequestOptions
from ..proxies import EnvironmentProxies, Route, environment_proxies
from .decoder import ACCEPT_ENCODING, BodyDecoder, size_text
from .envelope import retry_after
from .transport_errors import (
    deadline_passed,
    map_transport_error,
    redirect_error,
    undecodable_answer,
)
from .watchdog import SocketRegistry, Watchdog

USER_AGENT = f"{APP_NAME}/{__version__} httpx/{httpx.__version__}"


@dataclass(frozen=True)
class Answer:
    """A complete answer: HTTP status, body (decoded, within the cap) and ``Retry-After``.

    ``retry_at`` is the ``Retry-After`` header as Unix time, ``None`` if absent or unusable.
    """

    status: int
    body: bytes
    retry_at: float | None


def ssl_context(options: RequestOptions) -> ssl.SSLContext:
    """The TLS trust of every request (see ``RequestOptions.verify``); never unverified."""
    verify = options.verify
    if verify is False:
        raise ValueError("TLS verification cannot be turned off")
    if isinstance(verify, ssl.SSLContext):
        return verify
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return build_ssl_context(options.extra_ca_file)


class Exchanger:
    """Runs the HTTP exchanges of one client, one at a time. Close it when done.

    *proxy* is an already checked proxy URL (``proxies.check_proxy``), ``None`` for the
    environment's. *cancel* ends a transfer with ``Cancelled``. After each request
    ``last_request_id`` holds the ``X-Request-ID`` it sent.
    """

    def __init__(
        self,
        options: RequestOptions,
        *,
        proxy: str | None,
        cancel: threading.Event,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.options = options
        self.last_request_id: str | None = None
        self._proxy = proxy
        self._cancel = cancel
        self._transport = transport
        self._verify = ssl_context(options)
        # httpx would read the proxy variables itself (trust_env) and fail with a traceback
        # on one it cannot use; they are read and checked here instead (``proxies``).
        self._environment: EnvironmentProxies | None = (
            environment_proxies() if proxy is None and transport is None else None
        )
        self._clients: dict[str | None, httpx.Client] = {}
        self._sockets = SocketRegistry()
        self.closed = False

    def _route(self, url: str) -> Route:
        if self._proxy is not None:
            return Route(self._proxy, "the proxy setting")
        if self._environment is None:
            return Route(None)
        return self._environment.route(url)

    def _client(self, proxy: str | None) -> httpx.Client:
        """One httpx client per proxy (None: direct), all with the same trust and limits."""
        client = self._clients.get(proxy)
        if client is None:
            client = httpx.Client(
                timeout=httpx.Timeout(
                    self.options.read_timeout, connect=self.options.connect_timeout
                ),
                follow_redirects=False,
                verify=self._verify,
                proxy=proxy,
                transport=self._transport,
                trust_env=False,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": "application/json",
                    "Accept-Encoding": ACCEPT_ENCODING,
                },
            )
            self._clients[proxy] = client
        return client

    def close(self) -> None:
        self.closed = True
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        self._sockets.clear()

    def forget_cookies(self) -> None:
        """Drop the cookies servers set (a borrower's end, see ``connection_pool``)."""
        for client in self._clients.values():
            client.cookies.clear()

    @property
    def total_timeout(self) -> float:
        """The deadline of a whole exchange, in seconds from its start."""
        return self.options.connect_timeout + self.options.read_timeout

    def send(
        self,
        verb: str,
        url: str,
        *,
        host: str,
        secrets: tuple[str, ...],
        json_body: dict[str, Any] | None = None,
        form_body: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        portal_origin: str | None = None,
        cancellable: bool = True,
        cancel: threading.Event | None = None,
    ) -> Answer:
        """Send one request; return its answer read within the cap. Maps every failure.

        *host* names the server in messages and *secrets* are masked out of them.
        *portal_origin* is the credential's portal for a portal call, ``None`` for the
        OAuth server (it changes how a redirect is reported). A request that is not
        *cancellable* ignores ``cancel`` but still ends at its deadline. *cancel* replaces
        the exchanger's own for this request (a borrower's: see ``connection_pool``).
        """
        if not cancellable:
            cancel = threading.Event()
        elif cancel is None:
            cancel = self._cancel
        if cancel.is_set():
            raise Cancelled()
        route = self._route(url)
        request_id = os.urandom(16).hex()  # 128 random bits; uuid's import cost ~2 ms
        self.last_request_id = request_id
        deadline = time.monotonic() + self.total_timeout
        # httpx's timeouts bound each socket operation, not the whole exchange: the watchdog
        # ends a request that trickles its status line, headers or body past the deadline,
        # and makes a cancel interrupt a blocked read.
        watchdog = Watchdog(self._sockets, deadline, cancel)
        opened: list[Any] = []  # the network streams this exchange opened

        def trace(event: str, info: dict[str, Any]) -> None:
            self._sockets.trace(event, info)
            if event.endswith(".connect_tcp.complete") and info.get("return_value") is not None:
                opened.append(info["return_value"])

        try:
            with self._client(route.proxy).stream(
                verb,
                url,
                json=json_body,
                data=form_body,  # the connector endpoints take a form (endpoint_calls)
                params=params,
                headers={"X-Request-ID": request_id},
                extensions={"trace": trace},
            ) as response:
                if response.is_redirect:
                    raise redirect_error(response, portal_origin=portal_origin, secrets=secrets)
                retry_at = retry_after(response.headers.get("retry-after"))
                body = self._read_capped(response, deadline, host, cancel, secrets)
                return Answer(response.status_code, body, retry_at)
        except InspectorError:
            raise
        except httpx.HTTPError as exc:
            if isinstance(exc, httpx.ProxyError):
                # httpcore leaves the socket of a failed SOCKS handshake open.
                for stream in opened:
                    with contextlib.suppress(Exception):
                        stream.close()
            if watchdog.fired == "cancel":
                raise Cancelled() from exc
            if watchdog.fired == "deadline":
                raise deadline_passed(host, self.total_timeout, exc) from exc
            raise map_transport_error(
                exc, host=host, proxy=route.proxy, options=self.options, secrets=secrets
            ) from exc
        finally:
            watchdog.stop()

    def _read_capped(
        self,
        response: httpx.Response,
        deadline: float,
        host: str,
        cancel: threading.Event,
        secrets: tuple[str, ...],
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
            decoder = BodyDecoder([])
        else:
            body, raw_chunks = bytearray(), response.iter_raw()
            decoder = BodyDecoder(response.headers.get_list("content-encoding", split_commas=True))

        def check() -> None:
            if len(body) > cap:
                raise BadResponse(
                    _("The answer is larger than {size}, so reading stopped.").format(
                        size=size_text(cap)
                    ),
                    _(
                        "A source is far smaller than this; the address may not be a Bitrix24 "
                        "portal."
                    ),
                    response.status_code,
                )

        try:
            if decoder.unsupported:
                encoding = safe_text(decoder.unsupported, secrets, max_len=60)
                raise BadResponse(
                    _(
                        "{host} sent an answer compressed as “{encoding}”, which cannot be read "
                        "(only {accepted} was asked for)."
                    ).format(host=host, encoding=encoding, accepted=ACCEPT_ENCODING),
                    _(
                        "Check that the address is your Bitrix24 portal; a proxy may be changing "
                        "the answer."
                    ),
                    response.status_code,
                )
            check()
            for chunk in raw_chunks:
                body += decoder.feed(chunk, cap + 1 - len(body))
                check()
                if time.monotonic() > deadline:
                    raise deadline_passed(host, self.total_timeout)
                if cancel.is_set():
                    raise Cancelled()
            decoder.finish()
        except zlib.error:
            raise undecodable_answer(host, response.status_code) from None
        return bytes(body)
