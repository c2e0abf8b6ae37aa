from __future__ import annotations

import stat
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from downloads.cookies import installation_cookies_file
from downloads.forms import TargetError, parse_target
from downloads.models import DownloadSettings, Job
from tests.factories import (
    JobFactory,
    JobItemFactory,
    PlaylistEntryFactory,
    SavedTrackFactory,
    UserPlaylistFactory,
)

pytestmark = pytest.mark.django_db

COOKIES = b"# Netscape HTTP Cookie File\n.youtube.com\tTRUE\t/\tTRUE\t0\tSID\tsecret\n"


@pytest.fixture
def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def _urls(job: Job) -> dict[str, str]:
    return {
        name: reverse(f"downloads:{name}", args=[job.pk])
        for name in ("job", "job_events", "job_cancel", "job_retry")
    }


@pytest.mark.parametrize(
    "name",
    ["downloads:jobs", "downloads:job_new", "household:preferences", "household:installation"],
)
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, name: str) -> None:
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith("/?next=")


def test_another_persons_job_is_a_404_on_every_view(signed_in: Client, other_user: Any):
    job = JobFactory.create(owner=other_user, status=Job.Status.PARTIAL)
    JobItemFactory.create(job=job, status="failed")
    urls = _urls(job)

    assert signed_in.get(urls["job"]).status_code == 404
    assert signed_in.get(urls["job_events"]).status_code == 404
    assert signed_in.post(urls["job_cancel"]).status_code == 404
    assert signed_in.post(urls["job_retry"]).status_code == 404
    job.refresh_from_db()
    assert (job.status, job.cancel_requested) == (Job.Status.PARTIAL, False)


def test_the_job_page_shows_overall_and_per_track_progress(signed_in: Client, user: Any):
    job = JobFactory.create(owner=user, status=Job.Status.RUNNING, total=2, done=1)
    JobItemFactory.create(job=job, status="done")
    running = JobItemFactory.create(job=job, status="running", stage="fetch", progress=37)

    response = signed_in.get(_urls(job)["job"])

    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-label="Overall progress"' in html
    assert 'aria-valuenow="68"' in html  # one done, one 37% there: 1.37 of 2
    assert f'id="item-{running.pk}" data-status="running"' in html
    assert 'value="37"' in html
    assert "Downloading" in html
    assert "js/progress." in html


def test_the_job_list_filters_by_state(signed_in: Client, user: Any) -> None:
    JobFactory.create(owner=user, status=Job.Status.RUNNING, title="Still going")
    JobFactory.create(owner=user, status=Job.Status.FAILED, title="Went wrong")

    active = signed_in.get(reverse("downloads:jobs") + "?show=active").content.decode()
    failed = signed_in.get(reverse("downloads:jobs") + "?show=failed").content.decode()

    assert "Still going" in active and "Went wrong" not in active
    assert "Went wrong" in failed and "Still going" not in failed


def test_posting_a_playlist_link_starts_a_job_and_shows_it(
    signed_in: Client, user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    membership = UserPlaylistFactory.create(user=user)
    PlaylistEntryFactory.create_batch(3, playlist=membership.playlist)
    link = f"https://open.spotify.com/playlist/{membership.playlist.spotify_id}?si=abc"

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            reverse("downloads:job_new"), {"target": link, "audio_format": "mp3"}
        )

    job = Job.objects.get(owner=user)
    assert response.status_code == 302
    assert response["Location"] == reverse("downloads:job", args=[job.pk])
    assert (job.kind, job.title, job.total, job.audio_format) == (
        "playlist",
        membership.playlist.name,
        3,
        "mp3",
    )


def test_a_playlist_outside_the_persons_library_is_refused_plainly(
    signed_in: Client, other_user: Any
) -> None:
    membership = UserPlaylistFactory.create(user=other_user)
    PlaylistEntryFactory.create(playlist=membership.playlist)

    response = signed_in.post(
        reverse("downloads:job_new"),
        {"kind": "playlist", "target": membership.playlist.spotify_id, "audio_format": "original"},
    )

    assert response.status_code == 400
    assert "That playlist is not in your library." in response.content.decode()
    assert not Job.objects.exists()


def test_cancel_and_retry_are_posts_that_change_the_job(signed_in: Client, user: Any) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.QUEUED)
    JobItemFactory.create(job=job, status="queued")
    urls = _urls(job)

    assert signed_in.get(urls["job_cancel"]).status_code == 405
    response = signed_in.post(urls["job_cancel"], HTTP_HX_REQUEST="true")

    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert 'id="job-controls"' in response.content.decode()
    assert signed_in.post(urls["job_retry"]).status_code == 302


@pytest.fixture
def admin_signed_in(signed_in: Client, user: Any) -> Client:
    """Installation settings are the admin's: the signed-in person is one here."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return signed_in


def test_uploaded_cookies_are_stored_privately_and_never_shown(
    admin_signed_in: Client, settings: Any
) -> None:
    signed_in = admin_signed_in
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = signed_in.post(
        reverse("household:installation"),
        {
            "default_format": "opus",
            "path_template": "{artist}/{title}.{ext}",
            "concurrency": "4",
            "cookies_file": SimpleUploadedFile("cookies.txt", COOKIES),
        },
    )

    assert response.status_code == 302
    config = DownloadSettings.load()
    assert config.cookies_blob and COOKIES.decode() not in config.cookies_blob  # encrypted
    stored = installation_cookies_file(blob=config.cookies_blob)
    assert stored.read_bytes() == COOKIES
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stored.is_relative_to(settings.DATA_DIR)
    assert (config.default_format, config.path_template, config.concurrency) == (
        "opus",
        "{artist}/{title}.{ext}",
        4,
    )
    page = signed_in.get(reverse("household:installation")).content.decode()
    assert "secret" not in page and str(stored) not in page


def test_a_template_that_escapes_the_music_folder_is_refused(admin_signed_in: Client) -> None:
    response = admin_signed_in.post(
        reverse("household:installation"),
        {"default_format": "original", "path_template": "../{title}.{ext}", "concurrency": ""},
    )

    assert response.status_code == 400
    assert DownloadSettings.load().path_template == ""


def test_the_settings_page_says_when_yt_dlp_is_stale_and_how_to_update(
    admin_signed_in: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from yt_dlp import version as ytdlp_version

    today = dt.datetime.now(dt.UTC).date()
    monkeypatch.setattr(ytdlp_version, "__version__", today.strftime("%Y.%m.%d"))
    fresh = admin_signed_in.get(reverse("household:installation")).content.decode()
    monkeypatch.setattr(ytdlp_version, "__version__", "2020.01.01")
    stale = admin_signed_in.get(reverse("household:installation")).content.decode()

    assert "data-ytdlp-stale" not in fresh
    assert "yt-dlp 2020.01.01 is" in stale and "make update-ytdlp" in stale


def test_a_cookies_file_with_a_broken_line_is_refused_naming_the_line(
    admin_signed_in: Client,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    broken = COOKIES + b".youtube.com\tTRUE\t/\tsecret-value\n"
    response = admin_signed_in.post(
        reverse("household:installation"),
        {
            "default_format": "original",
            "path_template": "",
            "concurrency": "",
            "cookies_file": SimpleUploadedFile("cookies.txt", broken),
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "line 3: expected 7 tab-separated fields, found 4" in page
    assert "secret" not in page
    assert DownloadSettings.load().cookies_blob == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M?si=x",
            ("playlist", "37i9dQZF1DXcBWIGoYBM5M"),
        ),
        (
            "https://open.spotify.com/intl-de/album/4aawyAB9vmqN3uQ7FjRGTy",
            ("album", "4aawyAB9vmqN3uQ7FjRGTy"),
        ),
        ("spotify:track:6rqhFgbbKwnb9MLmUQDhG6", ("track", "6rqhFgbbKwnb9MLmUQDhG6")),
        ("liked", ("liked", "")),
        ("LIBRARY", ("library", "")),
    ],
)
def test_spotify_links_uris_and_words_name_what_to_download(
    text: str, expected: tuple[str, str]
) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize("text", ["https://example.com/playlist/abc", "spotify:show:abc", ""])
def test_anything_else_is_refused_with_a_plain_message(text: str) -> None:
    with pytest.raises(TargetError, match="Paste a Spotify link"):
        parse_target(text)


def test_the_job_page_offers_its_zip_and_player(client: Client, user: Any) -> None:
    job = JobFactory.create(owner=user)
    client.force_login(user)

    response = client.get(reverse("downloads:job", args=[job.pk]))

    assert reverse("delivery:job_zip", args=[job.pk]) in response.content.decode()
    assert reverse("delivery:job_player", args=[job.pk]) in response.content.decode()


def test_a_selection_posted_as_track_checkboxes_becomes_one_job(
    signed_in: Client, user: Any
) -> None:
    liked = [SavedTrackFactory.create(user=user).track for _ in range(3)]

    response = signed_in.post(
        reverse("downloads:job_new"),
        {"kind": "selection", "track": [t.spotify_id for t in liked], "audio_format": "original"},
    )

    job = Job.objects.get(owner=user)
    assert response.status_code == 302
    assert [item.track for item in job.items.order_by("position")] == liked


def test_a_selection_leaves_out_tracks_from_someone_elses_library(
    signed_in: Client, user: Any, other_user: Any
) -> None:
    mine = SavedTrackFactory.create(user=user).track
    theirs = SavedTrackFactory.create(user=other_user).track

    signed_in.post(
        reverse("downloads:job_new"),
        {"kind": "selection", "track": [mine.spotify_id, theirs.spotify_id], "audio_format": "mp3"},
    )

    job = Job.objects.get(owner=user)
    assert [item.track for item in job.items.all()] == [mine]


@pytest.mark.parametrize(
    ("since", "words"),
    [
        ("0001-01-01T00:00:00Z", "out of range"),
        ("9999-12-31T23:59:59+00:00", "out of range"),
        ("2026-13-45T99:00:00Z", "ISO 8601"),
        ("yesterday", "ISO 8601"),
        ("2026-01-01T00:00:00", "time zone"),
        ("\x00", "ISO 8601"),
    ],
)
def test_a_progress_stream_from_a_bad_moment_is_refused_in_words(
    signed_in: Client, user: Any, since: str, words: str
) -> None:
    job = JobFactory.create(owner=user)

    response = signed_in.get(_urls(job)["job_events"], {"since": since})

    assert response.status_code == 400
    assert words in response.content.decode()
