"""What Bitrix24's error codes mean, in plain language, and the errors built from them.

Bitrix24 errors are mapped by their ``error`` string first and the HTTP status second
(``portal_error``), because the documented statuses changed between documentation versions
(spec §8). The OAuth server's codes have a table of their own (``oauth_error``): two of them
also exist as portal codes with another meaning. The sign-in's code exchange shares that
table, except where a code means something else for an authorization code
(``code_grant_error``).

The portal's own words (``error_description``, always English: spec §10.5) are shown beside
the explanation, sanitised and cut short, since they often say what the code alone cannot
("REST is available only on commercial plans."). Validation errors are shared by every
method, so they are worded for the method that failed (``method``): a missing ID in
``connector.get`` is the connector's, not the source's (spec §17).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from .. import i18n
from ..i18n import N_, _
from .errors import (
    AccessNotGranted,
    CodeExchangeFailed,
    PortalError,
    TokenRefreshFailed,
)
from .masking import safe_text


@dataclass(frozen=True)
class Explanation:
    """What an error means (``message``) and what to do next (``hint``), in the chosen language.

    The tables below are built at import time, before a language is chosen, so their texts
    are the English ones marked with ``N_`` and are translated each time they are read. An
    explanation worded at run time (``worded``) already holds translated text. (A text
    marked with ``N_`` is looked up as ``i18n._(variable)``: the catalogue check flags a bare
    ``_`` given anything but a literal, which is how a forgotten marking shows.)
    """

    source_message: str
    source_hint: str
    marked: bool = True  # the texts are catalogue entries, translated when read

    @property
    def message(self) -> str:
        return i18n._(self.source_message) if self.marked else self.source_message

    @property
    def hint(self) -> str:
        return i18n._(self.source_hint) if self.marked else self.source_hint


def worded(message: str, hint: str) -> Explanation:
    """An explanation of texts already translated (worded at run time with their details)."""
    return Explanation(message, hint, marked=False)


_RETRY = N_("Try again in a moment; if it persists, contact the portal's administrator.")
_CHECK_CREDENTIAL = N_(
    "Check the webhook URL or access token; copy it again from the portal if in doubt."
)

# Keyed by the upper-cased ``error`` string. Sources: spec §4.2 (source.get), §8 (system).
EXPLANATIONS: dict[str, Explanation] = {
    # biconnector.source.get
    "VALIDATION_ID_NOT_PROVIDED": Explanation(
        N_("The portal says no source ID was sent."),
        N_("Enter a positive whole number and fetch again."),
    ),
    "VALIDATION_INVALID_ID_FORMAT": Explanation(
        N_("The portal did not accept the ID: it has to be a positive whole number."),
        N_("Enter the ID shown for the source in BI Builder."),
    ),
    "SOURCE_NOT_FOUND": Explanation(
        N_(
            "Source not found: no source has this ID, or it belongs to another application "
            "(an application sees only the sources it created)."
        ),
        N_("Check the ID, or use the token of the application that created the source."),
    ),
    "CONNECTOR_NOT_FOUND": Explanation(
        N_("The source's connector was not found on the portal."),
        N_("The connector may have been deleted; check the application that provides it."),
    ),
    # system errors (spec §8.1 and §8.2)
    "INTERNAL_SERVER_ERROR": Explanation(N_("The portal had an internal error."), _RETRY),
    "ERROR_UNEXPECTED_ANSWER": Explanation(
        N_("The portal's server returned an unexpected response."), _RETRY
    ),
    "QUERY_LIMIT_EXCEEDED": Explanation(
        N_("Too many requests: the portal's request rate limit was exceeded."),
        N_("Wait a few seconds and try again; applications on the same network share this limit."),
    ),
    "OPERATION_TIME_LIMIT": Explanation(
        N_("The portal has blocked this method for a while: its time limit was used up."),
        N_("Wait until the portal releases it (at most about 10 minutes), then try again."),
    ),
    "NO_AUTH_FOUND": Explanation(
        N_("The portal received no usable authorization data."), _CHECK_CREDENTIAL
    ),
    "INVALID_REQUEST": Explanation(
        N_("The portal accepts REST requests only over HTTPS."),
        N_("Use the portal's https:// address."),
    ),
    "OVERLOAD_LIMIT": Explanation(
        N_("The portal's REST API is blocked because of overload."),
        N_("This block is lifted by Bitrix24 support; contact them."),
    ),
    "INVALID_CREDENTIALS": Explanation(
        N_(
            "The portal rejected the credentials: no active webhook matches this user ID and code, "
            "or its user lacks the rights."
        ),
        N_(
            "Copy the webhook URL again from Bitrix24 (it changes when the webhook is edited, "
            "and it may have expired)."
        ),
    ),
    "ERROR_METHOD_NOT_FOUND": Explanation(
        N_(
            "The portal does not offer this method (biconnector.source.get, .list or "
            "connector.get)."
        ),
        N_(
            "An on-premise portal may lack the BI Builder (biconnector) module or be too old; "
            "the webhook or application may also lack the biconnector scope."
        ),
    ),
    "INSUFFICIENT_SCOPE": Explanation(
        N_("The webhook or application lacks the biconnector (BI Analytics Connector) scope."),
        N_("Add the biconnector scope to the application (or webhook) and try again."),
    ),
    "EXPIRED_TOKEN": Explanation(
        N_("The access token has expired (application tokens live one hour)."),
        N_(
            "Get a fresh access token for the application and fetch again, or save the "
            "application's client ID, client secret and refresh token in the profile so the "
            "inspector can renew the token itself."
        ),
    ),
    "INVALID_TOKEN": Explanation(
        N_("The portal could not find an application for this access token."),
        N_("Get a fresh access token from the application that created the source."),
    ),
    "USER_ACCESS_ERROR": Explanation(
        N_("The user does not have access to the application."),
        N_("Ask a portal administrator to allow this user in the application's settings."),
    ),
    "PORTAL_DELETED": Explanation(
        N_("The portal was deleted, or its public part is closed."),
        N_("Check the portal address with its administrator."),
    ),
    "ERROR_BATCH_METHOD_NOT_ALLOWED": Explanation(
        N_("The portal does not allow this method inside a batch."), N_("Call it on its own.")
    ),
    "ERROR_BATCH_LENGTH_EXCEEDED": Explanation(
        N_("The batch request was too long for the portal."), N_("Send fewer calls per batch.")
    ),
    "ERROR_MANIFEST_IS_NOT_AVAILABLE": Explanation(
        N_("The portal says the requested manifest is not available."), _RETRY
    ),
    "AUTHORIZATION_ERROR": Explanation(
        N_(
            "The portal could not authorize the user behind this credential "
            "(the user may be deactivated)."
        ),
        N_("Use a credential of an active user."),
    ),
    "APPLICATION_NOT_FOUND": Explanation(
        N_("The portal does not know the application behind this token."),
        N_("Check that the application is installed on this portal."),
    ),
    "ERROR_OAUTH": Explanation(
        N_("The application behind this token is not installed on the portal."),
        N_("Install the application, then get a fresh token."),
    ),
    "PAYMENT_REQUIRED": Explanation(
        N_("The portal's subscription has ended, so REST access is unavailable."),
        N_("Renew the plan or the Market subscription."),
    ),
    "WRONG_AUTH_TYPE": Explanation(
        N_("This method cannot be called with this kind of credential."),
        N_("Use an application's OAuth access token."),
    ),
}

_ACCESS_DENIED_WEBHOOK = Explanation(
    N_(
        "Access denied. Current Bitrix24 versions accept biconnector methods only with an "
        "application's OAuth token, not through an inbound webhook."
    ),
    N_("Switch to OAuth and use the access token of the application that created the source."),
)
_ACCESS_DENIED_OAUTH = Explanation(
    N_(
        "Access denied. The user needs both the “Access to BI Builder” and “Access to Analytics "
        "Hub” permissions, and REST must be available on the portal's plan."
    ),
    N_("Ask a portal administrator to grant the permissions, then fetch again."),
)

_ACCESS_DENIED_PLAN = Explanation(
    N_(
        "REST is not available on this portal's plan: Bitrix24 opens its REST API only on "
        "commercial plans (or with a Market subscription or trial), so every credential is "
        "refused the same way."
    ),
    N_(
        "A portal administrator can check the plan and the Market subscription in the portal's "
        "settings; another token or webhook will not help until REST is available."
    ),
)
# Words real portals use for a plan-level refusal (spec §8.2, §8.4, §17).
_PLAN_WORDS = ("commercial plan", "by subscription", "extended plan")

_INVALID_CREDENTIALS_OAUTH = Explanation(
    N_(
        "The portal rejected the credentials: the access token is not valid on this portal "
        "(it may belong to another portal or application), or its user lacks the rights."
    ),
    N_(
        "Sign in with the browser again, or paste fresh tokens of the application that "
        "created the source."
    ),
)

_NOT_ACCEPTED = {
    "biconnector.source.list": N_(
        "The portal did not accept the request for the source list ({method})."
    ),
    "biconnector.connector.get": N_(
        "The portal did not accept the request for the source's connector ({method})."
    ),
}
_REPORT = N_(
    "The inspector asked for something this portal does not accept; please report it with "
    "the portal's words. Meanwhile, fetch the source by its ID."
)


def _for_method(key: str, method: str) -> Explanation | None:
    """The wording of a validation error for the method that failed, if it needs one."""
    if not method or method == "biconnector.source.get":
        return None  # the table's wording is the source.get one
    if method == "biconnector.connector.get" and key == "VALIDATION_ID_NOT_PROVIDED":
        return worded(
            _(
                "The portal says no connector ID was sent with the request for the source's "
                "connector ({method})."
            ).format(method=method),
            _(
                "The source names no usable connector ID; fetch the source again, and report "
                "it if it persists."
            ),
        )
    if method == "biconnector.connector.get" and key == "VALIDATION_INVALID_ID_FORMAT":
        return worded(
            _(
                "The portal did not accept the source's connector ID: it has to be a positive "
                "whole number ({method})."
            ).format(method=method),
            _("The source names an unusual connector ID; the source itself is shown as it came."),
        )
    if key.startswith("VALIDATION_") or key == "ERROR_ARGUMENT":
        sentence = _NOT_ACCEPTED.get(method)
        message = (
            i18n._(sentence).format(method=method)
            if sentence
            else _("The portal did not accept the request for {method}.").format(method=method)
        )
        return worded(message, i18n._(_REPORT))
    return None


_MAX_WORDS = 200  # characters of the portal's description shown in a message


def _portal_words(message: str, description: str, code: str) -> str:
    """*message* with the portal's own words beside it, when they add anything."""
    words = description[:_MAX_WORDS].rstrip()
    if len(description) > _MAX_WORDS:
        words += "…"
    if not words or words.upper() == code.upper() or words in message:
        return message
    return _("{message} (The portal said: “{words}”)").format(message=message, words=words)


EMPTY_SOURCE_LIST = Explanation(
    N_(
        "The portal lists no sources for this application. Bitrix24 returns only the sources "
        "whose connector this application created; admin rights play no part, and connections "
        "made in the Analytics hub (MySQL, PostgreSQL, 1C) are never returned over REST."
    ),
    N_(
        "Sign in with the client ID and secret of the application that created the connector "
        "(for a Market application, its vendor's or its page's current token)."
    ),
)
"""Why ``biconnector.source.list`` can be empty on a portal full of sources (spec §10.5)."""

_BY_STATUS: dict[int, Explanation] = {
    400: Explanation(N_("The portal rejected the request as malformed (HTTP 400)."), _RETRY),
    401: Explanation(N_("The portal refused the credentials (HTTP 401)."), _CHECK_CREDENTIAL),
    403: Explanation(N_("The portal denied access (HTTP 403)."), _CHECK_CREDENTIAL),
    404: Explanation(
        N_("Nothing answers at this address (HTTP 404): it does not lead to a Bitrix24 REST API."),
        N_("Check the portal address; an on-premise portal may lack the biconnector module."),
    ),
    429: EXPLANATIONS["OPERATION_TIME_LIMIT"],
    503: Explanation(
        N_("The portal is overloaded or rate-limiting requests (HTTP 503)."),
        N_("Wait a few seconds and try again."),
    ),
}


def explain_status(status: int) -> Explanation:
    """Explain an HTTP status when the body carries no usable error code."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return worded(
            _("The portal's server failed (HTTP {status}).").format(status=status), i18n._(_RETRY)
        )
    return worded(
        _("The portal answered with an unexpected HTTP status {status}.").format(status=status),
        i18n._(_RETRY),
    )


def operation_limited(error: PortalError, retry_at: float, now: float) -> PortalError:
    """*error* (``OPERATION_TIME_LIMIT``) saying when the portal expects to free the method.

    ``retry_at`` comes from the portal (``Retry-After`` or ``time.operating_reset_at``).
    """
    seconds = max(1, round(retry_at - now))
    if seconds < 120:
        wait = _("{seconds} s").format(seconds=seconds)
    elif seconds < 7200:
        wait = _("{minutes} min").format(minutes=round(seconds / 60))
    else:
        wait = _("{hours:.1f} h").format(hours=seconds / 3600)
    clock = time.strftime("%H:%M:%S", time.localtime(retry_at))
    limited = PortalError(
        error.code,
        error.description,
        error.http_status,
        _("{message} The portal says it frees up at {clock} (in about {wait}).").format(
            message=error.message, clock=clock, wait=wait
        ),
        _("Try again after that time; requests before it are refused."),
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
    method: str = "",
) -> PortalError:
    """Build the user-facing error for an ``error`` / ``error_description`` pair.

    *method* is the REST method that failed (``biconnector.connector.get``…); validation
    errors are worded for it. Empty means ``biconnector.source.get``'s wording.
    """
    code_text = safe_text(str(code or ""), secrets, max_len=100)
    desc_text = safe_text(str(description or ""), secrets, max_len=500)
    key = code_text.upper()
    explanation = _explain(key, desc_text, http_status, via_webhook, method)
    if explanation is None:
        if not code_text and desc_text:
            message = _("The portal reported an error without a code: “{description}”.")
        elif not code_text:
            message = _("The portal reported an error without a code.")
        elif desc_text:
            message = _("The portal answered with error {code} (“{description}”).")
        else:
            message = _("The portal answered with error {code}.")
        explanation = worded(message.format(code=code_text, description=desc_text), i18n._(_RETRY))
        message = explanation.message
    else:
        message = _portal_words(explanation.message, desc_text, code_text)
    return PortalError(code_text, desc_text, http_status, message, explanation.hint)


def _explain(
    key: str, description: str, http_status: int, via_webhook: bool, method: str
) -> Explanation | None:
    """The explanation of a portal code, or None when the code is not known."""
    if key == "ACCESS_DENIED":
        plan = http_status in (401, 403) or any(
            words in description.lower() for words in _PLAN_WORDS
        )
        if plan:
            return _ACCESS_DENIED_PLAN
        return _ACCESS_DENIED_WEBHOOK if via_webhook else _ACCESS_DENIED_OAUTH
    if key == "INVALID_CREDENTIALS" and not via_webhook:
        return _INVALID_CREDENTIALS_OAUTH
    return _for_method(key, method) or EXPLANATIONS.get(key)


# --- OAuth server errors (token refresh) -----------------------------------------------------
#
# A separate table: the OAuth server (oauth.bitrix.info) answers with its own codes, and two
# of them (invalid_request, insufficient_scope) also exist as portal codes with another
# meaning. Keyed by the lower-cased ``error`` string. Source: spec §10.2, §8.4.

_REAUTHORIZE = N_(
    "Open the application on the portal again (or reinstall it) to get a new refresh token, "
    "then save it in the profile."
)

OAUTH_EXPLANATIONS: dict[str, Explanation] = {
    "invalid_grant": Explanation(
        N_(
            "The OAuth server refused the refresh token: it has expired (refresh tokens live "
            "180 days), was already used, or belongs to another application."
        ),
        _REAUTHORIZE,
    ),
    "invalid_client": Explanation(
        N_(
            "The OAuth server refused the application: the client ID or client secret is wrong, "
            "or the application is not installed on the portal."
        ),
        N_(
            "Copy the client ID and client secret again from the application's settings "
            "(Developer resources, or the Market vendor's page) and save them in the profile."
        ),
    ),
    "wrong_client": Explanation(
        N_("The OAuth server says the refresh token was issued to another application."),
        N_(
            "Check that the client ID, client secret and refresh token belong to the same "
            "application."
        ),
    ),
    "invalid_request": Explanation(
        N_("The OAuth server rejected the refresh request as incomplete or malformed."),
        N_(
            "Check the OAuth server address in the profile (normally "
            "https://oauth.bitrix.info/oauth/token/) and that client ID, secret and refresh "
            "token are all filled in."
        ),
    ),
    "insufficient_scope": Explanation(
        N_("The OAuth server says the application lacks a required scope."),
        N_("Add the biconnector scope to the application, reinstall it, and save the new tokens."),
    ),
    "invalid_scope": Explanation(
        N_("The OAuth server refused the requested scope."),
        N_("Add the biconnector scope to the application, reinstall it, and save the new tokens."),
    ),
    "not_installed": Explanation(
        N_("The OAuth server says the application is not installed on the portal."),
        N_("Install the application on the portal, then save its new tokens in the profile."),
    ),
    "payment_required": Explanation(
        N_("The OAuth server refused: the application's or portal's subscription has ended."),
        N_("Renew the plan or the Market subscription."),
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
        if code_text and desc_text:
            sentence = _(
                "The OAuth server refused to renew the access token: error {code} "
                "(“{description}”)."
            )
        elif code_text:
            sentence = _("The OAuth server refused to renew the access token: error {code}.")
        elif desc_text:
            sentence = _(
                "The OAuth server refused to renew the access token: error without a code "
                "(“{description}”)."
            )
        else:
            sentence = _(
                "The OAuth server refused to renew the access token: error without a code."
            )
        explanation = worded(
            sentence.format(code=code_text, description=desc_text), i18n._(_REAUTHORIZE)
        )
        message = explanation.message
    else:
        message = _portal_words(explanation.message, desc_text, code_text)
    return TokenRefreshFailed(code_text, desc_text, http_status, message, explanation.hint)


# --- the sign-in (authorization code grant and the browser's redirect) ----------------------

_SIGN_IN_AGAIN = N_("Sign in again: the browser gets a fresh code, which is exchanged at once.")

CODE_EXPLANATIONS: dict[str, Explanation] = {
    "invalid_grant": Explanation(
        N_(
            "The OAuth server refused the authorization code: it was already used, or it is "
            "older than its 30 seconds, or it was issued to another application."
        ),
        _SIGN_IN_AGAIN,
    ),
    "invalid_client": Explanation(
        N_(
            "The OAuth server refused the application: the client ID or client secret is wrong, "
            "or the application is not installed on the portal."
        ),
        N_(
            "Copy the client ID and client secret again from the application's settings "
            "(Developer resources ▸ Other ▸ Local application) and sign in again."
        ),
    ),
    "invalid_request": Explanation(
        N_("The OAuth server rejected the code exchange as incomplete or malformed."),
        N_(
            "Check the OAuth server address (normally https://oauth.bitrix.info/oauth/token/), "
            "the client ID and the client secret, then sign in again."
        ),
    ),
}
"""The OAuth server's codes where they mean something else for a sign-in than a renewal."""


def code_grant_error(
    code: Any, description: Any, http_status: int, *, secrets: tuple[str, ...] = ()
) -> CodeExchangeFailed:
    """Build the user-facing error for an OAuth server refusing an authorization code."""
    code_text = safe_text(str(code or ""), secrets, max_len=100)
    desc_text = safe_text(str(description or ""), secrets, max_len=500)
    key = code_text.lower()
    explanation = CODE_EXPLANATIONS.get(key) or OAUTH_EXPLANATIONS.get(key)
    if explanation is None:
        sentence = (
            _("The OAuth server refused to exchange the sign-in's code: error {code}.")
            if code_text
            else _("The OAuth server refused to exchange the sign-in's code: error without a code.")
        )
        explanation = worded(sentence.format(code=code_text), i18n._(_SIGN_IN_AGAIN))
    message = _portal_words(explanation.message, desc_text, code_text)
    return CodeExchangeFailed(code_text, desc_text, http_status, message, explanation.hint)


_DENIED = Explanation(
    N_("Access was not granted: the sign-in was declined in the browser."),
    N_(
        "Sign in again and allow the application access; the user needs the “Access to BI "
        "Builder” and “Access to Analytics Hub” permissions."
    ),
)


def sign_in_refused(
    code: Any, description: Any, *, secrets: tuple[str, ...] = ()
) -> AccessNotGranted:
    """The error for a redirect that carries ``error=…`` instead of a code."""
    code_text = safe_text(str(code or ""), secrets, max_len=100)
    desc_text = safe_text(str(description or ""), secrets, max_len=500)
    if code_text.lower() == "access_denied":
        explanation = _DENIED
    else:
        sentence = (
            _("The portal did not complete the sign-in: error {code}.")
            if code_text
            else _("The portal did not complete the sign-in: error without a code.")
        )
        explanation = worded(
            sentence.format(code=code_text),
            _(
                "Check the application's settings on the portal (its handler address and "
                "scope), then sign in again."
            ),
        )
    message = _portal_words(explanation.message, desc_text, code_text)
    return AccessNotGranted(code_text, desc_text, 0, message, explanation.hint)
