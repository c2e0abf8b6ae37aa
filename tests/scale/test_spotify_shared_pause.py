"""Spotify's 429 pause is the app's: once one process is told to wait, every process waits."""

from __future__ import annotations

import time

import pytest
from asgiref.sync import async_to_sync

from library.models import SpotifyPause
from library.spotify.shared_pause import SharedPause


@pytest.mark.django_db
def test_a_pause_recorded_by_one_process_holds_every_other_process_of_the_app() -> None:
    web, worker = SharedPause(), SharedPause()  # two processes' views of the same row

    async def run() -> float:
        await web.record("app-1", 0.6)
        started = time.monotonic()
        await worker.wait("app-1")
        return time.monotonic() - started

    waited = async_to_sync(run)()

    assert waited >= 0.5
    assert SpotifyPause.objects.filter(app="app-1").count() == 1


@pytest.mark.django_db
def test_another_apps_pause_holds_nobody_here_and_a_shorter_one_never_shortens_it() -> None:
    web, worker = SharedPause(), SharedPause()

    async def run() -> float:
        await web.record("app-1", 30)
        await web.record("app-1", 1)
        started = time.monotonic()
        await worker.wait("app-2")
        return time.monotonic() - started

    assert async_to_sync(run)() < 0.2
    until = SpotifyPause.objects.get(app="app-1").paused_until.timestamp()
    assert until - time.time() > 25
