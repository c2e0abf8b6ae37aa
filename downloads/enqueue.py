"""The one place that hands work to the background queue.

Task modules import services (a task runs a service); services enqueue through here, and this
module finds the task objects by their dotted path at call time, so no service imports a task
module back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.tasks import TaskResultStatus
from django.tasks.signals import task_enqueued
from django.utils import timezone
from django.utils.json import normalize_json
from django.utils.module_loading import import_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from downloads.models import JobItem

RUN_CHUNK = "downloads.tasks.run_chunk"
MAINTAIN = "downloads.tasks.maintain"
SYNC_RUN = "downloads.sync.tasks.sync_run_task"
MAINTENANCE_EVERY = timedelta(seconds=30)


def _task(path: str) -> Any:
    return import_string(path)


def chunks_enqueue(*, job_id: int, chunks: Iterable[int]) -> int:
    """One task per chunk, all written in one transaction: a worker sees none of them or all,
    never the first chunks of a job while the rest are still being written. Returns how many.

    django-tasks-db's `enqueue` creates one row at a time (417 INSERTs for a 10,000-track job);
    with that backend the rows are built as it builds them and written in one bulk INSERT, and
    `task_enqueued` is sent for each as `enqueue` sends it (after the row is written, before
    the commit). Any other backend gets one `enqueue` per chunk.
    """
    task = _task(RUN_CHUNK)
    kwargs = [{"job_id": job_id, "chunk": chunk} for chunk in sorted(set(chunks))]
    if not kwargs:  # no transaction: on SQLite even an empty one takes the write lock
        return 0
    backend = task.get_backend()
    with transaction.atomic():
        if not isinstance(backend, DatabaseBackend):
            for each in kwargs:
                task.enqueue(**each)
            return len(kwargs)
        backend.validate_task(task)
        rows = DBTaskResult.objects.bulk_create(_db_row(backend, task, each) for each in kwargs)
        for row in rows:
            task_enqueued.send(type(backend), task_result=row.task_result)
    return len(rows)


def _db_row(backend: DatabaseBackend, task: Any, kwargs: dict[str, Any]) -> DBTaskResult[Any, Any]:
    """The row DatabaseBackend.enqueue would create (its pre_save handler's `run_after` too)."""
    return DBTaskResult(
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": [], "kwargs": kwargs}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after or get_date_max(),
        backend_name=backend.alias,
    )


def sync_run_enqueue(*, run_id: int) -> None:
    _task(SYNC_RUN).enqueue(run_id=run_id)


def maintenance_ensure_scheduled() -> bool:
    """Enqueue the next maintenance round unless one is already waiting; True when enqueued.

    django.tasks cannot list what is queued, so this looks at django-tasks-db's table. Only
    waiting rounds count: a round whose worker was killed stays "running" forever. Two callers
    racing may both enqueue; later rounds see each other waiting and the chains collapse to one.
    """
    waiting = DBTaskResult.objects.filter(task_path=MAINTAIN, status=TaskResultStatus.READY)
    if waiting.exists():
        return False
    _task(MAINTAIN).using(run_after=timezone.now() + MAINTENANCE_EVERY).enqueue()
    return True


def maintenance_schedule_at(*, when: datetime) -> bool:
    """A maintenance round at `when` too (a pause ends then), so paused jobs resume on time
    rather than at the next regular round; True when enqueued."""
    waiting = DBTaskResult.objects.filter(
        task_path=MAINTAIN,
        status=TaskResultStatus.READY,
        run_after__gte=when,
        run_after__lte=when + timedelta(seconds=1),
    )
    if waiting.exists():
        return False
    _task(MAINTAIN).using(run_after=when).enqueue()
    return True


MAINTAIN_LOST_AFTER = timedelta(minutes=10)  # a maintenance round takes seconds


def tasks_lost_clear(*, now: datetime, stale_after: timedelta) -> set[tuple[int, int]]:
    """Mark failed the task rows left running by a worker that is gone; returns the chunks
    (job id, chunk) of the rows it marked, for the reaper to enqueue again.

    django-tasks-db knows a worker only by the id it claimed a row with, and keeps no sign of
    life. A chunk task's live worker beats its items' heartbeats; a chunk row older than
    `stale_after` none of whose items has a fresh heartbeat lost its worker. The item reaper
    requeues the items that worker held; a worker killed after claiming the row but before
    holding any item left them waiting with no task, hence the chunks returned. A maintenance
    round running for minutes died.
    """
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - stale_after
    )
    chunks: dict[Any, tuple[int, int]] = {}  # task row pk (a UUID) -> its chunk
    for row in running.filter(task_path=RUN_CHUNK):
        job_id, chunk = (row.args_kwargs["kwargs"].get(key) for key in ("job_id", "chunk"))
        beating = JobItem.objects.filter(
            job_id=job_id, chunk=chunk, heartbeat_at__gte=now - stale_after
        )
        if not beating.exists():
            chunks[row.pk] = (job_id, chunk)
    maintenance = running.filter(task_path=MAINTAIN, started_at__lt=now - MAINTAIN_LOST_AFTER)
    lost: list[Any] = [*chunks, *maintenance.values_list("pk", flat=True)]
    return _rows_mark_lost(lost, chunks, now)


def tasks_of_workers_clear(
    *, held_by: Callable[[str], bool], now: datetime
) -> set[tuple[int, int]]:
    """Mark failed the chunk and maintenance rows running under a worker known dead (`held_by`
    its id); returns the chunks (job id, chunk) of the rows it marked, to enqueue again.

    Only a row whose last claim is that worker's: a chunk handed on and claimed by a live
    worker is that worker's now. The few running rows are read and matched here, as a JSON
    `contains` lookup is not there on SQLite.
    """
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path__in=(RUN_CHUNK, MAINTAIN)
    )
    chunks: dict[Any, tuple[int, int]] = {}
    for row in running.only("pk", "task_path", "args_kwargs", "worker_ids"):
        if not row.worker_ids or not held_by(row.worker_ids[-1]):
            continue
        kwargs = row.args_kwargs["kwargs"]
        chunks[row.pk] = (kwargs.get("job_id"), kwargs.get("chunk"))
    return _rows_mark_lost(list(chunks), chunks, now)


def _rows_mark_lost(
    lost: list[Any], chunks: dict[Any, tuple[int, int]], now: datetime
) -> set[tuple[int, int]]:
    """Mark these rows failed as lost; the chunks of the rows this call marked."""
    cleared = set()
    for pk in lost:
        # Row by row: only what this call marked is handed on (two reapers may race).
        marked = DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path="downloads.enqueue.WorkerLost",
            traceback="The worker running this task stopped or died; its work was handed on.",
        )
        if marked and pk in chunks and None not in chunks[pk]:
            cleared.add(chunks[pk])
    return cleared
