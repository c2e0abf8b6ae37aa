"""A subscribed playlist over real HTTP and the real pipeline: adds, removals, reorders, the same
track twice; the files, the .m3u8 and the summary after every sync."""

from __future__ import annotations

from typing import Any

import pytest

from downloads.models import DownloadSettings, Job, Subscription, SyncRun
from sandbox import Sandbox
from tests.sync.world import (
    audio_on_disk,
    file_of,
    files,
    fresh_tracks,
    m3u8_lines,
    playlist_id,
    subscribe,
    sync_and_download,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

EMPTY = "Empty (for now)"  # Ana's own playlist, empty in the sandbox's seed


def test_a_playlist_sync_downloads_added_tracks_and_lists_them_in_order(
    sb: Sandbox, reader: Any
) -> None:
    ana = reader("ana")
    pid = playlist_id(sb, "ana", EMPTY)
    a, b, c = fresh_tracks(sb, 3)
    sb.playlist_add(pid, [a, b, c])
    subscription = subscribe(ana, Subscription.Source.PLAYLIST, pid)

    synced = sync_and_download(subscription)

    assert synced.run.status == SyncRun.Status.SUCCEEDED, synced.run.error
    assert synced.job is not None and synced.job.kind == Job.Kind.PLAYLIST
    assert (synced.job.status, synced.job.done) == (Job.Status.COMPLETED, 3)
    assert (
        synced.run.summary
        == f"added 3, removed 0, kept 0; downloading 3 tracks (job #{synced.job.pk})"
    )
    assert m3u8_lines(EMPTY) == files([a, b, c])
    assert audio_on_disk() == set(files([a, b, c]))


def test_each_sync_follows_reorders_duplicates_additions_and_removals(
    sb: Sandbox, reader: Any
) -> None:
    ana = reader("ana")
    pid = playlist_id(sb, "ana", EMPTY)
    a, b, c, d = fresh_tracks(sb, 4)
    sb.playlist_add(pid, [a, b, c])
    subscription = subscribe(ana, Subscription.Source.PLAYLIST, pid)
    sync_and_download(subscription)

    # Moved: the last track to the front. Nothing to fetch, the list follows.
    sb.playlist_move(pid, 2, 0)
    moved = sync_and_download(subscription)
    assert moved.job is None
    assert moved.run.summary == "added 0, removed 0, kept 3; order changed"
    assert m3u8_lines(EMPTY) == files([c, a, b])

    # The same track twice, and a new one: one download, the duplicate listed twice.
    sb.playlist_add(pid, [a, d])
    grown = sync_and_download(subscription)
    assert grown.job is not None and grown.job.total == 1
    assert (
        grown.run.summary
        == f"added 1, removed 0, kept 3; downloading 1 track (job #{grown.job.pk})"
    )
    assert m3u8_lines(EMPTY) == files([c, a, b, a, d])

    # Removed: every copy of b leaves the list, and its file goes (nothing else uses it).
    b_file = file_of(b)
    sb.playlist_remove(pid, [b])
    shrunk = sync_and_download(subscription)
    assert shrunk.job is None
    assert shrunk.run.summary == "added 0, removed 1, kept 3; 1 file deleted"
    assert shrunk.run.files_deleted == 1
    assert b_file is not None and not b_file.exists()
    assert file_of(b) is None
    assert m3u8_lines(EMPTY) == files([c, a, a, d])
    assert audio_on_disk() == set(files([a, c, d]))

    # Both copies of a removed at once: removed once, deleted once.
    sb.playlist_remove(pid, [a])
    again = sync_and_download(subscription)
    assert again.run.summary == "added 0, removed 1, kept 2; 1 file deleted"
    assert m3u8_lines(EMPTY) == files([c, d])
    assert audio_on_disk() == set(files([c, d]))


def test_an_emptied_playlist_leaves_an_empty_playlist_file_and_no_files(
    sb: Sandbox, reader: Any
) -> None:
    ana = reader("ana")
    pid = playlist_id(sb, "ana", EMPTY)
    a, b = fresh_tracks(sb, 2)
    sb.playlist_add(pid, [a, b])
    subscription = subscribe(ana, Subscription.Source.PLAYLIST, pid)
    sync_and_download(subscription)

    sb.playlist_remove(pid, [a, b])
    synced = sync_and_download(subscription)

    assert synced.run.summary == "added 0, removed 2, kept 0; 2 files deleted"
    assert m3u8_lines(EMPTY) == []
    assert audio_on_disk() == set()


def test_with_deleting_turned_off_a_dropped_track_keeps_its_file_but_leaves_the_list(
    sb: Sandbox, reader: Any
) -> None:
    config = DownloadSettings.load()
    config.sync_prune_files = False
    config.save()
    ana = reader("ana")
    pid = playlist_id(sb, "ana", EMPTY)
    a, b = fresh_tracks(sb, 2)
    sb.playlist_add(pid, [a, b])
    subscription = subscribe(ana, Subscription.Source.PLAYLIST, pid)
    sync_and_download(subscription)
    kept = files([a])[0]

    sb.playlist_remove(pid, [a])
    synced = sync_and_download(subscription)

    assert synced.run.summary == (
        "added 0, removed 1, kept 1; 1 file kept: deleting files is turned off"
    )
    assert kept.is_file()
    assert m3u8_lines(EMPTY) == files([b])
