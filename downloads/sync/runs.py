"""One sync: re-read the source, compare, start a job, prune, record, rewrite the playlist file.

The source is re-read from Spotify (downloads.sync.reading); its tracks are compared with the
ones the last sync saw, a job starts for the tracks that need fetching, the files of the tracks
dropped are pruned (only those nothing of anyone still references), a summary is recorded, and
the .m3u8 is rewritten in the source's order. The comparison, the job, the pruning and the
summary are one transaction; files are unlinked only after it commits.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from asgiref.sync import async_to_sync
from django.db import IntegrityError, transaction
from django.utils import timezone

from downloads import playlists, preferences
from downloads.models import Job, Subscription, SubscriptionTrack
from downloads.models import SyncRun as Run
from downloads.pipeline.errors import PathTemplateError, StoreError
from downloads.services import job_create
from downloads.sync import selectors
from downloads.sync.prune import Pruned, files_remove, prune
from downloads.sync.reading import SourceRead, source_read
from library.catalog.writer import chunks
from library.models import Playlist, Track
from library.spotify import SpotifyError, SpotifyQuotaExceeded, close_http_client
from spotifydl.notifications.news import news_paused, news_sync_changed

logger = logging.getLogger(__name__)

UNEXPECTED = (
    "Something unexpected went wrong during this sync; it has been logged. The next sync tries "
    "again."
)
INTERRUPTED = "This sync was interrupted (its worker stopped); the next one starts afresh."
# The job each kind of source becomes: playlists and Liked Songs get a .m3u8 when it finishes.
JOB_KINDS: dict[str, str] = {
    Subscription.Source.PLAYLIST: Job.Kind.PLAYLIST,
    Subscription.Source.LIKED: Job.Kind.LIKED,
    Subscription.Source.ALBUMS: Job.Kind.SELECTION,
}


def run_create(subscription: Subscription, trigger: str) -> tuple[Run, bool]:
    """A new waiting run (True), or the subscription's live waiting or running one (False).

    Call inside a transaction. A run left behind by a dead worker is failed first.
    """
    for _attempt in range(3):
        active = Run.objects.filter(subscription=subscription, status__in=Run.ACTIVE).first()
        if active is not None and not active.is_stale():
            return active, False
        if active is not None:
            _run_finish(active, error=INTERRUPTED, statuses=Run.ACTIVE)
        try:
            with transaction.atomic():
                return Run.objects.create(subscription=subscription, trigger=trigger), True
        except IntegrityError:
            continue  # another caller created one between our look and our insert
    raise RuntimeError(f"Could not start a sync of subscription {subscription.pk}")


def sync_run_execute(*, run_id: int, enqueue_downloads: bool = True) -> Run | None:
    """Run a waiting sync to its end; a run someone else took (or that is gone) is returned as is.

    `enqueue_downloads=False` leaves the job's items for a caller that runs them itself.
    """
    run = _run_claim(run_id)
    if run is None:
        return Run.objects.filter(pk=run_id).first()
    read = SourceRead()
    try:
        async_to_sync(_read_in_own_loop)(run.subscription, read)
        _apply(run, read, enqueue_downloads=enqueue_downloads)
    except _SubscriptionGone:
        return None
    except SpotifyQuotaExceeded as exc:
        _quota_postpone(run.subscription, exc.retry_at)
        run.requests_made = read.requests_made
        _run_finish(run, error=_quota_message(run.subscription, exc.retry_at))
        news_paused(
            owner_id=run.subscription.owner_id,
            service="Spotify",
            until=exc.retry_at,
            reason=run.error,
        )
    except SpotifyError as exc:
        run.requests_made = read.requests_made
        _run_finish(run, error=exc.message)
    except Exception:
        logger.exception("Sync %s of subscription %s failed", run.pk, run.subscription_id)
        run.requests_made = read.requests_made
        _run_finish(run, error=UNEXPECTED)
    else:
        _after_commit_files(run)
        if run.added or run.removed or run.reordered:
            news_sync_changed(
                owner_id=run.subscription.owner_id,
                name=_current_title(run.subscription),
                summary=run.summary,
            )
    logger.info("Sync %s of subscription %s: %s", run.pk, run.subscription_id, run.summary)
    return run


def _run_claim(run_id: int) -> Run | None:
    """Move a waiting run to running; None when another worker has it (or it is gone)."""
    now = timezone.now()
    moved = Run.objects.filter(pk=run_id, status=Run.Status.QUEUED).update(
        status=Run.Status.RUNNING, started_at=now
    )
    if not moved:
        return None
    return Run.objects.select_related("subscription__owner").get(pk=run_id)


async def _read_in_own_loop(subscription: Subscription, read: SourceRead) -> None:
    try:
        await source_read(subscription, read)
    finally:
        # This event loop ends with the sync: its HTTP connections must not outlive it.
        await close_http_client()


class _SubscriptionGone(Exception):
    """Unsubscribed while the sync read Spotify: nothing to record."""


def _apply(run: Run, read: SourceRead, *, enqueue_downloads: bool) -> None:
    """Compare, start the job, prune, record: one transaction."""
    with transaction.atomic():
        # Locked: two syncs of one subscription (a stale one and its successor) never interleave.
        locked = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("owner")
            .filter(pk=run.subscription_id)
            .first()
        )
        if locked is None:
            raise _SubscriptionGone
        locked.title = _current_title(locked)
        order = playlists.source_track_ids(
            source=locked.source, owner_id=locked.owner_id, target_id=locked.target_id
        )
        current, before = set(order), selectors.subscription_track_ids(subscription=locked)
        added, removed = current - before, before - current
        fingerprint, previous = _fingerprint(order), locked.order_fingerprint
        wanted = selectors.tracks_to_download(subscription=locked, track_ids=order)
        todo = wanted.track_ids
        job = _job_start(locked, todo, enqueue=enqueue_downloads) if todo else None
        _memberships_update(locked, added=added, removed=removed)
        locked.order_fingerprint = fingerprint
        locked.save(update_fields=["title", "order_fingerprint", "updated_at"])
        pruned = prune(locked, removed) if removed else Pruned()
        run.subscription = locked
        run.added, run.removed, run.kept = len(added), len(removed), len(current & before)
        run.reordered = bool(before and not added and not removed and fingerprint != previous)
        run.unchanged = read.unchanged
        run.downloading = len(todo)
        run.job = job
        run.files_deleted = len(pruned.deleted)
        run.requests_made = read.requests_made
        _run_finish(run, pruned=pruned, wanted=wanted)
        paths = pruned.deleted
        transaction.on_commit(lambda: files_remove(paths))


def _current_title(subscription: Subscription) -> str:
    if subscription.source != Subscription.Source.PLAYLIST:
        return subscription.title
    name = (
        Playlist.objects.filter(spotify_id=subscription.target_id)
        .values_list("name", flat=True)
        .first()
    )
    return name or subscription.title


def _fingerprint(order: list[int]) -> str:
    return hashlib.sha256(",".join(map(str, order)).encode()).hexdigest()


def _job_start(subscription: Subscription, track_ids: list[int], *, enqueue: bool) -> Job:
    by_id = Track.objects.in_bulk(track_ids)
    return job_create(
        owner=subscription.owner,
        kind=JOB_KINDS[subscription.source],
        target_id=subscription.target_id,
        title=subscription.title,
        tracks=[by_id[pk] for pk in track_ids if pk in by_id],
        audio_format=subscription.audio_format,
        enqueue=enqueue,
    )


def _memberships_update(subscription: Subscription, *, added: set[int], removed: set[int]) -> None:
    for chunk in chunks(sorted(removed)):
        subscription.memberships.filter(track_id__in=chunk).delete()
    SubscriptionTrack.objects.bulk_create(
        [SubscriptionTrack(subscription=subscription, track_id=pk) for pk in sorted(added)],
        ignore_conflicts=True,
    )


# --- finishing -----------------------------------------------------------------------------------


def _run_finish(
    run: Run,
    *,
    error: str = "",
    pruned: Pruned | None = None,
    wanted: selectors.Wanted | None = None,
    statuses: tuple[str, ...] = (Run.Status.RUNNING,),
) -> None:
    """Record the end of a run (with a conditional UPDATE: a deleted subscription is no error)."""
    run.status = Run.Status.FAILED if error else Run.Status.SUCCEEDED
    run.error = error
    run.finished_at = timezone.now()
    run.summary = error or summary_text(run, pruned or Pruned(), wanted)
    Run.objects.filter(pk=run.pk, status__in=statuses).update(
        status=run.status,
        error=run.error,
        finished_at=run.finished_at,
        summary=run.summary,
        added=run.added,
        removed=run.removed,
        kept=run.kept,
        files_deleted=run.files_deleted,
        downloading=run.downloading,
        reordered=run.reordered,
        unchanged=run.unchanged,
        requests_made=run.requests_made,
        job=run.job,
    )


def summary_text(run: Run, pruned: Pruned, wanted: selectors.Wanted | None = None) -> str:
    """The "added 10, removed 2, kept 50" line and, in plain words, whatever else happened."""
    parts = [f"added {run.added}, removed {run.removed}, kept {run.kept}"]
    if run.reordered:
        parts.append("order changed")
    if run.unchanged and not run.added and not run.removed:
        parts.append("playlist unchanged on Spotify")
    if run.downloading and run.job is not None:
        parts.append(f"downloading {_tracks(run.downloading)} (job #{run.job.pk})")
    if wanted is not None and wanted.in_flight:
        parts.append(f"{_tracks(wanted.in_flight)} still being downloaded")
    if wanted is not None and wanted.no_match:
        parts.append(
            f"{_tracks(wanted.no_match)} not tried again: no match last time (pin an upload to "
            "fetch them)"
        )
    if pruned.deleted:
        parts.append(f"{_files(len(pruned.deleted))} deleted")
    if pruned.still_used:
        parts.append(
            f"{_files(pruned.still_used)} kept: still in someone's playlists, likes, albums "
            "or downloads"
        )
    if pruned.kept_by_setting:
        parts.append(f"{_files(pruned.kept_by_setting)} kept: deleting files is turned off")
    return "; ".join(parts)


def _tracks(count: int) -> str:
    return f"{count} track{'s' if count != 1 else ''}"


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"


def _quota_postpone(subscription: Subscription, retry_at: datetime) -> None:
    """A scheduled subscription next runs once Spotify's quota is back, not before."""
    if subscription.schedule == Subscription.Schedule.MANUAL:
        return
    Subscription.objects.filter(pk=subscription.pk, next_run_at__lt=retry_at).update(
        next_run_at=retry_at
    )


def _quota_message(subscription: Subscription, retry_at: datetime) -> str:
    when = f"{retry_at:%Y-%m-%d %H:%M} UTC"
    if subscription.schedule == Subscription.Schedule.MANUAL:
        return f"Spotify's request limit for this app is used up until {when}; sync again then."
    return f"Spotify's request limit for this app is used up until {when}; the next sync runs then."


def _after_commit_files(run: Run) -> None:
    """Rewrite the .m3u8 once the sync is recorded (unless its owner turned playlist files
    off); a failure is logged, the sync stands."""
    if not preferences.playlist_files_wanted(user_id=run.subscription.owner_id):
        return
    try:
        playlists.playlist_file_sync(subscription=run.subscription)
    except (OSError, StoreError, PathTemplateError):
        logger.exception("Could not write the playlist file of subscription %s", run.pk)
