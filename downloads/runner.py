"""Drive one chunk of a job through the pipeline: asyncio, bounded concurrency, cooperative cancel.

Per item: pin or resolve → match → fetch → tag → store → record. Blocking work (yt-dlp, mutagen,
file moves) runs on a dedicated thread pool sized to the concurrency, because asyncio's default
pool is only cpu+4 threads and one slow download must not starve the others. Database work goes
through `sync_to_async`, one sync function per transaction.

A `Ticker` per chunk does the bookkeeping on a fixed beat, so its cost does not grow with the
number of items: it polls the job's cancel flag (one query per 0.5 s, shared by every item of
the chunk), writes throttled progress, keeps heartbeats fresh and recounts the job.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import shutil
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import httpx
import mutagen
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from downloads.models import DownloadSettings, Job, JobItem, StoredFile, TrackPin
from downloads.pipeline import fetch as fetch_stage
from downloads.pipeline import store
from downloads.pipeline.errors import FetchError, PipelineError
from downloads.pipeline.match.score import MatchResult, match
from downloads.pipeline.metadata import CoverCache, TrackTags
from downloads.pipeline.resolve import Resolver, SourceFailure, build_sources
from downloads.pipeline.sources.common import canonical_watch_url
from downloads.pipeline.tag import write_tags
from downloads.pipeline.types import Candidate, TrackQuery
from library.models import AlbumArtist, Track, TrackArtist
from library.spotify.errors import SpotifyRateLimited

logger = logging.getLogger(__name__)
T = TypeVar("T")

TICK_SECONDS = 0.5  # cancel poll and progress flush: ≤ 2 writes per item per second
HEARTBEAT_EVERY = 10.0  # well inside the reaper's 60 s
FETCH_ATTEMPTS = 3  # per item run; network errors and 5xx are often gone a second later
FETCH_BACKOFF_SECONDS = 1.0
SPOTIFY_TRACK_URL = "https://open.spotify.com/track/{}"


class Cancelled(Exception):
    """The job was cancelled while this item ran."""


# --- what one item needs, loaded in one query batch ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Work:
    item_id: int
    attempt: int
    track_id: int
    spotify_id: str
    query: TrackQuery
    tags: TrackTags
    album_id: str
    cover_url: str
    pin: Candidate | None


@dataclass
class Outcome:
    status: str
    error: str = ""


# --- the chunk -----------------------------------------------------------------------------------


@dataclass
class ChunkOptions:
    """Installation settings read once per chunk, plus an optional observer (the CLI)."""

    audio_format: str
    path_template: str
    concurrency: int
    cookies_path: str | None
    observer: Callable[[int, str, int], None] | None = None


async def run_chunk(
    *, job_id: int, chunk: int | None, observer: Callable[[int, str, int], None] | None = None
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
        await sync_to_async(_chunk_finish)(job_id, chunk)
        return counts
    finally:
        await sync_to_async(connections.close_all)()


def _chunk_claim(job_id: int, chunk: int | None) -> tuple[ChunkOptions, list[int]] | None:
    """Mark the job running and hold the chunk's waiting items with a heartbeat."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status not in (Job.Status.QUEUED, Job.Status.RUNNING):
        return None
    if job.cancel_requested:
        return None
    items = _chunk_items(job_id, chunk).filter(status=JobItem.Status.QUEUED)
    item_ids = list(items.order_by("position").values_list("pk", flat=True))
    if not item_ids:
        return None
    job.mark_running()
    JobItem.objects.filter(pk__in=item_ids, status=JobItem.Status.QUEUED).update(
        heartbeat_at=timezone.now()
    )
    config = DownloadSettings.load()
    options = ChunkOptions(
        audio_format=job.audio_format,
        path_template=config.path_template or store.DEFAULT_TEMPLATE,
        concurrency=config.effective_concurrency,
        cookies_path=config.cookies_path or None,
    )
    return options, item_ids


def _chunk_items(job_id: int, chunk: int | None) -> Any:
    items = JobItem.objects.filter(job_id=job_id)
    return items if chunk is None else items.filter(chunk=chunk)


def _chunk_finish(job_id: int, chunk: int | None) -> None:
    """Let go of items never started (paused, cancelled) and end the job if nothing is left."""
    from downloads.services import job_after_finish

    _chunk_items(job_id, chunk).filter(status=JobItem.Status.QUEUED).update(heartbeat_at=None)
    job = Job.objects.get(pk=job_id)
    if job.finish_if_done():
        job_after_finish(job=job)
    else:
        job.refresh_counters()


class ChunkRun:
    """The resources of one chunk run: thread pool, HTTP client, resolver, ticker."""

    def __init__(self, job_id: int, chunk: int | None, options: ChunkOptions) -> None:
        self.job_id = job_id
        self.chunk = chunk
        self.options = options
        self.executor = ThreadPoolExecutor(
            max_workers=options.concurrency + 1, thread_name_prefix=f"job{job_id}-fetch"
        )
        self.ticker = Ticker(job_id, chunk, observer=options.observer)
        self.covers = CoverCache(Path(settings.DATA_DIR) / "covers")
        self.client = httpx.AsyncClient(timeout=30)
        try:
            sources = build_sources(
                settings.MEDIA_SOURCES,
                executor=self.executor,
                client=self.client,
                cookiefile=options.cookies_path,
            )
        except ValueError:
            self.executor.shutdown(wait=False)
            raise
        self.resolver = Resolver(sources)
        self.semaphore = asyncio.Semaphore(options.concurrency)
        self.stopped = False  # paused or failed as a whole: claim nothing more

    async def __aenter__(self) -> ChunkRun:
        await self.ticker.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ticker.stop()
        await self.client.aclose()
        # Wait for threads: a fetch that saw the cancel flag is cleaning its temp dir.
        await asyncio.to_thread(self.executor.shutdown, wait=True)

    async def process(self, item_ids: list[int]) -> dict[str, int]:
        results = await asyncio.gather(*(self._guarded(item_id) for item_id in item_ids))
        counts: dict[str, int] = {"items": len(item_ids)}
        for status in results:
            if status:
                counts[status] = counts.get(status, 0) + 1
        return counts

    async def _guarded(self, item_id: int) -> str | None:
        async with self.semaphore:
            if self.ticker.cancelled.is_set() or self.stopped:
                return None
            work = await sync_to_async(_item_claim)(item_id)
            if work is None:
                return None
            self.ticker.track(work.item_id)
            outcome = await self._run_item(work)
            await sync_to_async(_item_record_end)(work, outcome)
            self.ticker.finished(work.item_id, outcome.status)
            return outcome.status

    async def _run_item(self, work: Work) -> Outcome:
        try:
            return await ItemPipeline(self, work).run()
        except Cancelled:
            return Outcome(JobItem.Status.CANCELLED)
        except SpotifyRateLimited as exc:
            # Only the Spotify side has quotas; the pipeline barely talks to it, but if it does,
            # never sleep for hours in a worker slot: pause the job and hand the slot back.
            self.stopped = True
            await sync_to_async(_job_pause)(self.job_id, exc.retry_at, exc.message)
            return Outcome(JobItem.Status.QUEUED)
        except FetchError as exc:
            if exc.kind == "disk_full":
                # Every later item would fail the same way: end the job with the reason.
                self.stopped = True
                await sync_to_async(_job_fail)(self.job_id, exc.reason)
            return Outcome(JobItem.Status.FAILED, exc.reason)
        except PipelineError as exc:
            return Outcome(JobItem.Status.FAILED, exc.reason)
        except Exception as exc:
            logger.exception("Item %s of job %s failed unexpectedly", work.item_id, self.job_id)
            return Outcome(JobItem.Status.FAILED, f"Unexpected error: {type(exc).__name__}: {exc}")


def _job_fail(job_id: int, reason: str) -> None:
    from downloads.services import job_after_finish

    job = Job.objects.get(pk=job_id)
    if job.is_active:
        job.mark_failed(reason)
        job_after_finish(job=job)


def _job_pause(job_id: int, until: Any, reason: str) -> None:
    from downloads.services import job_pause

    job_pause(job=Job.objects.get(pk=job_id), until=until, reason=reason)


# --- one item ------------------------------------------------------------------------------------


class ItemPipeline:
    def __init__(self, run: ChunkRun, work: Work) -> None:
        self.run_ = run
        self.work = work
        self.ticker = run.ticker

    def stage(self, stage: str, percent: int = 0) -> None:
        if self.ticker.cancelled.is_set():
            raise Cancelled
        self.ticker.progress(self.work.item_id, stage, percent)

    async def run(self) -> Outcome:
        reused = await sync_to_async(_stored_file_reuse)(self.work, self.run_.options.audio_format)
        if reused:
            return Outcome(JobItem.Status.DONE)
        self.stage(JobItem.Stage.RESOLVE)
        chosen, result, failures = await self.ticker.unless_cancelled(self._choose())
        await sync_to_async(_item_record_match)(self.work, chosen, result)
        if chosen is None:
            if result is None and failures:
                reasons = "; ".join(f"{f.source} {f.reason}" for f in failures)
                return Outcome(JobItem.Status.FAILED, f"Search failed: {reasons}")
            reason = result.reason if result is not None else "No candidates found"
            return Outcome(JobItem.Status.NO_MATCH, reason)
        return await self._download(chosen, result.score if result else None)

    async def _choose(self) -> tuple[Candidate | None, MatchResult | None, list[SourceFailure]]:
        """The pin when there is one; else the first source whose candidates the matcher accepts."""
        if self.work.pin is not None:
            return self.work.pin, None, []
        failures: list[SourceFailure] = []
        best: MatchResult | None = None
        async for answer in self.run_.resolver.attempts(self.work.query):
            if answer.failure is not None:
                failures.append(answer.failure)
                continue
            if not answer.candidates:
                continue
            self.stage(JobItem.Stage.MATCH)
            result = match(self.work.query, answer.candidates)
            if result.chosen is not None:
                return result.chosen, result, failures
            best = best or result
        return None, best, failures

    async def _download(self, candidate: Candidate, score: float | None) -> Outcome:
        run, work = self.run_, self.work
        workdir = attempt_dir(work.item_id, work.attempt)
        options = fetch_stage.FetchOptions(
            audio_format=run.options.audio_format,  # type: ignore[arg-type]
            cookiefile=Path(run.options.cookies_path) if run.options.cookies_path else None,
        )
        try:
            await asyncio.to_thread(attempt_dirs_remove, work.item_id)
            fetched = await self._fetch(candidate, options, workdir)
            self.stage(JobItem.Stage.TAG, 100)
            tags = replace(work.tags, source_url=candidate.url, match_score=score)
            cover = await run.covers.get(work.album_id, work.cover_url or None, run.client)
            await self._blocking(write_tags, fetched.path, tags, cover)
            self.stage(JobItem.Stage.STORE, 100)
            planned = store.render_path(
                run.options.path_template, store.PathFields.from_tags(tags, fetched.ext)
            )
            final = await self._blocking(
                store.store_file, fetched.path, planned, track_id=work.spotify_id
            )
            duration = await self._blocking(_duration_of, final)
        except FetchError as exc:
            if exc.kind == "cancelled" or self.ticker.cancelled.is_set():
                raise Cancelled from exc
            raise
        finally:
            await asyncio.to_thread(shutil.rmtree, workdir, True)
        await sync_to_async(_stored_file_record)(
            work, run.options.audio_format, final, fetched, duration, candidate, score
        )
        return Outcome(JobItem.Status.DONE)

    async def _fetch(
        self, candidate: Candidate, options: fetch_stage.FetchOptions, workdir: Path
    ) -> fetch_stage.FetchedAudio:
        """yt-dlp in the pool; a network hiccup (retryable) is tried again after a pause."""
        url = candidate.url or canonical_watch_url(candidate.id)
        for attempt in range(1, FETCH_ATTEMPTS + 1):
            self.stage(JobItem.Stage.FETCH)
            try:
                return await self._blocking(
                    fetch_stage.fetch_blocking,
                    url,
                    options=options,
                    workdir=workdir,
                    progress=self._on_progress,
                    cancel=self.ticker.cancelled.is_set,
                )
            except FetchError as exc:
                if not exc.retryable or attempt == FETCH_ATTEMPTS:
                    raise
                logger.info("Fetch of %s failed (%s); trying again", url, exc.reason)
                await self.ticker.unless_cancelled(asyncio.sleep(FETCH_BACKOFF_SECONDS * attempt))
        raise AssertionError("unreachable")

    def _on_progress(self, done: int, total: int | None) -> None:
        """Called from the fetch thread: only memory is touched here, the ticker writes."""
        percent = min(99, done * 100 // total) if total else 0
        self.ticker.progress(self.work.item_id, JobItem.Stage.FETCH, percent)

    async def _blocking(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.run_.executor, functools.partial(function, *args, **kwargs)
        )


def attempt_dir(item_id: int, attempt: int) -> Path:
    """Per item and attempt, on MUSIC_ROOT's filesystem so the final move is a rename."""
    return fetch_stage.incoming_dir() / f"item-{item_id}-{attempt}"


def attempt_dirs_remove(item_id: int) -> None:
    """Remove what earlier attempts of an item left behind (a worker killed mid-download)."""
    for leftover in fetch_stage.incoming_dir().glob(f"item-{item_id}-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _duration_of(path: Path) -> float | None:
    audio = mutagen.File(path)
    return float(audio.info.length) if audio is not None and audio.info else None


CONTAINERS = {"opus": "ogg", "ogg": "ogg", "m4a": "mp4", "mp3": "mp3"}


# --- database steps (each one sync function, one transaction) ------------------------------------


def _item_claim(item_id: int) -> Work | None:
    """Take the item if it still waits and its job still runs; the attempt is the claim token."""
    now = timezone.now()
    claimed = JobItem.objects.filter(
        pk=item_id,
        status=JobItem.Status.QUEUED,
        job__status__in=(Job.Status.QUEUED, Job.Status.RUNNING),
        job__cancel_requested=False,
    ).update(
        status=JobItem.Status.RUNNING,
        attempts=F("attempts") + 1,
        heartbeat_at=now,
        started_at=now,
        progress=0,
        stage=JobItem.Stage.RESOLVE,
        error="",
    )
    if not claimed:
        return None
    item = JobItem.objects.select_related("track__album").get(pk=item_id)
    return _work_for(item)


def _work_for(item: JobItem) -> Work:
    track = item.track
    album = track.album
    artists = [
        link.artist.name
        for link in TrackArtist.objects.filter(track=track).select_related("artist")
    ]
    album_artists = (
        [
            link.artist.name
            for link in AlbumArtist.objects.filter(album=album).select_related("artist")
        ]
        if album
        else []
    )
    tags = TrackTags(
        title=track.name,
        artists=tuple(artists),
        album=album.name if album else "",
        album_artists=tuple(album_artists),
        track_number=track.track_number,
        track_total=(album.total_tracks or None) if album else None,
        disc_number=track.disc_number,
        release_date=(album.release_date or None) if album else None,
        isrc=track.isrc or None,
        explicit=track.explicit,
        spotify_url=SPOTIFY_TRACK_URL.format(track.spotify_id),
    )
    query = TrackQuery(
        name=track.name,
        artists=tuple(artists),
        album=tags.album,
        duration_ms=track.duration_ms,
        isrc=track.isrc or None,
        explicit=track.explicit,
    )
    return Work(
        item_id=item.pk,
        attempt=item.attempts,
        track_id=track.pk,
        spotify_id=track.spotify_id,
        query=query,
        tags=tags,
        album_id=album.spotify_id if album else "",
        cover_url=album.cover_url if album else "",
        pin=_pin_candidate(track),
    )


def _pin_candidate(track: Track) -> Candidate | None:
    pin = TrackPin.objects.filter(track=track).first()
    if pin is None:
        return None
    return Candidate(
        id=pin.video_id,
        title="",
        channel="",
        duration=None,
        views=None,
        kind="video",
        url=pin.url or canonical_watch_url(pin.video_id),
        source="pin",
    )


def _mine(work: Work) -> Any:
    """The item, but only while this attempt still owns it (the reaper may have moved it on)."""
    return JobItem.objects.filter(
        pk=work.item_id, attempts=work.attempt, status=JobItem.Status.RUNNING
    )


def _stored_file_reuse(work: Work, audio_format: str) -> bool:
    """A file already stored for this track and format (an earlier job, a crashed attempt)."""
    stored = StoredFile.objects.filter(track_id=work.track_id, audio_format=audio_format).first()
    if stored is None or not stored.exists_on_disk():
        return False
    if work.pin is not None and stored.source_id != work.pin.id:
        return False  # pinned to another upload since this file was stored
    _mine(work).update(
        stored_file=stored,
        candidate_id=stored.source_id,
        candidate_url=stored.source_url,
        match_score=stored.match_score,
        match_reason="Already downloaded",
    )
    return True


def _item_record_match(work: Work, chosen: Candidate | None, result: MatchResult | None) -> None:
    fields: dict[str, Any] = {"alternatives": result.to_dict() if result else {}}
    if chosen is not None:
        fields.update(
            candidate_id=chosen.id,
            candidate_url=chosen.url or "",
            candidate_title=chosen.title[:1000],
            candidate_channel=chosen.channel[:1000],
            match_score=round(result.score, 1) if result else None,
            match_reason=result.reason if result else "Pinned by hand",
        )
    elif result is not None:
        fields.update(match_score=round(result.score, 1), match_reason=result.reason)
    _mine(work).update(**fields)


@transaction.atomic
def _stored_file_record(
    work: Work,
    audio_format: str,
    final: Path,
    fetched: fetch_stage.FetchedAudio,
    duration: float | None,
    candidate: Candidate,
    score: float | None,
) -> None:
    """The file and the item in one transaction: a crash leaves both or neither."""
    stored, _ = StoredFile.objects.update_or_create(
        track_id=work.track_id,
        audio_format=audio_format,
        defaults={
            "path": final.relative_to(store.music_root()).as_posix(),
            "size": final.stat().st_size,
            "codec": fetched.codec,
            "container": CONTAINERS.get(fetched.ext, fetched.ext),
            "duration": duration,
            "source_id": candidate.id,
            "source_url": candidate.url or "",
            "match_score": score,
        },
    )
    _mine(work).update(stored_file=stored)


def _item_record_end(work: Work, outcome: Outcome) -> None:
    now = timezone.now()
    if outcome.status == JobItem.Status.QUEUED:
        # Paused: back in the queue as if never started, so the retry counts stay honest.
        _mine(work).update(
            status=JobItem.Status.QUEUED,
            heartbeat_at=None,
            stage="",
            progress=0,
            attempts=F("attempts") - 1,
        )
        return
    _mine(work).update(
        status=outcome.status,
        error=outcome.error[:2000],
        heartbeat_at=None,
        finished_at=now,
        stage="",
        progress=100 if outcome.status == JobItem.Status.DONE else 0,
    )


# --- the ticker ----------------------------------------------------------------------------------


@dataclass
class _Progress:
    stage: str
    percent: int
    dirty: bool = True


@dataclass
class Ticker:
    """Bookkeeping on a beat: cancel poll, throttled progress writes, heartbeats, counters."""

    job_id: int
    chunk: int | None
    observer: Callable[[int, str, int], None] | None = None
    cancelled: threading.Event = field(default_factory=threading.Event)
    _cancel_async: asyncio.Event = field(default_factory=asyncio.Event)
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

    async def unless_cancelled(self, awaitable: Awaitable[T]) -> T:
        """Await something that has no cancel callback of its own (a search), up to a cancel."""
        work = asyncio.ensure_future(awaitable)
        waiter = asyncio.create_task(self._cancel_async.wait())
        done, _ = await asyncio.wait({work, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if work not in done:
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await work
            raise Cancelled
        return work.result()

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
        if not self.cancelled.is_set() and await sync_to_async(_job_cancel_requested)(self.job_id):
            self.cancelled.set()
            self._cancel_async.set()

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
            await sync_to_async(_tick_write)(self.job_id, self.chunk, dirty, recount, beat)


def _job_cancel_requested(job_id: int) -> bool:
    return bool(Job.objects.filter(pk=job_id).values_list("cancel_requested", flat=True).first())


def _tick_write(
    job_id: int, chunk: int | None, dirty: dict[int, tuple[str, int]], recount: bool, beat: bool
) -> None:
    now = timezone.now()
    with transaction.atomic():
        for item_id, (stage, percent) in dirty.items():
            JobItem.objects.filter(pk=item_id, status=JobItem.Status.RUNNING).update(
                stage=stage, progress=percent, heartbeat_at=now
            )
        if beat:
            _chunk_items(job_id, chunk).filter(
                status__in=JobItem.UNFINISHED, heartbeat_at__isnull=False
            ).update(heartbeat_at=now)
    if recount:
        Job.objects.get(pk=job_id).refresh_counters()
