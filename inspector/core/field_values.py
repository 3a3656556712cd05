"""The credential form's texts as typed, and the credential they make (if they make one).

The credentials form shows, and the profile session keeps, a ``FieldValues`` snapshot
rather than a ``Credential``: an incomplete entry kept for the session ("Keep for this
session") must come back exactly as it was left, and only complete texts make a
credential. ``check_fields`` is the one place that turns the texts into a credential or
into the sentence saying why they do not make one.

A snapshot holds secrets: its ``repr`` does not show them, and it is never written anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .credentials import (
    DEFAULT_OAUTH_SERVER,
    Credential,
    make_oauth_credential,
    parse_webhook_url,
)
from .errors import InvalidCredential

RENEWAL_KEYS = ("client_id", "client_secret", "refresh_token", "oauth_server")


def _renewal_texts(texts: dict[str, str] | None = None) -> dict[str, str]:
    return {key: (texts or {}).get(key, "") for key in RENEWAL_KEYS}


@dataclass(frozen=True)
class FieldValues:
    """The credential fields as typed: the kind, and every field's text."""

    kind: str  # "webhook" or "oauth": the selected radio button
    webhook: str = field(default="", repr=False)
    portal: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    # Always every key of RENEWAL_KEYS (missing ones empty); compared, never shown.
    renewal: dict[str, str] = field(default_factory=_renewal_texts, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "renewal", _renewal_texts(self.renewal))

    @classmethod
    def of(cls, credential: Credential) -> FieldValues:
        """The fields that show *credential*; renewal fields only if it can renew."""
        if credential.kind == "webhook":
            return cls("webhook", webhook=credential.endpoint(""))
        renewal: dict[str, str] = {}
        if credential.can_refresh:
            server = credential.oauth_server
            renewal = {
                "client_id": credential.client_id or "",
                "client_secret": credential.client_secret or "",
                "refresh_token": credential.refresh_token or "",
                "oauth_server": "" if server == DEFAULT_OAUTH_SERVER else server,
            }
        return cls(
            "oauth",
            portal=credential.portal.origin,
            token=credential.access_token,
            renewal=renewal,
        )

    def has_text(self) -> bool:
        return any(
            text.strip() for text in (self.webhook, self.portal, self.token, *self.renewal.values())
        )

    def has_renewal(self) -> bool:
        return any(self.renewal.values())

    def is_empty_choice(self) -> bool:
        """Nothing typed in the fields of the chosen kind (the renewal ones aside)."""
        shown = self.webhook if self.kind == "webhook" else self.portal or self.token
        return not shown.strip()


def check_fields(values: FieldValues) -> tuple[Credential | None, str]:
    """The credential the fields make, or None and the sentence saying why not."""
    try:
        if values.kind == "webhook":
            return parse_webhook_url(values.webhook), ""
        return make_oauth_credential(values.portal, values.token, **values.renewal), ""
    except InvalidCredential as exc:
        return None, str(exc)
