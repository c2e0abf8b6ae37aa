"""Which stored files a person may get: their library (readable playlists, liked songs, saved
albums) and their own jobs. Anything else is `NotInLibrary` / `DoesNotExist`, which views turn
into a 404, so another person's things are indistinguishable from things that do not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, overload

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from downloads import uploads
from downloads.models import AudioFormat, Job, StoredFile
from downloads.selectors import owned_tracks
from library import tracklists
from library.models import SavedAlbum, Track, UserPlaylist, artist_links_prefetch

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Enough for any hand-made selection; bounds the query's parameter list too.
MAX_SELECTION = 1000
_SPOTIFY_ID = re.compile(r"[A-Za-z0-9]{1,64}")


class Kind(StrEnum):
    JOB = "job"
    PLAYLIST = "playlist"
    ALBUM = "album"
    LIKED = "liked"
    SELECTION = "selection"


class NotInLibrary(LookupError):
    """Not this person's (or not there at all): a 404."""


@dataclass(frozen=True, slots=True)
class Collection:
    """Something to play or zip: its tracks in order, and the files that exist for them."""

    kind: Kind
    target: str  # the job's pk, a Spotify id, "" for Liked Songs, space-separated ids
    title: str
    track_count: int  # distinct tracks, downloaded or not
    files: list[StoredFile]  # in order, one per entry that has a file (a repeated track repeats)
    audio_format: str  # the job's format, or the one asked for; "" for any

    @property
    def downloaded_count(self) -> int:
        return len({stored.pk for stored in self.files})


@dataclass(frozen=True, slots=True)
class Queue:
    """A collection as the player reads it: counts from aggregate SQL, and the track pks of its
    entries that have a file, in play order, read a slice at a time (`entries`), so a page of
    a 10,000-track collection reads 50 rows, not 10,000 files."""

    kind: Kind
    target: str
    title: str
    track_count: int  # distinct tracks, downloaded or not
    downloaded_count: int  # distinct tracks with a file
    entries: Sequence[int]  # one per entry that has a file (a repeated track repeats)
    audio_format: str
    owner_id: int


@dataclass(frozen=True, slots=True)
class _Source:
    title: str
    # In play order: rows whose `track` field is a track pk (a query), or the track pks.
    entries: QuerySet[Any] | list[int]
    track: str = "track_id"
    audio_format: str = ""
    distinct: bool = False  # each track listed once (a job's items): counted without DISTINCT

    def order(self) -> list[int]:
        if isinstance(self.entries, list):
            return self.entries
        return list(self.entries.values_list(self.track, flat=True))

    def scope(self) -> QuerySet[Track]:
        """The same tracks, as a subquery for the file lookup."""
        if isinstance(self.entries, list):
            return Track.objects.filter(pk__in=self.entries)
        return Track.objects.filter(pk__in=self.entries.values(self.track))


class _Slices(Sequence[int]):
    """Track pks of a query's rows: its length known beforehand, rows read only when sliced."""

    def __init__(self, rows: QuerySet[Any], length: int) -> None:
        self._rows, self._length = rows, length

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> list[int]: ...
    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return list(self._rows[index])
        return int(self._rows[index])


def stored_file_for(*, user: User, pk: int) -> StoredFile:
    """One file the person may get, with its track, album and artists; DoesNotExist otherwise."""
    return (
        StoredFile.objects.select_related("track__album")
        .prefetch_related(artist_links_prefetch("track__"))
        .get(pk=pk, track__in=owned_tracks(user=user))
    )


def collection_for(*, user: User, kind: Kind, target: str, audio_format: str = "") -> Collection:
    """The collection, raising NotInLibrary when it is not the person's.

    `audio_format` picks among a track's files when it has several (a job uses its own).
    """
    source = _SOURCES[kind](user, target)
    preferred = source.audio_format or (audio_format if audio_format in AudioFormat else "")
    files = _files_by_track(source.scope(), preferred, owner_id=user.pk)
    order = source.order()
    return Collection(
        kind=kind,
        target=target,
        title=source.title,
        track_count=len(set(order)),
        files=[files[pk] for pk in order if pk in files],
        audio_format=preferred,
    )


def queue_for(*, user: User, kind: Kind, target: str, audio_format: str = "") -> Queue:
    """The collection for the player (NotInLibrary when it is not the person's): a few
    queries whatever its size; its files are read a page at a time with `queue_files`."""
    source = _SOURCES[kind](user, target)
    preferred = source.audio_format or (audio_format if audio_format in AudioFormat else "")
    if isinstance(source.entries, list):
        order = source.entries
        files = StoredFile.objects.filter(track_id__in=order)
        with_file = set(files.values_list("track_id", flat=True))
        entries: Sequence[int] = [pk for pk in order if pk in with_file]
        tracks, downloaded = len(set(order)), len(set(entries))
    else:
        has_file = Exists(StoredFile.objects.filter(track_id=OuterRef(source.track)))
        rows = source.entries.annotate(has_file=has_file)
        repeats = not source.distinct
        counts = rows.order_by().aggregate(
            tracks=Count(source.track, distinct=repeats),
            downloaded=Count(source.track, distinct=repeats, filter=Q(has_file=True)),
            entries=Count("pk", filter=Q(has_file=True)),
        )
        shown = rows.filter(has_file=True).values_list(source.track, flat=True)
        entries = _Slices(shown, counts["entries"])
        tracks, downloaded = counts["tracks"], counts["downloaded"]
    return Queue(
        kind=kind,
        target=target,
        title=source.title,
        track_count=tracks,
        downloaded_count=downloaded,
        entries=entries,
        audio_format=preferred,
        owner_id=user.pk,
    )


def queue_files(*, queue: Queue, track_ids: Sequence[int]) -> dict[int, StoredFile]:
    """The file each of these tracks of the queue plays (as `collection_for` would choose it)."""
    scope = Track.objects.filter(pk__in=list(track_ids))
    return _files_by_track(scope, queue.audio_format, owner_id=queue.owner_id)


def selection_target(*, spotify_ids: Sequence[str]) -> str:
    """The ids of a selection as one target string: valid ids only, each once, in order."""
    valid = [i for i in spotify_ids if _SPOTIFY_ID.fullmatch(i)]
    return " ".join(dict.fromkeys(valid))


# --- the sources --------------------------------------------------------------------------------


def _job(user: User, target: str) -> _Source:
    found = (
        Job.objects.filter(pk=int(target), owner_id=user.pk).first() if target.isdigit() else None
    )
    if found is None:
        raise NotInLibrary
    items = found.items.order_by("position")  # one per distinct track (services.job_create)
    return _Source(found.title, items, audio_format=found.audio_format, distinct=True)


def _playlist(user: User, target: str) -> _Source:
    # An unreadable playlist (Spotify answers 403 to this person) gives them none of its tracks.
    membership = (
        UserPlaylist.objects.filter(user_id=user.pk, playlist__spotify_id=target, readable=True)
        .select_related("playlist")
        .first()
    )
    if membership is None:
        raise NotInLibrary
    entries = tracklists.playlist_entries(playlist_id=membership.playlist_id)
    return _Source(membership.playlist.name, entries)


def _album(user: User, target: str) -> _Source:
    saved = (
        SavedAlbum.objects.filter(user_id=user.pk, album__spotify_id=target)
        .select_related("album")
        .first()
    )
    if saved is None:
        raise NotInLibrary
    album = saved.album
    artists = ", ".join(album.artist_names())
    title = f"{artists} - {album.name}" if artists else album.name
    return _Source(title, tracklists.album_tracks(album_id=album.pk), track="pk")


def _liked(user: User, target: str) -> _Source:
    return _Source("Liked Songs", tracklists.liked_saves(user_id=user.pk))


def _selection(user: User, target: str) -> _Source:
    ids = target.split()[:MAX_SELECTION]
    found = dict(owned_tracks(user=user).filter(spotify_id__in=ids).values_list("spotify_id", "pk"))
    order = [found[i] for i in ids if i in found]
    if not order:
        raise NotInLibrary
    count = len(order)
    title = f"Selection of {count} track{'s' if count != 1 else ''}"
    return _Source(title, order)


_SOURCES: dict[Kind, Callable[[User, str], _Source]] = {
    Kind.JOB: _job,
    Kind.PLAYLIST: _playlist,
    Kind.ALBUM: _album,
    Kind.LIKED: _liked,
    Kind.SELECTION: _selection,
}


def _files_by_track(
    scope: QuerySet[Track], preferred: str, *, owner_id: int
) -> dict[int, StoredFile]:
    """One file per track: the person's chosen upload, the preferred format, else the oldest."""
    rows = (
        StoredFile.objects.filter(track__in=scope.values("pk"))
        .select_related("track__album")
        .prefetch_related(artist_links_prefetch("track__"))
        .order_by("created_at", "pk")
    )
    return uploads.files_for_person(rows, owner_id=owner_id, preferred=preferred)
