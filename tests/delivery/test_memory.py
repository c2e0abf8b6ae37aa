"""A 1 GB ZIP streams through the real app (uvicorn in a subprocess) in constant memory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PlaylistEntryFactory, UserPlaylistFactory
from tests.support.files import PutFile
from tests.support.processes import ROOT, child_env, free_port, wait_for_http

pytestmark = [pytest.mark.slow, pytest.mark.integration]

FILES = 8
FILE_BYTES = 128 * 2**20
PEAK_RSS_LIMIT = 120 * 2**20


@dataclass
class App:
    url: str
    pid: int


@pytest.fixture
def app(transactional_db: None, music_root: Path) -> Iterator[App]:
    """`python -m uvicorn spotifydl.asgi:application`, as production runs it, on the test DB."""
    port = free_port()
    env = child_env(
        MUSIC_ROOT=str(music_root),
        DATA_DIR=str(settings.DATA_DIR),
        # The child must accept sessions signed by this process.
        SECRET_KEY=settings.SECRET_KEY,
        LOG_LEVEL="WARNING",
    )
    argv = [sys.executable, "-m", "uvicorn", "spotifydl.asgi:application", "--port", str(port)]
    argv += [
        "--host",
        "127.0.0.1",
        "--lifespan",
        "off",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(argv, cwd=ROOT, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/healthz")
        yield App(url, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _peak_rss(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    assert found is not None
    return int(found[1]) * 1024


def _big_file(path: Path, index: int) -> bytes:
    """128 MB that cost no disk writes: a sparse file with real bytes at both ends."""
    head, tail = os.urandom(4096) + bytes([index]), os.urandom(4096)
    with open(path, "r+b") as handle:
        handle.write(head)
        handle.truncate(FILE_BYTES)
        handle.seek(-len(tail), os.SEEK_END)
        handle.write(tail)
    return head + tail


@pytest.fixture
def received(tmp_path: Path) -> Iterator[Path]:
    """Where the archive is saved; a real gigabyte on disk, so removed straight after."""
    path = tmp_path / "huge.zip"
    yield path
    path.unlink(missing_ok=True)


def test_a_1_gb_zip_streams_with_its_length_in_under_120_mb_of_memory(
    app: App, user: Any, put_file: PutFile, received: Path
) -> None:
    playlist = UserPlaylistFactory.create(user=user, playlist__name="Huge").playlist
    ends = {}
    for index in range(FILES):
        entry = PlaylistEntryFactory.create(playlist=playlist)
        stored = put_file(entry.track, f"Artist {index}/Album/01 Long.opus", b"")
        ends[stored.path] = _big_file(stored.absolute_path, index)
    client = Client()
    client.force_login(user)
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    before = _peak_rss(app.pid)

    with (
        httpx.stream(
            "GET", f"{app.url}/zip/playlists/{playlist.spotify_id}/", cookies=cookies, timeout=60
        ) as response,
        open(received, "wb") as out,
    ):
        assert response.status_code == 200
        length = int(response.headers["Content-Length"])
        for chunk in response.iter_raw(2**20):
            out.write(chunk)
    peak = _peak_rss(app.pid)

    assert received.stat().st_size == length > FILES * FILE_BYTES
    assert peak < PEAK_RSS_LIMIT, f"peak RSS {peak / 2**20:.0f} MB (before: {before / 2**20:.0f})"
    with zipfile.ZipFile(received) as archive:
        assert archive.testzip() is None
        for name, (start, end) in ((n, (e[:4097], e[4097:])) for n, e in ends.items()):
            with archive.open(name) as member:
                assert member.read(len(start)) == start
                member.seek(FILE_BYTES - len(end))
                assert member.read() == end
