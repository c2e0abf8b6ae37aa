"""Files the tests put on disk: real audio and pictures made by ffmpeg, StoredFile rows with
their file under MUSIC_ROOT (`put_file`, also a fixture of tests/delivery), and a playlist in
someone's library with some of its tracks on disk."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

from downloads.models import AudioFormat, StoredFile
from library.models import Playlist, Track
from spotifydl.ffmpeg import ffmpeg_path
from tests.factories import PlaylistEntryFactory, StoredFileFactory, UserPlaylistFactory

PutFile = Callable[..., StoredFile]


def put_file(
    track: Track,
    relative: str,
    data: bytes = b"audio bytes",
    *,
    source: Path | None = None,
    audio_format: str = AudioFormat.ORIGINAL,
) -> StoredFile:
    """A StoredFile row and its file under MUSIC_ROOT (bytes given, or copied from `source`)."""
    path = Path(settings.MUSIC_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if source is not None:
        shutil.copyfile(source, path)
    else:
        path.write_bytes(data)
    return StoredFileFactory.create(
        track=track, path=relative, size=path.stat().st_size, audio_format=audio_format
    )


def playlist_with_files(
    owner: Any,
    tracks: Sequence[Track] = (),
    *,
    name: str = "Mix",
    files: Mapping[Track, str] | None = None,
) -> tuple[Playlist, list[StoredFile]]:
    """A playlist `name` in `owner`'s library holding `tracks` in this order (a track may repeat;
    none given: one new track), and a file on disk for each track `files` names, at its path
    under MUSIC_ROOT, put there in the mapping's order."""
    playlist = UserPlaylistFactory.create(user=owner, playlist__name=name).playlist
    for track in tracks:
        PlaylistEntryFactory.create(playlist=playlist, track=track)
    if not tracks:
        PlaylistEntryFactory.create(playlist=playlist)
    stored = [put_file(track, relative) for track, relative in (files or {}).items()]
    return playlist, stored


def ffmpeg(*args: str) -> None:
    subprocess.run(
        [ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        timeout=60,
    )


def make_opus(path: Path, *, seconds: int = 3) -> Path:
    """A real Ogg Opus file: a sine tone of `seconds`."""
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=440:duration={seconds}",
        "-c:a",
        "libopus",
        "-b:a",
        "32k",
        str(path),
    )
    return path


def make_jpeg(path: Path, *, color: str = "red") -> Path:
    ffmpeg("-f", "lavfi", "-i", f"color=c={color}:s=16x16", "-frames:v", "1", str(path))
    return path


def incoming_leftovers(music_root: Path) -> list[Path]:
    """What attempts left in MUSIC_ROOT/.incoming: anything inside a run's temp root, or beside
    the runs' roots (an empty root lasts as long as its process, or until a sweep)."""
    incoming = music_root / ".incoming"
    if not incoming.exists():
        return []
    found: list[Path] = []
    for entry in incoming.iterdir():
        if entry.name.startswith(("run-", ".new-run-")) and entry.is_dir():
            found += entry.iterdir()
        else:
            found.append(entry)
    return sorted(found)
