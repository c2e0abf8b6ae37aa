"""Find ffmpeg: the one on PATH when there is one, else the binary shipped in imageio-ffmpeg."""

from __future__ import annotations

import functools
import shutil


class FfmpegNotFound(RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            "ffmpeg was not found: install it (apt-get install ffmpeg) or "
            "`pip install imageio-ffmpeg`, which ships a binary."
        )


@functools.cache
def ffmpeg_path() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        raise FfmpegNotFound() from None
    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError:
        raise FfmpegNotFound() from None
