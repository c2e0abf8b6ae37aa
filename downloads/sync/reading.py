"""Re-read one subscribed source from Spotify into the catalog, and nothing else.

library.services reads a whole library at once; a sync needs one playlist, or Liked Songs, or
the saved albums. These narrow reads write the very rows a library refresh writes (the catalog
through library.catalog, the person's library entries), so the browsing pages see the result.

A playlist costs one request for its metadata; its items are read only when its snapshot_id
differs from the one the stored entries belong to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.db import transaction
from django.utils import timezone

from downloads.models import Subscription
from library.catalog import CatalogWriter, chunks, playlist_row, upsert
from library.models import (
    Playlist,
    PlaylistEntry,
    SavedAlbum,
    SavedTrack,
    SpotifyAccount,
    UserPlaylist,
)
from library.oauth import AccountTokens
from library.services import FORBIDDEN_REASON, GONE_REASON, PLAYLIST_FIELDS
from library.spotify import AsyncSpotify, SpotifyError, SpotifyForbidden, SpotifyReauthRequired
from library.spotify import types as t
from library.spotify.errors import SpotifyNotFound

# Only what the catalog's Playlist row holds: no items (they come from /items when needed).
PLAYLIST_META = (
    "id,name,description,collaborative,public,snapshot_id,images,owner(id,display_name),items.total"
)
NOT_IN_LIBRARY = (
    "This playlist is no longer in your Spotify library, so it was not synced. Unsubscribe, or "
    "follow it again and refresh your library."
)


class SourceUnreadable(SpotifyError):
    """Spotify will not (or no longer) share the source; `message` says why in plain words."""


@dataclass
class SourceRead:
    """What reading cost, and whether the playlist was unchanged (no items read)."""

    requests_made: int = 0
    unchanged: bool = False


async def source_read(subscription: Subscription, read: SourceRead) -> None:
    """Bring the catalog up to date with the subscription's source; fills `read` as it goes.

    Raises SpotifyError (with a message fit to show) when Spotify cannot be read.
    """
    account = await SpotifyAccount.objects.filter(user_id=subscription.owner_id).afirst()
    if account is None or account.needs_reauth:
        raise SpotifyReauthRequired(account.reauth_reason if account else "")
    spotify = AsyncSpotify(tokens=AccountTokens(account.pk), account_key=account.account_key)
    try:
        if subscription.source == Subscription.Source.PLAYLIST:
            read.unchanged = await _playlist_read(spotify, subscription)
        elif subscription.source == Subscription.Source.LIKED:
            saved, _skipped = await spotify.saved_tracks()
            await sync_to_async(_saved_tracks_store)(user_id=subscription.owner_id, saved=saved)
        else:
            albums = await spotify.saved_albums()
            await sync_to_async(_saved_albums_store)(user_id=subscription.owner_id, saved=albums)
    finally:
        read.requests_made = spotify.requests_made


async def _playlist_read(spotify: AsyncSpotify, subscription: Subscription) -> bool:
    """Read the playlist's metadata, and its items only if its snapshot changed; True: unchanged."""
    user_id, playlist_id = subscription.owner_id, subscription.target_id
    if not await UserPlaylist.objects.filter(
        user_id=user_id, playlist__spotify_id=playlist_id
    ).aexists():
        raise SourceUnreadable(NOT_IN_LIBRARY)
    try:
        playlist = t.parse_playlist(
            await spotify.get(f"playlists/{playlist_id}", {"fields": PLAYLIST_META})
        )
        if playlist is None:
            raise SourceUnreadable("Spotify's answer about this playlist could not be read.")
        current = await sync_to_async(_playlist_meta_store)(playlist)
        if current:
            return True
        items = await spotify.playlist_items(playlist.id, known_total=playlist.items_total)
    except (SpotifyForbidden, SpotifyNotFound) as exc:
        reason = FORBIDDEN_REASON if isinstance(exc, SpotifyForbidden) else GONE_REASON
        await sync_to_async(_user_playlist_mark_unreadable)(
            user_id=user_id, playlist_id=playlist_id, reason=reason
        )
        raise SourceUnreadable(reason) from exc
    await sync_to_async(_playlist_entries_store)(user_id=user_id, playlist=playlist, items=items)
    return False


# --- storing (sync: one transaction each) --------------------------------------------------------


def _playlist_meta_store(playlist: t.Playlist) -> bool:
    """Store the playlist's metadata; True when the stored entries belong to its snapshot."""
    with transaction.atomic():
        upsert(
            Playlist,
            [playlist_row(playlist)],
            unique=["spotify_id"],
            update=PLAYLIST_FIELDS,
        )
        return Playlist.objects.get(spotify_id=playlist.id).entries_current


def _playlist_entries_store(*, user_id: int, playlist: t.Playlist, items: t.PlaylistItems) -> None:
    """Replace the playlist's entries and mark them read at its snapshot (as a refresh does)."""
    with transaction.atomic():
        track_pk = CatalogWriter().tracks(e.track for e in items.entries)
        row = Playlist.objects.select_for_update().get(spotify_id=playlist.id)
        PlaylistEntry.objects.filter(playlist=row).delete()
        PlaylistEntry.objects.bulk_create(
            PlaylistEntry(
                playlist=row,
                position=e.position,
                track_id=track_pk[e.track.id],
                added_at=e.added_at,
                added_by=e.added_by,
            )
            for e in items.entries
        )
        Playlist.objects.filter(pk=row.pk).update(
            items_snapshot_id=playlist.snapshot_id, items_read_at=timezone.now()
        )
        UserPlaylist.objects.filter(user_id=user_id, playlist=row).update(
            readable=True, unreadable_reason="", checked_snapshot_id=playlist.snapshot_id
        )


def _user_playlist_mark_unreadable(*, user_id: int, playlist_id: str, reason: str) -> None:
    # No snapshot to vouch for it: the next library refresh judges access afresh.
    UserPlaylist.objects.filter(user_id=user_id, playlist__spotify_id=playlist_id).update(
        readable=False, unreadable_reason=reason, checked_snapshot_id=""
    )


def _saved_tracks_store(*, user_id: int, saved: Sequence[t.SavedTrack]) -> None:
    with transaction.atomic():
        track_pk = CatalogWriter().tracks(s.track for s in saved)
        rows = {
            track_pk[s.track.id]: SavedTrack(
                user_id=user_id, track_id=track_pk[s.track.id], added_at=s.added_at
            )
            for s in reversed(saved)  # the newest save wins when a track appears twice
        }
        _replace(SavedTrack, user_id=user_id, key="track", rows=list(rows.values()))


def _saved_albums_store(*, user_id: int, saved: Sequence[t.SavedAlbum]) -> None:
    with transaction.atomic():
        catalog = CatalogWriter()
        refs = [s.album.album for s in saved]
        upcs = {s.album.album.id: s.album.upc for s in saved if s.album.upc}
        album_pk = catalog.albums(refs, upcs)
        catalog.tracks((track for s in saved for track in s.album.tracks), albums=refs, upcs=upcs)
        rows = {
            album_pk[s.album.album.id]: SavedAlbum(
                user_id=user_id, album_id=album_pk[s.album.album.id], added_at=s.added_at
            )
            for s in reversed(saved)
        }
        _replace(SavedAlbum, user_id=user_id, key="album", rows=list(rows.values()))


def _replace[M: (SavedTrack, SavedAlbum)](
    model: type[M], *, user_id: int, key: str, rows: Sequence[M]
) -> None:
    """Make the user's rows exactly `rows`: drop the ones gone, upsert the rest."""
    attname = f"{key}_id"
    own = model._default_manager.filter(user_id=user_id)
    keep = {getattr(row, attname) for row in rows}
    gone = [pk for pk in own.values_list(attname, flat=True) if pk not in keep]
    for chunk in chunks(gone):
        own.filter(**{f"{attname}__in": chunk}).delete()
    upsert(model, rows, unique=["user", key], update=["added_at"])
