"""The end-of-job round for transient failures, and the reaper's clearing of task rows whose
worker is gone (the workers' side runs in tests/jobs/test_workers.py and tests/reliability)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from downloads import reaper, services
from downloads.models import Job, JobItem
from downloads.tasks import run_chunk
from tests.factories import JobFactory, JobItemFactory

pytestmark = pytest.mark.django_db
TRANSIENT = JobItem.FailureCause.TRANSIENT


def _chunk_row(job: Job, chunk: int, started: timedelta) -> DBTaskResult[Any, Any]:
    row = run_chunk.enqueue(job_id=job.pk, chunk=chunk)
    DBTaskResult.objects.filter(pk=row.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - started, worker_ids=["w"]
    )
    return DBTaskResult.objects.get(pk=row.id)


def test_transient_failures_run_once_more_before_the_job_ends(
    user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.RUNNING)
    JobItemFactory.create(job=job, status="done", chunk=0)
    flaky = JobItemFactory.create(job=job, status="failed", failure_cause=TRANSIENT, chunk=2)
    JobItemFactory.create(job=job, status="failed", failure_cause="permanent", chunk=1)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.job_finish_if_done(job=job) is False

    flaky.refresh_from_db()
    job.refresh_from_db()
    assert (flaky.status, job.status, job.final_round_done) == ("queued", "running", True)
    queued = DBTaskResult.objects.filter(task_path=run_chunk.module_path, status="READY")
    assert [r.args_kwargs["kwargs"] for r in queued] == [{"job_id": job.pk, "chunk": 2}]

    # It failed transiently again: the round has run, so now the job ends with it failed.
    JobItem.objects.filter(pk=flaky.pk).update(status="failed", failure_cause=TRANSIENT)
    assert services.job_finish_if_done(job=job) is True
    assert job.status == Job.Status.PARTIAL


def test_a_retry_by_hand_gives_back_the_budget_and_the_round(user: Any) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.PARTIAL, final_round_done=True)
    item = JobItemFactory.create(
        job=job, status="failed", failure_cause=TRANSIENT, transient_retries=3
    )

    assert services.job_retry(job=job) == 1

    item.refresh_from_db()
    job.refresh_from_db()
    assert (item.transient_retries, item.failure_cause, job.final_round_done) == (0, "", False)


def test_the_reaper_clears_task_rows_of_gone_workers_only(user: Any) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.RUNNING)
    JobItemFactory.create(job=job, chunk=0, status="running", heartbeat_at=timezone.now())
    JobItemFactory.create(
        job=job, chunk=1, status="running", heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    alive = _chunk_row(job, 0, started=timedelta(minutes=5))
    gone = _chunk_row(job, 1, started=timedelta(minutes=5))
    just_started = _chunk_row(job, 2, started=timedelta(seconds=1))

    reaper.jobs_reap()

    for row in (alive, gone, just_started):
        row.refresh_from_db()
    assert alive.status == just_started.status == TaskResultStatus.RUNNING
    assert gone.status == TaskResultStatus.FAILED
    assert gone.exception_class_path == "downloads.enqueue.WorkerLost"


def test_a_run_with_a_free_slot_takes_waiting_items_of_other_chunks_but_no_retry_pause(
    user: Any,
) -> None:
    from downloads.worker import records

    job = JobFactory.create(owner=user, status=Job.Status.RUNNING)
    now = timezone.now()
    paused = JobItemFactory.create(
        job=job, chunk=1, position=1, heartbeat_at=now, failure_cause=TRANSIENT
    )
    held = JobItemFactory.create(job=job, chunk=1, position=2, heartbeat_at=now)
    unheld = JobItemFactory.create(job=job, chunk=2, position=3)

    taken = [records.item_take(job.pk, chunk=0) for _ in range(3)]

    assert [w.item_id if w else None for w in taken] == [unheld.pk, held.pk, None]
    paused.refresh_from_db()
    assert (paused.status, paused.attempts) == (JobItem.Status.QUEUED, 0)


def test_the_reaper_hands_on_a_chunk_whose_worker_died_before_holding_its_items(
    user: Any,
) -> None:
    """Killed between claiming the task row and holding the items: nothing beats, nothing is
    held, so only the lost row says the chunk needs a worker."""
    job = JobFactory.create(owner=user, status=Job.Status.RUNNING)
    JobItemFactory.create(job=job, chunk=3, status="queued", heartbeat_at=None)
    lost = _chunk_row(job, 3, started=timedelta(minutes=5))

    assert reaper.jobs_reap() == 1

    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED
    queued = DBTaskResult.objects.filter(task_path=run_chunk.module_path, status="READY")
    assert [r.args_kwargs["kwargs"] for r in queued] == [{"job_id": job.pk, "chunk": 3}]
    assert reaper.jobs_reap() == 0  # handed on once


def test_a_chunk_run_starts_its_longest_tracks_first_and_takes_other_chunks_items_in_job_order(
    user: Any,
) -> None:
    from downloads.worker import records
    from tests.factories import TrackFactory

    job = JobFactory.create(owner=user, status=Job.Status.RUNNING)

    def item(chunk: int, position: int, seconds: int) -> JobItem:
        track = TrackFactory.create(duration_ms=seconds * 1000)
        return JobItemFactory.create(job=job, chunk=chunk, position=position, track=track)

    short, long, middle = item(0, 0, 120), item(0, 1, 420), item(0, 2, 240)
    other_short, other_long = item(1, 3, 100), item(1, 4, 300)

    assert records.chunk_hold(job.pk, 0) == [long.pk, middle.pk, short.pk]
    taken = [records.item_take(job.pk, chunk=0) for _ in range(2)]
    assert [w.item_id if w else None for w in taken] == [other_short.pk, other_long.pk]
