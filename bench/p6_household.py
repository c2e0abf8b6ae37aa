"""P6 household load: page clients and progress streams against `serve` while P5's job runs.

Three phases against one `manage.py serve` (WEB_WORKERS uvicorn processes) and P5's world:
  A. the load alone, no job running (the baseline for page times), `seconds` / 3;
  B. P5's 10,000-track job run by EMBEDDED_WORKERS worker processes, no load (the baseline for
     the workers' tracks per second), `seconds` / 3, once the workers have finished a track;
  C. the same job and the same load together, `seconds` (the figures: "ours").
The load: `page_clients` people, each an httpx.AsyncClient of its own in this process, going
round the pages (home, library, Liked Songs, playlists, albums, downloads, the big job's page,
the player) with `think` seconds between a page and the next, and `streams` progress streams of
the big job, held open for the whole phase. A page is an error if it answers anything but 200
or not within 30 s; a stream is an error if it cannot open or breaks. The bound is the issue's
goal: p99 500 ms, no errors, the workers within 10 % of their pace without the load.
`small_job_page` has the clients open the 100-item job's page instead of the big one's: what
the load costs once the job page no longer grows with the job.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from bench.harness import log, ratio, rounded
from bench.p5_library import KNOBS, WARM_ITEMS, finished_items, world_for
from bench.served import Web, Workers, session_cookies

if TYPE_CHECKING:
    from bench.environment import Environment
    from bench.p5_library import World

PAGE_TIMEOUT = 30.0
P99_GOAL_MS = 500
THROUGHPUT_GOAL = 0.9


@dataclass
class Load:
    """What the clients saw in one phase."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    stream_bytes: int = 0
    stream_events: int = 0

    def record(self, path: str, seconds: float, ok: bool) -> None:
        if ok:
            self.times[path].append(seconds)
        else:
            self.errors[path] += 1

    def summary(self, seconds: float) -> dict[str, Any]:
        every = [t for times in self.times.values() for t in times]
        done = len(every) + sum(self.errors.values())
        return {
            **percentiles(every),
            "requests": done,
            "requests_per_s": rounded(done / seconds, 1),
            "errors": sum(self.errors.values()),
            "errors_by_page": dict(self.errors),
            "by_page": {path: percentiles(times) for path, times in sorted(self.times.items())},
            "stream_events": self.stream_events,
            "stream_bytes": self.stream_bytes,
        }


def percentiles(times: list[float]) -> dict[str, Any]:
    if not times:
        return {"p50_ms": None, "p99_ms": None, "max_ms": None, "n": 0}
    ordered = sorted(times)

    def at(share: float) -> float:
        return rounded(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)

    return {"p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": at(1.0), "n": len(ordered)}


async def _browse(
    base: str, cookies: dict[str, str], paths: list[str], until: float, think: float, load: Load
) -> None:
    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=PAGE_TIMEOUT) as client:
        turn = 0
        while time.monotonic() < until:
            path = paths[turn % len(paths)]
            turn += 1
            began = time.perf_counter()
            try:
                response = await client.get(path)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            load.record(path, time.perf_counter() - began, ok)
            await asyncio.sleep(think)


async def _watch(base: str, cookies: dict[str, str], path: str, until: float, load: Load) -> None:
    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=PAGE_TIMEOUT) as client:
        while time.monotonic() < until:
            try:
                async with asyncio.timeout(until - time.monotonic()):
                    async with client.stream("GET", path) as response:
                        if response.status_code != 200:
                            load.record(path, 0.0, False)
                            await asyncio.sleep(1)
                            continue
                        async for chunk in response.aiter_raw():
                            load.stream_bytes += len(chunk)
                            load.stream_events += chunk.count(b"\n\n")
            except TimeoutError:
                return
            except httpx.HTTPError:
                load.record(path, 0.0, False)


async def _load(
    base: str,
    cookies: dict[str, str],
    paths: list[str],
    world: World,
    *,
    seconds: float,
    clients: int,
    streams: int,
    think: float,
) -> Load:
    load = Load()
    until = time.monotonic() + seconds
    events = f"/downloads/{world.big.pk}/events/"
    tasks = [
        # Clients start spread over one think time and at different pages, as people would.
        _staggered(
            i * think / max(1, clients),
            _browse(base, cookies, paths[i:] + paths[:i], until, think, load),
        )
        for i in range(clients)
    ] + [_watch(base, cookies, events, until, load) for _ in range(streams)]
    await asyncio.gather(*tasks)
    return load


async def _staggered(delay: float, work: Any) -> None:
    await asyncio.sleep(delay)
    await work


def _started(world: World, *, timeout: float) -> None:
    """Until the workers finish their first track (they import and check for a few seconds
    first; items a stopped worker left running don't count)."""
    deadline, before = time.monotonic() + timeout, finished_items(world.big)
    while time.monotonic() < deadline and finished_items(world.big) == before:
        time.sleep(0.2)


def household_pages(world: World, *, small_job_page: bool = False) -> list[str]:
    watched = world.small if small_job_page else world.big
    return [
        "/",
        "/library/",
        "/library/liked/",
        "/library/playlists/",
        "/library/albums/",
        "/downloads/",
        f"/downloads/{watched.pk}/",
        f"/play/jobs/{world.played_small.pk}/",
    ]


def _phase(
    name: str, web: Web, paths: list[str], world: World, cookies: dict[str, str], **load: Any
) -> Load:
    log(f"P6 {name}: {load['seconds']:.0f} s, {load['clients']} clients, {load['streams']} streams")
    return asyncio.run(_load(web.url, cookies, paths, world, **load))


def run(
    env: Environment,
    *,
    user_key: str = "hugo",
    small: int = 100,
    seconds: float = 60.0,
    page_clients: int = 40,
    streams: int = 10,
    think: float = 1.0,
    web_workers: int | None = None,
    small_job_page: bool = False,
    warm: int = WARM_ITEMS,
) -> dict[str, Any]:
    from django.conf import settings

    world = world_for(env, user_key=user_key, small=small, warm=warm)
    baseline_s = seconds / 3
    cookies = session_cookies(world.user)
    shape = {"clients": page_clients, "streams": streams, "think": think}
    paths = household_pages(world, small_job_page=small_job_page)
    web = Web(env, web_workers=web_workers)
    pool: Workers | None = None
    try:
        # Templates and imports in every web process, with the small job's page (same template).
        web.warm(cookies, household_pages(world, small_job_page=True))
        with env.knobs(**KNOBS):
            alone = _phase("A, no job", web, paths, world, cookies, seconds=baseline_s, **shape)
            pool = Workers(env, settings.EMBEDDED_WORKERS)
            _started(world, timeout=max(5.0, seconds / 2))
            before, began = finished_items(world.big), time.perf_counter()
            time.sleep(baseline_s)
            quiet_s = time.perf_counter() - began
            quiet = finished_items(world.big) - before
            log(f"P6 B, job alone: {quiet} tracks in {quiet_s:.1f} s")
            before, began = finished_items(world.big), time.perf_counter()
            loaded = _phase("C, job and load", web, paths, world, cookies, seconds=seconds, **shape)
            busy_s = time.perf_counter() - began
            busy = finished_items(world.big) - before
    finally:
        if pool is not None:
            pool.stop()
        web.stop()
    ours, base = loaded.summary(busy_s), alone.summary(baseline_s)
    ours["tracks_per_s"] = rounded(busy / busy_s, 2)
    base_tracks = rounded(quiet / quiet_s, 2)
    log(
        f"P6: no job p50/p99 {base['p50_ms']}/{base['p99_ms']} ms; job running "
        f"{ours['p50_ms']}/{ours['p99_ms']} ms, {ours['errors']} errors; tracks/s "
        f"{ours['tracks_per_s']} under load, {base_tracks} without"
    )
    workers_used = web_workers if web_workers is not None else settings.WEB_WORKERS
    return {
        "benchmark": "P6",
        "name": "Household load",
        "setup": {
            "user": user_key,
            "items": world.big.items.count(),
            "seconds_loaded": seconds,
            "seconds_each_baseline": baseline_s,
            "page_clients": page_clients,
            "progress_streams": streams,
            "think_seconds": think,
            "pages": paths,
            "job_page_watched": "100 items" if small_job_page else "10,000 items",
            "web_workers": workers_used,
            "job_workers": settings.EMBEDDED_WORKERS,
            "knobs": KNOBS,
            "client": "httpx.AsyncClient per client, in the bench process (with the sandbox)",
        },
        "metric": "page ms p50/p99 and errors with the job running (ours) and without "
        "(baseline); worker tracks per second under load and alone",
        "ours": ours,
        "baseline": {**base, "tracks_per_s_without_load": base_tracks},
        "bound": {"p99_ms": P99_GOAL_MS, "errors": 0, "throughput_share": THROUGHPUT_GOAL},
        "ratio": {
            "p50_job_over_no_job": ratio(ours["p50_ms"] or 0, base["p50_ms"] or 0),
            "p99_job_over_no_job": ratio(ours["p99_ms"] or 0, base["p99_ms"] or 0),
            "p99_over_goal": ratio(ours["p99_ms"] or 0, P99_GOAL_MS),
            "throughput_loaded_over_alone": ratio(ours["tracks_per_s"], base_tracks),
        },
        "counts": {
            "requests_with_job": ours["requests"],
            "requests_without_job": base["requests"],
            "errors_with_job": ours["errors"],
            "errors_without_job": base["errors"],
            "tracks_alone": quiet,
            "tracks_under_load": busy,
        },
    }
