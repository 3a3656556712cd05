"""Untrusted text from the portal, values revealed on purpose, and plain http://.

Portal text (titles, names, codes, types, unknown keys, error descriptions) carrying ANSI
escapes, bidi overrides, zero-width characters, NUL, lone surrogates, markup, line breaks
and 100,000-character strings must be shown sanitised and as plain text, in the window and
on the terminal, and must never change what else is shown.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QLabel
from servers import ScriptedServer

from faults.fault_kit import (
    CODE,
    MASK,
    PASSWORD,
    REPO,
    SECRETS,
    TIME,
    TOKEN,
    Scan,
    cli_command,
    cli_environment,
    error_body,
    home_files,
    json_reply,
    ok_payload,
    route,
    serve_unresolvable,
    source_item,
)
from faults.fault_window import (
    assert_usable,
    enter_credential,
    everything,
    fetch_and_wait,
    options_for,
    shown_settings,
    wait_connector,
    walk,
)

ANSI = "\x1b[2J\x1b[1;31mALERT\x1b[0m\x1b]0;pwned-title\x07"
BIDI = "\u202egnp.exe\u202c \u2066iso\u2069\u200f"
ZERO_WIDTH = "in\u200bvi\u200csi\u200dble\ufeff\u2060"
RICH = "<b>bold</b><img src='file:///etc/passwd'><a href='https://evil.example'>click</a>"
BREAKS = "first line\nERROR: re-enter your token at evil.example\r\u2028\u2029"
C1 = "c1\x85\x9b31m"
HOSTILE = f"{ANSI} {BIDI} {ZERO_WIDTH} nul\x00byte lone\ud800half\udfff {RICH} {BREAKS} {C1}"
LONG = "L" * 100_000

FORBIDDEN = set(
    "\x1b\x00\x07\x85\x9b\r\u202e\u202c\u2066\u2069\u200f\u200b\u200c\u200d\ufeff\u2060\u2028\u2029"
)


def hostile_payload() -> dict[str, Any]:
    item = source_item(title=HOSTILE)
    item["connection"]["description"] = LONG
    item["connection"][f"\x1b[31mkey\u202e{RICH}"] = f"extra\x00{BIDI}"
    settings = item["settings"]
    settings[0]["name"] = f"{RICH}{BIDI}"
    settings[0]["code"] = f"{ANSI}password"
    settings[0]["type"] = "<i>STRING</i>\u202e"
    settings[0]["value"] = f"{PASSWORD}\x1b[31m\u202e"
    settings[1]["name"] = LONG
    item[f"unknown\u200b{ANSI}"] = {"nested": HOSTILE}
    return {"result": {"item": item}, "time": {**TIME, f"\u202e{RICH}": "\x1b[0m"}}


def bad_characters(text: str) -> list[str]:
    found = sorted(
        {f"U+{ord(c):04X}" for c in text if c in FORBIDDEN or 0xD800 <= ord(c) <= 0xDFFF}
    )
    if "first line\n" in text:
        found.append("a line break from the portal")
    return found


def check_displayed(scan: Scan) -> None:
    """No text shown anywhere holds a character the portal could hide or reorder with."""
    problems = [f"{where}: {bad}" for where, text in scan.texts if (bad := bad_characters(text))]
    assert not problems, "\n".join(problems[:20])
    # Shown text is bounded; copied JSON is the data itself, whole (escaped, checked above).
    too_long = [
        (where, len(text))
        for where, text in scan.texts
        if len(text) > 5000 and where != "clipboard after Copy as JSON"
    ]
    assert not too_long, too_long


@pytest.fixture
def hostile_portal() -> Any:
    with ScriptedServer(route(json_reply(hostile_payload()))) as server:
        yield server


def test_window_shows_hostile_text_sanitised_and_plain(
    make_window: Any, qtbot: Any, app_logs: list[str], ledger: Any, home: Path, hostile_portal: Any
) -> None:
    with ledger.case("window/hostile-text"):
        window = make_window()
        window.request_options = options_for_portal()
        enter_credential(window, "webhook", hostile_portal.url)
        fetch_and_wait(qtbot, window, 6, 10)
        wait_connector(qtbot, window)
        status = window.status_line.text()
        assert status.startswith("Source 6"), status
        assert "ALERT" in status and "<b>bold</b>" in status  # shown, as text
        assert len(status) < 400
        scan = Scan()
        from faults.fault_window import visible_texts

        visible_texts(scan)
        check_displayed(scan)
        # Markup is text: every label showing portal text is plain text, and the tree's
        # cells hold the markup literally (its default delegate never renders HTML).
        labels = [w for w in QApplication.allWidgets() if isinstance(w, QLabel)]
        showing = [label for label in labels if "<b>bold</b>" in label.text()]
        assert showing
        assert all(label.textFormat() == Qt.TextFormat.PlainText for label in showing)
        model = window.source_tree.source_model
        cells = [model.data(index) or "" for index in walk(model)]
        assert any("<b>bold</b>" in cell for cell in cells)
        assert any(cell.startswith("LLLL") for cell in cells)  # the long name, cut short
        assert all(value == MASK for _label, value in shown_settings(window))
        assert_usable(window)
        check_displayed(everything(window, app_logs, home))


def options_for_portal() -> Any:
    from faults.fault_kit import Setup

    return options_for(Setup(""))


def test_window_shows_a_hostile_error_description_sanitised(
    make_window: Any, qtbot: Any, ledger: Any
) -> None:
    description = f"{HOSTILE} {LONG}"
    reply = json_reply(error_body(f"WEIRD\x1b[31m{BIDI}", description), 400)
    with ledger.case("window/hostile-error-text"), ScriptedServer(route(reply)) as server:
        window = make_window()
        window.request_options = options_for_portal()
        enter_credential(window, "oauth", server.url)
        fetch_and_wait(qtbot, window, 6, 10)
        status = window.status_line.text()
        assert "WEIRD" in status and "ALERT" in status
        assert not bad_characters(status), bad_characters(status)
        assert len(status) < 1500
        assert_usable(window)


def run_cli(home: Path, base: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = cli_environment(home, B24_WEBHOOK_URL=f"{base}/rest/1/{CODE}/")
    return subprocess.run(
        cli_command("get", "6", "--timeout", "2", *args),
        env=env,
        cwd=REPO,
        capture_output=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("as_json", [False, True], ids=["tree", "json"])
def test_cli_prints_hostile_text_sanitised(
    as_json: bool, hostile_portal: Any, ledger: Any, tmp_path: Path
) -> None:
    with ledger.case(f"cli/hostile-text-{'json' if as_json else 'tree'}") as record:
        done = run_cli(tmp_path, hostile_portal.url, *(["--json"] if as_json else []))
        stdout, stderr = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")  # strict
        assert done.returncode == 0, stderr
        assert "Traceback" not in stderr
        for name, text in (("stdout", stdout), ("stderr", stderr)):
            assert not bad_characters(text), (name, bad_characters(text))
        if as_json:
            # The same data, every invisible character written as a \u escape.
            data = json.loads(stdout)
            assert data["connection"]["title"] == HOSTILE
            assert data["settings"][0]["value"] == MASK
            assert "\\u202e" in stdout and "\\ud800" in stdout
        else:
            assert "ALERT" in stdout and "<b>bold</b>" in stdout
            assert max(len(line) for line in stdout.splitlines()) < 5000
        scan = Scan()
        scan.add("stdout", stdout)
        scan.add("stderr", stderr)
        record.no_leaks(scan)


def test_cli_prints_a_hostile_error_sanitised(ledger: Any, tmp_path: Path) -> None:
    reply = json_reply(error_body(f"WEIRD\x1b[31m{BIDI}", f"{HOSTILE} {LONG}"), 400)
    with ledger.case("cli/hostile-error-text"), ScriptedServer(route(reply)) as server:
        done = run_cli(tmp_path, server.url)
        stderr = done.stderr.decode("utf-8")
        assert done.returncode == 3
        assert "ALERT" in stderr and "WEIRD" in stderr
        assert not bad_characters(stderr), bad_characters(stderr)
        assert len(stderr) < 3000


# --- revealed on purpose, and only there ---------------------------------------------------


def test_a_revealed_value_is_only_where_it_was_revealed(
    make_window: Any, qtbot: Any, app_logs: list[str], ledger: Any, home: Path
) -> None:
    with ledger.case("window/reveal-one-value") as record, contextlib.ExitStack() as stack:
        server = stack.enter_context(ScriptedServer(route(json_reply(ok_payload()))))
        window = make_window()
        window.request_options = options_for_portal()
        enter_credential(window, "webhook", server.url)
        fetch_and_wait(qtbot, window, 6, 10)
        wait_connector(qtbot, window)
        tree = window.source_tree
        model = tree.source_model
        row = next(i for i in walk(model) if i.column() == 0 and model.setting_of_row(i) == 0)
        tree.setCurrentIndex(row)
        tree.toggle_reveal()
        value_cell = model.index(row.row(), 1, row.parent())
        assert model.data(value_cell) == PASSWORD
        assert [v for _l, v in shown_settings(window)].count(MASK) == len(
            shown_settings(window)
        ) - 1

        scan = everything(window, app_logs, home)
        cell = f" row {rows_to(value_cell)} col 1 role "
        revealed_here = tuple(
            where
            for where, text in scan.texts
            if PASSWORD in text
            and (
                (cell in where and where.endswith((" role 0", " role 3")))
                or where == f"clipboard after Copy value of row {row.row()}"
            )
        )
        # Shown in its own cell (and copied from there on purpose) ...
        assert any(" model " in where for where in revealed_here)
        assert any(where.startswith("clipboard after Copy value") for where in revealed_here)
        # ... and nowhere else: not in the status line, logs, files, JSON copy, titles.
        record.no_leaks(scan, allowed=revealed_here)
        record.no_leaks(scan, secrets=tuple(s for s in SECRETS if s != PASSWORD))


def rows_to(index: QModelIndex) -> tuple[int, ...]:
    """The rows from the top of the model down to *index* (how the leak walker names it)."""
    rows: list[int] = []
    while index.isValid():
        rows.insert(0, index.row())
        index = index.parent()
    return tuple(rows)


def test_cli_reveal_prints_values_on_stdout_only(ledger: Any, tmp_path: Path) -> None:
    with ledger.case("cli/reveal") as record:
        with ScriptedServer(route(json_reply(ok_payload()))) as server:
            done = run_cli(tmp_path, server.url, "--reveal")
        stdout, stderr = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
        assert done.returncode == 0, stderr
        assert PASSWORD in stdout
        assert "--reveal prints setting values" in stderr
        scan = Scan()
        scan.add("stderr", stderr)
        for where, text in home_files(tmp_path):
            scan.add(where, text)
        record.no_leaks(scan)
        stdout_only = Scan()
        stdout_only.add("stdout", stdout)
        record.no_leaks(stdout_only, secrets=(CODE, TOKEN))


# --- plain http:// ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["webhook", "oauth"])
def test_window_warns_before_sending_a_credential_over_plain_http(
    kind: str, make_window: Any, qtbot: Any, ledger: Any, tmp_path: Path
) -> None:
    with ledger.case(f"window/plain-http-{kind}"), contextlib.ExitStack() as stack:
        remote = serve_unresolvable(stack, tmp_path).base.replace("https://", "http://")
        window = make_window()
        window.request_options = options_for_portal()
        warning = window.credentials_panel.http_warning
        enter_credential(window, kind, "http://127.0.0.1:9")  # loopback: no warning
        assert not warning.isVisible()
        enter_credential(window, kind, remote)
        assert warning.isVisible()
        assert "unencrypted" in warning.text()
        fetch_and_wait(qtbot, window, 6, 10)
        assert "could not be found" in window.status_line.text()
        assert warning.isVisible()
        assert_usable(window)


@pytest.mark.parametrize("remote", [True, False], ids=["remote", "loopback"])
def test_cli_warns_before_sending_a_credential_over_plain_http(
    remote: bool, ledger: Any, tmp_path: Path
) -> None:
    with ledger.case(f"cli/plain-http-{'remote' if remote else 'loopback'}"):
        base = "http://b24-fault-portal.invalid" if remote else "http://127.0.0.1:9"
        done = run_cli(tmp_path, base, "--no-connector")
        stderr = done.stderr.decode("utf-8")
        assert done.returncode == 4
        warned = "plain http://: the credential travels unencrypted" in stderr
        assert warned is remote, stderr
        assert ("could not be found" if remote else "refused the connection") in stderr
