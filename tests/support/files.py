"""Files the tests put on disk: real audio and pictures made by ffmpeg, and the `put_file`
fixture's type (a StoredFile row with its file under MUSIC_ROOT)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from downloads.models import StoredFile
from spotifydl.ffmpeg import ffmpeg_path

PutFile = Callable[..., StoredFile]


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
