"""The governor's pace over real HTTP: a turn too far off pauses the job until then, and the
job goes on by itself, in a worker's queue or in the foreground CLI."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest

from downloads.models import Job
from sandbox import Sandbox
from tests.reliability.helpers import playlist_job, uploaded_tracks
from tests.reliability.invariants import describe
from tests.support.catalog import import_playlist
from tests.support.processes import manage
from tests.support.workers import worker_env
from tests.youtube.helpers import run_through_pauses

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PACING = re.compile(
    r"^Pacing requests to stay under YouTube's limit; downloads resume at \d\d:\d\d$"
)


def test_a_job_paced_past_a_workers_wait_pauses_and_resumes_until_done(
    media_sandbox: Sandbox, user: Any, settings: Any
) -> None:
    settings.YOUTUBE_BUDGET_PER_HOUR = 3600  # a video a second, installation-wide
    settings.YOUTUBE_MAX_SLOT_WAIT = 1.5  # so the third track of a wave is too far off
    job = playlist_job(
        media_sandbox, user, uploaded_tracks(media_sandbox, 5), name="Paced", enqueue=False
    )
    pauses: list[tuple[str, str, Any]] = []

    run_through_pauses(job, pauses)

    assert (job.status, job.done) == (Job.Status.COMPLETED, 5), describe(job)
    assert set(job.items.values_list("attempts", flat=True)) == {1}
    assert pauses and all(PACING.match(reason) for _, reason, _ in pauses), pauses


def test_the_cli_waits_out_its_pace_in_the_foreground(
    media_sandbox: Sandbox, user: Any, settings: Any
) -> None:
    settings.YOUTUBE_BUDGET_PER_HOUR = 3600
    playlist = import_playlist(
        media_sandbox, user, uploaded_tracks(media_sandbox, 4), name="CLI Paced"
    )

    process: subprocess.Popen[str] = manage(  # type: ignore[assignment]  # text=True
        "download",
        f"https://open.spotify.com/playlist/{playlist.spotify_id}",
        "--user",
        "ana",
        env=worker_env(COLUMNS="120", YOUTUBE_MAX_SLOT_WAIT="1.5"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output, _ = process.communicate(timeout=180)

    assert process.returncode == 0, output
    assert "CLI Paced: Completed · 4 downloaded, 0 failed" in output
