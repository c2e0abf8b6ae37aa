"""A 150-track job under `manage.py serve` (the web server and two workers) whose workers are
killed with SIGKILL three times, each time mid-download: the web server answers throughout, the
supervisor brings the workers back, and the job ends as an undisturbed one, with nothing failed,
redone or left running. The figures reached are printed.

Each kill takes every worker `serve` runs. The supervisor, told of each death, hands on at once
what that worker held (its items and task rows carry its worker id): nothing waits for the
reaper's staleness threshold.
"""

from __future__ import annotations

import signal
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Sum
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from downloads.models import Job, JobItem
from downloads.worker_ids import worker_id_for
from sandbox import Sandbox
from tests.reliability.helpers import (
    Processes,
    app_env,
    assert_every_track_done,
    no_chunk_task_left_running,
    uploads_job,
    wait_job_ended,
)
from tests.reliability.invariants import describe, music_files
from tests.reliability.serving import WebWatch, live_workers, signal_tree, stopped
from tests.support.waiting import wait_until

# The waits' bounds are for a machine shared with much else; an unshared one takes a fraction.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.timeout(900),
    pytest.mark.django_db(transaction=True),
]

TRACKS = 150
WORKERS = 2
KILL_AFTER_DONE = (20, 60, 100)  # a kill once this many tracks are done, each mid-download


def _done(job: Job) -> int:
    return job.items.filter(status=JobItem.Status.DONE).count()


def _downloading(job: Job) -> bool:
    return job.items.filter(status=JobItem.Status.RUNNING, stage="fetch").exists()


def _handed_back(dead: set[str]) -> bool:
    """Nothing is held any more by these worker ids: no item, no running task row."""
    held = JobItem.objects.filter(
        holder__in=dead, status__in=JobItem.UNFINISHED, heartbeat_at__isnull=False
    )
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    claims = running.values_list("worker_ids", flat=True)
    return not held.exists() and not any(ids and ids[-1] in dead for ids in claims)


def _workers_back(dead: set[int]) -> bool:
    pids = set(live_workers().values())
    return len(pids) == WORKERS and not pids & dead


def test_three_sigkills_of_the_workers_during_a_150_track_job_fail_and_redo_nothing(
    media_sandbox: Sandbox, user: Any, processes: Processes, tmp_path: Path
) -> None:
    job = uploads_job(media_sandbox, user, TRACKS, name="Killer")
    temp = tmp_path / "worker-tmp"  # the processes' temporary folder, to find what they leave
    temp.mkdir()
    _, url = processes.served("--workers", str(WORKERS), **app_env(TMPDIR=str(temp)))
    survivors: dict[int, tuple[int, int | None]] = {}
    held_at_kills = 0
    killed: set[int] = set()
    interrupted: set[int] = set()

    with WebWatch(url).running() as web:
        for threshold in KILL_AFTER_DONE:
            wait_until(partial(_workers_back, killed), timeout=120, what="workers beating")

            def mid_download(t: int = threshold) -> bool:
                return _done(job) >= t and _downloading(job)

            wait_until(mid_download, timeout=300, step=0.05)
            victims = live_workers()
            dead = {worker_id_for(slot=name, pid=pid) for name, pid in victims.items()}
            # Counted with the workers frozen, by the ids they hold items under, as the
            # supervisor hands the items on as soon as it notices a death.
            frozen = [p for pid in victims.values() for p in signal_tree(pid, signal.SIGSTOP)]
            wait_until(partial(stopped, frozen), timeout=60, what="the workers stopped")
            running = job.items.filter(status=JobItem.Status.RUNNING)
            held = running.filter(holder__in=dead).count()
            for pid in victims.values():
                signal_tree(pid, signal.SIGKILL)
            killed |= set(victims.values())
            assert held, "the workers died holding nothing: the kill tested nothing"
            held_at_kills += held
            done = job.items.filter(status="done").values_list("pk", "attempts", "stored_file_id")
            survivors |= {pk: (attempts, stored) for pk, attempts, stored in done}
            wait_until(partial(_handed_back, dead), timeout=60, what="the dead workers' work")
            cut_short = job.items.filter(failure_cause=JobItem.FailureCause.INTERRUPTED)
            interrupted |= set(cut_short.values_list("pk", flat=True))
            wait_until(partial(_workers_back, killed), timeout=120, what="workers restarted")
        wait_job_ended(job, timeout=600)
        chunk_rows = no_chunk_task_left_running()
    stuck = chunk_rows.filter(status=TaskResultStatus.RUNNING).count()
    lost = chunk_rows.filter(
        status=TaskResultStatus.FAILED, exception_class_path="downloads.enqueue.WorkerLost"
    ).count()
    restarts = processes.log_text().count("exited unexpectedly with code -9; restarting it")
    print(
        f"\n{len(KILL_AFTER_DONE)} kills of {WORKERS} workers, {restarts} restarts: "
        f"{describe(job)}; items held at the kills: {held_at_kills}, requeued as interrupted: "
        f"{len(interrupted)}; chunk task rows of dead workers cleared: {lost}, "
        f"stuck running: {stuck}; {web.figures()}"
    )
    assert web.failures == []
    assert stuck == 0
    assert lost >= len(KILL_AFTER_DONE)
    assert restarts == WORKERS * len(KILL_AFTER_DONE)
    assert interrupted, "no item was cut short by the kills"
    assert_every_track_done(job, TRACKS, temp_dirs=[temp])
    # What was finished before a kill was never redone; only what a dead worker was running
    # was started again.
    for pk, before in survivors.items():
        item = JobItem.objects.get(pk=pk)
        assert (item.status, (item.attempts, item.stored_file_id)) == ("done", before)
    # Besides the kills, only a transient failure (a loaded machine's socket timeout) retries.
    used = job.items.aggregate(attempts=Sum("attempts"), retries=Sum("transient_retries"))
    assert used["attempts"] <= TRACKS + held_at_kills + used["retries"]
    assert len(music_files()) == TRACKS
    assert "Traceback" not in processes.log_text()
