"""Files are shared by everyone: pruning a track for one person keeps it while anyone uses it."""

from __future__ import annotations

from typing import Any

import pytest

from downloads import services as download_services
from downloads.models import Job, Subscription, SyncRun
from sandbox import Sandbox
from tests.sync.world import (
    audio_on_disk,
    file_of,
    files,
    fresh_tracks,
    m3u8_lines,
    playlist_id,
    playlist_track_ids,
    subscribe,
    sync_and_download,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_two_users_share_a_track_and_pruning_it_for_one_keeps_the_file_for_the_other(
    sb: Sandbox, reader: Any
) -> None:
    ana_pid = playlist_id(sb, "ana", "Empty (for now)")
    ben_pid = playlist_id(sb, "ben", "Deep Mix")
    sb.playlist_remove(ben_pid, playlist_track_ids(sb, "ben", "Deep Mix"))
    shared, only_ana = fresh_tracks(sb, 2)
    sb.playlist_add(ana_pid, [shared, only_ana])
    sb.playlist_add(ben_pid, [shared])
    ana, ben = reader("ana"), reader("ben")
    ana_sub = subscribe(ana, Subscription.Source.PLAYLIST, ana_pid)
    ben_sub = subscribe(ben, Subscription.Source.PLAYLIST, ben_pid)
    sync_and_download(ana_sub)
    for_ben = sync_and_download(ben_sub)
    shared_file = files([shared])[0]
    # Ben's sync found the file Ana's download stored: nothing fetched twice.
    assert (for_ben.job, for_ben.run.summary) == (None, "added 1, removed 0, kept 0")
    assert m3u8_lines("Deep Mix") == [shared_file]

    sb.playlist_remove(ana_pid, [shared])
    for_ana = sync_and_download(ana_sub)

    assert for_ana.run.summary == (
        "added 0, removed 1, kept 1; 1 file kept: still in someone's playlists, likes, albums "
        "or downloads"
    )
    assert shared_file.is_file()
    assert m3u8_lines("Empty (for now)") == files([only_ana])
    assert m3u8_lines("Deep Mix") == [shared_file]

    sb.playlist_remove(ben_pid, [shared])
    last = sync_and_download(ben_sub)

    assert last.run.summary == "added 0, removed 1, kept 0; 1 file deleted"
    assert not shared_file.exists()
    assert file_of(shared) is None
    assert m3u8_lines("Deep Mix") == []
    assert audio_on_disk() == set(files([only_ana]))


def test_a_track_someone_downloaded_by_name_is_kept_when_a_playlist_drops_it(
    sb: Sandbox, reader: Any
) -> None:
    ana_pid = playlist_id(sb, "ana", "Empty (for now)")
    (track,) = fresh_tracks(sb, 1)
    sb.playlist_add(ana_pid, [track])
    ana, ben = reader("ana"), reader("ben")
    subscription = subscribe(ana, Subscription.Source.PLAYLIST, ana_pid)
    sync_and_download(subscription)
    # Ben asked for this very track by its link: his download references the shared file.
    download_services.job_start(
        owner=ben, kind=Job.Kind.TRACK, target_id=track, audio_format="original"
    )

    sb.playlist_remove(ana_pid, [track])
    synced = sync_and_download(subscription)

    assert synced.run.status == SyncRun.Status.SUCCEEDED
    assert synced.run.files_deleted == 0
    assert files([track])[0].is_file()
