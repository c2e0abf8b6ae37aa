"""Background tasks: run one chunk of a job, and the periodic maintenance (reaper + resumer).

Tasks carry only ids; the Job / JobItem rows hold every bit of state, so a task that runs twice
or after its job was cancelled finds nothing to do and returns.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from django.db import close_old_connections
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)

MAINTENANCE_EVERY = timedelta(seconds=30)


@task
def run_chunk(job_id: int, chunk: int) -> dict[str, int]:
    """Download one chunk's items; the reaper runs first so dead workers' chunks are not lost."""
    from downloads import runner, services

    services.jobs_reap()
    # asyncio.run in the worker's thread: the chunk's pipeline is async, the worker is not.
    summary = asyncio.run(runner.run_chunk(job_id=job_id, chunk=chunk))
    close_old_connections()
    return summary


@task
def maintain() -> dict[str, Any]:
    """Reap dead chunks, resume jobs whose pause is over, then schedule the next round."""
    from downloads import services
    from downloads.sync import services as sync_services

    reaped = services.jobs_reap()
    resumed = services.jobs_resume_due()
    maintenance_ensure_scheduled()
    # After the next round is scheduled, so a failing sync claim never breaks the chain.
    syncs = len(sync_services.subscriptions_run_due())
    return {"reaped": reaped, "resumed": resumed, "syncs": syncs}


def maintenance_ensure_scheduled() -> bool:
    """Enqueue the next maintenance round unless one is already waiting; True when enqueued.

    django.tasks cannot list what is queued, so this looks at django-tasks-db's table. Only
    waiting rounds count: a round whose worker was killed stays "running" forever. Two callers
    racing may both enqueue; later rounds see each other waiting and the chains collapse to one.
    """
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=maintain.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    maintain.using(run_after=timezone.now() + MAINTENANCE_EVERY).enqueue()
    return True
