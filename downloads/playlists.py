"""Playlist files: THE one .m3u8 writer, and a source's tracks in order.

A playlist or Liked Songs gets MUSIC_ROOT/Playlists/<title>.m3u8 listing its stored files in the
source's current order. Jobs write it when they finish, syncs after every run; both go through
`_write`, which rewrites the file only when its text changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from downloads.models import Job, StoredFile, Subscription
from downloads.pipeline import store
from library import tracklists
from library.models import Playlist, artist_links_prefetch

PLAYLISTS_FOLDER = "Playlists"
# Sources that have a playlist file (saved albums have none).
LISTED_SOURCES = (Subscription.Source.PLAYLIST, Subscription.Source.LIKED)


def source_track_ids(*, source: str, owner_id: int, target_id: str) -> list[int]:
    """A source's tracks in its order, as stored in the catalog (a track twice is listed twice).

    `source` is a Subscription.Source (a playlist or Liked Songs job's kind has the same value);
    the orders are library.tracklists', which the browsing pages show too. Any other source has
    no order of its own: [].
    """
    if source == Subscription.Source.PLAYLIST:
        playlist = Playlist.objects.filter(spotify_id=target_id).values_list("pk", flat=True)
        playlist_id = playlist.first()
        if playlist_id is None:
            return []
        entries = tracklists.playlist_entries(playlist_id=playlist_id)
        return list(entries.values_list("track_id", flat=True))
    if source == Subscription.Source.LIKED:
        saves = tracklists.liked_saves(user_id=owner_id)
        return list(saves.values_list("track_id", flat=True))
    if source == Subscription.Source.ALBUMS:
        return tracklists.saved_albums_track_ids(user_id=owner_id)
    return []


def playlist_file_path(*, title: str) -> Path:
    """Where the playlist file of something called `title` goes."""
    name = store.sanitize_component(title or "Playlist", max_bytes=store.MAX_COMPONENT_BYTES - 6)
    return store.music_root() / PLAYLISTS_FOLDER / f"{name}.m3u8"


def playlist_file_write(*, job: Job) -> Path:
    """(Re)write a playlist or Liked Songs job's file in the source's current order.

    The order is the catalog's (so a later sync job rewrites the whole list); the job's own
    items stand in when the catalog has no entries.
    """
    order = source_track_ids(source=job.kind, owner_id=job.owner_id, target_id=job.target_id)
    if not order:
        order = list(job.items.order_by("position").values_list("track_id", flat=True))
    return _write(title=job.title, track_ids=order, audio_format=job.audio_format)


def playlist_file_sync(*, subscription: Subscription) -> Path | None:
    """Make a subscribed playlist's or Liked Songs' file list its stored files in source order.

    The same file, with the same lines, as a finished sync job writes. Saved albums have none.
    """
    if subscription.source not in LISTED_SOURCES:
        return None
    order = source_track_ids(
        source=subscription.source,
        owner_id=subscription.owner_id,
        target_id=subscription.target_id,
    )
    return _write(title=subscription.title, track_ids=order, audio_format=subscription.audio_format)


def _write(*, title: str, track_ids: list[int], audio_format: str) -> Path:
    """Written only when its text changes; lists the files that exist, in `track_ids` order."""
    path = playlist_file_path(title=title)
    files = _files_by_track(track_ids, audio_format)
    entries = [
        store.PlaylistEntry(
            path=stored.absolute_path,
            duration_s=stored.duration,
            artist=", ".join(stored.track.artist_names()),
            title=stored.track.name,
        )
        for stored in (files[t] for t in track_ids if t in files)
        if stored.exists_on_disk()
    ]
    text = store.m3u8_text(path, entries)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return path
    store.write_m3u8(path, entries)
    return path


def _files_by_track(track_ids: Iterable[int], audio_format: str) -> dict[int, StoredFile]:
    """One file per track, the wanted format first (another format beats a gap in the list)."""
    files: dict[int, StoredFile] = {}
    rows = (
        StoredFile.objects.filter(track_id__in=list(track_ids))
        .select_related("track__album")
        .prefetch_related(artist_links_prefetch("track__"))
        .order_by("created_at")
    )
    for f in rows:
        if f.track_id not in files or f.audio_format == audio_format:
            files[f.track_id] = f
    return files
