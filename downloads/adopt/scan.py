"""What a file in the folder says about itself: its tags (or its name), ISRC and length."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import mutagen

from downloads.pipeline.errors import TagError
from downloads.pipeline.tag import read_tags

AUDIO_EXTENSIONS = frozenset({".mp3", ".m4a", ".opus", ".ogg", ".flac"})
# "Artist - Title.ext", or "01 - Artist - Title.ext", for files without tags.
_NAMED = re.compile(r"^(?:\d{1,3}\s*[-.]\s*)?(?P<artist>.+?)\s+-\s+(?P<title>.+)$")


@dataclass(frozen=True, slots=True)
class FileFacts:
    path: Path
    title: str
    artists: tuple[str, ...]
    isrc: str
    duration: float | None

    @property
    def ext(self) -> str:
        return self.path.suffix.lower().lstrip(".")


def audio_files(folder: Path) -> Iterator[Path]:
    """Audio files under the folder, in a stable order; hidden folders are skipped."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() in AUDIO_EXTENSIONS:
            yield path


def file_facts(path: Path) -> FileFacts:
    title, artists, isrc = _tagged(path)
    if not title:
        title, artists = _named(path.stem)
    return FileFacts(path=path, title=title, artists=artists, isrc=isrc, duration=_length(path))


def _tagged(path: Path) -> tuple[str, tuple[str, ...], str]:
    try:
        tags = read_tags(path)
    except TagError:
        return _easy_tags(path)
    artists = tags["artists"] or ((tags["artist"],) if tags["artist"] else ())
    return tags["title"] or "", artists, (tags["isrc"] or "").upper()


def _easy_tags(path: Path) -> tuple[str, tuple[str, ...], str]:
    """FLAC and other containers the pipeline does not tag: mutagen's common keys."""
    try:
        audio = mutagen.File(path, easy=True)
    except mutagen.MutagenError:
        return "", (), ""
    tags = audio.tags if audio is not None and audio.tags is not None else {}

    def first(key: str) -> str:
        values = tags.get(key) or []
        return str(values[0]) if values else ""

    artists = tuple(str(a) for a in (tags.get("artist") or []))
    return first("title"), artists, first("isrc").upper()


def _named(stem: str) -> tuple[str, tuple[str, ...]]:
    found = _NAMED.match(stem.replace("_", " ").strip())
    if found is None:
        return stem, ()
    return found["title"].strip(), (found["artist"].strip(),)


def _length(path: Path) -> float | None:
    try:
        audio = mutagen.File(path)
    except mutagen.MutagenError:
        return None
    return float(audio.info.length) if audio is not None and audio.info else None
