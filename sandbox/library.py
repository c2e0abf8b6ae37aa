"""The seeded library generator: what one user has liked, saved, made, followed and played.

Each user's library comes from an RNG seeded with (seed, user key), built the first time it is
needed. Phase one (liked songs, own playlists) touches only the user's own data, so a user can
follow another user's playlists without the two generators needing each other.
"""

from __future__ import annotations

import random
import time

from sandbox import words
from sandbox.catalog import Catalog
from sandbox.edge import EDGE_ARTIST_COUNT, LOCAL_FILES, LONG_TITLE
from sandbox.ids import hex_key, rng, spotify_id
from sandbox.models import Album, Artist, Entry, Item, LocalTrack, Play, Playlist, Track, User

BASE_TIME = 1_780_315_200  # 2026-06-01T12:00:00Z: generated timestamps count back from here
TIME_RANGES = ("short_term", "medium_term", "long_term")
DESCRIPTIONS = (
    "",
    "Songs for late nights &amp; early mornings",  # Spotify HTML-escapes descriptions
    "No skips. Ever.",
    "Updated every Friday 🎧",
)


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def timeline(r: random.Random, count: int, max_gap: int) -> list[int]:
    """`count` timestamps, newest first, counting back from BASE_TIME."""
    stamps, now = [], BASE_TIME
    for _ in range(count):
        now -= r.randint(60, max_gap)
        stamps.append(now)
    return stamps


def pick_liked(catalog: Catalog, user: User) -> list[Track]:
    """Liked songs, newest first: whole runs of albums, like people actually save music."""
    spec, r = user.spec, rng(catalog.seed, "liked", user.key)
    chosen: dict[str, Track] = {}
    if spec.edge_cases:  # every edge-case track, liked most recently so page one shows them
        for index in range(EDGE_ARTIST_COUNT):
            for album in catalog.discography(catalog.artist(index)):
                chosen.update((t.id, t) for t in album.tracks)
    edge_count = len(chosen)
    while len(chosen) < spec.liked:
        albums = catalog.discography(popular_artist(catalog, r))
        for album in r.sample(albums, min(len(albums), r.randint(1, 3))):
            take = max(1, int(len(album.tracks) * r.uniform(0.5, 1.0)))
            chosen.update((t.id, t) for t in r.sample(album.tracks, take))
    tracks = list(chosen.values())
    rest = tracks[edge_count:]
    r.shuffle(rest)
    return (tracks[:edge_count] + rest)[: max(spec.liked, edge_count)]


def popular_artist(catalog: Catalog, r: random.Random) -> Artist:
    # Skewed towards low indices, so users share popular artists and few artists get built.
    span = catalog.artist_pool - EDGE_ARTIST_COUNT
    return catalog.artist(EDGE_ARTIST_COUNT + int(span * r.random() ** 3))


def random_tracks(catalog: Catalog, r: random.Random, count: int) -> list[Track]:
    picked = []
    for _ in range(count):
        album = r.choice(catalog.discography(popular_artist(catalog, r)))
        picked.append(r.choice(album.tracks))
    return picked


def nearby_tracks(
    catalog: Catalog, r: random.Random, liked: list[Track], count: int
) -> list[Track]:
    """Songs the user has not liked, by artists they like: what playlists are mostly made of."""
    if not liked:
        return random_tracks(catalog, r, count)
    picked = []
    for _ in range(count):
        albums = catalog.discography(r.choice(liked).artists[0])
        picked.append(r.choice(r.choice(albums).tracks))
    return picked


def new_playlist(
    catalog: Catalog,
    owner: User,
    number: int,
    name: str,
    items: list[Item],
    r: random.Random,
    *,
    public: bool = True,
    collaborative: bool = False,
    adders: tuple[User, ...] = (),
) -> Playlist:
    playlist = Playlist(
        spotify_id(catalog.seed, "playlist", owner.key, number),
        name,
        r.choice(DESCRIPTIONS),
        owner,
        public and not collaborative,  # Spotify: collaborative playlists are never public
        collaborative,
        hex_key(catalog.seed, "playlist-image", owner.key, number),
    )
    stamps = timeline(r, len(items), 86_400 * 3)[::-1]  # oldest entry first
    people = (owner, *adders)
    playlist.entries = [
        Entry(item, iso(ts), people[i % len(people)])
        for i, (item, ts) in enumerate(zip(items, stamps, strict=True))
    ]
    playlist.collaborators = {u.id for u in adders}
    playlist.seed_entries = tuple(playlist.entries)
    return playlist


def own_playlists(
    catalog: Catalog, owner: User, liked: list[Track], collaborators: list[User]
) -> list[Playlist]:
    spec, r = owner.spec, rng(catalog.seed, "playlists", owner.key)
    playlists: list[Playlist] = []
    if spec.edge_cases:
        playlists.extend(edge_playlists(catalog, owner, liked, r))
    pool = liked or random_tracks(catalog, r, 40)
    for _ in range(spec.playlists):
        size = r.randint(*spec.playlist_size)
        items: list[Item] = list(r.choices(pool, k=min(size, len(pool))))
        items = list(dict.fromkeys(items))  # distinct, order kept
        extra = nearby_tracks(catalog, r, liked, max(0, size - len(items)) + size // 5)
        items.extend(extra)
        r.shuffle(items)
        playlists.append(
            new_playlist(
                catalog,
                owner,
                len(playlists),
                words.playlist_name(r),
                items[:size],
                r,
                public=r.random() < 0.7,
            )
        )
    for guest in collaborators:
        items = list(r.sample(pool, min(12, len(pool))))
        name = f"Road Trip 🚗 (with {guest.display_name.split()[0]})"
        playlists.append(
            new_playlist(
                catalog, owner, len(playlists), name, items, r, collaborative=True, adders=(guest,)
            )
        )
    return playlists


def edge_playlists(
    catalog: Catalog, owner: User, liked: list[Track], r: random.Random
) -> list[Playlist]:
    """Playlists that exist to break things: local files, episodes, nulls, duplicates, names."""
    edge_tracks = [t for t in liked if t.artists[0].index < EDGE_ARTIST_COUNT]
    normal = [t for t in liked if t.artists[0].index >= EDGE_ARTIST_COUNT]
    locals_ = [LocalTrack(*spec) for spec in LOCAL_FILES]
    weird: list[Item] = [
        edge_tracks[0],
        locals_[0],
        catalog.episode(0, 42),
        None,  # a track that is no longer available
        edge_tracks[1],
        edge_tracks[0],  # the same track twice
        locals_[1],
        catalog.episode(1, 7),
        *edge_tracks[2:],
        locals_[2],
        *normal[:30],  # enough entries for more than one page of 50
    ]
    specs: list[tuple[str, list[Item]]] = [
        ("Everything Weird 🧪", weird),
        ("Chill / Study \\ Mix ..", [*normal[5:17]]),
        (LONG_TITLE + " — the playlist", [*normal[10:14]]),
        ("موسيقى الليل 🌙", [*edge_tracks[:3], *normal[:3]]),
        ("Empty (for now)", []),
    ]
    return [
        new_playlist(catalog, owner, i, name, items, r) for i, (name, items) in enumerate(specs)
    ]


def editorial_playlists(catalog: Catalog, owner: User) -> list[Playlist]:
    r = rng(catalog.seed, "editorial")
    names = ("Fresh Finds Daily", "All Out Sandbox", "Loopback Classics")
    return [
        new_playlist(catalog, owner, i, name, list(random_tracks(catalog, r, 40)), r)
        for i, name in enumerate(names)
    ]


def saved_albums(catalog: Catalog, user: User, liked: list[Track]) -> list[tuple[Album, str]]:
    r = rng(catalog.seed, "albums", user.key)
    albums = list(dict.fromkeys(t.album for t in liked))
    if not user.spec.edge_cases:
        r.shuffle(albums)
    albums = albums[: user.spec.albums]
    stamps = timeline(r, len(albums), 86_400 * 20)
    return [(album, iso(ts)) for album, ts in zip(albums, stamps, strict=True)]


def followed_artists(user: User, liked: list[Track]) -> list[Artist]:
    artists = list(dict.fromkeys(a for t in liked for a in t.artists))
    return artists[: user.spec.followed_artists]


def top_items(
    catalog: Catalog, user: User, liked: list[Track]
) -> tuple[dict[str, list[Track]], dict[str, list[Artist]]]:
    tracks, artists = {}, {}
    every_artist = list(dict.fromkeys(a for t in liked for a in t.artists))
    for time_range in TIME_RANGES:
        r = rng(catalog.seed, "top", user.key, time_range)
        tracks[time_range] = r.sample(liked, min(user.spec.top, len(liked)))
        artists[time_range] = r.sample(every_artist, min(user.spec.top, len(every_artist)))
    return tracks, artists


def recent_plays(
    catalog: Catalog, user: User, liked: list[Track], playlists: list[Playlist]
) -> list[Play]:
    r = rng(catalog.seed, "recent", user.key)
    if not liked:
        return []
    plays = []
    for ts in timeline(r, user.spec.recent, 900):
        track = r.choice(liked)  # repeats happen: people replay songs
        context: Playlist | Album | None = r.choice((None, track.album, *playlists[:3]))
        plays.append(Play(track, ts * 1000 + r.randrange(1000), context))
    return plays
