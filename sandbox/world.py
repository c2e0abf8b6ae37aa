"""The whole sandbox world: users, their lazily built libraries, look-ups and playlist edits."""

from __future__ import annotations

from typing import Any, TypeVar

from sandbox import library as gen
from sandbox.catalog import Catalog
from sandbox.ids import BASE62, encode, hex_key, rng, stable_int
from sandbox.models import (
    Album,
    Artist,
    Entry,
    Episode,
    Item,
    Library,
    LocalTrack,
    Playlist,
    Track,
    User,
    UserSpec,
)
from sandbox.presets import PRESETS

T = TypeVar("T")
EDITORIAL = UserSpec("spotify", "Spotify", 0, 0, 0, followed_artists=0, recent=0, top=0)


def make_user(spec: UserSpec) -> User:
    # Seed-independent ids, shaped like new Spotify accounts ("31" + 26 base36 characters).
    if spec.key == "spotify":
        user_id = "spotify"
    else:
        user_id = "31" + encode(
            stable_int("user", spec.key), "0123456789abcdefghijklmnopqrstuvwxyz", 26
        )
    account_id = encode(stable_int("account", spec.key), BASE62, 10)
    return User(spec.key, user_id, spec.display_name, account_id, hex_key("avatar", spec.key), spec)


class World:
    def __init__(self, seed: int, preset: str) -> None:
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; choose one of {sorted(PRESETS)}")
        self.seed = seed
        self.preset = PRESETS[preset]
        self.catalog = Catalog(seed, self.preset.artist_pool)
        self.lock = self.catalog.lock
        self.users = [make_user(spec) for spec in self.preset.users]
        self.editorial = make_user(EDITORIAL)
        self._by_ref = {u.key: u for u in self.users} | {u.id: u for u in self.users}
        self._liked: dict[str, list[Track]] = {}
        self._own: dict[str, list[Playlist]] = {}
        self._libraries: dict[str, Library] = {}
        self._editorial: list[Playlist] | None = None
        self.playlists_by_id: dict[str, Playlist] = {}

    # -- users and libraries ----------------------------------------------------------------
    def user(self, ref: str) -> User:
        """A user by key ("ana") or Spotify id."""
        try:
            return self._by_ref[ref]
        except KeyError:
            raise KeyError(f"no sandbox user {ref!r}") from None

    def liked(self, user: User) -> list[Track]:
        with self.lock:
            if user.key not in self._liked:
                self._liked[user.key] = gen.pick_liked(self.catalog, user)
            return self._liked[user.key]

    def own_playlists(self, user: User) -> list[Playlist]:
        with self.lock:
            if user.key not in self._own:
                guests = [u for u in self.users if user.key in u.spec.collaborates]
                made = gen.own_playlists(self.catalog, user, self.liked(user), guests)
                self._remember(made)
                self._own[user.key] = made
            return self._own[user.key]

    def editorial_playlists(self) -> list[Playlist]:
        with self.lock:
            if self._editorial is None:
                self._editorial = gen.editorial_playlists(self.catalog, self.editorial)
                self._remember(self._editorial)
            return self._editorial

    def _remember(self, playlists: list[Playlist]) -> None:
        self.playlists_by_id.update((p.id, p) for p in playlists)

    def library(self, user: User) -> Library:
        with self.lock:
            if user.key not in self._libraries:
                self._libraries[user.key] = self._build_library(user)
            return self._libraries[user.key]

    def _build_library(self, user: User) -> Library:
        liked = self.liked(user)
        r = rng(self.seed, "library-order", user.key)
        stamps = gen.timeline(r, len(liked), 86_400 * 2)
        lib = Library(user, liked=[(t, gen.iso(ts)) for t, ts in zip(liked, stamps, strict=True)])
        lib.albums = gen.saved_albums(self.catalog, user, liked)
        own = self.own_playlists(user)
        lib.playlists = own + self._followed_playlists(user)
        lib.followed = gen.followed_artists(user, liked)
        lib.top_tracks, lib.top_artists = gen.top_items(self.catalog, user, liked)
        lib.recent = gen.recent_plays(self.catalog, user, liked, own)
        return lib

    def _followed_playlists(self, user: User) -> list[Playlist]:
        spec, found = user.spec, []
        for key in spec.follows:
            theirs = self.own_playlists(self.user(key))
            found += [p for p in theirs if p.public and not p.collaborative][:2]
        for key in spec.collaborates:
            found += [p for p in self.own_playlists(self.user(key)) if user.id in p.collaborators]
        if spec.follows or spec.edge_cases:
            found += self.editorial_playlists()[:2]
        return found

    def materialize_all(self) -> None:
        """Build every user's library, so every id the product could know is registered."""
        for user in self.users:
            self.library(user)
        self.editorial_playlists()

    # -- look-ups (falling back to building everything, e.g. after a restart) ---------------
    def _find(self, table: dict[str, T], key: str) -> T | None:
        found = table.get(key)
        if found is None:
            self.materialize_all()
            found = table.get(key)
        return found

    def track(self, track_id: str) -> Track | None:
        return self._find(self.catalog.tracks_by_id, track_id)

    def album(self, album_id: str) -> Album | None:
        return self._find(self.catalog.albums_by_id, album_id)

    def artist(self, artist_id: str) -> Artist | None:
        return self._find(self.catalog.artists_by_id, artist_id)

    def episode(self, episode_id: str) -> Episode | None:
        return self._find(self.catalog.episodes_by_id, episode_id)

    def playlist(self, playlist_id: str) -> Playlist | None:
        return self._find(self.playlists_by_id, playlist_id)

    # -- edits (what a person does in the Spotify app between two syncs) --------------------
    def _editable(self, playlist_id: str) -> Playlist:
        playlist = self.playlist(playlist_id)
        if playlist is None:
            raise KeyError(f"no playlist {playlist_id!r}")
        return playlist

    def _item(self, ref: str) -> Item:
        kind, _, item_id = ref.rpartition(":") if ref.startswith("spotify:") else ("", "", ref)
        item: Item = self.episode(item_id) if kind.endswith("episode") else self.track(item_id)
        if item is None:
            raise KeyError(f"no track or episode {ref!r}")
        return item

    def playlist_add(
        self,
        playlist_id: str,
        item_ids: list[str],
        position: int | None = None,
        added_by: str | None = None,
    ) -> str:
        with self.lock:
            playlist = self._editable(playlist_id)
            adder = self.user(added_by) if added_by else playlist.owner
            stamp = gen.iso(gen.BASE_TIME + 3600 * (playlist.version + 1))
            new = [Entry(self._item(ref), stamp, adder) for ref in item_ids]
            at = len(playlist.entries) if position is None else position
            playlist.entries[at:at] = new
            playlist.version += 1
            return playlist.snapshot_id()

    def playlist_remove(self, playlist_id: str, item_ids: list[str]) -> str:
        """Removes every occurrence of each id, as Spotify's remove-by-uri does."""
        with self.lock:
            playlist = self._editable(playlist_id)
            gone = {ref.rpartition(":")[2] for ref in item_ids}
            playlist.entries = [e for e in playlist.entries if _item_id(e.item) not in gone]
            playlist.version += 1
            return playlist.snapshot_id()

    def playlist_move(
        self, playlist_id: str, range_start: int, insert_before: int, range_length: int = 1
    ) -> str:
        """Spotify's reorder: move [range_start, +range_length) to before `insert_before`."""
        with self.lock:
            playlist = self._editable(playlist_id)
            entries = playlist.entries
            block = entries[range_start : range_start + range_length]
            rest = entries[:range_start] + entries[range_start + range_length :]
            target = insert_before - (range_length if insert_before > range_start else 0)
            playlist.entries = rest[:target] + block + rest[target:]
            playlist.version += 1
            return playlist.snapshot_id()

    def reset(self) -> None:
        with self.lock:
            for playlist in self.playlists_by_id.values():
                playlist.restore()

    # -- expectations for tests -------------------------------------------------------------
    def user_library(self, ref: str) -> dict[str, Any]:
        user = self.user(ref)
        lib = self.library(user)
        return {
            "user_id": user.id,
            "key": user.key,
            "display_name": user.display_name,
            "account_id": user.account_id,
            "liked": [t.id for t, _ in lib.liked],
            "albums": [a.id for a, _ in lib.albums],
            "followed_artists": [a.id for a in lib.followed],
            "recently_played": [p.track.id for p in lib.recent],
            "top_tracks": {k: [t.id for t in v] for k, v in lib.top_tracks.items()},
            "top_artists": {k: [a.id for a in v] for k, v in lib.top_artists.items()},
            "playlists": [playlist_view(p, user) for p in lib.playlists],
        }


def _item_id(item: Item) -> str | None:
    return None if item is None or isinstance(item, LocalTrack) else item.id


def _item_kind(item: Item) -> str | None:
    if item is None:
        return None
    return {Track: "track", Episode: "episode", LocalTrack: "local"}[type(item)]


def playlist_view(playlist: Playlist, user: User) -> dict[str, Any]:
    return {
        "id": playlist.id,
        "name": playlist.name,
        "owner_id": playlist.owner.id,
        "public": playlist.public,
        "collaborative": playlist.collaborative,
        "readable": playlist.readable_by(user.id),
        "snapshot_id": playlist.snapshot_id(),
        "track_ids": [e.item.id for e in playlist.entries if isinstance(e.item, Track)],
        "items": [{"type": _item_kind(e.item), "id": _item_id(e.item)} for e in playlist.entries],
    }
