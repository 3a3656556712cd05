"""The last request the window made, and how it ended.

Copy as cURL and the support bundle describe it (``copy_export``); ``source_requests``
fills it in as the request goes. A module of its own so that neither of those two needs
the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.connector import Connector, ConnectorReport
from ..core.credentials import Credential
from ..core.errors import InspectorError
from ..core.model import Source


@dataclass(eq=False)
class RequestRecord:
    """A request and its outcome. Holds the credential: the ``repr`` shows neither it nor
    the answer, only the method and its (secret-free) parameters."""

    credential: Credential = field(repr=False)
    method: str
    params: dict[str, Any]
    source: Source | None = field(default=None, repr=False)
    report: ConnectorReport | None = field(default=None, repr=False)
    error: InspectorError | None = field(default=None, repr=False)
    request_id: str | None = field(default=None, repr=False)
    # The endpoint check's masked results (``CheckReport.to_json``), for the support bundle.
    endpoint_check: dict[str, Any] | None = field(default=None, repr=False)

    def checkable(self) -> tuple[Source, Connector] | None:
        """The source and its connector, when both are there for the endpoint check
        (``check_dialog``) and the connector has an endpoint URL to call."""
        if self.source is None or self.report is None:
            return None
        connector = self.report.connector
        if not connector.urls:  # it holds only the endpoint URLs that are set
            return None
        return self.source, connector
