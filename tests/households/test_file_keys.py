"""A file is keyed by (track, format, upload): a new name for the same upload replaces its old
file only when nothing else refers to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from downloads.models import AudioFormat, JobItem, StoredFile
from downloads.pipeline import store
from downloads.pipeline.fetch.stage import FetchedAudio
from downloads.pipeline.types import Candidate
from downloads.worker import records
from tests.factories import JobFactory, JobItemFactory, StoredFileFactory, TrackFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


def on_disk(relative: str) -> Path:
    path = Path(settings.MUSIC_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"audio")
    return path


def record(owner: Any, track: Any, final: Path, upload: str) -> StoredFile:
    """What the worker records after storing `final` for a claimed item of the owner's."""
    item = JobItemFactory.create(
        job=JobFactory.create(owner=owner), track=track, status=JobItem.Status.QUEUED
    )
    work = records.item_claim(item.pk)
    assert work is not None
    fetched = FetchedAudio(final, final.suffix[1:], "opus", "opus", converted=False)
    candidate = Candidate(
        id=upload, title="", channel="", duration=None, views=None, kind="song", url=""
    )
    records.stored_file_record(work, AudioFormat.ORIGINAL, final, fetched, 1.0, candidate, None)
    return StoredFile.objects.get(items=item)


def test_a_new_extension_for_the_same_upload_removes_the_old_file(user: Any) -> None:
    track = TrackFactory.create()
    old = on_disk("A/B/01 Song.m4a")
    StoredFileFactory.create(
        track=track, audio_format=AudioFormat.ORIGINAL, source_id="up1", path="A/B/01 Song.m4a"
    )

    stored = record(user, track, on_disk("A/B/01 Song.opus"), "up1")

    assert stored.path == "A/B/01 Song.opus"
    assert StoredFile.objects.filter(track=track).count() == 1
    assert not old.exists()


def test_another_upload_gets_a_row_of_its_own_and_the_first_file_stays(
    user: Any, other_user: Any
) -> None:
    track = TrackFactory.create()
    first_path = on_disk("A/B/01 Song.opus")
    first = StoredFileFactory.create(
        track=track, audio_format=AudioFormat.ORIGINAL, source_id="up1", path="A/B/01 Song.opus"
    )

    second = record(other_user, track, on_disk("A/B/01 Song [up2].opus"), "up2")

    assert second.pk != first.pk
    assert StoredFile.objects.get(pk=first.pk).path == "A/B/01 Song.opus"
    assert first_path.is_file()


def test_the_store_tells_a_second_upload_apart_by_its_video_id_and_keeps_the_first(
    tmp_path: Path,
) -> None:
    planned = store.PlannedPath(directories=("A", "B"), stem="01 Song", ext="opus")
    first_source, second_source = tmp_path / "one.opus", tmp_path / "two.opus"
    first_source.write_bytes(b"first")
    second_source.write_bytes(b"second")
    track_id = "track0000000000000001"

    def same_track(path: Path) -> str:
        return track_id

    first = store.store_file(
        first_source, planned, track_id=track_id, upload_id="up1", owner_of=same_track
    )
    second = store.store_file(
        second_source,
        planned,
        track_id=track_id,
        upload_id="up/2",
        held=frozenset({"A/B/01 Song.opus"}),
        owner_of=same_track,
    )

    assert (first.name, second.name) == ("01 Song.opus", "01 Song [up_2].opus")
    assert first.read_bytes() == b"first"
