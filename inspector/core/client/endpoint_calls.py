"""The endpoint check's HTTP: a form POST to a connector endpoint, like Bitrix24 sends it.

The calls go through the same ``Exchanger`` as portal requests, so they follow the same
rules: TLS verified against the same trust (``network``), the profile's proxy or the
environment's (``proxies``), redirects reported and never followed (the settings would
travel to wherever ``Location`` points), the size cap, the whole-exchange deadline and an
immediate Cancel (``watchdog``). Unlike Bitrix24's own default, loopback and private
addresses are allowed: on-premise connectors live there.

What the answers mean is decided in ``core.endpoint_check``; this module only sends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from types import TracebackType

import httpx

from ...i18n import _
from ..endpoint_answers import EndpointAnswer
from ..endpoint_check import endpoint_host
from ..options import RequestOptions
from ..proxies import check_proxy
from .exchange import Exchanger


class EndpointCaller:
    """Sends the check's form POSTs; a context manager (close it when done).

    *secrets* (the source's setting values) are masked out of every error message. Setting
    *cancel* ends the exchange under way at once with ``Cancelled``.
    """

    def __init__(
        self,
        options: RequestOptions,
        secrets: tuple[str, ...],
        cancel: threading.Event | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._secrets = secrets
        self.cancel = cancel or threading.Event()
        self._exchanger = Exchanger(
            options, proxy=check_proxy(options.proxy), cancel=self.cancel, transport=transport
        )

    def __enter__(self) -> EndpointCaller:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._exchanger.close()

    def send(self, url: str, form: Mapping[str, str]) -> EndpointAnswer:
        """POST *form* to *url* as ``application/x-www-form-urlencoded``."""
        started = time.monotonic()
        answer = self._exchanger.send(
            "POST",
            url,
            host=endpoint_host(url) or _("the endpoint"),
            secrets=self._secrets,
            form_body=dict(form),
        )
        return EndpointAnswer(answer.status, answer.body, time.monotonic() - started)
