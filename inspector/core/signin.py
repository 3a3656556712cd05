"""Signing in with the browser: the authorize address, the redirect, and waiting for it.

The OAuth authorization-code flow of a Bitrix24 application (spec §10.2, §10.4):

1. The inspector listens on ``http://127.0.0.1:PORT/b24-inspector/oauth/`` (``handler_url``),
   the handler address registered in the application's settings. The portal takes it
   from there, not from the request, so the port is fixed (``DEFAULT_PORT``, or the
   profile's own).
2. The browser opens ``https://HOST/oauth/authorize/?client_id=ID&state=STATE``
   (``authorize_url``); ``state`` is random per sign-in (``new_state``).
3. After the user allows access the portal sends the browser to the handler with
   ``code``, ``state``, ``domain``, ``member_id``, ``scope`` and ``server_domain``
   (``Redirect``); a denial comes back as ``error=access_denied``. A redirect whose
   ``state`` is not this sign-in's is refused (``StateMismatch``): it answers another
   sign-in, or was forged by another page.
4. The code lives 30 seconds: the client package exchanges it at once at the OAuth server
   (``core.client.code_grant``), which also holds the paste fallback for an application
   whose handler is its own server.

``BrowserSignIn`` runs steps 1 and 3: it binds the port (``PortInUse`` names a taken one),
answers the browser with a short plain page, and hands the redirect to ``wait``, which
can be cancelled and gives up after a few minutes (``NoRedirect``). No httpx here, no Qt:
the window runs it on a worker thread, the CLI in the foreground.

The code and the client secret are secrets: they stay out of every ``repr`` and message.
"""

from __future__ import annotations

import hmac
import queue
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit

from .. import i18n
from ..i18n import N_, _, ngettext
from .credentials import (
    DEFAULT_OAUTH_SERVER,
    parse_client_id,
    parse_client_secret,
    parse_oauth_server,
    parse_portal,
)
from .errors import (
    AccessNotGranted,
    BadRedirect,
    Cancelled,
    InspectorError,
    NoRedirect,
    StateMismatch,
)
from .explanations import sign_in_refused
from .loopback import LoopbackListener, Page
from .masking import SECRET_PLACEHOLDER, safe_text
from .signin_address import (
    CALLBACK_PATH,
    DEFAULT_PORT,
    LOOPBACK_HOST,
    WAIT_TIMEOUT_S,
    check_port,
    handler_url,
)

CODE_LIFETIME_S: Final = 30
"""An authorization code is refused once it is this old (spec §10.2)."""
KNOWN_OAUTH_HOSTS: Final = frozenset({"oauth.bitrix.info", "oauth.bitrix24.tech"})
"""OAuth servers a redirect's ``server_domain`` may name (spec §10.2, §14)."""

_MAX_FIELD = 512  # characters of any redirect field kept
_MAX_QUERY_FIELDS = 50

# The browser's pages, marked here and translated as served (``i18n._``: see explanations).
PAGE_RECEIVED = N_(
    "The inspector received the sign-in.\n\n"
    "You can close this tab and go back to the Bitrix24 BI Source Inspector, "
    "which finishes the sign-in."
)
PAGE_DENIED = N_(
    "Access was not granted, so the sign-in stopped.\n\n"
    "You can close this tab; the Bitrix24 BI Source Inspector says what to do next."
)
PAGE_WRONG_STATE = N_(
    "This answer does not belong to the sign-in the inspector started, so it was refused.\n\n"
    "Close this tab and start the sign-in again from the inspector."
)
PAGE_NO_CODE = N_(
    "This address carries no sign-in code.\n\n"
    "Register it as the application's handler address, then start the sign-in from the "
    "Bitrix24 BI Source Inspector."
)
PAGE_FINISHED = N_("This sign-in has already finished. You can close this tab.")


def new_state() -> str:
    """A fresh, unguessable ``state`` for one sign-in."""
    return secrets.token_urlsafe(24)


def authorize_url(portal: str, client_id: str, state: str) -> str:
    """``https://HOST/oauth/authorize/?client_id=ID&state=STATE`` for the portal as typed.

    A bare host gets ``https://``; a loopback portal such as the demo may be ``http://``.
    """
    origin = parse_portal(portal).origin
    query = urlencode({"client_id": parse_client_id(client_id), "state": state})
    return f"{origin}/oauth/authorize/?{query}"


@dataclass(frozen=True, repr=False)
class SignInRequest:
    """What a sign-in starts from: the portal, the application, and where tokens come from.

    ``portal`` is the normalised portal address (``https://host``). ``oauth_server`` is the
    profile's token URL, used for the code exchange when set; ``None`` means Bitrix24's
    (or the known Bitrix24 OAuth server the redirect names, see ``token_url``).
    """

    portal: str
    client_id: str
    client_secret: str = field(repr=False)
    oauth_server: str | None = None

    @property
    def host(self) -> str:
        return parse_portal(self.portal).netloc

    def secrets(self) -> tuple[str, ...]:
        return (self.client_secret,)

    def token_url(self, redirect: Redirect | None = None) -> str:
        """Where the code is exchanged: the profile's OAuth server, else Bitrix24's.

        A redirect's ``server_domain`` is followed only when it names a known Bitrix24
        OAuth server: the client secret travels with the code, and a browser redirect is
        no place to learn where to send it.
        """
        if self.oauth_server:
            return self.oauth_server
        named = (redirect.server_domain or "").lower() if redirect is not None else ""
        if named in KNOWN_OAUTH_HOSTS:
            return f"https://{named}/oauth/token/"
        return DEFAULT_OAUTH_SERVER

    def __repr__(self) -> str:
        return (
            f"SignInRequest(portal={self.portal!r}, client_id={self.client_id!r}, "
            f"client_secret={SECRET_PLACEHOLDER!r}, oauth_server={self.oauth_server!r})"
        )


def sign_in_request(
    portal: str, client_id: str, client_secret: str, oauth_server: str | None = None
) -> SignInRequest:
    """Check what the admin gave; ``InvalidCredential`` says what is wrong, never the secret."""
    server = (oauth_server or "").strip()
    return SignInRequest(
        portal=parse_portal(portal).origin,
        client_id=parse_client_id(client_id),
        client_secret=parse_client_secret(client_secret),
        oauth_server=parse_oauth_server(server) if server else None,
    )


@dataclass(frozen=True, repr=False)
class Redirect:
    """What the portal put in the handler address. ``code`` is a secret (for 30 seconds).

    ``error`` / ``error_description`` are set instead of ``code`` when the sign-in was
    refused. ``domain`` is the portal's host as the portal names it.
    """

    code: str | None = None
    state: str | None = None
    domain: str | None = None
    member_id: str | None = None
    scope: str | None = None
    server_domain: str | None = None
    error: str | None = None
    error_description: str | None = None

    def secrets(self) -> tuple[str, ...]:
        return (self.code,) if self.code else ()

    def __repr__(self) -> str:
        code = SECRET_PLACEHOLDER if self.code else None
        return (
            f"Redirect(code={code!r}, domain={self.domain!r}, scope={self.scope!r}, "
            f"server_domain={self.server_domain!r}, error={self.error!r})"
        )


def redirect_from_query(query: str) -> Redirect:
    """The redirect's fields from its query string; ``BadRedirect`` if it cannot be read."""
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=_MAX_QUERY_FIELDS)
    except ValueError:
        raise BadRedirect(
            _("The address has too many parts to be the portal's sign-in redirect."),
            _("Copy the address the browser landed on after allowing access."),
        ) from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        if key in fields and fields[key] != value:
            raise BadRedirect(
                _(
                    "The address names “{field}” twice, so it is not the portal's sign-in redirect."
                ).format(field=safe_text(key, max_len=40)),
                _("Copy the address the browser landed on after allowing access."),
            )
        fields[key] = value

    def text(key: str) -> str | None:
        value = fields.get(key, "").strip()
        return value[:_MAX_FIELD] if value else None

    code = text("code")
    if code is not None and not _printable(code):
        raise BadRedirect(
            _("The sign-in code in the address has unexpected characters."),
            _("Copy the whole address again from the browser's address bar."),
        )
    return Redirect(
        code=code,
        state=text("state"),
        domain=text("domain"),
        member_id=text("member_id"),
        scope=text("scope"),
        server_domain=text("server_domain"),
        error=text("error"),
        error_description=text("error_description"),
    )


def parse_redirect(text: str) -> Redirect:
    """The address the browser landed on (or its query string, or a bare code), as a redirect.

    The pasted text is a secret while its code lives: messages never quote it.
    """
    text = text.strip()
    if not text:
        raise BadRedirect(
            _("Paste the address the browser landed on after allowing access."),
            _("It is the handler address followed by ?code=…&state=…"),
        )
    if "=" not in text:
        if _printable(text) and len(text) <= _MAX_FIELD and "/" not in text:
            return Redirect(code=text)  # the code alone, copied from the address bar
        raise BadRedirect(
            _("The address carries no sign-in code (no “code=” in it)."),
            _(
                "Copy the address the browser landed on after allowing access, with everything "
                "after the “?”."
            ),
        )
    query = text
    if "?" in text:
        try:
            query = urlsplit(text).query
        except ValueError:
            query = text.split("?", 1)[1].split("#", 1)[0]
    return redirect_from_query(query.lstrip("?"))


def accept_redirect(redirect: Redirect, state: str | None) -> Redirect:
    """*redirect* if it carries a code for this sign-in; else the error that says why not.

    Raises ``BadRedirect`` when it has neither a code nor an error, ``StateMismatch`` when
    *state* is given and the redirect's differs, ``AccessNotGranted`` for ``error=…``
    (``access_denied``).
    """
    if not redirect.code and not redirect.error:
        raise BadRedirect(
            _("The address carries no sign-in code."),
            _("Copy the address the browser landed on after allowing access."),
        )
    # A refusal is checked like a code: another page must not end this sign-in either.
    if state is not None and not hmac.compare_digest(
        (redirect.state or "").encode("utf-8", "replace"), state.encode()
    ):
        raise StateMismatch(
            _(
                "The sign-in answer does not belong to the sign-in the inspector started "
                "(its “state” differs), so it was refused and nothing was saved."
            ),
            _(
                "Start the sign-in again and finish it in the tab it opens; close older sign-in "
                "tabs first."
            ),
        )
    if redirect.error:
        raise sign_in_refused(redirect.error, redirect.error_description)
    return redirect


class BrowserSignIn:
    """Listens for one sign-in redirect on ``127.0.0.1:port``; use as a context manager.

    ``start()`` binds the port (``PortInUse``); then open ``authorize_url`` in the browser
    and call ``wait()``. ``cancel()`` (from any thread) ends a ``wait`` with ``Cancelled``.
    """

    def __init__(
        self, request: SignInRequest, *, port: int = DEFAULT_PORT, state: str | None = None
    ) -> None:
        self.request = request
        self.port = check_port(port)
        self.state = state or new_state()
        self._outcomes: queue.Queue[Redirect | InspectorError | None] = queue.Queue()
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._listener = LoopbackListener(self.port, CALLBACK_PATH, self._on_request)

    def __repr__(self) -> str:
        return f"<BrowserSignIn {self.request.portal} on {LOOPBACK_HOST}:{self.port}>"

    @property
    def handler_url(self) -> str:
        return handler_url(self.port)

    @property
    def authorize_url(self) -> str:
        return authorize_url(self.request.portal, self.request.client_id, self.state)

    def start(self) -> BrowserSignIn:
        self._listener.start()
        return self

    def close(self) -> None:
        self._listener.close()

    def __enter__(self) -> BrowserSignIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cancel(self) -> None:
        """End a running ``wait`` with ``Cancelled`` (from any thread)."""
        self._outcomes.put(None)

    def wait(
        self, timeout: float = WAIT_TIMEOUT_S, cancel: threading.Event | None = None
    ) -> Redirect:
        """The accepted redirect, once the browser brings it.

        Raises what the redirect says (``AccessNotGranted``, ``StateMismatch``),
        ``NoRedirect`` after *timeout* seconds, ``Cancelled`` on ``cancel()`` or when the
        *cancel* event is set.
        """
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._no_redirect(timeout)
            try:
                outcome = self._outcomes.get(timeout=min(remaining, 0.1))
            except queue.Empty:
                if cancel is not None and cancel.is_set():
                    raise Cancelled() from None
                continue
            if outcome is None:
                raise Cancelled()
            if isinstance(outcome, InspectorError):
                raise outcome
            return outcome

    def _no_redirect(self, timeout: float) -> NoRedirect:
        minutes = round(timeout / 60)
        if minutes >= 2:
            message = ngettext(
                "The browser did not come back to the inspector within {n} minute.",
                "The browser did not come back to the inspector within {n} minutes.",
                minutes,
            ).format(n=minutes)
        else:
            seconds = round(timeout)
            message = ngettext(
                "The browser did not come back to the inspector within {n} second.",
                "The browser did not come back to the inspector within {n} seconds.",
                seconds,
            ).format(n=seconds)
        return NoRedirect(
            message,
            _(
                "Check that the application's handler address is exactly {handler}. If the "
                "portal showed an error page, do what it says; if the browser could not open "
                "the portal, check the portal address. If the application's handler is another "
                "address, paste the address the browser landed on instead."
            ).format(handler=self.handler_url),
        )

    def _on_request(self, query: str) -> Page:
        """One GET of the handler address (on a listener thread): the page to show."""
        with self._lock:
            if self._done.is_set():
                return Page(200, i18n._(PAGE_FINISHED))
            try:
                redirect = accept_redirect(redirect_from_query(query), self.state)
            except AccessNotGranted as exc:
                return self._finish(exc, Page(200, i18n._(PAGE_DENIED)))
            except StateMismatch as exc:
                return self._finish(exc, Page(400, i18n._(PAGE_WRONG_STATE)))
            except BadRedirect:
                return Page(
                    400, i18n._(PAGE_NO_CODE)
                )  # not an answer to this sign-in: keep waiting
            return self._finish(redirect, Page(200, i18n._(PAGE_RECEIVED)))

    def _finish(self, outcome: Redirect | InspectorError, page: Page) -> Page:
        self._done.set()
        self._outcomes.put(outcome)
        return page


def _printable(text: str) -> bool:
    return text.isascii() and text.isprintable() and " " not in text
