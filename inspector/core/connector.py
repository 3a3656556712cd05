"""What ``biconnector.connector.get`` says about a connector, and how a source lines up with it.

A source's settings are what Bitrix24 sends to its connector's endpoints (spec §6.3); the
connector declares which parameters it expects, with names and types. ``parse_connector``
reads the declaration leniently, as ``model`` reads a source; ``compare`` sets the two side
by side (labels, missing and undeclared settings, type mismatches, endpoints on plain
``http://``) as a ``ConnectorReport``, a pure function of both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice, repeat
from operator import itemgetter
from typing import Any, NamedTuple, cast
from urllib.parse import parse_qsl, quote, urlsplit

from .. import i18n
from ..i18n import N_, _
from .collector import collector_paused
from .errors import BadResponse
from .json_values import (
    MAX_DEPTH,
    as_bool,
    as_date,
    as_id,
    as_number,
    as_text,
    check_depth,
    too_deep,
    unknown_keys,
)
from .masking import SECRET_PLACEHOLDER, sanitize
from .model import (
    Setting,
    Source,
    detached,
    detached_texts,
    shared_text,
    shared_texts,
)

CONNECTOR_URL_FIELDS: dict[str, str] = {
    "urlCheck": N_("Check URL"),
    "urlTableList": N_("Table list URL"),
    "urlTableDescription": N_("Table description URL"),
    "urlData": N_("Data URL"),
}
"""The connector's endpoints, which Bitrix24 calls with the source's settings (spec §6.3).

The names are marked with ``N_``: show them translated, ``i18n._(name)``."""

_CONNECTOR_KNOWN = (
    "id",
    "title",
    "description",
    "logo",
    "sort",
    "settings",
    "dateCreate",
    "supportMapping",
    "sourceCode",
    *CONNECTOR_URL_FIELDS,
)


class ConnectorSetting(NamedTuple):
    """A parameter the connector declares: its code, display name and type (no value).

    A named tuple, with its code and type shared with the source's settings
    (``shared_text``): a connector may declare 50,000, and tuples can be made column by
    column at C speed (``_declared``).
    """

    code: str | None
    name: str | None
    type: str | None


@dataclass(frozen=True)
class Connector:
    """What ``biconnector.connector.get`` says about a connector.

    ``urls`` maps the endpoint field (``urlCheck``...) to the URL as sent. ``logo`` (a URL
    or a large data URI) is kept out of ``repr``.
    """

    id: int | str | None
    title: str | None
    description: str | None
    settings: tuple[ConnectorSetting, ...]
    urls: dict[str, str]
    sort: float | int | None = None
    date_create: str | None = None
    source_code: str | None = None
    support_mapping: bool | None = None
    logo: str | None = field(default=None, repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_connector(payload: Any, requested_id: int | str | None = None) -> Connector:
    """Parse a successful ``biconnector.connector.get`` payload (``result.item``).

    The documentation's example item has no ``id``; *requested_id* fills it in.
    """
    with collector_paused():
        return _parse_connector(payload, requested_id)


def _parse_connector(payload: Any, requested_id: int | str | None) -> Connector:
    result = payload.get("result") if isinstance(payload, dict) else None
    item = result.get("item", result) if isinstance(result, dict) else None
    raw_settings = item.get("settings") if isinstance(item, dict) else None
    if isinstance(raw_settings, list) and raw_settings:
        assert isinstance(payload, dict) and isinstance(result, dict) and isinstance(item, dict)
        # The depth of all but the declarations, then of the unusual ones (``_declared``)
        # where they sit: a declaration of three texts nests no deeper than itself.
        headless = {**item, "settings": []}
        check_depth(
            {**payload, "result": {**result, "item": headless} if item is not result else headless}
        )
        settings, unusual = _declared(raw_settings)
        if too_deep(unusual, MAX_DEPTH - (3 if item is not result else 2)):
            check_depth(payload)  # raises
    else:
        check_depth(payload)
    if not isinstance(item, dict):
        raise BadResponse(
            _("The portal's answer is not a connector (“result.item” is missing)."),
            _("The portal may run an unexpected version."),
        )
    if not raw_settings:
        settings = ()
    elif not isinstance(raw_settings, list):
        raise BadResponse(_("The connector's “settings” is not a list."))
    urls = {
        key: value
        for key in CONNECTOR_URL_FIELDS
        if isinstance(value := item.get(key), str) and value
    }
    connector_id = as_id(item.get("id"))
    return Connector(
        id=connector_id if connector_id is not None else requested_id,
        title=as_text(item.get("title")),
        description=as_text(item.get("description")),
        settings=settings,
        urls=urls,
        sort=as_number(item.get("sort")),
        date_create=as_date(item.get("dateCreate")),
        source_code=as_text(item.get("sourceCode")),
        support_mapping=as_bool(item.get("supportMapping")),
        logo=as_text(item.get("logo")),
        extra=unknown_keys(item, _CONNECTOR_KNOWN),
    )


def _declared(raw: list[Any]) -> tuple[tuple[ConnectorSetting, ...], list[Any]]:
    """The declared parameters (entries that are not objects skipped), and the unusual
    entries (not an object, a field that is not text, or other keys) to check for depth.

    One loop with the readers called only for what is not text already: a connector may
    declare 50,000, and a function call per parameter and field showed. The usual case,
    every declaration three texts, is made column by column (``_plain_declared``).
    """
    plain = _plain_declared(raw)
    if plain is not None:
        return plain, []
    declared: list[ConnectorSetting] = []
    unusual: list[Any] = []
    known = _DECLARED_KEYS
    for data in raw:
        if type(data) is not dict:
            unusual.append(data)
            if not isinstance(data, dict):
                continue
        code, name, kind = data.get("code"), data.get("name"), data.get("type")
        if type(code) is not str or type(name) is not str or type(kind) is not str:
            unusual.append(data)
            code, name, kind = as_text(code), as_text(name), as_text(kind)
        elif not known.issuperset(data):
            unusual.append(data)
        # The name copied, so that the parsed answer's pages are freed whole (see
        # model.detached); a code is the source's own interned copy once that was read.
        declared.append(ConnectorSetting(shared_text(code), detached(name), shared_text(kind)))
    return tuple(declared), unusual


def _plain_declared(raw: list[Any]) -> tuple[ConnectorSetting, ...] | None:
    """The declarations when each is an object of three texts and no other key, made
    column by column (about half the time of ``_declared``'s loop); None otherwise."""
    if set(map(type, raw)) != {dict} or not all(map(_DECLARED_KEYS.issuperset, raw)):
        return None
    codes, names, kinds = (
        cast(list[str], [*map(dict.get, raw, repeat(key))]) for key in ("code", "name", "type")
    )
    if set(map(type, chain(codes, names, kinds))) != {str}:
        return None
    rows = zip(shared_texts(codes), detached_texts(names), shared_texts(kinds), strict=True)
    # Made a slice at a time: one C-speed pass over 50,000 held the GIL for 20-27 ms, a
    # stall of the window while its request thread parsed; between slices it changes hands.
    made: list[ConnectorSetting] = []
    for _start in range(0, len(codes), _SLICE):
        made.extend(map(tuple.__new__, repeat(ConnectorSetting), islice(rows, _SLICE)))
    return tuple(made)


_SLICE = 2000
"""Declarations made per C-speed pass (about 1 ms each)."""


_DECLARED_KEYS = frozenset(("code", "name", "type"))


_SECRET_QUERY_KEYS = frozenset(
    {
        "key",
        "api_key",
        "apikey",
        "token",
        "access_token",
        "auth",
        "secret",
        "client_secret",
        "password",
        "pass",
        "passwd",
        "pwd",
        "signature",
        "sig",
        "sign",
        "hash",
    }
)
"""Query parameters whose value is a credential wherever they appear."""


def display_url(url: str, secrets: Iterable[str] = (), setting_codes: Iterable[str] = ()) -> str:
    """A URL for display, whole: scheme, host, port, path and query (no user info).

    The query is part of the endpoint: the official connector application routes its four
    endpoints by it (``…/connector.php?connection_type=mysql&action=check``, spec §17).
    A query value equal to one of *secrets* (the source's setting values, however short),
    or named like one of *setting_codes* or like a credential (``key``, ``token``…), is
    shown as the placeholder; longer secrets elsewhere in the URL are redacted by the
    outline's ``safe_text``.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        pairs = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return sanitize(url, max_len=200)
    if ":" in host:
        host = f"[{host}]"
    query = ""
    if parts.query:
        hidden = {s for s in secrets if s}
        codes = {c.lower() for c in setting_codes if c} | _SECRET_QUERY_KEYS
        shown = [
            f"{quote(key, safe='[]')}="
            + (
                SECRET_PLACEHOLDER
                if value in hidden or key.lower() in codes
                else quote(value, safe="/:,@")
            )
            for key, value in pairs
        ]
        query = "?" + "&".join(shown) if pairs else f"?{parts.query}"
    return sanitize(f"{parts.scheme}://{host}{port}{parts.path}{query}", max_len=600)


@dataclass(frozen=True)
class ConnectorReport:
    """How a source's settings line up with what its connector declares.

    * ``labels``: setting code → the name the connector declares for it;
    * ``missing``: parameters the connector declares that the source does not have;
    * ``undeclared``: codes of source settings the connector does not declare;
    * ``type_mismatches``: (code, declared type, the source's type);
    * ``plain_http_endpoints``: (field, URL for display) of endpoints on plain ``http://``,
      which receive the source's settings (credentials included) unencrypted;
    * ``other_connector``: the connector's id differs from the source's ``connectorId``.
    """

    connector: Connector
    labels: dict[str, str]
    missing: tuple[ConnectorSetting, ...]
    undeclared: tuple[str, ...]
    type_mismatches: tuple[tuple[str, str, str], ...]
    plain_http_endpoints: tuple[tuple[str, str], ...]
    other_connector: bool = False

    @property
    def title(self) -> str:
        """The connector's title, or "connector <id>"."""
        return self.connector.title or _("connector {id}").format(id=self.connector.id)

    def label_for(self, setting: Setting) -> str:
        """The setting's label with the connector's declared name: "Password (password)"."""
        declared = self.labels.get(setting.code or "")
        if not declared:
            return setting.label
        code = setting.code or ""
        return f"{declared} ({code})" if declared != code else declared

    def warnings(self) -> list[str]:
        """Plain sentences about what deserves attention (empty when all is well)."""
        out: list[str] = []
        if self.other_connector:
            out.append(_("The connector's ID differs from the source's connector ID."))
        if self.missing:
            names = ", ".join(sanitize(s.name or s.code or "?", max_len=80) for s in self.missing)
            out.append(
                _("The connector declares settings the source lacks: {names}.").format(names=names)
            )
        if self.undeclared:
            codes = ", ".join(sanitize(c, max_len=80) for c in self.undeclared)
            out.append(
                _("The source has settings the connector does not declare: {codes}.").format(
                    codes=codes
                )
            )
        for code, declared, actual in self.type_mismatches:
            out.append(
                _(
                    "Setting {code} is {actual} in the source but declared {declared} by the "
                    "connector."
                ).format(
                    code=sanitize(code, max_len=80),
                    actual=sanitize(actual, max_len=20),
                    declared=sanitize(declared, max_len=20),
                )
            )
        if self.plain_http_endpoints:
            which = ", ".join(
                f"{i18n._(CONNECTOR_URL_FIELDS[key]) if key in CONNECTOR_URL_FIELDS else key} {url}"
                for key, url in self.plain_http_endpoints
            )
            out.append(
                _(
                    "The connector's endpoints use plain http:// ({endpoints}): Bitrix24 sends the "
                    "source's settings, credentials included, to them unencrypted."
                ).format(endpoints=which)
            )
        return out


def compare(source: Source, connector: Connector) -> ConnectorReport:
    """Line up *source*'s settings with what *connector* declares (a pure function)."""
    return compare_settings(
        [(s.code, s.type) for s in source.settings],
        source.connector_id,
        connector,
        source.secrets,
    )


def compare_settings(
    settings: Sequence[tuple[str | None, str | None]],
    connector_id: int | str | None,
    connector: Connector,
    secrets: Callable[[], Iterable[str]],
) -> ConnectorReport:
    """``compare`` from a source's (code, type) pairs, its ``connectorId`` and *secrets*
    (its setting values, asked for only to show a plain-http endpoint): ``get --json``
    reads these straight from the answer (``source_json``), without a ``Source``."""
    declared = {s.code: s for s in connector.settings if s.code}
    present = set(map(itemgetter(0), settings))
    present.difference_update((None, ""))
    labels = {code: s.name for code, s in declared.items() if s.name}
    # The usual case, each side has all of the other's codes, is told by set operations.
    missing = (
        ()
        if present.issuperset(declared)
        else tuple(s for code, s in declared.items() if code not in present)
    )
    undeclared = (
        ()
        if present.issubset(declared)
        else tuple(dict.fromkeys(code for code, _kind in settings if code and code not in declared))
    )
    # One look-up per setting: with 50,000 of them, each extra pass showed.
    mismatches: list[tuple[str, str, str]] = []
    for code, kind in settings:
        found = declared.get(code) if code else None
        if code and found is not None and found.type and kind and found.type != kind:
            mismatches.append((code, found.type, kind))
    codes = (*declared, *present)
    plain_http = tuple(
        (key, display_url(url, secrets(), codes))
        for key, url in connector.urls.items()
        if url.strip().lower().startswith("http://")
    )
    other = (
        connector_id is not None
        and connector.id is not None
        and str(connector_id) != str(connector.id)
    )
    return ConnectorReport(
        connector=connector,
        labels=labels,
        missing=missing,
        undeclared=undeclared,
        type_mismatches=tuple(mismatches),
        plain_http_endpoints=plain_http,
        other_connector=other,
    )
