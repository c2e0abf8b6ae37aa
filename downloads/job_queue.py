"""The queue: every active job of a person (an admin: of everyone) with how fast it goes, what
it has put on disk so far and when it should end.

Speed and ETA are measured over the job's current run (since a worker last started it), so a
job resumed or retried hours later is not judged by the gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from downloads.models import Job, JobItem
from downloads.selectors import with_progress
from library.roles import is_admin

if TYPE_CHECKING:
    from django.contrib.auth.models import User

WORKED = (JobItem.Status.DONE, JobItem.Status.FAILED, JobItem.Status.NO_MATCH)


@dataclass(frozen=True, slots=True)
class QueueEntry:
    job: Job
    size: int  # bytes of the job's files on disk so far
    speed: float | None  # bytes a second over this run; None before anything finished
    eta_seconds: int | None  # None while paused or before anything moved

    @property
    def owner_name(self) -> str:
        return self.job.owner.first_name or self.job.owner.get_username()

    @property
    def eta_words(self) -> str:
        if self.eta_seconds is None:
            return "—"
        minutes = round(self.eta_seconds / 60)
        if minutes < 1:
            return "under a minute"
        if minutes < 90:
            return f"about {minutes} min"
        return f"about {minutes / 60:.1f} h"


def queue_for(*, user: User) -> list[QueueEntry]:
    """Active jobs, oldest first (the order workers take them), in one query."""
    jobs = Job.objects.filter(status__in=Job.ACTIVE)
    if not is_admin(user):
        jobs = jobs.filter(owner_id=user.pk)
    now = timezone.now()
    return [_entry(job, now) for job in _measured(with_progress(jobs).select_related("owner"))]


def _measured(jobs: QuerySet[Job]) -> QuerySet[Job]:
    items = JobItem.objects.filter(job=OuterRef("pk"))
    done = Q(status=JobItem.Status.DONE)
    this_run = Q(finished_at__gte=OuterRef("started_at"))
    return jobs.annotate(
        size=_per_job(items.filter(done), Sum("stored_file__size")),
        run_size=_per_job(items.filter(done, this_run), Sum("stored_file__size")),
        run_worked=_per_job(items.filter(this_run, status__in=WORKED), Count("pk")),
    ).order_by("created_at", "pk")


def _per_job(items: QuerySet[JobItem], total: Sum | Count) -> Coalesce:
    """One number per job from its items, as a subquery (zero when there are none)."""
    return Coalesce(Subquery(items.values("job").annotate(n=total).values("n")[:1]), 0)


def _entry(job: Job, now: datetime) -> QueueEntry:
    size, run_size, worked = (getattr(job, name) for name in ("size", "run_size", "run_worked"))
    elapsed = (now - job.started_at).total_seconds() if job.started_at else 0.0
    progress = job.progress
    moved = worked + progress.in_flight
    if elapsed <= 0 or job.status == Job.Status.PAUSED:
        return QueueEntry(job, size, None, None)
    speed = run_size / elapsed if run_size else None
    left = job.total - job.processed - progress.in_flight
    eta = round(left / (moved / elapsed)) if moved > 0 else None
    return QueueEntry(job, size, speed, eta)
