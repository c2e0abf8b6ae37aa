"""The queue page: a person's active jobs with speed, size so far and time left; an admin sees
everyone's, with whose each is; nobody else sees anyone's."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from downloads.models import Job
from tests.factories import JobFactory, JobItemFactory, StoredFileFactory, UserFactory

pytestmark = pytest.mark.django_db


def _running(owner: Any, title: str) -> Job:
    """Started 100 s ago: one 1 MB track done since, one halfway, two waiting."""
    started = timezone.now() - timedelta(seconds=100)
    job = JobFactory.create(owner=owner, title=title, status=Job.Status.RUNNING, started_at=started)
    stored = StoredFileFactory.create(size=1_000_000)
    JobItemFactory.create(
        job=job,
        position=0,
        track=stored.track,
        status="done",
        stored_file=stored,
        finished_at=started + timedelta(seconds=40),
    )
    JobItemFactory.create(job=job, position=1, status="running", progress=50)
    JobItemFactory.create(job=job, position=2, status="queued")
    JobItemFactory.create(job=job, position=3, status="queued")
    job.refresh_counters()
    return job


def _queue(client: Client, user: Any) -> str:
    client.force_login(user)
    return client.get(reverse("downloads:queue")).content.decode()


def test_a_person_sees_their_active_jobs_with_speed_size_and_time_left(
    client: Client, user: Any, other_user: Any
) -> None:
    _running(user, "Mine")
    _running(other_user, "Theirs")
    JobFactory.create(owner=user, title="Long finished", status=Job.Status.COMPLETED)

    page = _queue(client, user)

    assert "Mine" in page and "Theirs" not in page and "Long finished" not in page
    speed = float(re.findall(r"<td data-speed>([\d.]+)\xa0KB/s", page)[0])
    assert 9.0 < speed <= 9.8  # 1 MB (976.6 KiB) in the 100 s (and a few) since it started
    assert "976.6\xa0KB" in page  # on disk so far
    assert "about 3 min" in page  # 1.5 of 4 tracks in 100 s: 2.5 left take ~167 s
    assert "data-owner" not in page


def test_an_admin_sees_everyones_active_jobs_and_whose_they_are(client: Client, user: Any) -> None:
    admin = UserFactory.create(username="admin", first_name="Alex", is_staff=True)
    _running(user, "Ana's mix")

    page = _queue(client, admin)

    assert "Ana&#x27;s mix" in page
    assert f"<td data-owner>{user.first_name}</td>" in page


def test_htmx_polls_the_table_alone(client: Client, user: Any) -> None:
    _running(user, "Mine")
    client.force_login(user)

    fragment = client.get(reverse("downloads:queue"), HTTP_HX_REQUEST="true").content.decode()

    assert 'id="queue"' in fragment and "<html" not in fragment
    assert 'hx-trigger="every 3s"' in fragment
