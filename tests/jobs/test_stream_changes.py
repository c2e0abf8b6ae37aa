"""The progress stream of a long job sends what changed since its last event, not the job:
two tracks moving in a 1,200-track job make one small event about those two."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from downloads.models import Job, JobItem
from downloads.progress import job_stream
from spotifydl.paging import TRACKS_PER_PAGE
from tests.factories import JobFactory, TrackFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the stream reads from its own thread


def _long_job(owner: Any) -> Job:
    job = JobFactory.create(owner=owner, status=Job.Status.RUNNING)
    track = TrackFactory.create()
    JobItem.objects.bulk_create(
        JobItem(job=job, track=track, position=n, status="queued") for n in range(1200)
    )
    # Written well before the page was drawn: the page already shows them.
    job.items.update(updated_at=timezone.now() - timedelta(minutes=5))
    job.refresh_counters()
    return job


def _move_two(job: Job) -> list[int]:
    moving = list(job.items.order_by("position").values_list("pk", flat=True)[:2])
    JobItem.objects.filter(pk__in=moving).update(status="running", stage="fetch", progress=40)
    return moving


def test_two_tracks_moving_in_a_long_job_make_one_small_event(user: Any) -> None:
    job = _long_job(user)

    async def listen() -> tuple[list[str], str]:
        stream = job_stream(job.pk, since=timezone.now())
        opening = [await anext(stream), await anext(stream)]  # retry:, then the counters
        await sync_to_async(_move_two)(job)
        return opening, await asyncio.wait_for(anext(stream), timeout=10)

    opening, moved = asyncio.run(listen())

    assert opening[0].startswith("retry:") and "event: job" in opening[1]
    name, data = moved.split("\n")[1:3]
    items = json.loads(data.removeprefix("data: "))
    assert name == "event: items"
    assert [(i["status"], i["progress"]) for i in items] == [("running", 40)] * 2
    assert moved.startswith("id: ")  # where a reconnecting browser picks up
    assert len(moved) < 1_000


def test_a_client_with_nothing_is_sent_the_first_page_of_a_long_job_not_all_of_it(
    user: Any,
) -> None:
    job = _long_job(user)

    async def first_event() -> str:
        stream = job_stream(job.pk)
        await anext(stream)  # retry:
        return await anext(stream)

    opening = asyncio.run(first_event())

    name, data = opening.split("\n")[1:3]
    items = json.loads(data.removeprefix("data: "))
    shown = job.items.order_by("position").values_list("pk", flat=True)[:TRACKS_PER_PAGE]
    assert name == "event: items"
    assert [i["id"] for i in items] == list(shown)
