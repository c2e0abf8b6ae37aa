"""A job page weighs the same at 1,200 tracks as at 100: a page of tracks at a time, with the
counters, the bar and the way to the failures always there."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from downloads.models import Job, JobItem
from spotifydl.paging import TRACKS_PER_PAGE
from tests.factories import JobFactory, TrackFactory

pytestmark = pytest.mark.django_db

LIMIT = 150_000


def _big_job(owner: Any, size: int) -> Job:
    job = JobFactory.create(owner=owner, status=Job.Status.RUNNING)
    tracks = TrackFactory.create_batch(10)
    states = ["done", "failed", "no_match", "queued"]
    JobItem.objects.bulk_create(
        JobItem(
            job=job,
            track=tracks[n % 10],
            position=n,
            status=states[0] if n % 50 else states[(n // 50) % 4],
            error="It broke" if n % 50 == 0 else "",
        )
        for n in range(size)
    )
    job.refresh_counters()
    return job


def test_a_1200_track_job_page_stays_small_and_shows_where_the_failures_are(
    client: Client, user: Any
) -> None:
    job = _big_job(user, 1200)
    client.force_login(user)
    url = reverse("downloads:job", args=[job.pk])

    first = client.get(url)
    problems = client.get(url, {"show": "problems"}).content.decode()

    assert len(first.content) < LIMIT
    html = first.content.decode()
    assert html.count('<tr id="item-') == TRACKS_PER_PAGE
    assert f"Tracks 1\u2013{TRACKS_PER_PAGE} of 1200" in html
    assert 'href="?show=problems"' in html  # the failures, one click away and counted
    assert problems.count('<tr id="item-') == job.failed + job.no_match
    assert "It broke" in problems


def test_a_job_page_leaves_the_match_alternatives_in_the_database(
    client: Client, user: Any
) -> None:
    job = _big_job(user, 120)
    ranked = [{"candidate": {"id": f"v{n}", "title": "x" * 200}, "score": 50.0} for n in range(12)]
    job.items.update(alternatives={"chosen": None, "score": 0.0, "reason": "", "ranked": ranked})
    client.force_login(user)
    url = reverse("downloads:job", args=[job.pk])

    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()

    assert html.count('<tr id="item-') == TRACKS_PER_PAGE
    item_reads = [q["sql"] for q in queries if 'FROM "downloads_jobitem"' in q["sql"]]
    assert item_reads and not any('"alternatives"' in sql for sql in item_reads)
