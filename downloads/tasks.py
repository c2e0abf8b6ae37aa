"""Background tasks: run one chunk of a job, and the periodic maintenance (reaper + resumer).

Tasks carry only ids; the Job / JobItem rows hold every bit of state, so a task that runs twice
or after its job was cancelled finds nothing to do and returns. Services enqueue these through
downloads.enqueue, never by importing this module.
"""

from __future__ import annotations

import asyncio
from typing import Any

from django.db import close_old_connections
from django.tasks import task

from downloads import enqueue, reaper, services
from downloads.sync import services as sync_services
from downloads.worker import chunk as worker_chunk
from downloads.worker import shutdown, workdir


@task
def run_chunk(job_id: int, chunk: int) -> dict[str, int]:
    """Download one chunk's items; the reaper runs first so dead workers' chunks are not lost."""
    reaper.jobs_reap()
    workdir.dead_runs_remove()
    # asyncio.run in the worker's thread: the chunk's pipeline is async, the worker is not.
    with shutdown.signals_watched():
        summary = asyncio.run(worker_chunk.run_chunk(job_id=job_id, chunk=chunk))
    close_old_connections()
    return summary


@task
def maintain() -> dict[str, Any]:
    """Reap dead chunks, resume jobs whose pause is over, then schedule the next round."""
    reaped = reaper.jobs_reap()
    workdir.dead_runs_remove()
    resumed = services.jobs_resume_due()
    enqueue.maintenance_ensure_scheduled()
    # After the next round is scheduled, so a failing sync claim never breaks the chain.
    syncs = len(sync_services.subscriptions_run_due())
    return {"reaped": reaped, "resumed": resumed, "syncs": syncs}
