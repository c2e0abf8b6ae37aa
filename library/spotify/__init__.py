"""The Spotify Web API client the whole app uses (spotipy is for OAuth only)."""

from __future__ import annotations

from library.spotify.client import (
    TIME_RANGES,
    AsyncSpotify,
    StaticToken,
    TokenSource,
)
from library.spotify.errors import (
    SpotifyError,
    SpotifyForbidden,
    SpotifyQuotaExceeded,
    SpotifyRateLimited,
    SpotifyReauthRequired,
    SpotifyUnauthorized,
    SpotifyUnavailable,
)
from library.spotify.transport import close_http_client

__all__ = [
    "TIME_RANGES",
    "AsyncSpotify",
    "SpotifyError",
    "SpotifyForbidden",
    "SpotifyQuotaExceeded",
    "SpotifyRateLimited",
    "SpotifyReauthRequired",
    "SpotifyUnauthorized",
    "SpotifyUnavailable",
    "StaticToken",
    "TokenSource",
    "close_http_client",
]
