"""`manage.py sync [--user NAME] [--all]` as a real process: a summary line per subscription."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from downloads.models import Subscription, SyncRun
from sandbox import Sandbox
from tests.support.processes import manage
from tests.support.workers import worker_env
from tests.sync.world import fresh_tracks, playlist_id, subscribe, sync_and_download

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _sync(*args: str) -> tuple[int, str]:
    env = worker_env(
        SPOTIFY_CLIENT_ID=settings.SPOTIFY_CLIENT_ID,
        SPOTIFY_API_URL=settings.SPOTIFY_API_URL,
        SPOTIFY_ACCOUNTS_URL=settings.SPOTIFY_ACCOUNTS_URL,
        LOG_LEVEL="WARNING",
    )
    process = manage("sync", *args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = process.communicate(timeout=120)
    return process.returncode, output.decode()


def test_the_command_syncs_a_users_subscriptions_and_prints_each_summary(
    sb: Sandbox, reader: Any
) -> None:
    ana = reader("ana")
    pid = playlist_id(sb, "ana", "Empty (for now)")
    tracks = fresh_tracks(sb, 2)
    sb.playlist_add(pid, tracks)
    playlist = subscribe(ana, Subscription.Source.PLAYLIST, pid)
    sync_and_download(playlist)
    subscribe(ana, Subscription.Source.LIKED)
    sb.playlist_remove(pid, tracks[:1])

    code, output = _sync("--user", ana.username)

    assert code == 0, output
    job = SyncRun.objects.get(trigger="command", subscription__source="liked").job
    assert job is not None
    assert output.splitlines() == [
        f"{ana.username} · Empty (for now) (Playlist, Original): added 0, removed 1, kept 1; "
        "1 file deleted",
        f"{ana.username} · Liked Songs (Liked Songs, Original): added 70, removed 0, kept 0; "
        f"downloading 70 tracks (job #{job.pk})",
        "The downloads run in the background workers (manage.py serve or db_worker).",
    ]


def test_a_failed_sync_exits_with_1_and_says_why_for_every_user(sb: Sandbox, reader: Any) -> None:
    ana, ben = reader("ana"), reader("ben")
    subscribe(ana, Subscription.Source.PLAYLIST, playlist_id(sb, "ana", "Empty (for now)"))
    subscribe(ben, Subscription.Source.PLAYLIST, playlist_id(sb, "ben", "Deep Mix"))
    sb.knobs.fail_next(1, "quota")

    code, output = _sync("--all")

    assert code == 1, output
    lines = output.splitlines()
    assert len(lines) == 3
    assert ": failed: Spotify's request limit for this app is used up until " in lines[0]
    assert lines[1].startswith(f"{ben.username} · Deep Mix (Playlist, ")
    job = SyncRun.objects.get(subscription__owner=ben).job
    assert job is not None
    assert lines[1].endswith(f"added 7, removed 0, kept 0; downloading 7 tracks (job #{job.pk})")


def test_the_command_needs_to_know_whose_subscriptions_to_sync() -> None:
    with pytest.raises(CommandError, match="--user NAME, or --all"):
        call_command("sync")
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        call_command("sync", "--user", "nobody")
