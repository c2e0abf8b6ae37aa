"""The YouTube governor's own rules: one pace for every worker, a pause that grows with the
strikes, words a person reads, and a cookies upload that opens the gate."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from downloads import services, youtube_gate
from downloads.models import DownloadSettings, Job, YouTubeGate
from downloads.tasks import maintain
from downloads.youtube_gate import GateHold
from tests.factories import JobFactory, JobItemFactory
from tests.support.waiting import wait_until
from tests.support.workers import run_task_in_thread

COOKIES = b"# Netscape HTTP Cookie File\n.youtube.com\tTRUE\t/\tTRUE\t0\tSID\tsecret\n"
NOON = datetime(2026, 12, 6, 13, 5, tzinfo=UTC)  # 14:05 in Rome


def _claim_starts(count: int, starts: list[datetime]) -> None:
    """One "worker": take `count` fetch turns, noting when each may start."""
    try:
        for _ in range(count):
            now = timezone.now()
            wait = youtube_gate.gate_claim(turn="fetch", now=now)
            assert not isinstance(wait, GateHold), wait
            starts.append(now + timedelta(seconds=wait))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_keep_one_budget(settings: Any) -> None:
    settings.YOUTUBE_BUDGET_PER_HOUR = 36_000  # one video every 0.1 s
    starts: list[datetime] = []
    workers = [threading.Thread(target=_claim_starts, args=(12, starts)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert len(starts) == 24
    ordered = sorted(starts)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(ordered)]
    assert min(gaps) >= 0.1 - 1e-6, gaps  # no two turns shared, none closer than the budget


@pytest.mark.django_db
def test_a_cookies_file_raises_the_budget(settings: Any) -> None:
    settings.YOUTUBE_BUDGET_PER_HOUR, settings.YOUTUBE_BUDGET_PER_HOUR_WITH_COOKIES = 250, 1500
    assert youtube_gate.gate_overview().budget_per_hour == 250
    DownloadSettings.objects.filter(pk=DownloadSettings.load().pk).update(cookies_blob="x")
    assert youtube_gate.gate_overview().budget_per_hour == 1500


@pytest.mark.django_db
def test_a_turn_too_far_off_is_not_taken_but_paces_the_job(settings: Any) -> None:
    settings.YOUTUBE_BUDGET_PER_HOUR, settings.TIME_ZONE = 60, "Europe/Rome"  # one a minute
    assert youtube_gate.gate_claim(turn="fetch", now=NOON) == 0

    hold = youtube_gate.gate_claim(turn="fetch", now=NOON)

    assert isinstance(hold, GateHold) and hold.pacing
    assert hold.until >= NOON + timedelta(seconds=60)
    assert hold.reason.startswith("Pacing requests to stay under YouTube's limit; downloads")
    # The turn was not taken: asking again at that time gets it at once.
    assert youtube_gate.gate_claim(turn="fetch", now=hold.until) == 0


@pytest.mark.django_db
def test_searches_are_paced_by_their_own_small_gap(settings: Any) -> None:
    settings.YOUTUBE_SEARCH_GAP = 0.5
    assert youtube_gate.gate_claim(turn="search", now=NOON) == 0
    assert 0.5 <= youtube_gate.gate_claim(turn="search", now=NOON) <= 0.625  # type: ignore[operator]
    assert youtube_gate.gate_claim(turn="fetch", now=NOON) == 0  # fetches keep their own pace


@pytest.mark.django_db
def test_each_limit_in_a_row_pauses_longer_until_a_download_succeeds(settings: Any) -> None:
    settings.YOUTUBE_BACKOFF_STEPS = [900.0, 1800.0, 3600.0, 7200.0]
    now, pauses = NOON, []
    for _ in range(5):
        hold = youtube_gate.gate_strike(sign_in=False, now=now)
        pauses.append((hold.until - now).total_seconds())
        # A refusal of a request already in flight when the gate closed adds no strike.
        assert youtube_gate.gate_strike(sign_in=False, now=now).until == hold.until
        now = hold.until
    assert pauses == [900, 1800, 3600, 7200, 7200]

    youtube_gate.gate_success()

    hold = youtube_gate.gate_strike(sign_in=False, now=now)
    assert hold.until - now == timedelta(seconds=900)


@pytest.mark.django_db
def test_a_rate_limit_says_when_downloads_resume_in_local_time(settings: Any) -> None:
    settings.TIME_ZONE, settings.YOUTUBE_BACKOFF_STEPS = "Europe/Rome", [900.0]
    with timezone.override("Europe/Rome"):
        hold = youtube_gate.gate_strike(sign_in=False, now=NOON)
        assert youtube_gate.at_local(hold.until, now=NOON) == "14:20"
    assert hold.reason == "YouTube asked us to slow down; downloads resume at 14:20"


@pytest.mark.django_db
def test_a_bot_check_asks_for_a_cookies_file() -> None:
    hold = youtube_gate.gate_strike(sign_in=True)

    assert hold.reason.startswith(
        "YouTube wants a sign-in check: add a cookies file in Settings; downloads try again at "
    )
    assert youtube_gate.gate_hold() == hold


@pytest.mark.django_db
def test_a_cookies_upload_opens_the_gate_and_resumes_youtubes_jobs_only(user: Any) -> None:
    held = JobItemFactory.create(job=JobFactory.create(owner=user)).job
    quota = JobItemFactory.create(job=JobFactory.create(owner=user)).job
    services.job_pause(job=quota, until=timezone.now() + timedelta(hours=1), reason="Spotify")
    hold = youtube_gate.gate_strike(sign_in=True)
    assert services.jobs_pause_for_youtube(until=hold.until, reason=hold.reason) == 1
    held.refresh_from_db()
    assert (held.status, held.pause_cause, held.error) == ("paused", "youtube", hold.reason)

    services.download_settings_update(
        default_format="original", path_template="", concurrency=None, cookies=COOKIES
    )

    assert youtube_gate.gate_hold() is None
    assert YouTubeGate.load().strikes == 0
    held.refresh_from_db()
    quota.refresh_from_db()
    assert (held.status, held.error, held.resumes_at) == (Job.Status.QUEUED, "", None)
    assert quota.status == Job.Status.PAUSED


@pytest.mark.django_db(transaction=True)
def test_maintenance_resumes_the_paused_jobs_once_the_gate_opens(user: Any) -> None:
    job = JobItemFactory.create(job=JobFactory.create(owner=user, status="running")).job
    hold = youtube_gate.gate_strike(sign_in=False)  # the tests' first step: about a second
    services.jobs_pause_for_youtube(until=hold.until, reason=hold.reason)
    # A maintenance round is due exactly when the gate opens, not at the next regular round.
    assert DBTaskResult.objects.filter(
        task_path="downloads.tasks.maintain", run_after=hold.until
    ).exists()
    run_task_in_thread(maintain)
    job.refresh_from_db()
    assert job.status == Job.Status.PAUSED or youtube_gate.gate_hold() is None

    def resumed() -> bool:
        run_task_in_thread(maintain)
        job.refresh_from_db()
        return job.status == Job.Status.QUEUED

    wait_until(resumed, timeout=30, step=0.2, what="maintenance to resume the job")
    assert youtube_gate.gate_hold() is None


@pytest.mark.django_db
def test_the_settings_page_shows_the_pace_and_any_pause(
    client: Any, user: Any, settings: Any
) -> None:
    settings.YOUTUBE_BUDGET_PER_HOUR = 250
    user.is_staff = True  # the installation's settings are the admin's
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    page = client.get(reverse("household:installation")).content.decode()
    assert "running normally" in page and "no more than 250 videos an hour" in page

    hold = youtube_gate.gate_strike(sign_in=False)

    page = client.get(reverse("household:installation")).content.decode()
    assert hold.reason in page and "(resumes <time datetime=" in page
    assert "refused us 1 time in a row" in page
