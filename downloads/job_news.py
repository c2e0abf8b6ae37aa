"""The news of a finished job: its counts, and which tracks failed and why."""

from __future__ import annotations

from downloads.failures import failure_viewer, item_failure_note
from downloads.models import Job, JobItem
from library.sign_in_address import public_origin
from spotifydl.notifications.news import news_job_finished

PROBLEMS = (JobItem.Status.FAILED, JobItem.Status.NO_MATCH)


def job_news_send(*, job: Job) -> None:
    problems = (
        job.items.filter(status__in=PROBLEMS)
        .select_related("track")
        .order_by("position")
        .values_list("pk", "track__name", "status", "error", "error_kind")
    )
    failures = []
    if problems:
        viewer = failure_viewer(user_id=job.owner_id, is_admin=job.owner.is_staff)
        for pk, name, status, error, kind in problems:
            note = item_failure_note(
                status=status, kind=kind, error=error, item_id=pk, viewer=viewer
            )
            why = note.as_text(base_url=public_origin()) if note and note.words else ""
            failures.append((name, why or JobItem.Status(status).label))
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
