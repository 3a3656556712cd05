"""The demo portal's OAuth side: its application, its tokens, the authorize page and the
token server at ``/oauth/token/``.

The demo "application" is a local application with a client ID, a client secret and a
registered handler address (``redirect_uri``, settable while the portal runs, as an admin
edits it in the application's settings). The real path, spec §10.2 and §10.4:

* ``/oauth/authorize/?client_id=…&state=…`` (``authorize``) is the page the browser opens;
  the demo's user is always logged in and allows at once, so it answers with a redirect
  (302) to the handler address carrying ``code``, ``state``, ``domain``, ``member_id``,
  ``scope`` and ``server_domain``. ``authorize_outcome`` drives the other endings:
  ``"deny"`` redirects with ``error=access_denied``; ``"error_page"`` shows the portal's own
  error page and sends no redirect (as does an unknown client ID or a missing handler).
* the token server answers ``grant_type=authorization_code`` (``client_id``,
  ``client_secret``, ``code``): a code works once and only for ``code_lifetime`` seconds
  (30, as on Bitrix24); ``expire_codes()`` ages every outstanding code, for tests.
* ``grant_type=refresh_token`` with ``client_id``/``client_secret``/``refresh_token``.

Both grants answer the way ``oauth.bitrix.info`` does and rotate both tokens, so the old
refresh token then gets ``invalid_grant``. ``expire_access_token()`` makes the current access
token answer ``expired_token``, for tests of the renewal.

Every token, code and the client secret are random per portal and never logged; ``issued()``
lists them all so the request recorder can hide them.
"""

from __future__ import annotations

import hmac
import re
import secrets
import socket
import threading
import time
from collections.abc import Mapping
from typing import Any, Final, Literal
from urllib.parse import urlencode, urlsplit

from .data import DEMO_CLIENT_ID, DEMO_MEMBER_ID, DEMO_USER_ID
from .http_server import Reply, system_error

TOKEN_PATH: Final = re.compile(r"/oauth/token/?")
AUTHORIZE_PATH: Final = re.compile(r"/oauth/authorize/?")
_TOKEN_LIFETIME_S: Final = 3600
CODE_LIFETIME_S: Final = 30.0
"""An authorization code works once, for this many seconds (spec §10.2)."""
DEMO_SCOPE: Final = "biconnector"

AuthorizeOutcome = Literal["allow", "deny", "error_page"]


class DemoTokens:
    """The demo application's credentials and the tokens issued so far; thread-safe."""

    def __init__(
        self,
        *,
        redirect_uri: str | None = None,
        scope: str = DEMO_SCOPE,
        code_lifetime: float = CODE_LIFETIME_S,
    ) -> None:
        self.client_id: Final[str] = DEMO_CLIENT_ID
        self.client_secret: Final[str] = secrets.token_urlsafe(24)
        self.redirect_uri = redirect_uri
        """The application's handler address; ``None`` until the admin sets one."""
        self.scope = scope
        self.code_lifetime = code_lifetime
        self.authorize_outcome: AuthorizeOutcome = "allow"
        self._lock = threading.Lock()
        self._access_token = secrets.token_urlsafe(24)
        self._refresh_token = secrets.token_urlsafe(24)
        self._issued: set[str] = {self._access_token, self._refresh_token}
        self._codes: dict[str, float] = {}  # outstanding code -> when it was issued
        self._refreshes = 0
        self._code_grants = 0

    @property
    def access_token(self) -> str:
        with self._lock:
            return self._access_token

    @property
    def refresh_token(self) -> str:
        with self._lock:
            return self._refresh_token

    @property
    def refreshes(self) -> int:
        """How many refresh grants succeeded."""
        with self._lock:
            return self._refreshes

    @property
    def code_grants(self) -> int:
        """How many authorization codes were exchanged for tokens."""
        with self._lock:
            return self._code_grants

    def expire_codes(self) -> None:
        """Age every outstanding authorization code past its lifetime."""
        with self._lock:
            self._codes = dict.fromkeys(self._codes, 0.0)

    def issued(self) -> tuple[str, ...]:
        """Every token ever issued, valid or not (what a recorded request must not show)."""
        with self._lock:
            return tuple(self._issued)

    def accepts(self, token: object) -> bool:
        """Whether *token* is the access token that works now."""
        return isinstance(token, str) and hmac.compare_digest(
            token.encode("utf-8", "replace"), self.access_token.encode()
        )

    def expire_access_token(self) -> None:
        """Make the current access token answer ``expired_token`` from now on."""
        with self._lock:
            self._access_token = secrets.token_urlsafe(24)
            self._issued.add(self._access_token)

    # ------------------------------------------------------------ the authorize page

    def authorize(self, params: Mapping[str, Any], *, base_url: str) -> Reply:
        """``/oauth/authorize/``: send the browser to the handler with a code (or an error).

        Without a known client ID or a handler address, or with ``authorize_outcome``
        ``"error_page"``, the portal shows its own error page and sends no redirect.
        """
        client_id = params.get("client_id")
        if not isinstance(client_id, str) or not hmac.compare_digest(
            client_id.encode("utf-8", "replace"), self.client_id.encode()
        ):
            return system_error(
                400, "invalid_client", "The application was not found on this portal."
            )
        handler = self.redirect_uri
        if not handler:
            return system_error(
                400,
                "redirect_uri_missing",
                "The application has no handler address; set it in the application's settings.",
            )
        if self.authorize_outcome == "error_page":
            return system_error(403, "ACCESS_DENIED", "The user cannot authorize this application.")
        state = params.get("state")
        fields: dict[str, str] = {}
        if self.authorize_outcome == "deny":
            fields["error"] = "access_denied"
            fields["error_description"] = "The user denied access to the application."
        else:
            code = secrets.token_urlsafe(24)
            with self._lock:
                self._codes[code] = time.monotonic()
                self._issued.add(code)
            fields.update(
                code=code,
                domain=urlsplit(base_url).netloc,
                member_id=DEMO_MEMBER_ID,
                scope=self.scope,
                server_domain="oauth.bitrix.info",
            )
        if isinstance(state, str) and state:
            fields["state"] = state
        joiner = "&" if urlsplit(handler).query else "?"
        location = f"{handler}{joiner}{urlencode(fields)}"
        return Reply(302, {"redirect": "to the application's handler"}, {"Location": location})

    # ------------------------------------------------------------ the token server

    def grant(self, params: Mapping[str, Any], *, received: float, base_url: str) -> Reply:
        """The token server, as ``oauth.bitrix.info`` answers: a code or a refresh grant."""
        grant_type = params.get("grant_type")
        if grant_type not in ("refresh_token", "authorization_code"):
            return system_error(400, "invalid_request", "Unsupported or missing grant_type.")
        secret_key = "refresh_token" if grant_type == "refresh_token" else "code"
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        given = params.get(secret_key)
        if not all(isinstance(v, str) and v for v in (client_id, client_secret, given)):
            return system_error(400, "invalid_request", "Required parameters are missing.")
        assert isinstance(client_id, str) and isinstance(client_secret, str)
        assert isinstance(given, str)
        good_client = hmac.compare_digest(client_id.encode(), self.client_id.encode())
        good_client &= hmac.compare_digest(client_secret.encode(), self.client_secret.encode())
        if not good_client:
            return system_error(401, "invalid_client", "Invalid client credentials.")
        with self._lock:
            if grant_type == "authorization_code":
                issued_at = self._codes.pop(given, None)  # a code works once
                if issued_at is None:
                    return system_error(400, "invalid_grant", "Invalid authorization code.")
                if time.monotonic() - issued_at > self.code_lifetime:
                    return system_error(400, "invalid_grant", "The authorization code has expired.")
                self._code_grants += 1
            else:
                if not hmac.compare_digest(given.encode(), self._refresh_token.encode()):
                    return system_error(400, "invalid_grant", "Invalid grant.")
                self._refreshes += 1
            self._access_token = secrets.token_urlsafe(24)
            self._refresh_token = secrets.token_urlsafe(24)
            self._issued.update((self._access_token, self._refresh_token))
            access, new_refresh = self._access_token, self._refresh_token
        return Reply(
            200,
            {
                "access_token": access,
                "expires": int(received) + _TOKEN_LIFETIME_S,
                "expires_in": _TOKEN_LIFETIME_S,
                "scope": self.scope,
                "domain": "oauth.bitrix.info",
                "server_endpoint": f"{base_url}/rest/",
                "status": "L",
                "client_endpoint": f"{base_url}/rest/",
                "member_id": DEMO_MEMBER_ID,
                "user_id": DEMO_USER_ID,
                "refresh_token": new_refresh,
            },
        )


def handler_port(preferred: int) -> int:
    """The port for the demo application's handler: *preferred* when ``127.0.0.1`` can
    listen on it now, else one the OS picks. Another program on the default port would
    otherwise receive the demo's redirect, and "Sign in with browser" could not work."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise OSError("no loopback port is free")
