"""YouTube's limits over real HTTP: the sandbox's video budget, captcha and bot check against
the ytmusic source and yt-dlp. A limit pauses the installation and is never a track's fault."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from downloads import youtube_gate
from downloads.models import DownloadSettings, JobItem
from sandbox import Sandbox
from tests.reliability.helpers import (
    identify_problems,
    playlist_job,
    run_job_here,
    uploaded_tracks,
)
from tests.reliability.invariants import describe
from tests.support.waiting import wait_until
from tests.youtube.helpers import run_through_pauses

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

COOKIES = b"# Netscape HTTP Cookie File\n.youtube.com\tTRUE\t/\tTRUE\t0\tSID\tsecret\n"
SLOW_DOWN = re.compile(r"^YouTube asked us to slow down; downloads resume at (\d\d:\d\d)$")
SIGN_IN = "YouTube wants a sign-in check: add a cookies file in Settings"


@pytest.mark.slow
def test_a_60_track_job_waits_out_youtubes_rate_limit_and_downloads_every_track(
    media_sandbox: Sandbox, user: Any
) -> None:
    knobs = media_sandbox.media_knobs
    # The first 12 videos use up a budget that would last an hour, however slow the machine
    # (a 2 s window from the start rolled over before a loaded machine spent it); once the job
    # has paused, the window shortens to 2 s and the rest of the job goes through it.
    knobs.video_budget, knobs.budget_window = 12, 3600.0
    job = playlist_job(
        media_sandbox, user, uploaded_tracks(media_sandbox, 60), name="Limited", enqueue=False
    )
    pauses: list[tuple[str, str, Any]] = []

    run_through_pauses(job, pauses, on_pause=lambda: setattr(knobs, "budget_window", 2.0))

    print("\nrate limited:", describe(job), f"{len(pauses)} pauses")
    assert (job.status, job.done, job.failed, job.no_match) == ("completed", 60, 0, 0)
    assert set(job.items.values_list("status", flat=True)) == {JobItem.Status.DONE}
    # A limit is not an attempt: every track was counted once, however often it waited.
    assert set(job.items.values_list("attempts", flat=True)) == {1}
    assert pauses, "the sandbox's budget never ran out: the test did not test a limit"
    for status, reason, resumes_at in pauses:
        shown = SLOW_DOWN.match(reason)
        assert status == "paused" and shown is not None, reason
        assert shown.group(1) == timezone.localtime(resumes_at).strftime("%H:%M")
    assert identify_problems(media_sandbox, job) == []


@pytest.mark.parametrize("mode", ["bot_check", "captcha"])
def test_a_sign_in_check_pauses_every_job_until_a_cookies_upload_resumes_them(
    media_sandbox: Sandbox, user: Any, client: Client, mode: str, settings: Any
) -> None:
    # A pause long enough that only the cookies upload can end it, however slow the machine.
    settings.YOUTUBE_BACKOFF_STEPS = [600.0]
    setattr(media_sandbox.media_knobs, mode, True)
    tracks = uploaded_tracks(media_sandbox, 2)
    first = playlist_job(media_sandbox, user, tracks[:1], name="First", enqueue=False)
    second = playlist_job(media_sandbox, user, tracks[1:], name="Second", enqueue=False)

    run_job_here(first)

    for job in (first, second):  # the other job, not started yet, waits too
        job.refresh_from_db()
        assert (job.status, job.pause_cause) == ("paused", "youtube"), describe(job)
        assert job.error.startswith(SIGN_IN), job.error
        assert set(job.items.values_list("status", "attempts")) == {("queued", 0)}
    user.is_staff = True  # the installation's settings are the admin's
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    page = client.get(reverse("downloads:job", args=[first.pk])).content.decode()
    assert SIGN_IN in page and "resumes by itself <time datetime=" in page
    assert SIGN_IN in client.get(reverse("downloads:jobs")).content.decode()
    assert SIGN_IN in client.get(reverse("household:installation")).content.decode()

    setattr(media_sandbox.media_knobs, mode, False)
    response = client.post(
        reverse("household:installation"),
        {
            "default_format": "original",
            "path_template": "",
            "concurrency": "",
            "cookies_file": SimpleUploadedFile("cookies.txt", COOKIES),
        },
    )

    assert response.status_code == 302
    assert youtube_gate.gate_hold() is None
    for job in (first, second):
        job.refresh_from_db()
        assert (job.status, job.error) == ("queued", ""), describe(job)
        run_job_here(job)
        assert (job.status, job.done) == ("completed", 1), describe(job)


def test_a_worker_that_finds_the_gate_closed_asks_youtube_nothing(
    media_sandbox: Sandbox, user: Any
) -> None:
    hold = youtube_gate.gate_strike(sign_in=False)
    job = playlist_job(
        media_sandbox, user, uploaded_tracks(media_sandbox, 3), name="Closed", enqueue=False
    )
    media_sandbox.reset_counters()

    run_job_here(job)

    assert media_sandbox.youtube_request_counts() == {"search": 0, "page": 0, "media": 0}
    assert (job.status, job.resumes_at, job.error) == ("paused", hold.until, hold.reason)
    assert set(job.items.values_list("status", "attempts")) == {("queued", 0)}


def test_a_track_read_ahead_does_not_download_once_its_slot_met_a_limit(
    media_sandbox: Sandbox, user: Any, monkeypatch: Any
) -> None:
    config = DownloadSettings.load()
    config.concurrency = 1  # one slot: the second track is read while the first downloads
    config.save()
    job = playlist_job(
        media_sandbox, user, uploaded_tracks(media_sandbox, 2), name="Ahead", enqueue=False
    )
    from downloads.pipeline.fetch.stage import fetch as real_fetch
    from downloads.worker import item as item_module

    def fetch_into_a_bot_check(*args: Any, **kwargs: Any) -> Any:
        if not media_sandbox.media_knobs.bot_check:
            pages = media_sandbox.youtube_request_counts()["page"]
            wait_until(lambda: media_sandbox.youtube_request_counts()["page"] == pages + 1)
            media_sandbox.media_knobs.bot_check = True  # the first track's media meets it
        return real_fetch(*args, **kwargs)

    monkeypatch.setattr(item_module, "fetch", fetch_into_a_bot_check)

    run_job_here(job)

    assert (job.status, job.pause_cause) == ("paused", "youtube"), describe(job)
    assert job.error.startswith(SIGN_IN), job.error
    assert set(job.items.values_list("status", "attempts")) == {("queued", 0)}
    assert media_sandbox.youtube_request_counts()["media"] == 1
