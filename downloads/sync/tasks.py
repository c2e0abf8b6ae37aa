"""The sync task: run one queued sync (ids only; the SyncRun row holds the state)."""

from __future__ import annotations

from typing import Any

from django.db import close_old_connections
from django.tasks import task

from downloads.sync import runs


# Ahead of queued download chunks: a sync is a few requests, and it is what starts downloads.
@task(priority=40)
def sync_run_task(run_id: int) -> dict[str, Any]:
    """Run a queued sync; one that another worker (or the command line) took is left alone."""
    run = runs.sync_run_execute(run_id=run_id)
    close_old_connections()
    if run is None:
        return {"run": run_id, "status": "gone"}
    return {"run": run_id, "status": run.status, "summary": run.summary}
