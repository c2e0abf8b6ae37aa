"""A 100-track job whose worker is killed with SIGKILL three times (real db_worker processes):
the reaper hands the dead worker's items on, and the job ends exactly as an undisturbed one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from downloads import enqueue, services
from downloads.models import HEARTBEAT_STALE_AFTER, Job, JobItem
from sandbox import Sandbox
from tests.reliability.helpers import Processes, playlist_job
from tests.reliability.invariants import assert_job_consistent, describe, music_files
from tests.support.catalog import editorial_tracks, has_upload
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TRACKS = 100
KILL_AFTER_DONE = (12, 40, 68)  # a kill once this many tracks are done, each mid-download


def _done(job: Job) -> int:
    return job.items.filter(status=JobItem.Status.DONE).count()


def _busy(job: Job) -> bool:
    return job.items.filter(status=JobItem.Status.RUNNING, stage="fetch").exists()


def _reap_as_if_a_minute_passed() -> int:
    """The reaper, seeing heartbeats as stale as a dead worker's become after HEARTBEAT_STALE_AFTER
    (what tests/jobs does too: the threshold is a constant; no worker beats meanwhile)."""
    return services.jobs_reap(now=timezone.now() + HEARTBEAT_STALE_AFTER + timedelta(seconds=1))


def test_three_sigkills_during_a_100_track_job_lose_and_duplicate_nothing(
    media_sandbox: Sandbox, user: Any, processes: Processes, tmp_path: Path
) -> None:
    tracks = editorial_tracks(media_sandbox)[:TRACKS]
    missing = sum(not has_upload(media_sandbox, t) for t in tracks)
    job = playlist_job(media_sandbox, user, tracks, name="Killer Mix", enqueue=True)
    temp = tmp_path / "worker-tmp"  # the workers' temporary folder, to find what they leave
    temp.mkdir()
    worker = processes.worker(TMPDIR=str(temp))
    survivors: dict[int, tuple[int, int | None]] = {}
    held_at_kills = 0
    interrupted: set[int] = set()

    for threshold in KILL_AFTER_DONE:

        def mid_download(t: int = threshold) -> bool:
            return _done(job) >= t and _busy(job)

        wait_until(mid_download, timeout=120, step=0.05)
        processes.kill(worker)
        held = job.items.filter(status=JobItem.Status.RUNNING).count()
        done = job.items.filter(status="done").values_list("pk", "attempts", "stored_file_id")
        survivors |= {pk: (attempts, stored) for pk, attempts, stored in done}
        assert held, "the worker died holding nothing: the kill tested nothing"
        held_at_kills += held
        assert _reap_as_if_a_minute_passed() >= 1
        cut_short = job.items.filter(failure_cause=JobItem.FailureCause.INTERRUPTED)
        interrupted |= set(cut_short.values_list("pk", flat=True))
        assert not job.items.filter(status=JobItem.Status.RUNNING).exists()
        worker = processes.worker(TMPDIR=str(temp))
    wait_until(lambda: Job.objects.get(pk=job.pk).status in Job.FINISHED, timeout=180)

    chunk_rows = DBTaskResult.objects.filter(task_path=enqueue.RUN_CHUNK)
    running = chunk_rows.filter(status=TaskResultStatus.RUNNING)
    # The live worker's last chunk ends its task just after it ended the job.
    wait_until(lambda: not running.exists(), timeout=30, what="no chunk task left running")
    stuck = running.count()
    lost = chunk_rows.filter(
        status=TaskResultStatus.FAILED, exception_class_path="downloads.enqueue.WorkerLost"
    ).count()
    print(
        f"\nafter 3 kills: {describe(job)}; task rows of dead workers cleared: {lost}, "
        f"stuck running: {stuck}; items requeued as interrupted: {len(interrupted)}"
    )
    assert stuck == 0
    assert lost == len(KILL_AFTER_DONE)
    counts = assert_job_consistent(job, temp_dirs=[temp])
    # The same outcome as without kills: every upload found (the matcher's own rare false
    # positive aside, which tests/matching measures), nothing failed.
    assert counts["failed"] == 0
    assert counts["done"] + counts["no_match"] == TRACKS
    assert counts["done"] >= TRACKS - missing
    # What was finished before a kill was never redone; only what a dead worker was running
    # was started again.
    for pk, before in survivors.items():
        item = JobItem.objects.get(pk=pk)
        assert (item.status, (item.attempts, item.stored_file_id)) == ("done", before)
    assert sum(job.items.values_list("attempts", flat=True)) <= TRACKS + held_at_kills
    assert len(music_files()) == counts["done"]
    assert "Traceback" not in processes.log_text()
