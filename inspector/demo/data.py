"""What the demo portal holds: its sources, its connectors and its demo account.

Source 6 is exactly the documentation's example (the project's Bitrix24 REST facts sheet,
§4.1); this is the one copy of it in the package. The other sources and connectors each
show one thing a real portal can send (see the comment above each). Every value that looks
like a credential is fake.

Data only: changing what the demo shows touches this module and nothing else.
"""

from __future__ import annotations

from typing import Any, Final

DEMO_USER_ID: Final = 1
"""The user the demo webhook belongs to (``/rest/1/<code>/``)."""

DEMO_CLIENT_ID: Final = "local.demo0000000000001.00000001"
"""The demo application's client ID (not a secret, like a real one)."""

DEMO_MEMBER_ID: Final = "0123456789abcdef0123456789abcdef"
"""The demo portal's ``member_id``, as the authorize redirect and the token server send it."""

DEMO_CONNECTOR_ORIGIN: Final = "http://demo-connector.invalid"
"""Where the demo connector's endpoints live in this data; the portal replaces it with the
running demo connector's ``http://127.0.0.1:<port>`` (``connector.DemoConnector``)."""

# Source id -> the ``result.item`` that ``biconnector.source.get`` returns for it.
# Every value that looks like a credential is fake.
DEMO_SOURCES: dict[int, dict[str, Any]] = {
    # Exactly the documentation's example (spec §4.1).
    6: {
        "connection": {
            "id": 6,
            "type": "rest",
            "code": "rest_1",
            "title": "Rest source SQL",
            "description": "Connection for working with mySql",
            "active": True,
            "dateCreate": "2025-03-20 14:50:06",
            "dateUpdate": "2025-03-20 14:50:06",
            "createdById": 1,
            "updatedById": 1,
        },
        "connectorId": 1,
        "settings": [
            {"code": "token", "name": "Token", "type": "STRING", "value": "a1b2c3d4e5", "id": 8},
        ],
    },
    # A PostgreSQL warehouse: several settings, one of type INT, edited by another user.
    7: {
        "connection": {
            "id": 7,
            "type": "rest",
            "code": "rest_2",
            "title": "Sales warehouse (PostgreSQL)",
            "description": "Nightly copy of orders and invoices for the BI Builder dashboards",
            "active": True,
            "dateCreate": "2025-04-02 09:15:41",
            "dateUpdate": "2025-06-18 17:03:12",
            "createdById": 1,
            "updatedById": 12,
        },
        "connectorId": 2,
        "settings": [
            {
                "code": "host",
                "name": "Host",
                "type": "STRING",
                "value": "warehouse.demo.invalid",
                "id": 21,
            },
            {"code": "port", "name": "Port", "type": "INT", "value": "5432", "id": 22},
            {
                "code": "database",
                "name": "Database",
                "type": "STRING",
                "value": "sales_dw",
                "id": 23,
            },
            {"code": "login", "name": "Login", "type": "STRING", "value": "bi_reader", "id": 24},
            {
                "code": "password",
                "name": "Password",
                "type": "STRING",
                "value": "pg-demo-P4ssw0rd!",
                "id": 25,
            },
        ],
    },
    # Switched off in Analytics hub and never edited since: active false, dateUpdate null.
    8: {
        "connection": {
            "id": 8,
            "type": "rest",
            "code": "rest_3",
            "title": "Legacy CRM export",
            "description": (
                "Old CSV bridge, switched off after the move to the sales warehouse. "
                "Kept for reference; it no longer returns data."
            ),
            "active": False,
            "dateCreate": "2024-11-05 08:30:00",
            "dateUpdate": None,
            "createdById": 3,
            "updatedById": 3,
        },
        "connectorId": 3,
        "settings": [
            {"code": "login", "name": "Login", "type": "STRING", "value": "crm-export", "id": 31},
            {
                "code": "password",
                "name": "Password",
                "type": "STRING",
                "value": "demo-Legacy#2024",
                "id": 32,
            },
        ],
    },
    # A portal of another version: the id comes as a string, and both the connection and
    # the item carry keys this program does not know (portals may add keys; spec §2).
    9: {
        "connection": {
            "id": "9",
            "type": "rest",
            "code": "rest_4",
            "title": "Marketing events (ClickHouse)",
            "description": "Web analytics events, refreshed every hour",
            "active": True,
            "dateCreate": "2025-05-11 12:00:27",
            "dateUpdate": "2025-07-01 08:45:10",
            "createdById": 5,
            "updatedById": 5,
            "syncMode": "incremental",
        },
        "connectorId": 4,
        "settings": [
            {
                "code": "url",
                "name": "Server URL",
                "type": "STRING",
                "value": "https://clickhouse.demo.invalid:8443",
                "id": 41,
            },
            {"code": "user", "name": "User", "type": "STRING", "value": "bi_demo", "id": 42},
            {
                "code": "apiKey",
                "name": "API key",
                "type": "STRING",
                "value": "demo-ck-7f3e9a1c0b5d",
                "id": 43,
            },
            {"code": "timeout", "name": "Timeout, s", "type": "INT", "value": "30", "id": 44},
        ],
        "tableCount": 4,
    },
    # Non-ASCII text, an empty description and a connector that declares no parameters.
    10: {
        "connection": {
            "id": 10,
            "type": "rest",
            "code": "rest_5",
            "title": "Отчёт по звонкам — телефония",
            "description": "",
            "active": True,
            "dateCreate": "2025-08-14 10:20:30",
            "dateUpdate": "2025-08-14 10:20:30",
            "createdById": 1,
            "updatedById": 1,
        },
        "connectorId": 5,
        "settings": [],
    },
}

# Connector id -> the ``result.item`` of ``biconnector.connector.get`` (spec §6.1, §6.2).
DEMO_CONNECTORS: dict[int, dict[str, Any]] = {
    # The shape of the documentation's example: one STRING parameter "token".
    1: {
        "id": 1,
        "title": "Rest connector SQL",
        "dateCreate": "2025-03-20 14:45:00",
        "logo": "data:image/svg+xml;base64,PHN2Zy8+",
        "description": "Connector for working with mySql",
        "sort": 100,
        "urlCheck": "https://connector.demo.invalid/check",
        "urlTableList": "https://connector.demo.invalid/table_list",
        "urlTableDescription": "https://connector.demo.invalid/table_description",
        "urlData": "https://connector.demo.invalid/data",
        "settings": [{"name": "Token", "type": "STRING", "code": "token"}],
    },
    # Declares "sslmode", which source 7 does not have.
    2: {
        "id": 2,
        "title": "PostgreSQL warehouse",
        "dateCreate": "2025-04-01 10:00:00",
        "logo": "data:image/svg+xml;base64,PHN2Zy8+",
        "description": "Reads tables of a PostgreSQL database",
        "sort": 200,
        "urlCheck": "https://pg-bridge.demo.invalid/check",
        "urlTableList": "https://pg-bridge.demo.invalid/tables",
        "urlTableDescription": "https://pg-bridge.demo.invalid/describe",
        "urlData": "https://pg-bridge.demo.invalid/data",
        "settings": [
            {"name": "Server host name", "type": "STRING", "code": "host"},
            {"name": "Server port", "type": "INT", "code": "port"},
            {"name": "Database name", "type": "STRING", "code": "database"},
            {"name": "User name", "type": "STRING", "code": "login"},
            {"name": "Password", "type": "STRING", "code": "password"},
            {"name": "SSL mode", "type": "STRING", "code": "sslmode"},
        ],
    },
    # An old bridge on plain http://: Bitrix24 would send the login and password unencrypted.
    3: {
        "id": 3,
        "title": "CSV bridge (legacy)",
        "dateCreate": "2024-11-01 08:00:00",
        "logo": "data:image/svg+xml;base64,PHN2Zy8+",
        "description": "",
        "sort": 300,
        "urlCheck": "http://csv-bridge.demo.invalid/check",
        "urlTableList": "http://csv-bridge.demo.invalid/tables",
        "urlTableDescription": "http://csv-bridge.demo.invalid/describe",
        "urlData": "http://csv-bridge.demo.invalid/data",
        "settings": [
            {"name": "Login", "type": "STRING", "code": "login"},
            {"name": "Password", "type": "STRING", "code": "password"},
        ],
    },
    # Does not declare "timeout", which source 9 has.
    4: {
        "id": 4,
        "title": "ClickHouse events",
        "dateCreate": "2025-05-10 09:00:00",
        "logo": "data:image/svg+xml;base64,PHN2Zy8+",
        "description": "Web analytics events from ClickHouse",
        "sort": 400,
        "urlCheck": "https://ch-bridge.demo.invalid/check",
        "urlTableList": "https://ch-bridge.demo.invalid/tables",
        "urlTableDescription": "https://ch-bridge.demo.invalid/describe",
        "urlData": "https://ch-bridge.demo.invalid/data",
        "settings": [
            {"name": "ClickHouse URL", "type": "STRING", "code": "url"},
            {"name": "User name", "type": "STRING", "code": "user"},
            {"name": "API key", "type": "STRING", "code": "apiKey"},
        ],
    },
    # Declares no parameters.
    5: {
        "id": 5,
        "title": "Telephony reports",
        "dateCreate": "2025-08-14 10:00:00",
        "logo": "data:image/svg+xml;base64,PHN2Zy8+",
        "description": "Call statistics",
        "sort": 500,
        "urlCheck": "https://tel-bridge.demo.invalid/check",
        "urlTableList": "https://tel-bridge.demo.invalid/tables",
        "urlTableDescription": "https://tel-bridge.demo.invalid/describe",
        "urlData": "https://tel-bridge.demo.invalid/data",
        "settings": [],
    },
}


# Sources 11-18 use the demo connector (``connector.py``), one scenario each, so that
# "Check endpoints" shows a pass and each realistic way an endpoint breaks.
_CHECK_SCENARIOS: Final = (
    # (source id, connector id, scenario, title)
    (11, 6, "ok", "Shop orders (demo connector)"),
    (12, 7, "empty-check", "Check answers nothing (demo connector)"),
    (13, 8, "wrong-shape", "Table list in the wrong shape (demo connector)"),
    (14, 9, "unknown-type", "Unknown column type (demo connector)"),
    (15, 10, "ragged", "Ragged data rows (demo connector)"),
    (16, 11, "slow", "Slow check endpoint (demo connector)"),
    (17, 12, "redirect", "Moved endpoint: a redirect (demo connector)"),
    (18, 13, "html-error", "Proxy error page (demo connector)"),
)

for _source_id, _connector_id, _scenario, _title in _CHECK_SCENARIOS:
    DEMO_SOURCES[_source_id] = {
        "connection": {
            "id": _source_id,
            "type": "rest",
            "code": f"rest_{_connector_id}",
            "title": _title,
            "description": f"Demo connector scenario “{_scenario}”",
            "active": True,
            "dateCreate": "2025-09-01 09:00:00",
            "dateUpdate": "2025-09-01 09:00:00",
            "createdById": 1,
            "updatedById": 1,
        },
        "connectorId": _connector_id,
        "settings": [
            {
                "code": "apiKey",
                "name": "API key",
                "type": "STRING",
                "value": f"demo-key-{_scenario}-5f2c9e",
                "id": 100 + _source_id * 2,
            },
            {
                "code": "account",
                "name": "Account",
                "type": "STRING",
                "value": f"shop-{_source_id}-acct",
                "id": 101 + _source_id * 2,
            },
        ],
    }
    DEMO_CONNECTORS[_connector_id] = {
        "id": _connector_id,
        "title": f"Demo connector: {_scenario}",
        "dateCreate": "2025-09-01 08:00:00",
        "logo": "data:image/svg+xml;base64,PHN2Zy8+",
        "description": "Served by the demo portal's connector on 127.0.0.1",
        "sort": 600 + _connector_id,
        "urlCheck": f"{DEMO_CONNECTOR_ORIGIN}/{_scenario}/check",
        "urlTableList": f"{DEMO_CONNECTOR_ORIGIN}/{_scenario}/tables",
        "urlTableDescription": f"{DEMO_CONNECTOR_ORIGIN}/{_scenario}/describe",
        "urlData": f"{DEMO_CONNECTOR_ORIGIN}/{_scenario}/data",
        "settings": [
            {"name": "API key", "type": "STRING", "code": "apiKey"},
            {"name": "Account", "type": "STRING", "code": "account"},
        ],
    }
