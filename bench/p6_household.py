"""P6 household load: page clients and progress streams against `serve` while P5's job runs.

Three phases against one `manage.py serve` (WEB_WORKERS uvicorn processes) and P5's world:
  A. the load alone, no job running (the baseline for page times), `seconds` / 3;
  B. P5's 10,000-track job run by EMBEDDED_WORKERS worker processes, no load (the baseline for
     the workers' tracks per second), `seconds` / 3, once the workers have finished a track;
  C. the same job and the same load together, `seconds` (the figures: "ours").
The load: `page_clients` people, each an httpx.AsyncClient of its own, going round the pages
(home, library, Liked Songs, playlists, albums, downloads, the big job's page, the player) with
`think` seconds between a page and the next, each starting at a different page, their first
requests spread over the first think time (people don't click at the same millisecond), and
`streams` progress streams of the big job, held open for the whole phase. The clients run in a
process of their own (`bench.p6_clients`), not in this one, which runs the sandbox serving the
workers' searches and media: its turns would count as the server's. A page is an error if it
answers anything but 200 or not within 30 s; a stream is an error if it cannot open or breaks.
The bound is the issue's goal: p99 500 ms, no errors, the workers within 10 % of their pace
without the load. Beside the clients' times, each phase reports the web processes' own time
per page (`server`: the `Server-Timing` that `bench.timed_settings` adds), the clients' loop
lag, and the CPU the web processes and this process used (per request, and in cores); B and C
the workers' CPU (with their ffmpeg), and `cpu_demand` what C asks of the machine if pages and
workers each kept their pace alone (A's web cores plus B's workers' cores) against its CPUs.
`small_job_page` has the clients open the 100-item job's page instead of the big one's: what
the load costs once the job page no longer grows with the job. Before the phases, the sandbox
makes the audio of every item the workers may reach in them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.environment import ROOT
from bench.harness import log, ratio, rounded, stage
from bench.p5_library import KNOBS, WARM_ITEMS, finished_items, warm_media, world_for
from bench.p6_clients import Load, LoadSpec
from bench.served import Web, Workers, proc_cpu_seconds, session_cookies

if TYPE_CHECKING:
    from bench.environment import Environment
    from bench.p5_library import World

P99_GOAL_MS = 500
THROUGHPUT_GOAL = 0.9
# Tracks a second the workers may reach in B and C (alone they ran 9-13): the sandbox makes the
# audio of every item they may get to before the phases, as P5 does for its first 300. A 60 s C
# went past those, and the sandbox's ffmpeg (YouTube's work, not ours) ran inside the timed phase.
PACE_AHEAD = 15.0
START_S = 10.0


def _phase(name: str, web: Web, spec: LoadSpec, scratch: Path) -> tuple[Load, dict[str, Any]]:
    """The load for one phase, from a child process (bench.p6_clients); with the CPU the web
    processes and this one (the sandbox) used meanwhile."""
    log(f"P6 {name}: {spec.seconds:.0f} s, {spec.clients} clients, {spec.streams} streams")
    spec_file = scratch / "p6-load.json"
    spec_file.write_text(json.dumps(asdict(spec)))
    web_pids = web.tree()
    web_cpu, own_cpu = _cpu(web_pids), time.process_time()
    run = subprocess.run(
        [sys.executable, "-m", "bench.p6_clients", str(spec_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=spec.seconds + 120,
    )
    if run.returncode != 0:
        raise RuntimeError(f"P6 clients failed ({run.returncode}): {run.stderr[-4000:]}")
    load = Load.load(json.loads(run.stdout.strip().splitlines()[-1]))
    cpu = {
        "web_cpu_seconds": rounded(_cpu(web_pids) - web_cpu, 2),
        "bench_cpu_seconds": rounded(time.process_time() - own_cpu, 2),
    }
    return load, cpu


def _cpu(pids: list[int]) -> float:
    return sum(proc_cpu_seconds(pid, reaped=False) for pid in pids)


def _summary(load: Load, cpu: dict[str, Any]) -> dict[str, Any]:
    seconds = load.seconds
    figures = load.summary()
    requests = max(1, figures["requests"])
    figures["web_cpu_seconds"] = cpu["web_cpu_seconds"]
    figures["web_cpu_ms_per_request"] = rounded(1000 * cpu["web_cpu_seconds"] / requests, 1)
    figures["web_cores"] = rounded(cpu["web_cpu_seconds"] / seconds, 2)
    figures["bench_process_cores"] = rounded(cpu["bench_cpu_seconds"] / seconds, 2)
    return figures


def _workers_cpu(cpu_seconds: float, tracks: int, seconds: float) -> dict[str, Any]:
    """The worker processes' CPU (with their ffmpeg) over a phase: in cores, and per track."""
    return {
        "worker_cores": rounded(cpu_seconds / seconds, 2),
        "worker_cpu_ms_per_track": rounded(1000 * cpu_seconds / max(1, tracks), 1),
    }


def _cpu_demand(no_job: dict[str, Any], job_alone: dict[str, Any]) -> dict[str, Any]:
    """What phase C asks of the machine if the pages and the workers each keep their pace
    alone: the web's cores in A plus the workers' in B. Past the CPU count, the web (served
    first: WORKER_NICENESS) and the workers' pace cannot both hold, whatever the code does."""
    cores = rounded(no_job["web_cores"] + job_alone["worker_cores"], 2)
    cpus = os.cpu_count() or 1
    return {"cores": cores, "cpus": cpus, "over_cpus": ratio(cores, cpus)}


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
    if warm:
        reach = finished_items(world.big) + int((baseline_s + seconds + START_S) * PACE_AHEAD)
        with stage(f"P6: the sandbox makes the audio of the first {reach} items"):
            warm_media(env, world.big, max(warm, reach))
    cookies = session_cookies(world.user)
    paths = household_pages(world, small_job_page=small_job_page)
    spec = LoadSpec(
        base="",
        cookies=cookies,
        paths=paths,
        events=f"/downloads/{world.big.pk}/events/",
        seconds=baseline_s,
        clients=page_clients,
        streams=streams,
        think=think,
    )
    web = Web(env, web_workers=web_workers, timed=True)
    spec = replace(spec, base=web.url)
    scratch = Path(tempfile.mkdtemp(dir=env.root))
    pool: Workers | None = None
    try:
        # Templates and imports in every web process, with the small job's page (same template).
        web.warm(cookies, household_pages(world, small_job_page=True))
        with env.knobs(**KNOBS):
            alone = _phase("A, no job", web, spec, scratch)
            pool = Workers(env, settings.EMBEDDED_WORKERS)
            _started(world, timeout=max(5.0, seconds / 2))
            before, began = finished_items(world.big), time.perf_counter()
            worker_cpu = [pool.cpu_seconds()]
            time.sleep(baseline_s)
            quiet_s = time.perf_counter() - began
            quiet = finished_items(world.big) - before
            worker_cpu.append(pool.cpu_seconds())
            log(f"P6 B, job alone: {quiet} tracks in {quiet_s:.1f} s")
            before, began = finished_items(world.big), time.perf_counter()
            loaded = _phase("C, job and load", web, replace(spec, seconds=seconds), scratch)
            busy_s = time.perf_counter() - began
            busy = finished_items(world.big) - before
            worker_cpu.append(pool.cpu_seconds())
    finally:
        if pool is not None:
            pool.stop()
        web.stop()
    ours, base = _summary(*loaded), _summary(*alone)
    ours["tracks_per_s"] = rounded(busy / busy_s, 2)
    base_tracks = rounded(quiet / quiet_s, 2)
    quiet_workers = _workers_cpu(worker_cpu[1] - worker_cpu[0], quiet, quiet_s)
    ours |= _workers_cpu(worker_cpu[2] - worker_cpu[1], busy, busy_s)
    log(
        f"P6: no job p50/p99 {base['p50_ms']}/{base['p99_ms']} ms; job running "
        f"{ours['p50_ms']}/{ours['p99_ms']} ms, {ours['errors']} errors; tracks/s "
        f"{ours['tracks_per_s']} under load, {base_tracks} without; server p50/p99 "
        f"{base['server']['p50_ms']}/{base['server']['p99_ms']} and "
        f"{ours['server']['p50_ms']}/{ours['server']['p99_ms']} ms; web CPU per request "
        f"{base['web_cpu_ms_per_request']} and {ours['web_cpu_ms_per_request']} ms; workers "
        f"{quiet_workers['worker_cores']} cores alone, web {base['web_cores']} with no job"
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
            "client": "httpx.AsyncClient per client, in a child process (bench.p6_clients)",
            "server_timing": "bench.timed_settings: Server-Timing from the web processes",
        },
        "metric": "page ms p50/p99 and errors with the job running (ours) and without "
        "(baseline); worker tracks per second under load and alone",
        "ours": ours,
        "baseline": {
            **base,
            "tracks_per_s_without_load": base_tracks,
            **{f"{key}_without_load": value for key, value in quiet_workers.items()},
        },
        "cpu_demand": _cpu_demand(base, quiet_workers),
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
