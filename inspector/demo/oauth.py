"""The demo portal's OAuth side: its tokens and the token server at ``/oauth/token/``.

Only the ``refresh_token`` grant exists, with ``client_id``/``client_secret``/
``refresh_token`` in the query or the body, answered the way ``oauth.bitrix.info`` answers
it; each refresh rotates both tokens, so the old refresh token then gets ``invalid_grant``
(spec §9). ``expire_access_token()`` makes the current access token answer
``expired_token``, for tests of the renewal.

Every token and the client secret are random per portal and never logged; ``issued()``
lists them all so the request recorder can hide them.
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
from collections.abc import Mapping
from typing import Any, Final

from .data import DEMO_CLIENT_ID, DEMO_USER_ID
from .http_server import Reply, system_error

TOKEN_PATH: Final = re.compile(r"/oauth/token/?")
_TOKEN_LIFETIME_S: Final = 3600


class DemoTokens:
    """The demo application's credentials and the tokens issued so far; thread-safe."""

    def __init__(self) -> None:
        self.client_id: Final[str] = DEMO_CLIENT_ID
        self.client_secret: Final[str] = secrets.token_urlsafe(24)
        self._lock = threading.Lock()
        self._access_token = secrets.token_urlsafe(24)
        self._refresh_token = secrets.token_urlsafe(24)
        self._issued: set[str] = {self._access_token, self._refresh_token}
        self._refreshes = 0

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

    def grant(self, params: Mapping[str, Any], *, received: float, base_url: str) -> Reply:
        """The token server's ``refresh_token`` grant, as ``oauth.bitrix.info`` answers it."""
        if params.get("grant_type") != "refresh_token":
            return system_error(400, "invalid_request", "Unsupported or missing grant_type.")
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        refresh = params.get("refresh_token")
        if not all(isinstance(v, str) and v for v in (client_id, client_secret, refresh)):
            return system_error(400, "invalid_request", "Required parameters are missing.")
        assert isinstance(client_id, str) and isinstance(client_secret, str)
        assert isinstance(refresh, str)
        good_client = hmac.compare_digest(client_id.encode(), self.client_id.encode())
        good_client &= hmac.compare_digest(client_secret.encode(), self.client_secret.encode())
        if not good_client:
            return system_error(401, "invalid_client", "Invalid client credentials.")
        with self._lock:
            if not hmac.compare_digest(refresh.encode(), self._refresh_token.encode()):
                return system_error(400, "invalid_grant", "Invalid grant.")
            self._access_token = secrets.token_urlsafe(24)
            self._refresh_token = secrets.token_urlsafe(24)
            self._issued.update((self._access_token, self._refresh_token))
            self._refreshes += 1
            access, new_refresh = self._access_token, self._refresh_token
        return Reply(
            200,
            {
                "access_token": access,
                "expires": int(received) + _TOKEN_LIFETIME_S,
                "expires_in": _TOKEN_LIFETIME_S,
                "scope": "biconnector",
                "domain": "oauth.bitrix.info",
                "server_endpoint": f"{base_url}/rest/",
                "status": "L",
                "client_endpoint": f"{base_url}/rest/",
                "member_id": "0123456789abcdef0123456789abcdef",
                "user_id": DEMO_USER_ID,
                "refresh_token": new_refresh,
            },
        )
