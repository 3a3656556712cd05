"""What the demo portal remembers of each request, with every credential removed.

Tests read ``DemoPortal.requests`` to see what the program sent (the method, the body
format, the headers); a test log or a failing assertion may print those records, so the
webhook code, the tokens and the client secret are replaced by ``HIDDEN`` before a request
is stored, wherever they appear (path, query, headers, body), and the authorization and
cookie headers are not kept at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .rest_api import WEBHOOK_PATH

HIDDEN: Final = "•••"
"""What replaces a secret in recorded requests."""

_DROPPED_HEADERS: Final = frozenset({"authorization", "proxy-authorization", "cookie"})
_QUERY_SECRETS = re.compile(r"(?i)(^|&)(auth|client_secret|refresh_token|access_token)=[^&]*")
_BODY_SECRETS: Final = frozenset({"auth", "client_secret", "refresh_token", "access_token"})


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the demo portal received it, with every credential removed."""

    method: str
    """HTTP method, e.g. ``"POST"``."""
    path: str
    """Path and query; a webhook code and any ``auth`` query value are replaced by ``•••``."""
    headers: Mapping[str, str]
    """Header names in lower case, without ``Authorization``/``Cookie``."""
    body: Mapping[str, Any] | None
    """The parsed body without ``auth``; ``None`` when there was none or it was not parsed."""
    body_format: str
    """``"json"``, ``"form"``, ``"empty"``, ``"invalid"`` (400) or ``"ignored"`` (other type)."""
    api_method: str | None
    """The REST method named in the path (lower case, no ``.json``), if any."""
    status: int
    """The HTTP status the portal answered with."""
    received_at: float = field(default=0.0, compare=False)


class Scrubber:
    """Removes the portal's secrets from what a request carried.

    *known_secrets* is asked at each use, because tokens rotate while the portal runs.
    """

    def __init__(self, known_secrets: Callable[[], Iterable[str]]) -> None:
        self._known_secrets = known_secrets

    def text(self, text: str) -> str:
        for secret in self._known_secrets():
            text = text.replace(secret, HIDDEN)
        return text

    def target(self, path: str, query: str) -> str:
        """The request target with the webhook code and secret query values hidden."""
        if m := WEBHOOK_PATH.fullmatch(path):
            path = f"{path[: m.start('code')]}{HIDDEN}{path[m.end('code') :]}"
        if query:
            query = _QUERY_SECRETS.sub(rf"\g<1>\g<2>={HIDDEN}", query)
            path = f"{path}?{query}"
        return self.text(path)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """The headers worth keeping, secrets hidden; credential headers dropped."""
        return {
            name: self.text(value)
            for name, value in headers.items()
            if name not in _DROPPED_HEADERS
        }

    def body(self, body: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        """The parsed body without its credential fields, secrets hidden in the rest."""
        if body is None:
            return None

        def walk(value: Any) -> Any:
            if isinstance(value, str):
                return self.text(value)
            if isinstance(value, dict):
                return {self.text(str(k)): walk(v) for k, v in value.items()}
            if isinstance(value, list):
                return [walk(v) for v in value]
            return value

        return {k: walk(v) for k, v in body.items() if k not in _BODY_SECRETS}
