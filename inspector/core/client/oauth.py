"""Renewing an OAuth access token: the refresh grant's request and its answer (spec §10.2).

The grant is ``GET <oauth_server>?grant_type=refresh_token&client_id=…&client_secret=…
&refresh_token=…``; the OAuth server answers with new tokens (``TokenGrant``) or with an
``error`` (``TokenRefreshFailed``). Sending it is the client's job (the same proxy, TLS
trust, cap and deadline as a portal call); what to ask and what the answer means lives
here, apart from the request loop. No httpx here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ...i18n import _
from ..credentials import OAuthCredential
from ..errors import BadResponse, InvalidCredential, MissingCredential
from ..explanations import oauth_error
from .envelope import describe_non_json

# The longest token accepted from the OAuth server. Bitrix24's tokens are a few dozen
# characters; a server that sends megabytes is broken or hostile, and saving such a
# "token" took thousands of keychain entries (see keychain.MAX_SECRET_CHARS).
MAX_TOKEN_CHARS = 4096


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


def refresh_query(cred: OAuthCredential) -> dict[str, str]:
    """The query of the refresh grant (it carries the client secret and refresh token)."""
    return {
        "grant_type": "refresh_token",
        "client_id": cred.client_id or "",
        "client_secret": cred.client_secret or "",
        "refresh_token": cred.refresh_token or "",
    }


def cannot_refresh() -> MissingCredential:
    """The error for a credential that is not OAuth, or lacks what a refresh needs."""
    return MissingCredential(
        _("This credential cannot renew its access token."),
        _("Save the application's client ID, client secret and refresh token in the profile."),
    )


def parse_grant(status: int, raw: bytes, host: str, *, secrets: tuple[str, ...]) -> TokenGrant:
    """The OAuth server's answer as a ``TokenGrant``.

    Raises ``TokenRefreshFailed`` for an ``error`` answer (``invalid_grant``…) and
    ``BadResponse`` for anything that is not a grant; *secrets* are masked out of both.
    """
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        what = describe_non_json(raw)
        raise BadResponse(
            _("The OAuth server {host} sent {what} (HTTP {status}) instead of a token.").format(
                host=host, what=what, status=status
            ),
            _(
                "Check the OAuth server address in the profile (normally "
                "https://oauth.bitrix.info/oauth/token/) and any proxy."
            ),
            status,
        ) from None
    if isinstance(payload, dict) and ("error" in payload or "error_description" in payload):
        raise oauth_error(
            payload.get("error"), payload.get("error_description"), status, secrets=secrets
        )
    token = payload.get("access_token") if isinstance(payload, dict) else None
    if status >= 400 or not isinstance(token, str) or not token:
        raise BadResponse(
            _("The OAuth server {host} answered without an access token (HTTP {status}).").format(
                host=host, status=status
            ),
            _("Check the OAuth server address in the profile; try again later."),
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

    refresh: Any = payload.get("refresh_token")
    too_long = (
        _(
            "The OAuth server {host} sent an access token of {length} characters "
            "(at most {limit} are accepted), so the renewal was refused."
        ),
        _(
            "The OAuth server {host} sent a refresh token of {length} characters "
            "(at most {limit} are accepted), so the renewal was refused."
        ),
    )
    for message, value in zip(too_long, (token, refresh), strict=True):
        if isinstance(value, str) and len(value) > MAX_TOKEN_CHARS:
            raise BadResponse(
                message.format(host=host, length=f"{len(value):,}", limit=f"{MAX_TOKEN_CHARS:,}"),
                _(
                    "Check the OAuth server address in the profile (normally "
                    "https://oauth.bitrix.info/oauth/token/). If the portal then refuses the "
                    "saved token, authorize the application again."
                ),
                status,
            )
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


def renewed_credential(
    cred: OAuthCredential, grant: TokenGrant, host: str, status: int
) -> OAuthCredential:
    """*cred* with the granted tokens; ``BadResponse`` if the server sent unusable ones."""
    try:
        return cred.with_tokens(grant.access_token, grant.refresh_token)
    except InvalidCredential:
        raise BadResponse(
            _(
                "The OAuth server {host} sent a token that cannot be used "
                "(empty or with unexpected characters)."
            ).format(host=host),
            _("Try again later; if it persists, renew the tokens on the portal."),
            status,
        ) from None


def host_of(url: str) -> str:
    """host[:port] of a URL, for messages (no user info, path or query)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        return f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return "?"
