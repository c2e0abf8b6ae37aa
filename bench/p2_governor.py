"""P2's second figure: the pipeline's time under the YouTube governor against its own bound.

A budget low enough that the governor, not the network, sets the pace: `tracks` new tracks
(never downloaded before) cannot take less than tracks ÷ (budget per second), since every fetch
waits for a turn at least 3600 ÷ budget seconds after the one before, installation-wide.
Searches are left unpaced (their own gap is a setting of its own) so the fetch budget is what is
measured. The job runs on worker processes as P2's first figure does, started with that budget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bench.harness import log, ratio, rounded
from bench.served import bench_job, job_run_on_workers

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from bench.environment import Environment
    from library.models import Track


def run_governed(
    env: Environment,
    user: User,
    tracks: list[Track],
    *,
    budget_per_hour: int,
    workers: int,
) -> dict[str, Any]:
    from downloads.models import JobItem, YouTubeGate

    YouTubeGate.objects.update(next_fetch_at=None, next_search_at=None)
    log(f"P2 governed: {len(tracks)} tracks at {budget_per_hour} videos an hour")
    run = job_run_on_workers(
        env,
        lambda: bench_job(user, tracks, title="governed (bench)", enqueue=True),
        workers=workers,
        extra_env={"YOUTUBE_BUDGET_PER_HOUR": str(budget_per_hour)},
    )
    done = run.job.items.filter(status=JobItem.Status.DONE).count()
    bound = len(tracks) * 3600 / budget_per_hour
    log(f"P2 governed: {run.seconds:.1f} s, {done}/{len(tracks)} done, bound {bound:.1f} s")
    return {
        "tracks": len(tracks),
        "budget_per_hour": budget_per_hour,
        "done": done,
        "status": run.job.status,
        "seconds": rounded(run.seconds),
        "bound_seconds": rounded(bound),
        "ours_over_bound": ratio(run.seconds, bound),
    }
