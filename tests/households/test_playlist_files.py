"""Playlist files per person: Playlists/<person>/<name>.m3u8, moved on rename, removed on
unsubscribe, and never mixed with music."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from downloads import playlists, services
from downloads.models import Job, Subscription
from downloads.pipeline import store
from downloads.pipeline.metadata import TrackTags
from downloads.sync import services as sync_services
from tests.factories import (
    JobFactory,
    PlaylistFactory,
    SavedTrackFactory,
    SpotifyAccountFactory,
    SubscriptionFactory,
    TrackFactory,
    UserFactory,
    UserPlaylistFactory,
)

pytestmark = [pytest.mark.django_db]


def playlists_root() -> Path:
    return Path(settings.MUSIC_ROOT) / "Playlists"


def listed(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if not line.startswith("#")]


def liked_job_finished(person: Any, file_on_disk: Any) -> Job:
    track = TrackFactory.create()
    SavedTrackFactory.create(user=person, track=track)
    file_on_disk(track)
    job = JobFactory.create(owner=person, kind=Job.Kind.LIKED, title="Liked Songs")
    services.job_after_finish(job=job)
    return job


def test_two_peoples_liked_songs_are_two_files(
    user: Any, other_user: Any, file_on_disk: Any
) -> None:
    liked_job_finished(user, file_on_disk)
    liked_job_finished(other_user, file_on_disk)

    ana, bo = (
        playlists_root() / "ana" / "Liked Songs.m3u8",
        playlists_root() / "bo" / "Liked Songs.m3u8",
    )
    assert ana.is_file() and bo.is_file()
    assert len(listed(ana)) == len(listed(bo)) == 1
    assert listed(ana) != listed(bo)
    assert not (playlists_root() / "Liked Songs.m3u8").exists()


def test_a_file_from_before_person_folders_moves_on_the_next_write(
    user: Any, file_on_disk: Any
) -> None:
    old = playlists_root() / "Liked Songs.m3u8"
    old.parent.mkdir(parents=True)
    old.write_text("#EXTM3U\n")

    liked_job_finished(user, file_on_disk)

    assert not old.exists()
    assert (playlists_root() / "ana" / "Liked Songs.m3u8").is_file()


def test_people_with_the_same_display_name_get_folders_of_their_own(file_on_disk: Any) -> None:
    first, second = UserFactory.create(), UserFactory.create()
    for person in (first, second):
        SpotifyAccountFactory.create(user=person, display_name="Sam")
        liked_job_finished(person, file_on_disk)

    folders = sorted(p.name for p in playlists_root().iterdir())
    assert len(folders) == 2 and "Sam" in folders[0] + folders[1]
    assert len(set(folders)) == 2


def test_a_renamed_playlist_moves_its_file_and_an_unsubscribed_one_removes_it(
    user: Any,
) -> None:
    subscription = SubscriptionFactory.create(
        owner=user, source=Subscription.Source.PLAYLIST, title="Road Trip"
    )
    first = playlists.playlist_file_sync(subscription=subscription)
    assert first == playlists_root() / "ana" / "Road Trip.m3u8" and first.is_file()

    subscription.title = "Night Drive"
    subscription.save()
    moved = playlists.playlist_file_sync(subscription=subscription)

    assert moved == playlists_root() / "ana" / "Night Drive.m3u8" and moved.is_file()
    assert not first.exists()

    sync_services.subscription_delete(subscription=subscription)
    assert not moved.exists()


@pytest.mark.parametrize(
    ("template", "tags"),
    [
        ("{album}/{title}.{ext}", {"album": "Playlists"}),
        (store.DEFAULT_TEMPLATE, {"album_artists": ("playlists",)}),
    ],
)
def test_music_named_playlists_is_stored_outside_the_playlists_folder(
    template: str, tags: dict[str, Any], tmp_path: Path
) -> None:
    fields = {"title": "Song", "artists": ("Someone",), "album": "Album", **tags}
    planned = store.render_path(template, store.PathFields.from_tags(TrackTags(**fields), "opus"))
    source = tmp_path / "incoming.opus"
    source.write_bytes(b"audio")

    final = store.store_file(source, planned, track_id="track0000000000000001")

    root = Path(settings.MUSIC_ROOT).resolve()
    assert final.is_file()
    assert final.relative_to(root).parts[0].casefold() != "playlists"


def test_the_file_of_a_playlist_gone_from_the_library_goes_on_the_next_write(
    user: Any, file_on_disk: Any
) -> None:
    membership = UserPlaylistFactory.create(user=user, playlist=PlaylistFactory.create(name="Old"))
    job = JobFactory.create(
        owner=user, kind=Job.Kind.PLAYLIST, target_id=membership.playlist.spotify_id, title="Old"
    )
    services.job_after_finish(job=job)
    old = playlists_root() / "ana" / "Old.m3u8"
    assert old.is_file()

    membership.delete()
    liked_job_finished(user, file_on_disk)

    assert not old.exists()
    assert (playlists_root() / "ana" / "Liked Songs.m3u8").is_file()
