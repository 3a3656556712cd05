"""The connector lookup that follows a shown source (``biconnector.connector.get``): the
connector's title, setting labels from its declarations, "declared but missing" settings and
plain-http endpoint warnings, all as plain text; a failed lookup only warns."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex
from PySide6.QtGui import QGuiApplication

from gui.gui_helpers import fetch_and_wait, leak_walk, model_texts, tree_of, webhook_code
from inspector.core.masking import MASK
from inspector.demo.portal import DEMO_SOURCES, DemoPortal


def values(source_id: int) -> list[str]:
    return [s["value"] for s in DEMO_SOURCES[source_id]["settings"]]


def children(model: Any, parent: QModelIndex) -> dict[str, tuple[str, str]]:
    return {
        model.index(r, 0, parent).data(): (
            model.index(r, 1, parent).data(),
            model.index(r, 2, parent).data(),
        )
        for r in range(model.rowCount(parent))
    }


def row(model: QAbstractItemModel, field: str, parent: QModelIndex | None = None) -> QModelIndex:
    parent = parent if parent is not None else QModelIndex()
    for r in range(model.rowCount(parent)):
        if model.index(r, 0, parent).data() == field:
            return model.index(r, 0, parent)
    raise AssertionError(f"no row {field!r}")


def fetch_with_connector(qtbot: Any, window: Any, source_id: int) -> None:
    with qtbot.waitSignal(window.connector_done, timeout=10_000):
        fetch_and_wait(qtbot, window, source_id)


def test_settings_are_labelled_by_the_connector_and_missing_ones_flagged(
    qtbot: Any, qtmodeltester: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = make_window(demo=portal)
    model = tree_of(window).source_model
    # Watches every change from here on: the load (a reset), then the connector's rows
    # replaced in place (removals, insertions, relabelled settings).
    qtmodeltester.check(model, force_py=True)
    fetch_with_connector(qtbot, window, 7)
    connector = row(model, "Connector")
    assert model.index(connector.row(), 1).data() == "PostgreSQL warehouse (ID 2)"
    details = children(model, connector)
    assert details["ID"] == ("2", "integer")
    assert details["Title"] == ("PostgreSQL warehouse", "string")
    assert details["Check URL"] == ("https://pg-bridge.demo.invalid/check", "url")
    missing = row(model, "Declared but missing (1)", connector)
    assert children(model, missing) == {"SSL mode (sslmode)": ("missing", "STRING")}
    settings = row(model, "Settings (5)")
    labels = [model.index(r, 0, settings).data() for r in range(model.rowCount(settings))]
    assert labels == [
        "Server host name (host)",
        "Server port (port)",
        "Database name (database)",
        "User name (login)",
        "Password (password)",
    ]
    assert [model.index(r, 1, settings).data() for r in range(5)] == [MASK] * 5
    # https endpoints, but a declared setting is missing: said above the tree, in view.
    assert window.connector_banner.text() == (
        "⚠ The connector declares settings the source lacks: SSL mode."
    )
    assert tree_of(window).isExpanded(missing)  # the rows added later are expanded too
    # The longer labels in view are not cut off, and the columns fill the width.
    view = tree_of(window)
    assert view.columnWidth(0) >= view.sizeHintForColumn(0)
    assert sum(view.columnWidth(c) for c in range(3)) >= view.viewport().width()
    assert leak_walk(window, [*values(7), webhook_code(portal.webhook_url)]) == []

    # A value revealed before the lookup ended stays revealed; copied JSON stays masked and
    # carries the connector summary.
    tree = tree_of(window)
    tree.setCurrentIndex(row(model, "Password (password)", settings))
    tree.reveal_action.trigger()
    tree.copy_json_action.trigger()
    data = json.loads(QGuiApplication.clipboard().text())
    assert data["connector"]["title"] == "PostgreSQL warehouse"
    assert data["connector"]["missingSettings"] == ["sslmode"]
    assert "pg-demo-P4ssw0rd!" not in QGuiApplication.clipboard().text()


def test_plain_http_endpoints_are_warned_about(
    qtbot: Any, make_window: Any, portal: DemoPortal
) -> None:
    window = make_window(demo=portal)
    fetch_with_connector(qtbot, window, 8)
    banner = window.connector_banner
    assert banner.isVisible()
    assert banner.text().startswith("⚠ The connector “CSV bridge (legacy)” uses plain http://")
    assert "credentials included" in banner.text()
    model = tree_of(window).source_model
    connector = row(model, "Connector")
    warnings = row(model, "Warnings (1)", connector)
    [warning] = [model.index(r, 0, warnings).data() for r in range(model.rowCount(warnings))]
    assert warning.startswith("⚠ The connector's endpoints use plain http:// (Check URL http://")
    assert tree_of(window).isFirstColumnSpanned(0, warnings)
    assert children(model, connector)["Data URL"] == (
        "http://csv-bridge.demo.invalid/data",
        "url, http ⚠",
    )
    assert leak_walk(window, [*values(8), webhook_code(portal.webhook_url)]) == []

    # The next source's connector is fine: the banner goes.
    fetch_with_connector(qtbot, window, 6)
    assert not banner.isVisible()


def test_a_failed_connector_lookup_only_warns(qtbot: Any, make_window: Any) -> None:
    with DemoPortal(connectors={}) as portal:
        window = make_window(demo=portal)
        fetch_with_connector(qtbot, window, 7)
        status = window.status_line.text()
        assert status.startswith("Source 7 “Sales warehouse (PostgreSQL)”: 5 settings")
        assert "The connector could not be looked up: " in status
        assert "connector was not found on the portal" in status
        model = tree_of(window).source_model
        assert model.source is not None and not model.is_stale
        connector = row(model, "Connector")
        assert model.index(connector.row(), 1).data() == "ID 2 (could not be looked up)"
        settings = row(model, "Settings (5)")
        assert model.index(0, 0, settings).data() == "Host (host)"  # the source's own names
        texts = [t for _p, _c, _r, t in model_texts(model)]
        assert not [t for t in texts if "pg-demo-P4ssw0rd!" in t]


def test_a_source_without_connector_id_looks_nothing_up(qtbot: Any, make_window: Any) -> None:
    item = json.loads(json.dumps(DEMO_SOURCES[6]))
    del item["connectorId"]
    with DemoPortal(sources={6: item}) as portal:
        window = make_window(demo=portal)
        fetch_and_wait(qtbot, window, 6)
        # A lookup would have been queued before fetch_done: no job is left waiting or running.
        assert not window.requests.jobs.busy
        model = tree_of(window).source_model
        assert model.index(row(model, "Connector").row(), 1).data() == "—"
        assert [r.api_method for r in portal.requests] == ["biconnector.source.get"]


def test_the_connector_arriving_later_leaves_selection_and_revealed_value_alone(
    qtbot: Any, make_window: Any
) -> None:
    from servers import RecordedRequest, Reply, ScriptedServer, json_reply

    from inspector.demo.portal import DEMO_CONNECTORS

    def answer(request: RecordedRequest) -> Reply:
        if request.path.endswith("biconnector.connector.get"):
            return json_reply({"result": {"item": DEMO_CONNECTORS[2]}}, delay=0.5)
        return json_reply({"result": {"item": DEMO_SOURCES[7]}})

    with ScriptedServer(answer) as server:
        window = make_window()
        window.credentials_panel.webhook_radio.setChecked(True)
        window.credentials_panel.webhook_field.edit.setText(f"{server.url}/rest/1/latec0de1/")
        fetch_and_wait(qtbot, window, 7)
        tree = tree_of(window)
        model = tree.model()
        settings = row(model, "Settings (5)")
        password = row(model, "Password (password)", settings)
        login = row(model, "Login (login)", settings)
        tree.setCurrentIndex(password)
        tree.reveal_action.trigger()
        tree.setCurrentIndex(login)
        with qtbot.waitSignal(window.connector_done, timeout=10_000):
            pass
        assert tree.currentIndex() == login  # the same row, now labelled by the connector
        assert login.data() == "User name (login)"
        assert model.index(password.row(), 1, settings).data() == "pg-demo-P4ssw0rd!"
        assert model.index(row(model, "Connector").row(), 1).data() == (
            "PostgreSQL warehouse (ID 2)"
        )


def test_a_fetch_and_its_connector_share_one_connection(qtbot: Any, make_window: Any) -> None:
    """The connector lookup and the next fetch reuse the fetch's connection (no second TCP
    and TLS handshake to the portal), a cookie the portal set does not come back, and
    another profile's requests open a connection of their own."""
    from servers import RecordedRequest, Reply, ScriptedServer, json_reply

    from inspector.demo.portal import DEMO_CONNECTORS

    def answer(request: RecordedRequest) -> Reply:
        if request.path.endswith("biconnector.connector.get"):
            return json_reply({"result": {"item": DEMO_CONNECTORS[2]}})
        cookie = [("Set-Cookie", "PHPSESSID=portal-session")]
        return json_reply({"result": {"item": DEMO_SOURCES[7]}}, headers=cookie)

    with ScriptedServer(answer) as server:
        window = make_window()
        panel = window.credentials_panel
        panel.webhook_radio.setChecked(True)
        panel.webhook_field.edit.setText(f"{server.url}/rest/1/sharec0de1/")
        for _fetch in range(2):
            with qtbot.waitSignal(window.connector_done, timeout=10_000):
                window.fetch(7)
        methods = [request.path.rsplit("/", 1)[-1] for request in server.requests]
        assert methods == ["biconnector.source.get", "biconnector.connector.get"] * 2
        assert server.connections == 1
        assert [request.headers["cookie"] for request in server.requests] == [None] * 4
        panel.profile_changed.emit()  # as when the user picks another profile
        with qtbot.waitSignal(window.connector_done, timeout=10_000):
            window.fetch(7)
        assert server.connections == 2
