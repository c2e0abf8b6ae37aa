"""One download job while the media source misbehaves in every way at once: 10% of answers
503, bodies cut off halfway, and connections that stall in the middle of the job. (A bot check
is no track's fault: it pauses the installation, tests/youtube/test_limits.py.)"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from downloads.models import JobItem
from sandbox import Sandbox
from tests.reliability.helpers import (
    Connections,
    identify_problems,
    playlist_job,
    run_job_here,
    uploaded_tracks,
)
from tests.reliability.invariants import assert_job_consistent, describe
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MEDIA = "GET /watch"
SEARCH_503 = "Search failed: ytmusic answered with an error (HTTP 503)"


def _stall_then_cut_off(sandbox: Sandbox, job: Any, seen: dict[str, int]) -> None:
    """Once the job is under way, new media connections stall (about 5 s before their first
    bytes, far past the fetch stage's 1.5 s read timeout); afterwards bodies get cut off."""
    wait_until(lambda: job.items.filter(status="done").exists(), timeout=60, step=0.05)
    seen["before"] = sandbox.requests[MEDIA]
    sandbox.media_knobs.bandwidth = 200
    try:
        wait_until(lambda: sandbox.requests[MEDIA] >= seen["before"] + 3, timeout=10, step=0.05)
    finally:
        sandbox.media_knobs.bandwidth = None
    seen["stalled"] = sandbox.requests[MEDIA] - seen["before"]
    sandbox.media_knobs.fail_next(4, "truncate", path="/watch")


@pytest.mark.slow
def test_one_job_survives_503s_truncated_bodies_and_stalls(
    media_sandbox: Sandbox,
    user: Any,
    temp_dir: Any,
    connections: tuple[Connections, set[int]],
) -> None:
    tracks = uploaded_tracks(media_sandbox, 20)
    # Cut-off bodies on media downloads here; cut-off search answers have a test of their own.
    media_sandbox.media_knobs.fail_next(4, "truncate", path="/watch")
    media_sandbox.media_knobs.error_rate = 0.10
    job = playlist_job(media_sandbox, user, tracks, name="Stormy Mix", enqueue=False)
    seen: dict[str, int] = {}
    staller = threading.Thread(target=_stall_then_cut_off, args=(media_sandbox, job, seen))
    staller.start()

    run_job_here(job)
    staller.join()

    print("\nmedia faults:", describe(job), "stalled connections:", seen["stalled"])
    counts = assert_job_consistent(job, temp_dirs=[temp_dir])
    # A track fails only when a 503 on its search stopped it before the download was tried.
    assert set(job.items.exclude(status="done").values_list("error", flat=True)) <= {SEARCH_503}
    assert counts[JobItem.Status.DONE] >= len(tracks) // 2, describe(job)
    assert seen["stalled"] >= 3, "no connection stalled: the test did not test stalls"
    assert identify_problems(media_sandbox, job) == []  # complete files of the right uploads
    record, allowed = connections
    assert record.outside(allowed) == []


@pytest.mark.slow  # every retry layer spends its budget first
@pytest.mark.parametrize("fault", ["truncate", "reset"])
def test_a_search_answer_cut_off_fails_the_track_with_a_plain_reason(
    media_sandbox: Sandbox, user: Any, fault: str
) -> None:
    # More failures than the resolver's retries, the item's budget and the end-of-job round
    # together, so the track fails and its reason is shown.
    media_sandbox.media_knobs.fail_next(40, fault, path="/youtubei/v1/search")
    job = playlist_job(
        media_sandbox, user, uploaded_tracks(media_sandbox, 1), name="Cut", enqueue=False
    )

    run_job_here(job)

    assert_job_consistent(job)
    assert job.items.get().status == "failed"


def test_a_single_transient_search_failure_is_tried_again(media_sandbox: Sandbox, user: Any):
    media_sandbox.media_knobs.fail_next(1, "503", path="/youtubei/v1/search")
    job = playlist_job(
        media_sandbox, user, uploaded_tracks(media_sandbox, 1), name="Once", enqueue=False
    )

    run_job_here(job)

    job.refresh_from_db()
    assert (job.status, job.done) == ("completed", 1), describe(job)
