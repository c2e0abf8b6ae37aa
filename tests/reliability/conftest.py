"""Fixtures of the reliability tests: real processes, a private
DATA_DIR and temp folder per test, and a record of outgoing connections."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import Sandbox
from tests.reliability.helpers import Connections, Processes, port_of, recorded_connections

NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens there


@pytest.fixture(autouse=True)
def _nothing_points_elsewhere(settings: Any) -> None:
    """Spotify and the media source point at a dead loopback port unless a test asks for the
    sandbox (the `spotify` and `media_sandbox` fixtures): no test can reach a real host."""
    settings.SPOTIFY_ACCOUNTS_URL = NOWHERE
    settings.SPOTIFY_API_URL = f"{NOWHERE}/v1"
    settings.MEDIA_SOURCES = ["ytmusic"]
    settings.YTMUSIC_BASE_URL = NOWHERE
    settings.YOUTUBE_WATCH_BASE = f"{NOWHERE}/watch?v="


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> Path:
    """DATA_DIR of this test alone: covers, cookies and temp names left behind are ours."""
    folder = tmp_path / "data"
    folder.mkdir()
    settings.DATA_DIR = folder
    return folder


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The process's temporary folder for this test, to check it is left empty."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    started = Processes(log_dir)
    yield started
    started.stop_all()


@pytest.fixture
def connections(sandbox: Sandbox) -> Iterator[tuple[Connections, set[int]]]:
    """Outgoing connections of this process, and the only ports they may go to (the sandbox)."""
    allowed = {port_of(sandbox.api_url), port_of(sandbox.media_url)}
    with recorded_connections() as record:
        yield record, allowed
