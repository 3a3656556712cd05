"""What Bitrix24's error codes mean, in plain language, and the errors built from them.

Bitrix24 errors are mapped by their ``error`` string first and the HTTP status second
(``portal_error``), because the documented statuses changed between documentation versions
(spec §8). The OAuth server's codes have a table of their own (``oauth_error``): two of them
also exist as portal codes with another meaning.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from .errors import PortalError, TokenRefreshFailed
from .masking import safe_text


@dataclass(frozen=True)
class Explanation:
    message: str
    hint: str


_RETRY = "Try again in a moment; if it persists, contact the portal's administrator."
_CHECK_CREDENTIAL = (
    "Check the webhook URL or access token; copy it again from the portal if in doubt."
)

# Keyed by the upper-cased ``error`` string. Sources: spec §4.2 (source.get), §8 (system).
EXPLANATIONS: dict[str, Explanation] = {
    # biconnector.source.get
    "VALIDATION_ID_NOT_PROVIDED": Explanation(
        "The portal says no source ID was sent.", "Enter a positive whole number and fetch again."
    ),
    "VALIDATION_INVALID_ID_FORMAT": Explanation(
        "The portal did not accept the ID: it has to be a positive whole number.",
        "Enter the ID shown for the source in BI Builder.",
    ),
    "SOURCE_NOT_FOUND": Explanation(
        "Source not found: no source has this ID, or it belongs to another application "
        "(an application sees only the sources it created).",
        "Check the ID, or use the token of the application that created the source.",
    ),
    "CONNECTOR_NOT_FOUND": Explanation(
        "The source's connector was not found on the portal.",
        "The connector may have been deleted; check the application that provides it.",
    ),
    # system errors (spec §8.1 and §8.2)
    "INTERNAL_SERVER_ERROR": Explanation("The portal had an internal error.", _RETRY),
    "ERROR_UNEXPECTED_ANSWER": Explanation(
        "The portal's server returned an unexpected response.", _RETRY
    ),
    "QUERY_LIMIT_EXCEEDED": Explanation(
        "Too many requests: the portal's request rate limit was exceeded.",
        "Wait a few seconds and try again; applications on the same network share this limit.",
    ),
    "OPERATION_TIME_LIMIT": Explanation(
        "The portal has blocked this method for a while: its time limit was used up.",
        "Wait until the portal releases it (at most about 10 minutes), then try again.",
    ),
    "NO_AUTH_FOUND": Explanation(
        "The portal received no usable authorization data.", _CHECK_CREDENTIAL
    ),
    "INVALID_REQUEST": Explanation(
        "The portal accepts REST requests only over HTTPS.",
        "Use the portal's https:// address.",
    ),
    "OVERLOAD_LIMIT": Explanation(
        "The portal's REST API is blocked because of overload.",
        "This block is lifted by Bitrix24 support; contact them.",
    ),
    "INVALID_CREDENTIALS": Explanation(
        "The portal rejected the credentials: no active webhook matches this user ID and code, "
        "or its user lacks the rights.",
        "Copy the webhook URL again from Bitrix24 (it changes when the webhook is edited, "
        "and it may have expired).",
    ),
    "ERROR_METHOD_NOT_FOUND": Explanation(
        "The portal does not offer this method (biconnector.source.get, .list or connector.get).",
        "An on-premise portal may lack the BI Builder (biconnector) module or be too old; "
        "the webhook or application may also lack the biconnector scope.",
    ),
    "INSUFFICIENT_SCOPE": Explanation(
        "The webhook or application lacks the biconnector (BI Analytics Connector) scope.",
        "Add the biconnector scope to the application (or webhook) and try again.",
    ),
    "EXPIRED_TOKEN": Explanation(
        "The access token has expired (application tokens live one hour).",
        "Get a fresh access token for the application and fetch again, or save the "
        "application's client ID, client secret and refresh token in the profile so the "
        "inspector can renew the token itself.",
    ),
    "INVALID_TOKEN": Explanation(
        "The portal could not find an application for this access token.",
        "Get a fresh access token from the application that created the source.",
    ),
    "USER_ACCESS_ERROR": Explanation(
        "The user does not have access to the application.",
        "Ask a portal administrator to allow this user in the application's settings.",
    ),
    "PORTAL_DELETED": Explanation(
        "The portal was deleted, or its public part is closed.",
        "Check the portal address with its administrator.",
    ),
    "ERROR_BATCH_METHOD_NOT_ALLOWED": Explanation(
        "The portal does not allow this method inside a batch.", "Call it on its own."
    ),
    "ERROR_BATCH_LENGTH_EXCEEDED": Explanation(
        "The batch request was too long for the portal.", "Send fewer calls per batch."
    ),
    "ERROR_MANIFEST_IS_NOT_AVAILABLE": Explanation(
        "The portal says the requested manifest is not available.", _RETRY
    ),
    "AUTHORIZATION_ERROR": Explanation(
        "The portal could not authorize the user behind this credential "
        "(the user may be deactivated).",
        "Use a credential of an active user.",
    ),
    "APPLICATION_NOT_FOUND": Explanation(
        "The portal does not know the application behind this token.",
        "Check that the application is installed on this portal.",
    ),
    "ERROR_OAUTH": Explanation(
        "The application behind this token is not installed on the portal.",
        "Install the application, then get a fresh token.",
    ),
    "PAYMENT_REQUIRED": Explanation(
        "The portal's subscription has ended, so REST access is unavailable.",
        "Renew the plan or the Market subscription.",
    ),
    "WRONG_AUTH_TYPE": Explanation(
        "This method cannot be called with this kind of credential.",
        "Use an application's OAuth access token.",
    ),
}

_ACCESS_DENIED_WEBHOOK = Explanation(
    "Access denied. Current Bitrix24 versions accept biconnector methods only with an "
    "application's OAuth token, not through an inbound webhook.",
    "Switch to OAuth and use the access token of the application that created the source.",
)
_ACCESS_DENIED_OAUTH = Explanation(
    "Access denied. The user needs both the “Access to BI Builder” and “Access to Analytics "
    "Hub” permissions, and REST must be available on the portal's plan.",
    "Ask a portal administrator to grant the permissions, then fetch again.",
)

_BY_STATUS: dict[int, Explanation] = {
    400: Explanation("The portal rejected the request as malformed (HTTP 400).", _RETRY),
    401: Explanation("The portal refused the credentials (HTTP 401).", _CHECK_CREDENTIAL),
    403: Explanation("The portal denied access (HTTP 403).", _CHECK_CREDENTIAL),
    404: Explanation(
        "Nothing answers at this address (HTTP 404): it does not lead to a Bitrix24 REST API.",
        "Check the portal address; an on-premise portal may lack the biconnector module.",
    ),
    429: EXPLANATIONS["OPERATION_TIME_LIMIT"],
    503: Explanation(
        "The portal is overloaded or rate-limiting requests (HTTP 503).",
        "Wait a few seconds and try again.",
    ),
}


def explain_status(status: int) -> Explanation:
    """Explain an HTTP status when the body carries no usable error code."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return Explanation(f"The portal's server failed (HTTP {status}).", _RETRY)
    return Explanation(f"The portal answered with an unexpected HTTP status {status}.", _RETRY)


def operation_limited(error: PortalError, retry_at: float, now: float) -> PortalError:
    """*error* (``OPERATION_TIME_LIMIT``) saying when the portal expects to free the method.

    ``retry_at`` comes from the portal (``Retry-After`` or ``time.operating_reset_at``).
    """
    seconds = max(1, round(retry_at - now))
    if seconds < 120:
        wait = f"{seconds} s"
    elif seconds < 7200:
        wait = f"{round(seconds / 60)} min"
    else:
        wait = f"{seconds / 3600:.1f} h"
    clock = time.strftime("%H:%M:%S", time.localtime(retry_at))
    limited = PortalError(
        error.code,
        error.description,
        error.http_status,
        f"{error.message} The portal says it frees up at {clock} (in about {wait}).",
        "Try again after that time; requests before it are refused.",
    )
    limited.retry_at = retry_at
    return limited


def portal_error(
    code: Any,
    description: Any,
    http_status: int,
    *,
    via_webhook: bool,
    secrets: tuple[str, ...] = (),
) -> PortalError:
    """Build the user-facing error for an ``error`` / ``error_description`` pair."""
    code_text = safe_text(str(code or ""), secrets, max_len=100)
    desc_text = safe_text(str(description or ""), secrets, max_len=500)
    key = code_text.upper()
    if key == "ACCESS_DENIED":
        explanation = _ACCESS_DENIED_WEBHOOK if via_webhook else _ACCESS_DENIED_OAUTH
    elif key in EXPLANATIONS:
        explanation = EXPLANATIONS[key]
    elif not code_text:
        what = f": “{desc_text}”" if desc_text else ""
        explanation = Explanation(f"The portal reported an error without a code{what}.", _RETRY)
    else:
        what = f" (“{desc_text}”)" if desc_text else ""
        explanation = Explanation(f"The portal answered with error {code_text}{what}.", _RETRY)
    return PortalError(code_text, desc_text, http_status, explanation.message, explanation.hint)


# --- OAuth server errors (token refresh) -----------------------------------------------------
#
# A separate table: the OAuth server (oauth.bitrix.info) answers with its own codes, and two
# of them (invalid_request, insufficient_scope) also exist as portal codes with another
# meaning. Keyed by the lower-cased ``error`` string. Source: spec §10.2, §8.4.

_REAUTHORIZE = (
    "Open the application on the portal again (or reinstall it) to get a new refresh token, "
    "then save it in the profile."
)

OAUTH_EXPLANATIONS: dict[str, Explanation] = {
    "invalid_grant": Explanation(
        "The OAuth server refused the refresh token: it has expired (refresh tokens live "
        "180 days), was already used, or belongs to another application.",
        _REAUTHORIZE,
    ),
    "invalid_client": Explanation(
        "The OAuth server refused the application: the client ID or client secret is wrong, "
        "or the application is not installed on the portal.",
        "Copy the client ID and client secret again from the application's settings "
        "(Developer resources, or the Market vendor's page) and save them in the profile.",
    ),
    "wrong_client": Explanation(
        "The OAuth server says the refresh token was issued to another application.",
        "Check that the client ID, client secret and refresh token belong to the same application.",
    ),
    "invalid_request": Explanation(
        "The OAuth server rejected the refresh request as incomplete or malformed.",
        "Check the OAuth server address in the profile (normally "
        "https://oauth.bitrix.info/oauth/token/) and that client ID, secret and refresh "
        "token are all filled in.",
    ),
    "insufficient_scope": Explanation(
        "The OAuth server says the application lacks a required scope.",
        "Add the biconnector scope to the application, reinstall it, and save the new tokens.",
    ),
    "invalid_scope": Explanation(
        "The OAuth server refused the requested scope.",
        "Add the biconnector scope to the application, reinstall it, and save the new tokens.",
    ),
    "not_installed": Explanation(
        "The OAuth server says the application is not installed on the portal.",
        "Install the application on the portal, then save its new tokens in the profile.",
    ),
    "payment_required": Explanation(
        "The OAuth server refused: the application's or portal's subscription has ended.",
        "Renew the plan or the Market subscription.",
    ),
}


def oauth_error(
    code: Any, description: Any, http_status: int, *, secrets: tuple[str, ...] = ()
) -> TokenRefreshFailed:
    """Build the user-facing error for an OAuth server's ``error`` answer."""
    code_text = safe_text(str(code or ""), secrets, max_len=100)
    desc_text = safe_text(str(description or ""), secrets, max_len=500)
    explanation = OAUTH_EXPLANATIONS.get(code_text.lower())
    if explanation is None:
        what = f" (“{desc_text}”)" if desc_text else ""
        name = code_text or "without a code"
        explanation = Explanation(
            f"The OAuth server refused to renew the access token: error {name}{what}.",
            _REAUTHORIZE,
        )
    return TokenRefreshFailed(
        code_text, desc_text, http_status, explanation.message, explanation.hint
    )
