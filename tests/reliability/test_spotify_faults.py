"""A library refresh while Spotify misbehaves in every way at once: 429 storms, 10% 5xx,
dropped connections, an access token expiring midway, the daily quota running out (a pause
with a resume time, then the rest), and a revoked sign-in."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from library.models import (
    FollowedArtist,
    LibraryRefresh,
    PlaylistEntry,
    SavedAlbum,
    SavedTrack,
    SpotifyAccount,
    UserPlaylist,
)
from sandbox import Sandbox
from tests.reliability.helpers import Connections
from tests.reliability.invariants import assert_plain
from tests.support.signing_in import RunRefresh, SignIn

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TOKEN = "POST /api/token"


def library_mismatches(sandbox: Sandbox, key: str, user: Any) -> list[str]:
    """Where the stored library differs from what the sandbox says this person has."""
    want = sandbox.user_library(key)
    have = {
        "liked": set(
            SavedTrack.objects.filter(user=user).values_list("track__spotify_id", flat=True)
        ),
        "albums": set(
            SavedAlbum.objects.filter(user=user).values_list("album__spotify_id", flat=True)
        ),
        "followed_artists": set(
            FollowedArtist.objects.filter(user=user).values_list("artist__spotify_id", flat=True)
        ),
    }
    problems = [f"{name} differ" for name, ids in have.items() if ids != set(want[name])]
    memberships = {
        m.playlist.spotify_id: m
        for m in UserPlaylist.objects.filter(user=user).select_related("playlist")
    }
    if set(memberships) != {p["id"] for p in want["playlists"]}:
        problems.append("playlists differ")
    for playlist in want["playlists"]:
        membership = memberships.get(playlist["id"])
        if membership is None or membership.readable != playlist["readable"]:
            problems.append(f"playlist {playlist['name']!r} is missing or wrongly (un)readable")
            continue
        entries = PlaylistEntry.objects.filter(playlist=membership.playlist).order_by("position")
        if playlist["readable"] and [e.track.spotify_id for e in entries] != playlist["track_ids"]:
            problems.append(f"playlist {playlist['name']!r} has other entries than on Spotify")
    return problems


def storm(sandbox: Sandbox) -> None:
    """429 storms (6 requests a second), 10% server errors and 5% dropped connections."""
    sandbox.knobs.rate_limit, sandbox.knobs.rate_window = 6, 1.0
    sandbox.knobs.error_rate = 0.10
    sandbox.knobs.reset_rate = 0.05


def expire_tokens_after(sandbox: Sandbox, requests: int) -> threading.Thread:
    """Expire every access token once the refresh has made `requests` API requests."""

    def run() -> None:
        deadline = time.monotonic() + 30
        while sum(v for k, v in sandbox.requests.items() if " /v1/" in k) < requests:
            if time.monotonic() > deadline:
                return
            time.sleep(0.002)
        sandbox.expire_access_tokens()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.slow
def test_one_refresh_survives_storms_errors_resets_an_expired_token_and_the_quota(
    spotify: Sandbox,
    sign_in: SignIn,
    run_refresh: RunRefresh,
    connections: tuple[Connections, set[int]],
) -> None:
    ana = sign_in("ana")  # the edge-case account: every odd name and shape of playlist
    mine = next(
        p for p in spotify.user_library("ana")["playlists"] if p["readable"] and p["track_ids"]
    )
    spotify.playlist_add(mine["id"], spotify.user_library("ben")["liked"][:3])
    spotify.reset_counters()
    storm(spotify)
    spotify.knobs.daily_quota = 20  # fewer than the 21 requests a reading needs at least
    expirer = expire_tokens_after(spotify, 4)

    paused = run_refresh(ana)
    expirer.join()

    assert paused.status == LibraryRefresh.Status.PAUSED, paused.error
    assert_plain(paused.error)
    assert paused.resumes_at is not None
    expected = datetime.now(UTC) + timedelta(days=1)
    assert abs((paused.resumes_at - expected).total_seconds()) < 300
    scheduled = DBTaskResult.objects.filter(run_after=paused.resumes_at)
    assert [r.args_kwargs["kwargs"] for r in scheduled] == [{"refresh_id": paused.pk}]

    # A day later Spotify allows requests again; the storm goes on, and the day-old access
    # token has expired too. The paused refresh picks up where it stopped and completes.
    spotify.clock.advance(86_400)
    spotify.knobs.daily_quota = None
    resumed = run_refresh(ana)

    assert resumed.pk == paused.pk
    assert resumed.status == LibraryRefresh.Status.SUCCEEDED, resumed.error
    assert resumed.resumes_at is None
    assert library_mismatches(spotify, "ana", ana) == []
    # Single-use refresh tokens: spent exactly once per expiry, never twice, never lost.
    assert spotify.requests[TOKEN] == 2
    account = SpotifyAccount.objects.get(user=ana)
    assert not account.needs_reauth and account.tokens() is not None
    record, allowed = connections
    assert record.outside(allowed) == []


def test_a_sign_in_revoked_during_a_stormy_refresh_asks_to_sign_in_again_and_keeps_the_library(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ana = sign_in("ana")
    assert run_refresh(ana).status == LibraryRefresh.Status.SUCCEEDED
    spotify.reset_counters()
    storm(spotify)
    spotify.revoke_refresh_tokens("ana")
    expirer = expire_tokens_after(spotify, 4)

    refresh = run_refresh(ana)
    expirer.join()

    account = SpotifyAccount.objects.get(user=ana)
    assert refresh.status == LibraryRefresh.Status.FAILED
    assert_plain(refresh.error)
    assert "sign in again" in refresh.error
    assert account.needs_reauth and account.tokens() is None
    assert spotify.requests[TOKEN] == 1  # asked once, told no, never asked again
    assert library_mismatches(spotify, "ana", ana) == []  # what was read before is all there
