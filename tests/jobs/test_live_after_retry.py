"""After Retry the job page follows the job again, without a reload, to its new end."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from downloads.models import Job
from sandbox import Sandbox
from tests.factories import JobFactory, JobItemFactory
from tests.support.browser import browser_sign_in, watch_for_problems
from tests.support.catalog import editorial_tracks, has_upload, import_track
from tests.support.servers import AsgiServer

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def _failed_job(sandbox: Sandbox, owner: Any) -> Job:
    """Two tracks the sandbox has, both failed by a search that could not answer then."""
    tracks = [t for t in editorial_tracks(sandbox) if has_upload(sandbox, t)][:2]
    job = JobFactory.create(owner=owner, status=Job.Status.FAILED, title="Second Chance")
    for position, track in enumerate(tracks):
        JobItemFactory.create(
            job=job,
            track=import_track(sandbox, track),
            position=position,
            status="failed",
            error="Search failed: ytmusic answered with an error (HTTP 503)",
        )
    job.refresh_counters()
    return job


def test_after_retry_the_page_follows_the_job_to_its_end_without_a_reload(
    page: Page, asgi_server: AsgiServer, media_sandbox: Sandbox, user: Any, worker: None
) -> None:
    job = _failed_job(media_sandbox, user)
    browser_sign_in(page, asgi_server.url, user)
    problems = watch_for_problems(page, asgi_server.url)
    page.goto(f"{asgi_server.url}/downloads/{job.pk}/")
    status = page.locator("[data-job-status]")
    expect(status).to_have_text("Failed")
    page.evaluate("window.sameDocument = true")

    page.get_by_role("button", name="Retry failed tracks").click()

    expect(status).to_have_text("Completed", timeout=60_000)
    expect(page.locator('[data-job-field="done"]')).to_have_text("2")
    bar = page.get_by_role("progressbar", name="Overall progress")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    assert page.evaluate("window.sameDocument") is True
    assert problems == []
