"""The one cancel signal of a chunk run: the ticker sets it, everything else reads it.

Stages get `token.is_set` as a plain `cancel()` callable (safe from any thread; fetch threads
get `token.stopping`, which also sees the worker's stop request); awaits that have no cancel hook
of their own (a search) go through `token.unless`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable
from typing import TypeVar

from downloads.worker import shutdown

T = TypeVar("T")


class Cancelled(Exception):
    """The job was cancelled while this item ran."""


class CancelToken:
    def __init__(self) -> None:
        self._flag = threading.Event()  # read from fetch threads
        self._wakeup = asyncio.Event()  # wakes awaits on the event loop

    def is_set(self) -> bool:
        return self._flag.is_set()

    def stopping(self) -> bool:
        """For fetch threads: also true once the worker process is asked to stop, before the
        ticker's next beat sets the token. SIGTERM reaches ffmpeg (same process group) at once,
        and a fetch that took its death for a failure to retry held the stop past its grace."""
        return self._flag.is_set() or shutdown.requested()

    def set(self) -> None:
        """Call on the event loop's thread (the ticker does)."""
        self._flag.set()
        self._wakeup.set()

    def check(self) -> None:
        if self._flag.is_set():
            raise Cancelled

    async def unless(self, awaitable: Awaitable[T]) -> T:
        """Await `awaitable` up to a cancel; a cancel stops it and raises Cancelled."""
        work = asyncio.ensure_future(awaitable)
        waiter = asyncio.create_task(self._wakeup.wait())
        done, _ = await asyncio.wait({work, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if work not in done:
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await work
            raise Cancelled
        return work.result()
