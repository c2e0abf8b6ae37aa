"""A track's .lrc lyrics live and leave with its audio file when syncs prune it."""

from __future__ import annotations

from typing import Any

import pytest

from downloads.models import Subscription
from downloads.pipeline.lyrics import lrc_path
from sandbox import Sandbox
from tests.sync.world import fresh_tracks, playlist_id, subscribe, sync_and_download

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
EMPTY = "Empty (for now)"  # Ana's own playlist, empty in the sandbox's seed


def test_a_pruned_track_takes_its_lrc_along_and_the_kept_one_keeps_its_own(
    sb: Sandbox, reader: Any, settings: Any
) -> None:
    settings.LRCLIB_URL = sb.lrclib_url
    ana = reader("ana")
    pid = playlist_id(sb, "ana", EMPTY)
    kept, dropped = fresh_tracks(sb, 2)
    for track_id in (kept, dropped):
        sb.set_lyrics_kind(track_id, "synced")
    sb.playlist_add(pid, [kept, dropped])
    subscription = subscribe(ana, Subscription.Source.PLAYLIST, pid)
    first = sync_and_download(subscription)
    assert first.job is not None
    audio = {
        item.track.spotify_id: item.stored_file.absolute_path
        for item in first.job.items.select_related("track", "stored_file")
        if item.stored_file is not None
    }
    assert all(lrc_path(path).is_file() for path in audio.values())

    sb.playlist_remove(pid, [dropped])
    second = sync_and_download(subscription)

    assert second.run.removed == 1
    assert not audio[dropped].exists() and not lrc_path(audio[dropped]).exists()
    assert audio[kept].is_file() and lrc_path(audio[kept]).is_file()
