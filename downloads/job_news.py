"""The news of a finished job: its counts, and which tracks failed and why."""

from __future__ import annotations

from downloads.failures import job_failure_lines
from downloads.models import Job
from library.sign_in_address import public_origin
from spotifydl.notifications.news import news_job_finished


def job_news_send(*, job: Job) -> None:
    failures = job_failure_lines(job=job, base_url=public_origin())
    news_job_finished(
        owner_id=job.owner_id,
        title=job.title,
        counts={
            "done": job.done,
            "failed": job.failed,
            "no_match": job.no_match,
            "cancelled": job.cancelled,
        },
        failures=failures,
    )
