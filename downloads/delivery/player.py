"""One page of a player: the collection's files on disk, in play order, a page at a time.

The page never grows with the collection: it lists TRACKS_PER_PAGE entries, each numbered with
its place in the whole queue, and the player script reads neighbouring pages (the same HTML) to
play on past the last row, so a 10,000-track playlist is as heavy as a 100-track one. Only the
page's own files are read from the database and looked for on disk; the counts are aggregate SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.paginator import Page, Paginator

from downloads.delivery.files import present
from downloads.delivery.selectors import Queue, queue_files
from downloads.models import LyricsStatus, StoredFile
from spotifydl.paging import TRACKS_PER_PAGE
from spotifydl.row_addresses import row_address


@dataclass(frozen=True, slots=True)
class PlayerEntry:
    index: int  # the entry's place in the whole queue, from 0
    stored: StoredFile
    artists: str
    length: str
    cover_url: str
    stream_url: str
    download_url: str
    lyrics_url: str


@dataclass(frozen=True, slots=True)
class PlayerPage:
    page: Page[int]  # track pks of the queue's entries with a file
    entries: list[PlayerEntry]
    on_disk: int  # distinct tracks with a file
    missing: int  # distinct tracks without one

    @property
    def queue_length(self) -> int:
        return self.page.paginator.count


def player_page(queue: Queue, *, root: Path, number: str | int | None) -> PlayerPage:
    """The page `number` (out-of-range numbers give the nearest page). Blocking: stat calls,
    for this page's files only; a file gone from disk leaves a gap in the numbering, which the
    player steps over."""
    page = Paginator(queue.entries, TRACKS_PER_PAGE).get_page(number)
    track_ids = list(page.object_list)
    files = queue_files(queue=queue, track_ids=track_ids)
    first = page.start_index() - 1 if track_ids else 0
    on_disk = present(files.values(), root)
    entries = [
        _entry(first + offset, files[pk])
        for offset, pk in enumerate(track_ids)
        if pk in files and files[pk].pk in on_disk
    ]
    return PlayerPage(
        page=page,
        entries=entries,
        on_disk=queue.downloaded_count,
        missing=queue.track_count - queue.downloaded_count,
    )


def _entry(index: int, stored: StoredFile) -> PlayerEntry:
    track = stored.track
    album = track.album
    synced = stored.lyrics == LyricsStatus.SYNCED
    return PlayerEntry(
        index=index,
        stored=stored,
        artists=", ".join(track.artist_names()),
        length=_length(stored.duration or track.duration_ms / 1000),
        cover_url=(album.cover_url_small or album.cover_url) if album else "",
        # Three addresses a row, fifty rows a page (spotifydl/row_addresses.py).
        stream_url=row_address("delivery:stream", stored.pk),
        download_url=row_address("delivery:file", stored.pk),
        lyrics_url=row_address("delivery:lyrics", stored.pk) if synced else "",
    )


def _length(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}" if whole else ""
