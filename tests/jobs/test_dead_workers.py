"""A worker known dead (`serve` saw it die) has its work handed on at once, by its worker id:
only what it still held, each item and task row once."""

from __future__ import annotations

from typing import Any

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from downloads.models import Job, JobItem
from downloads.reaper import workers_dead_hand_back
from downloads.tasks import run_chunk
from downloads.worker import records
from downloads.worker.work import Outcome
from downloads.worker_ids import (
    MAX_LENGTH,
    slot_host,
    worker_id_adopt,
    worker_id_for,
    worker_id_in_slots,
)
from tests.factories import JobFactory, JobItemFactory

pytestmark = pytest.mark.django_db

DEAD = "host:8000/worker-1#101"
LIVE = "host:8000/worker-2#202"


def _running_row(job: Job, chunk: int, *claims: str) -> DBTaskResult[Any, Any]:
    row = run_chunk.enqueue(job_id=job.pk, chunk=chunk)
    DBTaskResult.objects.filter(pk=row.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=list(claims)
    )
    return DBTaskResult.objects.get(pk=row.id)


def _held(job: Job, chunk: int, holder: str, status: str = "running") -> JobItem:
    item: JobItem = JobItemFactory.create(
        job=job, chunk=chunk, status=status, holder=holder, heartbeat_at=timezone.now()
    )
    return item


def _queued_chunks() -> list[int]:
    rows = DBTaskResult.objects.filter(task_path=run_chunk.module_path, status="READY")
    return sorted(row.args_kwargs["kwargs"]["chunk"] for row in rows)


def test_only_the_rows_and_items_the_dead_worker_held_are_handed_on(user: Any) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.RUNNING)
    dead_row = _running_row(job, 0, DEAD)
    running, waiting = _held(job, 0, DEAD), _held(job, 0, DEAD, status="queued")
    taken = _held(job, 2, DEAD)  # from a chunk no task runs yet
    live_row = _running_row(job, 1, LIVE)
    live_item = _held(job, 1, LIVE)
    # Handed on before (by the reaper) and claimed since by a live worker: that worker's now.
    reclaimed_row = _running_row(job, 3, DEAD, LIVE)
    reclaimed_item = _held(job, 3, LIVE)

    assert workers_dead_hand_back(worker_ids=[DEAD]) == 2

    for row in (dead_row, live_row, reclaimed_row):
        row.refresh_from_db()
    for item in (running, waiting, taken, live_item, reclaimed_item):
        item.refresh_from_db()
    assert (dead_row.status, dead_row.exception_class_path) == (
        TaskResultStatus.FAILED,
        "downloads.enqueue.WorkerLost",
    )
    assert live_row.status == reclaimed_row.status == TaskResultStatus.RUNNING
    assert {(i.status, i.heartbeat_at, i.holder) for i in (running, waiting, taken)} == {
        ("queued", None, "")
    }
    assert (running.failure_cause, waiting.failure_cause) == ("interrupted", "")
    assert live_item.status == reclaimed_item.status == "running"
    assert (live_item.holder, reclaimed_item.holder) == (LIVE, LIVE)
    assert live_item.heartbeat_at is not None and reclaimed_item.heartbeat_at is not None
    assert _queued_chunks() == [0, 2]


def test_a_second_call_for_the_same_dead_worker_hands_nothing_on_again(user: Any) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.RUNNING)
    _running_row(job, 0, DEAD)
    _held(job, 0, DEAD)

    first = workers_dead_hand_back(worker_ids=[DEAD])
    second = workers_dead_hand_back(worker_ids=[DEAD])

    assert (first, second) == (1, 0)
    assert _queued_chunks() == [0]


def test_a_slot_prefix_hands_on_every_worker_of_that_serve_run_and_no_other(user: Any) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.RUNNING)
    for chunk, holder in enumerate((DEAD, LIVE, "host:80001/worker-1#303", "host/404#404")):
        _held(job, chunk, holder)

    assert workers_dead_hand_back(prefix="host:8000/") == 2

    statuses = JobItem.objects.filter(job=job).order_by("chunk").values_list("status", flat=True)
    assert list(statuses) == ["queued", "queued", "running", "running"]


def test_a_cancelled_jobs_items_held_by_a_dead_worker_end_cancelled(user: Any) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.RUNNING, cancel_requested=True)
    item = _held(job, 0, DEAD)

    workers_dead_hand_back(worker_ids=[DEAD])

    item.refresh_from_db()
    job.refresh_from_db()
    assert (item.status, job.status) == ("cancelled", Job.Status.CANCELLED)
    assert _queued_chunks() == []


def test_a_worker_id_cuts_a_long_slot_short_but_keeps_the_pid_and_the_slot_prefix() -> None:
    slot = "a-very-long-host-name.inside.some.cluster.example.org:8000/worker-12"

    worker_id = worker_id_for(slot=slot, pid=4_194_304)

    assert len(worker_id) == MAX_LENGTH
    assert worker_id.endswith("#4194304")
    assert worker_id_in_slots(worker_id, prefix=slot.removesuffix("worker-12"))
    assert not worker_id_in_slots(worker_id, prefix="another-host:8000/")


def test_serve_names_slots_on_a_long_host_so_that_ports_never_share_a_cut_id() -> None:
    host = slot_host("pod-" + "x" * 60 + ".cluster.example.org")
    ids = {
        port: worker_id_for(slot=f"{host}:{port}/worker-128", pid=4_194_304)
        for port in (8000, 8001)
    }

    assert len(host) <= 36 and host != slot_host("pod-" + "x" * 60 + ".other.example.org")
    assert all(len(worker_id) < MAX_LENGTH for worker_id in ids.values())
    assert worker_id_in_slots(ids[8000], prefix=f"{host}:8000/")
    assert not worker_id_in_slots(ids[8000], prefix=f"{host}:8001/")
    assert slot_host("short-host") == "short-host"


def test_an_item_that_ends_keeps_no_holder(user: Any) -> None:
    worker_id_adopt(LIVE)
    try:
        item = JobItemFactory.create(job=JobFactory.create(owner=user), status="queued")
        work = records.item_claim(item.pk)
        assert work is not None
        assert JobItem.objects.get(pk=item.pk).holder == LIVE

        records.item_record_end(work, Outcome(JobItem.Status.DONE))
    finally:
        worker_id_adopt("")

    item.refresh_from_db()
    assert (item.status, item.heartbeat_at, item.holder) == ("done", None, "")
