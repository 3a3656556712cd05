"""What leaves the program on purpose: copied JSON, a cURL command, a support bundle.

Everything here is masked by construction, so it can be pasted into a ticket:

* ``masked_json`` is the source as JSON with every setting value replaced by ``MASK``.
* ``curl_command`` repeats the request for a shell, with the secret replaced by a shell
  variable reference (``${B24_WEBHOOK_CODE}``, ``${B24_WEBHOOK_URL}`` or
  ``${B24_ACCESS_TOKEN}``) in double quotes, so the reader's shell fills it in; every
  other piece is single-quoted with ``shlex.quote``.
* ``support_bundle`` is a JSON text with what support needs (versions, method, portal host,
  request id, the masked answer, the error) and nothing secret.

Every one of them, and every text the command line prints, goes through one rule:
``outgoing_secrets`` gathers what is secret (the credential's own secrets and the
source's distinctive setting values), ``masking.mask_outgoing`` masks all of it wherever
it appears, and ``json_text`` is the one way to write JSON (strict: no NaN). Each
function checks its own output before returning it (``LeakPrevented`` if a secret slipped
in), so a future field cannot leak silently. Revealed values only ever leave through the
window's "Copy value", which the window clears from the clipboard after
``CLIPBOARD_CLEAR_SECONDS``.
"""

from __future__ import annotations

import json
import platform
import re
import shlex
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from .. import APP_NAME, __version__
from ..i18n import N_, _
from .connector import ConnectorReport
from .credentials import Credential, OAuthCredential, WebhookCredential
from .errors import InspectorError, LeakPrevented, PortalError
from .masked_writer import MaskedJsonWriter
from .masking import SecretSet, mask_outgoing, safe_text
from .model import MIN_REDACTED_VALUE, Source

CLIPBOARD_CLEAR_SECONDS = 30
"""A revealed value copied to the clipboard is cleared after this long (if still there)."""

WEBHOOK_CODE_VAR = "B24_WEBHOOK_CODE"
WEBHOOK_URL_VAR = "B24_WEBHOOK_URL"
ACCESS_TOKEN_VAR = "B24_ACCESS_TOKEN"  # noqa: S105 (a variable name)

BUNDLE_FORMAT = "b24-inspector-support-bundle/1"

# Characters that need no quoting inside a double-quoted shell word, so the prettier form
# "https://host/rest/1/${B24_WEBHOOK_CODE}/method" is used only for these.
_PLAIN = re.compile(r"^[A-Za-z0-9._~:/?#\[\]@&=+,;%-]*$")


def _shell_join(parts: Iterable[tuple[str, bool]]) -> str:
    """One shell word from (text, is_variable_name) pieces."""
    pieces = list(parts)
    if all(is_var or _PLAIN.match(text) for text, is_var in pieces):
        return '"' + "".join("${" + t + "}" if v else t for t, v in pieces) + '"'
    return "".join(f'"${{{t}}}"' if v else shlex.quote(t) for t, v in pieces if t)


def outgoing_secrets(
    credential_secrets: Iterable[str] = (),
    source: Source | None = None,
    reveal: frozenset[int] = frozenset(),
) -> SecretSet:
    """Everything that must not leave the program in clear: the credential's own secrets
    and every distinctive setting value of *source* (those the user revealed, by index in
    *reveal*, excepted). Shorter values ("30", "5432") also occur in timings and ids: the
    structural masking covers them (``Source.distinctive_secrets``)."""
    values: list[str] = list(credential_secrets)
    if source is not None:
        values += (
            s.value
            for index, s in enumerate(source.settings)
            if s.value and len(s.value) >= MIN_REDACTED_VALUE and index not in reveal
        )
    return SecretSet(values)


# What was not made, said whole for each kind of output (by the *what* of ``_check``).
_LEAK_SENTENCES = {
    "JSON": N_("The JSON would have contained a secret, so it was not made."),
    "cURL command": N_("The cURL command would have contained a secret, so it was not made."),
    "support bundle": N_("The support bundle would have contained a secret, so it was not made."),
}


def _check(text: str, secrets: Iterable[str] | SecretSet, what: str) -> str:
    hidden = secrets if isinstance(secrets, SecretSet) else SecretSet(secrets)
    if hidden.found_in(text):
        sentence = _LEAK_SENTENCES.get(what, _LEAK_SENTENCES["JSON"])
        raise LeakPrevented(_(sentence), _("Please report this as a bug."))
    return text


def json_text(
    data: Any,
    secrets: Iterable[str] | SecretSet,
    what: str = "JSON",
    cancel: threading.Event | None = None,
) -> str:
    """*data* as indented, strict JSON with every known secret masked (``mask_outgoing``).

    Strict: a NaN or an infinity from the portal is written as a string, so every JSON
    parser reads the result. Characters a terminal would hide or interpret are escaped
    (``json_for_display``). Raises ``LeakPrevented`` if a secret still shows, and
    ``Cancelled`` once *cancel* is set (from another thread).
    """
    hidden = secrets if isinstance(secrets, SecretSet) else SecretSet(secrets)

    # Checked string by string: a setting value that is a run of digits may well occur
    # in a number (a Unix time), which is no leak and stays a number. Only a string the
    # mask changed can still hold one; the writer masks each distinct string once.
    def check(masked: str) -> None:
        _check(masked, hidden, what)

    return MaskedJsonWriter(hidden, check, cancel).write(data)


def curl_command(
    credential: Credential,
    method: str,
    params: Mapping[str, Any],
    *,
    whole_webhook_url: bool = False,
) -> str:
    """A cURL command that repeats ``method`` with ``params``, without any secret.

    Webhook: the code becomes ``${B24_WEBHOOK_CODE}``, or the whole URL
    ``${B24_WEBHOOK_URL}`` with *whole_webhook_url* (it must end with ``/``). OAuth: the
    token in the JSON body becomes ``${B24_ACCESS_TOKEN}``. The reader sets the variable
    before running it. *params* must not hold secrets (``{"id": 6}``; ``auth`` is refused).
    """
    if any(str(key).lower() == "auth" for key in params):
        raise ValueError("params must not carry the token; the credential adds it")
    body = json.dumps(dict(params), ensure_ascii=False, separators=(",", ":"))
    if isinstance(credential, WebhookCredential):
        if whole_webhook_url:
            url = _shell_join([(WEBHOOK_URL_VAR, True), (method, False)])
        else:
            head = f"{credential.portal.origin}/rest/{credential.user_id}/"
            url = _shell_join([(head, False), (WEBHOOK_CODE_VAR, True), (f"/{method}", False)])
        data = shlex.quote(body)
    else:
        assert isinstance(credential, OAuthCredential)
        url = shlex.quote(credential.endpoint(method))
        opened = body[:-1] + ("," if body != "{}" else "") + '"auth":"'
        data = _shell_join([(opened, False), (ACCESS_TOKEN_VAR, True), ('"}', False)])
    command = " ".join(
        [
            "curl -sS -X POST",
            url,
            "-H 'Content-Type: application/json'",
            "-H 'Accept: application/json'",
            "--data",
            data,
        ]
    )
    hidden = SecretSet(credential.secrets())
    return _check(mask_outgoing(command, hidden, shapes=False), hidden, "cURL command")


def masked_json(
    source: Source,
    report: ConnectorReport | None = None,
    secrets: Iterable[str] = (),
    cancel: threading.Event | None = None,
) -> str:
    """The source as indented JSON, every setting value masked ("Copy as JSON").

    With *report*, a ``connector`` key adds the connector's title and what ``compare``
    found (labels, missing and undeclared settings, plain-http endpoints). *secrets* are
    the credential's: a title or description that repeats one is masked, as is a setting
    value repeated in another field. Setting *cancel* stops it with ``Cancelled`` (the
    window makes it on a worker thread).
    """
    data = source.masked_dict()
    if report is not None:
        data["connector"] = connector_summary(report)
    return json_text(data, outgoing_secrets(secrets, source), cancel=cancel)


def connector_summary(report: ConnectorReport) -> dict[str, Any]:
    """JSON-able facts about the connector (no setting values: it has none)."""
    return {
        "id": report.connector.id,
        "title": report.connector.title,
        "labels": dict(report.labels),
        "missingSettings": [s.code for s in report.missing],
        "undeclaredSettings": list(report.undeclared),
        "plainHttpEndpoints": {key: url for key, url in report.plain_http_endpoints},
        "warnings": report.warnings(),
    }


def _error_entry(error: BaseException, secrets: tuple[str, ...]) -> dict[str, Any]:
    entry: dict[str, Any] = {"class": type(error).__name__}
    if isinstance(error, InspectorError):
        entry["message"] = safe_text(error.message, secrets)
        if error.hint:
            entry["hint"] = safe_text(error.hint, secrets)
        if isinstance(error, PortalError):
            entry["code"] = error.code
            entry["description"] = error.description
            entry["httpStatus"] = error.http_status
        status = getattr(error, "http_status", None)
        if isinstance(status, int):
            entry["httpStatus"] = status
        new_origin = getattr(error, "new_origin", None)
        if isinstance(new_origin, str):
            entry["newOrigin"] = new_origin
    else:  # an unexpected exception: its text may hold anything, so it is redacted
        entry["message"] = safe_text(str(error), secrets, max_len=500)
    return entry


def support_bundle(
    *,
    credential: Credential | None,
    method: str,
    params: Mapping[str, Any] | None = None,
    source: Source | None = None,
    report: ConnectorReport | None = None,
    error: BaseException | None = None,
    request_id: str | None = None,
    network: Mapping[str, Any] | None = None,
    now: datetime | None = None,
    endpoint_check: Mapping[str, Any] | None = None,
) -> str:
    """A support bundle as JSON text: safe to attach to a ticket.

    Holds the app, Python and OS versions, the REST method and its parameters, the portal
    host and credential kind (never the credential), the request id sent as
    ``X-Request-ID``, the masked source (``Source.masked_dict``), the connector summary, the
    error (class, message, hint, code, HTTP status) and the time. *network* may describe
    the network settings (e.g. ``{"proxy": "configured", "extraCa": True}``); it is
    redacted like everything else. Any known secret or setting value that still appears
    anywhere is replaced by a placeholder.
    """
    secrets = credential.secrets() if credential is not None else ()
    when = (now or datetime.now(UTC)).astimezone(UTC)
    bundle: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "app": {"name": APP_NAME, "version": __version__},
        "python": platform.python_version(),
        "os": platform.platform(terse=True),
        "time": when.isoformat(timespec="seconds"),
        "request": {
            "method": method,
            "params": {k: v for k, v in (params or {}).items() if str(k).lower() != "auth"},
            "portalHost": credential.host if credential is not None else None,
            "credentialKind": credential.kind if credential is not None else None,
            "requestId": request_id,
        },
    }
    if network:
        bundle["network"] = dict(network)
    if source is not None:
        bundle["response"] = source.masked_dict()
    if report is not None:
        bundle["connector"] = connector_summary(report)
    if error is not None:
        bundle["error"] = _error_entry(error, secrets)
    if endpoint_check is not None:  # already masked (``CheckReport.to_json``), checked below
        bundle["endpointCheck"] = dict(endpoint_check)
    # Belt and braces: whatever slipped into a free-text field is replaced, then checked.
    return json_text(bundle, outgoing_secrets(secrets, source), "support bundle")


def bundle_file_name(now: datetime | None = None) -> str:
    """A suggested file name: ``b24-inspector-support-20250325-190440.json``."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{APP_NAME}-support-{when:%Y%m%d-%H%M%S}.json"
