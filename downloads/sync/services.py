"""Writes for sync: subscribe, change, unsubscribe, sync now, run what is due, and the sync itself.

One sync: re-read the source from Spotify (downloads.sync.reading), compare its tracks with the
ones the last sync saw, start a job for the tracks that need fetching, prune the files of the
tracks dropped (only those nothing of anyone still references), record a summary, and rewrite the
.m3u8 in the source's order. The comparison, the job, the pruning and the summary are one
transaction; files are unlinked only after it commits.

Exactly once: the periodic maintenance task claims due subscriptions with
`select_for_update(skip_locked=True)` and moves `next_run_at` on in the same transaction, so two
workers never claim the same one (on SQLite, IMMEDIATE transactions serialize the claims). A
claimed subscription gets one SyncRun row (at most one waits or runs per subscription, by a
constraint), and the run is executed only by whoever moves it from waiting to running.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from asgiref.sync import async_to_sync
from django.db import IntegrityError, transaction
from django.utils import timezone

from downloads import selectors as download_selectors
from downloads.models import DownloadSettings, Job, StoredFile, Subscription, SubscriptionTrack
from downloads.models import SyncRun as Run
from downloads.pipeline import store
from downloads.pipeline.errors import PathTemplateError, StoreError
from downloads.services import PLAYLISTS_FOLDER, job_create
from downloads.sync import selectors
from downloads.sync.reading import SourceRead, source_read
from library.catalog.writer import chunks
from library.models import Playlist, Track
from library.spotify import SpotifyError, SpotifyQuotaExceeded, close_http_client

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

DUE_BATCH = 100  # subscriptions claimed per maintenance round; the rest wait for the next one
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


# --- subscribing -------------------------------------------------------------------------------


def subscription_create(
    *,
    owner: User,
    source: str,
    target_id: str = "",
    audio_format: str,
    schedule: str,
    start: bool = True,
) -> tuple[Subscription, bool]:
    """Subscribe (True), or change the format and schedule of the existing subscription (False).

    A new subscription syncs at once when `start` (after the transaction commits), then on its
    schedule. Raises selectors.SourceNotFound when the source is not in the person's library.
    """
    target_id = target_id if source == Subscription.Source.PLAYLIST else ""
    title = selectors.source_title(owner, source, target_id)
    with transaction.atomic():
        subscription, created = Subscription.objects.get_or_create(
            owner=owner,
            source=source,
            target_id=target_id,
            defaults={"title": title, "audio_format": audio_format, "schedule": schedule},
        )
        if created:
            subscription.next_run_at = subscription.next_run_after(timezone.now())
            subscription.save(update_fields=["next_run_at"])
            if start:
                subscription_sync_enqueue(subscription=subscription, trigger=Run.Trigger.SUBSCRIBE)
        else:
            subscription_update(
                subscription=subscription, audio_format=audio_format, schedule=schedule
            )
    return subscription, created


def subscription_update(
    *, subscription: Subscription, audio_format: str, schedule: str
) -> Subscription:
    """A new format applies from the next sync; a new schedule counts from now."""
    if schedule != subscription.schedule:
        subscription.schedule = schedule
        subscription.next_run_at = None
        subscription.next_run_at = subscription.next_run_after(timezone.now())
    subscription.audio_format = audio_format
    subscription.save(update_fields=["schedule", "next_run_at", "audio_format", "updated_at"])
    return subscription


def subscription_delete(*, subscription: Subscription) -> None:
    """Stop syncing. Files stay: they are the library's as much as the subscription's."""
    subscription.delete()


# --- starting syncs -----------------------------------------------------------------------------


def subscription_sync_enqueue(
    *, subscription: Subscription, trigger: str = Run.Trigger.MANUAL
) -> tuple[Run, bool]:
    """Queue a sync for a worker (True), or the sync already waiting or running (False)."""
    from downloads.sync.tasks import sync_run_task

    with transaction.atomic():
        run, created = _run_create(subscription, trigger)
        if created:
            transaction.on_commit(lambda: sync_run_task.enqueue(run_id=run.pk))
    return run, created


def subscription_sync(
    *,
    subscription: Subscription,
    trigger: str = Run.Trigger.COMMAND,
    enqueue_downloads: bool = True,
) -> Run:
    """Sync now, in this thread (the command line); a sync running elsewhere is returned as is.

    A sync waiting for a worker is run here instead (its task then finds nothing to do).
    """
    with transaction.atomic():
        run, _created = _run_create(subscription, trigger)
    if run.status == Run.Status.RUNNING:
        return run
    return sync_run_execute(run_id=run.pk, enqueue_downloads=enqueue_downloads) or run


def subscriptions_run_due(*, now: datetime | None = None, limit: int = DUE_BATCH) -> list[Run]:
    """Claim the subscriptions whose time has come and queue one sync each; returns the syncs.

    Safe with any number of callers at once: each due subscription is claimed by exactly one.
    """
    from downloads.sync.tasks import sync_run_task

    now = now or timezone.now()
    runs: list[Run] = []
    with transaction.atomic():
        due = (
            Subscription.objects.select_for_update(skip_locked=True)
            .filter(next_run_at__lte=now)
            .exclude(schedule=Subscription.Schedule.MANUAL)
            .order_by("next_run_at", "pk")[:limit]
        )
        for subscription in due:
            subscription.next_run_at = subscription.next_run_after(now)
            subscription.save(update_fields=["next_run_at", "updated_at"])
            run, created = _run_create(subscription, Run.Trigger.SCHEDULE)
            if created:
                runs.append(run)
        if runs:
            ids = [run.pk for run in runs]
            transaction.on_commit(lambda: [sync_run_task.enqueue(run_id=pk) for pk in ids])
    return runs


def _run_create(subscription: Subscription, trigger: str) -> tuple[Run, bool]:
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


# --- one sync -----------------------------------------------------------------------------------


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
    except SpotifyError as exc:
        run.requests_made = read.requests_made
        _run_finish(run, error=exc.message)
    except Exception:
        logger.exception("Sync %s of subscription %s failed", run.pk, run.subscription_id)
        run.requests_made = read.requests_made
        _run_finish(run, error=UNEXPECTED)
    else:
        _after_commit_files(run)
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
        order = selectors.source_track_ids(locked)
        current, before = set(order), selectors.subscription_track_ids(locked)
        added, removed = current - before, before - current
        fingerprint, previous = _fingerprint(order), locked.order_fingerprint
        wanted = selectors.tracks_to_download(locked, order)
        todo = wanted.track_ids
        job = _job_start(locked, todo, enqueue=enqueue_downloads) if todo else None
        _memberships_update(locked, added=added, removed=removed)
        locked.order_fingerprint = fingerprint
        locked.save(update_fields=["title", "order_fingerprint", "updated_at"])
        pruned = _prune(locked, removed) if removed else _Pruned()
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


# --- pruning -------------------------------------------------------------------------------------


class _Pruned:
    def __init__(
        self, deleted: list[str] | None = None, still_used: int = 0, kept_by_setting: int = 0
    ) -> None:
        self.deleted = deleted or []  # paths relative to MUSIC_ROOT, unlinked after commit
        self.still_used = still_used
        self.kept_by_setting = kept_by_setting


def _prune(subscription: Subscription, removed: set[int]) -> _Pruned:
    """Forget the stored files of dropped tracks that nothing else references.

    Only the subscription's own format: files in other formats were fetched for someone else.
    """
    files = [
        stored
        for chunk in chunks(sorted(removed))
        for stored in StoredFile.objects.filter(
            track_id__in=chunk, audio_format=subscription.audio_format
        )
    ]
    if not files:
        return _Pruned()
    if not DownloadSettings.load().sync_prune_files:
        return _Pruned(kept_by_setting=len(files))
    used = selectors.tracks_still_used([f.track_id for f in files], besides=subscription)
    doomed = [f for f in files if f.track_id not in used]
    for chunk in chunks([f.pk for f in doomed]):
        StoredFile.objects.filter(pk__in=chunk).delete()
    return _Pruned(deleted=[f.path for f in doomed], still_used=len(files) - len(doomed))


def files_remove(paths: list[str]) -> int:
    """Unlink these files (relative to MUSIC_ROOT) and the folders they leave empty."""
    root = store.music_root()
    removed = 0
    for relative in paths:
        try:
            path = store.inside_root(root, relative)
            path.unlink(missing_ok=True)
            removed += 1
            _empty_folders_remove(path.parent, root)
        except (OSError, PathTemplateError):
            logger.exception("Could not delete %s", relative)
    return removed


def _empty_folders_remove(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()  # only ever succeeds on an empty folder
        except OSError:
            return
        folder = folder.parent


# --- finishing -----------------------------------------------------------------------------------


def _run_finish(
    run: Run,
    *,
    error: str = "",
    pruned: _Pruned | None = None,
    wanted: selectors.Wanted | None = None,
    statuses: tuple[str, ...] = (Run.Status.RUNNING,),
) -> None:
    """Record the end of a run (with a conditional UPDATE: a deleted subscription is no error)."""
    run.status = Run.Status.FAILED if error else Run.Status.SUCCEEDED
    run.error = error
    run.finished_at = timezone.now()
    run.summary = error or summary_text(run, pruned or _Pruned(), wanted)
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


def summary_text(run: Run, pruned: _Pruned, wanted: selectors.Wanted | None = None) -> str:
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


# --- the playlist file ---------------------------------------------------------------------------


def _after_commit_files(run: Run) -> None:
    """Rewrite the .m3u8 once the sync is recorded; a failure is logged, the sync stands."""
    try:
        playlist_file_sync(subscription=run.subscription)
    except (OSError, StoreError, PathTemplateError):
        logger.exception("Could not write the playlist file of subscription %s", run.pk)


def playlist_file_path(title: str) -> Path:
    """Where downloads.services.playlist_file_write puts a playlist called `title`."""
    name = store.sanitize_component(title or "Playlist", max_bytes=store.MAX_COMPONENT_BYTES - 6)
    return store.music_root() / PLAYLISTS_FOLDER / f"{name}.m3u8"


def playlist_file_sync(*, subscription: Subscription) -> Path | None:
    """Make the .m3u8 of a playlist or Liked Songs list its stored files in the source's order.

    The same file, with the same lines, as the job's own writer produces when a sync job
    finishes; written only when its text changes. Saved albums have none.
    """
    kind = JOB_KINDS[subscription.source]
    if kind not in Job.M3U8_KINDS:
        return None
    path = playlist_file_path(subscription.title)
    files: list[StoredFile] = []
    if selectors.source_track_ids(subscription):
        # Unsaved: it only carries what the job's writer reads (owner, kind, target, format).
        stand_in = Job(
            owner_id=subscription.owner_id,
            kind=kind,
            target_id=subscription.target_id,
            title=subscription.title,
            audio_format=subscription.audio_format,
        )
        files = download_selectors.playlist_files(job=stand_in)
    entries = [
        store.PlaylistEntry(
            path=stored.absolute_path,
            duration_s=stored.duration,
            artist=", ".join(download_selectors.artist_names(stored.track)),
            title=stored.track.name,
        )
        for stored in files
    ]
    text = store.m3u8_text(path, entries)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return path
    store.write_m3u8(path, entries)
    return path
