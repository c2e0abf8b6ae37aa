"""Adopt a folder: recognise every audio file, and (when applying) place it by the path template
(or leave it where it is), complete its tags from Spotify and record it as a file on disk.

Nothing is deleted: `copy` leaves the folder as it was, `move` moves files into the music
folder, `link` records files already inside the music folder where they are. Safe to run again:
a track that already has a file in that format is reported and left alone.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction

from downloads import selectors, uploads
from downloads.adopt.recognise import LibraryIndex, Recognition, Verdict, recognise
from downloads.adopt.scan import FileFacts, audio_files, file_facts
from downloads.models import AudioFormat, DownloadSettings, StoredFile
from downloads.pipeline import store
from downloads.pipeline.errors import StoreError, TagError
from downloads.pipeline.metadata import TrackTags
from downloads.pipeline.tag import read_tags, write_tags
from downloads.worker.work import track_tags
from library.models import Track, artist_links_prefetch

IMPORT_SOURCE = "import"
CONTAINERS = {"mp3": "mp3", "m4a": "mp4", "opus": "ogg", "ogg": "ogg", "flac": "flac"}
CODECS = {"mp3": "mp3", "m4a": "aac", "opus": "opus", "ogg": "vorbis", "flac": "flac"}


class Mode(StrEnum):
    COPY = "copy"
    MOVE = "move"
    LINK = "link"


class FolderError(ValueError):
    """The folder cannot be imported as asked; the message says why."""


@dataclass
class ImportReport:
    recognised: list[tuple[Path, Track, str]] = field(default_factory=list)  # file, track, where
    already: list[tuple[Path, Track]] = field(default_factory=list)
    ambiguous: list[tuple[Path, tuple[Track, ...]]] = field(default_factory=list)
    unrecognised: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)


Progress = Callable[[Path], None]


def format_of(ext: str) -> str:
    """MP3s serve MP3 requests; the rest serve "original" ones (as uploaded, not re-encoded)."""
    return AudioFormat.MP3 if ext == "mp3" else AudioFormat.ORIGINAL


def folder_import(
    *,
    owner: User,
    folder: Path,
    mode: Mode = Mode.COPY,
    apply: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    root = store.music_root()
    folder = folder.resolve()
    if not folder.is_dir():
        raise FolderError(f"{folder} is not a folder.")
    if mode == Mode.LINK and not folder.is_relative_to(root.resolve()):
        raise FolderError(
            "--link leaves files where they are, so the folder must be inside "
            f"the music folder ({root})."
        )
    tracks = (
        selectors.owned_tracks(user=owner)
        .select_related("album")
        .prefetch_related(artist_links_prefetch(""))
    )
    index = LibraryIndex.of(tracks)
    report = ImportReport()
    for path in list(audio_files(folder)):
        facts = file_facts(path)
        _file_import(owner, facts, recognise(facts, index), mode, apply, report)
        if progress is not None:
            progress(path)
    return report


def _file_import(
    owner: User, facts: FileFacts, found: Recognition, mode: Mode, apply: bool, report: ImportReport
) -> None:
    if found.verdict == Verdict.UNRECOGNISED:
        report.unrecognised.append(facts.path)
        return
    if found.verdict == Verdict.AMBIGUOUS:
        report.ambiguous.append((facts.path, found.tracks))
        return
    track = found.track
    audio_format = format_of(facts.ext)
    if uploads.stored_files_for(owner_id=owner.pk, track_ids=[track.pk], audio_format=audio_format):
        report.already.append((facts.path, track))
        return
    if not apply:
        report.recognised.append((facts.path, track, "(dry run)"))
        return
    try:
        final = file_adopt(facts=facts, track=track, mode=mode)
    except (OSError, StoreError) as exc:
        report.failed.append((facts.path, str(exc)))
        return
    report.recognised.append((facts.path, track, final))


def file_adopt(*, facts: FileFacts, track: Track, mode: Mode) -> str:
    """Tag, place and record one recognised file; returns its path in the music folder."""
    root = store.music_root()
    tags = track_tags(track)
    if mode == Mode.LINK:
        _tags_complete(facts.path, tags)
        final = facts.path
    else:
        with tempfile.TemporaryDirectory(dir=root, prefix=".import-") as temp:
            staged = Path(temp) / f"file.{facts.ext}"
            (shutil.move if mode == Mode.MOVE else shutil.copy2)(facts.path, staged)
            _tags_complete(staged, tags)
            template = DownloadSettings.load().path_template or store.DEFAULT_TEMPLATE
            planned = store.render_path(template, store.PathFields.from_tags(tags, facts.ext))
            final = store.store_file(
                staged,
                planned,
                track_id=track.spotify_id,
                upload_id=IMPORT_SOURCE,
                held=uploads.paths_held(
                    track_id=track.pk, audio_format=format_of(facts.ext), source_id=IMPORT_SOURCE
                ),
            )
    relative = final.resolve().relative_to(root.resolve()).as_posix()
    stored_file_adopt(track=track, relative=relative, facts=facts, size=final.stat().st_size)
    return relative


def _tags_complete(path: Path, tags: TrackTags) -> None:
    """Spotify's tags, keeping the file's own cover; FLAC files keep their tags as they are."""
    try:
        cover = read_tags(path)["cover"]
        write_tags(path, tags, cover)
    except TagError:
        return


@transaction.atomic
def stored_file_adopt(*, track: Track, relative: str, facts: FileFacts, size: int) -> StoredFile:
    stored, _ = StoredFile.objects.update_or_create(
        track=track,
        audio_format=format_of(facts.ext),
        source_id=IMPORT_SOURCE,
        defaults={
            "path": relative,
            "size": size,
            "codec": CODECS.get(facts.ext, facts.ext),
            "container": CONTAINERS.get(facts.ext, facts.ext),
            "duration": facts.duration,
        },
    )
    return stored
