"""Lyrics in files: the .lrc text format, and embedding per container (ID3 USLT + SYLT, MP4
©lyr, Vorbis/Opus LYRICS). The tagged copy is renamed over the file, so a reader (the player, a
ZIP) sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import mutagen
import mutagen.id3
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from downloads.worker import workdir

_ID3: Any = mutagen.id3  # untyped frame classes
_STAMP = re.compile(r"\[(\d+):(\d+(?:\.\d+)?)\]")


def parse_lrc(text: str) -> list[tuple[float, str]]:
    """(seconds, line) pairs in time order; lines without a time stamp are left out."""
    lines: list[tuple[float, str]] = []
    for raw in text.splitlines():
        stamps = list(_STAMP.finditer(raw))
        if not stamps:
            continue
        words = raw[stamps[-1].end() :].strip()
        lines.extend((int(m.group(1)) * 60 + float(m.group(2)), words) for m in stamps)
    return sorted(lines, key=lambda pair: pair[0])


def atomic_text(path: Path, text: str) -> None:
    fd, temp = tempfile.mkstemp(
        dir=path.parent, prefix=workdir.beside_prefix("lyrics"), suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
        Path(temp).chmod(0o644)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def embed(audio: Path, *, plain: str | None, synced: str | None) -> None:
    """Embeds the lyrics in a tagged copy, then renames it over the file."""
    fd, temp_name = tempfile.mkstemp(
        dir=audio.parent, prefix=workdir.beside_prefix("lyrics"), suffix=audio.suffix
    )
    os.close(fd)
    temp = Path(temp_name)
    try:
        shutil.copy2(audio, temp)
        tagged = mutagen.File(temp)
        if isinstance(tagged, MP3):
            id3_add(_tags_of(tagged), plain, synced)
        elif isinstance(tagged, MP4):
            mp4_add(_tags_of(tagged), plain, synced)
        elif isinstance(tagged, OggOpus | OggVorbis):
            vorbis_add(tagged, plain, synced)
        else:
            raise mutagen.MutagenError(f"cannot embed lyrics in {audio.name}")
        tagged.save()
        temp.replace(audio)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _tags_of(audio: Any) -> Any:
    if audio.tags is None:
        audio.add_tags()
    return audio.tags


def id3_add(tags: Any, plain: str | None, synced: str | None) -> None:
    """The lyrics frames, in place of any the ID3 tags held."""
    tags.delall("USLT")
    tags.delall("SYLT")
    if plain:
        tags.add(_ID3.USLT(encoding=3, lang="eng", desc="", text=plain))
    if synced:
        # format 2: time stamps in milliseconds; type 1: lyrics.
        timed = [(words, round(at * 1000)) for at, words in parse_lrc(synced)]
        tags.add(_ID3.SYLT(encoding=3, lang="eng", format=2, type=1, desc="", text=timed))


def mp4_add(tags: Any, plain: str | None, synced: str | None) -> None:
    if synced or plain:
        tags["\xa9lyr"] = [synced or plain]


def vorbis_add(tags: Any, plain: str | None, synced: str | None) -> None:
    if synced or plain:
        tags["LYRICS"] = [synced or plain]


def embedded(audio: Path) -> dict[str, Any]:
    """What lyrics a file carries: {"plain": str | None, "synced": [(ms, line)] | None}."""
    tagged = mutagen.File(audio)
    if isinstance(tagged, MP3):
        tags: Any = tagged.tags
        uslt: list[Any] = tags.getall("USLT") if tags else []
        sylt: list[Any] = tags.getall("SYLT") if tags else []
        return {
            "plain": str(uslt[0].text) if uslt else None,
            "synced": [(ms, words) for words, ms in sylt[0].text] if sylt else None,
        }
    if isinstance(tagged, MP4):
        mp4: Any = tagged.tags or {}
        found = mp4.get("\xa9lyr")
        return {"plain": found[0] if found else None, "synced": None}
    found = tagged.get("LYRICS") if tagged is not None else None
    return {"plain": found[0] if found else None, "synced": None}
