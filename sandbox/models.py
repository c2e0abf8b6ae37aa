"""The sandbox's music world: plain objects, serialized to Spotify's shapes elsewhere."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field


@dataclass(eq=False)
class Artist:
    index: int
    id: str
    name: str
    image_key: str


@dataclass(eq=False)
class Album:
    id: str
    name: str
    album_type: str  # album | single | compilation
    artists: tuple[Artist, ...]
    release_date: str
    release_date_precision: str  # year | month | day
    upc: str
    label: str
    image_key: str
    tracks: list[Track] = field(default_factory=list)

    @property
    def year(self) -> int:
        return int(self.release_date[:4])


@dataclass(eq=False)
class Track:
    id: str
    name: str
    album: Album
    artists: tuple[Artist, ...]
    disc_number: int
    track_number: int
    duration_ms: int
    explicit: bool
    isrc: str
    twin: Track | None = None  # the clean (or explicit) version of the same song

    @property
    def title_key(self) -> str:
        return f"{self.artists[0].name} - {self.name}"


@dataclass(eq=False)
class Show:
    id: str
    name: str
    publisher: str
    description: str
    image_key: str
    total_episodes: int


@dataclass(eq=False)
class Episode:
    id: str
    name: str
    show: Show
    duration_ms: int
    release_date: str
    description: str
    explicit: bool


@dataclass(frozen=True)
class LocalTrack:
    """A file the user added from their own disk: Spotify gives it no ids at all."""

    name: str
    artist: str
    album: str
    duration_ms: int


Item = Track | Episode | LocalTrack | None


@dataclass(frozen=True)
class UserSpec:
    """How big and how strange one sandbox user's library is."""

    key: str
    display_name: str
    liked: int
    albums: int
    playlists: int
    playlist_size: tuple[int, int] = (10, 60)
    followed_artists: int = 10
    recent: int = 50
    top: int = 20
    edge_cases: bool = False
    follows: tuple[str, ...] = ()  # other user keys whose public playlists this user follows
    collaborates: tuple[str, ...] = ()  # other user keys whose collaborative playlists include us
    persona: str = ""


@dataclass(eq=False)
class User:
    key: str
    id: str
    display_name: str
    account_id: str
    image_key: str
    spec: UserSpec


@dataclass
class Entry:
    item: Item
    added_at: str
    added_by: User


@dataclass(eq=False)
class Playlist:
    id: str
    name: str
    description: str
    owner: User
    public: bool
    collaborative: bool
    image_key: str
    entries: list[Entry] = field(default_factory=list)
    collaborators: set[str] = field(default_factory=set)  # user ids
    version: int = 0
    seed_entries: tuple[Entry, ...] = ()

    def snapshot_id(self) -> str:
        # Changes on every edit (the version counter), even when content comes back the same.
        digest = hashlib.blake2b(f"{self.id}:{self.version}".encode(), digest_size=18).digest()
        return base64.b64encode(digest).decode()

    def readable_by(self, user_id: str) -> bool:
        return self.owner.id == user_id or user_id in self.collaborators

    def restore(self) -> None:
        self.entries = list(self.seed_entries)
        self.version = 0


@dataclass(frozen=True)
class Play:
    track: Track
    played_at_ms: int
    context: Playlist | Album | None


@dataclass
class Library:
    user: User
    liked: list[tuple[Track, str]] = field(default_factory=list)
    albums: list[tuple[Album, str]] = field(default_factory=list)
    playlists: list[Playlist] = field(default_factory=list)
    followed: list[Artist] = field(default_factory=list)
    recent: list[Play] = field(default_factory=list)
    top_tracks: dict[str, list[Track]] = field(default_factory=dict)
    top_artists: dict[str, list[Artist]] = field(default_factory=dict)
