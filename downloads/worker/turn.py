"""An item's turn in its slot: it searches while the slot's previous item downloads, and starts
its own download once that one's media is in.

A slot is one download connection. Without a turn, a slot's connection would wait on each
track's search and match (a round trip and some CPU) between two downloads; with it, the slot
has its next upload chosen by the time the current media is in, and at most one item resolves
ahead of each slot's download.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from downloads.worker.cancel import CancelToken


class RunStopped(Exception):
    """The chunk run stopped (paused, failed, worker stopping) while the item waited its turn:
    it goes back to the queue unstarted."""


class Turn:
    downloading: asyncio.Event  # the slot may pick its next item to resolve
    media_in: asyncio.Event  # the slot's connection is free for the next download

    def __init__(self, previous: Turn | None, *, stopped: Callable[[], bool]) -> None:
        # Only the previous item's event is kept, so a long slot holds no chain of turns.
        self._connection_free = previous.media_in if previous is not None else None
        self._stopped = stopped
        self.downloading = asyncio.Event()
        self.media_in = asyncio.Event()

    async def download(self, cancel: CancelToken) -> None:
        """Wait until the slot's connection is free; raises Cancelled or RunStopped."""
        if self._connection_free is not None:
            await cancel.unless(self._connection_free.wait())
        cancel.check()
        if self._stopped():
            raise RunStopped
        self.downloading.set()

    def end(self) -> None:
        """The item ended (whichever way): the slot moves on."""
        self.downloading.set()
        self.media_in.set()
