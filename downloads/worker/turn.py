"""An item's turn in its slot: it searches while the slot's previous item downloads, and starts
its own download once that one's media is in.

A slot is one download connection. Without a turn, a slot's connection would wait on each
track's search, match and page (round trips and some CPU) between two downloads; with it, the
slot has its next upload chosen and its page read by the time the current media is in, and at
most one item works ahead of each slot's download.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from downloads.worker.cancel import CancelToken


class RunStopped(Exception):
    """The chunk run stopped (a YouTube limit, a pause, a full disk) while the item waited for
    its slot: it goes back to the queue unstarted."""


class Turn:
    downloading: asyncio.Event  # the slot may pick its next item to work ahead
    media_in: asyncio.Event  # the slot's connection is free for the next download

    def __init__(self, previous: Turn | None, *, stopped: Callable[[], bool]) -> None:
        # Only the previous item's event is kept, so a long slot holds no chain of turns.
        self._connection_free = previous.media_in if previous is not None else None
        self._stopped = stopped
        self.downloading = asyncio.Event()
        self.media_in = asyncio.Event()

    async def download(self, cancel: CancelToken) -> None:
        """Wait until the slot's connection is free; raises Cancelled, or RunStopped when the
        run stopped meanwhile (its previous download may have met YouTube's limit: read in
        memory, as the database's gate is a thread hop away, on the slot's critical path)."""
        busy = self._connection_free is not None and not self._connection_free.is_set()
        if self._connection_free is not None:
            await cancel.unless(self._connection_free.wait())
        cancel.check()
        if busy and self._stopped():
            raise RunStopped
        self.downloading.set()

    def end(self) -> None:
        """The item ended (whichever way): the slot moves on."""
        self.downloading.set()
        self.media_in.set()
