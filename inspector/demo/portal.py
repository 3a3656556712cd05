"""A fake Bitrix24 portal on 127.0.0.1 that answers ``biconnector.source.get`` like a real one.

``b24-inspector --demo`` starts it inside the app so a newcomer can watch the program work
without a Bitrix24 account; the end-to-end tests talk to the same server over a real socket.
Standard library only: no Qt, no httpx.

What it imitates (see the project's Bitrix24 REST facts sheet, §4, §8-§10):

* both credential forms: an inbound webhook ``/rest/<user>/<code>/<method>[.json]`` and an
  OAuth call ``/rest/<method>[.json]`` with ``auth`` in the JSON/form body (or, as real
  portals also allow, in the query string);
* ``biconnector.source.get`` (``{"id": N}`` as JSON or ``id=N`` as a form) and
  ``biconnector.source.list`` (bare array, pages of 50 via ``page``);
* ``biconnector.connector.get`` / ``.list`` for the connectors in ``DEMO_CONNECTORS``
  (one declares a setting its source lacks, one has plain ``http://`` endpoints, one does
  not declare a setting its source has);
* the browser sign-in of a local application (``client_id``, ``client_secret`` and the
  handler address ``redirect_uri``): the authorize page ``/oauth/authorize/?client_id=…
  &state=…`` (``authorize_url``) redirects the browser to the handler with a code, which
  the token server exchanges once, within 30 seconds (``authorization_code``);
  ``authorize_outcome`` and ``expire_codes()`` drive a denial, an error page and an
  expired code for tests;
* an OAuth token server at ``/oauth/token/`` (``oauth_server_url``): also ``grant_type=
  refresh_token`` with ``client_id``/``client_secret``/``refresh_token`` in the query,
  answering like ``oauth.bitrix.info`` and rotating both tokens; ``expire_access_token()``
  makes the current access token answer ``expired_token``, for tests of the renewal;
* a renamed portal: with ``moved_to`` set, every REST request is answered with a 301 to
  the same path on that address;
* the biconnector validation errors in the newest shape (HTTP 200, inside ``result.error``,
  ``time`` still present) or, with ``legacy_errors=True``, the older root-level shape;
* the system errors with their HTTP statuses (401 credentials, 404 unknown method).

Unlike the newest documentation, the demo lets a webhook call ``biconnector.*``: the older
documentation's examples use one, and it is the simplest credential for a first try.

The server never writes to stderr and never prints its webhook code or access token; only
``main()`` prints them, because running it standalone is an explicit request for them.

This module runs the portal and decides who may call what; the parts live beside it:
``data`` (the sources and connectors), ``rest_api`` (what the methods answer), ``oauth``
(the tokens and the token server), ``recording`` (requests kept without credentials) and
``http_server`` (sockets, keep-alive, the body cap).
"""

from __future__ import annotations

import argparse
import contextlib
import hmac
import secrets
import threading
import time
from collections.abc import Mapping
from http import HTTPStatus
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from .connector import DemoConnector
from .data import DEMO_CONNECTORS, DEMO_SOURCES, DEMO_USER_ID
from .http_server import MAX_BODY_BYTES, Reply, Server, system_error
from .oauth import AUTHORIZE_PATH, TOKEN_PATH, AuthorizeOutcome, DemoTokens
from .recording import RecordedRequest, Scrubber
from .rest_api import OAUTH_PATH, WEBHOOK_PATH, RestApi, UnknownMethod, method_name, parse_body

if TYPE_CHECKING:
    from ..core.credentials import OAuthCredential

__all__ = [
    "DEMO_CONNECTORS",
    "DEMO_SOURCES",
    "DEMO_USER_ID",
    "MAX_BODY_BYTES",
    "DemoPortal",
    "RecordedRequest",
    "main",
]


class _Refused(Exception):
    """Ends a request early with a given reply."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


class DemoPortal:
    """A Bitrix24-like portal serving ``DEMO_SOURCES`` on ``127.0.0.1`` from a daemon thread.

    ``latency`` delays every answer by that many seconds; ``legacy_errors`` switches the
    biconnector validation and not-found errors to the older root-level shape. ``sources``
    and ``connectors`` replace ``DEMO_SOURCES`` / ``DEMO_CONNECTORS`` (e.g. 120 sources for
    a paging test). ``moved_to`` (a base URL) makes every REST request answer 301 there.

    OAuth: ``access_token`` is valid until ``expire_access_token()`` or a refresh;
    ``client_id``, ``client_secret`` and ``refresh_token`` renew it at
    ``oauth_server_url``; each refresh rotates both tokens (the old refresh token then gets
    ``invalid_grant``). ``token_refreshes`` counts the successful ones.

    Sign-in: ``redirect_uri`` is the demo application's registered handler address (given
    here or set later); ``authorize_url(state)`` is the page a browser opens. ``scope`` is
    what the application was granted (``"biconnector"``); ``code_lifetime`` how long a code
    works (30 s).
    """

    SOURCE_IDS: Final[tuple[int, ...]] = tuple(sorted(DEMO_SOURCES))

    def __init__(
        self,
        *,
        latency: float = 0.0,
        legacy_errors: bool = False,
        port: int = 0,
        sources: Mapping[int, dict[str, Any]] | None = None,
        connectors: Mapping[int, dict[str, Any]] | None = None,
        moved_to: str | None = None,
        redirect_uri: str | None = None,
        scope: str = "biconnector",
        code_lifetime: float = 30.0,
    ) -> None:
        if latency < 0:
            raise ValueError("latency must not be negative")
        self.latency = latency
        self.legacy_errors = legacy_errors
        self.moved_to = moved_to
        self._port = port
        self._sources = DEMO_SOURCES if sources is None else sources
        self._connectors = DEMO_CONNECTORS if connectors is None else connectors
        self._api = RestApi(self._sources, self._connectors)
        # The demo connector the sources 11-18 point at; started and stopped with the portal.
        self.connector = DemoConnector()
        self._code = secrets.token_urlsafe(16)
        self._tokens = DemoTokens(
            redirect_uri=redirect_uri, scope=scope, code_lifetime=code_lifetime
        )
        self.client_id: Final[str] = self._tokens.client_id
        self.client_secret: Final[str] = self._tokens.client_secret
        self._scrubber = Scrubber(lambda: (self._code, self.client_secret, *self._tokens.issued()))
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._server: Server | None = None
        self._stopping = threading.Event()

    def __repr__(self) -> str:  # never show the code or the token
        state = f"url={self.base_url!r}" if self._server is not None else "stopped"
        return f"<DemoPortal {state}>"

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> DemoPortal:
        """Bind ``127.0.0.1`` (a free port unless one was given) and serve; idempotent."""
        with self._lock:
            if self._server is not None:
                return self
            self._stopping.clear()
            self.connector.start()
            self._api = RestApi(self._sources, self.connector.resolve(self._connectors))
            server = Server(("127.0.0.1", self._port), self._handle)
            server.serve_in_background("b24-demo-portal")
            self._server = server
        return self

    def stop(self) -> None:
        """Stop serving, drop open connections and release the port; idempotent."""
        with self._lock:
            server, self._server = self._server, None
        if server is None:
            return
        server.stop()  # at once: its loop waits on no poll timer (see ``http_server``)
        self._stopping.set()  # requests sleeping in the artificial latency wake up
        self.connector.stop()

    def __enter__(self) -> DemoPortal:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        server = self._server
        if server is None:
            raise RuntimeError("the demo portal is not running; call start() first")
        return int(server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``; only while running."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        """The demo's webhook credential, ``<base_url>/rest/1/<code>/``. It holds a secret."""
        return f"{self.base_url}/rest/{DEMO_USER_ID}/{self._code}/"

    @property
    def oauth_endpoint(self) -> str:
        """The ``client_endpoint`` an OAuth app would use: ``<base_url>/rest/``."""
        return f"{self.base_url}/rest/"

    @property
    def oauth_server_url(self) -> str:
        """The demo's token server, ``<base_url>/oauth/token/``."""
        return f"{self.base_url}/oauth/token/"

    @property
    def access_token(self) -> str:
        """The access token that works now. It holds a secret."""
        return self._tokens.access_token

    @property
    def refresh_token(self) -> str:
        """The refresh token that works now (the last one issued). It holds a secret."""
        return self._tokens.refresh_token

    def oauth_credential(self) -> OAuthCredential:
        """The demo application's credential as the inspector keeps one: the tokens that
        work now, the client ID and secret, the token server. It holds secrets."""
        from ..core.credentials import make_oauth_credential

        return make_oauth_credential(
            self.base_url,
            self.access_token,
            client_id=self.client_id,
            client_secret=self.client_secret,
            refresh_token=self.refresh_token,
            oauth_server=self.oauth_server_url,
        )

    @property
    def token_refreshes(self) -> int:
        """How many times the token server renewed the tokens."""
        return self._tokens.refreshes

    def expire_access_token(self) -> None:
        """Make the current access token answer ``expired_token`` from now on."""
        self._tokens.expire_access_token()

    # ----------------------------------------------------------------- sign-in

    @property
    def redirect_uri(self) -> str | None:
        """The demo application's handler address (where the browser is sent with a code)."""
        return self._tokens.redirect_uri

    @redirect_uri.setter
    def redirect_uri(self, url: str | None) -> None:
        self._tokens.redirect_uri = url

    @property
    def authorize_outcome(self) -> AuthorizeOutcome:
        """How the authorize page ends: ``"allow"``, ``"deny"`` or ``"error_page"``."""
        return self._tokens.authorize_outcome

    @authorize_outcome.setter
    def authorize_outcome(self, outcome: AuthorizeOutcome) -> None:
        self._tokens.authorize_outcome = outcome

    @property
    def scope(self) -> str:
        return self._tokens.scope

    @scope.setter
    def scope(self, scope: str) -> None:
        self._tokens.scope = scope

    def authorize_url(self, state: str) -> str:
        """``<base_url>/oauth/authorize/?client_id=…&state=…``: what a browser opens."""
        query = urlencode({"client_id": self.client_id, "state": state})
        return f"{self.base_url}/oauth/authorize/?{query}"

    def expire_codes(self) -> None:
        """Age every authorization code issued so far past its 30 seconds."""
        self._tokens.expire_codes()

    @property
    def code_grants(self) -> int:
        """How many authorization codes the token server exchanged."""
        return self._tokens.code_grants

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the requests received so far, oldest first, without credentials."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # ----------------------------------------------------------------- request handling

    def _handle(
        self, http_method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Reply:
        """Answer one request; called from a server thread. Records it before returning."""
        received = time.time()
        started = time.perf_counter()
        split = urlsplit(target)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        body_format, body_params = "empty", None
        api_method: str | None = None
        if self.latency:
            self._stopping.wait(self.latency)  # returns at once when stop() is called
        try:
            if http_method not in ("GET", "POST"):
                body_format = "ignored" if body else "empty"
                raise _Refused(
                    Reply(
                        HTTPStatus.METHOD_NOT_ALLOWED,
                        {
                            "error": "METHOD_NOT_ALLOWED",
                            "error_description": "Only GET and POST are supported.",
                        },
                        headers={"Allow": "GET, POST"},
                    )
                )
            body_format, body_params = parse_body(headers.get("content-type", ""), body)
            if body_format == "invalid":
                raise _Refused(
                    system_error(400, "INVALID_JSON", "The request body is not a JSON object.")
                )
            params: dict[str, Any] = {**query, **(body_params or {})}
            if AUTHORIZE_PATH.fullmatch(split.path):
                raise _Refused(self._tokens.authorize(params, base_url=self.base_url))
            if TOKEN_PATH.fullmatch(split.path):
                raise _Refused(
                    self._tokens.grant(params, received=received, base_url=self.base_url)
                )
            if self.moved_to and split.path.startswith("/rest/"):
                # A renamed portal: the same path and query on the new address.
                raise _Refused(
                    Reply(
                        301,
                        {"error": "MOVED", "error_description": "The portal has moved."},
                        headers={"Location": self.moved_to.rstrip("/") + target},
                    )
                )
            api_method = self._authenticate(split.path, params)
            try:
                reply = self._api.call(
                    api_method,
                    params,
                    received=received,
                    started=started,
                    legacy_errors=self.legacy_errors,
                )
            except UnknownMethod:
                raise _Refused(_method_not_found()) from None
        except _Refused as exc:
            reply = exc.reply
        self._record(
            RecordedRequest(
                method=http_method,
                path=self._scrubber.target(split.path, split.query),
                headers=self._scrubber.headers(headers),
                body=self._scrubber.body(body_params),
                body_format=body_format,
                api_method=api_method,
                status=int(reply.status),
                received_at=received,
            )
        )
        return reply

    def _authenticate(self, path: str, params: Mapping[str, Any]) -> str:
        """Check the credential in the path or the params; return the REST method name."""
        if m := WEBHOOK_PATH.fullmatch(path):
            user, code = unquote(m["user"]), unquote(m["code"])
            good = hmac.compare_digest(user.encode(), str(DEMO_USER_ID).encode())
            good &= hmac.compare_digest(code.encode(), self._code.encode())
            if not good:
                raise _Refused(
                    system_error(401, "INVALID_CREDENTIALS", "Invalid request credentials")
                )
            return method_name(m["method"])
        if m := OAUTH_PATH.fullmatch(path):
            token = params.get("auth")
            if token is None or token == "":
                raise _Refused(system_error(401, "NO_AUTH_FOUND", "Wrong authorization data"))
            if not self._tokens.accepts(token):
                raise _Refused(
                    system_error(401, "expired_token", "The access token provided has expired.")
                )
            return method_name(m["method"])
        if path.startswith("/rest/") or path == "/rest":
            raise _Refused(_method_not_found())
        raise _Refused(system_error(404, "NOT_FOUND", "Not found"))

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)


def _method_not_found() -> Reply:
    return system_error(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")


def main(argv: list[str] | None = None) -> int:
    """Run the demo portal in the foreground until Ctrl+C."""
    parser = argparse.ArgumentParser(
        prog="python -m inspector.demo.portal",
        description="Serve the built-in Bitrix24 demo portal on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument("--latency", type=float, default=0.0, help="delay per request, seconds")
    parser.add_argument(
        "--legacy-errors", action="store_true", help="answer errors in the older root-level shape"
    )
    parser.add_argument(
        "--handler",
        metavar="URL",
        help="the demo application's handler address, for the browser sign-in "
        "(e.g. http://127.0.0.1:51780/b24-inspector/oauth/)",
    )
    args = parser.parse_args(argv)
    portal = DemoPortal(
        latency=args.latency,
        legacy_errors=args.legacy_errors,
        port=args.port,
        redirect_uri=args.handler,
    )
    with portal:
        # Printing the demo credentials is deliberate and happens only here: whoever runs the
        # portal standalone asked for them, and they open nothing but this throw-away server.
        print(f"Demo portal:  {portal.base_url}")
        print(f"Webhook URL:  {portal.webhook_url}")
        print(f"OAuth token:  {portal.access_token}  (POST {portal.oauth_endpoint}<method>)")
        print(f"OAuth server: {portal.oauth_server_url}")
        print(f"Client ID:    {portal.client_id}")
        print(f"Client secret: {portal.client_secret}")
        print(f"Refresh token: {portal.refresh_token}")
        print(f"Sign-in page: {portal.base_url}/oauth/authorize/?client_id={portal.client_id}")
        print(f"Handler:      {portal.redirect_uri or '(none: start with --handler URL)'}")
        print(f"Source ids:   {', '.join(map(str, DemoPortal.SOURCE_IDS))}")
        print("Press Ctrl+C to stop.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
