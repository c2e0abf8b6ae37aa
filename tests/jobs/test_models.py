from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from downloads.models import Job, JobItem
from tests.factories import JobFactory, JobItemFactory

pytestmark = pytest.mark.django_db


def _job_with(*statuses: str, **job_fields: object) -> Job:
    job = JobFactory.create(**{"status": Job.Status.RUNNING, **job_fields})
    for status in statuses:
        JobItemFactory.create(job=job, status=status)
    return job


def test_counters_are_recomputed_from_the_items_in_one_aggregate_query() -> None:
    job = _job_with("done", "done", "failed", "no_match", "cancelled", "queued", "running")

    with CaptureQueriesContext(connection) as queries:
        job.refresh_counters()

    selects = [q for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 1
    assert (job.total, job.done, job.failed, job.no_match, job.cancelled) == (7, 2, 1, 1, 1)
    job.refresh_from_db()
    assert job.done == 2


def test_a_job_with_unfinished_items_is_not_finished() -> None:
    job = _job_with("done", "running")

    assert job.finish_if_done() is False
    assert job.status == Job.Status.RUNNING


def test_a_job_whose_items_all_succeeded_completes() -> None:
    job = _job_with("done", "done")

    assert job.finish_if_done() is True
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED
    assert job.finished_at is not None
    assert job.progress.percent == 100


def test_a_job_with_some_failures_completes_with_failures() -> None:
    job = _job_with("done", "no_match")

    job.finish_if_done()

    assert job.status == Job.Status.PARTIAL


def test_a_job_where_nothing_could_be_downloaded_fails() -> None:
    job = _job_with("failed", "failed", "no_match")

    job.finish_if_done()

    assert job.status == Job.Status.FAILED


def test_only_the_first_caller_finishes_a_job() -> None:
    job = _job_with("done")
    twin = Job.objects.get(pk=job.pk)

    assert job.finish_if_done() is True
    assert twin.finish_if_done() is False


def test_requesting_cancel_ends_waiting_items_at_once_and_leaves_running_ones_to_the_worker():
    job = _job_with("queued", "queued", "running", "done")

    job.request_cancel()

    job.refresh_from_db()
    assert job.cancel_requested is True
    assert job.status == Job.Status.RUNNING
    assert list(job.items.values_list("status", flat=True)) == [
        "cancelled",
        "cancelled",
        "running",
        "done",
    ]
    JobItem.objects.filter(job=job, status="running").update(status="cancelled")
    assert job.finish_if_done() is True
    assert job.status == Job.Status.CANCELLED


def test_cancelling_a_waiting_job_ends_it_at_once() -> None:
    job = _job_with("queued", "queued", status=Job.Status.QUEUED)

    job.request_cancel()

    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.cancelled == 2


def test_a_failed_job_says_why_and_ends_its_unfinished_items() -> None:
    job = _job_with("done", "queued", "running")

    job.mark_failed("The music folder is not writable.")

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "The music folder is not writable."
    assert (job.done, job.failed) == (1, 2)


def test_a_paused_job_says_when_it_resumes_and_goes_back_to_the_queue() -> None:
    from datetime import timedelta

    from django.utils import timezone

    job = _job_with("queued")
    until = timezone.now() + timedelta(hours=3)

    job.pause(until=until, reason="Spotify's quota is used up.")
    assert (job.status, job.resumes_at) == (Job.Status.PAUSED, until)

    assert job.resume() is True
    assert (job.status, job.resumes_at) == (Job.Status.QUEUED, None)
    assert job.resume() is False
