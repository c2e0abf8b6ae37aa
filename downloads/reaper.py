"""Hand the work of dead workers to live ones: by staleness (any worker, anywhere), or at once
for workers known dead (`serve` saw its child die, or starts after a killed run of its own).

Every stage of an item is idempotent, so the worker an item is handed to simply starts it over;
an item goes back only while it is still the dead worker's, so nothing runs twice at once.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from downloads import enqueue, services
from downloads.models import HEARTBEAT_STALE_AFTER, Job, JobItem
from downloads.worker import workdir
from downloads.worker_ids import worker_id_in_slots

Chunks = set[tuple[int, int]]  # (job id, chunk)


def jobs_reap(*, now: datetime | None = None) -> int:
    """Hand the items of dead workers to new ones; returns how many chunks were re-enqueued.

    A worker keeps `heartbeat_at` fresh on every item it holds. An item whose heartbeat is older
    than HEARTBEAT_STALE_AFTER lost its worker: it goes back to the queue (or to cancelled, if
    its job was cancelled meanwhile) and its chunk is enqueued again.
    """
    now = now or timezone.now()
    stale = JobItem.objects.filter(
        status__in=JobItem.UNFINISHED, heartbeat_at__lt=now - HEARTBEAT_STALE_AFTER
    )
    found = list(stale.values_list("pk", "job_id", "chunk"))
    _items_hand_back(stale, now)
    # The dead workers' half-downloaded files: each attempt had its own folder.
    workdir.attempt_dirs_remove(item_id for item_id, _, _ in found)
    chunks = {(job_id, chunk) for _, job_id, chunk in found}
    chunks |= enqueue.tasks_lost_clear(now=now, stale_after=HEARTBEAT_STALE_AFTER)
    return _chunks_hand_on(chunks, _orphaned_job_ids())


def workers_dead_hand_back(
    *, worker_ids: Collection[str] = (), prefix: str = "", now: datetime | None = None
) -> int:
    """Hand on now the work of workers known dead: these ids, or every id of slots named
    `prefix...` (a killed `serve` run's). Returns how many chunks were re-enqueued.

    Their running task rows are marked lost and the items they still hold go back to the queue
    as `jobs_reap` does for stale ones, each item and row only by the call that moved it.
    """
    now = now or timezone.now()
    dead = set(worker_ids)

    def held_by(worker_id: str) -> bool:
        return worker_id in dead or worker_id_in_slots(worker_id, prefix=prefix)

    held = JobItem.objects.filter(status__in=JobItem.UNFINISHED, heartbeat_at__isnull=False)
    found = [
        (pk, job_id, chunk, holder)
        for pk, job_id, chunk, holder in held.exclude(holder="").values_list(
            "pk", "job_id", "chunk", "holder"
        )
        if held_by(holder)
    ]
    groups: dict[tuple[int, int], list[int]] = {}
    for pk, job_id, chunk, _ in found:
        groups.setdefault((job_id, chunk), []).append(pk)
    holders = {holder for *_, holder in found}
    chunks = {
        key
        for key, pks in groups.items()
        if _items_hand_back(held.filter(pk__in=pks, holder__in=holders), now)
    }
    workdir.attempt_dirs_remove(pk for pk, *_ in found)
    chunks |= enqueue.tasks_of_workers_clear(held_by=held_by, now=now)
    return _chunks_hand_on(chunks, set())


def _items_hand_back(items: QuerySet[JobItem], now: datetime) -> int:
    """Items whose worker is gone back to the queue (cancelled, if their job was cancelled
    meanwhile); returns how many this call moved."""
    with transaction.atomic():
        cancelled = items.filter(job__cancel_requested=True).update(
            status=JobItem.Status.CANCELLED, finished_at=now, stage="", **JobItem.LET_GO
        )
        # A lost worker is no track's fault; the attempt stays counted only as a claim token.
        items.filter(status=JobItem.Status.RUNNING).update(
            failure_cause=JobItem.FailureCause.INTERRUPTED
        )
        queued = items.update(
            status=JobItem.Status.QUEUED, stage="", progress=0, updated_at=now, **JobItem.LET_GO
        )
    return cancelled + queued


def _chunks_hand_on(chunks: Chunks, job_ids: set[int]) -> int:
    """Enqueue the chunks again, or end their jobs (and `job_ids`) if nothing is left."""
    enqueued = 0
    for job in Job.objects.filter(pk__in={job_id for job_id, _ in chunks} | job_ids):
        if services.job_finish_if_done(job=job):
            continue
        if job.status in (Job.Status.QUEUED, Job.Status.RUNNING):
            mine = {chunk for job_id, chunk in chunks if job_id == job.pk}
            enqueued += enqueue.chunks_enqueue(job_id=job.pk, chunks=mine)
    return enqueued


def _orphaned_job_ids() -> set[int]:
    """Running jobs with nothing left to do: their last worker died before finishing them."""
    return set(
        Job.objects.filter(status=Job.Status.RUNNING)
        .exclude(items__status__in=JobItem.UNFINISHED)
        .values_list("pk", flat=True)
    )
