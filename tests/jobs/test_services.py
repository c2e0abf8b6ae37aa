from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django.tasks.signals import task_enqueued
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from downloads import reaper, services
from downloads.models import AudioFormat, DownloadSettings, Job, JobItem
from downloads.tasks import maintain, run_chunk
from tests.factories import JobFactory, JobItemFactory, TrackFactory

pytestmark = pytest.mark.django_db


def _chunk_tasks() -> list[dict[str, Any]]:
    rows = DBTaskResult.objects.filter(task_path=run_chunk.module_path, status="READY")
    return sorted((r.args_kwargs["kwargs"] for r in rows), key=lambda k: (k["job_id"], k["chunk"]))


def _create(user: Any, tracks: list[Any], **kwargs: Any) -> Job:
    return services.job_create(
        owner=user,
        kind=Job.Kind.SELECTION,
        target_id="",
        title="Picked",
        tracks=tracks,
        **{"audio_format": AudioFormat.ORIGINAL, **kwargs},
    )


def test_a_new_job_has_one_item_per_distinct_track_in_order(user: Any) -> None:
    a, b, c = TrackFactory.create_batch(3)

    job = _create(user, [a, b, a, c])

    assert list(job.items.values_list("track_id", "position")) == [(a.pk, 0), (b.pk, 1), (c.pk, 2)]
    assert (job.status, job.total, job.done) == (Job.Status.QUEUED, 3, 0)


def test_a_new_job_is_split_into_chunks_enqueued_after_commit(
    user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    tracks = TrackFactory.create_batch(DownloadSettings.load().chunk_size + 3)

    with django_capture_on_commit_callbacks(execute=True):
        job = _create(user, tracks)

    assert _chunk_tasks() == [{"job_id": job.pk, "chunk": 0}, {"job_id": job.pk, "chunk": 1}]
    assert job.items.filter(chunk=1).count() == 3
    assert DBTaskResult.objects.filter(task_path=maintain.module_path).count() == 1


def test_a_new_jobs_chunk_tasks_are_all_written_in_one_transaction_before_any_is_announced(
    user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    tracks = TrackFactory.create_batch(2 * DownloadSettings.load().chunk_size + 1)
    seen: list[tuple[int, int]] = []  # (open atomic blocks, chunk tasks written) per announcement

    def announced(sender: Any, task_result: Any, **kwargs: Any) -> None:
        if task_result.task.module_path == run_chunk.module_path:
            seen.append((len(connection.atomic_blocks), len(_chunk_tasks())))

    outside = len(connection.atomic_blocks)
    task_enqueued.connect(announced)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _create(user, tracks)
    finally:
        task_enqueued.disconnect(announced)

    # A worker polling meanwhile sees none of them (not committed) or, once committed, all.
    assert seen == [(outside + 1, 3)] * 3


def test_tracks_already_stored_in_the_format_complete_at_once(user: Any, file_on_disk: Any) -> None:
    stored_track, other_format_track = TrackFactory.create_batch(2)
    stored = file_on_disk(stored_track, AudioFormat.MP3)
    file_on_disk(other_format_track, AudioFormat.OPUS)

    job = _create(user, [stored_track, other_format_track], audio_format=AudioFormat.MP3)

    first, second = job.items.order_by("position")
    assert (first.status, first.stored_file_id, first.progress) == ("done", stored.pk, 100)
    assert second.status == "queued"
    assert (job.done, job.status) == (1, Job.Status.QUEUED)


def test_a_job_whose_tracks_are_all_stored_completes_without_a_task(
    user: Any, file_on_disk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    track = TrackFactory.create()
    file_on_disk(track)

    with django_capture_on_commit_callbacks(execute=True):
        job = _create(user, [track])

    assert job.status == Job.Status.COMPLETED
    assert _chunk_tasks() == []


def test_a_stored_row_whose_file_is_gone_is_downloaded_again(user: Any, file_on_disk: Any):
    track = TrackFactory.create()
    file_on_disk(track).absolute_path.unlink()

    job = _create(user, [track])

    assert job.items.get().status == "queued"


def test_retry_requeues_only_failed_and_unmatched_items(
    user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.PARTIAL)
    for status in ("done", "failed", "no_match", "cancelled"):
        JobItemFactory.create(job=job, status=status, error="x" if status == "failed" else "")

    with django_capture_on_commit_callbacks(execute=True):
        count = services.job_retry(job=job)

    assert count == 2
    assert list(job.items.values_list("status", flat=True)) == [
        "done",
        "queued",
        "queued",
        "cancelled",
    ]
    assert job.items.filter(error="").count() == 4
    job.refresh_from_db()
    assert (job.status, job.failed, job.no_match, job.done) == (Job.Status.QUEUED, 0, 0, 1)
    assert _chunk_tasks() == [{"job_id": job.pk, "chunk": 0}]


def test_retry_does_nothing_to_an_active_job(user: Any) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.RUNNING)
    JobItemFactory.create(job=job, status="failed")

    assert services.job_retry(job=job) == 0


def test_the_reaper_requeues_items_whose_worker_stopped_beating(
    user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.RUNNING)
    long_ago = timezone.now() - timedelta(minutes=5)
    dead = JobItemFactory.create(
        job=job, status="running", heartbeat_at=long_ago, chunk=3, progress=40
    )
    held = JobItemFactory.create(job=job, status="queued", heartbeat_at=long_ago, chunk=3)
    alive = JobItemFactory.create(job=job, status="running", heartbeat_at=timezone.now(), chunk=4)
    waiting = JobItemFactory.create(job=job, status="queued", heartbeat_at=None, chunk=5)

    assert reaper.jobs_reap() == 1

    for item in (dead, held, alive, waiting):
        item.refresh_from_db()
    assert (dead.status, dead.heartbeat_at, dead.progress) == ("queued", None, 0)
    assert (held.status, held.heartbeat_at) == ("queued", None)
    assert alive.status == "running"
    assert _chunk_tasks() == [{"job_id": job.pk, "chunk": 3}]


def test_the_reaper_cancels_dead_items_of_a_cancelled_job_and_ends_it(user: Any) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.RUNNING, cancel_requested=True)
    JobItemFactory.create(job=job, status="done")
    JobItemFactory.create(
        job=job, status="running", heartbeat_at=timezone.now() - timedelta(hours=1)
    )

    assert reaper.jobs_reap() == 0

    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert _chunk_tasks() == []


def test_the_reaper_finishes_a_running_job_left_with_nothing_to_do(user: Any) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.RUNNING)
    JobItemFactory.create(job=job, status="done")

    reaper.jobs_reap()

    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED


def test_paused_jobs_resume_once_their_time_has_come(
    user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    due = JobFactory.create(owner=user, status=Job.Status.PAUSED, resumes_at=timezone.now())
    later = JobFactory.create(
        owner=user, status=Job.Status.PAUSED, resumes_at=timezone.now() + timedelta(hours=1)
    )
    for job in (due, later):
        JobItemFactory.create(job=job, status="queued")

    with django_capture_on_commit_callbacks(execute=True):
        assert services.jobs_resume_due() == 1

    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == (Job.Status.QUEUED, Job.Status.PAUSED)
    assert _chunk_tasks() == [{"job_id": due.pk, "chunk": 0}]


def test_maintenance_is_scheduled_once_however_often_it_is_asked_for() -> None:
    from downloads.enqueue import maintenance_ensure_scheduled

    assert maintenance_ensure_scheduled() is True
    assert maintenance_ensure_scheduled() is False

    row = DBTaskResult.objects.get(task_path=maintain.module_path)
    assert row.status == TaskResultStatus.READY
    assert row.run_after > timezone.now()


def test_cancel_of_a_waiting_job_ends_it_and_its_items(user: Any) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.QUEUED)
    JobItemFactory.create_batch(2, job=job, status=JobItem.Status.QUEUED)

    services.job_cancel(job=job)

    assert job.status == Job.Status.CANCELLED
    assert set(job.items.values_list("status", flat=True)) == {"cancelled"}
