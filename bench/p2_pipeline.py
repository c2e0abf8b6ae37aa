"""P2 pipeline: a 64-track playlist through our download job against spotDL's default way.

Ours: a job with default settings (original stream, tags, store), enqueued as the download button
does and run by EMBEDDED_WORKERS `manage.py worker` processes (what `serve` starts), timed from
its creation to its last item. Baseline, spotDL's defaults: 4 threads, each track searched
(sandbox /search, "Artists - Title", first song), downloaded with yt-dlp, transcoded to MP3
128 kbit/s with ffmpeg, tagged with mutagen (ID3 + cover). Bound: the bytes ours downloaded over
(bandwidth x our concurrency), plus one search and one media round trip per wave of tracks.
The same arithmetic with whole tracks, each started on the first free slot in the order ours
started them (longest first within a chunk; a slot with nothing of its own chunk left takes the
job's next waiting item), tells how much of the gap is the granularity of tracks rather than
the pipeline.
The baseline lives in `p2_baseline`; then `governed_tracks` more tracks run under a YouTube
budget that sets the pace (`p2_governor`).
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from bench.environment import Environment
from bench.harness import MB, Measure, Requests, log, median, ratio, rounded
from bench.p2_baseline import Baseline, baseline_search, track_info, youtube_music
from bench.p2_governor import run_governed
from bench.served import bench_job, job_run_on_workers

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from library.models import Track


def pick_tracks(env: Environment, user: User, count: int) -> tuple[str, str, list[Track]]:
    """`count` distinct tracks of the user's largest playlists, each with an upload in the
    sandbox (so both sides download every one): (playlist id, its name, tracks)."""
    from library.models import PlaylistEntry, UserPlaylist

    memberships = (
        UserPlaylist.objects.filter(user=user, is_owner=True, readable=True)
        .select_related("playlist")
        .order_by("-playlist__items_total", "pk")
    )
    chosen: dict[int, Track] = {}
    first = None
    for membership in memberships:
        first = first or membership.playlist
        entries = (
            PlaylistEntry.objects.filter(playlist=membership.playlist)
            .select_related("track")
            .order_by("position")
        )
        for entry in entries:
            if entry.track_id in chosen or not env.sandbox.expected_candidates(
                entry.track.spotify_id
            ):
                continue
            chosen[entry.track_id] = entry.track
            if len(chosen) == count:
                return first.spotify_id, first.name, list(chosen.values())
    raise RuntimeError(f"the user's playlists hold fewer than {count} downloadable tracks")


# --- ours ---------------------------------------------------------------------------------------


class SandboxCounts:
    """What the sandbox served during a block: requests by endpoint, YouTube's by kind (search,
    page, media) and LRCLIB's."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.requests = Requests(sandbox)
        self.youtube: dict[str, int] = {}
        self.lrclib = 0

    def __enter__(self) -> SandboxCounts:
        self.requests.__enter__()
        self.youtube = self.sandbox.youtube_request_counts()
        self.lrclib = sum(self.sandbox.lrclib.requests.values())
        return self

    def __exit__(self, *exc: object) -> None:
        self.requests.__exit__(*exc)
        after = self.sandbox.youtube_request_counts()
        self.youtube = {kind: after[kind] - self.youtube[kind] for kind in after}
        self.lrclib = sum(self.sandbox.lrclib.requests.values()) - self.lrclib


def warm_media(env: Environment, candidate_ids: set[str]) -> None:
    """Have the sandbox make its audio files now, so its ffmpeg runs are not timed."""
    scale = env.sandbox.media_knobs.scale
    cache = env.sandbox.media.cache
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda cid: cache.path(cid, "webm", scale), sorted(candidate_ids)))


def source_bytes(env: Environment, candidate_ids: list[str], scale: str) -> int:
    """Bytes of the sandbox's files for these candidates (what was downloaded)."""
    total = 0
    for cid in candidate_ids:
        path = env.sandbox.media.cache.path(cid, "webm", scale)
        total += path.stat().st_size if path is not None else 0
    return total


def schedule(
    job: Any, items: list[Any], byte_counts: dict[int, int], bandwidth: int, slots: int
) -> dict[str, Any]:
    """Where the time went, from the items' own start and finish times: how soon the first
    started after the job was made, each item's time beyond its bytes at the link's speed
    (round trips and local work), and how full the slots were."""
    began = job.created_at
    spans = [
        ((i.started_at - began).total_seconds(), (i.finished_at - began).total_seconds(), i)
        for i in items
        if i.started_at is not None and i.finished_at is not None
    ]
    if not spans:
        return {}
    end = max(finish for _, finish, _ in spans)
    extra = sorted(finish - start - byte_counts[i.pk] / bandwidth for start, finish, i in spans)
    busy = sum(finish - start for start, finish, _ in spans)
    return {
        "first_start_s": rounded(min(start for start, _, _ in spans), 2),
        "last_start_s": rounded(max(start for start, _, _ in spans), 2),
        "last_finish_s": rounded(end, 2),
        "item_seconds_beyond_transfer_median": rounded(median(extra), 2),
        "item_seconds_beyond_transfer_max": rounded(extra[-1], 2),
        "slot_use": ratio(busy, slots * end),
    }


def slotted_seconds(durations: list[float], slots: int) -> float:
    """The bound's arithmetic with whole tracks: each, in order, starts on the first free slot
    and takes its own bytes over one connection plus the round trips."""
    free_at = [0.0] * slots
    for duration in durations:
        first = free_at.index(min(free_at))
        free_at[first] += duration
    return max(free_at)


# --- the benchmark ------------------------------------------------------------------------------


def run(
    env: Environment,
    *,
    tracks: int = 64,
    latency: float = 0.150,
    bandwidth: int = 2_000_000,
    scale: str = "real",
    baseline_threads: int = 4,
    governed_tracks: int = 16,
    governed_per_hour: int = 7200,
) -> dict[str, Any]:
    from django.conf import settings

    from downloads.models import AudioFormat, DownloadSettings, Job, JobItem
    from spotifydl.ffmpeg import ffmpeg_path

    user = env.library("marco")
    playlist_id, playlist_name, picked = pick_tracks(env, user, tracks + governed_tracks)
    chosen, governed_set = picked[:tracks], picked[tracks:]
    infos = [track_info(track) for track in chosen]
    workers = int(settings.EMBEDDED_WORKERS)
    download_settings = DownloadSettings.load()
    concurrency = download_settings.effective_concurrency
    sandbox = env.sandbox
    knobs = {"latency": latency, "media_latency": latency, "lyrics_latency": latency}
    with env.knobs(**knobs, bandwidth=bandwidth, scale=scale):
        expected = {info.spotify_id: sandbox.expected_candidates(info.spotify_id) for info in infos}
        ytmusic = youtube_music()
        baseline_picks = [baseline_search(ytmusic, i)["id"] for i in infos]
        log(f"P2: preparing the sandbox's audio for {len(infos)} tracks")
        warm_media(env, set(baseline_picks).union(*expected.values()))

        log(f"P2 ours: a job of {len(chosen)} tracks, {workers} worker processes x {concurrency}")
        counted = SandboxCounts(sandbox)
        ours = job_run_on_workers(
            env,
            lambda: bench_job(
                user,
                chosen,
                title=f"{playlist_name} (bench)",
                kind=Job.Kind.PLAYLIST,
                target_id=playlist_id,
                enqueue=True,
            ),
            workers=workers,
            counting=counted,
        )
        ours_requests, ours_youtube = counted.requests, counted.youtube
        job = ours.job
        items = list(job.items.select_related("track", "stored_file"))
        done = [i for i in items if i.status == JobItem.Status.DONE]
        log(f"P2 ours: {ours.seconds:.1f} s, {len(done)}/{len(items)} done")

        log(f"P2 baseline: spotDL's way, {baseline_threads} threads")
        workdir, target = env.root / "tmp" / "spotdl-work", env.music_root / "spotdl"
        target.mkdir(parents=True, exist_ok=True)
        baseline = Baseline(workdir, target, ffmpeg_path())
        pool = ThreadPoolExecutor(baseline_threads, thread_name_prefix="spotdl")
        with Requests(sandbox) as base_requests, Measure() as base, pool:
            outcomes = list(pool.map(baseline.track, infos))
        log(f"P2 baseline: {base.wall:.1f} s")
        governed = run_governed(
            env, user, governed_set, budget_per_hour=governed_per_hour, workers=workers
        )

    n = len(infos)
    ours_cpu = ours.worker_cpu_seconds + ours.sandbox_cpu_seconds
    ours_bytes = source_bytes(env, [i.candidate_id for i in done], scale)
    base_bytes = source_bytes(env, [cid for cid, _ in outcomes], scale)
    streams = min(n, workers * concurrency)
    trips = 2  # one search, one media request: the least a track needs
    bound = ours_bytes / (bandwidth * streams) + math.ceil(n / streams) * trips * latency
    in_order = sorted(done, key=lambda i: (i.started_at, i.position))
    item_bytes = [source_bytes(env, [i.candidate_id], scale) for i in in_order]
    slotted = slotted_seconds([b / bandwidth + trips * latency for b in item_bytes], streams)
    byte_counts = {i.pk: source_bytes(env, [i.candidate_id], scale) for i in done}
    timeline = schedule(job, done, byte_counts, bandwidth, streams)
    chunk_sizes = [sum(1 for i in items if i.chunk == c) for c in sorted({i.chunk for i in items})]
    elsewhere = [
        {
            "track": i.track.name,
            "picked": i.candidate_title,
            "channel": i.candidate_channel,
            "why": i.match_reason,
        }
        for i in done
        if i.candidate_id not in expected[i.track.spotify_id]
    ]
    right_ours = sum(1 for i in done if i.candidate_id in expected[i.track.spotify_id])
    right_base = sum(
        1
        for info, (cid, _) in zip(infos, outcomes, strict=True)
        if cid in expected[info.spotify_id]
    )
    status_counts: dict[str, int] = {}
    for item in items:
        status_counts[item.status] = status_counts.get(item.status, 0) + 1
    return {
        "benchmark": "P2",
        "name": "download pipeline",
        "setup": {
            "tracks": n,
            "latency_s": latency,
            "bandwidth_bytes_per_s_per_connection": bandwidth,
            "media_scale": scale,
            "source_mb_mean": rounded(ours_bytes / max(1, len(done)) / MB, 2),
            "ours": {
                "format": AudioFormat.ORIGINAL.value,
                "workers": workers,
                "concurrency_per_worker": concurrency,
                "chunk_size": download_settings.chunk_size,
                "chunks": len({i.chunk for i in items}),
            },
            "baseline": {"threads": baseline_threads, "format": "mp3 128k"},
        },
        "metric": "wall seconds for the playlist (lower is better)",
        "ours": {
            "seconds": rounded(ours.seconds),
            # The workers' CPU plus this process's (the sandbox serving them), as the
            # baseline's CPU holds its own work and the sandbox's.
            "cpu_seconds": rounded(ours_cpu),
            "cpu_seconds_per_track": rounded(ours_cpu / n),
            "worker_cpu_seconds": rounded(ours.worker_cpu_seconds),
            "sandbox_cpu_seconds": rounded(ours.sandbox_cpu_seconds),
            "source_mb": rounded(ours_bytes / MB, 1),
            "stored_mb": rounded(sum(i.stored_file.size for i in done if i.stored_file) / MB, 1),
            "items": status_counts,
            "right_upload": right_ours,
            "picked_outside_expected": elsewhere,
        },
        "baseline": {
            "seconds": rounded(base.wall),
            "cpu_seconds": rounded(base.cpu),
            "cpu_seconds_per_track": rounded(base.cpu / n),
            "source_mb": rounded(base_bytes / MB, 1),
            "stored_mb": rounded(sum(size for _, size in outcomes) / MB, 1),
            "done": len(outcomes),
            "right_upload": right_base,
        },
        "bound": {
            "seconds": rounded(bound),
            "streams": streams,
            "round_trips_per_track": trips,
            # The same arithmetic with whole tracks on the first free slot, in the order ours
            # started them: the best that order allows (the last tracks end at different times).
            "seconds_with_whole_tracks": rounded(slotted),
            "chunk_sizes": chunk_sizes,
        },
        "ratio": {
            "speedup_vs_baseline": ratio(base.wall, ours.seconds),
            "cpu_baseline_over_ours": ratio(base.cpu, ours_cpu),
            "ours_over_bound": ratio(ours.seconds, bound),
            "ours_over_bound_with_whole_tracks": ratio(ours.seconds, slotted),
            "governed_over_governor_bound": governed["ours_over_bound"],
        },
        # The same pipeline with the YouTube governor setting the pace: its time against the
        # governor's own bound (tracks ÷ budget per second).
        "governed": governed,
        # Where ours spent its time, from the items' start and finish times.
        "schedule": timeline,
        "counts": {
            "ours_requests_by_endpoint": ours_requests.by_endpoint,
            "baseline_requests_by_endpoint": base_requests.by_endpoint,
            "ours_requests_per_track": ratio(ours_requests.total(), n),
            # What a real run would ask of YouTube, per downloaded track: search (YouTube
            # Music's InnerTube), page (its home page, yt-dlp's watch page) and media.
            "ours_youtube_requests": ours_youtube,
            "ours_youtube_requests_per_track": ratio(sum(ours_youtube.values()), len(done)),
            # LRCLIB lookups (one per stored track, asked while its media downloads).
            "ours_lrclib_requests": counted.lrclib,
            "baseline_requests_per_track": ratio(base_requests.total(), n),
        },
    }
