"""Each kind of news reaches a real Apprise URL (json://) on a loopback webhook, through the
production paths that cause it; a failing service is recorded, never raised."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from downloads import selectors, services
from downloads.models import AudioFormat, Job, Subscription
from downloads.tasks import run_chunk
from library.models import SpotifyAccount
from library.oauth import account_tokens_refresh
from library.spotify import SpotifyReauthRequired
from sandbox import Sandbox
from spotifydl.notifications.models import Channel, Kind
from spotifydl.notifications.services import channel_test, channel_update, senders_join
from tests.support.catalog import import_playlist, tracks_with_one_missing
from tests.support.webhook import Webhook
from tests.support.workers import run_task_in_thread
from tests.sync.world import fresh_tracks, playlist_id, subscribe, sync_and_download

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
EMPTY = "Empty (for now)"  # Ana's own playlist, empty in the seed


def _listen(user: User, hook: Webhook, kinds: list[str] | None = None) -> Channel:
    return channel_update(owner_id=user.pk, urls=hook.url(), kinds=kinds or list(Kind.values))


def _job(sb: Sandbox, user: User, tracks: list[Any]) -> Job:
    playlist = import_playlist(sb, user, tracks)
    target = selectors.target_tracks(
        user=user, kind=Job.Kind.PLAYLIST, target_id=playlist.spotify_id
    )
    return services.job_create(
        owner=user,
        kind=target.kind,
        target_id=target.target_id,
        title=target.title,
        tracks=target.tracks,
        audio_format=AudioFormat.ORIGINAL,
        enqueue=False,
    )


def test_a_sync_that_changed_something_and_its_finished_job_are_both_told(
    sb: Sandbox, reader: Callable[[str], User], hook: Webhook
) -> None:
    ana = reader("ana")
    _listen(ana, hook)
    pid = playlist_id(sb, "ana", EMPTY)
    sb.playlist_add(pid, fresh_tracks(sb, 2))

    synced = sync_and_download(subscribe(ana, Subscription.Source.PLAYLIST, pid))

    assert synced.job is not None
    changed = hook.wait_for("Synced: ")
    assert changed["message"].startswith("added 2, removed 0, kept 0")
    finished = hook.wait_for("Downloaded: ")
    assert finished["message"] == "2 done"


def test_a_job_with_failures_says_which_tracks_and_why(
    sb: Sandbox, reader: Callable[[str], User], hook: Webhook
) -> None:
    ana = reader("ana")
    _listen(ana, hook)
    tracks = tracks_with_one_missing(sb, 2)
    job = _job(sb, ana, tracks)
    run_task_in_thread(run_chunk, job_id=job.pk, chunk=0)

    told = hook.wait_for("Finished with failures: ")
    missing = job.items.exclude(status="done").get()
    assert "1 done, 1 no match" in told["message"]
    assert f"- {missing.track.name}: " in told["message"]
    # The next step, with the link in full (downloads/failures.py).
    assert missing.error_kind == "no_match"
    assert (
        f"Pick an upload: http://127.0.0.1:8000/downloads/items/{missing.pk}/match/"
        in told["message"]
    )


def test_youtube_and_spotify_pauses_say_until_when_and_what_to_do(
    sb: Sandbox, reader: Callable[[str], User], hook: Webhook
) -> None:
    ana = reader("ana")
    _listen(ana, hook)
    job = _job(sb, ana, tracks_with_one_missing(sb, 2))
    until = timezone.now() + timedelta(hours=1)

    services.jobs_pause_for_youtube(until=until, reason="YouTube asks for a break.")
    job.refresh_from_db()
    job.resume()
    services.job_pause(job=job, until=until, reason="Spotify's quota is used up.")

    youtube = hook.wait_for("YouTube paused downloads until ")
    assert f"{until:%Y-%m-%d %H:%M} UTC" in youtube["title"]
    assert "resumes by itself" in youtube["message"]
    spotify = hook.wait_for("Spotify paused downloads until ")
    assert spotify["message"].startswith("Spotify's quota is used up.")


def test_an_expired_sign_in_is_told_to_its_person(
    sb: Sandbox, reader: Callable[[str], User], hook: Webhook
) -> None:
    ana = reader("ana")
    _listen(ana, hook)
    account = SpotifyAccount.objects.get(user=ana)
    tokens = account.tokens()
    assert tokens is not None
    sb.revoke_refresh_tokens("ana")

    with pytest.raises(SpotifyReauthRequired):
        account_tokens_refresh(account_id=account.pk, stale_access_token=tokens.access_token)

    told = hook.wait_for("Your Spotify sign-in expired")
    assert "Sign in again" in told["message"]


def test_the_installation_channel_hears_everyones_news_and_kinds_switch_off(
    sb: Sandbox, reader: Callable[[str], User], hook: Webhook
) -> None:
    ana = reader("ana")
    _listen(ana, hook, kinds=[Kind.JOB_FINISHED])
    channel_update(owner_id=None, urls=hook.url("admin"), kinds=[Kind.PAUSED])
    _job(sb, ana, tracks_with_one_missing(sb, 2))

    services.jobs_pause_for_youtube(
        until=timezone.now() + timedelta(hours=1), reason="YouTube asks for a break."
    )
    senders_join()

    assert [b["title"][:24] for b in hook.received] == ["YouTube paused downloads"]


def test_the_test_button_sends_and_a_failing_service_is_recorded(
    reader: Callable[[str], User], hook: Webhook
) -> None:
    ana = reader("ana")
    channel = _listen(ana, hook)

    channel_test(channel=channel)
    hook.wait_for("spotifydl test")
    senders_join()
    channel.refresh_from_db()
    assert channel.last_error == "" and channel.last_sent_at is not None

    hook.status = 500
    channel_test(channel=channel)
    senders_join()
    channel.refresh_from_db()
    assert "did not accept" in channel.last_error
