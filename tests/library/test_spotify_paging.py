from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from library.spotify.paging import cursor_paged, gather_all, offset_paged


def run[R](coroutine: Coroutine[Any, Any, R]) -> R:
    """asyncio.run in a thread: browser tests leave a loop running in the main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class Collection:
    """A paged collection that records the offsets asked for and how many were in flight."""

    def __init__(self, size: int) -> None:
        self.items = list(range(size))
        self.offsets: list[int] = []
        self.in_flight = self.most_in_flight = 0

    async def fetch(self, offset: int, limit: int) -> dict[str, Any]:
        self.offsets.append(offset)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.01 * (offset % 3))  # pages come back out of order
        self.in_flight -= 1
        return {"items": self.items[offset : offset + limit], "total": len(self.items)}


def test_offset_pages_are_read_first_then_all_at_once_and_kept_in_order() -> None:
    collection = Collection(240)

    items = run(offset_paged(collection.fetch))

    assert items == collection.items
    assert collection.offsets[0] == 0
    assert sorted(collection.offsets) == [0, 50, 100, 150, 200]
    assert collection.most_in_flight == 4


def test_a_known_size_sends_every_page_at_once() -> None:
    collection = Collection(120)

    items = run(offset_paged(collection.fetch, known_total=120))

    assert items == collection.items
    assert collection.most_in_flight == 3


def test_a_collection_that_grew_since_its_size_was_known_is_read_to_the_end() -> None:
    collection = Collection(130)

    items = run(offset_paged(collection.fetch, known_total=90))

    assert items == collection.items
    assert sorted(collection.offsets) == [0, 50, 100]


def test_a_size_of_zero_is_checked_with_one_request_for_the_first_page() -> None:
    collection = Collection(0)

    assert run(offset_paged(collection.fetch, known_total=0)) == []
    assert collection.offsets == [0]


def test_a_collection_said_to_be_empty_that_is_not_is_read_whole() -> None:
    collection = Collection(70)

    items = run(offset_paged(collection.fetch, known_total=0))

    assert items == collection.items
    assert sorted(collection.offsets) == [0, 50]


def test_cursor_pages_are_read_one_after_the_other() -> None:
    pages: dict[str | None, dict[str, Any]] = {
        None: {"items": [1, 2], "next": "n", "cursors": {"after": "b"}},
        "b": {"items": [3], "next": None, "cursors": {"after": None}},
    }
    asked: list[str | None] = []

    async def fetch(after: str | None) -> dict[str, Any]:
        asked.append(after)
        return pages[after]

    assert run(cursor_paged(fetch)) == [1, 2, 3]
    assert asked == [None, "b"]


def test_the_first_failure_cancels_the_rest_and_is_raised_as_itself() -> None:
    finished: list[str] = []

    async def slow() -> str:
        await asyncio.sleep(1)
        finished.append("slow")
        return "slow"

    async def failing() -> str:
        raise LookupError("first")

    with pytest.raises(LookupError, match="first"):
        run(gather_all([slow(), failing()]))
    assert finished == []
