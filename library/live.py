"""Reads from Spotify while someone browses: an artist's albums a page at a time, and an album or
a track put into the catalog on demand so it can be downloaded.

An album or track outside the person's library is always asked of Spotify with their own token,
even when the catalog holds it already (someone else's): what the person gets never depends on
what other people have."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import Count

from library.catalog.collections import album_store, track_store
from library.models import Album
from library.oauth import account_spotify
from library.selectors import album_in_library, saved_album_ids
from library.spotify import AsyncSpotify, SpotifyUnavailable
from library.spotify import types as t
from library.spotify.errors import SpotifyNotFound
from library.spotify.paging import offset_paged

# The 2026 schema caps `artists/{id}/albums` at 10 per page (default 5).
ARTIST_ALBUMS_PAGE = 10
ARTIST_ALBUM_GROUPS = "album,single,compilation"
# Discographies change rarely; a short cache spares Spotify's rolling limit when people page
# back and forth, and the data is public, so one copy serves every account.
ARTIST_ALBUMS_TTL = 10 * 60
# A page must answer even when Spotify crawls: give up and say so rather than hang.
LIVE_READ_TIMEOUT = 15.0
SLOW_SPOTIFY = "Spotify took too long to answer. Please try again in a moment."


@dataclass(frozen=True, slots=True)
class ArtistAlbum:
    album: t.AlbumRef
    saved: bool  # in the user's saved albums, so it has a page of its own here


@dataclass(frozen=True, slots=True)
class ArtistAlbums:
    albums: list[ArtistAlbum]
    total: int
    offset: int

    @property
    def next_offset(self) -> int | None:
        following = self.offset + ARTIST_ALBUMS_PAGE
        return following if following < self.total else None


async def _live_get(
    spotify: AsyncSpotify, path: str, params: dict[str, str | int] | None = None
) -> t.Json:
    try:
        async with asyncio.timeout(LIVE_READ_TIMEOUT):
            return await spotify.get(path, params)
    except TimeoutError:
        raise SpotifyUnavailable(SLOW_SPOTIFY) from None


async def artist_albums(*, user: User, artist_id: str, offset: int = 0) -> ArtistAlbums:
    """One page of an artist's albums, read live from Spotify (cached briefly).

    Raises SpotifyError (with a message fit to show) when Spotify cannot answer.
    """
    key = f"library:artist-albums:{artist_id}:{offset}"
    page: t.Json | None = await cache.aget(key)
    if page is None:
        spotify = await account_spotify(user_id=user.pk)
        params: dict[str, str | int] = {
            "include_groups": ARTIST_ALBUM_GROUPS,
            "limit": ARTIST_ALBUMS_PAGE,
            "offset": offset,
        }
        answer = await _live_get(spotify, f"artists/{artist_id}/albums", params)
        page = {"items": answer.get("items") or [], "total": answer.get("total") or 0}
        await cache.aset(key, page, ARTIST_ALBUMS_TTL)
    refs = [
        ref
        for item in page["items"]
        if isinstance(item, dict) and (ref := t.parse_album_ref(item)) is not None
    ]
    ids = [r.id for r in refs]
    saved = await sync_to_async(saved_album_ids)(user=user, spotify_ids=ids)
    return ArtistAlbums(
        albums=[ArtistAlbum(album=ref, saved=ref.id in saved) for ref in refs],
        total=int(page["total"]),
        offset=offset,
    )


async def album_catalog_ensure(*, user: User, album_id: str) -> None:
    """Put an album and all its tracks in the catalog, so a download job can list them.

    Albums seen on an artist's page are not in anyone's library yet; a download job reads its
    tracks from the catalog. An album in the person's library that the catalog holds whole costs
    nothing; any other is read with the person's token. Raises SpotifyNotFound (or another
    SpotifyError) when Spotify does not give it to them.
    """
    if await sync_to_async(_album_complete)(album_id, user.pk):
        return
    spotify = await account_spotify(user_id=user.pk)
    album = t.parse_album(await _live_get(spotify, f"albums/{album_id}"))
    if album is None:
        raise SpotifyNotFound("Spotify has no such album.")
    tracks = list(album.tracks)
    if album.tracks_total > len(tracks) and not await sync_to_async(_album_stored)(album_id):

        def fetch(offset: int, limit: int) -> Awaitable[t.Json]:
            params: dict[str, str | int] = {"offset": offset, "limit": limit}
            return _live_get(spotify, f"albums/{album_id}/tracks", params)

        more = await offset_paged(fetch, known_total=album.tracks_total, start=len(tracks))
        parsed = (t.parse_track(item, album=album.album) for item in more)
        tracks += [track for track in parsed if track is not None]
    await sync_to_async(album_store)(album=album, tracks=tracks)


async def track_catalog_ensure(*, user: User, track_id: str) -> None:
    """Read a track with the person's own token and put it in the catalog (a pasted link).

    Raises SpotifyNotFound (or another SpotifyError) when Spotify does not give it to them.
    """
    spotify = await account_spotify(user_id=user.pk)
    track = t.parse_track(await _live_get(spotify, f"tracks/{track_id}"))
    if track is None:
        raise SpotifyNotFound("Spotify has no such track.")
    await sync_to_async(track_store)(track=track)


def _album_stored(album_id: str) -> bool:
    found = (
        Album.objects.filter(spotify_id=album_id)
        .annotate(stored=Count("tracks"))
        .values_list("total_tracks", "stored")
        .first()
    )
    return found is not None and found[1] > 0 and found[1] >= found[0]


def _album_complete(album_id: str, user_id: int) -> bool:
    return album_in_library(album_id=album_id, user_id=user_id) and _album_stored(album_id)
