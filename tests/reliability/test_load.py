"""Load on one machine and SQLite, all at once: 50 open progress streams, 10 concurrent ZIP
downloads and a fixed number of page requests while two real workers run a download job.
The app runs under uvicorn in its own process. Latency is printed, never asserted."""

from __future__ import annotations

import asyncio
import io
import shutil
import statistics
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.urls import reverse

from downloads.models import Job, JobItem
from library.models import PlaylistEntry, UserPlaylist
from sandbox import Sandbox
from tests.factories import PlaylistFactory, StoredFileFactory, TrackFactory
from tests.reliability.helpers import Processes, playlist_job, uploaded_tracks
from tests.reliability.invariants import assert_job_consistent, describe
from tests.support.files import make_opus
from tests.support.signing_in import session_cookies
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

STREAMS = 50
ZIPS = 10
PAGE_REQUESTS = 200
PAGE_CONCURRENCY = 10
ZIP_TRACKS = 40
JOB_TRACKS = 30


def _zip_playlist(owner: Any, tone: Path) -> str:
    """A playlist of ZIP_TRACKS downloaded tracks in the owner's library; its Spotify id."""
    playlist = PlaylistFactory.create(name="Load Test")
    UserPlaylist.objects.create(user=owner, playlist=playlist)
    for position in range(ZIP_TRACKS):
        track = TrackFactory.create(name=f"Loaded {position}")
        PlaylistEntry.objects.create(playlist=playlist, position=position, track=track)
        relative = f"Load/Test/{position:02d} Loaded.opus"
        path = Path(settings.MUSIC_ROOT) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tone, path)
        StoredFileFactory.create(track=track, path=relative, size=path.stat().st_size)
    return str(playlist.spotify_id)


async def _stream(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    """Read one progress stream to its end; what it saw."""
    events, last = 0, None
    async with client.stream("GET", url) as response:
        assert response.status_code == 200, response.status_code
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                events += 1
                last = line[6:].strip()
    return {"events": events, "last": last}


async def _zip(client: httpx.AsyncClient, url: str) -> float:
    began = time.monotonic()
    response = await client.get(url)
    assert response.status_code == 200, response.status_code
    assert int(response.headers["Content-Length"]) == len(response.content)
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.testzip() is None
        assert len([n for n in archive.namelist() if n.endswith(".opus")]) == ZIP_TRACKS
    return time.monotonic() - began


async def _pages(client: httpx.AsyncClient, urls: list[str]) -> list[float]:
    latencies: list[float] = []
    queue = [urls[i % len(urls)] for i in range(PAGE_REQUESTS)]

    async def one_worker() -> None:
        while queue:
            url = queue.pop()
            began = time.monotonic()
            response = await client.get(url)
            latencies.append(time.monotonic() - began)
            assert response.status_code == 200, (url, response.status_code)

    await asyncio.gather(*(one_worker() for _ in range(PAGE_CONCURRENCY)))
    return latencies


def _ms(values: list[float]) -> str:
    cuts = statistics.quantiles(values, n=100)
    return f"p50 {cuts[49] * 1000:.0f} ms, p99 {cuts[98] * 1000:.0f} ms, n={len(values)}"


def test_streams_zips_and_pages_at_once_beside_a_running_job_on_sqlite(
    media_sandbox: Sandbox, user: Any, processes: Processes, tmp_path: Path
) -> None:
    tone = make_opus(tmp_path / "tone.opus", seconds=20)
    playlist_id = _zip_playlist(user, tone)
    base = processes.web()
    processes.worker()
    processes.worker()
    job = playlist_job(
        media_sandbox, user, uploaded_tracks(media_sandbox, JOB_TRACKS), name="Busy", enqueue=True
    )
    wait_until(lambda: job.items.filter(status=JobItem.Status.RUNNING).exists(), timeout=60)
    pages = [
        reverse("downloads:job", args=[job.pk]),
        reverse("downloads:jobs"),
        reverse("library:playlist", args=[playlist_id]),
        reverse("delivery:playlist_player", args=[playlist_id]),
        reverse("library:index"),
        "/",
    ]
    events = reverse("downloads:job_events", args=[job.pk])
    zip_url = reverse("delivery:playlist_zip", args=[playlist_id])
    cookies = session_cookies(user)

    async def load() -> tuple[list[dict[str, Any]], list[float], list[float]]:
        limits = httpx.Limits(max_connections=STREAMS + ZIPS + PAGE_CONCURRENCY + 5)
        async with httpx.AsyncClient(
            base_url=base, cookies=cookies, timeout=120, limits=limits
        ) as client:
            streams = [asyncio.create_task(_stream(client, events)) for _ in range(STREAMS)]
            zips = [asyncio.create_task(_zip(client, zip_url)) for _ in range(ZIPS)]
            latencies = await _pages(client, pages)
            return await asyncio.gather(*streams), await asyncio.gather(*zips), latencies

    began = time.monotonic()
    streamed, zip_times, latencies = asyncio.run(load())
    took = time.monotonic() - began

    size = ZIP_TRACKS * tone.stat().st_size / 1e6
    counts = [s["events"] for s in streamed]
    print(
        f"\nload over {took:.1f} s with {STREAMS} progress streams ({min(counts)}-{max(counts)} "
        f"events each) and 2 workers on job {describe(job)['status']}:\n"
        f"  {PAGE_REQUESTS} pages, {PAGE_CONCURRENCY} at a time: {_ms(latencies)}\n"
        f"  {ZIPS} ZIPs of {size:.1f} MB at once: {_ms(zip_times)}"
    )
    assert all(s["last"] == "end" for s in streamed), "a progress stream ended without `end`"
    assert Job.objects.get(pk=job.pk).status in Job.FINISHED
    assert_job_consistent(job)
    logs = processes.log_text()
    assert "database is locked" not in logs.lower()
    assert "Traceback" not in logs, logs[-3000:]
