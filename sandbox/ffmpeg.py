"""Finding and running ffmpeg (on PATH, else the binary inside the imageio-ffmpeg wheel)."""

from __future__ import annotations

import functools
import shutil
import subprocess


@functools.cache
def ffmpeg_exe() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def run_ffmpeg(*args: str, capture: bool = False) -> bytes:
    """Runs ffmpeg quietly; returns stdout when `capture`; raises with stderr on failure."""
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", *args]
    done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"ffmpeg failed ({done.returncode}): {message}")
    return done.stdout
