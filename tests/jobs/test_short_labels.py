"""Lists and headings name a format shortly ("Downloaded · Opus"); the long description is for
where a format is chosen."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from downloads import selectors
from downloads.models import AudioFormat, Job
from tests.factories import JobFactory, StoredFileFactory, TrackFactory

pytestmark = pytest.mark.django_db

LONG = str(AudioFormat.ORIGINAL.label)


@pytest.mark.parametrize(
    ("audio_format", "codec", "label"),
    [("original", "opus", "Opus"), ("original", "aac", "AAC"), ("mp3", "mp3", "MP3")],
)
def test_a_downloaded_track_is_labelled_by_what_its_file_holds(
    user: Any, audio_format: str, codec: str, label: str
) -> None:
    track = TrackFactory.create()
    StoredFileFactory.create(track=track, audio_format=audio_format, codec=codec)

    state = selectors.track_states(user=user, track_ids=[track.pk])[track.pk]

    assert state.label == f"Downloaded · {label}"


def test_job_pages_name_the_format_shortly_and_the_form_describes_it(
    client: Client, user: Any
) -> None:
    job = JobFactory.create(owner=user, status=Job.Status.COMPLETED, title="Road Test")
    client.force_login(user)

    detail = client.get(reverse("downloads:job", args=[job.pk])).content.decode()
    listed = client.get(reverse("downloads:jobs")).content.decode()
    form = client.get(reverse("downloads:job_new")).content.decode()

    assert "· Original ·" in detail and LONG not in detail
    assert "· Original</span>" in listed and LONG not in listed
    assert LONG in form
