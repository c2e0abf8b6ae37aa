"""Re-read one subscribed source from Spotify into the catalog, and nothing else.

A library refresh reads a whole library at once; a sync needs one playlist, or Liked Songs, or
the saved albums. library.refresh.sources reads exactly one of them and writes it through the
same writers a refresh uses, so the browsing pages see the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from downloads.models import Subscription
from library.models import UserPlaylist
from library.oauth import account_spotify
from library.refresh.access import PlaylistUnreadable
from library.refresh.sources import liked_refresh, playlist_refresh, saved_albums_refresh
from library.spotify import AsyncSpotify

NOT_IN_LIBRARY = (
    "This playlist is no longer in your Spotify library, so it was not synced. Unsubscribe, or "
    "follow it again and refresh your library."
)


@dataclass
class SourceRead:
    """What reading cost, and whether the playlist was unchanged (no items read)."""

    requests_made: int = 0
    unchanged: bool = False


async def source_read(subscription: Subscription, read: SourceRead) -> None:
    """Bring the catalog up to date with the subscription's source; fills `read` as it goes.

    Raises SpotifyError (with a message fit to show) when Spotify cannot be read.
    """
    user_id = subscription.owner_id
    spotify = await account_spotify(user_id=user_id)
    try:
        if subscription.source == Subscription.Source.PLAYLIST:
            read.unchanged = await _playlist_read(spotify, subscription)
        elif subscription.source == Subscription.Source.LIKED:
            await liked_refresh(spotify=spotify, user_id=user_id)
        else:
            await saved_albums_refresh(spotify=spotify, user_id=user_id)
    finally:
        read.requests_made = spotify.requests_made


async def _playlist_read(spotify: AsyncSpotify, subscription: Subscription) -> bool:
    """Refresh the playlist, if it is still in the person's library; True: unchanged."""
    user_id, playlist_id = subscription.owner_id, subscription.target_id
    if not await UserPlaylist.objects.filter(
        user_id=user_id, playlist__spotify_id=playlist_id
    ).aexists():
        raise PlaylistUnreadable(NOT_IN_LIBRARY)
    return await playlist_refresh(spotify=spotify, user_id=user_id, playlist_id=playlist_id)
