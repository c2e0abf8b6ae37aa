"""Spotify's answer about a playlist may leave out its `items` (and so its size): a sync then
reads the first page of items instead of believing the playlist empty."""

from __future__ import annotations

from typing import Any

import pytest

from downloads.models import Subscription, SyncRun
from library.models import Playlist
from sandbox import Sandbox
from tests.sync.world import (
    audio_on_disk,
    files,
    fresh_tracks,
    m3u8_lines,
    playlist_id,
    subscribe,
    sync_and_download,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

EMPTY = "Empty (for now)"  # Ana's own playlist, empty in the sandbox's seed


def test_a_playlist_answer_without_its_items_never_empties_the_playlist(
    sb: Sandbox, reader: Any
) -> None:
    ana = reader("ana")
    pid = playlist_id(sb, "ana", EMPTY)
    a, b, c = fresh_tracks(sb, 3)
    sb.playlist_add(pid, [a, b])
    subscription = subscribe(ana, Subscription.Source.PLAYLIST, pid)
    sync_and_download(subscription)

    sb.knobs.playlist_omits_items = True
    sb.playlist_add(pid, [c])  # a new snapshot: the sync has to read the items again
    synced = sync_and_download(subscription)

    assert synced.run.status == SyncRun.Status.SUCCEEDED, synced.run.error
    assert synced.run.summary.startswith("added 1, removed 0, kept 2")
    assert m3u8_lines(EMPTY) == files([a, b, c])
    assert audio_on_disk() == set(files([a, b, c]))
    assert Playlist.objects.get(spotify_id=pid).items_total == 3  # counted from what was read


def test_a_playlist_emptied_for_real_is_emptied_after_reading_its_empty_first_page(
    sb: Sandbox, reader: Any
) -> None:
    ana = reader("ana")
    pid = playlist_id(sb, "ana", EMPTY)
    a, b = fresh_tracks(sb, 2)
    sb.playlist_add(pid, [a, b])
    subscription = subscribe(ana, Subscription.Source.PLAYLIST, pid)
    sync_and_download(subscription)

    sb.knobs.playlist_omits_items = True
    sb.playlist_remove(pid, [a, b])
    sb.requests.clear()
    synced = sync_and_download(subscription)

    assert synced.run.status == SyncRun.Status.SUCCEEDED, synced.run.error
    assert sb.requests["GET /v1/playlists/{id}/items"] == 1
    assert m3u8_lines(EMPTY) == []
