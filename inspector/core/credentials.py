"""The two kinds of Bitrix24 credential, parsed and validated from what an admin pastes.

* ``WebhookCredential``: an inbound webhook URL ``https://<portal>/rest/<user_id>/<code>/``.
  The ``code`` is the secret, carried in the URL path.
* ``OAuthCredential``: a portal address plus an application's access token, which travels
  as ``auth`` in the JSON body, never in the URL. It may also hold what renewing the token
  needs: the application's client ID (not secret), client secret and refresh token (both
  secret), and the OAuth server's address (``DEFAULT_OAUTH_SERVER`` unless changed for a
  test or a private setup). ``can_refresh`` says whether all three are there.

Both have ``with_origin(new_origin)``: the same credential on a portal's new address, for
a portal that moved (see ``errors.Redirected.new_origin``); the caller asks the user first.

Neither class shows its secret in ``repr`` or ``display``; ``to_storage`` is the only way to
get a string that holds it, and only the keychain store should call it.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from ..i18n import _
from .errors import InvalidCredential
from .masking import SECRET_PLACEHOLDER

_METHOD_SEGMENT = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*$")
_TOKEN_CHARS = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces
# The code sits in the URL path: only RFC 3986 unreserved characters (Bitrix24 generates
# lower-case letters and digits). Quotes, "<", "%" or "\\" would also defeat the redaction
# patterns that look for /rest/<user>/<code>.
_WEBHOOK_CODE = re.compile(r"^[A-Za-z0-9._~-]+$")
_MAX_USER_ID_DIGITS = 10  # int() of a 5,000-digit string raises ValueError, not our error

DEFAULT_OAUTH_SERVER = "https://oauth.bitrix.info/oauth/token/"
"""Where Bitrix24 applications renew their tokens (spec §10.2, §13)."""


@dataclass(frozen=True)
class _Portal:
    scheme: str
    netloc: str  # host[:port], no user info
    hostname: str
    prefix: str  # path before /rest, usually ""

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.netloc}{self.prefix}"

    @property
    def is_loopback(self) -> bool:
        if self.hostname == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.hostname).is_loopback
        except ValueError:
            return False


def _split_portal(text: str, what: str) -> tuple[_Portal, list[str]]:
    """Split an http(s) URL into the portal part and its path segments."""
    if any(ch.isspace() for ch in text):
        raise InvalidCredential(_("The {what} contains spaces or line breaks.").format(what=what))
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidCredential(_("The {what} is not a valid address.").format(what=what)) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidCredential(
            _("The {what} must start with https:// (or http:// for an on-premise portal).").format(
                what=what
            )
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidCredential(
            _("The {what} must not contain a user name or password.").format(what=what)
        )
    hostname = (parts.hostname or "").lower()
    if not hostname:
        raise InvalidCredential(
            _("The {what} has no portal address after {scheme}://.").format(
                what=what, scheme=scheme
            )
        )
    if not _valid_hostname(hostname):
        raise InvalidCredential(
            _("The {what} has characters that cannot be in a portal address.").format(what=what)
        )
    if port == 0:
        raise InvalidCredential(_("The {what} has an invalid port number.").format(what=what))
    host_for_netloc = f"[{hostname}]" if ":" in hostname else hostname
    netloc = host_for_netloc if port is None else f"{host_for_netloc}:{port}"
    segments = [s for s in parts.path.split("/")]
    return _Portal(scheme, netloc, hostname, ""), segments


def _valid_hostname(hostname: str) -> bool:
    """A DNS name (IDN letters allowed) or an IP literal: nothing a URL or a terminal parses."""
    if ":" in hostname:
        try:
            ipaddress.IPv6Address(hostname)
        except ValueError:
            return False
        return True
    return all(ch.isalnum() or ch in "-._" for ch in hostname)


@dataclass(frozen=True, repr=False)
class WebhookCredential:
    """An inbound webhook: the portal, the webhook's user id and its secret code."""

    portal: _Portal
    user_id: int
    code: str = field(repr=False)
    kind: Literal["webhook"] = "webhook"

    @property
    def host(self) -> str:
        return self.portal.netloc

    @property
    def is_plain_http_remote(self) -> bool:
        return self.portal.scheme == "http" and not self.portal.is_loopback

    def endpoint(self, method: str) -> str:
        return f"{self.portal.origin}/rest/{self.user_id}/{self.code}/{method}"

    def request_body(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(params)

    def display(self) -> str:
        return f"{self.portal.origin}/rest/{self.user_id}/{SECRET_PLACEHOLDER}/"

    def secrets(self) -> tuple[str, ...]:
        return (self.code,)

    def to_storage(self) -> str:
        return json.dumps({"v": 1, "kind": self.kind, "url": self.endpoint("")})

    def with_origin(self, new_origin: str) -> WebhookCredential:
        """The same webhook (user id and code) on the portal's new address."""
        return dataclasses.replace(self, portal=parse_portal(new_origin))

    def __repr__(self) -> str:
        return f"WebhookCredential({self.display()!r})"


@dataclass(frozen=True, repr=False)
class OAuthCredential:
    """A portal address and an application's OAuth access token, maybe renewable.

    ``client_secret`` and ``refresh_token`` are secrets like ``access_token``: they are in
    ``secrets()`` and ``to_storage()``, never in ``repr`` or ``display``. ``client_id`` is
    not a secret. The client secret and refresh token are only ever sent to
    ``oauth_server``, never to the portal.
    """

    portal: _Portal
    access_token: str = field(repr=False)
    kind: Literal["oauth"] = "oauth"
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    oauth_server: str = DEFAULT_OAUTH_SERVER

    @property
    def can_refresh(self) -> bool:
        """Whether the client ID, client secret and refresh token are all there."""
        return bool(self.client_id and self.client_secret and self.refresh_token)

    @property
    def host(self) -> str:
        return self.portal.netloc

    @property
    def is_plain_http_remote(self) -> bool:
        return self.portal.scheme == "http" and not self.portal.is_loopback

    def endpoint(self, method: str) -> str:
        return f"{self.portal.origin}/rest/{method}"

    def request_body(self, params: dict[str, Any]) -> dict[str, Any]:
        # The token goes in the body: a query string ends up in proxy and server logs.
        return {**params, "auth": self.access_token}

    def display(self) -> str:
        renewable = ", renewable" if self.can_refresh else ""
        return f"{self.portal.origin} (OAuth token {SECRET_PLACEHOLDER}{renewable})"

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.access_token, self.client_secret, self.refresh_token) if s)

    def to_storage(self) -> str:
        data: dict[str, Any] = {
            "v": 1,
            "kind": self.kind,
            "portal": self.portal.origin,
            "token": self.access_token,
        }
        if self.client_id:
            data["client_id"] = self.client_id
        if self.client_secret:
            data["client_secret"] = self.client_secret
        if self.refresh_token:
            data["refresh_token"] = self.refresh_token
        if self.oauth_server != DEFAULT_OAUTH_SERVER:
            data["oauth_server"] = self.oauth_server
        return json.dumps(data)

    def with_origin(self, new_origin: str) -> OAuthCredential:
        """The same tokens on the portal's new address."""
        return dataclasses.replace(self, portal=parse_portal(new_origin))

    def with_tokens(self, access_token: str, refresh_token: str | None = None) -> OAuthCredential:
        """A copy holding renewed tokens (the refresh token too, when the server sent one)."""
        return dataclasses.replace(
            self,
            access_token=_check_token(access_token, _("access token")),
            refresh_token=(
                _check_token(refresh_token, _("refresh token"))
                if refresh_token
                else self.refresh_token
            ),
        )

    def __repr__(self) -> str:
        return f"OAuthCredential({self.display()!r})"


Credential = WebhookCredential | OAuthCredential


def parse_webhook_url(text: str) -> WebhookCredential:
    """Parse the webhook URL as Bitrix24 shows it, also with a method name pasted after it.

    Accepted: ``https://host/rest/1/code``, ``…/code/``, ``…/code/profile``,
    ``…/code/biconnector.source.get.json``. Messages never quote the URL (it holds the code).
    """
    text = text.strip()
    if not text:
        raise InvalidCredential(_("Paste the inbound webhook URL that Bitrix24 shows."))
    portal, segments = _split_portal(text, _("webhook URL"))
    try:
        rest_at = segments.index("rest")
    except ValueError:
        raise InvalidCredential(
            _("The webhook URL must look like https://<portal>/rest/<user id>/<code>/.")
        ) from None
    prefix = "/".join(segments[:rest_at])
    after = segments[rest_at + 1 :]
    while after and after[-1] == "":
        after.pop()
    if not after or not after[0]:
        raise InvalidCredential(_("The webhook URL has no user id after /rest/."))
    user = after[0]
    if not (user.isascii() and user.isdigit()) or len(user) > _MAX_USER_ID_DIGITS or int(user) <= 0:
        raise InvalidCredential(_("The webhook URL's user id (the number after /rest/) is wrong."))
    if len(after) < 2 or not after[1]:
        raise InvalidCredential(_("The webhook URL has no secret code after the user id."))
    code = after[1]
    if not _WEBHOOK_CODE.match(code):
        raise InvalidCredential(_("The webhook URL's secret code contains unexpected characters."))
    extra = after[2:]
    if len(extra) > 1 or (extra and not _METHOD_SEGMENT.match(extra[0])):
        raise InvalidCredential(_("The webhook URL has unexpected parts after the secret code."))
    portal = _Portal(portal.scheme, portal.netloc, portal.hostname, prefix.rstrip("/"))
    return WebhookCredential(portal=portal, user_id=int(user), code=code)


def parse_portal(text: str) -> _Portal:
    """Normalise a portal address: a bare host gets https://; a pasted /rest/ is dropped."""
    text = text.strip()
    if not text.rstrip("/"):
        raise InvalidCredential(_("Enter the portal address, for example example.bitrix24.com."))
    if "://" not in text:  # checked before stripping "/": "https://" alone is not a host
        text = "https://" + text
    portal, segments = _split_portal(text, _("portal address"))
    path = [s for s in segments if s]
    if path and path[-1] == "rest":  # client_endpoint from a token response
        path.pop()
    if "rest" in path:
        # A webhook URL pasted here: its code would become part of the shown address.
        raise InvalidCredential(
            _(
                "Enter only the portal address (without /rest/…); a webhook URL goes in the "
                "webhook field."
            )
        )
    prefix = "/" + "/".join(path) if path else ""
    return _Portal(portal.scheme, portal.netloc, portal.hostname, prefix)


def _check_token(text: str, what: str) -> str:
    token = text.strip()
    if not token:
        raise InvalidCredential(_("Enter the application's OAuth {what}.").format(what=what))
    if not _TOKEN_CHARS.match(token):
        raise InvalidCredential(
            _("The {what} contains spaces or unexpected characters.").format(what=what)
        )
    return token


def parse_oauth_server(text: str) -> str:
    """Check the OAuth server address: https, or http only on this computer (for tests).

    The client secret and refresh token travel to it in the query string, so plain http to
    another machine is refused.
    """
    text = text.strip()
    if not text:
        return DEFAULT_OAUTH_SERVER
    portal, segments = _split_portal(text, _("OAuth server address"))
    if portal.scheme != "https" and not portal.is_loopback:
        raise InvalidCredential(
            _(
                "The OAuth server address must start with https://: the client secret and "
                "refresh token are sent to it."
            )
        )
    path = "/".join(segments) or "/"
    return f"{portal.scheme}://{portal.netloc}{path if path.startswith('/') else '/' + path}"


def make_oauth_credential(
    portal_text: str,
    access_token: str,
    *,
    client_id: str | None = None,
    client_secret: str | None = None,
    refresh_token: str | None = None,
    oauth_server: str | None = None,
) -> OAuthCredential:
    """Validate what the admin entered. Renewal needs client ID, secret and refresh token.

    Empty strings count as "not given". Giving only some of the three renewal fields is an
    error (it would fail at the first expiry), so is a malformed OAuth server address.
    """
    portal = parse_portal(portal_text)
    token = _check_token(access_token, _("access token"))
    cid = (client_id or "").strip() or None
    secret = (client_secret or "").strip() or None
    refresh = (refresh_token or "").strip() or None
    given = [x is not None for x in (cid, secret, refresh)]
    if any(given) and not all(given):
        raise InvalidCredential(
            _(
                "To renew the token the inspector needs all three: the client ID, the client "
                "secret and the refresh token."
            ),
            _("Fill in the missing ones, or leave all three empty to use the access token alone."),
        )
    if cid is not None and not _TOKEN_CHARS.match(cid):
        raise InvalidCredential(_("The client ID contains spaces or unexpected characters."))
    return OAuthCredential(
        portal=portal,
        access_token=token,
        client_id=cid,
        client_secret=_check_token(secret, _("client secret")) if secret else None,
        refresh_token=_check_token(refresh, _("refresh token")) if refresh else None,
        oauth_server=parse_oauth_server(oauth_server or ""),
    )


def credential_from_storage(blob: str) -> Credential:
    """Rebuild a credential from ``to_storage`` output (as kept in the keychain)."""
    try:
        data = json.loads(blob)
        kind = data["kind"]
        if kind == "webhook":
            return parse_webhook_url(str(data["url"]))
        if kind == "oauth":
            return make_oauth_credential(
                str(data["portal"]),
                str(data["token"]),
                client_id=_optional_str(data.get("client_id")),
                client_secret=_optional_str(data.get("client_secret")),
                refresh_token=_optional_str(data.get("refresh_token")),
                oauth_server=_optional_str(data.get("oauth_server")),
            )
    except (ValueError, KeyError, TypeError):
        pass
    raise InvalidCredential(_("The saved credential could not be read; enter it again."))


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


# --- what a sign-in starts from -----------------------------------------------------------


def parse_client_id(text: str) -> str:
    """An application's client ID as pasted (``local.…`` or a Market app's ``app.…``)."""
    cid = text.strip()
    if not cid:
        raise InvalidCredential(_("Enter the application's client ID."))
    if not _TOKEN_CHARS.match(cid) or len(cid) > 256:
        raise InvalidCredential(_("The client ID contains spaces or unexpected characters."))
    return cid


def parse_client_secret(text: str) -> str:
    """An application's client secret as pasted; never quoted in a message."""
    return _check_token(text, _("client secret"))
