"""When a sync cannot read Spotify, it says why in plain words and changes nothing on disk."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from downloads.models import Subscription, SyncRun
from downloads.sync import services
from downloads.sync.reading import NOT_IN_LIBRARY
from library.models import SpotifyAccount, UserPlaylist
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

EMPTY = "Empty (for now)"


def _synced_playlist(sb: Sandbox, reader: Any, **kwargs: Any) -> tuple[Subscription, list[str]]:
    ana = reader("ana")
    pid = playlist_id(sb, "ana", EMPTY)
    tracks = fresh_tracks(sb, 2)
    sb.playlist_add(pid, tracks)
    subscription = subscribe(ana, Subscription.Source.PLAYLIST, pid, **kwargs)
    sync_and_download(subscription)
    return subscription, tracks


def test_a_used_up_quota_fails_the_sync_and_moves_the_schedule_past_it(
    sb: Sandbox, reader: Any
) -> None:
    subscription, tracks = _synced_playlist(sb, reader, schedule="hourly")
    sb.playlist_remove(subscription.target_id, tracks[:1])
    sb.knobs.fail_next(1, "quota")

    run = services.subscription_sync(subscription=subscription, enqueue_downloads=False)

    assert run.status == SyncRun.Status.FAILED
    assert run.summary.startswith("Spotify's request limit for this app is used up until ")
    assert run.summary.endswith("; the next sync runs then.")
    subscription.refresh_from_db()
    assert subscription.next_run_at is not None
    assert subscription.next_run_at > timezone.now() + timedelta(hours=1)
    assert m3u8_lines(EMPTY) == files(tracks)  # nothing removed on a failed sync
    assert audio_on_disk() == set(files(tracks))


def test_an_expired_sign_in_asks_the_person_to_sign_in_again(sb: Sandbox, reader: Any) -> None:
    subscription, _ = _synced_playlist(sb, reader)
    account = SpotifyAccount.objects.get(user=subscription.owner)
    account.require_reauth("Your Spotify sign-in has expired. Please sign in again.")
    account.save()

    run = services.subscription_sync(subscription=subscription)

    assert (run.status, run.summary) == (
        "failed",
        "Your Spotify sign-in has expired. Please sign in again.",
    )
    assert run.requests_made == 0


def test_a_playlist_gone_from_the_library_is_not_synced_and_its_files_stay(
    sb: Sandbox, reader: Any
) -> None:
    subscription, tracks = _synced_playlist(sb, reader)
    UserPlaylist.objects.filter(playlist__spotify_id=subscription.target_id).delete()
    sb.reset_counters()

    run = services.subscription_sync(subscription=subscription)

    assert (run.status, run.summary) == ("failed", NOT_IN_LIBRARY)
    assert not any(key.startswith("GET /v1/") for key in sb.requests)
    assert audio_on_disk() == set(files(tracks))
    assert subscription.memberships.count() == 2


def test_spotify_failing_for_good_is_reported_and_the_next_sync_catches_up(
    sb: Sandbox, reader: Any
) -> None:
    subscription, tracks = _synced_playlist(sb, reader)
    sb.playlist_remove(subscription.target_id, tracks[:1])
    sb.knobs.fail_next(20, "503")

    failed = services.subscription_sync(subscription=subscription)
    sb.knobs.planned.clear()
    caught_up = sync_and_download(subscription).run

    assert failed.status == "failed"
    assert "Spotify kept failing with error 503" in failed.summary
    assert caught_up.summary == "added 0, removed 1, kept 1; 1 file deleted"
    assert m3u8_lines(EMPTY) == files(tracks[1:])
