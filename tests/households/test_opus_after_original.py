"""Original that turned out Opus and Opus are one file: no second download, no clobbering."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from downloads.matches import services
from downloads.models import AudioFormat, JobItem, StoredFile
from sandbox import Sandbox
from tests.matches.flow import download, downloadable_track, other_candidate, run

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_an_opus_download_after_an_opus_original_completes_with_the_same_file(
    media_sandbox: Sandbox, user: Any, other_user: Any
) -> None:
    _, track = downloadable_track(media_sandbox)
    original = download(user, track, AudioFormat.ORIGINAL).items.get()
    assert original.status == JobItem.Status.DONE, original.error
    stored = StoredFile.objects.get(items=original)
    assert stored.codec == "opus"
    before = hashlib.sha256(stored.absolute_path.read_bytes()).hexdigest()

    for person in (user, other_user):
        opus = download(person, track, AudioFormat.OPUS)
        item = opus.items.get()
        assert opus.status == "completed", item.error
        assert (item.stored_file_id, item.match_reason) == (stored.pk, "Already downloaded")

    assert StoredFile.objects.filter(track=track).count() == 1
    assert hashlib.sha256(stored.absolute_path.read_bytes()).hexdigest() == before


def test_an_original_download_after_an_opus_one_uses_the_opus_file(
    media_sandbox: Sandbox, user: Any
) -> None:
    _, track = downloadable_track(media_sandbox)
    opus = download(user, track, AudioFormat.OPUS).items.get()
    assert opus.status == JobItem.Status.DONE, opus.error

    original = download(user, track, AudioFormat.ORIGINAL).items.get()

    assert original.status == JobItem.Status.DONE, original.error
    assert original.stored_file_id == opus.stored_file_id
    assert StoredFile.objects.filter(track=track).count() == 1


def test_an_opus_download_of_another_upload_lands_beside_the_opus_original(
    media_sandbox: Sandbox, user: Any, other_user: Any
) -> None:
    _, track = downloadable_track(media_sandbox)
    original = download(user, track, AudioFormat.ORIGINAL).items.get()
    assert original.status == JobItem.Status.DONE, original.error
    stored = StoredFile.objects.get(items=original)
    before = hashlib.sha256(stored.absolute_path.read_bytes()).hexdigest()
    chosen = other_candidate(original)

    override = services.track_override(
        track=track,
        url_or_candidate=f"https://youtu.be/{chosen}",
        user=other_user,
        audio_format=AudioFormat.OPUS,
    )
    item = run(override.job).items.get()

    assert item.status == JobItem.Status.DONE, item.error
    theirs = StoredFile.objects.get(items=item)
    assert (theirs.audio_format, theirs.source_id) == (AudioFormat.OPUS, chosen)
    assert theirs.path != stored.path
    assert hashlib.sha256(stored.absolute_path.read_bytes()).hexdigest() == before
