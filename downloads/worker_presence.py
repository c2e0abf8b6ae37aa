"""Whether any worker is taking work, read from the evidence the queue already keeps.

Until workers beat a row of their own, a worker is alive when it recently started or finished
a task (django-tasks-db's rows) or beat on an item it is downloading (JobItem.heartbeat_at). A
job that has waited longer than NO_WORKER_AFTER while none of that happened has nobody to run it.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from downloads.models import HEARTBEAT_STALE_AFTER, Job, JobItem

NO_WORKER_AFTER = timedelta(seconds=90)
NO_WORKER_WORDS = (
    "No worker has taken work for a while, so this job is waiting for one: start the workers "
    "(`python manage.py serve` runs them, or `python manage.py worker` on a worker machine) "
    "and check their logs for why they refused to start."
)


def no_live_worker_for(*, job: Job) -> bool:
    """True when this queued job has waited past NO_WORKER_AFTER and no worker shows life."""
    now = timezone.now()
    if job.status != Job.Status.QUEUED or job.created_at > now - NO_WORKER_AFTER:
        return False
    since = now - NO_WORKER_AFTER
    tasks_moved = DBTaskResult.objects.filter(
        Q(started_at__gte=since) | Q(finished_at__gte=since)
    ).exists()
    items_beat = JobItem.objects.filter(heartbeat_at__gte=now - HEARTBEAT_STALE_AFTER).exists()
    return not (tasks_moved or items_beat)
