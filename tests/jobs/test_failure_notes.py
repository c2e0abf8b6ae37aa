"""Every failure has words and a next step: one mapping (downloads/failures.py) from a failure's
kind to both, shown on the job page, its live updates, the match page and the API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from downloads import snapshots, youtube_gate
from downloads.failures import Viewer, failure_note
from downloads.models import Job, JobItem
from downloads.pipeline.search_failures import diagnose
from spotifydl.api.services import token_create
from tests.factories import JobFactory, JobItemFactory, TrackFactory
from tests.matches.helpers import candidates_for, searched_item

pytestmark = pytest.mark.django_db

ADMIN = Viewer(is_admin=True, with_cookies=False)
MEMBER = Viewer(is_admin=False, with_cookies=False)
INSTALLATION_COOKIES = "/settings/installation/#id_cookies_file"
OWN_COOKIES = "/settings/#id_cookies_file"
BOT = "YouTube asked to confirm you're not a bot."

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "viewer", "words", "step", "url"),
    [
        ("bot_check", ADMIN, BOT, "Add a cookies file in Settings", INSTALLATION_COOKIES),
        ("bot_check", MEMBER, BOT, "Add a cookies file of your own in Settings", OWN_COOKIES),
        (
            "bot_check",
            Viewer(is_admin=True, with_cookies=True),
            BOT,
            "Add a fresh cookies file in Settings",
            INSTALLATION_COOKIES,
        ),
        (
            "captcha",
            ADMIN,
            "captcha solved",
            "Add a cookies file in Settings",
            INSTALLATION_COOKIES,
        ),
        ("forbidden", ADMIN, "HTTP 403", "Add a cookies file in Settings", INSTALLATION_COOKIES),
        ("age_restricted", ADMIN, "age-verified", "Add a cookies file", INSTALLATION_COOKIES),
        (
            "cookies_unreadable",
            ADMIN,
            "cannot read",
            "Add a fresh cookies file",
            INSTALLATION_COOKIES,
        ),
        ("no_match", ADMIN, "Best score 41", "Pick an upload", "/downloads/items/7/match/"),
        ("removed", MEMBER, "Best score 41", "Pick an upload", "/downloads/items/7/match/"),
        ("geo_blocked", MEMBER, "Best score 41", "Pick an upload", "/downloads/items/7/match/"),
        ("rate_limited", MEMBER, "slow down", "Retry in a few minutes", ""),
    ],
)
def test_each_kind_of_failure_has_words_and_a_next_step_with_its_link(
    kind: str, viewer: Viewer, words: str, step: str, url: str
) -> None:
    note = failure_note(kind=kind, error="Best score 41", item_id=7, viewer=viewer)

    assert note.step is not None
    assert words in note.words
    assert note.step.text.startswith(step)
    assert note.step.url == url


@pytest.mark.parametrize("kind", ["outdated", "network", "disk_full", "other", ""])
def test_failures_with_nothing_to_do_here_keep_the_stages_own_words(kind: str) -> None:
    note = failure_note(kind=kind, error="The stage's own words", item_id=7, viewer=ADMIN)

    assert (note.words, note.step) == ("The stage's own words", None)


def test_a_rate_limit_says_in_words_when_youtube_work_resumes(settings: Any) -> None:
    settings.YOUTUBE_BACKOFF_STEPS = [900.0]
    youtube_gate.gate_strike(sign_in=False)

    note = failure_note(kind="rate_limited", error="", item_id=7, viewer=ADMIN)

    assert note.step is not None
    assert note.step.text.replace("\xa0", " ") == "Downloads resume in 14 minutes"


def test_youtubes_bare_403_to_a_search_is_a_sign_in_check_not_an_unknown_error() -> None:
    request = httpx.Request("POST", "https://music.youtube.com/youtubei/v1/search")
    refused = httpx.HTTPStatusError("403", request=request, response=httpx.Response(403))

    diagnosis = diagnose(refused)

    assert diagnosis.kind == "forbidden" and not diagnosis.transient
    assert "sign-in check" in diagnosis.reason


def _failed(owner: Any, **fields: Any) -> JobItem:
    job = JobFactory.create(owner=owner, status=Job.Status.PARTIAL)
    values = {"status": JobItem.Status.FAILED, "error": "Search failed: ytmusic refused"}
    return JobItemFactory.create(job=job, **(values | fields))


def test_the_job_page_and_its_live_updates_link_a_blocked_search_to_the_cookies_setting(
    client: Client, user: Any
) -> None:
    item = _failed(user, error_kind="forbidden")
    client.force_login(user)

    page = client.get(reverse("downloads:job", args=[item.job_id])).content.decode()
    live = snapshots.item_snapshots(job_id=item.job_id, changed_since=LONG_AGO)[0]

    assert f'<a class="next-step" href="{OWN_COOKIES}">Add a cookies file of your own' in page
    assert "HTTP 403), as it does when it wants to confirm" in page
    assert live["step_url"] == OWN_COOKIES and "HTTP 403" in live["note"]
    assert live["step_text"].startswith("Add a cookies file")


def test_the_api_gives_each_failed_item_its_next_step(client: Client, user: Any) -> None:
    item = _failed(user, error_kind="bot_check")
    token = token_create(owner=user, name="script").secret

    answer = client.get(
        f"/api/v1/jobs/{item.job_id}/items", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()

    assert answer["items"][0]["next_step"] == {
        "text": "Add a cookies file of your own in Settings",
        "url": OWN_COOKIES,
    }


def test_the_match_page_gives_the_no_match_reason_once_and_points_at_the_choices(
    client: Client, user: Any
) -> None:
    track = TrackFactory.create(duration_ms=200_000)
    job = JobFactory.create(owner=user, status=Job.Status.PARTIAL)
    others = candidates_for(TrackFactory.create(duration_ms=90_000))
    item = searched_item(track=track, job=job, candidates=others)
    assert item.status == JobItem.Status.NO_MATCH
    item.error, item.error_kind = item.match_reason, "no_match"  # as the worker records it
    item.save()
    client.force_login(user)

    page = client.get(reverse("matches:item", args=[item.pk])).content.decode()

    assert page.count(escape(item.match_reason)) == 1
    assert '<a class="next-step" href="#pick">Pick an upload</a>' in page
    assert 'id="pick"' in page


def test_a_job_paused_for_youtubes_sign_in_check_says_when_and_links_the_cookies_setting(
    client: Client, user: Any, settings: Any
) -> None:
    settings.YOUTUBE_BACKOFF_STEPS = [900.0]
    hold = youtube_gate.gate_strike(sign_in=True)
    job = JobFactory.create(
        owner=user,
        status=Job.Status.PAUSED,
        pause_cause=Job.PauseCause.YOUTUBE,
        resumes_at=hold.until,
        error=hold.reason,
    )
    client.force_login(user)

    page = client.get(reverse("downloads:job", args=[job.pk])).content.decode()

    assert "resumes by itself <time datetime=" in page and "in 14\xa0minutes</time>" in page
    assert f'<a class="next-step" href="{OWN_COOKIES}">Add a cookies file of your own' in page
