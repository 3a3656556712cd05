"""The only package that talks HTTP: Bitrix24 method calls, token renewal, every failure mapped.

Importing it imports httpx (as costly as Qt), so the window imports it on first fetch.
Each module has one reason to change:

    bitrix_client      the request loop: call, retry on 503, wait out 429, renew once on
                       ``expired_token``, list paging (``BitrixClient``, ``WaitNotice``)
    exchange           one HTTP exchange: send, capped read, deadline, cancel, redirects
    envelope           what an answer means: payload or Bitrix24 error, Retry-After
    oauth              the OAuth refresh grant: its query and its answer (``TokenGrant``)
    code_grant         the sign-in's code exchange (``exchange_code``, ``sign_in_with_browser``,
                       ``exchange_pasted_redirect``), imported by whoever signs in
    decoder            the capped gzip/deflate decoder
    watchdog           the deadline / cancel enforcer for a whole exchange
    transport_errors   httpx exceptions (and their causes) mapped to ``errors``

The options every request follows (``RequestOptions``) live in ``core.options``, which
has no httpx, so the window can hold them without importing this package.
"""

from __future__ import annotations

from .bitrix_client import (
    CONNECTOR_GET,
    SOURCE_GET,
    SOURCE_LIST,
    BitrixClient,
    CredentialRenewed,
    PreparedRenewal,
    SourceList,
    WaitCallback,
    WaitNotice,
)
from .oauth import TokenGrant

__all__ = [
    "CONNECTOR_GET",
    "SOURCE_GET",
    "SOURCE_LIST",
    "BitrixClient",
    "CredentialRenewed",
    "PreparedRenewal",
    "SourceList",
    "TokenGrant",
    "WaitCallback",
    "WaitNotice",
]
