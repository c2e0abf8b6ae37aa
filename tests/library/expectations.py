"""What the sandbox says a user's library holds, and what reading it should cost."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from sandbox import Sandbox

PAGE = 50
ITEMS = "GET /v1/playlists/{id}/items"


def pages(count: int) -> int:
    """Pages for a collection read from its first page: an empty one still costs one request."""
    return max(1, math.ceil(count / PAGE))


def minimum_requests(sandbox: Sandbox, user_key: str) -> Counter[str]:
    """One request per page at the largest page size, and none for playlists we cannot read."""
    lib = sandbox.user_library(user_key)
    expected: Counter[str] = Counter()
    expected["GET /v1/me/playlists"] = pages(len(lib["playlists"]))
    expected["GET /v1/me/tracks"] = pages(len(lib["liked"]))
    expected["GET /v1/me/albums"] = pages(len(lib["albums"]))
    expected["GET /v1/me/following"] = pages(len(lib["followed_artists"]))
    expected["GET /v1/me/player/recently-played"] = 1
    top = [*lib["top_tracks"].values(), *lib["top_artists"].values()]
    expected["GET /v1/me/top/{type}"] = sum(pages(len(ranked)) for ranked in top)
    # Playlist sizes are known from the playlist list, but a size of zero is checked: an empty
    # playlist costs the one request that shows its first page empty (issue 17).
    items = sum(
        max(1, math.ceil(len(p["items"]) / PAGE)) for p in lib["playlists"] if p["readable"]
    )
    if items:
        expected[ITEMS] = items
    album_sizes = [len(album.tracks) for a in lib["albums"] if (album := sandbox.world.album(a))]
    album_pages = sum(math.ceil(size / PAGE) - 1 for size in album_sizes)
    if album_pages:
        expected["GET /v1/albums/{id}/tracks"] = album_pages
    return expected


def api_requests(sandbox: Sandbox) -> Counter[str]:
    return Counter({k: v for k, v in sandbox.requests.items() if k.startswith("GET /v1/")})


def playlist(sandbox: Sandbox, user_key: str, *, readable: bool, owned: bool) -> dict[str, Any]:
    lib = sandbox.user_library(user_key)
    return next(
        p
        for p in lib["playlists"]
        if p["readable"] == readable
        and (p["owner_id"] == lib["user_id"]) == owned
        and p["track_ids"]
    )
