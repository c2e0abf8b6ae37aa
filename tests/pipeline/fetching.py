"""What the fetch tests share: the stage called as the worker calls it, in a work folder, and
audio files made by real ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from downloads.pipeline.fetch.options import FetchOptions
from downloads.pipeline.fetch.stage import FetchedAudio, fetch
from spotifydl.ffmpeg import ffmpeg_path
from tests.support.files import ffmpeg

TONE = ("-f", "lavfi", "-i", "sine=frequency=440:duration=1")
PICTURE = ("-f", "lavfi", "-i", "color=size=64x64:duration=1")


def fetch_into(url: str, workdir: Path, **kwargs: Any) -> FetchedAudio:
    return fetch(url, options=kwargs.pop("options", FetchOptions()), workdir=workdir, **kwargs)


def made_by_ffmpeg(path: Path, *args: str) -> Path:
    """`path`, written by ffmpeg from `args` (inputs and encoder options)."""
    ffmpeg(*args, str(path))
    return path


def decoded(path: Path) -> bytes:
    """The audio of `path` as ffmpeg decodes it: 16-bit samples at 48 kHz."""
    command = [ffmpeg_path(), "-v", "error", "-nostdin", "-i", str(path), "-ar", "48000"]
    result = subprocess.run([*command, "-f", "s16le", "-"], capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout
