"""The news of a finished job: its counts, and which tracks failed and why."""

from __future__ import annotations

from downloads.models import Job, JobItem
from spotifydl.notifications.news import news_job_finished

PROBLEMS = (JobItem.Status.FAILED, JobItem.Status.NO_MATCH)


def job_news_send(*, job: Job) -> None:
    problems = (
        job.items.filter(status__in=PROBLEMS)
        .select_related("track")
        .order_by("position")
        .values_list("track__name", "status", "error", "match_reason")
    )
    failures = [
        (name, error or reason or JobItem.Status(status).label)
        for name, status, error, reason in problems
    ]
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
