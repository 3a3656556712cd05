"""``core.collector``: the cyclic collector paused for the start and for a big parse."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from inspector.core.collector import collector_paused, pause_for_start, resume_after_start


@pytest.fixture(autouse=True)
def collector_back_on() -> Iterator[None]:
    yield
    gc.enable()


def test_the_start_pauses_the_collector_until_it_resumes_and_freezes() -> None:
    pause_for_start()
    assert not gc.isenabled()
    made = [[index] for index in range(1000)]  # lasting objects, as a start makes
    frozen_before = gc.get_freeze_count()
    resume_after_start()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen_before + len(made)


def test_a_parse_during_the_start_leaves_the_collector_paused() -> None:
    pause_for_start()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the start has not resumed it yet
    resume_after_start()
    assert gc.isenabled()


def test_a_parse_at_any_other_time_switches_the_collector_back_on() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        assert not gc.isenabled()
        raise ValueError("a bad answer")
    assert gc.isenabled()
