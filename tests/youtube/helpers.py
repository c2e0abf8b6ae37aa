"""Running a job here through YouTube pauses, the way workers and the maintenance task do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from downloads.models import Job
from downloads.tasks import maintain
from tests.reliability.helpers import run_job_here
from tests.reliability.invariants import describe
from tests.support.waiting import wait_until
from tests.support.workers import run_task_in_thread


def _resumed_by_maintenance(job: Job) -> bool:
    """One round of the maintenance task, as the queue runs it; True once the job is back."""
    run_task_in_thread(maintain)
    job.refresh_from_db()
    return job.status != Job.Status.PAUSED


def run_through_pauses(
    job: Job, pauses: list[tuple[str, str, Any]], *, on_pause: Callable[[], None] = lambda: None
) -> None:
    """Run the job here the way workers do; each time it pauses, note what it showed, call
    `on_pause`, and let the maintenance task resume it."""
    for _ in range(60):
        run_job_here(job)
        if job.status in Job.FINISHED:
            return
        assert job.status == Job.Status.PAUSED, describe(job)
        pauses.append((job.status, job.error, job.resumes_at))
        on_pause()
        wait_until(lambda: _resumed_by_maintenance(job), timeout=60, step=0.2, what="resume")
    pytest.fail(f"the job never finished: {describe(job)}")
