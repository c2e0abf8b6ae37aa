"""What a sync costs: an unchanged playlist is one metadata request and no item requests."""

from __future__ import annotations

from typing import Any

import pytest

from downloads.models import Subscription, SyncRun
from downloads.sync import services
from sandbox import Sandbox
from tests.sync.world import album_track_ids, playlist_id, playlist_track_ids, subscribe

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ITEMS = "GET /v1/playlists/{id}/items"
PLAYLIST = "GET /v1/playlists/{id}"
PLAYLISTS = ("Chill / Study \\ Mix ..", "Northern Highways", "Road Trip 🚗 (with Ana)")


def _sync_all(subscriptions: list[Subscription]) -> list[SyncRun]:
    return [
        services.subscription_sync(subscription=s, enqueue_downloads=False) for s in subscriptions
    ]


def test_syncing_an_unchanged_library_makes_no_playlist_item_requests(
    sb: Sandbox, reader: Any
) -> None:
    ana = reader("ana")
    subscriptions = [
        subscribe(ana, Subscription.Source.PLAYLIST, playlist_id(sb, "ana", name))
        for name in PLAYLISTS
    ]
    subscriptions += [
        subscribe(ana, Subscription.Source.LIKED),
        subscribe(ana, Subscription.Source.ALBUMS),
    ]
    _sync_all(subscriptions)
    sb.reset_counters()

    runs = _sync_all(subscriptions)

    assert [run.status for run in runs] == [SyncRun.Status.SUCCEEDED] * 5
    assert sb.requests[ITEMS] == 0
    assert sb.requests[PLAYLIST] == len(PLAYLISTS)
    assert [run.unchanged for run in runs[:3]] == [True, True, True]
    for run in runs:
        assert run.added == run.removed == 0, run.summary
        assert run.job is None
    kept = len(set(playlist_track_ids(sb, "ana", PLAYLISTS[0])))
    assert runs[0].summary == (
        f"added 0, removed 0, kept {kept}; playlist unchanged on Spotify; "
        f"{kept} tracks still being downloaded"
    )


def test_the_first_sync_after_a_library_refresh_reads_no_items_either(
    sb: Sandbox, reader: Any
) -> None:
    ana = reader("ana")
    pid = playlist_id(sb, "ana", PLAYLISTS[0])
    sb.reset_counters()

    run = services.subscription_sync(
        subscription=subscribe(ana, Subscription.Source.PLAYLIST, pid), enqueue_downloads=False
    )

    assert sb.requests[ITEMS] == 0
    assert run.job is not None and run.added == run.job.total == 12


def test_only_the_playlist_that_changed_has_its_items_read_again(sb: Sandbox, reader: Any) -> None:
    ana = reader("ana")
    chill, north = (playlist_id(sb, "ana", name) for name in PLAYLISTS[:2])
    subscriptions = [subscribe(ana, Subscription.Source.PLAYLIST, pid) for pid in (chill, north)]
    _sync_all(subscriptions)
    newcomer = playlist_track_ids(sb, "ana", "Everything Weird 🧪")[0]
    sb.playlist_add(north, [newcomer])
    sb.reset_counters()

    unchanged, changed = _sync_all(subscriptions)

    assert sb.requests[ITEMS] == 1
    assert (unchanged.unchanged, changed.unchanged) == (True, False)
    assert changed.added == 1
    assert changed.summary.startswith("added 1, removed 0, kept 12;")


def test_liked_songs_and_saved_albums_are_synced_as_whole_lists(sb: Sandbox, reader: Any) -> None:
    ana = reader("ana")
    library = sb.user_library("ana")
    liked = set(library["liked"])
    album_tracks = {t for a in library["albums"] for t in album_track_ids(sb, a)}
    both = liked & album_tracks
    assert both, "the tiny world's Ana likes some tracks of her saved albums"
    albums = subscribe(ana, Subscription.Source.ALBUMS)
    liked_songs = subscribe(ana, Subscription.Source.LIKED)

    albums_run, liked_run = _sync_all([albums, liked_songs])

    assert albums_run.added == len(album_tracks)
    assert albums_run.job is not None and albums_run.job.title == "Saved albums"
    assert albums_run.job.total == len(album_tracks)
    # The tracks the albums' job is fetching are not fetched twice.
    assert liked_run.added == len(liked)
    assert liked_run.job is not None and liked_run.job.kind == "liked"
    assert liked_run.job.total == len(liked - both)
    assert liked_run.summary == (
        f"added {len(liked)}, removed 0, kept 0; downloading {len(liked - both)} tracks "
        f"(job #{liked_run.job.pk}); {len(both)} tracks still being downloaded"
    )
    # The next syncs find the same lists, and nothing new to fetch while the jobs wait.
    albums_again, liked_again = _sync_all([albums, liked_songs])
    assert (albums_again.kept, albums_again.added, albums_again.job) == (len(album_tracks), 0, None)
    assert (liked_again.kept, liked_again.added, liked_again.job) == (len(liked), 0, None)
