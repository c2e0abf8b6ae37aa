"""A ZIP of many stored files, streamed with Content-Length and constant memory.

zipstream-ng computes the exact size of a stored (uncompressed: audio is compressed already)
archive before writing a byte, so the response carries Content-Length and browsers show real
progress. Its generator is synchronous and reads files as it goes; `ArchiveStream` runs it in a
worker thread a batch at a time, because under ASGI a synchronous iterator would make Django read
the whole archive into memory before sending any of it.

Inside: the files under their MUSIC_ROOT-relative paths, a cover.jpg in each album's folder,
and an .m3u8 at the top listing the tracks in order with paths relative to the archive root.
"""

from __future__ import annotations

import asyncio
import logging
import posixpath
import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.http import StreamingHttpResponse
from zipstream import ZipStream

from downloads.delivery.files import archive_name, content_disposition, locate
from downloads.delivery.selectors import Collection
from downloads.models import StoredFile
from downloads.pipeline.errors import PipelineError
from downloads.pipeline.metadata import CoverCache, is_jpeg
from downloads.pipeline.store import PlaylistEntry, m3u8_text, sanitize_component
from downloads.pipeline.tag import read_tags

logger = logging.getLogger(__name__)

# Bytes handed to the server per await: big enough that the thread hop costs nothing, small
# enough that memory stays flat (zipstream itself reads files 64 KiB at a time).
BATCH_BYTES = 1024 * 1024
COVER_NAME = "cover.jpg"


@dataclass(frozen=True, slots=True)
class Member:
    stored: StoredFile
    path: Path
    arcname: str


def build_archive(collection: Collection, *, root: Path, covers: Path) -> ZipStream | None:
    """The archive of the collection's files that exist on disk; None when there are none.

    Blocking (stat calls, cover reads): run it in a thread.
    """
    archive = ZipStream(sized=True)
    members = _add_audio(archive, collection.files, root.resolve())
    if not members:
        return None
    taken = {member.arcname for member in members.values()}
    _add_covers(archive, list(members.values()), covers, taken)
    _add_playlist(archive, collection, members, taken)
    archive.comment = f"{collection.title} (spotifydl)"
    return archive


def _add_audio(archive: ZipStream, files: list[StoredFile], root: Path) -> dict[int, Member]:
    members: dict[int, Member] = {}
    for stored in files:
        if stored.pk in members:
            continue  # a track listed twice is stored once
        path = locate(stored, root)
        if path is None:
            continue
        # The resolved path, so the name is clean whatever the row holds ("a/./b", symlinks).
        arcname = path.relative_to(root).as_posix()
        try:
            archive.add_path(path, arcname, recurse=False)
        except FileNotFoundError:
            continue  # removed between the check and the stat
        members[stored.pk] = Member(stored, path, arcname)
    return members


# --- covers -------------------------------------------------------------------------------------


def _add_covers(archive: ZipStream, members: list[Member], covers: Path, taken: set[str]) -> None:
    """cover.jpg in each folder that holds exactly one album's files (not in a mixed folder,
    as a flat path template would make, where it would be the wrong cover for most tracks)."""
    for folder, member in _album_folders(members).items():
        arcname = posixpath.join(folder, COVER_NAME)
        album = member.stored.track.album
        if arcname in taken or album is None:
            continue
        cached = CoverCache(covers).path_for(album.spotify_id)
        if cached.is_file():
            archive.add_path(cached, arcname, recurse=False)
            continue
        cover = embedded_cover(member.path)
        if cover is not None:
            # Only the size is kept: the picture is read again while streaming, so a large
            # archive never holds every album's cover in memory.
            archive.add(EmbeddedCover(member.path), arcname, size=len(cover))


def _album_folders(members: list[Member]) -> dict[str, Member]:
    """Folder -> one member of the single album whose files are all in that folder."""
    albums_in: defaultdict[str, set[int | None]] = defaultdict(set)
    folders_of: defaultdict[int, set[str]] = defaultdict(set)
    first: dict[str, Member] = {}
    for member in members:
        folder = posixpath.dirname(member.arcname)
        album_id = member.stored.track.album_id
        albums_in[folder].add(album_id)
        if album_id is not None:
            folders_of[album_id].add(folder)
        first.setdefault(folder, member)
    return {
        folder: member
        for folder, member in first.items()
        if len(albums_in[folder]) == 1
        and member.stored.track.album_id is not None
        and len(folders_of[member.stored.track.album_id]) == 1
    }


def embedded_cover(path: Path) -> bytes | None:
    """The JPEG front cover the pipeline embedded in the file, or None."""
    try:
        cover = read_tags(path)["cover"]
    except (PipelineError, OSError, ValueError):
        return None
    except Exception:
        # mutagen raises assorted errors on damaged files; a missing cover must not stop a ZIP.
        logger.warning("cannot read the cover of %s", path, exc_info=True)
        return None
    return cover if cover and is_jpeg(cover) else None


class EmbeddedCover:
    """The cover of one file, extracted when zipstream reaches it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __iter__(self) -> Iterator[bytes]:
        # If the file was re-tagged meanwhile the size no longer matches and zipstream raises:
        # the response then ends short of its Content-Length and the client sees it failed.
        yield embedded_cover(self.path) or b""


# --- the playlist -------------------------------------------------------------------------------


def _add_playlist(
    archive: ZipStream, collection: Collection, members: dict[int, Member], taken: set[str]
) -> None:
    name = f"{sanitize_component(collection.title or 'Playlist', max_bytes=180)}.m3u8"
    if name in taken:
        return
    # Paths are relative to the archive root, where the playlist itself lies.
    base = Path("/")
    entries = [
        PlaylistEntry(
            path=base / members[stored.pk].arcname,
            duration_s=stored.duration or (stored.track.duration_ms / 1000 or None),
            artist=", ".join(stored.track.artist_names()),
            title=stored.track.name,
        )
        for stored in collection.files
        if stored.pk in members
    ]
    try:
        text = m3u8_text(base / name, entries)
    except PipelineError:
        logger.warning("no playlist in the archive of %r: a name cannot be listed", name)
        return
    archive.add(text.encode("utf-8"), name)


# --- streaming ----------------------------------------------------------------------------------


class ArchiveStream:
    """The archive's bytes as an async iterator, produced a batch at a time in a worker thread.

    Django calls `close()` when the response ends, also when the client went away mid-archive:
    that closes zipstream's generator and with it the file it was reading.
    """

    def __init__(self, archive: ZipStream, *, batch_bytes: int = BATCH_BYTES) -> None:
        self._parts: Iterator[bytes] = iter(archive)
        self._batch_bytes = batch_bytes
        # One batch at a time, and never a close() in the middle of one.
        self._lock = threading.Lock()
        self._closed = False

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._batches()

    async def _batches(self) -> AsyncIterator[bytes]:
        while batch := await asyncio.to_thread(self._next_batch):
            yield batch

    def _next_batch(self) -> bytes:
        with self._lock:
            if self._closed:
                return b""
            parts: list[bytes] = []
            size = 0
            for part in self._parts:
                parts.append(part)
                size += len(part)
                if size >= self._batch_bytes:
                    break
            return b"".join(parts)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            close: Any = getattr(self._parts, "close", None)
            if close is not None:
                close()


def archive_response(
    archive: ZipStream, title: str, *, head: bool = False
) -> StreamingHttpResponse:
    body: ArchiveStream | _Nothing = _Nothing() if head else ArchiveStream(archive)
    response = StreamingHttpResponse(body, content_type="application/zip")
    # Known before the first byte: stored entries and their sizes decide every header.
    response["Content-Length"] = str(len(archive))
    response["Content-Disposition"] = content_disposition("attachment", archive_name(title))
    response["Cache-Control"] = "private, no-store"
    return response


class _Nothing:
    """An empty async body (HEAD): headers only, no file is read."""

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        raise StopAsyncIteration
