"""P1 library read: a full `library_refresh` into an empty database against spotipy's next() loop.

Ours: the refresh task run in a child process, as a worker process runs it, while the sandbox's
Spotify stays in this one (AsyncSpotify, every page of a collection at once, bounded by
SPOTIFY_CONCURRENCY, plus every database write); wall and CPU seconds are the child's, around
the task's call. Baseline: what spotDL and similar
tools do, spotipy 2.26 walking each collection with `next()`, one request after the other, no
database. Bound: the fewest requests the library can be read with, at our concurrency, in the
dependency rounds paging imposes (a page's total tells what to ask next), times the latency.
Then the same refresh again with nothing changed: its requests as a share of the full read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from bench.environment import CLIENT_ID, Environment
from bench.harness import Measure, Requests, log, ratio, rounded
from bench.refresh_child import refresh_in_child

PAGE = 50  # the largest page every collection serves
TIME_RANGES = ("short_term", "medium_term", "long_term")


@dataclass(frozen=True)
class Minimum:
    requests: int
    rounds: int
    by_collection: dict[str, int]
    sizes: dict[str, Any]


def pages(count: int) -> int:
    """Pages of a collection whose size is only learnt from its first page (at least one)."""
    return max(1, math.ceil(count / PAGE))


def minimum(env: Environment, user_key: str) -> Minimum:
    """The fewest requests (and dependency rounds) that read the user's whole library.

    Round 1 asks for the first page of every collection; their totals tell every other page,
    which go out in round 2, except what needs a page of round 2 first: the items of playlists
    listed after the first page of playlists, the extra tracks of long albums listed after the
    first page of albums (round 3), and followed artists, whose cursor pages come one by one.
    Empty playlists cost nothing (their size is in the list), nor do playlists the user merely
    follows (Spotify answers 403 for those; ownership in the list says so).
    """
    sandbox = env.sandbox
    user = sandbox.user(user_key)
    library = sandbox.world.library(user)  # built here, outside any timing
    listed = library.playlists
    read = [p for p in listed if p.owner.id == user.id or p.collaborative]
    listed_at = {p.id: i for i, p in enumerate(listed)}
    playlist_rounds = 1
    item_requests = 0
    for playlist in read:
        needed = math.ceil(len(playlist.entries) / PAGE)
        if not playlist.readable_by(user.id) and playlist.entries:
            needed = 1  # a collaborative playlist shared with others only: one 403 tells
        item_requests += needed
        if needed:
            later_page = listed_at[playlist.id] >= PAGE
            playlist_rounds = max(playlist_rounds, 3 if later_page else 2)
    album_extra, album_rounds = 0, 1 if len(library.albums) <= PAGE else 2
    for index, (album, _) in enumerate(library.albums):
        extra = max(0, math.ceil((len(album.tracks) - PAGE) / PAGE))
        album_extra += extra
        if extra:
            album_rounds = max(album_rounds, 2 + (1 if index >= PAGE else 0))
    by_collection = {
        "me/playlists": pages(len(listed)),
        "playlists/{id}/items": item_requests,
        "me/tracks": pages(len(library.liked)),
        "me/albums": pages(len(library.albums)),
        "albums/{id}/tracks": album_extra,
        "me/following": pages(len(library.followed)),
        "me/top": sum(pages(len(library.top_tracks[r])) for r in TIME_RANGES)
        + sum(pages(len(library.top_artists[r])) for r in TIME_RANGES),
        "me/player/recently-played": 1,
    }
    rounds = max(
        playlist_rounds,
        album_rounds,
        1 if len(library.liked) <= PAGE else 2,
        pages(len(library.followed)),
        1 if len(listed) <= PAGE else 2,
    )
    owned = [p for p in listed if p.owner.id == user.id]
    entries = [len(p.entries) for p in owned]
    sizes = {
        "liked": len(library.liked),
        "playlists_listed": len(listed),
        "playlists_owned": len(owned),
        "playlists_followed": sum(1 for p in listed if p.owner.id != user.id),
        "playlists_collaborative": sum(1 for p in listed if p.collaborative),
        "owned_playlist_entries": sum(entries),
        "owned_playlist_size_min_mean_max": [
            min(entries, default=0),
            round(sum(entries) / len(entries)) if entries else 0,
            max(entries, default=0),
        ],
        "saved_albums": len(library.albums),
        "saved_album_tracks": sum(len(a.tracks) for a, _ in library.albums),
        "followed_artists": len(library.followed),
        "top_tracks_per_range": len(library.top_tracks[TIME_RANGES[0]]),
        "top_artists_per_range": len(library.top_artists[TIME_RANGES[0]]),
        "recently_played": len(library.recent),
    }
    return Minimum(sum(by_collection.values()), rounds, by_collection, sizes)


# --- the baseline -------------------------------------------------------------------------------


def spotipy_read(env: Environment, user_key: str) -> dict[str, int]:
    """Every collection with spotipy and `next()`, sequentially; nothing stored.

    A fair version of what spotDL does: the largest page size, and only the playlists the user
    owns or collaborates on (what ours reads), so both sides read the same things.
    """
    import spotipy

    sandbox = env.sandbox
    access, _refresh = sandbox.issue_token(user_key, client_id=CLIENT_ID)
    # retries=0: spotipy would otherwise sleep for whatever Retry-After says.
    client = spotipy.Spotify(auth=access, requests_timeout=30, retries=0, status_retries=0)
    client.prefix = f"{sandbox.api_url}/"
    user_id = sandbox.user(user_key).id

    def walk(page: dict[str, Any] | None, key: str | None = None) -> list[Any]:
        items: list[Any] = []
        while page:
            if key is not None and key in page:
                page = page[key]  # cursor pages of followed artists come wrapped
            items += page.get("items") or []
            page = client.next(page) if page.get("next") else None
        return items

    counts: dict[str, int] = {}
    playlists = walk(client.current_user_playlists(limit=PAGE))
    counts["playlists"] = len(playlists)
    entries = 0
    for playlist in playlists:
        if playlist["owner"]["id"] != user_id and not playlist.get("collaborative"):
            continue
        try:
            entries += len(walk(client.playlist_items(playlist["id"], limit=PAGE)))
        except spotipy.SpotifyException as exc:
            if exc.http_status not in (403, 404):
                raise
    counts["playlist_entries"] = entries
    counts["liked"] = len(walk(client.current_user_saved_tracks(limit=PAGE)))
    albums = walk(client.current_user_saved_albums(limit=PAGE))
    counts["albums"] = len(albums)
    album_tracks = 0
    for saved in albums:
        first_page = saved["album"]["tracks"]
        album_tracks += len(walk(first_page))  # long albums: the rest with next()
    counts["album_tracks"] = album_tracks
    counts["followed_artists"] = len(
        walk(client.current_user_followed_artists(limit=PAGE), key="artists")
    )
    counts["top_artists"] = sum(
        len(walk(client.current_user_top_artists(limit=PAGE, time_range=r))) for r in TIME_RANGES
    )
    counts["top_tracks"] = sum(
        len(walk(client.current_user_top_tracks(limit=PAGE, time_range=r))) for r in TIME_RANGES
    )
    # Spotify keeps the last 50 plays: one page, as ours reads it.
    counts["recent_plays"] = len(client.current_user_recently_played(limit=PAGE)["items"])
    return counts


# --- the benchmark ------------------------------------------------------------------------------


def catalog_wipe() -> None:
    """Back to an empty library and catalog (accounts stay): for a second full read."""
    from django.db import transaction

    from library import models as m

    # Children before parents; one DELETE per table, without Django's cascade collector.
    order = [
        m.PlaylistEntry, m.UserPlaylist, m.SavedTrack, m.SavedAlbum, m.FollowedArtist,
        m.TopArtist, m.TopTrack, m.RecentPlay, m.TrackArtist, m.AlbumArtist, m.Playlist,
        m.Track, m.Album, m.Artist,
    ]  # fmt: skip
    with transaction.atomic():
        for model in order:
            manager = model._default_manager
            manager.all()._raw_delete(manager.db)


def run(env: Environment, *, user_key: str = "hugo", latency: float = 0.040) -> dict[str, Any]:
    from django.conf import settings

    concurrency = int(settings.SPOTIFY_CONCURRENCY)
    least = minimum(env, user_key)
    with env.knobs(latency=latency):
        user = env.sign_in(user_key)
        log(f"P1 ours: library_refresh of {user_key} into an empty database (child process)")
        with Requests(env.sandbox) as ours_requests:
            ours = refresh_in_child(env, user)
        first = ours.refresh
        env.mark_read(user_key)
        log(f"P1 ours: {ours.wall:.1f} s, {ours.cpu:.1f} s CPU, {ours_requests.total('/v1')} req.")
        with Requests(env.sandbox) as again_requests:
            again = refresh_in_child(env, user)
        second = again.refresh
        log(f"P1 re-read: {again.wall:.1f} s, {again_requests.total('/v1')} requests")
        catalog_wipe()
        with env.knobs(latency=0.0):
            floor = refresh_in_child(env, user)  # the full read without latency: local work
        log(f"P1 ours without latency (emptied database): {floor.wall:.1f} s")
        # The baseline stays in this process: one request at a time, so spotipy and the sandbox
        # take turns and never wait on each other for the GIL.
        log("P1 baseline: spotipy next() loop")
        with Requests(env.sandbox) as base_requests, Measure() as base:
            base_counts = spotipy_read(env, user_key)
        log(f"P1 baseline: {base.wall:.1f} s, {base_requests.total('/v1')} requests")
    bound_rounds = max(least.rounds, math.ceil(least.requests / concurrency))
    bound = bound_rounds * latency
    ours_n, base_n = ours_requests.total("/v1"), base_requests.total("/v1")
    again_n = again_requests.total("/v1")
    return {
        "benchmark": "P1",
        "name": "library read",
        "setup": {
            "user": user_key,
            "latency_s": latency,
            "concurrency": concurrency,
            "library": least.sizes,
        },
        "metric": "wall seconds for a full read (lower is better)",
        "ours": {
            "seconds": rounded(ours.wall),
            "cpu_seconds": rounded(ours.cpu),
            "cpu_seconds_orm_thread": rounded(ours.cpu_main_thread),
            "requests": ours_n,
            "requests_reported_by_refresh": first.requests_made,
            "seconds_without_latency": rounded(floor.wall),
            "cpu_seconds_without_latency": rounded(floor.cpu),
            "read": first.counts,
        },
        "baseline": {
            "seconds": rounded(base.wall),
            "cpu_seconds": rounded(base.cpu),
            "requests": base_n,
            "read": base_counts,
        },
        "bound": {
            "seconds": rounded(bound),
            "requests": least.requests,
            "dependency_rounds": least.rounds,
            "latency_rounds": bound_rounds,
            "requests_by_collection": least.by_collection,
        },
        "ratio": {
            "speedup_vs_baseline": ratio(base.wall, ours.wall),
            "ours_over_bound": ratio(ours.wall, bound),
            "local_work_share_of_ours": ratio(floor.wall, ours.wall),
            "requests_ours_over_minimum": ratio(ours_n, least.requests),
            "requests_baseline_over_minimum": ratio(base_n, least.requests),
            "reread_requests_share": ratio(again_n, ours_n, 3),
        },
        "reread": {
            "seconds": rounded(again.wall),
            "requests": again_n,
            "requests_by_endpoint": again_requests.by_endpoint,
            "playlists_unchanged": second.counts.get("playlists_unchanged", 0),
        },
        "counts": {
            "ours_requests_by_endpoint": ours_requests.by_endpoint,
            "baseline_requests_by_endpoint": base_requests.by_endpoint,
        },
    }
