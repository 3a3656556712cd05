"""The demo portal's source 6 is the documentation's example, as the demo promises.

The demo's answer is fetched from a running demo portal over HTTP (what a user of
``--demo`` sees), so this holds whichever module inside the demo keeps its data.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from doc_example import source_get_example, source_get_example_item

from inspector.core.model import parse_source
from inspector.demo.portal import DemoPortal

GET = "biconnector.source.get"


def demo_answer(portal: DemoPortal, source_id: int) -> Any:
    request = urllib.request.Request(
        f"{portal.webhook_url}{GET}",
        data=json.dumps({"id": source_id}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
        return json.load(response)


def test_the_demo_serves_the_documented_source_6(portal: DemoPortal) -> None:
    answer = demo_answer(portal, 6)
    documented = source_get_example_item()
    assert answer["result"]["item"] == documented
    # The same keys in the same order: the tree shows the server's order.
    assert json.dumps(answer["result"]["item"]) == json.dumps(documented)


def test_the_demo_time_block_has_the_documented_fields(portal: DemoPortal) -> None:
    answer = demo_answer(portal, 6)
    assert set(source_get_example()["time"]) <= set(answer["time"])


def test_the_documented_example_parses() -> None:
    source = parse_source(source_get_example())
    assert (source.connection.id, source.connection.title) == (6, "Rest source SQL")
    assert [s.value for s in source.settings] == ["a1b2c3d4e5"]
    assert source.time is not None and source.time.start == 1742929480.368097


def test_each_call_gives_a_fresh_copy() -> None:
    first = source_get_example()
    first["result"]["item"]["connection"]["title"] = "changed"
    assert source_get_example_item()["connection"]["title"] == "Rest source SQL"
