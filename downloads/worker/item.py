"""One track's path, top to bottom: pin or resolve → match → page → fetch → tag → store →
record → lyrics (the cover and the lyrics are asked while the media downloads). In a chunk run,
everything up to the page happens while the slot's previous track downloads (worker/turn.py).

Blocking work (yt-dlp, mutagen, file moves) runs on the chunk's thread pool; database writes go
through `records`, one sync function per transaction. Cancel is read from the run's one token.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import httpx
import mutagen
from asgiref.sync import sync_to_async

from downloads import youtube_gate
from downloads.failures import NO_MATCH
from downloads.models import JobItem
from downloads.pipeline import store
from downloads.pipeline.errors import FetchError
from downloads.pipeline.fetch.options import FetchOptions
from downloads.pipeline.fetch.stage import FetchedAudio, Page, fetch, read_ahead
from downloads.pipeline.match.score import MatchResult, match
from downloads.pipeline.metadata import CoverCache
from downloads.pipeline.resolve import Resolver, SourceFailure
from downloads.pipeline.sources.common import canonical_watch_url
from downloads.pipeline.tag import write_tags
from downloads.pipeline.types import Candidate
from downloads.worker import governor, records, workdir
from downloads.worker.alongside import Alongside
from downloads.worker.cancel import Cancelled, CancelToken
from downloads.worker.lyrics_step import lyrics_beside, lyrics_store
from downloads.worker.ticker import Ticker
from downloads.worker.turn import Turn
from downloads.worker.work import ChunkOptions, Outcome, Work

T = TypeVar("T")


@dataclass(frozen=True)
class ItemContext:
    """What an item borrows from its chunk run: shared clients, pool, ticker and cancel token."""

    options: ChunkOptions
    resolver: Resolver
    covers: CoverCache
    client: httpx.AsyncClient
    executor: ThreadPoolExecutor
    ticker: Ticker
    cancel: CancelToken


class ItemPipeline:
    """`turn`, in a chunk run: the item's download waits for its slot's previous one, and tells
    the slot once its media is in (the remux, tags and store finish beside the next download)."""

    def __init__(self, context: ItemContext, work: Work, turn: Turn | None = None) -> None:
        self.context = context
        self.work = work
        self.turn = turn
        self._abandoned = False  # the fetch thread was left to end on its own (a cancel)
        self._matched: tuple[tuple[Candidate, ...], MatchResult] | None = None

    async def run(self) -> Outcome:
        """Raises Cancelled, FetchError, PipelineError, and YouTubeHeld / YouTubeRefused when
        YouTube's limits stop it; the chunk turns them into outcomes."""
        audio_format = self.context.options.audio_format
        if await sync_to_async(records.stored_file_reuse)(self.work, audio_format):
            return Outcome(JobItem.Status.DONE)
        self._stage(JobItem.Stage.RESOLVE)
        if self.work.pin is None:
            await governor.take_turn("search", self.context.cancel)
        chosen, result, failures = await self.context.cancel.unless(self._choose())
        await sync_to_async(records.item_record_match)(self.work, chosen, result)
        if chosen is None:
            transient = any(f.transient for f in failures)
            if (result is None or transient) and failures:
                # A source that could not answer may have held the match: not a "no match".
                reasons = "; ".join(f"{f.source} {f.reason}" for f in failures)
                causes = JobItem.FailureCause
                cause = causes.TRANSIENT if transient else causes.PERMANENT
                # The kind of the failure that decided it (a lasting one over a glitch).
                kind = next((f.kind for f in failures if f.transient == transient), "")
                status = JobItem.Status.FAILED
                return Outcome(status, f"Search failed: {reasons}", cause, kind)
            reason = result.reason if result is not None else "No candidates found"
            return Outcome(JobItem.Status.NO_MATCH, reason, kind=NO_MATCH)
        return await self._download(chosen, result.score if result else None)

    async def _choose(self) -> tuple[Candidate | None, MatchResult | None, list[SourceFailure]]:
        """The pin when there is one; else the first source whose candidates the matcher accepts."""
        if self.work.pin is not None:
            return self.work.pin, None, []
        failures: list[SourceFailure] = []
        best: MatchResult | None = None
        answers = self.context.resolver.attempts(self.work.query, enough=self._isrc_hit_accepted)
        async for answer in answers:
            if answer.failure is not None:
                governor.refuse_if_search_limit(answer.failure)
                failures.append(answer.failure)
                continue
            if not answer.candidates:
                continue
            self._stage(JobItem.Stage.MATCH)
            result = self._match(answer.candidates)
            if result.chosen is not None:
                return result.chosen, result, failures
            best = best or result
        return None, best, failures

    def _isrc_hit_accepted(self, candidates: Sequence[Candidate]) -> bool:
        """The ISRC search found the recording and the matcher takes it as an official upload:
        the text search could add nothing better."""
        if not candidates:
            return False
        result = self._match(candidates)
        return any(
            s.candidate is result.chosen and s.candidate.from_isrc and not s.last_resort
            for s in result.ranked
        )

    def _match(self, candidates: Sequence[Candidate]) -> MatchResult:
        """The matcher's verdict; the ISRC hit it accepted is not scored a second time."""
        key = tuple(candidates)
        if self._matched is None or self._matched[0] != key:
            self._matched = key, match(self.work.query, candidates)
        return self._matched[1]

    async def _download(self, candidate: Candidate, score: float | None) -> Outcome:
        """Cover and lyrics are asked while the media downloads (worker/alongside.py)."""
        context = self.context
        alongside = Alongside(self.work, covers=context.covers, client=context.client)
        try:
            final, lyrics_done = await self._download_and_store(candidate, score, alongside)
            answer = None if lyrics_done else await alongside.lyrics()
        finally:
            await alongside.aclose()
        await lyrics_store(self.work, final, answer, executor=context.executor)
        return Outcome(JobItem.Status.DONE)

    async def _download_and_store(
        self, candidate: Candidate, score: float | None, alongside: Alongside
    ) -> tuple[Path, bool]:
        """The stored file, and whether LRCLIB's answer was in for its one tag write."""
        context, work = self.context, self.work
        folder = workdir.attempt_dir(work.item_id, work.attempt)
        try:
            await asyncio.to_thread(workdir.attempt_dir_create, work.item_id, work.attempt)
            fetched = await self._fetch(candidate, folder)
            self._stage(JobItem.Stage.TAG, 100)
            tags = replace(work.tags, source_url=candidate.url, match_score=score)
            cover = await alongside.cover(context.cancel)
            lyrics_in = alongside.lyrics_in()
            early = await alongside.lyrics() if lyrics_in else None
            chosen = early.chosen()[0] if early is not None else None
            await self._blocking(write_tags, fetched.path, tags, cover, chosen)
            self._stage(JobItem.Stage.STORE, 100)
            planned = store.render_path(
                context.options.path_template, store.PathFields.from_tags(tags, fetched.ext)
            )
            held = await sync_to_async(records.paths_held)(
                work, context.options.audio_format, candidate.id
            )
            final = await self._blocking(
                store.store_file,
                fetched.path,
                planned,
                track_id=work.spotify_id,
                upload_id=candidate.id,
                held=held,
            )
            duration = await self._blocking(_duration_of, final)
            lyrics_status = await self._blocking(lyrics_beside, final, early) if early else None
        except FetchError as exc:
            if exc.kind == "cancelled" or context.cancel.is_set():
                raise Cancelled from exc
            governor.refuse_if_limit(exc)
            raise
        finally:
            if not self._abandoned:  # else the abandoned thread removes it when it ends
                await asyncio.to_thread(workdir.attempt_dir_remove, folder)
        await sync_to_async(records.stored_file_record)(
            work,
            context.options.audio_format,
            final,
            fetched,
            duration,
            candidate,
            score,
            lyrics=lyrics_status,
        )
        return final, lyrics_in

    async def _fetch(self, candidate: Candidate, folder: Path) -> FetchedAudio:
        """yt-dlp in the pool, once: the fetch stage owns the retries of a download."""
        context, options = self.context, self.context.options
        url = candidate.url or canonical_watch_url(candidate.id)
        fetch_options = FetchOptions(
            audio_format=options.audio_format,  # type: ignore[arg-type]
            cookiefile=Path(options.cookies_path) if options.cookies_path else None,
        )
        await governor.take_turn("fetch", context.cancel)
        page = await self._page_ahead(url, fetch_options)
        self._stage(JobItem.Stage.FETCH)
        thread = context.executor.submit(
            fetch,
            url,
            options=fetch_options,
            workdir=folder,
            progress=self._on_progress,
            cancel=context.cancel.stopping,
            downloaded=functools.partial(self._on_downloaded, asyncio.get_running_loop()),
            page=page,
        )
        try:
            fetched = await self.context.cancel.unless(asyncio.wrap_future(thread))
        except Cancelled:
            # A stalled connection may hold the thread for a whole socket timeout: leave it to
            # end on its own (it sees the cancel too); its attempt folder goes when it does.
            self._abandoned = True
            thread.add_done_callback(lambda _: workdir.attempt_dir_remove(folder))
            raise
        await sync_to_async(youtube_gate.gate_success)()
        return fetched

    async def _page_ahead(self, url: str, options: FetchOptions) -> Page | None:
        """In a slot, the page is read while the slot's previous item still downloads; then the
        item waits for the connection."""
        if self.turn is None:
            return None
        cancel = self.context.cancel
        reading = self._blocking(read_ahead, url, options=options, cancel=cancel.stopping)
        page = await cancel.unless(reading)
        await self.turn.download(cancel)
        return page

    def _stage(self, stage: str, percent: int = 0) -> None:
        self.context.cancel.check()
        self.context.ticker.progress(self.work.item_id, stage, percent)

    def _on_downloaded(self, loop: asyncio.AbstractEventLoop) -> None:
        """Called from the fetch thread; the loop may be gone when an abandoned thread ends."""
        if self.turn is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self.turn.media_in.set)

    def _on_progress(self, done: int, total: int | None) -> None:
        """Called from the fetch thread: only memory is touched here, the ticker writes."""
        percent = min(99, done * 100 // total) if total else 0
        self.context.ticker.progress(self.work.item_id, JobItem.Stage.FETCH, percent)

    async def _blocking(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.context.executor, functools.partial(function, *args, **kwargs)
        )


def _duration_of(path: Path) -> float | None:
    audio = mutagen.File(path)
    return float(audio.info.length) if audio is not None and audio.info else None
