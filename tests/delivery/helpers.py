"""Small helpers of the delivery tests: read a response body, make real audio and pictures."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from asgiref.sync import async_to_sync

from spotifydl.ffmpeg import ffmpeg_path


def body(response: Any) -> bytes:
    """The whole body of a test-client response, async streaming ones included."""
    if not getattr(response, "streaming", False):
        return bytes(response.content)
    if not response.is_async:
        return b"".join(response.streaming_content)

    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(collect)()


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
