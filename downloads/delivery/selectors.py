"""Which stored files a person may get: their library (readable playlists, liked songs, saved
albums) and their own jobs. Anything else is `NotInLibrary` / `DoesNotExist`, which views turn
into a 404, so another person's things are indistinguishable from things that do not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import QuerySet

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
class _Source:
    title: str
    order: list[int]  # track pks in play order
    scope: QuerySet[Track]  # the same tracks, as a subquery for the file lookup
    audio_format: str = ""


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
    files = _files_by_track(source.scope, preferred, owner_id=user.pk)
    return Collection(
        kind=kind,
        target=target,
        title=source.title,
        track_count=len(set(source.order)),
        files=[files[pk] for pk in source.order if pk in files],
        audio_format=preferred,
    )


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
    order = found.items.order_by("position").values_list("track_id", flat=True)
    scope = Track.objects.filter(download_items__job=found)
    return _Source(found.title, list(order), scope, found.audio_format)


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
    order = list(entries.values_list("track_id", flat=True))
    scope = Track.objects.filter(playlist_entries__playlist_id=membership.playlist_id)
    return _Source(membership.playlist.name, order, scope)


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
    scope = Track.objects.filter(album=album)
    order = tracklists.album_tracks(album_id=album.pk).values_list("pk", flat=True)
    title = f"{artists} - {album.name}" if artists else album.name
    return _Source(title, list(order), scope)


def _liked(user: User, target: str) -> _Source:
    order = list(tracklists.liked_saves(user_id=user.pk).values_list("track_id", flat=True))
    return _Source("Liked Songs", order, Track.objects.filter(saves__user_id=user.pk))


def _selection(user: User, target: str) -> _Source:
    ids = target.split()[:MAX_SELECTION]
    found = dict(owned_tracks(user=user).filter(spotify_id__in=ids).values_list("spotify_id", "pk"))
    order = [found[i] for i in ids if i in found]
    if not order:
        raise NotInLibrary
    count = len(order)
    title = f"Selection of {count} track{'s' if count != 1 else ''}"
    return _Source(title, order, Track.objects.filter(pk__in=order))


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
