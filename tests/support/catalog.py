"""Copy sandbox tracks and playlists into the catalog, as a library refresh would have stored them.

The download side reads only catalog rows; building them straight from the sandbox's world keeps
these tests independent of the Spotify-side refresh while using the very same ids, names and
lengths the sandbox's media search answers to.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import Any

from library.models import (
    Album,
    AlbumArtist,
    Artist,
    Playlist,
    PlaylistEntry,
    Track,
    TrackArtist,
    UserPlaylist,
)
from sandbox import Sandbox
from sandbox.edge import EDGE_ARTIST_COUNT
from sandbox.models import Track as SandboxTrack


def _artist(artist: Any) -> Artist:
    row, _ = Artist.objects.get_or_create(spotify_id=artist.id, defaults={"name": artist.name})
    return row


def _album(sandbox: Sandbox, album: Any) -> Album:
    images = sandbox.api.shapes.images(album.image_key)
    row, created = Album.objects.get_or_create(
        spotify_id=album.id,
        defaults={
            "name": album.name,
            "album_type": album.album_type,
            "release_date": album.release_date,
            "release_date_precision": album.release_date_precision,
            "total_tracks": len(album.tracks),
            "cover_url": images[0]["url"],
            "upc": album.upc,
        },
    )
    if created:
        for position, artist in enumerate(album.artists):
            AlbumArtist.objects.create(album=row, artist=_artist(artist), position=position)
    return row


def import_track(sandbox: Sandbox, track: SandboxTrack) -> Track:
    row, created = Track.objects.get_or_create(
        spotify_id=track.id,
        defaults={
            "name": track.name,
            "album": _album(sandbox, track.album),
            "isrc": track.isrc,
            "duration_ms": track.duration_ms,
            "explicit": track.explicit,
            "disc_number": track.disc_number,
            "track_number": track.track_number,
        },
    )
    if created:
        for position, artist in enumerate(track.artists):
            TrackArtist.objects.create(track=row, artist=_artist(artist), position=position)
    return row


def editorial_tracks(sandbox: Sandbox) -> list[SandboxTrack]:
    """Each track of the sandbox's editorial playlists once, in order (about 120)."""
    tracks = {
        entry.item.id: entry.item
        for playlist in sandbox.world.editorial_playlists()
        for entry in playlist.entries
        if isinstance(entry.item, SandboxTrack)
    }
    return list(tracks.values())


def catalog_tracks(sandbox: Sandbox) -> Iterator[SandboxTrack]:
    """Every track once: the editorial ones first (editorial_tracks), then the discographies of
    the artists with plain names (well over a thousand tracks in the tiny world)."""
    seen: set[str] = set()
    catalog = sandbox.world.catalog
    albums = (
        album
        for index in range(EDGE_ARTIST_COUNT, catalog.artist_pool)
        for album in catalog.discography(catalog.artist(index))
    )
    for track in chain(editorial_tracks(sandbox), (t for a in albums for t in a.tracks)):
        if track.id not in seen:
            seen.add(track.id)
            yield track


def has_upload(sandbox: Sandbox, track: SandboxTrack) -> bool:
    return bool(sandbox.expected_candidates(track.id))


def tracks_with_one_missing(sandbox: Sandbox, size: int) -> list[SandboxTrack]:
    """`size` consecutive editorial tracks of which exactly one has no upload anywhere."""
    tracks = editorial_tracks(sandbox)
    for index, track in enumerate(tracks):
        if has_upload(sandbox, track):
            continue
        start = max(0, min(index - size // 2, len(tracks) - size))
        window = tracks[start : start + size]
        if sum(not has_upload(sandbox, t) for t in window) == 1:
            return window
    raise LookupError(f"no {size} editorial tracks with exactly one missing upload")


def import_playlist(
    sandbox: Sandbox, user: Any, tracks: list[SandboxTrack], *, name: str = "Road Test"
) -> Playlist:
    """A playlist in the user's library holding exactly these tracks, in this order."""
    playlist = Playlist.objects.create(
        spotify_id=f"jobs{Playlist.objects.count():018d}", name=name, owner_spotify_id="spotify"
    )
    for position, track in enumerate(tracks):
        PlaylistEntry.objects.create(
            playlist=playlist, position=position, track=import_track(sandbox, track)
        )
    UserPlaylist.objects.create(user=user, playlist=playlist)
    return playlist
