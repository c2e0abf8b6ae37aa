"""Whether a person may read a playlist's items: Spotify shares only playlists they own or
collaborate on, and says so with a 403 (or a 404 once the playlist is gone)."""

from __future__ import annotations

from library.models import UserPlaylist
from library.spotify import SpotifyError, SpotifyForbidden
from library.spotify import types as t
from library.spotify.errors import SpotifyNotFound

FOLLOWED_REASON = (
    "You follow this playlist but do not own it. Spotify lets apps read only playlists you own "
    "or collaborate on."
)
FORBIDDEN_REASON = (
    "Spotify refused to share this playlist's tracks: apps may read only playlists you own or "
    "collaborate on."
)
GONE_REASON = "Spotify no longer has this playlist."

# What Spotify answers when a playlist's items may not (or no longer) be read.
REFUSALS = (SpotifyForbidden, SpotifyNotFound)


class PlaylistUnreadable(SpotifyError):
    """Spotify will not (or no longer) share the playlist; `message` says why in plain words."""


def refusal_reason(exc: SpotifyForbidden | SpotifyNotFound) -> str:
    """The reason shown for a playlist Spotify refused to share."""
    return FORBIDDEN_REASON if isinstance(exc, SpotifyForbidden) else GONE_REASON


def access_judge(
    membership: UserPlaylist,
    old: UserPlaylist | None,
    playlist: t.Playlist,
    *,
    entries_current: bool,
) -> None:
    """Whether this user may read the playlist's items, asking Spotify only when unsure."""
    if old is not None and old.checked_snapshot_id == playlist.snapshot_id and entries_current:
        # Nothing changed since this user's access was last established.
        membership.readable = old.readable
        membership.unreadable_reason = old.unreadable_reason
        membership.checked_snapshot_id = old.checked_snapshot_id
    elif membership.is_owner:
        membership.readable = True
        membership.checked_snapshot_id = playlist.snapshot_id
    elif playlist.collaborative:
        # Collaborators may read, others get 403: only a request can tell which this user is.
        membership.readable = True
        membership.checked_snapshot_id = ""
    else:
        membership.readable = False
        membership.unreadable_reason = FOLLOWED_REASON
        membership.checked_snapshot_id = playlist.snapshot_id
