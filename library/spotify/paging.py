"""Reading paged collections with as few round trips as possible, results kept in order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

Json = dict[str, Any]
PAGE_SIZE = 50  # the largest page Spotify serves for every collection the app reads


async def gather_all[T](coroutines: Sequence[Awaitable[T]]) -> list[T]:
    """Await all, in order; the first failure cancels the rest and is raised as itself.

    Unlike asyncio.gather, nothing keeps sending requests after one has failed (a quota error
    must stop every sibling at once).
    """
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_awaited(c)) for c in coroutines]
    except* BaseException as failures:
        raise _first(failures) from None
    return [task.result() for task in tasks]


async def _awaited[T](awaitable: Awaitable[T]) -> T:
    return await awaitable


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    exc: BaseException = group
    while isinstance(exc, BaseExceptionGroup):
        exc = exc.exceptions[0]
    return exc


async def offset_paged(
    fetch: Callable[[int, int], Awaitable[Json]],
    *,
    known_total: int | None = None,
    start: int = 0,
    page_size: int = PAGE_SIZE,
) -> list[Any]:
    """Every item of an offset-paged collection.

    The first page tells the total; every remaining page is then requested at once (the client's
    semaphore bounds how many are in flight). With `known_total` (a playlist's size from the
    playlist list) all pages go out at once, and only a collection that grew since costs more.
    """
    if known_total is not None and 0 < start >= known_total:
        return []  # the caller read the pages before `start`, and they held everything
    # A total of nothing is read, not believed: an empty collection costs one request, and a
    # total an answer got wrong never empties anything.
    if known_total is None or known_total <= start:
        first = await fetch(start, page_size)
        pages = [first]
        covered = start + page_size
    else:
        offsets = range(start, known_total, page_size)
        pages = await gather_all([fetch(offset, page_size) for offset in offsets])
        first = pages[0]
        covered = offsets[-1] + page_size
    total = int(first.get("total") or 0)
    if total > covered:
        pages += await gather_all(
            [fetch(offset, page_size) for offset in range(covered, total, page_size)]
        )
    return [item for page in pages for item in page.get("items") or []]


async def newest_first_paged(
    fetch: Callable[[int, int], Awaitable[Json]],
    *,
    known: Mapping[str, object],
    key: Callable[[Any], tuple[str, object] | None],
) -> tuple[list[Any], bool]:
    """The items of a newest-first collection (Liked Songs, saved albums) not stored yet.

    These have no snapshot id, but new saves only ever appear on top and a removal lowers the
    total. So when the first page reaches an entry stored as it is (`key`: its id and save time,
    as in `known`), and the total is what is stored plus what is new above it, the rest is as
    stored: the new items and False. Otherwise every item, and True (complete).
    """
    first = await fetch(0, PAGE_SIZE)
    items = list(first.get("items") or [])
    total = int(first.get("total") or 0)
    new = 0
    for index, item in enumerate(items if known else ()):
        entry = key(item)
        if entry is not None and entry[0] in known and known[entry[0]] == entry[1]:
            if total == len(known) + new:
                return items[:index], False
            break  # something below was removed: read it all
        if entry is None or entry[0] not in known:
            new += 1
    return items + await offset_paged(fetch, known_total=total, start=PAGE_SIZE), True


async def cursor_paged(
    fetch: Callable[[str | None], Awaitable[Json]],
) -> list[Any]:
    """Every item of a cursor-paged collection: one page after the other, as cursors require."""
    items: list[Any] = []
    after: str | None = None
    while True:
        page = await fetch(after)
        items += page.get("items") or []
        after = (page.get("cursors") or {}).get("after")
        if not page.get("next") or not after:
            return items
