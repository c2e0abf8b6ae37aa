from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django_tasks_db.models import DBTaskResult

from library.models import LibraryRefresh, SavedTrack
from sandbox import Sandbox
from tests.library.expectations import api_requests, minimum_requests
from tests.support.signing_in import RunRefresh, SignIn

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_a_429_storm_is_ridden_out_with_shared_pauses_and_the_library_is_complete(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ben = sign_in("ben")
    spotify.reset_counters()
    spotify.knobs.rate_limit, spotify.knobs.rate_window = 5, 1.0
    start = time.monotonic()

    refresh = run_refresh(ben)

    elapsed = time.monotonic() - start
    wasted = sum(api_requests(spotify).values()) - sum(minimum_requests(spotify, "ben").values())
    assert refresh.status == LibraryRefresh.Status.SUCCEEDED
    assert SavedTrack.objects.filter(user=ben).count() == len(spotify.user_library("ben")["liked"])
    # Shared pauses: per pause, only the requests already in flight can be refused.
    assert wasted <= settings.SPOTIFY_CONCURRENCY * (elapsed + 1)


def test_quota_exceeded_pauses_the_refresh_and_says_when_it_resumes(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ben = sign_in("ben")
    spotify.knobs.daily_quota = 3
    start = time.monotonic()

    refresh = run_refresh(ben)

    assert time.monotonic() - start < 5  # never sleeps for the quota
    assert refresh.status == LibraryRefresh.Status.PAUSED
    assert refresh.resumes_at is not None
    expected = datetime.now(UTC) + timedelta(days=1)
    assert abs((refresh.resumes_at - expected).total_seconds()) < 120
    assert "resumes automatically" in refresh.error


def test_a_paused_refresh_is_scheduled_to_resume_at_the_resume_time(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ben = sign_in("ben")
    spotify.knobs.fail_next(1, "quota")

    refresh = run_refresh(ben)

    later = datetime.now(UTC) + timedelta(hours=1)
    # django-tasks-db stores "no run_after" as the year 9999.
    scheduled = DBTaskResult.objects.get(run_after__gt=later, run_after__year__lt=9999)
    assert scheduled.run_after == refresh.resumes_at
    assert scheduled.args_kwargs["kwargs"] == {"refresh_id": refresh.pk}


def test_a_paused_refresh_resumes_and_finishes_once_the_quota_is_back(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ben = sign_in("ben")
    spotify.knobs.fail_next(1, "quota")
    paused = run_refresh(ben)

    resumed = run_refresh(ben)

    assert resumed.pk == paused.pk
    assert resumed.status == LibraryRefresh.Status.SUCCEEDED
    assert resumed.resumes_at is None


def test_the_home_page_shows_a_paused_refresh_with_its_resume_time(
    client: Client, spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ben = sign_in("ben")
    spotify.knobs.fail_next(1, "quota")
    refresh = run_refresh(ben)
    client.force_login(ben)

    page = client.get("/").content.decode()

    assert refresh.resumes_at is not None
    assert "Paused until Spotify allows more requests" in page
    assert refresh.resumes_at.astimezone(UTC).isoformat() in page


def test_server_errors_and_dropped_connections_during_a_refresh_are_retried(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ana = sign_in("ana")
    spotify.knobs.error_rate, spotify.knobs.reset_rate = 0.2, 0.05

    refresh = run_refresh(ana)

    assert refresh.status == LibraryRefresh.Status.SUCCEEDED, refresh.error
    assert SavedTrack.objects.filter(user=ana).count() == len(spotify.user_library("ana")["liked"])
