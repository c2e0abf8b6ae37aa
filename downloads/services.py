"""Writes on the disk side: create, enqueue, cancel, retry, pause, unpause and resume jobs
(downloads/reaper.py hands on the work of dead workers).

Every function is keyword-only and safe to call from a view, a task or the CLI. Tasks are
enqueued only after the transaction that made their items commits, so a worker never looks for
items that are not there yet.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from asgiref.sync import async_to_sync
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from downloads import cookies as cookies_files
from downloads import enqueue, job_news, playlists, preferences, selectors, uploads, youtube_gate
from downloads.job_items import NewItem, items_insert
from downloads.models import AudioFormat, DownloadSettings, Job, JobItem
from library import live
from library.models import Track
from library.spotify import SpotifyError
from library.spotify.errors import SpotifyBadRequest, SpotifyForbidden, SpotifyNotFound
from spotifydl.notifications.news import news_paused

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


def job_create(
    *,
    owner: User,
    kind: str,
    target_id: str,
    title: str,
    tracks: Sequence[Track],
    audio_format: str = AudioFormat.ORIGINAL,
    enqueue: bool = True,
) -> Job:
    """A job with one item per distinct track; tracks already on disk in the format finish now.

    `enqueue=False` leaves the items for a caller that runs them itself (the CLI).
    """
    unique = list({track.pk: track for track in tracks}.values())
    with transaction.atomic():
        job = Job.objects.create(
            owner=owner,
            kind=kind,
            target_id=target_id,
            title=title[:1000],
            audio_format=audio_format,
        )
        # Files on disk of the upload this person's choice resolves to finish at once.
        stored = uploads.stored_files_for(
            owner_id=owner.pk, track_ids=[t.pk for t in unique], audio_format=audio_format
        )
        size = DownloadSettings.load().chunk_size
        items = [
            NewItem(track.pk, position, position // size, stored.get(track.pk))
            for position, track in enumerate(unique)
        ]
        items_insert(job_id=job.pk, items=items)
        if job.finish_if_done():
            transaction.on_commit(lambda: job_after_finish(job=job))
        elif enqueue:
            # The chunks are known here: no need to read them back after the commit.
            chunks = {item.chunk for item in items if item.stored is None}
            transaction.on_commit(lambda: _job_chunks_enqueue(job, chunks))
    return job


def job_enqueue(*, job: Job) -> int:
    """Enqueue one task per chunk that has waiting items; returns how many were enqueued.

    A chunk enqueued twice is harmless: items are claimed one by one with a conditional UPDATE,
    so the second task finds nothing left to claim.
    """
    chunks = set(job.items.filter(status=JobItem.Status.QUEUED).values_list("chunk", flat=True))
    return _job_chunks_enqueue(job, chunks)


def _job_chunks_enqueue(job: Job, chunks: set[int]) -> int:
    enqueued = _chunks_enqueue(job, chunks)
    enqueue.maintenance_ensure_scheduled()
    return enqueued


def job_cancel(*, job: Job) -> None:
    """Waiting items end at once; running ones stop within a couple of seconds."""
    was_finished = job.status in Job.FINISHED
    job.request_cancel()
    if not was_finished and job.status in Job.FINISHED:
        job_after_finish(job=job)


def job_retry(*, job: Job) -> int:
    """Queue the failed and unmatched items again (and only those); returns how many."""
    return _items_requeue(job, JobItem.RETRYABLE)


def job_resume(*, job: Job, user: User, enqueue: bool = True) -> int:
    """Go on with `user`'s job: a paused one now, a cancelled one with the tracks its cancel
    left undone (failed ones are Retry's). Returns how many tracks wait again; raises
    Job.DoesNotExist for anyone else's job. `enqueue=False`: the caller runs it (the CLI)."""
    if job.owner_id != user.pk:
        raise Job.DoesNotExist("No such job")
    if job.status == Job.Status.PAUSED:
        moved = job_unpause(job=job) if enqueue else job.resume()
        return job.items.filter(status=JobItem.Status.QUEUED).count() if moved else 0
    return _items_requeue(job, (JobItem.Status.CANCELLED,), enqueue=enqueue)


def _items_requeue(job: Job, statuses: tuple[str, ...], *, enqueue: bool = True) -> int:
    """Queue a finished job's items in these states again and reopen it."""
    if job.is_active:
        return 0
    with transaction.atomic():
        count = job.items.filter(status__in=statuses).update(
            status=JobItem.Status.QUEUED,
            error="",
            error_kind="",
            failure_cause=JobItem.FailureCause.NONE,
            transient_retries=0,
            progress=0,
            stage="",
            finished_at=None,
            updated_at=timezone.now(),
            **JobItem.LET_GO,
        )
        if count:
            job.reopen()
            if enqueue:
                transaction.on_commit(lambda: job_enqueue(job=job))
    return count


def job_pause(*, job: Job, until: datetime, reason: str) -> None:
    """Stop taking items until `until` (Spotify's quota); the maintenance task resumes it."""
    if job.pause(until=until, reason=reason):
        news_paused(owner_id=job.owner_id, service="Spotify", until=until, reason=reason)


def jobs_pause_for_youtube(
    *, until: datetime, reason: str, job_ids: Iterable[int] | None = None
) -> int:
    """Pause the jobs with work left (all of them, or `job_ids`) while YouTube's limits hold;
    a maintenance round at `until` resumes them. Returns how many jobs were paused."""
    # A job already paused by Spotify keeps its own resume time.
    waiting = Q(status__in=(Job.Status.QUEUED, Job.Status.RUNNING)) | Q(
        status=Job.Status.PAUSED, pause_cause=Job.PauseCause.YOUTUBE
    )
    jobs = Job.objects.filter(waiting, cancel_requested=False)
    jobs = jobs.filter(items__status__in=JobItem.UNFINISHED).distinct()
    if job_ids is not None:
        jobs = jobs.filter(pk__in=list(job_ids))
    newly = {job.owner_id for job in jobs if job.status != Job.Status.PAUSED}
    paused = sum(
        job.pause(until=until, reason=reason, cause=Job.PauseCause.YOUTUBE) for job in jobs
    )
    enqueue.maintenance_schedule_at(when=until)
    if job_ids is None:  # the gate closed (a pacing wait is no news)
        for owner_id in sorted(newly):
            news_paused(owner_id=owner_id, service="YouTube", until=until, reason=reason)
    return paused


def jobs_resume_for_youtube() -> int:
    """Resume now every job YouTube's limits paused (the gate was opened by hand)."""
    paused = Job.objects.filter(status=Job.Status.PAUSED, pause_cause=Job.PauseCause.YOUTUBE)
    return sum(job_unpause(job=job) for job in paused)


def job_unpause(*, job: Job) -> bool:
    """A paused job back to the queue now; True when this call moved it."""
    with transaction.atomic():
        moved = job.resume()
        if moved:
            transaction.on_commit(lambda: job_enqueue(job=job))
    return moved


def jobs_resume_due(*, now: datetime | None = None) -> int:
    """Resume every paused job whose pause is over; returns how many."""
    now = now or timezone.now()
    due = Job.objects.filter(status=Job.Status.PAUSED, resumes_at__lte=now)
    return sum(job_unpause(job=job) for job in due)


def job_finish_if_done(*, job: Job) -> bool:
    """End the job once nothing is left, after its end-of-job round (worker/retrying.py):
    transient failures are queued once more first. True only for the call that ended it."""
    chunks = job.final_round_start()
    if chunks:
        transaction.on_commit(lambda: _chunks_enqueue(job, chunks))
        return False
    if job.finish_if_done():
        job_after_finish(job=job)
        return True
    return False


def _chunks_enqueue(job: Job, chunks: set[int]) -> int:
    return enqueue.chunks_enqueue(job_id=job.pk, chunks=chunks)


def job_after_finish(*, job: Job) -> None:
    """Whatever follows a finished job: the news of it, and the playlist file beside the music
    (unless the person turned playlist files off)."""
    job_news.job_news_send(job=job)
    if job.kind in Job.M3U8_KINDS and preferences.playlist_files_wanted(user_id=job.owner_id):
        try:
            playlists.playlist_file_write(job=job)
        except OSError:
            # The downloads themselves are fine; a missing playlist file is reported, not fatal.
            logger.exception("Could not write the playlist file of job %s", job.pk)


def job_start(
    *, owner: User, kind: str, target_id: str, audio_format: str, enqueue: bool = True
) -> Job:
    """A job for what the person asked for (a playlist, an album, Liked Songs...), enqueued
    unless the caller runs it itself (`enqueue=False`, the CLI).

    A track or album outside their library is asked of Spotify with their own token (a pasted
    public link works). Raises selectors.TargetNotFound when it is not theirs to download or has
    no tracks; the words never depend on what other people have.
    """
    try:
        target = selectors.target_tracks(user=owner, kind=kind, target_id=target_id)
    except selectors.TargetNotVisible:
        if kind not in LOOKED_UP_KINDS:
            raise
        target = _spotify_target(owner=owner, kind=kind, target_id=target_id)
    return job_create(
        owner=owner,
        kind=target.kind,
        target_id=target.target_id,
        title=target.title,
        tracks=target.tracks,
        audio_format=audio_format,
        enqueue=enqueue,
    )


LOOKED_UP_KINDS = (Job.Kind.TRACK, Job.Kind.ALBUM)


def _spotify_target(*, owner: User, kind: str, target_id: str) -> selectors.Target:
    """The track or album as Spotify gives it to this person, stored in the catalog first."""
    what = "track" if kind == Job.Kind.TRACK else "album"
    try:
        if kind == Job.Kind.TRACK:
            async_to_sync(live.track_catalog_ensure)(user=owner, track_id=target_id)
        else:
            async_to_sync(live.album_catalog_ensure)(user=owner, album_id=target_id)
    except (SpotifyNotFound, SpotifyBadRequest, SpotifyForbidden):
        raise selectors.TargetNotFound(selectors.NOT_VISIBLE.format(what=what)) from None
    except SpotifyError as exc:
        raise selectors.TargetNotFound(exc.message) from exc
    return selectors.looked_up_target(kind=kind, target_id=target_id)


# --- installation settings ---------------------------------------------------------------------


def download_settings_update(
    *,
    default_format: str,
    path_template: str,
    concurrency: int | None,
    sync_prune_files: bool = True,
    cookies: bytes | None = None,
    clear_cookies: bool = False,
) -> DownloadSettings:
    config = DownloadSettings.load()
    config.default_format = default_format
    config.path_template = path_template
    config.concurrency = concurrency
    config.sync_prune_files = sync_prune_files
    if clear_cookies:
        _cookies_remove(config)
    elif cookies is not None:
        config.cookies_blob = cookies_files.cookies_seal(cookies)
        config.cookies_uploaded_at = timezone.now()
    config.save()
    if cookies is not None and not clear_cookies:
        # A sign-in check may be passed now: open the gate and try again at once.
        youtube_gate.gate_open()
        jobs_resume_for_youtube()
    return config


def _cookies_remove(config: DownloadSettings) -> None:
    cookies_files.installation_cookies_remove()
    config.cookies_blob = ""
    config.cookies_uploaded_at = None
