"""Fixtures for the pipeline stages: tiny real audio files and a real JPEG, made with ffmpeg,
sandbox tracks to fetch, and the work folder the worker hands to a stage."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from downloads.pipeline.types import TrackQuery
from sandbox import Sandbox
from sandbox.models import Track
from spotifydl.ffmpeg import ffmpeg_path
from tests.pipeline.sandbox_tracks import SandboxTrack

ENCODERS = {"opus": "libopus", "m4a": "aac", "mp3": "libmp3lame", "ogg": "libvorbis"}


def _ffmpeg(*args: str) -> None:
    subprocess.run(
        [ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args],
        check=True,
        timeout=60,
    )


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One two-second sine per container, encoded once per test session."""
    directory = tmp_path_factory.mktemp("audio")
    for ext, encoder in ENCODERS.items():
        _ffmpeg(
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=2",
            "-c:a",
            encoder,
            str(directory / f"sine.{ext}"),
        )
    return directory


@pytest.fixture
def audio_file(audio_dir: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A fresh copy of the sine in the container named by the test's `ext` parameter."""
    ext = request.param
    copy = tmp_path / f"track.{ext}"
    copy.write_bytes((audio_dir / f"sine.{ext}").read_bytes())
    return copy


@pytest.fixture(scope="session")
def cover_jpeg(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("cover") / "cover.jpg"
    _ffmpeg("-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", str(path))
    return path.read_bytes()


# ---- the sandbox (YouTube stand-in) -----------------------------------------------------------

# `sandbox` / `sandbox_server` come from sandbox.pytest_plugin, loaded by tests/conftest.py.


@pytest.fixture
def media_sandbox(sandbox: Sandbox, settings: Any) -> Sandbox:
    """The sandbox, with YouTube Music search and watch URLs pointing at it (the URL allow-list
    reads YOUTUBE_WATCH_BASE)."""
    for name, value in sandbox.youtube_settings().items():
        setattr(settings, name, value)
    return sandbox


def _sandbox_track(sandbox: Sandbox, pick: Callable[[list[Track]], Track]) -> SandboxTrack:
    liked = sandbox.world.liked(sandbox.world.user("ana"))
    track = pick([t for t in liked if sandbox.expected_candidates(t.id)])
    expected = sandbox.expected_candidates(track.id)
    everyone = [c.id for c in sandbox.media.candidates(track.id)]
    return SandboxTrack(
        track=track,
        query=TrackQuery(
            name=track.name,
            artists=tuple(a.name for a in track.artists),
            album=track.album.name,
            duration_ms=track.duration_ms,
            isrc=track.isrc,
            explicit=track.explicit,
        ),
        right=sorted(expected)[0],
        wrong=tuple(c for c in everyone if c not in expected),
    )


@pytest.fixture
def short_track(media_sandbox: Sandbox) -> SandboxTrack:
    """The shortest liked track with a right upload: converting it takes a fraction of a second."""
    return _sandbox_track(media_sandbox, lambda tracks: min(tracks, key=lambda t: t.duration_ms))


@pytest.fixture
def long_track(media_sandbox: Sandbox) -> SandboxTrack:
    return _sandbox_track(media_sandbox, lambda tracks: max(tracks, key=lambda t: t.duration_ms))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """The work folder the caller (the worker) owns and hands to the stage."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder
