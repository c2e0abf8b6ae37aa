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
from tests.pipeline.fetching import PICTURE, TONE, fetch_into, made_by_ffmpeg


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
    made = made_by_ffmpeg(tmp_path / name, *args)

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
    assert container_codec(made_by_ffmpeg(tmp_path / name, *args)) is None


def test_damaged_and_foreign_files_are_left_to_ffmpeg(tmp_path):
    whole = made_by_ffmpeg(tmp_path / "whole.webm", *TONE, "-c:a", "libopus").read_bytes()
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


def _ffmpeg_runs_on(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The ffmpeg processes started on a file in `workdir` from now on (the sandbox, in this
    process, makes a video's audio with ffmpeg first: not a run of ours)."""
    started: list[list[str]] = []
    popen_init = subprocess.Popen.__init__

    def recording(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        argv = [str(arg) for arg in args] if isinstance(args, list | tuple) else [str(args)]
        if "-i" in argv and str(workdir) in argv[argv.index("-i") + 1]:
            started.append(argv)
        popen_init(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", recording)
    return started


@pytest.mark.integration
def test_a_fetched_webm_becomes_ogg_opus_without_any_ffmpeg_process(
    media_sandbox, short_track, workdir, monkeypatch
):
    ours = _ffmpeg_runs_on(workdir, monkeypatch)

    fetched = fetch_into(short_track.media_url(media_sandbox, "webm"), workdir)

    assert fetched.source_codec == "opus" and fetched.path.suffix == ".opus"
    assert ours == []


@pytest.mark.integration
def test_a_fetched_m4a_is_remuxed_by_one_ffmpeg_run_and_no_probe(
    media_sandbox, short_track, workdir, monkeypatch
):
    ours = _ffmpeg_runs_on(workdir, monkeypatch)

    fetched = fetch_into(short_track.media_url(media_sandbox, "m4a"), workdir)

    assert fetched.source_codec == "aac"
    assert len(ours) == 1 and ours[0][-1] == str(fetched.path)
