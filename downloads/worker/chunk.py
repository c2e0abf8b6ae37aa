"""Run one chunk of a job: claim its items, run them with bounded concurrency, end the chunk.

The chunk run owns the shared resources (thread pool, HTTP client, resolver, ticker, cancel
token) and hands each item only what it needs (`ItemContext`). The thread pool is sized to the
concurrency, because asyncio's default pool is only cpu+4 threads and one slow download must not
starve the others.

A run has `concurrency` slots. Each runs the chunk's items one after the other, the longest
tracks first (the job's last wave is its shortest tracks, so the slots end close together); a
slot that finds none of them left takes a waiting item of the job's other chunks
(`records.item_take`), so no slot idles while the job has work nobody started: the last wave is
as full as the first.
The tasks of chunks emptied that way find nothing to claim and end at once.

A slot is a download connection (worker/turn.py): its next item searches and is matched while
the current one downloads, and starts downloading as soon as the current one's media is in,
while the remux, tags, store and records finish that one beside it. An item is the run's until it
ends: its heartbeat, counts, retries and cancel are the same whichever slot started it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import httpx
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from downloads import enqueue, preferences, services, youtube_gate
from downloads.models import DownloadSettings, Job, JobItem
from downloads.pipeline import store
from downloads.pipeline.errors import FetchAction, FetchError, PipelineError
from downloads.pipeline.metadata import CoverCache
from downloads.pipeline.resolve import Resolver, build_sources
from downloads.worker import records, shutdown
from downloads.worker.cancel import Cancelled, CancelToken
from downloads.worker.governor import YouTubeHeld, YouTubeRefused
from downloads.worker.item import ItemContext, ItemPipeline
from downloads.worker.ticker import Ticker
from downloads.worker.turn import RunStopped, Turn
from downloads.worker.work import ChunkOptions, Observer, Outcome, Work
from library.spotify.errors import SpotifyError, SpotifyRateLimited

logger = logging.getLogger(__name__)
Cause = JobItem.FailureCause
# Failures of an outside call that a later try may not see (worker/retrying.py).
TRANSIENT_ERRORS = (httpx.TransportError, TimeoutError, ConnectionError)


async def run_chunk(
    *, job_id: int, chunk: int | None, observer: Observer | None = None
) -> dict[str, int]:
    """Run the waiting items of one chunk (or of the whole job when `chunk` is None)."""
    try:
        claimed = await sync_to_async(_chunk_claim)(job_id, chunk)
        if claimed is None:
            return {"items": 0}
        options, item_ids = claimed
        options.observer = observer
        try:
            run = ChunkRun(job_id, chunk, options)
        except ValueError as exc:
            # Settings no item can succeed with (an unknown media source): say so once.
            await sync_to_async(_job_fail)(job_id, f"The download settings are unusable: {exc}")
            return {"items": 0}
        async with run:
            counts = await run.process(item_ids)
        taken = set(run.ticker.taken)
        await sync_to_async(_chunk_finish)(job_id, chunk, taken, shutdown.requested())
        return counts
    finally:
        await sync_to_async(connections.close_all)()


def _chunk_claim(job_id: int, chunk: int | None) -> tuple[ChunkOptions, list[int]] | None:
    """Mark the job running and hold the chunk's waiting items."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status not in (Job.Status.QUEUED, Job.Status.RUNNING):
        return None
    if job.cancel_requested:
        return None
    item_ids = records.chunk_hold(job_id, chunk)
    if not item_ids:
        return None
    job.mark_running()
    config = DownloadSettings.load()
    options = ChunkOptions(
        audio_format=job.audio_format,
        path_template=config.path_template or store.DEFAULT_TEMPLATE,
        concurrency=config.effective_concurrency,
        # The owner's own cookies when they uploaded some, else the installation's.
        cookies_path=preferences.cookies_path_for(user_id=job.owner_id),
    )
    return options, item_ids


def _chunk_finish(job_id: int, chunk: int | None, taken: set[int], interrupted: bool) -> None:
    """Let go of items never started and end the job if nothing is left (after its end-of-job
    round); the chunks of items a worker's shutdown cut short are handed to the next worker."""
    waiting = records.chunk_release(job_id, chunk, taken)
    job = Job.objects.get(pk=job_id)
    if interrupted and chunk is not None and job.is_active:
        enqueue.chunks_enqueue(job_id=job_id, chunks=waiting)
    if not services.job_finish_if_done(job=job):
        job.refresh_counters()


def _job_fail(job_id: int, reason: str) -> None:
    job = Job.objects.get(pk=job_id)
    if job.is_active:
        job.mark_failed(reason)
        services.job_after_finish(job=job)


def _job_pause(job_id: int, until: datetime, reason: str) -> None:
    services.job_pause(job=Job.objects.get(pk=job_id), until=until, reason=reason)


def _youtube_hold(job_id: int, hold: youtube_gate.GateHold) -> None:
    """Pacing waits this job only; a closed gate pauses every job with work left."""
    services.jobs_pause_for_youtube(
        until=hold.until, reason=hold.reason, job_ids=[job_id] if hold.pacing else None
    )


def _youtube_refused(job_id: int, sign_in: bool) -> None:
    _youtube_hold(job_id, youtube_gate.gate_strike(sign_in=sign_in))


class ChunkRun:
    """The resources of one chunk run: thread pool, HTTP client, resolver, ticker, cancel."""

    def __init__(self, job_id: int, chunk: int | None, options: ChunkOptions) -> None:
        self.job_id = job_id
        self.chunk = chunk
        self.options = options
        # Per slot a thread for its download, one for its next item's search, one for an item
        # finishing beside them; and one more.
        self.executor = ThreadPoolExecutor(
            max_workers=3 * options.concurrency + 1, thread_name_prefix=f"job{job_id}-fetch"
        )
        self.cancel = CancelToken()
        self.ticker = Ticker(job_id, chunk, self.cancel, observer=options.observer)
        self.client = httpx.AsyncClient(timeout=30)
        try:
            sources = build_sources(
                settings.MEDIA_SOURCES,
                executor=self.executor,
                cookiefile=options.cookies_path,
            )
        except ValueError:
            self.executor.shutdown(wait=False)
            raise
        self.context = ItemContext(
            options=options,
            resolver=Resolver(sources),
            covers=CoverCache(Path(settings.DATA_DIR) / "covers"),
            client=self.client,
            executor=self.executor,
            ticker=self.ticker,
            cancel=self.cancel,
        )
        self.stopped = False  # paused or failed as a whole: claim nothing more
        self._waiting: deque[int] = deque()  # the chunk's items, then items due again
        self._pausing = 0  # items waiting out a retry pause (worker/retrying.py)
        self._items: set[asyncio.Task[None]] = set()  # items started and not ended
        self._errors: list[Exception] = []  # what items' bookkeeping raised
        # Items resolving, downloading or finishing: per slot one of each.
        self._room = asyncio.Semaphore(3 * options.concurrency)
        self._changed = asyncio.Condition()
        self._timers: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> ChunkRun:
        await self.ticker.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for timer in self._timers:  # retry pauses of a run that stopped: the items stay queued
            timer.cancel()
        await self.ticker.stop()
        await self.client.aclose()
        if self.cancel.is_set():
            # Fetch threads stalled on a connection were abandoned (worker/item.py): they end
            # on their own and remove their attempt folders; a cancel does not wait for them.
            self.executor.shutdown(wait=False, cancel_futures=True)
        else:
            await asyncio.to_thread(self.executor.shutdown, wait=True)

    async def process(self, item_ids: list[int]) -> dict[str, int]:
        self._waiting.extend(item_ids)
        counts: dict[str, int] = {"items": 0}
        await asyncio.gather(*(self._slot(counts) for _ in range(self.options.concurrency)))
        await asyncio.gather(*self._items)  # those still finishing when the run stopped
        if self._errors:
            raise self._errors[0]
        return counts

    async def _slot(self, counts: dict[str, int]) -> None:
        """Start items until none is left for this run, the next once the last one downloads."""
        previous: Turn | None = None
        while True:
            await self._room.acquire()
            work = await self._next()
            if work is None:
                self._room.release()
                return
            turn = Turn(previous, stopped=self._stopping)
            item = asyncio.create_task(self._item(work, counts, turn))
            self._items.add(item)
            await turn.downloading.wait()
            previous = turn

    async def _item(self, work: Work, counts: dict[str, int], turn: Turn) -> None:
        """One item to its end; a transient failure comes back to the run's queue after its
        pause."""
        try:
            self.ticker.track(work.item_id)
            outcome = await self._run_item(work, turn)
            again_in = await sync_to_async(records.item_record_end)(work, outcome)
            self.ticker.finished(work.item_id, outcome.status)
            if again_in is not None:
                self._retry_later(work.item_id, again_in)
            else:
                counts["items"] += 1
                counts[outcome.status] = counts.get(outcome.status, 0) + 1
        except Exception as exc:  # the run ends with it once its other items are done
            self._errors.append(exc)
        finally:
            turn.end()
            self._room.release()
            if (task := asyncio.current_task()) is not None:
                self._items.discard(task)
            async with self._changed:
                self._changed.notify_all()

    async def _next(self) -> Work | None:
        """The chunk's next item (or one due again), else one taken from the job's other
        chunks; while items wait out a retry pause or still run (either may come back), wait
        for them."""
        while not self._stopping():
            if self._waiting:
                work = await sync_to_async(records.item_claim)(self._waiting.popleft())
                if work is not None:
                    return work
                continue
            if self.chunk is not None:  # a whole-job run (the CLI) has nothing to take
                work = await sync_to_async(records.item_take)(self.job_id, self.chunk)
                if work is not None:
                    self.ticker.taken.add(work.item_id)
                    return work
            if self._settled():
                return None
            async with self._changed:
                await self._changed.wait_for(
                    lambda: bool(self._waiting) or self._settled() or self._stopping()
                )
        return None

    def _retry_later(self, item_id: int, delay: float) -> None:
        self._pausing += 1

        async def due() -> None:
            try:
                await self.cancel.unless(asyncio.sleep(delay))
                self._waiting.append(item_id)
            except Cancelled:
                pass
            finally:
                self._pausing -= 1
                async with self._changed:
                    self._changed.notify_all()

        timer = asyncio.create_task(due())
        self._timers.add(timer)
        timer.add_done_callback(self._timers.discard)

    def _settled(self) -> bool:
        """Nothing of this run can come back to its queue."""
        return not self._pausing and not self._items

    def _stopping(self) -> bool:
        return self.cancel.is_set() or self.stopped or shutdown.requested()

    async def _run_item(self, work: Work, turn: Turn) -> Outcome:
        try:
            outcome = await ItemPipeline(self.context, work, turn).run()
        except Exception as exc:
            outcome = await self._outcome_of(work, exc)
        if shutdown.requested() and outcome.status != JobItem.Status.DONE:
            # Whatever it says (a cancel, an ffmpeg killed with us), a stopping worker cut it
            # short: not the track's fault, and not an attempt.
            return Outcome(JobItem.Status.QUEUED, cause=Cause.INTERRUPTED)
        return outcome

    async def _outcome_of(self, work: Work, exc: Exception) -> Outcome:
        try:
            raise exc
        except Cancelled:
            return Outcome(JobItem.Status.CANCELLED)
        except RunStopped:
            return Outcome(JobItem.Status.QUEUED)
        except SpotifyRateLimited as exc:
            # Only the Spotify side has quotas; the pipeline barely talks to it, but if it does,
            # never sleep for hours in a worker slot: pause the job and hand the slot back.
            self.stopped = True
            await sync_to_async(_job_pause)(self.job_id, exc.retry_at, exc.message)
            return Outcome(JobItem.Status.QUEUED)
        except YouTubeHeld as exc:
            # Not the track's fault: back in the queue, uncounted, until YouTube may be asked.
            self.stopped = True
            await sync_to_async(_youtube_hold)(self.job_id, exc.hold)
            return Outcome(JobItem.Status.QUEUED)
        except YouTubeRefused as exc:
            self.stopped = True
            await sync_to_async(_youtube_refused)(self.job_id, exc.sign_in)
            return Outcome(JobItem.Status.QUEUED)
        except FetchError as exc:
            if exc.kind == "disk_full":
                # Every later item would fail the same way: end the job with the reason.
                self.stopped = True
                await sync_to_async(_job_fail)(self.job_id, exc.reason)
            transient = exc.action == FetchAction.RETRY_LATER
            return Outcome(JobItem.Status.FAILED, exc.reason, _cause(transient=transient), exc.kind)
        except PipelineError as exc:
            return Outcome(JobItem.Status.FAILED, exc.reason, Cause.PERMANENT)
        except (SpotifyError, *TRANSIENT_ERRORS) as exc:
            reason = getattr(exc, "message", "") or str(exc) or type(exc).__name__
            reason = f"A service did not answer: {reason}"
            return Outcome(JobItem.Status.FAILED, reason, Cause.TRANSIENT)
        except Exception as exc:
            logger.exception("Item %s of job %s failed unexpectedly", work.item_id, self.job_id)
            reason = f"Unexpected error: {type(exc).__name__}: {exc}"
            return Outcome(JobItem.Status.FAILED, reason, Cause.PERMANENT)


def _cause(*, transient: bool) -> str:
    return Cause.TRANSIENT if transient else Cause.PERMANENT
