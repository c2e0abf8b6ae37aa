"""The headline counts tracks in flight by their progress, and a job that ended short never shows
a full green bar: the same numbers on the job page, the jobs list, the stream and the API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page

from downloads import snapshots
from downloads.models import Job
from tests.factories import JobFactory, JobItemFactory
from tests.support.browser import browser_sign_in
from tests.support.servers import AsgiServer

pytestmark = pytest.mark.django_db


def _job(owner: Any, status: str, *states: str, progress: int = 0) -> Job:
    job = JobFactory.create(owner=owner, status=status)
    for position, state in enumerate(states):
        shown = progress if state == "running" else 0
        JobItemFactory.create(job=job, position=position, status=state, progress=shown)
    job.refresh_counters()
    return job


def _valuenow(html: str) -> list[int]:
    return [int(v) for v in re.findall(r'aria-valuenow="(\d+)"', html)]


def test_a_running_job_counts_a_track_60_percent_downloaded_as_0_6(
    client: Client, user: Any
) -> None:
    job = _job(user, Job.Status.RUNNING, "done", "running", "queued", "queued", progress=60)
    client.force_login(user)

    page = client.get(reverse("downloads:job", args=[job.pk])).content.decode()
    listed = client.get(reverse("downloads:jobs")).content.decode()
    snapshot = snapshots.job_snapshot(job_id=job.pk)

    assert _valuenow(page) == [40]  # (1 + 0.6) of 4
    assert _valuenow(listed) == [40]
    assert snapshot is not None and snapshot["percent"] == 40
    assert snapshot["widths"] == {"done": "25.00", "running": "15.00", "problems": "0.00"}


def test_the_api_status_says_the_same_percent(client: Client, user: Any) -> None:
    job = _job(user, Job.Status.RUNNING, "done", "running", progress=50)
    client.force_login(user)

    assert client.get(f"/api/v1/jobs/{job.pk}").json()["percent"] == 75


def test_a_cancelled_job_with_nothing_done_shows_an_empty_bar_on_the_list(
    client: Client, user: Any
) -> None:
    _job(user, Job.Status.CANCELLED, *["cancelled"] * 70)
    client.force_login(user)

    listed = client.get(reverse("downloads:jobs")).content.decode()

    assert _valuenow(listed) == [0]
    assert 'data-segment="done" style="width: 0.00%"' in listed
    assert "job-bar-ended" in listed


@pytest.mark.browser
def test_a_cancelled_job_page_draws_only_what_was_done_in_green(
    page: Page, asgi_server: AsgiServer, user: Any
) -> None:
    job = _job(user, Job.Status.CANCELLED, *["done"] * 6, *["cancelled"] * 16)
    browser_sign_in(page, asgi_server.url, user)

    page.goto(f"{asgi_server.url}/downloads/{job.pk}/")

    bar = page.get_by_role("progressbar", name="Overall progress")
    done = bar.locator('[data-segment="done"]')
    share = done.evaluate("e => e.getBoundingClientRect().width / e.parentElement.clientWidth")
    stripes = bar.evaluate("e => getComputedStyle(e).backgroundImage")
    assert bar.get_attribute("aria-valuenow") == "27"  # 6 of 22
    assert 0.25 < share < 0.30
    assert "repeating-linear-gradient" in stripes
    assert page.get_by_role("button", name="Resume").is_visible()
