"""20% of YouTube's answers (search and media) fail with 503s, plus resets, while a job runs:
the per-item budget and the end-of-job round bring every track home without anyone pressing
Retry. The figures reached are printed."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum

from downloads import services
from downloads.models import Job, JobItem
from sandbox import Sandbox
from tests.reliability.helpers import Processes, playlist_job, uploaded_tracks
from tests.reliability.invariants import assert_job_consistent, describe
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TRACKS = 40
SEARCH = "/youtubei/v1/search"


def test_a_job_under_20_percent_server_errors_and_resets_ends_with_nothing_failed(
    media_sandbox: Sandbox, user: Any, processes: Processes
) -> None:
    job = playlist_job(
        media_sandbox, user, uploaded_tracks(media_sandbox, TRACKS), name="Stormy", enqueue=False
    )
    media_sandbox.media_knobs.error_rate = 0.20  # every YouTube request: search, page, media
    media_sandbox.media_knobs.fail_next(6, "reset", path=SEARCH)
    media_sandbox.media_knobs.fail_next(6, "reset", path="/watch")
    # Spotify's side storms too (the pipeline must not need it; the client retries what it asks).
    media_sandbox.knobs.error_rate = 0.20
    services.job_enqueue(job=job)
    processes.worker()
    wait_until(lambda: Job.objects.get(pk=job.pk).status in Job.FINISHED, timeout=600, step=0.2)
    media_sandbox.media_knobs.error_rate = 0.0

    job.refresh_from_db()
    retries = job.items.aggregate(used=Sum("transient_retries"))["used"] or 0
    most = max(job.items.values_list("transient_retries", flat=True))
    asked = {k: v for k, v in media_sandbox.requests.items() if SEARCH in k or "/watch" in k}
    print(
        f"\n20% faults: {describe(job)}; item retries used: {retries} (at most {most} on one "
        f"track); end-of-job round ran: {job.final_round_done}; "
        f"attempts: {job.items.aggregate(n=Sum('attempts'))['n']}; YouTube requests: {asked}"
    )
    counts = assert_job_consistent(job)
    assert counts["failed"] == 0
    assert job.items.filter(status=JobItem.Status.DONE).count() + counts["no_match"] == TRACKS
    assert job.status in (Job.Status.COMPLETED, Job.Status.PARTIAL)
