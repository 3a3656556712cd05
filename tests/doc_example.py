"""The documentation's example answer of ``biconnector.source.get``, kept once.

Bitrix24's REST documentation shows one answer for source 6, "Rest source SQL" (spec
§4.1). It lives as JSON in ``tests/data/source_get_example.json``, written independently of
the demo portal's data, so a test can hold the demo (and the parser) to the documentation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXAMPLE_FILE = Path(__file__).resolve().parent / "data" / "source_get_example.json"


def source_get_example() -> dict[str, Any]:
    """The whole documented answer (``result.item`` and ``time``), a fresh copy per call."""
    answer: dict[str, Any] = json.loads(EXAMPLE_FILE.read_text(encoding="utf-8"))
    return answer


def source_get_example_item() -> dict[str, Any]:
    """Just the documented ``result.item``."""
    item: dict[str, Any] = source_get_example()["result"]["item"]
    return item
