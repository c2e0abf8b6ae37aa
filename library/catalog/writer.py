"""Bulk upserts of the shared catalog (artists, albums, tracks, playlists) for the writers'
transactions.

A refresh meets the same track many times (liked, in several playlists, in top lists); the
writer remembers what this run already wrote, so each row is written once per run, not once per
appearance. Run it inside the caller's transaction; a failed transaction ends the whole run, and
the writer with it, so its memory never outlives what was committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from django.db import connection

from library.catalog.upsert import Row, upsert
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
TRACK_FIELDS = ["name", "album_id", "duration_ms", "explicit", "disc_number", "track_number"]
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


def _upsert_by_spotify_id(
    model: type[Artist | Album | Track], rows: Sequence[Row], fields: list[str]
) -> dict[str, int]:
    """Upsert rows of (spotify_id, *fields); the primary keys of the rows, by Spotify id."""
    upsert(model, rows, columns=["spotify_id", *fields], unique=["spotify_id"], update=fields)
    return _pks_by_spotify_id(model, [row[0] for row in rows])


def _pks_by_spotify_id(model: type[Artist | Album | Track], ids: Sequence[str]) -> dict[str, int]:
    # Plain SQL: the ORM prepares every value of a 500-id IN list one by one.
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(str(model._meta.pk.column))
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for chunk in chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            sql = f"SELECT spotify_id, {pk} FROM {table} WHERE spotify_id IN ({marks})"  # noqa: S608
            cursor.execute(sql, list(chunk))
            found.update(cursor.fetchall())
    return found


def _links(
    credited: Iterable[t.AlbumRef | t.Track], owner_pk: dict[str, int], artist_pk: dict[str, int]
) -> dict[tuple[int, int], int]:
    """(owner pk, artist pk) -> credit position; an artist credited twice keeps the first."""
    links: dict[tuple[int, int], int] = {}
    for owner in credited:
        pk = owner_pk[owner.id]
        for i, artist in enumerate(owner.artists):
            links.setdefault((pk, artist_pk[artist.id]), i)
    return links


def _links_upsert(
    model: type[AlbumArtist | TrackArtist], owner: str, links: dict[tuple[int, int], int]
) -> None:
    rows = [(owner_pk, artist_pk, i) for (owner_pk, artist_pk), i in links.items()]
    upsert(
        model,
        rows,
        columns=[f"{owner}_id", "artist_id", "position"],
        unique=[f"{owner}_id", "artist_id"],
        update=["position"],
    )


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
        self._artists |= _upsert_by_spotify_id(Artist, [(r.id, r.name) for r in plain], ["name"])
        self._artists |= _upsert_by_spotify_id(
            Artist, [(a.id, a.name, a.image_url) for a in rich], ["name", "image_url"]
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
        with_upc = [r for r in todo if upcs.get(r.id)]
        # A UPC only comes with full album objects: never overwrite one with nothing.
        self._albums |= _upsert_by_spotify_id(
            Album, [(*_album_row(r), upcs[r.id]) for r in with_upc], [*ALBUM_FIELDS, "upc"]
        )
        self._albums |= _upsert_by_spotify_id(
            Album, [_album_row(r) for r in todo if not upcs.get(r.id)], ALBUM_FIELDS
        )
        self._albums_with_upc |= {r.id for r in with_upc}
        _links_upsert(AlbumArtist, "album", _links(todo, self._albums, artist_pk))
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
        # Never overwrite a known ISRC with nothing.
        self._tracks |= _upsert_by_spotify_id(
            Track,
            [(*_track_row(tr, album_pk), tr.isrc) for tr in todo if tr.isrc],
            [*TRACK_FIELDS, "isrc"],
        )
        self._tracks |= _upsert_by_spotify_id(
            Track, [_track_row(tr, album_pk) for tr in todo if not tr.isrc], TRACK_FIELDS
        )
        self._tracks_with_isrc |= {tr.id for tr in todo if tr.isrc}
        _links_upsert(TrackArtist, "track", _links(todo, self._tracks, artist_pk))
        return {i: self._tracks[i] for i in wanted}


def _album_row(ref: t.AlbumRef) -> Row:
    """(spotify_id, *ALBUM_FIELDS)"""
    return (
        ref.id,
        ref.name,
        ref.album_type,
        ref.release_date,
        ref.release_date_precision,
        ref.total_tracks,
        ref.cover_url,
        ref.cover_url_small,
    )


def _track_row(track: t.Track, album_pk: dict[str, int]) -> Row:
    """(spotify_id, *TRACK_FIELDS)"""
    return (
        track.id,
        track.name,
        album_pk[track.album.id] if track.album is not None else None,
        track.duration_ms,
        track.explicit,
        track.disc_number,
        track.track_number,
    )


def playlists_upsert(playlists: Iterable[t.Playlist]) -> None:
    """Store each playlist as Spotify describes it (its entries are written separately)."""
    playlists = list(playlists)
    columns = ["spotify_id", *PLAYLIST_FIELDS]
    known = [_playlist_row(p) for p in playlists if p.items_total is not None]
    upsert(Playlist, known, columns=columns, unique=["spotify_id"], update=PLAYLIST_FIELDS)
    # A total the answer left out keeps the stored one; the entries, once read, set it.
    unknown = [_playlist_row(p) for p in playlists if p.items_total is None]
    without_total = [f for f in PLAYLIST_FIELDS if f != "items_total"]
    upsert(Playlist, unknown, columns=columns, unique=["spotify_id"], update=without_total)


def _playlist_row(playlist: t.Playlist) -> Row:
    """(spotify_id, *PLAYLIST_FIELDS)"""
    return (
        playlist.id,
        playlist.name,
        playlist.description,
        playlist.owner.id,
        playlist.owner.display_name,
        playlist.collaborative,
        playlist.public,
        playlist.image_url,
        playlist.snapshot_id,
        playlist.items_total or 0,
    )
