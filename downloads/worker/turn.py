"""An item's turn in its slot: it searches while the slot's previous item downloads, and starts
its own download once that one's media is in.

A slot is one download connection. Without a turn, a slot's connection would wait on each
track's search, match and page (round trips and some CPU) between two downloads; with it, the
slot has its next upload chosen and its page read by the time the current media is in, and at
most one item works ahead of each slot's download.
"""

from __future__ import annotations

import asyncio

from downloads.worker.cancel import CancelToken


class Turn:
    downloading: asyncio.Event  # the slot may pick its next item to work ahead
    media_in: asyncio.Event  # the slot's connection is free for the next download

    def __init__(self, previous: Turn | None) -> None:
        # Only the previous item's event is kept, so a long slot holds no chain of turns.
        self._connection_free = previous.media_in if previous is not None else None
        self.downloading = asyncio.Event()
        self.media_in = asyncio.Event()

    async def download(self, cancel: CancelToken) -> None:
        """Wait until the slot's connection is free; raises Cancelled."""
        if self._connection_free is not None:
            await cancel.unless(self._connection_free.wait())
        cancel.check()
        self.downloading.set()

    def end(self) -> None:
        """The item ended (whichever way): the slot moves on."""
        self.downloading.set()
        self.media_in.set()
