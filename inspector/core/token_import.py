"""Tokens an admin already has, pasted in any of the shapes Bitrix24 hands them to an app.

Recognised (spec §10.2, §10.4):

* the installation callback's form body: ``auth[access_token]=…&auth[refresh_token]=…
  &auth[domain]=…&auth[member_id]=…`` (also as JSON with an ``auth`` object);
* the OAuth server's JSON answer: ``access_token``, ``refresh_token``, ``client_endpoint``
  (the portal), ``domain`` (then the OAuth server's own host, not the portal);
* a frame application's fields: ``AUTH_ID``, ``REFRESH_ID``, ``AUTH_EXPIRES``,
  ``SERVER_ENDPOINT``, ``member_id`` in the body and ``DOMAIN``, ``PROTOCOL`` in the query,
  pasted as a form, as a query string or as ``NAME: value`` lines (a browser's developer
  tools show them so);
* what ``BX24.getAuth()`` returns: ``{access_token, refresh_token, expires_in, domain,
  member_id}``.

The result is an ``OAuthCredential``: renewable when the text holds a refresh token and
the caller gives the application's client ID and secret (none of the shapes carries the
secret). The pasted text is a secret: no message, ``repr`` or log quotes any of it, only
the names of the fields that were (not) found.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

from ..i18n import N_, _
from .credentials import OAuthCredential, make_oauth_credential, parse_portal
from .errors import InvalidCredential
from .signin import KNOWN_OAUTH_HOSTS

MAX_PASTE_CHARS: Final = 64 * 1024

# The shapes a paste is recognised in (``ImportedTokens.shape``), marked for the catalogue:
# show them with ``i18n._(shape)``; they follow "from" in every message that names them.
INSTALL_CALLBACK: Final = N_("the installation callback")
OAUTH_ANSWER: Final = N_("the OAuth server's answer")
FRAME_FIELDS: Final = N_("the application frame's fields")
GET_AUTH: Final = "BX24.getAuth()"

# Every name a shape uses -> the one used here. Matched case-insensitively.
_ALIASES: Final = {
    "access_token": "access_token",
    "auth_id": "access_token",
    "refresh_token": "refresh_token",
    "refresh_id": "refresh_token",
    "expires_in": "expires_in",
    "auth_expires": "expires_in",
    "domain": "domain",
    "protocol": "protocol",
    "client_endpoint": "client_endpoint",
    "server_endpoint": "server_endpoint",
    "member_id": "member_id",
    "scope": "scope",
}
_LINE_FIELD = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_\[\]]*)\s*:\s*(\S*)\s*$")
_AUTH_KEY = re.compile(r"^auth\[([A-Za-z_]+)\]$", re.IGNORECASE)


@dataclass(frozen=True)
class ImportedTokens:
    """What a paste gave: the credential, the shape recognised, and notes for the admin."""

    credential: OAuthCredential
    shape: str
    warnings: tuple[str, ...] = ()
    expires_in: int | None = None
    scope: str | None = None


def import_tokens(
    text: str,
    *,
    portal: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    oauth_server: str | None = None,
) -> ImportedTokens:
    """Read pasted tokens; ``InvalidCredential`` when they cannot be used (never quoting them).

    *portal* is the address the admin expects; the tokens' own portal wins when they name
    one, and a different one is an error. *client_id* and *client_secret* make the
    credential renewable when the paste holds a refresh token.
    """
    if len(text) > MAX_PASTE_CHARS:
        raise InvalidCredential(
            _("The pasted text is far longer than any Bitrix24 token answer."),
            _("Paste only the tokens' fields or the token answer."),
        )
    stripped = text.strip()
    if not stripped:
        raise InvalidCredential(
            _(
                "Paste the tokens: the installation callback's body, the OAuth server's answer, "
                "the frame's AUTH_ID and REFRESH_ID fields, or what BX24.getAuth() returns."
            )
        )
    fields, shape = _read(stripped)
    access = fields.get("access_token", "")
    if not access:
        raise InvalidCredential(
            _(
                "No access token was found in the pasted text (looked for access_token, "
                "auth[access_token] and AUTH_ID)."
            ),
            _(
                "Paste the installation callback's body, the OAuth server's answer, the frame's "
                "fields, or what BX24.getAuth() returns."
            ),
        )
    origin = _portal_of(fields, portal)
    refresh = fields.get("refresh_token") or None
    warnings: list[str] = []
    cid, secret = (client_id or "").strip(), (client_secret or "").strip()
    if refresh and cid and secret:
        credential = make_oauth_credential(
            origin,
            access,
            client_id=cid,
            client_secret=secret,
            refresh_token=refresh,
            oauth_server=oauth_server,
        )
    else:
        credential = make_oauth_credential(origin, access, oauth_server=oauth_server)
        if refresh:
            warnings.append(
                _(
                    "The access token works for an hour. To let the inspector renew it, give "
                    "the application's client ID and client secret with the pasted tokens."
                )
            )
        else:
            warnings.append(
                _(
                    "The paste holds no refresh token: the access token works for an hour and "
                    "cannot be renewed (as a Market application's token from its page)."
                )
            )
    scope = fields.get("scope") or None
    if scope is not None and "biconnector" not in scope.replace(" ", ",").lower().split(","):
        warnings.append(
            _(
                "The tokens' scope does not include biconnector, so the portal will refuse the "
                "BI Builder methods."
            )
        )
    return ImportedTokens(credential, shape, tuple(warnings), _number(fields), scope)


def _read(text: str) -> tuple[dict[str, str], str]:
    """The fields of a paste under their common names, and the shape they came in."""
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise InvalidCredential(
                _("The pasted text starts like JSON but is not valid JSON (it may be cut off)."),
                _("Copy the whole answer again."),
            ) from None
        if not isinstance(data, dict):
            raise InvalidCredential(_("The pasted JSON is not an object of token fields."))
        auth = data.get("auth")
        if isinstance(auth, Mapping):
            return _common(auth.items()), INSTALL_CALLBACK
        fields = _common(data.items())
        if "client_endpoint" in fields or "server_endpoint" in fields:
            return fields, OAUTH_ANSWER
        if any(key.lower() == "auth_id" for key in data):
            return fields, FRAME_FIELDS
        return fields, GET_AUTH
    pairs = list(_pairs(text))
    if any(_AUTH_KEY.match(key) for key, _value in pairs):
        fields = _common((m.group(1), v) for k, v in pairs if (m := _AUTH_KEY.match(k)))
        return fields, INSTALL_CALLBACK
    fields = _common(pairs)
    if any(key.lower() == "auth_id" for key, _value in pairs):
        return fields, FRAME_FIELDS
    if "client_endpoint" in fields:
        return fields, OAUTH_ANSWER
    return fields, GET_AUTH


def _pairs(text: str) -> Iterator[tuple[str, str]]:
    """(name, value) of a form body, a query string, an address or ``NAME: value`` lines."""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if "://" not in line and (m := _LINE_FIELD.match(line)):
            yield m.group(1), m.group(2)
            continue
        if "://" in line:
            try:
                line = urlsplit(line).query
            except ValueError:
                continue
        try:
            yield from parse_qsl(line.lstrip("?"), keep_blank_values=True, max_num_fields=200)
        except ValueError:
            raise InvalidCredential(
                _("The pasted text has too many fields to be tokens."),
                _("Paste only the tokens' fields or the token answer."),
            ) from None


def _common(items: Any) -> dict[str, str]:
    fields: dict[str, str] = {}
    for key, value in items:
        name = _ALIASES.get(str(key).lower())
        if name is None or value is None or isinstance(value, dict | list):
            continue
        text = str(value).strip()
        if text and name not in fields:
            fields[name] = text
    return fields


def _portal_of(fields: Mapping[str, str], expected: str | None) -> str:
    """The portal the tokens belong to, checked against the one the admin expects."""
    named: str | None = None
    scheme_guessed = False
    if endpoint := fields.get("client_endpoint"):
        named = endpoint
    elif (domain := fields.get("domain")) and domain.lower() not in KNOWN_OAUTH_HOSTS:
        protocol = fields.get("protocol")  # a frame's PROTOCOL: 1 https, 0 http
        scheme = "http" if protocol == "0" else "https"
        scheme_guessed = protocol not in ("0", "1") and "://" not in domain
        named = domain if "://" in domain else f"{scheme}://{domain}"
    if named is not None:
        try:
            tokens_portal = parse_portal(named)
        except InvalidCredential:
            raise InvalidCredential(
                _("The portal address in the pasted tokens cannot be used."),
                _("Enter the portal address yourself and paste only the tokens."),
            ) from None
        if expected and expected.strip():
            given = parse_portal(expected)
            if given.netloc != tokens_portal.netloc:
                raise InvalidCredential(
                    _("The pasted tokens belong to {tokens}, not {given}.").format(
                        tokens=tokens_portal.netloc, given=given.netloc
                    ),
                    _("Paste tokens of this portal, or change the portal address."),
                )
            if scheme_guessed:  # a bare domain: the admin's address says http or https
                return given.origin
        return tokens_portal.origin
    if expected and expected.strip():
        return parse_portal(expected).origin
    raise InvalidCredential(
        _("The pasted tokens do not say which portal they belong to."),
        _("Enter the portal address as well."),
    )


def _number(fields: Mapping[str, str]) -> int | None:
    value = fields.get("expires_in", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None
