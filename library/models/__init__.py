"""The Spotify side of the data: accounts and tokens, the shared catalog, per-user libraries,
and refresh runs. Django finds models through this package, so it names every one of them.
"""

from __future__ import annotations

from library.models.access import AllowedAccount, SignInPolicy
from library.models.accounts import SpotifyAccount
from library.models.catalog import (
    Album,
    AlbumArtist,
    Artist,
    Playlist,
    PlaylistEntry,
    Track,
    TrackArtist,
    album_credits_prefetch,
    artist_links_prefetch,
)
from library.models.collections import (
    FollowedArtist,
    RecentPlay,
    SavedAlbum,
    SavedTrack,
    TimeRange,
    TopArtist,
    TopTrack,
    UserPlaylist,
    in_library_of,
)
from library.models.installation import KeySentinel, SpotifyPause
from library.models.refreshes import LibraryRefresh

__all__ = [
    "Album",
    "AlbumArtist",
    "AllowedAccount",
    "Artist",
    "FollowedArtist",
    "KeySentinel",
    "LibraryRefresh",
    "Playlist",
    "PlaylistEntry",
    "RecentPlay",
    "SavedAlbum",
    "SavedTrack",
    "SignInPolicy",
    "SpotifyAccount",
    "SpotifyPause",
    "TimeRange",
    "TopArtist",
    "TopTrack",
    "Track",
    "TrackArtist",
    "UserPlaylist",
    "album_credits_prefetch",
    "artist_links_prefetch",
    "in_library_of",
]
