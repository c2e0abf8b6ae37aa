"""P5 whole library: a job for all of Hugo's 10,000 liked songs, its pages, its workers.

- Creation: `job_start` of Liked Songs as the "download" button calls it (items and chunk tasks
  written, nothing run yet). Bound: 2 s (the issue's goal).
- Pages: the job page and the player page with 10,000 items against 100 (the baseline), by
  Django's test client in this process like P4: median server time, bytes, SQL queries. The
  player needs files on disk: 10,000 catalog tracks outside the liked songs get tiny files and
  StoredFile rows, then a job of them (done at creation). Bound: the same time at both sizes.
- Running: `manage.py serve` (web) and EMBEDDED_WORKERS `manage.py worker` processes run the
  big job for `seconds` on the sandbox (Spotify 40 ms, media 150 ms, 2 MB/s a connection, tiny
  audio) while one progress stream of the job is read: tracks per second, the workers' peak
  RSS (VmHWM) and bytes per progress event. P6 uses the same world (`world_for`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from bench.harness import log, median, ratio, rounded, stage
from bench.served import Web, Workers, bench_job, session_cookies

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from bench.environment import Environment
    from downloads.models import Job

KNOBS: dict[str, Any] = {
    "latency": 0.04,
    "media_latency": 0.15,
    "bandwidth": 2_000_000,
    "scale": "tiny",
}
CREATION_BOUND_S = 2.0
# Items whose audio the sandbox makes before anything is timed: about what P5 and P6 download.
WARM_ITEMS = 300
JOB_PAGE_KB_GOAL = 150
WORKER_RSS_GOAL_MB = 250


@dataclass
class World:
    user: User
    big: Job  # the liked songs, to download
    small: Job  # 100 of them, never run: the job page's baseline
    played_big: Job  # files on disk, for the player page
    played_small: Job
    creation_s: float


_WORLDS: dict[int, World] = {}


def world_for(
    env: Environment, *, user_key: str = "hugo", small: int = 100, warm: int = 0
) -> World:
    """The jobs of P5 (made once per run; P6 reuses them). The sandbox makes the audio of the
    first `warm` items now: its ffmpeg is YouTube's work, not ours, and must not run timed."""
    if id(env) not in _WORLDS:
        _WORLDS[id(env)] = _build(env, user_key, small)
        if warm:
            with stage(f"P5: the sandbox makes the audio of {warm} items"):
                warm_media(env, _WORLDS[id(env)].big, warm)
    return _WORLDS[id(env)]


def warm_media(env: Environment, job: Job, count: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    ids = job.items.order_by("position").values_list("track__spotify_id", flat=True)[:count]
    candidates = {c for track_id in ids for c in env.sandbox.expected_candidates(track_id)}
    cache, scale = env.sandbox.media.cache, str(KNOBS["scale"])
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda cid: cache.path(cid, "webm", scale), sorted(candidates)))


def _build(env: Environment, user_key: str, small: int) -> World:
    from downloads.models import Job
    from downloads.services import job_start
    from library.models import SavedTrack

    user = env.library(user_key)
    began = time.perf_counter()
    big = job_start(owner=user, kind=Job.Kind.LIKED, target_id="", audio_format="original")
    creation = time.perf_counter() - began
    liked = [
        s.track
        for s in SavedTrack.objects.filter(user=user)
        .select_related("track")
        .order_by("-added_at", "-pk")[:small]
    ]
    small_job = bench_job(user, liked, title="P5 small")
    played = _stored_tracks(env, user, count=big.items.count())
    played_big = bench_job(user, played, title="P5 played")
    played_small = bench_job(user, played[:small], title="P5 played small")
    return World(user, big, small_job, played_big, played_small, creation)


def _stored_tracks(env: Environment, user: User, *, count: int) -> list[Any]:
    """`count` catalog tracks outside the user's liked songs, each with a tiny file on disk.

    The catalog holds only a few thousand of them (playlists and albums overlap the liked
    songs): the rest are made up, copies of those with the same album and artists, so that
    the player really has `count` files."""
    from downloads.models import AudioFormat, StoredFile
    from library.models import SavedTrack, Track

    liked = SavedTrack.objects.filter(user=user).values("track_id")
    tracks = list(Track.objects.exclude(pk__in=liked).order_by("pk")[:count])
    tracks += _made_up_tracks(tracks, count - len(tracks))
    folder = env.music_root / "p5"
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for index, track in enumerate(tracks):
        relative = f"p5/{track.spotify_id}.opus"
        (env.music_root / relative).write_bytes(b"OggS")
        rows.append(
            StoredFile(
                track=track,
                audio_format=AudioFormat.ORIGINAL,
                path=relative,
                size=4,
                codec="opus",
                container="ogg",
                duration=track.duration_ms / 1000,
                source_id=f"p5{index:06d}",
            )
        )
    StoredFile.objects.bulk_create(rows)
    return tracks


def _made_up_tracks(models: list[Any], count: int) -> list[Any]:
    """`count` new catalog tracks, each a copy of one of `models` (album, artists, length)."""
    from library.models import Track, TrackArtist

    if count <= 0 or not models:
        return []
    copies = [models[i % len(models)] for i in range(count)]
    made = Track.objects.bulk_create(
        Track(
            spotify_id=f"p5made{i:06d}",
            name=f"{model.name} ({i})",
            album_id=model.album_id,
            duration_ms=model.duration_ms,
            disc_number=model.disc_number,
            track_number=model.track_number,
        )
        for i, model in enumerate(copies)
    )
    credits = TrackArtist.objects.filter(track__in=models).order_by("track_id", "position")
    by_track: dict[int, list[Any]] = {}
    for credit in credits:
        by_track.setdefault(credit.track_id, []).append(credit)
    TrackArtist.objects.bulk_create(
        TrackArtist(track=new, artist_id=credit.artist_id, position=credit.position)
        for new, model in zip(made, copies, strict=True)
        for credit in by_track.get(model.pk, [])
    )
    return made


# --- pages --------------------------------------------------------------------------------------


def pages(world: World, requests: int) -> dict[str, dict[str, Any]]:
    """Job and player pages, big and small, requests interleaved (as in P4)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    urls = {
        "job_big": reverse("downloads:job", args=[world.big.pk]),
        "job_small": reverse("downloads:job", args=[world.small.pk]),
        "player_big": reverse("delivery:job_player", args=[world.played_big.pk]),
        "player_small": reverse("delivery:job_player", args=[world.played_small.pk]),
    }
    client = Client()
    client.force_login(world.user)
    figures: dict[str, dict[str, Any]] = {}
    times: dict[str, list[float]] = {name: [] for name in urls}
    for name, url in urls.items():  # warm-up, size and queries of one request each
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        figures[name] = {"kb": rounded(len(response.content) / 1024, 1)}
        figures[name]["queries"] = len(captured.captured_queries)
    for _ in range(requests):
        for name, url in urls.items():
            began = time.perf_counter()
            client.get(url)
            times[name].append(time.perf_counter() - began)
    for name in urls:
        figures[name]["median_ms"] = rounded(median(times[name]) * 1000, 1)
    return figures


# --- the job running ----------------------------------------------------------------------------


class ProgressReader:
    """One progress stream of a job, read in a thread: bytes and events."""

    def __init__(self, url: str, cookies: dict[str, str]) -> None:
        self.url, self.cookies = url, cookies
        self.bytes = self.events = 0
        self.error = ""
        self._stop = threading.Event()
        self.first_event = threading.Event()  # set on the first event, or when reading fails
        self._thread = threading.Thread(target=self._read, name="p5-progress", daemon=True)

    def _read(self) -> None:
        try:
            with (
                httpx.Client(cookies=self.cookies, timeout=30) as client,
                client.stream("GET", self.url) as response,
            ):
                for chunk in response.iter_raw():
                    self.bytes += len(chunk)
                    self.events += chunk.count(b"event: ")
                    if self.events:
                        self.first_event.set()
                    if self._stop.is_set():
                        return
        except httpx.HTTPError as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.first_event.set()

    def __enter__(self) -> ProgressReader:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=35)


def finished_items(job: Job) -> int:
    from downloads.models import JobItem

    return job.items.exclude(status__in=JobItem.UNFINISHED).count()


def run_job(env: Environment, world: World, *, seconds: float, workers: int) -> dict[str, Any]:
    """The big job run by `workers` worker processes for `seconds`, no other load."""
    web = Web(env)
    pool = Workers(env, workers)
    try:
        url = f"{web.url}/downloads/{world.big.pk}/events/"
        with ProgressReader(url, session_cookies(world.user)) as reader:
            # The window opens once the stream answers: on a loaded machine the web process
            # may take longer to start streaming than a quick run's whole window.
            reader.first_event.wait(timeout=120)
            before, began = finished_items(world.big), time.perf_counter()
            time.sleep(seconds)
            done, elapsed = finished_items(world.big) - before, time.perf_counter() - began
        rss = pool.peak_rss_mb()
    finally:
        pool.stop()
        web.stop()
    return {
        "seconds": rounded(elapsed, 1),
        "tracks_finished": done,
        "tracks_per_s": rounded(done / elapsed, 2),
        "worker_peak_rss_mb": rounded(rss, 1),
        "progress_bytes": reader.bytes,
        "progress_events": reader.events,
        "bytes_per_progress_event": rounded(reader.bytes / max(1, reader.events), 0),
        "progress_error": reader.error,
    }


def run(
    env: Environment,
    *,
    user_key: str = "hugo",
    small: int = 100,
    requests: int = 3,
    seconds: float = 15.0,
    warm: int = WARM_ITEMS,
) -> dict[str, Any]:
    from django.conf import settings

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    world = world_for(env, user_key=user_key, small=small, warm=warm)
    items = world.big.items.count()
    log(f"P5: job of {items} items created in {world.creation_s:.2f} s")
    figures = pages(world, requests)
    log(f"P5: pages {figures}")
    with env.knobs(**KNOBS):
        running = run_job(env, world, seconds=seconds, workers=settings.EMBEDDED_WORKERS)
    log(f"P5: running {running}")
    job_big, job_small = figures["job_big"], figures["job_small"]
    player_big, player_small = figures["player_big"], figures["player_small"]
    return {
        "benchmark": "P5",
        "name": "Whole library job",
        "setup": {
            "user": user_key,
            "items": items,
            "small_items": world.small.items.count(),
            "player_files": world.played_big.items.count(),
            "page_requests_each": requests,
            "run_seconds": seconds,
            "workers": settings.EMBEDDED_WORKERS,
            "knobs": KNOBS,
            "client": "django.test.Client in-process for pages; httpx for the progress stream",
        },
        "metric": "creation seconds; median server ms and KB per page; ours = 10,000 items, "
        "baseline = 100 items",
        "ours": {
            "creation_s": rounded(world.creation_s, 2),
            "job_page": job_big,
            "player_page": player_big,
            **running,
        },
        "baseline": {"job_page": job_small, "player_page": player_small},
        "bound": {
            "creation_s": CREATION_BOUND_S,
            "page_time_ratio": 1.0,
            "job_page_kb": JOB_PAGE_KB_GOAL,
            "worker_peak_rss_mb": WORKER_RSS_GOAL_MB,
        },
        "ratio": {
            "creation_over_bound": ratio(world.creation_s, CREATION_BOUND_S),
            "job_page_time_big_over_small": ratio(job_big["median_ms"], job_small["median_ms"]),
            "job_page_bytes_big_over_small": ratio(job_big["kb"], job_small["kb"]),
            "player_time_big_over_small": ratio(player_big["median_ms"], player_small["median_ms"]),
            "player_bytes_big_over_small": ratio(player_big["kb"], player_small["kb"]),
            "job_page_kb_over_goal": ratio(job_big["kb"], JOB_PAGE_KB_GOAL),
            "worker_rss_over_goal": ratio(running["worker_peak_rss_mb"], WORKER_RSS_GOAL_MB),
        },
        "counts": {
            "items": items,
            "queries": {name: figure["queries"] for name, figure in figures.items()},
            "tracks_finished": running["tracks_finished"],
            "progress_events": running["progress_events"],
        },
    }
