"""Every way an exchange can fail below Bitrix24, mapped once to the inspector's error tree.

httpx keeps its own mapping of httpcore's exceptions in one place
(``map_httpcore_exceptions``); this module does the same one level up: an httpx exception
(and the ``ssl`` / ``socket`` errors it was raised from) becomes one ``errors`` class with
a plain sentence, in ``map_transport_error``. Views never see an ``httpx.*`` exception.
The other ways an exchange ends without a usable answer are worded here too: a redirect
(never followed, since the credential would travel to wherever ``Location`` points), the
overall deadline, and a body that cannot be inflated.

Every text taken from an exception, a URL or a proxy setting goes through
``masking.safe_text`` with the request's *secrets*.
"""

from __future__ import annotations

import socket
import ssl

import httpx

from ...i18n import _
from ..credentials import parse_portal
from ..errors import (
    BadResponse,
    ConnectionRefused,
    HostNotFound,
    InputError,
    InspectorError,
    NetworkError,
    Redirected,
    RequestTimeout,
    TLSFailure,
)
from ..masking import safe_text
from ..options import RequestOptions
from ..proxies import display_proxy

_MAX_SHOWN = 300  # characters of server or exception text in one message


def map_transport_error(
    exc: httpx.HTTPError,
    *,
    host: str,
    proxy: str | None,
    options: RequestOptions,
    secrets: tuple[str, ...],
) -> InspectorError:
    """The error a person is shown for *exc*, raised while talking to *host*.

    Asked in this order: did the explicit *proxy* fail, what kind of httpx error is it,
    what low-level error caused it (certificate, TLS, name lookup, refused), and else the
    connection broke or failed in some way not known here.
    """
    causes = _root_causes(exc)
    said = safe_text(str(exc) or type(exc).__name__, secrets, max_len=_MAX_SHOWN)
    return (
        _proxy_failure(exc, causes, host, proxy, options, said, secrets)
        or _by_kind(exc, host, options, said)
        or _by_cause(causes, host, secrets)
        or _broken_connection(exc, host, said)
    )


def _proxy_failure(
    exc: httpx.HTTPError,
    causes: list[BaseException],
    host: str,
    proxy: str | None,
    options: RequestOptions,
    said: str,
    secrets: tuple[str, ...],
) -> InspectorError | None:
    if proxy is not None:
        shown = safe_text(display_proxy(proxy), secrets, max_len=_MAX_SHOWN)
        if isinstance(exc, httpx.ProxyError):
            return NetworkError(
                _("The proxy {proxy} could not connect to {host}: {reason}.").format(
                    proxy=shown, host=host, reason=_clause(said)
                ),
                _("Check the proxy setting, and that the proxy allows this address."),
            )
        if isinstance(exc, httpx.ConnectError) and any(
            isinstance(c, ConnectionRefusedError | socket.gaierror) for c in causes
        ):
            return ConnectionRefused(
                _("Could not reach the proxy {proxy}.").format(proxy=shown),
                _("Check the proxy setting (host and port) and your network."),
            )
        if isinstance(exc, httpx.ConnectTimeout):
            return RequestTimeout(
                _(
                    "Could not connect to {host} through the proxy {proxy} within {seconds:g} s."
                ).format(host=host, proxy=shown, seconds=options.connect_timeout),
                _("Check the proxy setting (host and port), the portal address and your network."),
            )
    if isinstance(exc, httpx.ProxyError):
        return NetworkError(
            _("A proxy (from the environment) could not connect to {host}: {reason}.").format(
                host=host, reason=_clause(said)
            ),
            _("Check the HTTPS_PROXY / HTTP_PROXY variables, or set a proxy explicitly."),
        )
    return None


def _by_kind(
    exc: httpx.HTTPError, host: str, options: RequestOptions, said: str
) -> InspectorError | None:
    if isinstance(exc, httpx.ConnectTimeout):
        return RequestTimeout(
            _("Could not connect to {host} within {seconds:g} s.").format(
                host=host, seconds=options.connect_timeout
            ),
            _("Check the portal address, your network and any proxy."),
        )
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeout(
            _("{host} did not answer within {seconds:g} s.").format(
                host=host, seconds=options.read_timeout
            ),
            _("The portal may be overloaded; try again, or raise the timeout."),
        )
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return NetworkError(_("The portal address cannot be used for a request."))
    if isinstance(exc, httpx.DecodingError):
        # A body whose Content-Encoding lies (not gzip/deflate data): a garbled answer,
        # not a network problem.
        return undecodable_answer(host)
    return None


def _by_cause(
    causes: list[BaseException], host: str, secrets: tuple[str, ...]
) -> InspectorError | None:
    cert = next((c for c in causes if isinstance(c, ssl.SSLCertVerificationError)), None)
    if cert is not None:
        reason = str(cert.verify_message or cert.reason or _("unknown reason"))
        return TLSFailure(
            _("The TLS certificate of {host} is not trusted: {reason}.").format(
                host=host, reason=_clause(safe_text(reason, secrets, max_len=_MAX_SHOWN))
            ),
            _(
                "Check the portal address; if the portal uses a private CA, its certificate "
                "must be trusted by this computer. Verification stays on."
            ),
        )
    tls = next((c for c in causes if isinstance(c, ssl.SSLError)), None)
    if tls is not None:
        return TLSFailure(
            _("The secure (TLS) connection to {host} failed: {reason}.").format(
                host=host,
                reason=_clause(safe_text(str(tls.reason or tls), secrets, max_len=_MAX_SHOWN)),
            ),
            _("Check that the address uses the right scheme (https://) and port."),
        )
    if any(isinstance(c, socket.gaierror) for c in causes):
        return HostNotFound(
            _("The portal address {host} could not be found (name not resolved).").format(
                host=host
            ),
            _("Check the spelling of the portal address and your network connection."),
        )
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return ConnectionRefused(
            _("{host} refused the connection.").format(host=host),
            _("Check the address and port; the portal's server may be down."),
        )
    return None


def _broken_connection(exc: httpx.HTTPError, host: str, said: str) -> InspectorError:
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return NetworkError(
            _("The connection to {host} broke before a complete answer arrived.").format(host=host),
            _("Try again; if it persists, the portal or a proxy is cutting the connection."),
        )
    return NetworkError(
        _("Could not talk to {host}: {reason}.").format(host=host, reason=_clause(said)),
        _("Check your network connection and any proxy."),
    )


def _clause(text: str) -> str:
    """*text* ready to end a sentence that adds its own full stop: OpenSSL and httpx
    messages often end with one already ("... is not valid for 'x'."), which made "..".
    An ellipsis from shortening is kept."""
    stripped = text.rstrip()
    return stripped.rstrip(".") if not stripped.endswith("…") else stripped


def _root_causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything it was raised from, nearest first."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def deadline_passed(
    host: str, total_timeout: float, cause: BaseException | None = None
) -> RequestTimeout:
    """The exchange outlived ``connect_timeout + read_timeout`` (the watchdog's deadline).

    *cause* is the httpx error the exchange ended with, if any. With a very short
    timeout the deadline can pass before the connection is made, or before the first
    byte of the answer: the server was then not "still sending" anything, and the
    message says what did happen.
    """
    causes = _root_causes(cause) if cause is not None else []
    if any(isinstance(c, httpx.ConnectError | httpx.ConnectTimeout) for c in causes):
        return RequestTimeout(
            _("Could not connect to {host} within the time limit of {seconds:g} s.").format(
                host=host, seconds=total_timeout
            ),
            _("Check the portal address, your network and any proxy, or raise the timeout."),
        )
    if any(isinstance(c, httpx.ReadTimeout) for c in causes):
        return RequestTimeout(
            _("{host} did not answer within the time limit of {seconds:g} s.").format(
                host=host, seconds=total_timeout
            ),
            _("The portal may be overloaded; try again, or raise the timeout."),
        )
    return RequestTimeout(
        _(
            "{host} was still sending its answer when the time limit of {seconds:g} s ran out."
        ).format(host=host, seconds=total_timeout),
        _("The network or the portal is very slow; try again, or raise the timeout."),
    )


def undecodable_answer(host: str, http_status: int | None = None) -> BadResponse:
    """A body that is not the gzip/deflate data its ``Content-Encoding`` claims."""
    return BadResponse(
        _("{host} sent a compressed answer that could not be decoded.").format(host=host),
        _("Check that the address is your Bitrix24 portal; a proxy may be damaging the answer."),
        http_status,
    )


def redirect_error(
    response: httpx.Response, *, portal_origin: str | None, secrets: tuple[str, ...]
) -> Redirected:
    """The ``Redirected`` error for a 3xx answer, which is never followed.

    *portal_origin* is the credential's portal for a portal call (a redirect to the same
    REST path elsewhere then reads as a move, ``new_origin``), ``None`` for the OAuth
    server.
    """
    location = response.headers.get("location", "")
    new_origin: str | None = None
    try:
        target = response.url.join(location)
        shown = safe_text(
            str(target.copy_with(query=None, fragment=None)), secrets, max_len=_MAX_SHOWN
        )
        same_host = target.host == response.url.host
        same_server = same_host and (target.scheme, target.port) == (
            response.url.scheme,
            response.url.port,
        )
        if portal_origin is not None:
            new_origin = _moved_to(response.url, target, portal_origin)
    except (httpx.InvalidURL, ValueError):
        shown, same_host = safe_text(location, secrets, max_len=_MAX_SHOWN), False
        same_server = False
    # Another port (or scheme) of the same host name is another server, which may belong
    # to someone else: only the very same scheme, host and port is "the same server".
    if same_server:
        not_sent = _(
            "The redirect was not followed, so the credential was not sent to another address "
            "on the same server."
        )
    elif same_host:
        not_sent = _(
            "The redirect was not followed, so the credential was not sent to another server "
            "(another port of the same host name)."
        )
    else:
        not_sent = _(
            "The redirect was not followed, so the credential was not sent to another host."
        )
    status = response.status_code
    if new_origin is not None:
        return Redirected(
            _(
                "The portal answered that it has moved to {origin} (HTTP {status}). The request "
                "was not repeated there, so the credential was not sent to the new address."
            ).format(origin=new_origin, status=status),
            _("If {origin} is your portal's new address, update the profile to it.").format(
                origin=new_origin
            ),
            shown,
            new_origin,
            response.status_code,
        )
    redirected = (
        _("The portal redirected the request to {target} (HTTP {status}).")
        if portal_origin is not None
        else _("The OAuth server redirected the request to {target} (HTTP {status}).")
    )
    return Redirected(
        f"{redirected.format(target=shown, status=status)} {not_sent}",
        _("If the portal has moved, check the new address and update the credential."),
        shown,
        http_status=response.status_code,
    )


def _moved_to(source: httpx.URL, target: httpx.URL, portal_origin: str) -> str | None:
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
    if origin == portal_origin:
        return None
    return origin
