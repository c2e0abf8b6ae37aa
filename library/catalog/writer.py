"""Bulk upserts of the shared catalog (artists, albums, tracks, playlists) for the writers'
transactions.

A refresh meets the same track many times (liked, in several playlists, in top lists); the
writer remembers what this run already wrote, so each row is written once per run, not once per
appearance. Run it inside the caller's transaction; a failed transaction ends the whole run, and
the writer with it, so its memory never outlives what was committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from django.db import models

from library.models import Album, AlbumArtist, Artist, Playlist, Track, TrackArtist
from library.spotify import types as t

CHUNK = 500  # ids per IN (...) query: well under every database's parameter limit

ALBUM_FIELDS = [
    "name",
    "album_type",
    "release_date",
    "release_date_precision",
    "total_tracks",
    "cover_url",
    "cover_url_small",
]
TRACK_FIELDS = ["name", "album", "duration_ms", "explicit", "disc_number", "track_number"]
PLAYLIST_FIELDS = [
    "name",
    "description",
    "owner_spotify_id",
    "owner_name",
    "collaborative",
    "public",
    "image_url",
    "snapshot_id",
    "items_total",
]


def chunks[T](items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def upsert[M: models.Model](
    model: type[M], objs: Sequence[M], *, unique: list[str], update: list[str]
) -> None:
    if not objs:
        return
    # One order for everyone: two refreshes writing the same rows lock them in the same order,
    # so PostgreSQL never sees them deadlock.
    columns = [getattr(model._meta.get_field(name), "attname", name) for name in unique]
    ordered = sorted(objs, key=lambda o: tuple(getattr(o, c) for c in columns))
    model._default_manager.bulk_create(
        ordered, update_conflicts=True, unique_fields=unique, update_fields=update
    )


def _upsert_by_spotify_id[M: Artist | Album | Track](
    model: type[M], objs: Sequence[M], update: list[str]
) -> dict[str, int]:
    """Upsert on the Spotify id; the primary keys of the rows, by Spotify id."""
    upsert(model, objs, unique=["spotify_id"], update=update)
    found = {o.spotify_id: o.pk for o in objs if o.pk is not None}
    missing = [o.spotify_id for o in objs if o.pk is None]
    # PostgreSQL and SQLite return the keys of upserted rows; other databases may not.
    for chunk in chunks(missing):
        rows = model._default_manager.filter(spotify_id__in=chunk).values_list("spotify_id", "pk")
        found.update(rows)
    return found


class CatalogWriter:
    """Writes artists, albums and tracks, each at most once per refresh run."""

    def __init__(self) -> None:
        self._artists: dict[str, int] = {}
        self._albums: dict[str, int] = {}
        self._tracks: dict[str, int] = {}
        # Rows written without a detail that only some answers carry, written again when the
        # detail turns up: artist images, album UPCs, track ISRCs.
        self._artists_with_image: set[str] = set()
        self._albums_with_upc: set[str] = set()
        self._tracks_with_isrc: set[str] = set()

    def artists(self, refs: Iterable[t.ArtistRef], full: Iterable[t.Artist] = ()) -> dict[str, int]:
        full_by_id = {a.id: a for a in full}
        wanted = {r.id: r for r in refs} | {a.id: t.ArtistRef(a.id, a.name) for a in full}
        rich = [a for a in full_by_id.values() if a.id not in self._artists_with_image]
        plain = [r for r in wanted.values() if r.id not in self._artists and r.id not in full_by_id]
        self._artists |= _upsert_by_spotify_id(
            Artist, [Artist(spotify_id=r.id, name=r.name) for r in plain], ["name"]
        )
        self._artists |= _upsert_by_spotify_id(
            Artist,
            [Artist(spotify_id=a.id, name=a.name, image_url=a.image_url) for a in rich],
            ["name", "image_url"],
        )
        self._artists_with_image |= {a.id for a in rich}
        return {i: self._artists[i] for i in wanted}

    def albums(
        self, refs: Iterable[t.AlbumRef], upcs: dict[str, str] | None = None
    ) -> dict[str, int]:
        upcs = upcs or {}
        wanted = {r.id: r for r in refs}
        todo = [
            r
            for r in wanted.values()
            if r.id not in self._albums or (upcs.get(r.id) and r.id not in self._albums_with_upc)
        ]
        artist_pk = self.artists(a for r in todo for a in r.artists)
        rows = [_album_row(r, upcs.get(r.id, "")) for r in todo]
        # A UPC only comes with full album objects: never overwrite one with nothing.
        self._albums |= _upsert_by_spotify_id(
            Album, [a for a in rows if a.upc], [*ALBUM_FIELDS, "upc"]
        )
        self._albums |= _upsert_by_spotify_id(Album, [a for a in rows if not a.upc], ALBUM_FIELDS)
        self._albums_with_upc |= {a.spotify_id for a in rows if a.upc}
        links = {
            (self._albums[r.id], artist_pk[a.id]): i
            for r in todo
            for i, a in reversed(list(enumerate(r.artists)))  # an artist credited twice: first
        }
        upsert(
            AlbumArtist,
            [AlbumArtist(album_id=al, artist_id=ar, position=i) for (al, ar), i in links.items()],
            unique=["album", "artist"],
            update=["position"],
        )
        return {i: self._albums[i] for i in wanted}

    def tracks(
        self,
        tracks: Iterable[t.Track],
        *,
        albums: Iterable[t.AlbumRef] = (),
        upcs: dict[str, str] | None = None,
    ) -> dict[str, int]:
        wanted: dict[str, t.Track] = {}
        for track in tracks:
            # The same track may arrive with and without ISRC (album pages carry none).
            if track.id not in wanted or track.isrc:
                wanted[track.id] = track
        todo = [
            tr
            for tr in wanted.values()
            if tr.id not in self._tracks or (tr.isrc and tr.id not in self._tracks_with_isrc)
        ]
        album_refs = [*albums, *(tr.album for tr in todo if tr.album is not None)]
        album_pk = self.albums(album_refs, upcs)
        artist_pk = self.artists(a for tr in todo for a in tr.artists)
        rows = [_track_row(tr, album_pk) for tr in todo]
        # Never overwrite a known ISRC with nothing.
        self._tracks |= _upsert_by_spotify_id(
            Track, [r for r in rows if r.isrc], [*TRACK_FIELDS, "isrc"]
        )
        self._tracks |= _upsert_by_spotify_id(Track, [r for r in rows if not r.isrc], TRACK_FIELDS)
        self._tracks_with_isrc |= {r.spotify_id for r in rows if r.isrc}
        links = {
            (self._tracks[tr.id], artist_pk[a.id]): i
            for tr in todo
            for i, a in reversed(list(enumerate(tr.artists)))
        }
        upsert(
            TrackArtist,
            [TrackArtist(track_id=tr, artist_id=ar, position=i) for (tr, ar), i in links.items()],
            unique=["track", "artist"],
            update=["position"],
        )
        return {i: self._tracks[i] for i in wanted}


def _album_row(ref: t.AlbumRef, upc: str) -> Album:
    return Album(
        spotify_id=ref.id,
        name=ref.name,
        album_type=ref.album_type,
        release_date=ref.release_date,
        release_date_precision=ref.release_date_precision,
        total_tracks=ref.total_tracks,
        cover_url=ref.cover_url,
        cover_url_small=ref.cover_url_small,
        upc=upc,
    )


def _track_row(track: t.Track, album_pk: dict[str, int]) -> Track:
    return Track(
        spotify_id=track.id,
        name=track.name,
        album_id=album_pk[track.album.id] if track.album is not None else None,
        isrc=track.isrc,
        duration_ms=track.duration_ms,
        explicit=track.explicit,
        disc_number=track.disc_number,
        track_number=track.track_number,
    )


def playlists_upsert(playlists: Iterable[t.Playlist]) -> None:
    """Store each playlist as Spotify describes it (its entries are written separately)."""
    known = [p for p in playlists if p.items_total is not None]
    upsert(
        Playlist, [_playlist_row(p) for p in known], unique=["spotify_id"], update=PLAYLIST_FIELDS
    )
    # A total the answer left out keeps the stored one; the entries, once read, set it.
    unknown = [_playlist_row(p) for p in playlists if p.items_total is None]
    without_total = [f for f in PLAYLIST_FIELDS if f != "items_total"]
    upsert(Playlist, unknown, unique=["spotify_id"], update=without_total)


def _playlist_row(playlist: t.Playlist) -> Playlist:
    return Playlist(
        spotify_id=playlist.id,
        name=playlist.name,
        description=playlist.description,
        owner_spotify_id=playlist.owner.id,
        owner_name=playlist.owner.display_name,
        collaborative=playlist.collaborative,
        public=playlist.public,
        image_url=playlist.image_url,
        snapshot_id=playlist.snapshot_id,
        items_total=playlist.items_total or 0,
    )
