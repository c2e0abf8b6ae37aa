from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User

from library.models import SpotifyAccount, SpotifyPause
from library.oauth import AccountTokens
from library.spotify import (
    AsyncSpotify,
    SpotifyForbidden,
    SpotifyQuotaExceeded,
    SpotifyUnavailable,
)
from library.spotify.errors import SpotifyBadRequest, SpotifyNotFound
from library.spotify.transport import close_http_client, loop_state
from sandbox import Sandbox
from tests.support.signing_in import SignIn

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def client_for(user: User, *, retries: int = 5) -> AsyncSpotify:
    account = SpotifyAccount.objects.get(user=user)
    tokens = AccountTokens(account.pk)
    return AsyncSpotify(
        tokens=tokens, account_key=account.account_key, max_transient_retries=retries
    )


def test_liked_songs_come_back_complete_and_in_order(spotify: Sandbox, sign_in: SignIn) -> None:
    client = client_for(sign_in("ana"))

    read = async_to_sync(client.saved_tracks)()
    saved, skipped = read.saved, read.skipped

    assert [s.track.id for s in saved] == spotify.user_library("ana")["liked"]
    assert skipped == 0


def test_a_429_pauses_every_request_of_that_account_at_once(
    spotify: Sandbox, sign_in: SignIn
) -> None:
    client = client_for(sign_in("ben"))
    spotify.reset_counters()
    spotify.knobs.fail_next(1, "429", path="/v1/me/tracks")  # Retry-After: 1

    async def second_request_waits() -> float:
        start = time.monotonic()
        first = asyncio.create_task(client.get("me/tracks", {"limit": 1}))
        await asyncio.sleep(0.3)  # the 429 is back by now: the account is paused
        await client.get("me/albums", {"limit": 1})
        waited = time.monotonic() - start
        await first
        return waited

    waited = async_to_sync(second_request_waits)()

    assert waited >= 0.95
    assert spotify.requests["GET /v1/me/albums"] == 1  # not sent during the pause
    assert spotify.requests["GET /v1/me/tracks"] == 2


def test_a_429_of_one_account_pauses_every_account_of_the_app(
    spotify: Sandbox, sign_in: SignIn
) -> None:
    """Spotify counts requests per app (issue 18): one account's 429 holds the others too."""
    ben, ana = client_for(sign_in("ben")), client_for(sign_in("ana"))
    spotify.knobs.fail_next(1, "429", path="/v1/me/tracks")

    async def other_account_after_the_pause() -> tuple[float, float]:
        first = asyncio.create_task(ben.get("me/tracks", {"limit": 1}))
        paused_until = await _pause_recorded()
        await ana.get("me/albums", {"limit": 1})
        answered_at = time.time()
        await first
        return paused_until, answered_at

    paused_until, answered_at = async_to_sync(other_account_after_the_pause)()

    assert answered_at >= paused_until


async def _pause_recorded() -> float:
    """When the installation's Spotify pause ends, once a 429 has written it."""
    deadline = time.monotonic() + 60
    while not (row := await SpotifyPause.objects.afirst()):
        assert time.monotonic() < deadline, "no Spotify pause was recorded"
        await asyncio.sleep(0.02)
    return row.paused_until.timestamp()


def test_quota_exceeded_raises_a_typed_error_with_the_resume_time_and_does_not_sleep(
    spotify: Sandbox, sign_in: SignIn
) -> None:
    client = client_for(sign_in("ben"))
    spotify.knobs.fail_next(1, "quota")
    start = time.monotonic()

    with pytest.raises(SpotifyQuotaExceeded) as caught:
        async_to_sync(client.get)("me/tracks")

    assert time.monotonic() - start < 2
    expected = datetime.now(UTC) + timedelta(seconds=86_400)
    assert abs((caught.value.retry_at - expected).total_seconds()) < 60
    assert "resumes" in caught.value.message


def test_a_retry_after_longer_than_a_minute_is_treated_like_a_quota(
    spotify: Sandbox, sign_in: SignIn
) -> None:
    client = client_for(sign_in("ben"))
    spotify.knobs.rate_limit, spotify.knobs.rate_window = 1, 600.0

    async def two_requests() -> None:
        await client.get("me/tracks", {"limit": 1})
        await client.get("me/tracks", {"limit": 1})

    with pytest.raises(SpotifyQuotaExceeded) as caught:
        async_to_sync(two_requests)()

    assert caught.value.retry_at > datetime.now(UTC) + timedelta(minutes=5)


def test_server_errors_are_retried_with_backoff(spotify: Sandbox, sign_in: SignIn) -> None:
    client = client_for(sign_in("ben"))
    spotify.reset_counters()
    spotify.knobs.fail_next(2, "503", path="/v1/me/tracks")
    spotify.knobs.fail_next(1, "502", path="/v1/me/tracks")

    saved = async_to_sync(client.saved_tracks)().saved

    assert len(saved) == len(spotify.user_library("ben")["liked"])
    assert spotify.requests["GET /v1/me/tracks"] == 4


def test_connection_resets_are_retried(spotify: Sandbox, sign_in: SignIn) -> None:
    client = client_for(sign_in("ben"))
    spotify.knobs.fail_next(2, "reset", path="/v1/me/albums")

    albums = async_to_sync(client.saved_albums)().saved

    assert [a.album.album.id for a in albums] == spotify.user_library("ben")["albums"]


def test_lasting_server_errors_end_in_a_plain_words_error(
    spotify: Sandbox, sign_in: SignIn
) -> None:
    client = client_for(sign_in("ben"), retries=2)
    spotify.reset_counters()
    spotify.knobs.fail_next(50, "500", path="/v1/me/tracks")

    with pytest.raises(SpotifyUnavailable) as caught:
        async_to_sync(client.get)("me/tracks")

    assert "Spotify kept failing" in caught.value.message
    assert spotify.requests["GET /v1/me/tracks"] == 3


def test_other_client_errors_are_typed_with_a_plain_message(
    spotify: Sandbox, sign_in: SignIn
) -> None:
    client = client_for(sign_in("ben"))

    with pytest.raises(SpotifyForbidden) as forbidden:
        async_to_sync(client.get)("tracks", {"ids": "abc"})  # gone for Development Mode apps
    with pytest.raises(SpotifyBadRequest):
        async_to_sync(client.get)("playlists/not*an*id/items")
    with pytest.raises(SpotifyNotFound):
        async_to_sync(client.get)("albums/0000000000000000000000")

    assert forbidden.value.message.startswith("Spotify does not let this app read that")


def test_each_event_loop_gets_its_own_http_client() -> None:
    async def state_twice() -> tuple[object, object]:
        first, second = loop_state(), loop_state()
        await close_http_client()
        return first, second

    with ThreadPoolExecutor(max_workers=1) as pool:  # a thread without Playwright's loop
        one = pool.submit(asyncio.run, state_twice()).result()
        two = pool.submit(asyncio.run, state_twice()).result()

    assert one[0] is one[1]
    assert one[0] is not two[0]


def test_a_connection_the_server_closed_while_idle_is_replaced_not_failed(
    spotify: Sandbox, sign_in: SignIn
) -> None:
    client = client_for(sign_in("ben"), retries=0)  # a request on a dead connection would fail
    spotify.reset_counters()

    async def read_around_a_dropped_connection() -> None:
        await client.get("me/tracks", {"limit": 1})
        spotify.drop_connections()
        await client.get("me/tracks", {"limit": 1})
        await close_http_client()

    async_to_sync(read_around_a_dropped_connection)()

    assert spotify.requests["GET /v1/me/tracks"] == 2
