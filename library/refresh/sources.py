"""Re-read one source of a person's library (a playlist, Liked Songs, the saved albums) into the
catalog, the way a whole-library refresh would, for a sync that needs only that one.

A playlist costs one request for its metadata; its items are read only when its snapshot_id
differs from the one the stored entries belong to.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async

from library.catalog.collections import (
    playlist_entries_store,
    playlist_store,
    saved_albums_store,
    saved_tracks_store,
    user_playlist_mark_unreadable,
)
from library.catalog.writer import CatalogWriter
from library.refresh.access import REFUSALS, PlaylistUnreadable, refusal_reason
from library.spotify import AsyncSpotify
from library.spotify import types as t

# Only what the catalog's Playlist row holds: no items (they come from /items when needed).
PLAYLIST_META = (
    "id,name,description,collaborative,public,snapshot_id,images,owner(id,display_name),items.total"
)


async def liked_refresh(*, spotify: AsyncSpotify, user_id: int) -> None:
    saved, _skipped = await spotify.saved_tracks()
    await sync_to_async(saved_tracks_store)(user_id=user_id, saved=saved, catalog=CatalogWriter())


async def saved_albums_refresh(*, spotify: AsyncSpotify, user_id: int) -> None:
    saved = await spotify.saved_albums()
    await sync_to_async(saved_albums_store)(user_id=user_id, saved=saved, catalog=CatalogWriter())


async def playlist_refresh(*, spotify: AsyncSpotify, user_id: int, playlist_id: str) -> bool:
    """Read the playlist's metadata, and its items only if its snapshot changed; True: unchanged.

    Raises PlaylistUnreadable, once the playlist is marked so for this user, when Spotify will
    not (or no longer) share it.
    """
    playlist: t.Playlist | None = None
    try:
        answer = await spotify.get(f"playlists/{playlist_id}", {"fields": PLAYLIST_META})
        playlist = t.parse_playlist(answer)
        if playlist is None:
            raise PlaylistUnreadable("Spotify's answer about this playlist could not be read.")
        if await sync_to_async(playlist_store)(playlist=playlist):
            return True
        items = await spotify.playlist_items(playlist.id, known_total=playlist.items_total)
    except REFUSALS as exc:
        reason = refusal_reason(exc)
        await sync_to_async(user_playlist_mark_unreadable)(
            user_id=user_id,
            playlist_id=playlist_id,
            # A refusal of the metadata itself leaves no snapshot to vouch for.
            snapshot_id=playlist.snapshot_id if playlist is not None else "",
            reason=reason,
        )
        raise PlaylistUnreadable(reason) from exc
    await sync_to_async(playlist_entries_store)(
        user_id=user_id, batch=[(playlist, items)], catalog=CatalogWriter()
    )
    return False
