"""Typed results: the parts of Spotify's JSON the app uses, as frozen dataclasses.

Parsers are forgiving about missing optional fields (Spotify drops fields over time: popularity,
label, available_markets are gone in 2026) and strict about ids: an object without an id is not
something the catalog can store, so the parser returns None and the caller counts it as skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Json = dict[str, Any]

# What parse_track reads of a track, in Spotify's `fields` syntax. Playlist pages are most
# of a library's bytes; asking for only this halves them (liked songs take no `fields`).
_TRACK_FIELDS = (
    "type,id,name,is_local,duration_ms,explicit,disc_number,track_number,external_ids(isrc),"
    "artists(id,name),album(id,name,album_type,release_date,release_date_precision,"
    "total_tracks,images(url),artists(id,name))"
)
# `/items` answers carry the track under `item`; the deprecated `track` beside it is the same
# object again, so asking for both would double every page.
PLAYLIST_ITEMS_FIELDS = f"total,items(added_at,added_by(id),is_local,item({_TRACK_FIELDS}))"


@dataclass(frozen=True, slots=True)
class ArtistRef:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Artist:
    id: str
    name: str
    image_url: str = ""


@dataclass(frozen=True, slots=True)
class AlbumRef:
    id: str
    name: str
    album_type: str = ""
    release_date: str = ""
    release_date_precision: str = ""
    total_tracks: int = 0
    cover_url: str = ""
    cover_url_small: str = ""
    artists: tuple[ArtistRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Track:
    id: str
    name: str
    artists: tuple[ArtistRef, ...]
    album: AlbumRef | None
    duration_ms: int = 0
    explicit: bool = False
    disc_number: int = 1
    track_number: int = 1
    # Empty for tracks read from an album's track list: those pages carry no ISRC.
    isrc: str = ""


@dataclass(frozen=True, slots=True)
class Album:
    album: AlbumRef
    upc: str = ""
    # The first page of the album's tracks as embedded in the album object; `tracks_total`
    # says whether more pages exist.
    tracks: tuple[Track, ...] = ()
    tracks_total: int = 0


@dataclass(frozen=True, slots=True)
class User:
    id: str
    display_name: str
    # Spotify's stable account key (2026); older answers lack it and `id` stands in.
    account_id: str = ""
    image_url: str = ""

    @property
    def account_key(self) -> str:
        return self.account_id or self.id


@dataclass(frozen=True, slots=True)
class Playlist:
    id: str
    name: str
    owner: User
    snapshot_id: str
    items_total: int | None  # None: the answer did not say (never read as an empty playlist)
    collaborative: bool = False
    public: bool | None = None
    description: str = ""
    image_url: str = ""


@dataclass(frozen=True, slots=True)
class PlaylistEntry:
    position: int
    track: Track
    added_at: datetime | None = None
    added_by: str = ""


@dataclass(slots=True)
class Skipped:
    """Playlist entries that are not Spotify tracks, by kind; counted, never stored."""

    null: int = 0
    local: int = 0
    episode: int = 0

    @property
    def total(self) -> int:
        return self.null + self.local + self.episode

    def add(self, other: Skipped) -> None:
        self.null += other.null
        self.local += other.local
        self.episode += other.episode


@dataclass(frozen=True, slots=True)
class PlaylistItems:
    entries: tuple[PlaylistEntry, ...]
    skipped: Skipped = field(default_factory=Skipped)


@dataclass(frozen=True, slots=True)
class SavedTrack:
    track: Track
    added_at: datetime | None


@dataclass(frozen=True, slots=True)
class SavedAlbum:
    album: Album
    added_at: datetime | None


@dataclass(frozen=True, slots=True)
class Saves[T]:
    """Saved tracks or albums, newest first; not `complete`: only those newer than the stored."""

    saved: list[T]
    complete: bool = True
    skipped: int = 0  # entries that were not storable tracks (nulls, local files)


@dataclass(frozen=True, slots=True)
class PlayedTrack:
    track: Track
    played_at: datetime


# --- parsers -------------------------------------------------------------------------------


def _text(value: object) -> str:
    """Spotify's free text as we store it. NUL is the one character no database text column
    holds (PostgreSQL refuses it outright), so it goes; everything else is kept as written."""
    return value.replace("\x00", "") if isinstance(value, str) else ""


# What is stored of saved tracks or albums: when each was saved, by Spotify id.
type Known = Mapping[str, datetime | None]


def save_key(item: Any, kind: str) -> tuple[str, object] | None:
    """A saved entry's id and save time, for comparing with what is stored."""
    saved = item.get(kind) if isinstance(item, dict) else None
    if not isinstance(saved, dict) or not saved.get("id"):
        return None
    return str(saved["id"]), parse_time(item.get("added_at"))


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _images(data: Json) -> tuple[str, str]:
    """The widest and the narrowest image URL (Spotify lists them widest first)."""
    urls = [
        img["url"] for img in data.get("images") or () if isinstance(img, dict) and img.get("url")
    ]
    return (urls[0], urls[-1]) if urls else ("", "")


class Memo:
    """What one read has parsed so far, by Spotify id: a track, album or artist met again (a
    liked song that is also in playlists, an album's other tracks) is the object made the first
    time, not a new one. Within one read Spotify describes an id the same way everywhere, and
    the catalog writes each id once per run anyway; the one difference, a track listed on an
    album page without its ISRC, is parsed again when the ISRC turns up."""

    __slots__ = ("albums", "artists", "tracks")

    def __init__(self) -> None:
        self.tracks: dict[str, Track] = {}
        self.albums: dict[str, AlbumRef] = {}
        self.artists: dict[str, ArtistRef] = {}


def parse_artist_ref(data: Json, memo: Memo | None = None) -> ArtistRef | None:
    artist_id = data.get("id")
    if not artist_id:
        return None
    if memo is None:
        return ArtistRef(id=artist_id, name=_text(data.get("name")))
    ref = memo.artists.get(artist_id)
    if ref is None:
        ref = memo.artists[artist_id] = ArtistRef(id=artist_id, name=_text(data.get("name")))
    return ref


def _artist_refs(data: Json, memo: Memo | None = None) -> tuple[ArtistRef, ...]:
    refs = []
    for artist in data.get("artists") or ():
        if isinstance(artist, dict) and (ref := parse_artist_ref(artist, memo)) is not None:
            refs.append(ref)
    return tuple(refs)


def parse_artist(data: Json) -> Artist | None:
    if not data.get("id"):
        return None
    return Artist(id=data["id"], name=_text(data.get("name")), image_url=_images(data)[0])


def parse_album_ref(data: Json, memo: Memo | None = None) -> AlbumRef | None:
    album_id = data.get("id")
    if not album_id:
        return None
    if memo is not None and (known := memo.albums.get(album_id)) is not None:
        return known
    cover, cover_small = _images(data)
    ref = AlbumRef(
        id=album_id,
        name=_text(data.get("name")),
        album_type=data.get("album_type") or "",
        release_date=data.get("release_date") or "",
        release_date_precision=data.get("release_date_precision") or "",
        total_tracks=int(data.get("total_tracks") or 0),
        cover_url=cover,
        cover_url_small=cover_small,
        artists=_artist_refs(data, memo),
    )
    if memo is not None:
        memo.albums[album_id] = ref
    return ref


def parse_track(
    data: Json | None, *, album: AlbumRef | None = None, memo: Memo | None = None
) -> Track | None:
    """A track object; `album` stands in for the album of tracks listed inside an album."""
    if (
        not data
        or data.get("type", "track") != "track"
        or data.get("is_local")
        or not data.get("id")
    ):
        return None
    track_id = data["id"]
    known = memo.tracks.get(track_id) if memo is not None else None
    if known is not None and known.isrc:
        return known
    isrc = ((data.get("external_ids") or {}).get("isrc") or "").upper()
    if known is not None and not isrc:
        return known
    album_data = data.get("album")
    if isinstance(album_data, dict):
        album = parse_album_ref(album_data, memo) or album
    track = Track(
        id=track_id,
        name=_text(data.get("name")),
        artists=_artist_refs(data, memo),
        album=album,
        duration_ms=int(data.get("duration_ms") or 0),
        explicit=bool(data.get("explicit")),
        disc_number=int(data.get("disc_number") or 1),
        track_number=int(data.get("track_number") or 1),
        isrc=isrc,
    )
    if memo is not None:
        memo.tracks[track_id] = track
    return track


def parse_album(data: Json, memo: Memo | None = None) -> Album | None:
    ref = parse_album_ref(data, memo)
    if ref is None:
        return None
    page = data.get("tracks") or {}
    tracks = (parse_track(t, album=ref, memo=memo) for t in page.get("items") or [])
    return Album(
        album=ref,
        upc=(data.get("external_ids") or {}).get("upc") or "",
        tracks=tuple(t for t in tracks if t is not None),
        tracks_total=int(page.get("total") or 0),
    )


def parse_user(data: Json) -> User:
    return User(
        id=data.get("id") or "",
        display_name=_text(data.get("display_name") or data.get("id")),
        account_id=data.get("account_id") or "",
        image_url=_images(data)[0],
    )


def parse_playlist(data: Json) -> Playlist | None:
    if not data or not data.get("id"):
        return None
    # 2026 answers name the reference `items`; older ones `tracks`.
    ref = data.get("items") if isinstance(data.get("items"), dict) else data.get("tracks")
    return Playlist(
        id=data["id"],
        name=_text(data.get("name")),
        owner=parse_user(data.get("owner") or {}),
        snapshot_id=data.get("snapshot_id") or "",
        items_total=_total((ref or {}).get("total")),
        collaborative=bool(data.get("collaborative")),
        public=data.get("public"),
        description=_text(data.get("description")),
        image_url=_images(data)[0],
    )


def _total(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def parse_playlist_entry(
    data: Json | None, position: int, skipped: Skipped, memo: Memo | None = None
) -> PlaylistEntry | None:
    """One playlist entry: the track under `item`, else under `track`; others are counted."""
    if not data:
        skipped.null += 1
        return None
    item = data.get("item") if data.get("item") is not None else data.get("track")
    if not item:
        skipped.null += 1
        return None
    if data.get("is_local") or item.get("is_local"):
        skipped.local += 1
        return None
    if item.get("type", "track") == "episode":
        skipped.episode += 1
        return None
    track = parse_track(item, memo=memo)
    if track is None:
        skipped.null += 1
        return None
    added_by = data.get("added_by") or {}
    return PlaylistEntry(
        position=position,
        track=track,
        added_at=parse_time(data.get("added_at")),
        added_by=added_by.get("id") or "" if isinstance(added_by, dict) else "",
    )
