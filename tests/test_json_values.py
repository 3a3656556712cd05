"""The depth check that guards every parser: exact at its limit, and linear on big sources."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.core.errors import BadResponse
from inspector.core.json_values import MAX_DEPTH, check_depth, too_deep


def nested(depth: int, shape: str) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = {"k": value, "n": level} if (shape == "dict" or level % 2) else [1, value]
    return value


@pytest.mark.parametrize("shape", ["dict", "mixed"])
def test_the_limit_is_exact(shape: str) -> None:
    # depth containers nest inside each other: the innermost sits at depth - 1.
    assert not too_deep(nested(MAX_DEPTH, shape))
    assert too_deep(nested(MAX_DEPTH + 1, shape))
    assert not too_deep(nested(3, shape), limit=3)
    assert too_deep(nested(4, shape), limit=3)
    with pytest.raises(BadResponse):
        check_depth({"result": nested(MAX_DEPTH, shape)})


def test_scalars_and_wide_sources_are_not_too_deep() -> None:
    assert not too_deep("text")
    assert not too_deep(None)
    assert not too_deep([])
    wide = {"settings": [{"id": i, "value": str(i)} for i in range(50_000)]}
    assert not too_deep(wide)
    assert too_deep(wide, limit=2)
    assert not too_deep(wide, limit=3)
