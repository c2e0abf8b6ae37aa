"""Reads on the disk side: a person's jobs, one job with its items, per-track download state.

Every read that takes a user only ever sees that user's jobs; views turn a miss into a 404.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from downloads.format_labels import format_short
from downloads.models import Job, JobItem, StoredFile
from library import tracklists
from library.models import (
    Album,
    Artist,
    Track,
    TrackArtist,
    UserPlaylist,
    artist_links_prefetch,
    in_library_of,
)
from library.selectors import album_in_library

if TYPE_CHECKING:
    from django.contrib.auth.models import User as AnyUser


class JobFilter(StrEnum):
    ALL = "all"
    ACTIVE = "active"
    FINISHED = "finished"
    FAILED = "failed"


_FILTERS: dict[JobFilter, tuple[str, ...]] = {
    JobFilter.ACTIVE: Job.ACTIVE,
    JobFilter.FINISHED: (Job.Status.COMPLETED, Job.Status.PARTIAL, Job.Status.CANCELLED),
    JobFilter.FAILED: (Job.Status.FAILED, Job.Status.PARTIAL),
}


def with_progress(jobs: QuerySet[Job]) -> QuerySet[Job]:
    """Jobs with their running items' progress (`Job.progress` reads it; a track is 100
    points), a subquery per job shown rather than a join over every item of every job. The
    status is in the WHERE clause, not a filter of the Sum: the status index finds the few
    running items instead of reading every item of a 10,000-track job (3 ms a job, bench P6)."""
    running = (
        JobItem.objects.filter(job=OuterRef("pk"), status=JobItem.Status.RUNNING)
        .values("job")
        .annotate(n=Sum("progress"))
    )
    return jobs.annotate(in_flight=Coalesce(Subquery(running.values("n")[:1]), 0))


def jobs_for(*, user: AnyUser, which: JobFilter = JobFilter.ALL) -> QuerySet[Job]:
    """A person's jobs, newest first; `failed` includes jobs where only some tracks failed."""
    jobs = with_progress(Job.objects.filter(owner_id=user.pk))
    if which in _FILTERS:
        jobs = jobs.filter(status__in=_FILTERS[which])
    return jobs.order_by("-created_at", "-pk")


def job_for(*, user: AnyUser, job_id: int) -> Job:
    """One of the person's jobs; raises Job.DoesNotExist for anyone else's."""
    return with_progress(Job.objects.filter(owner_id=user.pk)).get(pk=job_id)


class ItemFilter(StrEnum):
    ALL = "all"
    PROBLEMS = "problems"
    ACTIVE = "active"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"problems": "Failed or no match", "active": "Waiting or running"}.get(
            self.value, self.value.capitalize()
        )

    def size_in(self, job: Job) -> int:
        """How many items the tab holds, from the job's counters (no query); the progress
        stream's job event carries these counts for progress.js to write."""
        return {
            ItemFilter.ALL: job.total,
            ItemFilter.PROBLEMS: job.failed + job.no_match,
            ItemFilter.ACTIVE: job.total - job.processed,
            ItemFilter.DONE: job.done,
            ItemFilter.CANCELLED: job.cancelled,
        }[self]


_ITEM_FILTERS: dict[ItemFilter, tuple[str, ...]] = {
    ItemFilter.PROBLEMS: JobItem.RETRYABLE,
    ItemFilter.ACTIVE: JobItem.UNFINISHED,
    ItemFilter.DONE: (JobItem.Status.DONE,),
    ItemFilter.CANCELLED: (JobItem.Status.CANCELLED,),
}


def job_items(*, job: Job, which: ItemFilter = ItemFilter.ALL) -> QuerySet[JobItem]:
    """A job's items in order, with each one's track, album, artists and file: slice it (a page)
    and the related rows come in a fixed number of queries. Not the match alternatives: a few
    KB of JSON per item that only the match page shows (a quarter of a job page's CPU)."""
    items = JobItem.objects.filter(job_id=job.pk)
    if which in _ITEM_FILTERS:
        items = items.filter(status__in=_ITEM_FILTERS[which])
    return (
        items.select_related("track__album", "stored_file")
        .defer("alternatives")
        .prefetch_related(artist_links_prefetch("track__"))
        .order_by("position")
    )


# --- per-track state for browsing pages ---------------------------------------------------------


class DownloadState(StrEnum):
    NOT_DOWNLOADED = "not_downloaded"
    QUEUED = "queued"
    DOWNLOADING = "downloading"
    DOWNLOADED = "downloaded"
    FAILED = "failed"
    NO_MATCH = "no_match"


@dataclass(frozen=True, slots=True)
class TrackState:
    state: DownloadState
    percent: int = 0
    audio_format: str = ""
    reason: str = ""  # a failure's own words; the badge's note reads them with `kind`
    codec: str = ""
    kind: str = ""  # the failure's kind (downloads/failures.py)
    item_id: int | None = None  # the failed item, whose match page the note may link

    @property
    def label(self) -> str:
        match self.state:
            case DownloadState.QUEUED:
                return "Queued"
            case DownloadState.DOWNLOADING:
                return f"Downloading {self.percent}%"
            case DownloadState.DOWNLOADED:
                return f"Downloaded · {format_short(self.audio_format, self.codec)}"
            case DownloadState.FAILED:
                return "Failed"
            case DownloadState.NO_MATCH:
                return "No match"
        return "Not downloaded"


NOT_DOWNLOADED = TrackState(DownloadState.NOT_DOWNLOADED)


def track_states(*, user: AnyUser, track_ids: Sequence[int]) -> dict[int, TrackState]:
    """Each track's download state for this person, in ONE query however many tracks.

    A file is shared by everyone, so a track someone else downloaded is downloaded for this
    person too; queued, running and failed come from this person's own latest item. Plain SQL:
    built by the ORM (seven subqueries) the call took about 3 ms of CPU for 100 tracks, mostly
    compiling, against 0.5 ms now (a Liked Songs page takes some 38, bench P6).
    """
    states = dict.fromkeys(track_ids, NOT_DOWNLOADED)
    if not states:
        return states
    with connection.cursor() as cursor:
        cursor.execute(_states_sql(len(states)), [user.pk, *states])
        for pk, *item, file_format, codec in cursor.fetchall():
            states[pk] = _state(item, file_format, codec or "")
    return states


@lru_cache(maxsize=128)
def _states_sql(count: int) -> str:
    """Per track: its latest item of this person's (id, status, progress, error, error_kind)
    and its oldest file's format and codec; the person first, then `count` track ids. Only
    table names and placeholders go into the text."""
    quote = connection.ops.quote_name
    item, job = quote(JobItem._meta.db_table), quote(Job._meta.db_table)
    stored, track = quote(StoredFile._meta.db_table), quote(Track._meta.db_table)
    oldest = f"FROM {stored} f WHERE f.track_id = t.id ORDER BY f.created_at, f.id LIMIT 1"
    latest = (
        f"SELECT l.id FROM {item} l JOIN {job} j ON j.id = l.job_id"  # noqa: S608
        " WHERE l.track_id = t.id AND j.owner_id = %s ORDER BY l.id DESC LIMIT 1"
    )
    marks = ", ".join(["%s"] * count)
    return (
        "SELECT t.id, i.id, i.status, i.progress, i.error, i.error_kind,"  # noqa: S608
        f" (SELECT f.audio_format {oldest}), (SELECT f.codec {oldest})"
        f" FROM {track} t LEFT JOIN {item} i ON i.id = ({latest}) WHERE t.id IN ({marks})"
    )


def _state(item: list[Any], file_format: str | None, codec: str) -> TrackState:
    item_id, status, progress, error, kind = item  # the latest item's, or Nones
    if status == JobItem.Status.QUEUED:
        return TrackState(DownloadState.QUEUED)
    if status == JobItem.Status.RUNNING:
        return TrackState(DownloadState.DOWNLOADING, percent=progress or 0)
    if file_format:
        return TrackState(
            DownloadState.DOWNLOADED, percent=100, audio_format=file_format, codec=codec
        )
    if status in JobItem.RETRYABLE:
        state = DownloadState.FAILED if status == JobItem.Status.FAILED else DownloadState.NO_MATCH
        return TrackState(state, reason=error or "", kind=kind or "", item_id=item_id)
    return NOT_DOWNLOADED


# --- what a job downloads -----------------------------------------------------------------------


class TargetNotFound(LookupError):
    """The thing to download is not in this person's library (or not in the catalog yet)."""


class TargetNotVisible(TargetNotFound):
    """Not in the person's library: only Spotify, asked with their own token, may still give it."""


NOT_VISIBLE = "We found no such {what} in your library or on Spotify."


@dataclass(frozen=True, slots=True)
class Target:
    kind: str
    target_id: str
    title: str
    tracks: list[Track]


def target_tracks(*, user: AnyUser, kind: str, target_id: str) -> Target:
    """The tracks (in order) and a display title for what the person asked to download."""
    reader = _TARGETS.get(kind)
    if reader is None:
        raise TargetNotFound(f"Unknown kind of download: {kind!r}.")
    title, tracks = reader(user, target_id)
    if not tracks:
        raise TargetNotFound(f"There are no tracks to download in {title or 'that'}.")
    # A selection is its items; a list of ids would not fit (nor mean anything) as a target.
    return Target(kind, "" if kind == Job.Kind.SELECTION else target_id, title, tracks)


def _not_visible(what: str) -> TargetNotVisible:
    # One answer whether the catalog has it (someone else's) or not: nothing about other people.
    return TargetNotVisible(NOT_VISIBLE.format(what=what))


def _track(user: AnyUser, target_id: str) -> tuple[str, list[Track]]:
    track = owned_tracks(user=user).filter(spotify_id=target_id).first()
    if track is None:
        raise _not_visible("track")
    return track.name, [track]


def _album(user: AnyUser, target_id: str) -> tuple[str, list[Track]]:
    album = Album.objects.filter(spotify_id=target_id).first()
    if album is None or not album_in_library(album_id=target_id, user_id=user.pk):
        raise _not_visible("album")
    return album.name, list(tracklists.album_tracks(album_id=album.pk))


def looked_up_target(*, kind: str, target_id: str) -> Target:
    """A track or album Spotify has just given the person (their own token): all its tracks."""
    if kind == Job.Kind.TRACK:
        track = Track.objects.get(spotify_id=target_id)
        return Target(kind, target_id, track.name, [track])
    album = Album.objects.get(spotify_id=target_id)
    return Target(kind, target_id, album.name, list(tracklists.album_tracks(album_id=album.pk)))


def _playlist(user: AnyUser, target_id: str) -> tuple[str, list[Track]]:
    membership = (
        UserPlaylist.objects.filter(user_id=user.pk, playlist__spotify_id=target_id)
        .select_related("playlist")
        .first()
    )
    if membership is None:
        raise TargetNotFound("That playlist is not in your library.")
    if not membership.readable:
        raise TargetNotFound(membership.unreadable_reason or "Spotify does not let us read it.")
    entries = tracklists.playlist_entries(playlist_id=membership.playlist_id)
    return membership.playlist.name, [entry.track for entry in entries.select_related("track")]


def _liked(user: AnyUser, target_id: str) -> tuple[str, list[Track]]:
    return "Liked Songs", list(tracklists.liked_tracks(user_id=user.pk))


def _artist(user: AnyUser, target_id: str) -> tuple[str, list[Track]]:
    """The artist's tracks in the person's library (or their jobs), and no one else's."""
    artist = Artist.objects.filter(spotify_id=target_id).first()
    if artist is None:
        raise _not_visible("artist")
    credited = TrackArtist.objects.filter(artist=artist).values("track_id")
    tracks = owned_tracks(user=user).filter(pk__in=credited)
    ordered = list(tracks.order_by("album__release_date", "disc_number", "track_number", "pk"))
    if not ordered:
        raise _not_visible("artist")
    return artist.name, ordered


def owned_tracks(*, user: AnyUser) -> QuerySet[Track]:
    """Every track in the person's library or in one of their jobs: all they may select, get or
    look at. Anything else is someone else's and answers 404."""
    in_job = JobItem.objects.filter(track=OuterRef("pk"), job__owner_id=user.pk)
    return Track.objects.filter(in_library_of(user_id=user.pk) | Q(Exists(in_job)))


def _selection(user: AnyUser, target_id: str) -> tuple[str, list[Track]]:
    ids = [part for part in target_id.replace(",", " ").split() if part]
    by_id = owned_tracks(user=user).in_bulk(ids, field_name="spotify_id")
    tracks = [by_id[i] for i in ids if i in by_id]
    return f"{len(tracks)} selected tracks", tracks


def _library(user: AnyUser, target_id: str) -> tuple[str, list[Track]]:
    """Liked songs, then readable playlists in their order, then saved albums."""
    _, liked = _liked(user, target_id)
    entries = tracklists.readable_playlists_entries(user_id=user.pk).select_related("track")
    album_track_ids = tracklists.saved_albums_track_ids(user_id=user.pk)
    by_id = Track.objects.in_bulk(album_track_ids)
    in_albums = [by_id[pk] for pk in album_track_ids]
    return "Whole library", [*liked, *(entry.track for entry in entries), *in_albums]


_TARGETS: dict[str, Callable[[AnyUser, str], tuple[str, list[Track]]]] = {
    Job.Kind.TRACK: _track,
    Job.Kind.ALBUM: _album,
    Job.Kind.PLAYLIST: _playlist,
    Job.Kind.LIKED: _liked,
    Job.Kind.ARTIST: _artist,
    Job.Kind.SELECTION: _selection,
    Job.Kind.LIBRARY: _library,
}
