"""Copy as JSON, Copy as cURL and the support bundle: masked, and proven to work.

The cURL commands are not only scanned for secrets: they are run by a real shell (and a
real ``curl`` when installed) against the demo portal, with the secret supplied through
the environment variable they reference.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector import __version__
from inspector.core.client import BitrixClient
from inspector.core.connector import compare
from inspector.core.credentials import (
    Credential,
    OAuthCredential,
    WebhookCredential,
    parse_webhook_url,
)
from inspector.core.errors import LeakPrevented, PortalError, Redirected
from inspector.core.export import (
    CLIPBOARD_CLEAR_SECONDS,
    bundle_file_name,
    curl_command,
    json_text,
    masked_json,
    support_bundle,
)
from inspector.core.masking import MASK, SECRET_PLACEHOLDER, json_for_display, mask_outgoing
from inspector.core.model import Source
from inspector.core.options import RequestOptions
from inspector.demo.portal import DEMO_SOURCES, DemoPortal

GET = "biconnector.source.get"
BASH = shutil.which("bash")
CURL = shutil.which("curl")
needs_bash = pytest.mark.skipif(BASH is None, reason="needs bash")
needs_curl = pytest.mark.skipif(BASH is None or CURL is None, reason="needs bash and curl")


def webhook(portal: DemoPortal) -> WebhookCredential:
    return parse_webhook_url(portal.webhook_url)


def oauth(portal: DemoPortal) -> OAuthCredential:
    return portal.oauth_credential()


def all_secrets(credential: Credential, source: Source | None = None) -> list[str]:
    values = [s.value for s in source.settings if s.value] if source else []
    return [*credential.secrets(), *values]


def shell(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert BASH is not None
    clean = {k: v for k, v in os.environ.items() if not k.startswith("B24_")}
    clean.update(env)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        clean.pop(var, None)
    return subprocess.run(
        [BASH, "-c", command], capture_output=True, text=True, timeout=30, env=clean, check=False
    )


# --- cURL --------------------------------------------------------------------------------------


def test_webhook_curl_holds_a_variable_not_the_code(portal: DemoPortal) -> None:
    cred = webhook(portal)
    command = curl_command(cred, GET, {"id": 7})
    assert cred.code not in command
    assert '"${B24_WEBHOOK_CODE}"' in command or "${B24_WEBHOOK_CODE}/" in command
    assert command.startswith("curl ")
    assert "--data '{\"id\":7}'" in command


def test_oauth_curl_holds_a_variable_not_the_token(portal: DemoPortal) -> None:
    cred = oauth(portal)
    command = curl_command(cred, GET, {"id": 7})
    for secret in cred.secrets():
        assert secret not in command
    assert '"${B24_ACCESS_TOKEN}"' in command


@needs_curl
@pytest.mark.parametrize("whole_url", [False, True], ids=["code-variable", "url-variable"])
def test_webhook_curl_runs_in_a_shell(portal: DemoPortal, whole_url: bool) -> None:
    cred = webhook(portal)
    command = curl_command(cred, GET, {"id": 7}, whole_webhook_url=whole_url)
    env = {"B24_WEBHOOK_URL": portal.webhook_url} if whole_url else {"B24_WEBHOOK_CODE": cred.code}
    proc = shell(command, env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["result"]["item"] == DEMO_SOURCES[7]


@needs_curl
def test_oauth_curl_runs_in_a_shell(portal: DemoPortal) -> None:
    command = curl_command(oauth(portal), GET, {"id": 8})
    proc = shell(command, {"B24_ACCESS_TOKEN": portal.access_token})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["result"]["item"] == DEMO_SOURCES[8]
    # without the variable the portal refuses: the token really is not in the command
    proc = shell(command, {})
    assert json.loads(proc.stdout)["error"] == "NO_AUTH_FOUND"


@needs_bash
def test_hostile_parameters_are_quoted(portal: DemoPortal) -> None:
    # A fake curl prints its arguments: nothing in the parameters is run or expanded.
    params: dict[str, Any] = {"id": 7, "q": 'it\'s $(touch pwned) `id` "x" ${HOME} \\ !'}
    for cred in (webhook(portal), oauth(portal)):
        command = curl_command(cred, GET, params)
        proc = shell(
            "curl() { printf '%s\\n' \"$@\"; }; " + command,
            {"B24_WEBHOOK_CODE": "CODE", "B24_ACCESS_TOKEN": "TOKEN"},
        )
        assert proc.returncode == 0, proc.stderr
        args = proc.stdout.splitlines()
        body = json.loads(args[args.index("--data") + 1])
        assert body["q"] == params["q"] and body["id"] == 7
        if isinstance(cred, OAuthCredential):
            assert body["auth"] == "TOKEN"
        else:
            assert f"/rest/1/CODE/{GET}" in args[3]
        assert not os.path.exists("pwned")


def test_the_token_cannot_be_smuggled_in_as_a_parameter(portal: DemoPortal) -> None:
    with pytest.raises(ValueError, match="token"):
        curl_command(oauth(portal), GET, {"id": 1, "auth": portal.access_token})


# --- masked JSON and the support bundle ------------------------------------------------------


def fetch(portal: DemoPortal, cred: Credential, source_id: int) -> tuple[Source, Any, str | None]:
    with BitrixClient(cred, RequestOptions(connect_timeout=5, read_timeout=5)) as client:
        source = client.get_source(source_id)
        report = compare(source, client.get_connector(source.connector_id or 0))
        return source, report, client.last_request_id


@pytest.mark.parametrize("source_id", sorted(DEMO_SOURCES))
def test_masked_json_holds_no_value(portal: DemoPortal, source_id: int) -> None:
    cred = oauth(portal)
    source, report, _rid = fetch(portal, cred, source_id)
    text = masked_json(source, report)
    data = json.loads(text)
    assert [s["value"] for s in data["settings"]] == [MASK] * len(source.settings)
    assert data["connector"]["title"] == report.connector.title
    for secret in all_secrets(cred, source):
        if len(secret) >= 6:
            assert secret not in text


@pytest.mark.parametrize("kind", ["webhook", "oauth"])
def test_support_bundle_after_a_fetch(portal: DemoPortal, kind: str) -> None:
    cred: Credential = webhook(portal) if kind == "webhook" else oauth(portal)
    source, report, request_id = fetch(portal, cred, 7)
    now = datetime(2025, 3, 25, 19, 4, 40, tzinfo=UTC)
    text = support_bundle(
        credential=cred,
        method=GET,
        params={"id": 7},
        source=source,
        report=report,
        request_id=request_id,
        network={"proxy": "environment", "extraCa": False},
        now=now,
    )
    data = json.loads(text)
    assert data["app"]["version"] == __version__
    assert data["python"] and data["os"]
    assert data["time"] == "2025-03-25T19:04:40+00:00"
    assert data["request"] == {
        "method": GET,
        "params": {"id": 7},
        "portalHost": cred.host,
        "credentialKind": kind,
        "requestId": request_id,
    }
    assert request_id and len(request_id) == 32
    assert data["response"]["connection"]["title"] == "Sales warehouse (PostgreSQL)"
    assert {s["value"] for s in data["response"]["settings"]} == {MASK}
    assert data["connector"]["missingSettings"] == ["sslmode"]
    assert "error" not in data
    for secret in all_secrets(cred, source):
        if len(secret) >= 6:
            assert secret not in text
    for setting in source.settings:  # short values too: never as a JSON string
        assert f'"{setting.value}"' not in text


def test_support_bundle_after_a_portal_error(portal: DemoPortal) -> None:
    cred = oauth(portal)
    with BitrixClient(cred) as client, pytest.raises(PortalError) as caught:
        client.get_source(424242)
    text = support_bundle(
        credential=cred,
        method=GET,
        params={"id": 424242},
        error=caught.value,
        request_id=client.last_request_id,
    )
    data = json.loads(text)
    assert data["error"]["class"] == "PortalError"
    assert data["error"]["code"] == "SOURCE_NOT_FOUND"
    assert data["error"]["httpStatus"] == 200
    assert "another application" in data["error"]["message"]
    assert "response" not in data
    for secret in cred.secrets():
        assert secret not in text


def test_support_bundle_redacts_an_unexpected_exception(portal: DemoPortal) -> None:
    cred = oauth(portal)
    error = RuntimeError(f"boom near {portal.base_url}/rest/?auth={cred.access_token}")
    moved = Redirected("moved", "hint", "https://new.example/rest/…", "https://new.example")
    for err in (error, moved):
        text = support_bundle(credential=cred, method=GET, error=err)
        for secret in cred.secrets():
            assert secret not in text
    assert json.loads(support_bundle(credential=cred, method=GET, error=moved))["error"][
        "newOrigin"
    ] == ("https://new.example")


def test_bundle_stays_valid_json_when_a_value_is_a_run_of_digits() -> None:
    payload = {
        "result": {
            "item": {
                "connection": {"id": 1, "title": "t"},
                "connectorId": 1,
                "settings": [{"id": 1, "code": "limit", "type": "INT", "value": "1742929"}],
            }
        },
        "time": {"start": 1742929480.368097, "finish": 1742929480.449558},
    }
    from inspector.core.model import parse_source

    source = parse_source(payload)
    cred = parse_webhook_url("https://example.bitrix24.com/rest/1/abcdef123456/")
    data = json.loads(support_bundle(credential=cred, method=GET, source=source))
    assert data["response"]["time"]["start"] == 1742929480.368097
    assert data["response"]["settings"][0]["value"] == MASK


def test_small_helpers() -> None:
    assert CLIPBOARD_CLEAR_SECONDS == 30
    when = datetime(2025, 3, 25, 19, 4, 40, tzinfo=UTC)
    assert bundle_file_name(when) == "b24-inspector-support-20250325-190440.json"


def test_masked_json_masks_the_credential_the_portal_repeats() -> None:
    """Copy as JSON gets the credential's secrets: a title quoting the token is masked."""
    from inspector.core.model import parse_source

    token = "tok3nEchoedByPortal"
    payload = {
        "result": {
            "item": {
                "connection": {"id": 1, "title": f"copy of {token}", "description": token},
                "settings": [{"id": 1, "code": "p", "type": "STRING", "value": "hunter2hunter"}],
            }
        },
        "time": {"duration": float("nan")},
    }
    source = parse_source(payload)
    text = masked_json(source, None, (token,))
    assert token not in text
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))
    assert data["connection"]["title"] == "copy of •••"
    assert data["connection"]["description"] == "•••"


_SECRETS = ("secretvalue01", "tok-0123456789abc")
_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from([*_SECRETS, "x secretvalue01 y", "\u202e\u200b\udc80", MASK, 'q"\\'])
)
_json_data = st.recursive(
    _json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(
            st.text(max_size=6) | st.sampled_from(_SECRETS) | st.integers(0, 9), inner, max_size=4
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(data=_json_data)
def test_json_text_is_exactly_the_masked_data_dumped(data: Any) -> None:
    # The one-pass writer must write what masking the data, then json.dumps with an
    # indent, then escaping for display wrote: same masking, same text, byte for byte.
    expected = json_for_display(
        json.dumps(mask_outgoing(data, _SECRETS), ensure_ascii=False, indent=2, allow_nan=False)
    )
    written = json_text(data, _SECRETS)
    assert written == expected
    for secret in _SECRETS:
        assert secret not in written


def test_json_text_refuses_a_placeholder_that_would_still_leak() -> None:
    # A secret made of the placeholder and more text shows again after masking: the
    # writer's check on every masked string catches it.
    sneaky = SECRET_PLACEHOLDER + "abcd"
    with pytest.raises(LeakPrevented):
        json_text(
            {"note": "abcd" + SECRET_PLACEHOLDER + "abcd"}, ["abcd" + SECRET_PLACEHOLDER, sneaky]
        )
