"""P2's second figure: the pipeline's time under the YouTube governor against its own bound.

A budget low enough that the governor, not the network, sets the pace: `tracks` new tracks
(never downloaded before) cannot take less than tracks ÷ (budget per second), since every fetch
waits for a turn at least 3600 ÷ budget seconds after the one before, installation-wide.
Searches are left unpaced (their own gap is a setting of its own) so the fetch budget is what is
measured.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bench.harness import Measure, log, ratio, rounded

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from downloads.models import Job
    from library.models import Track


def run_governed(
    user: User,
    tracks: list[Track],
    *,
    budget_per_hour: int,
    run_job: Callable[[Job], None],
) -> dict[str, Any]:
    """`run_job` runs a job's chunks the way P2's first figure does."""
    from django.conf import settings

    from downloads.models import AudioFormat, Job, JobItem, YouTubeGate
    from downloads.services import job_create

    saved = settings.YOUTUBE_BUDGET_PER_HOUR
    settings.YOUTUBE_BUDGET_PER_HOUR = budget_per_hour
    YouTubeGate.objects.update(next_fetch_at=None, next_search_at=None)
    try:
        log(f"P2 governed: {len(tracks)} tracks at {budget_per_hour} videos an hour")
        job = job_create(
            owner=user,
            kind=Job.Kind.SELECTION,
            target_id="",
            title="governed (bench)",
            tracks=tracks,
            audio_format=AudioFormat.ORIGINAL,
            enqueue=False,
        )
        with Measure() as governed:
            run_job(job)
    finally:
        settings.YOUTUBE_BUDGET_PER_HOUR = saved
    job.refresh_from_db()
    done = job.items.filter(status=JobItem.Status.DONE).count()
    bound = len(tracks) * 3600 / budget_per_hour
    log(f"P2 governed: {governed.wall:.1f} s, {done}/{len(tracks)} done, bound {bound:.1f} s")
    return {
        "tracks": len(tracks),
        "budget_per_hour": budget_per_hour,
        "done": done,
        "status": job.status,
        "seconds": rounded(governed.wall),
        "bound_seconds": rounded(bound),
        "ours_over_bound": ratio(governed.wall, bound),
    }
