"""A source's tracks in order: the one definition of each collection's order, for the browsing
pages and for everything that copies a collection (download jobs, syncs, .m3u8 files).

Playlists in Spotify's order, Liked Songs newest first, saved albums newest save first, and
each album in disc and track order. A track listed twice is listed twice.
"""

from __future__ import annotations

from django.db.models import QuerySet

from library.catalog.writer import chunks
from library.models import PlaylistEntry, SavedAlbum, SavedTrack, Track

ALBUM_ORDER = ("disc_number", "track_number", "pk")
LIKED_ORDER = ("-added_at", "pk")


def playlist_entries(*, playlist_id: int) -> QuerySet[PlaylistEntry]:
    """The playlist's stored entries in Spotify's order."""
    return PlaylistEntry.objects.filter(playlist_id=playlist_id).order_by("position")


def readable_playlists_entries(*, user_id: int) -> QuerySet[PlaylistEntry]:
    """The entries of the person's readable playlists: playlist by playlist in library order,
    each in Spotify's order."""
    return PlaylistEntry.objects.filter(
        playlist__memberships__user_id=user_id, playlist__memberships__readable=True
    ).order_by("playlist__memberships__position", "position")


def liked_saves(*, user_id: int) -> QuerySet[SavedTrack]:
    """The person's Liked Songs, newest first."""
    return SavedTrack.objects.filter(user_id=user_id).order_by(*LIKED_ORDER)


def liked_tracks(*, user_id: int) -> QuerySet[Track]:
    """The tracks of the person's Liked Songs in `liked_saves`' order, with no save row built
    for each (a whole-library download job reads 10,000 of them)."""
    order = [f"-saves__{f[1:]}" if f.startswith("-") else f"saves__{f}" for f in LIKED_ORDER]
    return Track.objects.filter(saves__user_id=user_id).order_by(*order)


def album_tracks(*, album_id: int) -> QuerySet[Track]:
    """The album's tracks in disc and track order."""
    return Track.objects.filter(album_id=album_id).order_by(*ALBUM_ORDER)


def saved_albums_track_ids(*, user_id: int) -> list[int]:
    """The tracks of the person's saved albums: newest save first, each album in its order."""
    albums = list(
        SavedAlbum.objects.filter(user_id=user_id)
        .order_by("-added_at", "pk")
        .values_list("album_id", flat=True)
    )
    by_album: dict[int, list[int]] = {album_id: [] for album_id in albums}
    for chunk in chunks(albums):
        rows = Track.objects.filter(album_id__in=chunk).order_by(*ALBUM_ORDER)
        for track_id, album_id in rows.values_list("pk", "album_id"):
            by_album[album_id].append(track_id)
    return [track_id for album_id in albums for track_id in by_album[album_id]]
