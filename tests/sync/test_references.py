"""What keeps a dropped track's file on disk: anything of anyone that still references it."""

from __future__ import annotations

from typing import Any

import pytest

from downloads.models import Job, SubscriptionTrack
from downloads.sync.selectors import tracks_still_used, tracks_to_download
from tests.factories import (
    JobFactory,
    JobItemFactory,
    PlaylistEntryFactory,
    SavedAlbumFactory,
    SavedTrackFactory,
    SubscriptionFactory,
    SyncRunFactory,
    TrackFactory,
    TrackPinFactory,
    UserPlaylistFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription() -> Any:
    return SubscriptionFactory.create()


def test_a_track_nothing_references_is_not_in_use(subscription: Any) -> None:
    track = TrackFactory.create()
    SubscriptionTrack.objects.create(subscription=subscription, track=track)  # its own: ignored

    assert tracks_still_used(track_ids=[track.pk], besides=subscription) == set()


def test_a_playlist_in_someones_library_a_like_and_a_saved_album_each_keep_a_track(
    subscription: Any,
) -> None:
    in_playlist, liked, on_album, followed_only = TrackFactory.create_batch(4)
    entry = PlaylistEntryFactory.create(track=in_playlist)
    UserPlaylistFactory.create(playlist=entry.playlist)
    PlaylistEntryFactory.create(track=followed_only)  # a playlist in nobody's library
    SavedTrackFactory.create(track=liked)
    SavedAlbumFactory.create(album=on_album.album)

    used = tracks_still_used(
        track_ids=[in_playlist.pk, liked.pk, on_album.pk, followed_only.pk], besides=subscription
    )

    assert used == {in_playlist.pk, liked.pk, on_album.pk}


def test_another_subscription_and_a_download_picked_by_name_keep_a_track(subscription: Any):
    subscribed, picked, copied = TrackFactory.create_batch(3)
    SubscriptionTrack.objects.create(subscription=SubscriptionFactory.create(), track=subscribed)
    JobItemFactory.create(
        job=JobFactory.create(kind=Job.Kind.TRACK, status="completed"), track=picked
    )
    # A finished playlist download only copied its playlist: the playlist is the reference.
    JobItemFactory.create(
        job=JobFactory.create(kind=Job.Kind.PLAYLIST, status="completed"), track=copied
    )

    used = tracks_still_used(track_ids=[subscribed.pk, picked.pk, copied.pk], besides=subscription)

    assert used == {subscribed.pk, picked.pk}


def test_a_waiting_or_running_job_keeps_a_track_but_a_finished_sync_job_does_not(
    subscription: Any,
) -> None:
    waiting, synced = TrackFactory.create_batch(2)
    JobItemFactory.create(
        job=JobFactory.create(kind=Job.Kind.PLAYLIST, status="running"), track=waiting
    )
    sync_job = JobFactory.create(kind=Job.Kind.SELECTION, status="completed")
    SyncRunFactory.create(subscription=subscription, job=sync_job)
    JobItemFactory.create(job=sync_job, track=synced)

    assert tracks_still_used(track_ids=[waiting.pk, synced.pk], besides=subscription) == {
        waiting.pk
    }


def test_a_sync_fetches_what_is_missing_not_what_is_stored_running_or_hopeless(
    subscription: Any, file_on_disk: Any
) -> None:
    missing, stored, running, hopeless, pinned, failed = TrackFactory.create_batch(6)
    file_on_disk(stored)
    mine = JobFactory.create(owner=subscription.owner, status="running")
    JobItemFactory.create(job=mine, track=running, status="queued")
    JobItemFactory.create(job=mine, track=hopeless, status="no_match")
    JobItemFactory.create(job=mine, track=pinned, status="no_match")
    JobItemFactory.create(job=mine, track=failed, status="failed")
    TrackPinFactory.create(track=pinned)
    order = [missing, stored, running, hopeless, pinned, failed, missing]

    wanted = tracks_to_download(subscription=subscription, track_ids=[t.pk for t in order])

    assert wanted.track_ids == [missing.pk, pinned.pk, failed.pk]
    assert (wanted.in_flight, wanted.no_match) == (1, 1)
