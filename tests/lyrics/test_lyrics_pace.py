"""LRCLIB's pace: one request of a worker per LRCLIB_GAP, kept when the worker wakes late."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from downloads.pipeline.lyrics import _Pace


class FakeTime:
    """A clock that moves only when the pace sleeps: each sleep ends `late` seconds past its
    end, as on a machine busy with other work."""

    def __init__(self, *, late: float = 0.0) -> None:
        self.now, self.late = 1000.0, late

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds + self.late


@pytest.fixture(autouse=True)
def _gap(settings: Any) -> None:
    settings.LRCLIB_GAP = 0.2


def _take(pace: _Pace, time: FakeTime, count: int) -> list[float]:
    async def turns() -> list[float]:
        moments = []
        for _ in range(count):
            await pace.turn()
            moments.append(round(time.now - 1000.0, 6))
        return moments

    return asyncio.run(turns())


def test_turns_taken_back_to_back_go_one_gap_apart() -> None:
    time = FakeTime()
    assert _take(_Pace(clock=time.clock, sleep=time.sleep), time, 4) == [0.0, 0.2, 0.4, 0.6]


def test_a_late_wake_up_does_not_push_the_following_turns_back() -> None:
    time = FakeTime(late=0.05)
    moments = _take(_Pace(clock=time.clock, sleep=time.sleep), time, 5)
    # Each wake-up is 50 ms late, but the turns stay booked a gap apart: the pace over the run
    # is the gap's, not the gap plus the lateness (which would end at 1.0 s).
    assert moments == [0.0, 0.25, 0.45, 0.65, 0.85]


def test_a_pace_left_idle_saves_up_no_turns_for_a_burst() -> None:
    time = FakeTime()
    pace = _Pace(clock=time.clock, sleep=time.sleep)
    _take(pace, time, 2)
    time.now += 10.0
    assert _take(pace, time, 3) == [10.2, 10.4, 10.6]


def test_turns_asked_at_once_by_several_tracks_queue_a_gap_apart() -> None:
    time = FakeTime()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(round(seconds, 6))

    pace = _Pace(clock=time.clock, sleep=sleep)

    async def together() -> None:
        await asyncio.gather(*(pace.turn() for _ in range(4)))

    asyncio.run(together())
    assert waits == [0.2, 0.4, 0.6]
