from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from downloads import playlists, selectors, snapshots
from downloads.models import AudioFormat, Job
from downloads.selectors import DownloadState, JobFilter
from tests.factories import (
    JobFactory,
    JobItemFactory,
    PlaylistEntryFactory,
    SavedTrackFactory,
    TrackFactory,
    UserPlaylistFactory,
)

pytestmark = pytest.mark.django_db


def test_a_person_sees_only_their_own_jobs_filtered_by_state(user: Any, other_user: Any):
    running = JobFactory.create(owner=user, status=Job.Status.RUNNING)
    done = JobFactory.create(owner=user, status=Job.Status.COMPLETED)
    partial = JobFactory.create(owner=user, status=Job.Status.PARTIAL)
    failed = JobFactory.create(owner=user, status=Job.Status.FAILED)
    JobFactory.create(owner=other_user, status=Job.Status.RUNNING)

    def pks(which: JobFilter) -> set[int]:
        return set(selectors.jobs_for(user=user, which=which).values_list("pk", flat=True))

    assert pks(JobFilter.ACTIVE) == {running.pk}
    assert pks(JobFilter.FINISHED) == {done.pk, partial.pk}
    assert pks(JobFilter.FAILED) == {partial.pk, failed.pk}
    assert pks(JobFilter.ALL) == {running.pk, done.pk, partial.pk, failed.pk}


def test_another_persons_job_is_not_found(user: Any, other_user: Any) -> None:
    job = JobFactory.create(owner=other_user)

    with pytest.raises(Job.DoesNotExist):
        selectors.job_for(user=user, job_id=job.pk)


def test_a_job_with_its_items_loads_in_a_fixed_number_of_queries(user: Any) -> None:
    job = JobFactory.create(owner=user)
    JobItemFactory.create_batch(5, job=job)

    with CaptureQueriesContext(connection) as queries:
        names = [item.track.artist_names() for item in selectors.job_items(job=job)]

    assert len(names) == 5 and all(names)
    assert len(queries) == 2  # the items with their tracks and files, then the artists


def test_the_streams_job_state_carries_the_tabs_counts_as_the_page_counts_them(
    user: Any,
) -> None:
    job = JobFactory.create(
        owner=user, status=Job.Status.RUNNING, total=7, done=2, failed=1, no_match=1, cancelled=1
    )

    tabs = snapshots.job_snapshot(job_id=job.pk)["tabs"]  # type: ignore[index]

    assert tabs == {"all": 7, "problems": 2, "active": 2, "done": 2, "cancelled": 1}
    assert tabs == {tab.value: tab.size_in(job) for tab in selectors.ItemFilter}


def test_track_states_come_from_one_query_for_any_number_of_tracks(
    user: Any, other_user: Any, file_on_disk: Any
) -> None:
    queued, running, stored, failed, unmatched, untouched, others = TrackFactory.create_batch(7)
    job = JobFactory.create(owner=user)
    JobItemFactory.create(job=job, track=queued, status="queued")
    JobItemFactory.create(job=job, track=running, status="running", progress=42)
    JobItemFactory.create(job=job, track=failed, status="failed", error="The upload was removed.")
    JobItemFactory.create(job=job, track=unmatched, status="no_match")
    file_on_disk(stored, AudioFormat.MP3)
    JobItemFactory.create(job=JobFactory.create(owner=other_user), track=others, status="running")
    ids = [t.pk for t in (queued, running, stored, failed, unmatched, untouched, others)]

    with CaptureQueriesContext(connection) as queries:
        states = selectors.track_states(user=user, track_ids=ids)

    assert len(queries) == 1
    assert [states[i].state for i in ids] == [
        DownloadState.QUEUED,
        DownloadState.DOWNLOADING,
        DownloadState.DOWNLOADED,
        DownloadState.FAILED,
        DownloadState.NO_MATCH,
        DownloadState.NOT_DOWNLOADED,
        DownloadState.NOT_DOWNLOADED,
    ]
    assert states[running.pk].label == "Downloading 42%"
    assert states[stored.pk].label == "Downloaded · MP3"
    assert states[failed.pk].label == "Failed"  # the words come with the badge's note
    assert states[failed.pk].reason == "The upload was removed."


def test_a_playlist_target_lists_its_tracks_in_playlist_order(user: Any) -> None:
    membership = UserPlaylistFactory.create(user=user)
    second = PlaylistEntryFactory.create(playlist=membership.playlist, position=2)
    first = PlaylistEntryFactory.create(playlist=membership.playlist, position=1)

    target = selectors.target_tracks(
        user=user, kind=Job.Kind.PLAYLIST, target_id=membership.playlist.spotify_id
    )

    assert target.title == membership.playlist.name
    assert target.tracks == [first.track, second.track]


def test_a_playlist_not_in_the_persons_library_cannot_be_downloaded(other_user: Any, user: Any):
    membership = UserPlaylistFactory.create(user=other_user)
    PlaylistEntryFactory.create(playlist=membership.playlist)

    with pytest.raises(selectors.TargetNotFound):
        selectors.target_tracks(
            user=user, kind=Job.Kind.PLAYLIST, target_id=membership.playlist.spotify_id
        )


def test_liked_songs_are_listed_newest_first(user: Any) -> None:
    from datetime import UTC, datetime

    old = SavedTrackFactory.create(user=user, added_at=datetime(2020, 1, 1, tzinfo=UTC))
    new = SavedTrackFactory.create(user=user, added_at=datetime(2024, 1, 1, tzinfo=UTC))

    target = selectors.target_tracks(user=user, kind=Job.Kind.LIKED, target_id="")

    assert (target.title, target.tracks) == ("Liked Songs", [new.track, old.track])


def test_the_playlist_file_follows_the_playlist_order_and_skips_missing_files(
    user: Any, file_on_disk: Any, settings: Any
) -> None:
    membership = UserPlaylistFactory.create(user=user)
    entries = [
        PlaylistEntryFactory.create(playlist=membership.playlist, position=p) for p in (3, 1, 2)
    ]
    for entry in entries[:2]:
        file_on_disk(entry.track)
    job = JobFactory.create(
        owner=user,
        kind=Job.Kind.PLAYLIST,
        target_id=membership.playlist.spotify_id,
        title="Road / Trip",
    )

    path = playlists.playlist_file_write(job=job)

    assert path == settings.MUSIC_ROOT / "Playlists" / "ana" / "Road _ Trip.m3u8"
    lines = path.read_text().splitlines()
    listed = [line for line in lines if not line.startswith("#")]
    expected = [entries[1].track, entries[0].track]
    assert listed == [f"../../{t.stored_files.get().path}" for t in expected]
    assert lines[1].endswith(f" - {expected[0].name}")
