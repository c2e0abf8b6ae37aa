"""Which codec a download holds, and the remux or conversion into the file we keep.

`original` keeps the codec (stream copy into Ogg or MP4); conversions happen only when asked.
Opus from a WebM is moved into Ogg in this process (`ogg_opus.py`); everything else is ffmpeg's.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from yt_dlp.utils import DownloadCancelled

from downloads.pipeline.errors import FetchError
from downloads.pipeline.fetch.classify import disk_full_error
from downloads.pipeline.fetch.ogg_opus import remux_webm_opus
from downloads.pipeline.fetch.retry import POLL_S, CancelCheck
from downloads.pipeline.fetch.sniff import container_codec
from spotifydl.ffmpeg import ffmpeg_path

AudioFormat = Literal["original", "mp3", "mp3-v0", "m4a", "opus"]
AUDIO_FORMATS: tuple[AudioFormat, ...] = get_args(AudioFormat)
CONVERT_TIMEOUT_S = 600
_STREAM = re.compile(r"Stream #\d+:\d+.*?: Audio: ([A-Za-z0-9_]+)")


@dataclass(frozen=True, slots=True)
class OutputPlan:
    ext: str
    codec: str
    args: tuple[str, ...]

    @property
    def copies(self) -> bool:
        return self.args[:2] == ("-c:a", "copy")


_COPY = ("-c:a", "copy")
# Containers that hold each codec without re-encoding.
_ORIGINAL_EXT = {"opus": "opus", "aac": "m4a", "vorbis": "ogg", "mp3": "mp3"}
_ENCODE = {
    "mp3": ("mp3", "mp3", ("-c:a", "libmp3lame", "-b:a", "320k")),
    "mp3-v0": ("mp3", "mp3", ("-c:a", "libmp3lame", "-q:a", "0")),
    "m4a": ("m4a", "aac", ("-c:a", "aac", "-b:a", "256k")),
    "opus": ("opus", "opus", ("-c:a", "libopus", "-b:a", "160k")),
}
_TARGET_CODEC = {"mp3": "mp3", "mp3-v0": "mp3", "m4a": "aac", "opus": "opus"}


def plan_output(source_codec: str, audio_format: AudioFormat) -> OutputPlan:
    """Stream copy whenever the wanted codec is already there; encode only otherwise."""
    if audio_format == "original":
        if source_codec in _ORIGINAL_EXT:
            return OutputPlan(_ORIGINAL_EXT[source_codec], source_codec, _COPY)
        # A codec no tag format covers (rare on YouTube): Opus keeps the most of it.
        audio_format = "opus"
    if _TARGET_CODEC[audio_format] == source_codec:
        return OutputPlan(_ENCODE[audio_format][0], source_codec, _COPY)
    ext, codec, args = _ENCODE[audio_format]
    return OutputPlan(ext, codec, args)


def codec_of(path: Path) -> str:
    """The codec of a download: what its container declares, else what ffmpeg finds in it."""
    return container_codec(path) or probe_codec(path)


def probe_codec(path: Path) -> str:
    """The first audio stream's codec name as ffmpeg reports it ("opus", "aac", "mp3", ...)."""
    result = subprocess.run(
        [ffmpeg_path(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=60,
    )
    match = _STREAM.search(result.stderr)
    if match is None:
        raise FetchError("The downloaded file holds no audio stream.", "other", retryable=True)
    return match.group(1).lower()


def _ffmpeg_command(source: Path, target: Path, plan: OutputPlan) -> list[str]:
    command = [ffmpeg_path(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    command += ["-i", str(source), "-map", "0:a:0", "-vn", "-sn", "-dn"]
    # The upload's own tags and chapters are dropped: the tag stage writes ours.
    command += ["-map_metadata", "-1", "-map_chapters", "-1", *plan.args]
    if plan.ext == "m4a":
        command += ["-movflags", "+faststart"]  # the in-browser player can start before the end
    return [*command, str(target)]


def convert(source: Path, target: Path, plan: OutputPlan, cancel: CancelCheck) -> None:
    """Remux or encode `source` into `target`. Run ffmpeg, polling `cancel` so a long encode
    stops promptly, unless the remux is Opus into Ogg from a WebM `ogg_opus` follows.

    Its messages go to an anonymous temporary file in the system's temp folder, on purpose off
    the music disk: when that disk is full, they are what says so. The file has no name and is
    gone when closed, so it is no work folder of anyone's.
    """
    if plan.copies and plan.codec == "opus" and remux_webm_opus(source, target, cancel):
        return
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            _ffmpeg_command(source, target, plan), stdout=subprocess.DEVNULL, stderr=stderr
        )
        _wait(process, cancel)
        if process.returncode == 0:
            return
        if process.returncode < 0:
            # Killed from outside (a stopping worker's process group, the OOM killer): the
            # audio is not at fault, and a later try may pass.
            raise FetchError("ffmpeg was stopped before it finished.", "other", retryable=True)
        stderr.seek(0)
        message = stderr.read().decode(errors="replace")
    raise _ffmpeg_error(message, target)


def _wait(process: subprocess.Popen[bytes], cancel: CancelCheck) -> None:
    deadline = time.monotonic() + CONVERT_TIMEOUT_S
    while True:
        try:
            process.wait(timeout=POLL_S)
            return
        except subprocess.TimeoutExpired:
            if cancel() or time.monotonic() > deadline:
                process.kill()
                process.wait()
                if cancel():
                    raise DownloadCancelled() from None
                raise FetchError("ffmpeg took too long to convert.", "other", True) from None


def _ffmpeg_error(stderr: str, target: Path) -> FetchError:
    if "No space left on device" in stderr or _disk_is_full(target.parent):
        return disk_full_error()
    last = stderr.strip().splitlines()[-1] if stderr.strip() else "no message"
    return FetchError(f"ffmpeg could not convert the audio: {last}", "other", retryable=False)


def _disk_is_full(directory: Path) -> bool:
    """Less room left than one more audio block: ffmpeg's own message may not say so."""
    try:
        return shutil.disk_usage(directory).free < 64 * 1024
    except OSError:
        return False
