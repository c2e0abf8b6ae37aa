"""What an item asks of other services while its media downloads: the album's cover and the
track's lyrics.

Both need only the track's metadata, so they start when the download does instead of one after
the other behind it: each is awaited where it is used (the cover when tagging, the lyrics once
the file is stored). An item that ends any other way (a failed fetch, a cancel) stops them; they
own no files (the cover cache writes its own, atomically).
"""

from __future__ import annotations

import asyncio
import contextlib

import httpx

from downloads.pipeline.metadata import CoverCache
from downloads.worker.cancel import CancelToken
from downloads.worker.lyrics_step import LyricsAnswer, lyrics_ask
from downloads.worker.work import Work


class Alongside:
    def __init__(self, work: Work, *, covers: CoverCache, client: httpx.AsyncClient) -> None:
        cover_url = work.cover_url or None
        self._cover = asyncio.create_task(covers.get(work.album_id, cover_url, client))
        self._lyrics = asyncio.create_task(lyrics_ask(work, client=client))

    async def cover(self, cancel: CancelToken) -> bytes | None:
        return await cancel.unless(self._cover)

    async def lyrics(self) -> LyricsAnswer | None:
        return await self._lyrics

    def lyrics_in(self) -> bool:
        """LRCLIB has answered (or lyrics are off): `lyrics()` returns at once."""
        task = self._lyrics
        return task.done() and not task.cancelled() and task.exception() is None

    async def aclose(self) -> None:
        """Stops what is still running (nothing, when the item went to its end)."""
        for task in (self._cover, self._lyrics):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
