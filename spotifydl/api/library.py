"""The person's library: playlists, Liked Songs and saved albums, a page at a time."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from library import selectors
from library.models import Track
from spotifydl.api import schemas
from spotifydl.api.auth import person
from spotifydl.api.paging import page_of, paged

router = Router(tags=["library"])


def track_out(track: Track) -> dict[str, Any]:
    return {
        "id": track.spotify_id,
        "name": track.name,
        "artists": track.artist_names(),
        "album": track.album.name if track.album else "",
        "duration_ms": track.duration_ms,
        "isrc": track.isrc,
    }


@router.get("/library/playlists", response=schemas.answers({200: schemas.PlaylistPage}))
def playlists(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    found = page_of(selectors.user_playlists(user=person(request)), page)
    return paged(
        found,
        [
            {
                "id": m.playlist.spotify_id,
                "name": m.playlist.name,
                "owner": m.playlist.owner_name,
                "tracks": m.playlist.items_total,
                "readable": m.readable,
            }
            for m in found.object_list
        ],
    )


@router.get("/library/liked", response=schemas.answers({200: schemas.TrackPage}))
def liked(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    found = selectors.liked_page(
        user=person(request), states=lambda ids: dict.fromkeys(ids), page=str(page)
    )
    return paged(found.page, [track_out(row.track) for row in found.rows])


@router.get("/library/albums", response=schemas.answers({200: schemas.AlbumPage}))
def albums(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    found = page_of(selectors.saved_albums(user=person(request)), page)
    return paged(
        found,
        [
            {
                "id": saved.album.spotify_id,
                "name": saved.album.name,
                "artists": saved.album.artist_names(),
                "release_date": saved.album.release_date,
                "tracks": saved.album.total_tracks,
            }
            for saved in found.object_list
        ],
    )
