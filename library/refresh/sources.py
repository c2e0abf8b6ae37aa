"""Re-read one source of a person's library (a playlist, Liked Songs, the saved albums) into the
catalog, the way a whole-library refresh would, for a sync that needs only that one.

A playlist costs one request for its metadata; its items are read only when its snapshot_id
differs from the one the stored entries belong to. Liked Songs and saved albums have no snapshot:
their first page tells whether anything but new saves on top changed (library.spotify.paging).
"""

from __future__ import annotations

from dataclasses import dataclass

from asgiref.sync import sync_to_async

from library.catalog.collections import (
    album_saves_known,
    playlist_entries_store,
    playlist_store,
    saved_albums_store,
    saved_tracks_store,
    saves_known,
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


@dataclass(frozen=True, slots=True)
class SavesCount:
    """What a read of saved tracks or albums found: how many are saved, and what was read."""

    saved: int
    read: int
    skipped: int
    album_tracks: int = 0


async def liked_refresh(
    *, spotify: AsyncSpotify, user_id: int, catalog: CatalogWriter | None = None
) -> SavesCount:
    """Liked Songs: an unchanged list costs one request, new saves on top a page or so."""
    known = await sync_to_async(saves_known)(user_id=user_id)
    read = await spotify.saved_tracks(known=known)
    await sync_to_async(saved_tracks_store)(
        user_id=user_id,
        saved=read.saved,
        catalog=catalog or CatalogWriter(),
        complete=read.complete,
    )
    ids = {s.track.id for s in read.saved}
    return SavesCount(
        saved=len(ids) if read.complete else len(known.keys() | ids),
        read=len(read.saved),
        skipped=read.skipped,
    )


async def saved_albums_refresh(
    *, spotify: AsyncSpotify, user_id: int, catalog: CatalogWriter | None = None
) -> SavesCount:
    """Saved albums, read the way Liked Songs are (new saves only, when nothing else changed)."""
    known = await sync_to_async(album_saves_known)(user_id=user_id)
    read = await spotify.saved_albums(known=known)
    await sync_to_async(saved_albums_store)(
        user_id=user_id,
        saved=read.saved,
        catalog=catalog or CatalogWriter(),
        complete=read.complete,
    )
    ids = {s.album.album.id for s in read.saved}
    return SavesCount(
        saved=len(ids) if read.complete else len(known.keys() | ids),
        read=len(read.saved),
        skipped=0,
        album_tracks=sum(len(s.album.tracks) for s in read.saved),
    )


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
