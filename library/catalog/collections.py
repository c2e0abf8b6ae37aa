"""The one set of writers of a person's collections: liked songs, saved albums, followed artists,
top lists, recent plays, their playlist list (with who may read what) and playlist entries.

A library refresh and a sync of one source both write through these, so the browsing pages see
the same rows whichever read them. Each writer is sync and holds one transaction; async callers
use sync_to_async (Django has no async transactions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from library.catalog.upsert import Row, update_rows, upsert
from library.catalog.writer import CatalogWriter, chunks, playlists_upsert
from library.models import (
    FollowedArtist,
    Playlist,
    PlaylistEntry,
    RecentPlay,
    SavedAlbum,
    SavedTrack,
    TopArtist,
    TopTrack,
    UserPlaylist,
)
from library.refresh.access import access_judge
from library.spotify import types as t


def _membership_replace(
    model: type[models.Model],
    *,
    user_id: int,
    key: str,
    rows: Sequence[Row],
    update: list[str],
    complete: bool = True,
) -> None:
    """Make the user's rows exactly `rows` (user_id, key_id, *update): drop the ones gone, upsert
    the rest. Not `complete`: `rows` are only some of them, nothing is dropped."""
    attname = f"{key}_id"
    if complete:
        own = model._default_manager.filter(user_id=user_id)
        keep = {row[1] for row in rows}
        gone = [pk for pk in own.values_list(attname, flat=True) if pk not in keep]
        for chunk in chunks(gone):
            own.filter(**{f"{attname}__in": chunk}).delete()
    upsert(
        model,
        rows,
        columns=["user_id", attname, *update],
        unique=["user_id", attname],
        update=update,
    )


def saved_tracks_store(
    *,
    user_id: int,
    saved: Sequence[t.SavedTrack],
    catalog: CatalogWriter,
    complete: bool = True,
) -> None:
    """The user's liked songs; not `complete`: only the newest, the others are as stored."""
    with transaction.atomic():
        track_pk = catalog.tracks(s.track for s in saved)
        # The newest save wins when a track appears twice.
        rows = {track_pk[s.track.id]: s.added_at for s in reversed(saved)}
        _membership_replace(
            SavedTrack,
            user_id=user_id,
            key="track",
            rows=[(user_id, pk, added_at) for pk, added_at in rows.items()],
            update=["added_at"],
            complete=complete,
        )


def saved_albums_store(
    *,
    user_id: int,
    saved: Sequence[t.SavedAlbum],
    catalog: CatalogWriter,
    complete: bool = True,
) -> None:
    """The user's saved albums; not `complete`: only the newest, the others are as stored."""
    with transaction.atomic():
        refs = [s.album.album for s in saved]
        upcs = {s.album.album.id: s.album.upc for s in saved if s.album.upc}
        album_pk = catalog.albums(refs, upcs)
        catalog.tracks((track for s in saved for track in s.album.tracks), albums=refs, upcs=upcs)
        rows = {album_pk[s.album.album.id]: s.added_at for s in reversed(saved)}
        _membership_replace(
            SavedAlbum,
            user_id=user_id,
            key="album",
            rows=[(user_id, pk, added_at) for pk, added_at in rows.items()],
            update=["added_at"],
            complete=complete,
        )


def saves_known(*, user_id: int) -> dict[str, datetime | None]:
    """The user's stored liked songs: when each was saved, by Spotify id."""
    rows = SavedTrack.objects.filter(user_id=user_id).values_list("track__spotify_id", "added_at")
    return dict(rows)


def album_saves_known(*, user_id: int) -> dict[str, datetime | None]:
    """The user's stored saved albums: when each was saved, by Spotify id."""
    rows = SavedAlbum.objects.filter(user_id=user_id).values_list("album__spotify_id", "added_at")
    return dict(rows)


def followed_artists_store(
    *, user_id: int, artists: Sequence[t.Artist], catalog: CatalogWriter
) -> None:
    with transaction.atomic():
        artist_pk = catalog.artists((), artists)
        rows = {artist_pk[a.id]: i for i, a in reversed(list(enumerate(artists)))}
        _membership_replace(
            FollowedArtist,
            user_id=user_id,
            key="artist",
            rows=[(user_id, pk, position) for pk, position in rows.items()],
            update=["position"],
        )


@dataclass(frozen=True, slots=True)
class TopLists:
    artists: dict[str, list[t.Artist]]
    tracks: dict[str, list[t.Track]]


def top_lists_store(*, user_id: int, top: TopLists, catalog: CatalogWriter) -> None:
    with transaction.atomic():
        artist_pk = catalog.artists((), [a for ranked in top.artists.values() for a in ranked])
        track_pk = catalog.tracks(tr for ranked in top.tracks.values() for tr in ranked)
        artists = {r: [artist_pk[a.id] for a in ranked] for r, ranked in top.artists.items()}
        tracks = {r: [track_pk[tr.id] for tr in ranked] for r, ranked in top.tracks.items()}
        _ranks_replace(TopArtist, user_id=user_id, key="artist", ranked=artists)
        _ranks_replace(TopTrack, user_id=user_id, key="track", ranked=tracks)


def _ranks_replace(
    model: type[TopArtist | TopTrack], *, user_id: int, key: str, ranked: dict[str, list[int]]
) -> None:
    """Make the user's ranked lists exactly `ranked` (primary keys in rank order, by time
    range): ranks past a list's end go, a rank stored as it is stays (an unchanged re-read
    writes nothing)."""
    rows = [
        (user_id, time_range, rank, pk)
        for time_range, pks in ranked.items()
        for rank, pk in enumerate(pks, start=1)
    ]
    keep = {(row[1], row[2]) for row in rows}
    own = model._default_manager.filter(user_id=user_id)
    gone = [pk for pk, *at in own.values_list("pk", "time_range", "rank") if tuple(at) not in keep]
    for chunk in chunks(gone):
        own.filter(pk__in=chunk).delete()
    upsert(
        model,
        rows,
        columns=["user_id", "time_range", "rank", f"{key}_id"],
        unique=["user_id", "time_range", "rank"],
        update=[f"{key}_id"],
    )


def recent_plays_store(
    *, user_id: int, plays: Sequence[t.PlayedTrack], catalog: CatalogWriter
) -> None:
    with transaction.atomic():
        track_pk = catalog.tracks(p.track for p in plays)
        # Spotify forgets plays after 50; kept rows make a longer history over time.
        RecentPlay.objects.bulk_create(
            [
                RecentPlay(user_id=user_id, track_id=track_pk[p.track.id], played_at=p.played_at)
                for p in plays
            ],
            ignore_conflicts=True,
        )


# --- playlists -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlaylistPlan:
    """Which playlists need their items read, and how many need not."""

    to_read: list[t.Playlist]
    unreadable: int
    unchanged: int


def user_playlists_store(
    *, user_id: int, spotify_id: str, playlists: Sequence[t.Playlist]
) -> PlaylistPlan:
    """Store the user's playlist list and decide which playlists need their items read."""
    with transaction.atomic():
        by_id = {p.id: p for p in playlists}
        playlists_upsert(by_id.values())
        stored = {
            row.spotify_id: row
            for chunk in chunks(list(by_id))
            for row in Playlist.objects.filter(spotify_id__in=chunk)
        }
        before = {m.playlist_id: m for m in UserPlaylist.objects.filter(user_id=user_id)}
        rows, to_read, unreadable, unchanged = [], [], 0, 0
        for position, p in enumerate(playlists):
            row = stored[p.id]
            membership = UserPlaylist(
                user_id=user_id,
                playlist_id=row.pk,
                position=position,
                is_owner=p.owner.id == spotify_id,
            )
            access_judge(membership, before.get(row.pk), p, entries_current=row.entries_current)
            if not membership.readable:
                unreadable += 1
            elif row.entries_current and membership.checked_snapshot_id == p.snapshot_id:
                unchanged += 1
            else:
                to_read.append(p)
            rows.append(membership)
        update = ["position", "is_owner", "readable", "unreadable_reason", "checked_snapshot_id"]
        unique_rows = {
            m.playlist_id: (user_id, m.playlist_id, *(getattr(m, f) for f in update))
            for m in reversed(rows)
        }
        _membership_replace(
            UserPlaylist,
            user_id=user_id,
            key="playlist",
            rows=list(unique_rows.values()),
            update=update,
        )
        return PlaylistPlan(
            to_read=list({p.id: p for p in to_read}.values()),
            unreadable=unreadable,
            unchanged=unchanged,
        )


def playlist_store(*, playlist: t.Playlist) -> bool:
    """Store one playlist's metadata; True when the stored entries belong to its snapshot."""
    with transaction.atomic():
        playlists_upsert([playlist])
        return Playlist.objects.get(spotify_id=playlist.id).entries_current


def playlist_entries_store(
    *,
    user_id: int,
    batch: Sequence[tuple[t.Playlist, t.PlaylistItems]],
    catalog: CatalogWriter,
) -> None:
    """Replace the entries of the playlists in `batch` and mark them read at their snapshot."""
    with transaction.atomic():
        track_pk = catalog.tracks(e.track for _, items in batch for e in items.entries)
        playlist_pk: dict[str, int] = dict(
            Playlist.objects.select_for_update()
            .filter(spotify_id__in=[p.id for p, _ in batch])
            .values_list("spotify_id", "pk")
        )
        entries = [
            (playlist_pk[playlist.id], e.position, track_pk[e.track.id], e.added_at, e.added_by)
            for playlist, items in batch
            for e in items.entries
        ]
        _entries_replace(playlist_pks=list(playlist_pk.values()), entries=entries)
        now = timezone.now()
        read = [(playlist_pk[p.id], p.snapshot_id, now) for p, _ in batch]
        update_rows(Playlist, read, key=["id"], columns=["items_snapshot_id", "items_read_at"])
        # A total the list left out: the entries just read are the count.
        counted = [
            (playlist_pk[p.id], len(items.entries) + items.skipped.total)
            for p, items in batch
            if p.items_total is None
        ]
        update_rows(Playlist, counted, key=["id"], columns=["items_total"])
        update_rows(
            UserPlaylist,
            [(user_id, playlist_pk[p.id], True, "", p.snapshot_id) for p, _ in batch],
            key=["user_id", "playlist_id"],
            columns=["readable", "unreadable_reason", "checked_snapshot_id"],
        )


def _entries_replace(*, playlist_pks: Sequence[int], entries: Sequence[Row]) -> None:
    """Make the playlists' entries exactly `entries`; an entry already stored as it is stays."""
    keep = {(row[0], row[1]) for row in entries}
    stored = PlaylistEntry.objects.filter(playlist_id__in=playlist_pks)
    gone = [
        pk
        for pk, *at in stored.values_list("pk", "playlist_id", "position")
        if tuple(at) not in keep
    ]
    for chunk in chunks(gone):
        PlaylistEntry.objects.filter(pk__in=chunk).delete()
    update = ["track_id", "added_at", "added_by"]
    upsert(
        PlaylistEntry,
        entries,
        columns=["playlist_id", "position", *update],
        unique=["playlist_id", "position"],
        update=update,
    )


def user_playlist_mark_unreadable(
    *, user_id: int, playlist_id: str, snapshot_id: str, reason: str
) -> None:
    """Spotify refused this user the playlist's items at `snapshot_id` (empty: not known)."""
    UserPlaylist.objects.filter(user_id=user_id, playlist__spotify_id=playlist_id).update(
        readable=False, unreadable_reason=reason, checked_snapshot_id=snapshot_id
    )


# --- albums seen outside the library -------------------------------------------------------------


def album_store(*, album: t.Album, tracks: Sequence[t.Track]) -> None:
    """An album and all its tracks, in the catalog only (nobody's collection changes)."""
    upcs = {album.album.id: album.upc} if album.upc else None
    with transaction.atomic():
        CatalogWriter().tracks(tracks, albums=[album.album], upcs=upcs)


def track_store(*, track: t.Track) -> None:
    """One track (with its album and artists), in the catalog only."""
    with transaction.atomic():
        CatalogWriter().tracks([track])
