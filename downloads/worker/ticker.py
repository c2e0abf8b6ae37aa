"""Bookkeeping of a chunk run on a fixed beat, so its cost does not grow with the items.

Every TICK_SECONDS the ticker polls the job's cancel flag (one query shared by every item of the
chunk) and sets the run's cancel token, writes throttled progress, keeps heartbeats fresh and
recounts the job when items finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async

from downloads.models import JobItem
from downloads.worker import records, shutdown
from downloads.worker.cancel import CancelToken
from downloads.worker.work import Observer

logger = logging.getLogger(__name__)

TICK_SECONDS = 0.5  # cancel poll and progress flush: ≤ 2 writes per item per second
HEARTBEAT_EVERY = 10.0  # well inside the reaper's 60 s


@dataclass
class _Progress:
    stage: str
    percent: int
    dirty: bool = True


@dataclass
class Ticker:
    job_id: int
    chunk: int | None
    cancel: CancelToken
    observer: Observer | None = None
    # Items the run took from other chunks (worker/chunk.py): held, so beaten, like its own.
    taken: set[int] = field(default_factory=set)
    _progress: dict[int, _Progress] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _finished_since_tick: bool = False
    _last_heartbeat: float = 0.0
    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._poll_cancel()
        self._last_heartbeat = time.monotonic()
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._flush()

    def track(self, item_id: int) -> None:
        self.progress(item_id, JobItem.Stage.RESOLVE, 0)

    def progress(self, item_id: int, stage: str, percent: int) -> None:
        """Remember the latest state; thread-safe, no I/O (the fetch thread calls it)."""
        with self._lock:
            current = self._progress.get(item_id)
            if current is None or (current.stage, current.percent) != (stage, percent):
                self._progress[item_id] = _Progress(stage, percent)
        if self.observer is not None:
            self.observer(item_id, stage, percent)

    def finished(self, item_id: int, status: str) -> None:
        with self._lock:
            self._progress.pop(item_id, None)
            self._finished_since_tick = True
        if self.observer is not None:
            self.observer(item_id, status, 100 if status == JobItem.Status.DONE else 0)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                await self._poll_cancel()
                await self._flush()
            except Exception:
                # A busy database must not kill the chunk; the next beat tries again.
                logger.exception("Progress bookkeeping of job %s failed", self.job_id)

    async def _poll_cancel(self) -> None:
        if not self.cancel.is_set() and shutdown.requested():
            self.cancel.set()  # the worker is stopping: its items end as interrupted
        if not self.cancel.is_set() and await sync_to_async(records.job_cancel_requested)(
            self.job_id
        ):
            self.cancel.set()

    async def _flush(self) -> None:
        with self._lock:
            dirty = {i: (p.stage, p.percent) for i, p in self._progress.items() if p.dirty}
            for item_id in dirty:
                self._progress[item_id].dirty = False
            recount, self._finished_since_tick = self._finished_since_tick, False
        beat = time.monotonic() - self._last_heartbeat >= HEARTBEAT_EVERY
        if beat:
            self._last_heartbeat = time.monotonic()
        if dirty or recount or beat:
            await sync_to_async(records.items_tick)(
                self.job_id, self.chunk, set(self.taken), dirty, recount, beat
            )
