"""Every failure the inspector reports, as one tree: the classes, and only the classes.

    InspectorError                  anything the user is told about
    ├── InputError                  what the user gave cannot be used         (CLI exit 2)
    │   ├── InvalidSourceId
    │   ├── InvalidCredential
    │   ├── MissingCredential
    │   ├── BadCAFile               the extra CA file cannot be used
    │   ├── BadProxy                the proxy setting cannot be used
    │   ├── BadRedirect             a pasted address is not the portal's sign-in redirect
    │   ├── StateMismatch           a sign-in redirect that answers another sign-in
    │   └── PortInUse               the sign-in port is taken by another program
    ├── PortalError                 the portal answered with an error code     (CLI exit 3)
    │   ├── TokenRefreshFailed      the OAuth server refused to renew the token
    │   ├── CodeExchangeFailed      the OAuth server refused the authorization code
    │   └── AccessNotGranted        the portal sent the browser back with an error
    ├── NoUsableAnswer              no answer that can be used                 (CLI exit 4)
    │   ├── ConnectionRefused
    │   ├── HostNotFound
    │   ├── TLSFailure
    │   ├── RequestTimeout
    │   ├── Redirected
    │   ├── NetworkError
    │   ├── BadResponse             not JSON, wrong shape, too large
    │   └── NoRedirect              the browser did not come back in time
    ├── LeakPrevented               an export would have held a secret         (CLI exit 1)
    └── Cancelled                   the user cancelled (not an error to show)  (CLI exit 1)

Each error carries its user-facing sentence (``message``) and the next step (``hint``); the
plain-language wording of Bitrix24's error codes lives in ``explanations``. Messages never
hold a secret: anything built from a URL or from server text goes through
``masking.safe_text`` first. Technical causes stay on ``__cause__``.
"""

from __future__ import annotations

from typing import ClassVar

from ..i18n import _


class InspectorError(Exception):
    """Base class: ``message`` says what happened, ``hint`` what to do next."""

    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class InputError(InspectorError):
    exit_code = 2


class InvalidSourceId(InputError):
    pass


class InvalidCredential(InputError):
    pass


class MissingCredential(InputError):
    pass


class Cancelled(InspectorError):
    """The user cancelled the request; nothing to report."""

    def __init__(self) -> None:
        super().__init__(_("Cancelled."))


class NoUsableAnswer(InspectorError):
    exit_code = 4


class ConnectionRefused(NoUsableAnswer):
    pass


class HostNotFound(NoUsableAnswer):
    pass


class TLSFailure(NoUsableAnswer):
    pass


class RequestTimeout(NoUsableAnswer):
    pass


class NetworkError(NoUsableAnswer):
    pass


class Redirected(NoUsableAnswer):
    """The server answered with a redirect, which is never followed.

    ``location`` is the redacted target, for display. ``new_origin`` is set when the target
    looks like the same portal under a new address (the same ``/rest/…`` path on another
    host, e.g. a renamed cloud portal): ``scheme://host[:port]``, holding no secret. The
    window may offer to update the profile with ``credential.with_origin(new_origin)``, but
    only after the user confirmed the new host.
    """

    def __init__(
        self,
        message: str,
        hint: str,
        location: str,
        new_origin: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.location = location  # already redacted
        self.new_origin = new_origin
        self.http_status = http_status  # the 3xx, for the endpoint check's status column


class BadResponse(NoUsableAnswer):
    def __init__(self, message: str, hint: str = "", http_status: int | None = None) -> None:
        super().__init__(message, hint)
        self.http_status = http_status


class BadCAFile(InputError):
    """The extra CA file cannot be used."""


class BadProxy(InputError):
    """The proxy setting cannot be used."""


class BadRedirect(InputError):
    """A pasted address is not the redirect the portal sends after sign-in (no ``code``)."""


class StateMismatch(InputError):
    """A sign-in redirect whose ``state`` is not the one this sign-in sent: refused."""


class PortInUse(InputError):
    """The port the sign-in listens on is taken; ``port`` names it."""

    def __init__(self, message: str, hint: str, port: int) -> None:
        super().__init__(message, hint)
        self.port = port


class NoRedirect(NoUsableAnswer):
    """No sign-in redirect reached the inspector within the time allowed."""


class PortalError(InspectorError):
    """The portal answered with a Bitrix24 error code."""

    exit_code = 3

    def __init__(
        self,
        code: str,
        description: str,
        http_status: int,
        message: str,
        hint: str,
    ) -> None:
        super().__init__(message, hint)
        self.code = code  # sanitised
        self.description = description  # sanitised and redacted
        self.http_status = http_status
        self.retry_at: float | None = None  # Unix time the portal named for a retry, if any


class TokenRefreshFailed(PortalError):
    """The OAuth server refused to renew the access token (a code, HTTP status and text)."""


class CodeExchangeFailed(PortalError):
    """The OAuth server refused to exchange a sign-in's authorization code for tokens."""


class AccessNotGranted(PortalError):
    """The portal sent the browser back with ``error=…`` (``access_denied``) instead of a code.

    ``http_status`` is 0: the answer came as a browser redirect, not an HTTP exchange.
    """


class LeakPrevented(InspectorError):
    """An export would have contained a secret; nothing was produced."""
