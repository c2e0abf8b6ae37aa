"""P3 ZIP: about 2 GB of stored files as one ZIP, over HTTP from uvicorn to a loopback client.

Ours: the job's ZIP from the real app (`python -m uvicorn spotifydl.asgi:application`), streamed
by zipstream-ng with Content-Length. Baseline, the seeds' way: the same files written into a
temporary ZIP with `zipfile`, then sent (bench/zip_baseline.py, also under uvicorn, also with
Django loaded). Bound: `cat` of the same files into /dev/null. The client streams with httpx
and throws the bytes away. Reported: time to first byte, throughput, peak RSS of the server
process (VmHWM) and its growth over the idle process, and extra disk used while serving.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from bench.environment import ROOT, Environment
from bench.harness import (
    MB,
    DiskWatch,
    free_port,
    log,
    median,
    proc_status_mb,
    ratio,
    rounded,
    wait_for_port,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from downloads.models import Job

BLOCK = 4 * MB
BYTES_PER_MS = 20  # 160 kbit/s, the sandbox's "real" audio
MIN_FILE, MAX_FILE = 3 * MB, 8 * MB


def write_library(env: Environment, user: User, total_bytes: int) -> tuple[Job, list[Path]]:
    """Files of real-ish bytes (random blocks) for the user's liked songs, until `total_bytes`,
    with StoredFile rows, and a job holding them all (every item already downloaded)."""
    from downloads.models import AudioFormat, Job, StoredFile
    from downloads.services import job_create
    from library.models import SavedTrack

    block = os.urandom(BLOCK)
    saved = (
        SavedTrack.objects.filter(user=user)
        .exclude(track__stored_files__isnull=False)  # P2 may have stored some already
        .select_related("track__album")
        .order_by("pk")
    )
    rows, paths, tracks, written = [], [], [], 0
    for index, entry in enumerate(saved.iterator()):
        if written >= total_bytes:
            break
        track = entry.track
        size = min(MAX_FILE, max(MIN_FILE, track.duration_ms * BYTES_PER_MS))
        album = track.album.spotify_id if track.album else "no-album"
        relative = f"zipbench/{album}/{track.spotify_id}.opus"
        path = env.music_root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_file(path, size, block, offset=(index * 999_983) % BLOCK)
        rows.append(
            StoredFile(
                track=track,
                audio_format=AudioFormat.ORIGINAL,
                path=relative,
                size=size,
                codec="opus",
                container="ogg",
                duration=track.duration_ms / 1000,
                source_id=f"bench{index:06d}",
            )
        )
        paths.append(path)
        tracks.append(track)
        written += size
    StoredFile.objects.bulk_create(rows)
    job = job_create(
        owner=user,
        kind=Job.Kind.SELECTION,
        target_id="",
        title="ZIP benchmark",
        tracks=tracks,
        enqueue=False,
    )
    os.sync()  # nothing left to write back while we measure
    return job, paths


def _write_file(path: Path, size: int, block: bytes, offset: int) -> None:
    view = memoryview(block)
    with path.open("wb") as out:
        left = size
        while left > 0:
            part = view[offset : offset + left]
            out.write(part)
            left -= len(part)
            offset = 0


@dataclass
class Download:
    status: int
    content_length: int
    received: int
    ttfb: float
    seconds: float
    idle_rss_mb: float
    peak_rss_mb: float
    extra_disk_mb: float

    @property
    def rss_growth_mb(self) -> float:
        return self.peak_rss_mb - self.idle_rss_mb


def figures(runs: list[Download]) -> dict[str, Any]:
    """Medians of the times over the rounds, the worst of memory and disk."""
    seconds = median(r.seconds for r in runs)
    return {
        "seconds": rounded(seconds),
        "ttfb_s": rounded(median(r.ttfb for r in runs)),
        "throughput_mb_s": rounded(runs[0].received / MB / seconds, 1),
        "peak_rss_mb": rounded(max(r.peak_rss_mb for r in runs), 1),
        "rss_growth_mb": rounded(max(r.rss_growth_mb for r in runs), 1),
        "extra_disk_mb": max(r.extra_disk_mb for r in runs),
        "bytes": runs[0].received,
        "seconds_each_round": [rounded(r.seconds, 2) for r in runs],
    }


class Server:
    """An ASGI app under uvicorn in a subprocess of its own."""

    def __init__(self, app: str) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1",
             "--port", str(self.port), "--lifespan", "off", "--no-access-log",
             "--log-level", "warning"],
            cwd=ROOT,
            env=dict(os.environ),
        )  # fmt: skip
        wait_for_port(self.port, alive=lambda: self.process.poll() is None)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def fetch(server: Server, path: str, cookies: dict[str, str], disk: Path) -> Download:
    with httpx.Client(base_url=server.url, cookies=cookies, timeout=600) as client:
        client.get("/healthz").raise_for_status()  # warm: imports, a DB connection
        idle = proc_status_mb(server.process.pid, "VmRSS")
        with DiskWatch(disk) as watch:
            began = time.perf_counter()
            first = None
            received = 0
            with client.stream("GET", path) as response:
                for chunk in response.iter_raw(MB):
                    if first is None:
                        first = time.perf_counter()
                    received += len(chunk)
            seconds = time.perf_counter() - began
        peak = proc_status_mb(server.process.pid, "VmHWM")
    return Download(
        status=response.status_code,
        content_length=int(response.headers.get("content-length", -1)),
        received=received,
        ttfb=(first or time.perf_counter()) - began,
        seconds=seconds,
        idle_rss_mb=idle,
        peak_rss_mb=peak,
        extra_disk_mb=watch.peak_mb,
    )


def serve(app: str, path: str, cookies: dict[str, str], disk: Path) -> Download:
    server = Server(app)
    try:
        download = fetch(server, path, cookies, disk)
    finally:
        server.stop()
    if download.status != 200 or download.received != download.content_length:
        raise RuntimeError(
            f"{app}: HTTP {download.status}, {download.received} bytes of {download.content_length}"
        )
    return download


def cat_seconds(paths: list[Path]) -> float:
    """The bound: the same files read by `cat` into /dev/null."""
    began = time.perf_counter()
    for start in range(0, len(paths), 500):
        subprocess.run(
            ["cat", *map(str, paths[start : start + 500])], stdout=subprocess.DEVNULL, check=True
        )
    return time.perf_counter() - began


def run(env: Environment, *, total_bytes: int = 2 * 1024**3, rounds: int = 3) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    user = env.library("marco")
    log(f"P3: writing {total_bytes / MB:.0f} MB of files")
    job, paths = write_library(env, user, total_bytes)
    files_bytes = sum(p.stat().st_size for p in paths)
    client = Client()
    client.force_login(user)
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    zip_path = f"/zip/jobs/{job.pk}/"

    cat_seconds(paths)  # every variant then reads from a warm page cache
    bound = median(cat_seconds(paths) for _ in range(3))
    log(f"P3 bound: cat in {bound:.2f} s")
    ours_runs: list[Download] = []
    base_runs: list[Download] = []
    for number in range(1, rounds + 1):  # alternating, so both see the same machine
        ours_runs.append(serve("spotifydl.asgi:application", zip_path, cookies, env.root))
        base_runs.append(serve("bench.zip_baseline:application", zip_path, cookies, env.root))
        log(
            f"P3 round {number}: ours {ours_runs[-1].seconds:.1f} s "
            f"(first byte {ours_runs[-1].ttfb:.3f} s), baseline {base_runs[-1].seconds:.1f} s "
            f"(first byte {base_runs[-1].ttfb:.3f} s)"
        )
    ours, base = figures(ours_runs), figures(base_runs)
    send = median(r.seconds - r.ttfb for r in base_runs)
    return {
        "benchmark": "P3",
        "name": "ZIP delivery",
        "setup": {
            "files": len(paths),
            "files_mb": rounded(files_bytes / MB, 1),
            "files_bytes": files_bytes,
            "zip_mb_ours": rounded(ours["bytes"] / MB, 1),
            "zip_mb_baseline": rounded(base["bytes"] / MB, 1),
            "rounds": rounds,
        },
        "metric": "seconds until the whole ZIP is received, median of the rounds (lower is better)",
        "ours": ours,
        "baseline": base,
        "bound": {
            "seconds": rounded(bound),
            "throughput_mb_s": rounded(files_bytes / MB / bound, 1),
            # Not a bound, a reference: the baseline's send phase is a finished file through the
            # same uvicorn + httpx pair, i.e. what HTTP alone costs on this machine.
            "http_send_of_a_ready_file_s": rounded(send),
            "http_send_of_a_ready_file_mb_s": rounded(base["bytes"] / MB / max(1e-9, send), 1),
        },
        "ratio": {
            "speedup_vs_baseline": ratio(base["seconds"], ours["seconds"]),
            "ttfb_baseline_over_ours": ratio(base["ttfb_s"], ours["ttfb_s"], 1),
            "ours_over_bound": ratio(ours["seconds"], bound),
            "ours_over_http_send_of_a_ready_file": ratio(ours["seconds"], send),
            "rss_growth_baseline_over_ours": ratio(base["rss_growth_mb"], ours["rss_growth_mb"]),
        },
        "counts": {"files": len(paths), "job_items": job.items.count()},
    }
