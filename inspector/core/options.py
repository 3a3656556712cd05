"""How patient and how trusting every request is: the options shared by the client and the UI.

No httpx here (and no Qt): the window keeps a profile's network settings as
``RequestOptions`` and hands them to the worker, which builds the client from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only a type here; importing ssl costs start-up time
    import ssl

DEFAULT_MAX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class RequestOptions:
    """How patient and how trusting a request is; the same for every request, refresh too.

    * ``verify``: ``True`` (the default) verifies against the OS trust store plus
      ``extra_ca_file`` (see ``network.build_ssl_context``); an ``ssl.SSLContext`` is used
      as given (tests); a string is a CA bundle file that replaces the trust store.
      ``False`` is refused: verification cannot be turned off.
    * ``proxy``: ``None`` uses the environment's proxy variables; a URL is used for every
      request (see ``proxies.check_proxy``).
    * ``extra_ca_file``: a PEM file of a private CA, added to the trust (``verify=True``).
    * ``operation_limit_wait``: on HTTP 429 ``OPERATION_TIME_LIMIT``, wait for the method
      to be released and retry once, if that takes at most this many seconds; ``0`` (the
      default, for scripts) raises at once.
    """

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_bytes: int = DEFAULT_MAX_BYTES  # counts decompressed bytes: a gzip bomb stops here
    retries: int = 2  # extra attempts on 503 QUERY_LIMIT_EXCEEDED
    retry_delay: float = 1.0  # first wait; doubles on each retry
    verify: ssl.SSLContext | str | bool = True
    proxy: str | None = field(default=None, repr=False)  # may hold a password
    extra_ca_file: str | None = None
    operation_limit_wait: float = 0.0
