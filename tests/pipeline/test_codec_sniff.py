"""The codec a download's container declares, read without ffmpeg, and what a fetch does with it.

Files made by real ffmpeg (a second of tone): the header's answer must be ffmpeg's own, and
anything the header does not settle is left to ffmpeg's probe.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from downloads.pipeline.fetch.convert import probe_codec
from downloads.pipeline.fetch.sniff import container_codec
from spotifydl.ffmpeg import ffmpeg_path
from tests.pipeline.fetching import fetch_into

TONE = ("-f", "lavfi", "-i", "sine=frequency=440:duration=1")
PICTURE = ("-f", "lavfi", "-i", "color=size=64x64:duration=1")


def _made(path: Path, *args: str) -> Path:
    subprocess.run(
        [ffmpeg_path(), "-v", "error", "-nostdin", "-y", *args, str(path)], check=True, timeout=60
    )
    return path


@pytest.mark.parametrize(
    ("name", "args", "codec"),
    [
        ("opus.webm", (*TONE, "-c:a", "libopus"), "opus"),
        ("vorbis.webm", (*TONE, "-c:a", "libvorbis"), "vorbis"),
        ("aac.m4a", (*TONE, "-c:a", "aac"), "aac"),
        ("mp3.mp4", (*TONE, "-c:a", "libmp3lame"), "mp3"),
        ("flac.mka", (*TONE, "-c:a", "flac"), "flac"),
        ("video-first.mkv", (*PICTURE, *TONE, "-c:v", "mpeg4", "-c:a", "libopus"), "opus"),
    ],
)
def test_the_codec_a_container_declares_is_the_one_ffmpeg_finds(tmp_path, name, args, codec):
    made = _made(tmp_path / name, *args)

    assert container_codec(made) == codec == probe_codec(made)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("plain.mp3", (*TONE, "-c:a", "libmp3lame")),
        ("plain.ogg", (*TONE, "-c:a", "libvorbis")),
        ("silent.mkv", (*PICTURE, "-c:v", "mpeg4")),
    ],
)
def test_containers_without_a_declared_audio_codec_are_left_to_ffmpeg(tmp_path, name, args):
    assert container_codec(_made(tmp_path / name, *args)) is None


def test_damaged_and_foreign_files_are_left_to_ffmpeg(tmp_path):
    whole = _made(tmp_path / "whole.webm", *TONE, "-c:a", "libopus").read_bytes()
    damaged = {
        "empty.webm": b"",
        "page.webm": b"<!DOCTYPE html><html>Sign in to confirm you're not a bot</html>",
        "cut.webm": whole[:24],
        "noise.webm": whole[:4] + bytes(range(256)) * 8,
    }
    for name, content in damaged.items():
        (tmp_path / name).write_bytes(content)

        assert container_codec(tmp_path / name) is None, name
    assert container_codec(tmp_path / "missing.webm") is None


@pytest.mark.integration
def test_a_fetched_webm_is_remuxed_by_one_ffmpeg_run_and_no_probe(
    media_sandbox, short_track, workdir, monkeypatch
):
    started: list[list[str]] = []
    popen_init = subprocess.Popen.__init__

    def recording(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        started.append([str(arg) for arg in args] if isinstance(args, list | tuple) else [args])
        popen_init(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", recording)

    fetched = fetch_into(short_track.media_url(media_sandbox, "webm"), workdir)

    # The sandbox, in this process, makes the video's audio with ffmpeg first: not a read of ours.
    ours = [args for args in started if "-i" in args and str(workdir) in args[args.index("-i") + 1]]
    assert fetched.source_codec == "opus"
    assert len(ours) == 1 and ours[0][-1] == str(fetched.path)
