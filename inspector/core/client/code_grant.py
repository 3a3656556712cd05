"""The sign-in's last step: exchanging the authorization code for tokens (spec §10.2).

``GET <oauth_server>?grant_type=authorization_code&client_id=…&client_secret=…&code=…``
goes through the same ``Exchanger`` as every portal call (proxy, TLS trust, size cap,
deadline), at once: the code is refused once it is 30 seconds old. The answer is read like
a renewal's (``oauth.parse_grant``), but refusals are worded for a sign-in
(``explanations.code_grant_error``: ``invalid_grant`` means a code used twice or too old).

Then the answer is checked against the sign-in: that it belongs to the portal the admin
named (``client_endpoint``'s host; a renamed portal is reported in ``SignInResult.moved_to``,
never followed silently) and that its scope holds ``biconnector`` (a warning otherwise).
Nothing is saved here: the caller stores ``SignInResult.credential`` once it is content.

Also here, since both end in this exchange: ``sign_in_with_browser`` (listen, open the
browser, wait, exchange) and ``exchange_pasted_redirect`` (the fallback for an application
whose handler is its own server: the admin pastes the address the browser landed on).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from ...i18n import _
from ..credentials import OAuthCredential, make_oauth_credential, parse_portal
from ..errors import BadResponse, InvalidCredential, TokenRefreshFailed
from ..explanations import code_grant_error
from ..masking import safe_text
from ..options import RequestOptions
from ..proxies import check_proxy, proxy_secrets
from ..signin import (
    BrowserSignIn,
    Redirect,
    SignInRequest,
    accept_redirect,
    parse_redirect,
)
from ..signin_address import DEFAULT_PORT, WAIT_TIMEOUT_S
from .exchange import Exchanger
from .oauth import TokenGrant, host_of, parse_grant

log = logging.getLogger(__name__)

REQUIRED_SCOPE = "biconnector"


@dataclass(frozen=True)
class SignInResult:
    """A finished sign-in: the credential to save, and what deserves the admin's attention.

    ``credential`` is on the portal the admin named and holds the access token, refresh
    token, client ID and secret and the OAuth server used. ``moved_to`` is set when the
    OAuth server names the portal under another address (``https://new-host``): the
    portal was renamed; ``followed()`` is the credential there, to use once the admin
    agrees. ``warnings`` are plain sentences (a scope without ``biconnector``…).
    """

    credential: OAuthCredential
    grant: TokenGrant = field(repr=False)
    moved_to: str | None = None
    warnings: tuple[str, ...] = ()

    def followed(self) -> OAuthCredential:
        """The credential on the portal's new address (``moved_to``), or as it is."""
        return self.credential.with_origin(self.moved_to) if self.moved_to else self.credential


def exchange_code(
    request: SignInRequest,
    redirect: Redirect,
    options: RequestOptions | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
    cancel: threading.Event | None = None,
) -> SignInResult:
    """Exchange *redirect*'s code (already accepted) at the OAuth server; check the answer.

    Raises ``CodeExchangeFailed`` (exit 3) when the OAuth server refuses (``invalid_grant``,
    ``invalid_client``…), ``BadResponse`` for an answer without usable tokens, and the
    ``NoUsableAnswer`` family when the server cannot be reached.
    """
    options = options or RequestOptions()
    url = request.token_url(redirect)
    host = host_of(url)
    proxy = check_proxy(options.proxy)
    secrets = (*request.secrets(), *redirect.secrets(), *proxy_secrets(proxy))
    query = {
        "grant_type": "authorization_code",
        "client_id": request.client_id,
        "client_secret": request.client_secret,
        "code": redirect.code or "",
    }
    exchanger = Exchanger(
        options, proxy=proxy, cancel=cancel or threading.Event(), transport=transport
    )
    try:
        answer = exchanger.send("GET", url, host=host, secrets=secrets, params=query)
    finally:
        exchanger.close()
    try:
        grant = parse_grant(answer.status, answer.body, host, secrets=secrets)
    except TokenRefreshFailed as exc:  # worded for a renewal; this is a sign-in
        raise code_grant_error(exc.code, exc.description, exc.http_status) from None
    log.info("authorization code exchanged at %s", host)
    return _result(request, redirect, grant, url, answer.status)


def _result(
    request: SignInRequest, redirect: Redirect, grant: TokenGrant, url: str, status: int
) -> SignInResult:
    portal = parse_portal(request.portal)
    warnings: list[str] = []
    moved_to = _portal_named(grant, redirect)
    if moved_to is not None and parse_portal(moved_to).netloc == portal.netloc:
        moved_to = None
    if moved_to is not None:
        warnings.append(
            _(
                "The OAuth server names the portal {named}, not {given}: the portal may have been "
                "renamed. Use the new address only if it is your portal."
            ).format(named=parse_portal(moved_to).netloc, given=portal.netloc)
        )
    scope = grant.scope or redirect.scope
    if scope is not None and REQUIRED_SCOPE not in _scopes(scope):
        warnings.append(
            _(
                "The application's scope ({scope}) does not include biconnector, so the portal "
                "will refuse the BI Builder methods. Add the biconnector scope in the "
                "application's settings, then sign in again."
            ).format(scope=_shown_scope(scope))
        )
    try:
        if grant.refresh_token:
            credential = make_oauth_credential(
                portal.origin,
                grant.access_token,
                client_id=request.client_id,
                client_secret=request.client_secret,
                refresh_token=grant.refresh_token,
                oauth_server=url,
            )
        else:
            credential = make_oauth_credential(portal.origin, grant.access_token, oauth_server=url)
            warnings.append(
                _(
                    "The OAuth server sent no refresh token: the access token works for an hour "
                    "and cannot be renewed; sign in again after that."
                )
            )
    except InvalidCredential:
        raise BadResponse(
            _(
                "The OAuth server {host} sent tokens that cannot be used (empty or with "
                "unexpected characters)."
            ).format(host=host_of(url)),
            _("Try again later; if it persists, check the OAuth server address."),
            status,
        ) from None
    return SignInResult(credential, grant, moved_to, tuple(warnings))


def _portal_named(grant: TokenGrant, redirect: Redirect) -> str | None:
    """The portal's origin as the answer names it: ``client_endpoint``, else ``domain``."""
    for named in (grant.client_endpoint, redirect.domain):
        if named:
            try:
                return parse_portal(named).origin
            except InvalidCredential:
                continue
    return None


def _scopes(scope: str) -> set[str]:
    return {part.strip().lower() for part in scope.replace(" ", ",").split(",") if part.strip()}


def _shown_scope(scope: str) -> str:
    return safe_text(", ".join(sorted(_scopes(scope))) or _("empty"), max_len=200)


def exchange_pasted_redirect(
    text: str,
    request: SignInRequest,
    *,
    state: str | None = None,
    options: RequestOptions | None = None,
    transport: httpx.BaseTransport | None = None,
    cancel: threading.Event | None = None,
) -> SignInResult:
    """The paste fallback: read the address the browser landed on and exchange its code now.

    *text* is the whole address, its query string, or the code alone. When *state* is the
    one this sign-in sent and the address carries a ``state``, they must match. Raises
    ``BadRedirect`` for text without a code, ``AccessNotGranted`` for ``error=…``, and what
    ``exchange_code`` raises. *text* is a secret: no message quotes it.
    """
    redirect = parse_redirect(text)
    accept_redirect(redirect, state if redirect.state is not None else None)
    return exchange_code(request, redirect, options, transport=transport, cancel=cancel)


def sign_in_with_browser(
    request: SignInRequest,
    open_browser: Callable[[str], object],
    *,
    port: int = DEFAULT_PORT,
    timeout: float = WAIT_TIMEOUT_S,
    options: RequestOptions | None = None,
    transport: httpx.BaseTransport | None = None,
    cancel: threading.Event | None = None,
    on_listening: Callable[[BrowserSignIn], None] | None = None,
) -> SignInResult:
    """The whole browser sign-in: listen, open the authorize address, wait, exchange.

    ``on_listening(sign_in)`` is called once the port is bound, before the browser opens
    (show ``sign_in.handler_url`` to register). ``open_browser(url)`` opens the authorize
    address (``webbrowser.open``, or printing it for ``--no-browser``). Raises
    ``PortInUse``, ``NoRedirect``, ``Cancelled`` and what ``BrowserSignIn.wait`` and
    ``exchange_code`` raise; nothing is saved.
    """
    with BrowserSignIn(request, port=port) as sign_in:
        if on_listening is not None:
            on_listening(sign_in)
        open_browser(sign_in.authorize_url)
        redirect = sign_in.wait(timeout, cancel)
    return exchange_code(request, redirect, options, transport=transport, cancel=cancel)
