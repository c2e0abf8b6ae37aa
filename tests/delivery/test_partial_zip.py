"""A ZIP of something not fully downloaded asks first: download the rest, or ZIP what is there."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from django.test import Client

from downloads.models import Job, JobItem
from tests.factories import JobFactory, JobItemFactory, TrackFactory
from tests.support.files import PutFile, playlist_with_files
from tests.support.responses import body

_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


@pytest.fixture
def road_trip(user: Any) -> Any:
    """Ana's playlist "Road Trip": three tracks, two of them on disk."""
    tracks = [TrackFactory.create(name=f"Mile {number}") for number in range(3)]
    on_disk = {track: f"Road/{track.name}.opus" for track in tracks[:2]}
    return playlist_with_files(user, tracks, name="Road Trip", files=on_disk)[0]


def test_a_partly_downloaded_playlist_says_how_much_is_on_disk_before_zipping(
    signed_in: Client, road_trip: Any
) -> None:
    response = signed_in.get(f"/zip/playlists/{road_trip.spotify_id}/")
    page = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "2 of 3 tracks are on disk; download the rest first?" in page
    assert 'action="/downloads/new/"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert f'href="/zip/playlists/{road_trip.spotify_id}/?partial=1"' in page
    assert "ZIP the 2 on disk" in page


def test_download_the_rest_starts_a_job_where_the_tracks_on_disk_are_already_done(
    signed_in: Client, user: Any, road_trip: Any
) -> None:
    page = signed_in.get(f"/zip/playlists/{road_trip.spotify_id}/").content.decode()

    response = signed_in.post("/downloads/new/", dict(_HIDDEN.findall(page)))

    job = Job.objects.get(owner=user)
    assert response.status_code == 302
    assert response["Location"] == f"/downloads/{job.pk}/"
    assert job.target_id == road_trip.spotify_id
    statuses = sorted(job.items.values_list("status", flat=True))
    assert statuses == [JobItem.Status.DONE, JobItem.Status.DONE, JobItem.Status.QUEUED]


def test_zip_what_is_there_streams_the_tracks_on_disk(signed_in: Client, road_trip: Any) -> None:
    response = signed_in.get(f"/zip/playlists/{road_trip.spotify_id}/?partial=1")
    archive = zipfile.ZipFile(io.BytesIO(body(response)))

    assert response["Content-Type"] == "application/zip"
    assert sorted(archive.namelist()) == ["Road Trip.m3u8", "Road/Mile 0.opus", "Road/Mile 1.opus"]


def test_a_fully_downloaded_playlist_streams_its_zip_at_once(
    signed_in: Client, road_trip: Any, put_file: PutFile
) -> None:
    put_file(road_trip.entries.order_by("position").last().track, "Road/Mile 2.opus")

    response = signed_in.get(f"/zip/playlists/{road_trip.spotify_id}/")

    assert response["Content-Type"] == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(body(response))).namelist()) == 4


def test_a_partly_downloaded_jobs_zip_offers_to_retry_the_job(
    signed_in: Client, user: Any, put_file: PutFile
) -> None:
    job = JobFactory.create(finished=True, owner=user, title="Road trip")
    put_file(JobItemFactory.create(done=True, job=job).track, "j/done.opus")
    failed = JobItemFactory.create(job=job, status=JobItem.Status.FAILED)
    job.refresh_counters()

    page = signed_in.get(f"/zip/jobs/{job.pk}/").content.decode()
    signed_in.post(f"/downloads/{job.pk}/retry/")

    assert "1 of 2 tracks are on disk" in page
    assert f'action="/downloads/{job.pk}/retry/"' in page and "Retry 1 failed track<" in page
    assert "/resume/" not in page  # nothing was cancelled
    failed.refresh_from_db()
    assert failed.status == JobItem.Status.QUEUED


def test_a_cancelled_jobs_zip_offers_to_resume_it_and_retry_what_failed(
    signed_in: Client, user: Any, put_file: PutFile
) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.CANCELLED)
    put_file(JobItemFactory.create(done=True, job=job).track, "j/done.opus")
    for status in (JobItem.Status.CANCELLED, JobItem.Status.CANCELLED, JobItem.Status.NO_MATCH):
        JobItemFactory.create(job=job, status=status)
    job.refresh_counters()

    page = signed_in.get(f"/zip/jobs/{job.pk}/").content.decode()
    signed_in.post(f"/downloads/{job.pk}/resume/")

    assert "2 tracks were cancelled and 1 failed or found no match." in page
    assert f'action="/downloads/{job.pk}/resume/"' in page and "Resume 2 cancelled tracks" in page
    assert f'action="/downloads/{job.pk}/retry/"' in page and "Retry 1 failed track<" in page
    assert job.items.filter(status=JobItem.Status.QUEUED).count() == 2
